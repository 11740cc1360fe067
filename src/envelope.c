/*-------------------------------------------------------------------------
 *
 * envelope.c
 *	  Build the API's response envelopes directly as jsonb.
 *
 * Envelopes are pushed value by value (pushJsonbValue), never printed and
 * re-parsed.  Over HTTP every envelope sets response.status, so PostgREST
 * answers with the HTTP status that belongs to its code.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "auth.h"
#include "envelope.h"

typedef struct OppErrorInfo
{
	const char *code;
	int			http_status;
	const char *message;		/* default message */
} OppErrorInfo;

static const OppErrorInfo opp_errors[] = {
	[OPP_ERR_VALIDATION] = {"VALIDATION_ERROR", 400, "Validation failed"},
	[OPP_ERR_INVALID_STATUS] = {"INVALID_STATUS", 400, "Invalid status value"},
	[OPP_ERR_INVALID_SOURCE] = {"INVALID_SOURCE", 400, "Invalid source value"},
	[OPP_ERR_MISSING_API_KEY] = {"MISSING_API_KEY", 401, "API key is required: send it in the X-API-Key header"},
	[OPP_ERR_INVALID_API_KEY] = {"INVALID_API_KEY", 401, "Invalid API key"},
	[OPP_ERR_EXPIRED_API_KEY] = {"EXPIRED_API_KEY", 401, "API key has expired"},
	[OPP_ERR_INSUFFICIENT_PERMISSIONS] = {"INSUFFICIENT_PERMISSIONS", 403, "API key lacks the required permission"},
};

/*
 * Set response.status for an HTTP front end.  SQL callers have no use for
 * it, and a SET LOCAL costs them a pass over every setting at commit.
 */
void
opp_set_response_status(int status)
{
	char		buf[16];

	if (opp_request_headers() == NULL)
		return;
	snprintf(buf, sizeof(buf), "%d", status);
	(void) set_config_option("response.status", buf, PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
}

/* v, 0 <= v < 10^width, as exactly width decimal digits */
static void
put_digits(char *out, int v, int width)
{
	for (int i = width - 1; i >= 0; i--)
	{
		out[i] = '0' + v % 10;
		v /= 10;
	}
}

/* UTC whatever the session's TimeZone is: the API's format has no offset. */
void
opp_format_utc(TimestampTz ts, char *buf)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0 ||
		tm.tm_year < 1 || tm.tm_year > 9999)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	/* by hand: snprintf cost more than the rest of a success answer */
	put_digits(buf, tm.tm_year, 4);
	buf[4] = '-';
	put_digits(buf + 5, tm.tm_mon, 2);
	buf[7] = '-';
	put_digits(buf + 8, tm.tm_mday, 2);
	buf[10] = 'T';
	put_digits(buf + 11, tm.tm_hour, 2);
	buf[13] = ':';
	put_digits(buf + 14, tm.tm_min, 2);
	buf[16] = ':';
	put_digits(buf + 17, tm.tm_sec, 2);
	buf[19] = 'Z';
	buf[20] = '\0';
}

static void
push_string(JsonbParseState **ps, JsonbIteratorToken token,
			const char *s, size_t len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = unconstify(char *, s);
	v.val.string.len = len;
	(void) pushJsonbValue(ps, token, &v);
}

static void
push_key(JsonbParseState **ps, const char *key)
{
	push_string(ps, WJB_KEY, key, strlen(key));
}

static void
push_string_pair(JsonbParseState **ps, const char *key, const char *value)
{
	push_key(ps, key);
	push_string(ps, WJB_VALUE, value, strlen(value));
}

static void
push_bool_pair(JsonbParseState **ps, const char *key, bool value)
{
	JsonbValue	v;

	push_key(ps, key);
	v.type = jbvBool;
	v.val.boolean = value;
	(void) pushJsonbValue(ps, WJB_VALUE, &v);
}

/* {"field": "message", ...} */
static void
push_fields(JsonbParseState **ps, const OppFieldErrors *errors)
{
	(void) pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < errors->count; i++)
	{
		push_string(ps, WJB_KEY, errors->items[i].key, errors->items[i].keylen);
		push_string(ps, WJB_VALUE, errors->items[i].message,
					strlen(errors->items[i].message));
	}
	(void) pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

/* Open {"success": false, "error": {"code", "message" and leave it open. */
static JsonbParseState *
begin_error(OppErrorCode code, const char *message)
{
	JsonbParseState *ps = NULL;

	opp_set_response_status(opp_errors[code].http_status);
	(void) pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	push_bool_pair(&ps, "success", false);
	push_key(&ps, "error");
	(void) pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	push_string_pair(&ps, "code", opp_errors[code].code);
	push_string_pair(&ps, "message",
					 message != NULL ? message : opp_errors[code].message);
	return ps;
}

/* Close the "error" object and the envelope. */
static Jsonb *
end_error(JsonbParseState *ps)
{
	(void) pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

Jsonb *
opp_error_response(OppErrorCode code, const char *message)
{
	return end_error(begin_error(code, message));
}

OppErrorCode
opp_fields_error_code(const OppFieldErrors *errors)
{
	if (errors->count == 1 && errors->items[0].field == OPP_FIELD_STATUS)
		return OPP_ERR_INVALID_STATUS;
	if (errors->count == 1 && errors->items[0].field == OPP_FIELD_SOURCE)
		return OPP_ERR_INVALID_SOURCE;
	return OPP_ERR_VALIDATION;
}

Jsonb *
opp_fields_error_response(const OppFieldErrors *errors)
{
	JsonbParseState *ps = begin_error(opp_fields_error_code(errors), NULL);

	push_key(&ps, "details");
	(void) pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	push_key(&ps, "fields");
	push_fields(&ps, errors);
	(void) pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return end_error(ps);
}

Jsonb *
opp_items_error_response(const OppItemError *items, int nitems)
{
	JsonbParseState *ps = begin_error(OPP_ERR_VALIDATION, NULL);

	push_key(&ps, "details");
	(void) pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	push_key(&ps, "items");
	(void) pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < nitems; i++)
	{
		/* pushed values are referenced, not copied, until the end */
		push_key(&ps, psprintf("%d", items[i].index));
		(void) pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		push_string_pair(&ps, "code", opp_errors[items[i].code].code);
		push_string_pair(&ps, "message",
						 items[i].message != NULL ? items[i].message :
						 opp_errors[items[i].code].message);
		if (items[i].fields != NULL)
		{
			push_key(&ps, "fields");
			push_fields(&ps, items[i].fields);
		}
		(void) pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	}
	(void) pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	(void) pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return end_error(ps);
}

/*
 * Success answers are built as a JsonbValue tree with their keys already in
 * jsonb's order (shorter keys first, then bytewise) and converted once:
 * pushJsonbValue would copy every value and sort every object again, which
 * cost more than the rest of the answer.
 */
typedef enum OppAnswerKind
{
	ANSWER_ID,
	ANSWER_FIELD,
	ANSWER_CREATED_AT,
	ANSWER_STAGE_AT				/* won_at or lost_at */
} OppAnswerKind;

typedef struct OppAnswerKey
{
	const char *name;
	size_t		len;
	OppAnswerKind kind;
	int			field;			/* for ANSWER_FIELD */
} OppAnswerKey;

#define MAX_ANSWER_KEYS (OPP_NUM_FIELDS + 4)

static OppAnswerKey answer_keys[MAX_ANSWER_KEYS];
static int	n_answer_keys = 0;

static int
answer_key_cmp(const void *a, const void *b)
{
	const OppAnswerKey *ka = a;
	const OppAnswerKey *kb = b;

	if (ka->len != kb->len)
		return ka->len < kb->len ? -1 : 1;
	return memcmp(ka->name, kb->name, ka->len);
}

static void
add_answer_key(const char *name, OppAnswerKind kind, int field)
{
	answer_keys[n_answer_keys].name = name;
	answer_keys[n_answer_keys].len = strlen(name);
	answer_keys[n_answer_keys].kind = kind;
	answer_keys[n_answer_keys].field = field;
	n_answer_keys++;
}

/* Every key an answer can hold, in jsonb's order; done once per backend. */
static void
init_answer_keys(void)
{
	if (n_answer_keys > 0)
		return;
	add_answer_key("id", ANSWER_ID, -1);
	for (int f = 0; f < OPP_NUM_FIELDS; f++)
		add_answer_key(opp_fields[f].name, ANSWER_FIELD, f);
	add_answer_key("created_at", ANSWER_CREATED_AT, -1);
	add_answer_key("won_at", ANSWER_STAGE_AT, -1);
	add_answer_key("lost_at", ANSWER_STAGE_AT, -1);
	qsort(answer_keys, n_answer_keys, sizeof(OppAnswerKey), answer_key_cmp);
}

static void
set_string(JsonbValue *v, const char *s, size_t len)
{
	v->type = jbvString;
	v->val.string.val = unconstify(char *, s);
	v->val.string.len = len;
}

/*
 * The pairs of a stored opportunity's "data" object into pairs (room for
 * MAX_ANSWER_KEYS): every stored field that has a value.  Returns how many.
 */
static int
opportunity_pairs(JsonbPair *pairs, const OppCreated *created,
				  const char *stamp)
{
	const OppLead *lead = created->lead;
	const char *stage = opp_status_timestamp_field(&lead->text[OPP_FIELD_STATUS]);
	int			n = 0;

	for (int k = 0; k < n_answer_keys; k++)
	{
		const OppAnswerKey *key = &answer_keys[k];
		JsonbValue *v = &pairs[n].value;

		switch (key->kind)
		{
			case ANSWER_ID:
				set_string(v, created->id, OPP_ID_LEN);
				break;
			case ANSWER_FIELD:
				if (opp_fields[key->field].type == OPP_TYPE_NUMBER)
				{
					if (lead->deal_value == NULL)
						continue;
					v->type = jbvNumeric;
					v->val.numeric = lead->deal_value;
				}
				else
				{
					if (lead->text[key->field].str == NULL)
						continue;
					set_string(v, lead->text[key->field].str,
							   lead->text[key->field].len);
				}
				break;
			case ANSWER_CREATED_AT:
				set_string(v, stamp, strlen(stamp));
				break;
			case ANSWER_STAGE_AT:
				if (stage == NULL || strcmp(stage, key->name) != 0)
					continue;
				set_string(v, stamp, strlen(stamp));
				break;
		}
		set_string(&pairs[n].key, key->name, key->len);
		pairs[n].order = n;
		n++;
	}
	return n;
}

static void
set_object(JsonbValue *v, JsonbPair *pairs, int n)
{
	v->type = jbvObject;
	v->val.object.nPairs = n;
	v->val.object.pairs = pairs;
}

/* {"data": data, "success": true}, with response.status 201 */
static Jsonb *
success_envelope(JsonbValue *data)
{
	JsonbPair	pairs[2];
	JsonbValue	envelope;

	opp_set_response_status(201);
	set_string(&pairs[0].key, "data", 4);
	pairs[0].value = *data;
	pairs[0].order = 0;
	set_string(&pairs[1].key, "success", 7);
	pairs[1].value.type = jbvBool;
	pairs[1].value.val.boolean = true;
	pairs[1].order = 1;
	envelope.type = jbvObject;
	envelope.val.object.nPairs = 2;
	envelope.val.object.pairs = pairs;
	return JsonbValueToJsonb(&envelope);
}

Jsonb *
opp_created_response(const OppCreated *created, TimestampTz created_at)
{
	JsonbPair	pairs[MAX_ANSWER_KEYS];
	JsonbValue	data;
	char		stamp[OPP_TIMESTAMP_SIZE];

	init_answer_keys();
	opp_format_utc(created_at, stamp);
	set_object(&data, pairs, opportunity_pairs(pairs, created, stamp));
	return success_envelope(&data);
}

Jsonb *
opp_batch_created_response(const OppCreated *created, int n,
						   TimestampTz created_at)
{
	MemoryContext callcxt = CurrentMemoryContext;
	MemoryContext treecxt;
	JsonbValue	data;
	char		stamp[OPP_TIMESTAMP_SIZE];
	Jsonb	   *answer;

	init_answer_keys();
	opp_format_utc(created_at, stamp);

	/* the tree is only needed until it is converted */
	treecxt = AllocSetContextCreate(callcxt, "opportunities answer",
									ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(treecxt);
	data.type = jbvArray;
	data.val.array.nElems = n;
	data.val.array.elems = palloc(n * sizeof(JsonbValue));
	data.val.array.rawScalar = false;
	for (int i = 0; i < n; i++)
	{
		JsonbPair	pairs[MAX_ANSWER_KEYS];
		int			npairs = opportunity_pairs(pairs, &created[i], stamp);
		JsonbPair  *kept = palloc(npairs * sizeof(JsonbPair));

		memcpy(kept, pairs, npairs * sizeof(JsonbPair));
		set_object(&data.val.array.elems[i], kept, npairs);
	}
	MemoryContextSwitchTo(callcxt);

	answer = success_envelope(&data);
	MemoryContextDelete(treecxt);
	return answer;
}

Jsonb *
opp_api_key_json(const OppNewApiKey *key)
{
	JsonbParseState *ps = NULL;
	char		created[OPP_TIMESTAMP_SIZE];
	char		expires[OPP_TIMESTAMP_SIZE];
	Datum	   *perms;
	int			nperms;

	(void) pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	push_string_pair(&ps, "id", key->id);
	push_string_pair(&ps, "key", key->key);
	push_string_pair(&ps, "key_prefix", key->key_prefix);
	push_string_pair(&ps, "name", key->name);

	push_key(&ps, "permissions");
	deconstruct_array(key->permissions, TEXTOID, -1, false, TYPALIGN_INT,
					  &perms, NULL, &nperms);
	(void) pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < nperms; i++)
		push_string(&ps, WJB_ELEM, VARDATA_ANY(DatumGetPointer(perms[i])),
					VARSIZE_ANY_EXHDR(DatumGetPointer(perms[i])));
	(void) pushJsonbValue(&ps, WJB_END_ARRAY, NULL);

	opp_format_utc(key->created_at, created);
	push_string_pair(&ps, "created_at", created);
	push_key(&ps, "expires_at");
	if (key->expires)
	{
		/* its own buffer: pushed strings are referenced, not copied */
		opp_format_utc(key->expires_at, expires);
		push_string(&ps, WJB_VALUE, expires, strlen(expires));
	}
	else
	{
		JsonbValue	v;

		v.type = jbvNull;
		(void) pushJsonbValue(&ps, WJB_VALUE, &v);
	}
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}
