/*-------------------------------------------------------------------------
 *
 * envelope.h
 *	  The API's JSON response envelopes and the HTTP status that goes with
 *	  them (the transaction-local setting response.status, read by
 *	  PostgREST).
 *
 *-------------------------------------------------------------------------
 */
#ifndef OPP_ENVELOPE_H
#define OPP_ENVELOPE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/array.h"
#include "utils/jsonb.h"

#include "request.h"

/* GetRaze's documented error codes */
typedef enum OppErrorCode
{
	OPP_ERR_VALIDATION,
	OPP_ERR_INVALID_STATUS,
	OPP_ERR_INVALID_SOURCE,
	OPP_ERR_MISSING_API_KEY,
	OPP_ERR_INVALID_API_KEY,
	OPP_ERR_EXPIRED_API_KEY,
	OPP_ERR_INSUFFICIENT_PERMISSIONS
} OppErrorCode;

/* A stored opportunity, as the success envelope describes it. */
typedef struct OppCreated
{
	char		id[OPP_ID_LEN + 1];
	const OppLead *lead;
} OppCreated;

/* One failing item of a batch (create_opportunities). */
typedef struct OppItemError
{
	int			index;
	OppErrorCode code;
	const char *message;
	const OppFieldErrors *fields;	/* NULL when the item is not an object */
} OppItemError;

/* "YYYY-MM-DDTHH:MM:SSZ" and its NUL */
#define OPP_TIMESTAMP_SIZE 21

/* A timestamp in the API's format, always UTC */
extern void opp_format_utc(TimestampTz ts, char *buf);

extern void opp_set_response_status(int status);

/* {"success": false, "error": {"code", "message"}}; sets response.status */
extern Jsonb *opp_error_response(OppErrorCode code, const char *message);

/* The error envelope for a body whose fields failed; sets response.status */
extern Jsonb *opp_fields_error_response(const OppFieldErrors *errors);

/* The error envelope for a batch with failing items; sets response.status */
extern Jsonb *opp_items_error_response(const OppItemError *items, int nitems);

/* {"success": true, "data": {...}}; sets response.status 201 */
extern Jsonb *opp_created_response(const OppCreated *created,
								   TimestampTz created_at);

/* {"success": true, "data": [...]}; sets response.status 201 */
extern Jsonb *opp_batch_created_response(const OppCreated *created, int n,
										 TimestampTz created_at);

/* A new API key as create_api_key returns it (the only time key exists) */
typedef struct OppNewApiKey
{
	const char *id;
	const char *key;
	const char *key_prefix;
	const char *name;
	ArrayType  *permissions;
	TimestampTz created_at;
	bool		expires;
	TimestampTz expires_at;
} OppNewApiKey;

extern Jsonb *opp_api_key_json(const OppNewApiKey *key);

/* The code a body's field errors answer with (INVALID_STATUS/SOURCE or not) */
extern OppErrorCode opp_fields_error_code(const OppFieldErrors *errors);

#endif							/* OPP_ENVELOPE_H */
