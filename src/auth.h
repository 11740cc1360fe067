/*-------------------------------------------------------------------------
 *
 * auth.h
 *	  API keys: the X-API-Key check of every request and the key material
 *	  shared with key management (api_keys.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef OPP_AUTH_H
#define OPP_AUTH_H

#include "postgres.h"

#include "utils/array.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

/* GUC opportunities.auth */
typedef enum OppAuthMode
{
	OPP_AUTH_AUTO,				/* enforce when request.headers is set */
	OPP_AUTH_API_KEY,			/* always enforce */
	OPP_AUTH_NONE				/* database privileges alone */
} OppAuthMode;

extern int	opp_auth_mode;
extern const struct config_enum_entry opp_auth_mode_options[];

#define OPP_PERMISSION_WRITE		"opportunities:write"

/* Keys: "oppk_" and 32 characters of [0-9a-z] (~165 random bits) */
#define OPP_API_KEY_PREFIX			"oppk_"
#define OPP_API_KEY_PREFIX_LEN		5
#define OPP_API_KEY_RANDOM_LEN		32
#define OPP_API_KEY_LEN				(OPP_API_KEY_PREFIX_LEN + OPP_API_KEY_RANDOM_LEN)
/* How much of a key listings show: enough to tell keys apart, not to use */
#define OPP_API_KEY_DISPLAY_LEN		12
#define OPP_API_KEY_HASH_LEN		32	/* SHA-256 */

/*
 * request.headers as JSON text, NULL unless the call came over HTTP (that
 * is, request.headers is set and not empty)
 */
extern const char *opp_request_headers(void);

/*
 * Check the request's API key for the permission.  NULL when the request
 * may go on, else the error envelope to answer with (response.status set
 * over HTTP).
 */
extern Jsonb *opp_authenticate(const char *permission);

/* SHA-256 of a key: the only form in which keys are stored */
extern bytea *opp_api_key_hash(const char *key, size_t len);

/* The known permissions, comma-separated, for messages */
extern const char *opp_known_permissions(void);

/*
 * NULL if perms is a non-empty list of distinct known permissions, else
 * what is wrong; *bad is set to the offending element, if any.
 */
extern const char *opp_permissions_problem(ArrayType *perms, char **bad);

#endif							/* OPP_AUTH_H */
