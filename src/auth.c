/*-------------------------------------------------------------------------
 *
 * auth.c
 *	  Authenticate a request by its X-API-Key header.
 *
 * PostgREST hands the request's headers to the database as the JSON text of
 * request.headers (names lower-cased).  A key is looked up by its SHA-256
 * through the unique index on api_keys.key_hash, with a plan prepared once
 * per backend.  The lookup reads the latest committed state (not the
 * transaction's snapshot), so once a revocation commits no later request
 * with that key gets through, whatever the caller's isolation level.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "common/cryptohash.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "auth.h"
#include "envelope.h"
#include "storage.h"

int			opp_auth_mode = OPP_AUTH_AUTO;

const struct config_enum_entry opp_auth_mode_options[] = {
	{"auto", OPP_AUTH_AUTO, false},
	{"api_key", OPP_AUTH_API_KEY, false},
	{"none", OPP_AUTH_NONE, false},
	{NULL, 0, false}
};

static const char *const opp_permissions[] = {
	"opportunities:read", "opportunities:write", "opportunities:delete"
};

static const char lookup_sql[] =
"SELECT revoked_at IS NOT NULL, expires_at <= statement_timestamp(),"
" $2 = ANY (permissions)"
" FROM opportunities.api_keys WHERE key_hash = $1";

static const Oid lookup_types[2] = {BYTEAOID, TEXTOID};
static SPIPlanPtr lookup_plan = NULL;

bytea *
opp_api_key_hash(const char *key, size_t len)
{
	bytea	   *digest = palloc(VARHDRSZ + OPP_API_KEY_HASH_LEN);
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	int			rc;

	rc = pg_cryptohash_init(ctx);
	if (rc == 0)
		rc = pg_cryptohash_update(ctx, (const uint8 *) key, len);
	if (rc == 0)
		rc = pg_cryptohash_final(ctx, (uint8 *) VARDATA(digest),
								 OPP_API_KEY_HASH_LEN);
	pg_cryptohash_free(ctx);
	if (rc != 0)
		elog(ERROR, "could not compute SHA-256 of an API key");
	SET_VARSIZE(digest, VARHDRSZ + OPP_API_KEY_HASH_LEN);
	return digest;
}

const char *
opp_known_permissions(void)
{
	static char *known = NULL;

	if (known == NULL)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		for (size_t p = 0; p < lengthof(opp_permissions); p++)
			appendStringInfo(&buf, "%s%s", p > 0 ? ", " : "", opp_permissions[p]);
		known = MemoryContextStrdup(TopMemoryContext, buf.data);
		pfree(buf.data);
	}
	return known;
}

const char *
opp_permissions_problem(ArrayType *perms, char **bad)
{
	Datum	   *elems;
	bool	   *isnull;
	char	  **names;
	int			n;

	*bad = NULL;
	if (ARR_NDIM(perms) > 1)
		return "permissions must be a one-dimensional array";
	deconstruct_array(perms, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &isnull, &n);
	if (n == 0)
		return "at least one permission is required";
	names = palloc(n * sizeof(char *));
	for (int i = 0; i < n; i++)
	{
		bool		known = false;

		if (isnull[i])
		{
			*bad = NULL;
			return "permissions must not contain NULL";
		}
		names[i] = TextDatumGetCString(elems[i]);
		for (size_t p = 0; p < lengthof(opp_permissions); p++)
			known |= strcmp(names[i], opp_permissions[p]) == 0;
		*bad = names[i];
		if (!known)
			return "unknown permission";
		for (int j = 0; j < i; j++)
		{
			if (strcmp(names[i], names[j]) == 0)
				return "duplicate permission";
		}
	}
	*bad = NULL;
	return NULL;
}

/* The x-api-key request header, or NULL when there is none. */
static text *
request_api_key(const char *headers)
{
	Jsonb	   *jb;
	JsonbValue *v;

	jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(headers)));
	if (!JB_ROOT_IS_OBJECT(jb))
		return NULL;
	v = getKeyJsonValueFromContainer(&jb->root, "x-api-key", 9, NULL);
	if (v == NULL || v->type != jbvString || v->val.string.len == 0)
		return NULL;
	return cstring_to_text_with_len(v->val.string.val, v->val.string.len);
}

static bool
column_is_true(int column)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								  column, &isnull);

	return !isnull && DatumGetBool(d);
}

/*
 * The request's headers as JSON text, or NULL when the call did not come
 * over HTTP: PostgREST sets request.headers on every request, SQL callers
 * normally never do.
 */
const char *
opp_request_headers(void)
{
	const char *headers = GetConfigOption("request.headers", true, false);

	return headers != NULL && headers[0] != '\0' ? headers : NULL;
}

Jsonb *
opp_authenticate(const char *permission)
{
	const char *headers;
	text	   *key = NULL;
	Datum		values[2];
	int			rc;
	OppErrorCode code;

	if (opp_auth_mode == OPP_AUTH_NONE)
		return NULL;
	headers = opp_request_headers();
	if (headers != NULL)
		key = request_api_key(headers);
	else if (opp_auth_mode == OPP_AUTH_AUTO)
		return NULL;			/* not an HTTP request */

	if (key == NULL)
		return opp_error_response(OPP_ERR_MISSING_API_KEY, NULL);

	values[0] = PointerGetDatum(opp_api_key_hash(VARDATA_ANY(key),
												 VARSIZE_ANY_EXHDR(key)));
	values[1] = CStringGetTextDatum(permission);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_snapshot(opp_kept_plan(&lookup_plan, lookup_sql, 2,
											lookup_types),
							  values, NULL,
							  GetLatestSnapshot(), InvalidSnapshot,
							  true, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "API key lookup failed: %s", SPI_result_code_string(rc));

	if (SPI_processed == 0 || column_is_true(1))
		code = OPP_ERR_INVALID_API_KEY;
	else if (column_is_true(2))
		code = OPP_ERR_EXPIRED_API_KEY;
	else if (!column_is_true(3))
		code = OPP_ERR_INSUFFICIENT_PERMISSIONS;
	else
	{
		SPI_finish();
		return NULL;
	}
	SPI_finish();

	if (code == OPP_ERR_INSUFFICIENT_PERMISSIONS)
		return opp_error_response(code,
								  psprintf("API key lacks the %s permission",
										   permission));
	return opp_error_response(code, NULL);
}
