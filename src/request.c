/*-------------------------------------------------------------------------
 *
 * request.c
 *	  Walk a jsonb request body once, check every key against the field
 *	  table (fields.c) and collect either a lead or every failing key.
 *
 * Values are read in place: string fields point into the body, which the
 * caller keeps alive until the lead is stored and answered.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "request.h"

/* deal_value must stay below 10^13: numeric(15,2) holds 13 integer digits */
#define OPP_DEAL_VALUE_LIMIT	INT64CONST(10000000000000)

static Numeric deal_value_zero;
static Numeric deal_value_limit;

static void
add_error(OppFieldErrors *errors, int field, const char *key, int keylen,
		  const char *message)
{
	if (errors->count == errors->capacity)
	{
		errors->capacity = errors->capacity ? errors->capacity * 2 : 4;
		errors->items = errors->items ?
			repalloc(errors->items, errors->capacity * sizeof(OppFieldError)) :
			palloc(errors->capacity * sizeof(OppFieldError));
	}
	errors->items[errors->count].field = field;
	errors->items[errors->count].key = key;
	errors->items[errors->count].keylen = keylen;
	errors->items[errors->count].message = message;
	errors->count++;
}

static int
numeric_compare(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											 NumericGetDatum(a),
											 NumericGetDatum(b)));
}

/*
 * Check a deal value and round it to cents the way numeric(15,2) will, so
 * the value we answer with is the value stored.  The limit is checked after
 * rounding too: 9999999999999.995 rounds up to 10^13.
 */
static const char *
check_deal_value(Numeric value, Numeric *rounded)
{
	if (deal_value_limit == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		deal_value_zero = int64_to_numeric(0);
		deal_value_limit = int64_to_numeric(OPP_DEAL_VALUE_LIMIT);
		MemoryContextSwitchTo(old);
	}

	if (numeric_is_nan(value) || numeric_is_inf(value))
		return "Deal value must be a finite number";
	if (numeric_compare(value, deal_value_zero) < 0)
		return "Deal value must be zero or greater";
	if (numeric_compare(value, deal_value_limit) >= 0)
		return "Deal value must be less than 10000000000000";
	*rounded = DatumGetNumeric(DirectFunctionCall2(numeric_round,
												   NumericGetDatum(value),
												   Int32GetDatum(2)));
	if (numeric_compare(*rounded, deal_value_limit) >= 0)
		return "Deal value must be less than 10000000000000";
	return NULL;
}

/* True if v is a string of nothing but white space: "absent" by contract. */
static bool
is_blank_string(const JsonbValue *v)
{
	size_t		len;

	if (v->type != jbvString)
		return false;
	len = v->val.string.len;
	(void) opp_trim(v->val.string.val, &len);
	return len == 0;
}

/* Check one known field's value; store it in lead or record the error. */
static void
read_field(OppField f, JsonbValue *key, JsonbValue *v, OppLead *lead,
		   OppFieldErrors *errors)
{
	const OppFieldSpec *spec = &opp_fields[f];
	const char *message = NULL;

	if (v->type == jbvNull)
		message = opp_missing_field_message(f);
	else if (spec->type == OPP_TYPE_STRING)
	{
		/* a blank string is absent: opp_check_string_field says so */
		if (v->type != jbvString)
			message = spec->type_message;
		else
			message = opp_check_string_field(f, v->val.string.val,
											 v->val.string.len,
											 lead->phone_buf, &lead->text[f]);
	}
	else if (is_blank_string(v))
		message = opp_missing_field_message(f);
	else if (v->type != jbvNumeric)
		message = spec->type_message;
	else
		message = check_deal_value(v->val.numeric, &lead->deal_value);

	if (message != NULL)
		add_error(errors, f, key->val.string.val, key->val.string.len,
				  message);
}

OppReadResult
opp_read_lead(JsonbContainer *body, OppLead *lead, OppFieldErrors *errors)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	key;
	JsonbValue	v;
	bool		seen[OPP_NUM_FIELDS] = {0};

	memset(lead, 0, sizeof(OppLead));
	if (!JsonContainerIsObject(body))
		return OPP_READ_NOT_AN_OBJECT;

	it = JsonbIteratorInit(body);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		int			f;

		if (tok != WJB_KEY)
			continue;			/* WJB_BEGIN_OBJECT / WJB_END_OBJECT */
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);

		f = opp_field_lookup(key.val.string.val, key.val.string.len);
		if (f < 0)
			add_error(errors, -1, key.val.string.val, key.val.string.len,
					  OPP_UNKNOWN_FIELD_MESSAGE);
		else
		{
			seen[f] = true;
			read_field((OppField) f, &key, &v, lead, errors);
		}
	}

	for (int f = 0; f < OPP_NUM_FIELDS; f++)
	{
		const char *missing = opp_missing_field_message((OppField) f);

		if (!seen[f] && missing != NULL)
			add_error(errors, f, opp_fields[f].name,
					  strlen(opp_fields[f].name), missing);
		if (lead->text[f].str == NULL && opp_fields[f].default_value != NULL)
		{
			lead->text[f].str = opp_fields[f].default_value;
			lead->text[f].len = strlen(opp_fields[f].default_value);
		}
	}

	return errors->count > 0 ? OPP_READ_INVALID_FIELDS : OPP_READ_OK;
}
