/*-------------------------------------------------------------------------
 *
 * fields.h
 *	  The Create Opportunity request fields: names, JSON types, defaults and
 *	  the rule each string field must pass.
 *
 * Pure C like validators.h: the server glue (request.c) walks the jsonb
 * body and asks this table what each key means and whether its value is
 * acceptable, so every rule and message lives here once.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OPP_FIELDS_H
#define OPP_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "validators.h"

typedef enum OppField
{
	OPP_FIELD_NAME,
	OPP_FIELD_EMAIL,
	OPP_FIELD_PHONE,
	OPP_FIELD_COMPANY,
	OPP_FIELD_POSITION,
	OPP_FIELD_STATUS,
	OPP_FIELD_SOURCE,
	OPP_FIELD_DEAL_VALUE,
	OPP_FIELD_DEAL_CURRENCY,
	OPP_FIELD_LINKEDIN_URL,
	OPP_FIELD_NOTES,
	OPP_FIELD_RESPONSIBLE_USER_ID,
	OPP_NUM_FIELDS
} OppField;

typedef enum OppFieldType
{
	OPP_TYPE_STRING,
	OPP_TYPE_NUMBER
} OppFieldType;

typedef struct OppFieldSpec
{
	const char *name;			/* JSON key, also the response key */
	OppFieldType type;
	const char *default_value;	/* used when absent; NULL if none */
	const char *type_message;	/* message for a value of the wrong JSON type */
} OppFieldSpec;

extern const OppFieldSpec opp_fields[OPP_NUM_FIELDS];

/* A byte range of UTF-8 text; str == NULL means absent. */
typedef struct OppText
{
	const char *str;
	size_t		len;
} OppText;

/* Opportunity ids: "opp_" and 12 characters of [0-9a-z]. */
#define OPP_ID_PREFIX			"opp_"
#define OPP_ID_PREFIX_LEN		4
#define OPP_ID_RANDOM_LEN		12
#define OPP_ID_LEN				(OPP_ID_PREFIX_LEN + OPP_ID_RANDOM_LEN)

/* Message for a key that is not a field (typos must not be dropped). */
#define OPP_UNKNOWN_FIELD_MESSAGE	"Unknown field"

/* Field the key names, or -1 if it names none. */
extern int	opp_field_lookup(const char *key, size_t len);

/*
 * Check the JSON string s given for string field f.  The value is trimmed
 * first; blank means absent.  Returns NULL when acceptable, with *out set to
 * the value to store (out->str == NULL when absent; it points into s, into
 * phone_buf for a normalised phone, or to a static currency code), else the
 * message naming the rule that failed.  phone_buf must hold
 * OPP_PHONE_NORMALIZED_SIZE bytes.
 */
extern const char *opp_check_string_field(OppField f, const char *s,
										  size_t len, char *phone_buf,
										  OppText *out);

/* Message for an absent required field, or NULL if f is optional. */
extern const char *opp_missing_field_message(OppField f);

/* Domains the storage table enforces too, exact spelling (no trimming). */
extern bool opp_status_is_valid(const char *s, size_t len);
extern bool opp_source_is_valid(const char *s, size_t len);
extern bool opp_currency_is_canonical(const char *s, size_t len);
extern bool opp_opportunity_id_is_valid(const char *s, size_t len);

/*
 * The timestamp a status stamps when an opportunity is created in it
 * ("won_at" for won, "lost_at" for lost), or NULL.
 */
extern const char *opp_status_timestamp_field(const OppText *status);

#endif							/* OPP_FIELDS_H */
