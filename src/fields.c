/*-------------------------------------------------------------------------
 *
 * fields.c
 *	  The Create Opportunity field table and the rule of every string field.
 *
 * Messages are static strings naming the rule, never built from user text:
 * the server glue puts them in the error envelope as they are.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "fields.h"

#define OPP_NAME_MAX_CHARS			255
#define OPP_COMPANY_MAX_CHARS		255
#define OPP_POSITION_MAX_CHARS		255
#define OPP_NOTES_MAX_CHARS			10000
#define OPP_RESPONSIBLE_MAX_CHARS	128

const OppFieldSpec opp_fields[OPP_NUM_FIELDS] = {
	[OPP_FIELD_NAME] = {"name", OPP_TYPE_STRING, NULL, "Name must be a string"},
	[OPP_FIELD_EMAIL] = {"email", OPP_TYPE_STRING, NULL, "Email must be a string"},
	[OPP_FIELD_PHONE] = {"phone", OPP_TYPE_STRING, NULL, "Phone must be a string"},
	[OPP_FIELD_COMPANY] = {"company", OPP_TYPE_STRING, NULL, "Company must be a string"},
	[OPP_FIELD_POSITION] = {"position", OPP_TYPE_STRING, NULL, "Position must be a string"},
	[OPP_FIELD_STATUS] = {"status", OPP_TYPE_STRING, "new", "Status must be a string"},
	[OPP_FIELD_SOURCE] = {"source", OPP_TYPE_STRING, "other", "Source must be a string"},
	[OPP_FIELD_DEAL_VALUE] = {"deal_value", OPP_TYPE_NUMBER, NULL, "Deal value must be a number"},
	[OPP_FIELD_DEAL_CURRENCY] = {"deal_currency", OPP_TYPE_STRING, "BRL", "Deal currency must be a string"},
	[OPP_FIELD_LINKEDIN_URL] = {"linkedin_url", OPP_TYPE_STRING, NULL, "LinkedIn URL must be a string"},
	[OPP_FIELD_NOTES] = {"notes", OPP_TYPE_STRING, NULL, "Notes must be a string"},
	[OPP_FIELD_RESPONSIBLE_USER_ID] = {"responsible_user_id", OPP_TYPE_STRING, NULL, "Responsible user id must be a string"},
};

/* The messages below list these values; keep the two together. */
static const char *const opp_statuses[] = {
	"new", "contacted", "qualified", "proposal", "negotiation", "won", "lost"
};
#define OPP_STATUS_MESSAGE \
	"Status must be one of: new, contacted, qualified, proposal, negotiation, won, lost"

static const char *const opp_sources[] = {
	"linkedin", "google_maps", "list", "paid_traffic", "other"
};
#define OPP_SOURCE_MESSAGE \
	"Source must be one of: linkedin, google_maps, list, paid_traffic, other"

#define lengthof(array) (sizeof(array) / sizeof((array)[0]))

static bool
text_equals(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

static bool
in_list(const char *s, size_t len, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		if (text_equals(s, len, list[i]))
			return true;
	}
	return false;
}

/* More than max characters?  Counting is needed only past max bytes. */
static bool
too_long(const char *s, size_t len, size_t max)
{
	return len > max && opp_utf8_length(s, len) > max;
}

int
opp_field_lookup(const char *key, size_t len)
{
	/* called for every key: rule out most fields by their first letter */
	if (len == 0)
		return -1;
	for (int f = 0; f < OPP_NUM_FIELDS; f++)
	{
		const char *name = opp_fields[f].name;

		if (name[0] == key[0] && text_equals(key, len, name))
			return f;
	}
	return -1;
}

const char *
opp_missing_field_message(OppField f)
{
	return f == OPP_FIELD_NAME ? "Name is required" : NULL;
}

bool
opp_status_is_valid(const char *s, size_t len)
{
	return in_list(s, len, opp_statuses, lengthof(opp_statuses));
}

bool
opp_source_is_valid(const char *s, size_t len)
{
	return in_list(s, len, opp_sources, lengthof(opp_sources));
}

bool
opp_currency_is_canonical(const char *s, size_t len)
{
	const char *code = opp_currency_lookup(s, len);

	return code != NULL && memcmp(code, s, len) == 0;
}

bool
opp_opportunity_id_is_valid(const char *s, size_t len)
{
	if (len != OPP_ID_LEN || memcmp(s, OPP_ID_PREFIX, OPP_ID_PREFIX_LEN) != 0)
		return false;
	for (size_t i = OPP_ID_PREFIX_LEN; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')))
			return false;
	}
	return true;
}

const char *
opp_status_timestamp_field(const OppText *status)
{
	if (text_equals(status->str, status->len, "won"))
		return "won_at";
	if (text_equals(status->str, status->len, "lost"))
		return "lost_at";
	return NULL;
}

const char *
opp_check_string_field(OppField f, const char *s, size_t len,
					   char *phone_buf, OppText *out)
{
	s = opp_trim(s, &len);
	out->str = NULL;
	out->len = 0;
	if (len == 0)
		return opp_missing_field_message(f);

	switch (f)
	{
		case OPP_FIELD_NAME:
			if (too_long(s, len, OPP_NAME_MAX_CHARS))
				return "Name must be at most 255 characters";
			if (opp_has_control_chars(s, len))
				return "Name must not contain control characters";
			break;
		case OPP_FIELD_EMAIL:
			if (too_long(s, len, OPP_EMAIL_MAX_CHARS))
				return "Email must be at most 254 characters";
			if (!opp_email_is_valid(s, len))
				return "Invalid email format";
			break;
		case OPP_FIELD_PHONE:
			len = opp_phone_normalize(s, len, phone_buf);
			if (len == 0)
				return "Phone must include the country code: + followed by 8 to 15 digits";
			s = phone_buf;
			break;
		case OPP_FIELD_COMPANY:
			if (too_long(s, len, OPP_COMPANY_MAX_CHARS))
				return "Company must be at most 255 characters";
			if (opp_has_control_chars(s, len))
				return "Company must not contain control characters";
			break;
		case OPP_FIELD_POSITION:
			if (too_long(s, len, OPP_POSITION_MAX_CHARS))
				return "Position must be at most 255 characters";
			if (opp_has_control_chars(s, len))
				return "Position must not contain control characters";
			break;
		case OPP_FIELD_STATUS:
			if (!opp_status_is_valid(s, len))
				return OPP_STATUS_MESSAGE;
			break;
		case OPP_FIELD_SOURCE:
			if (!opp_source_is_valid(s, len))
				return OPP_SOURCE_MESSAGE;
			break;
		case OPP_FIELD_DEAL_CURRENCY:
			s = opp_currency_lookup(s, len);
			if (s == NULL)
				return "Deal currency must be an ISO 4217 currency code, such as BRL, USD or EUR";
			break;
		case OPP_FIELD_LINKEDIN_URL:
			if (too_long(s, len, OPP_LINKEDIN_URL_MAX_CHARS))
				return "LinkedIn URL must be at most 2048 characters";
			if (!opp_linkedin_url_is_valid(s, len))
				return "LinkedIn URL must be an http(s) URL on linkedin.com";
			break;
		case OPP_FIELD_NOTES:
			if (too_long(s, len, OPP_NOTES_MAX_CHARS))
				return "Notes must be at most 10000 characters";
			if (opp_has_control_chars_multiline(s, len))
				return "Notes must not contain control characters other than tabs and line breaks";
			break;
		case OPP_FIELD_RESPONSIBLE_USER_ID:
			if (too_long(s, len, OPP_RESPONSIBLE_MAX_CHARS))
				return "Responsible user id must be at most 128 characters";
			if (opp_has_control_chars(s, len))
				return "Responsible user id must not contain control characters";
			break;
		case OPP_FIELD_DEAL_VALUE:
		case OPP_NUM_FIELDS:
			/* not string fields; the caller never asks */
			return "Unknown field";
	}

	out->str = s;
	out->len = len;
	return NULL;
}
