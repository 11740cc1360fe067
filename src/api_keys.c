/*-------------------------------------------------------------------------
 *
 * api_keys.c
 *	  Key management: create_api_key and revoke_api_key.
 *
 * A key is shown once, in create_api_key's answer; only its SHA-256 is
 * stored.  Both functions are SECURITY DEFINER with a pinned search_path,
 * so an operator can hand key management to a role with GRANT EXECUTE
 * alone; neither is granted to the API role.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "auth.h"
#include "envelope.h"
#include "opp_id.h"
#include "storage.h"
#include "validators.h"

#define API_KEY_NAME_MAX_CHARS	255

static const char insert_key_sql[] =
"INSERT INTO opportunities.api_keys"
" (id, name, key_prefix, key_hash, permissions, created_at, expires_at)"
" VALUES ($1, $2, $3, $4, $5, $6, $7)"
" ON CONFLICT (id) DO NOTHING";

static const char revoke_key_sql[] =
"UPDATE opportunities.api_keys SET revoked_at = now()"
" WHERE id = $1 AND revoked_at IS NULL";

static const Oid insert_key_types[7] = {
	TEXTOID, TEXTOID, TEXTOID, BYTEAOID, TEXTARRAYOID, TIMESTAMPTZOID,
	TIMESTAMPTZOID
};
static const Oid revoke_key_types[1] = {TEXTOID};
static SPIPlanPtr insert_key_plan = NULL;
static SPIPlanPtr revoke_key_plan = NULL;

PG_FUNCTION_INFO_V1(opp_create_api_key);

Datum
opp_create_api_key(PG_FUNCTION_ARGS)
{
	Datum		values[7];
	char		nulls[7] = "       ";
	OppNewApiKey result;
	char		id[OPP_ID_LEN + 1];
	char		key[OPP_API_KEY_LEN + 1];
	char		prefix[OPP_API_KEY_DISPLAY_LEN + 1];
	char	   *name;
	const char *problem;
	char	   *bad;
	SPIPlanPtr	plan;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("name and permissions are required")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (name[0] == '\0' || pg_mbstrlen(name) > API_KEY_NAME_MAX_CHARS ||
		opp_has_control_chars(name, strlen(name)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("API key name must be 1 to %d characters without control characters",
						API_KEY_NAME_MAX_CHARS)));

	result.permissions = PG_GETARG_ARRAYTYPE_P(1);
	problem = opp_permissions_problem(result.permissions, &bad);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 bad ? errmsg("%s: \"%s\"", problem, bad) : errmsg("%s", problem),
				 errhint("Known permissions: %s.", opp_known_permissions())));

	result.created_at = GetCurrentTransactionStartTimestamp();
	result.expires = !PG_ARGISNULL(2);
	result.expires_at = result.expires ? PG_GETARG_TIMESTAMPTZ(2) : 0;
	if (result.expires && TIMESTAMP_NOT_FINITE(result.expires_at))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expires_at must be a finite time; use NULL for a key that does not expire")));
	if (result.expires && result.expires_at <= result.created_at)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expires_at must be in the future")));
	/* the API's timestamps have four-digit years */
	if (result.expires &&
		result.expires_at >= (TimestampTz) (date2j(10000, 1, 1) -
											POSTGRES_EPOCH_JDATE) * USECS_PER_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expires_at must be before the year 10000")));

	memcpy(key, OPP_API_KEY_PREFIX, OPP_API_KEY_PREFIX_LEN);
	opp_secret_base36(key + OPP_API_KEY_PREFIX_LEN, OPP_API_KEY_RANDOM_LEN);
	key[OPP_API_KEY_LEN] = '\0';
	memcpy(prefix, key, OPP_API_KEY_DISPLAY_LEN);
	prefix[OPP_API_KEY_DISPLAY_LEN] = '\0';

	values[1] = CStringGetTextDatum(name);
	values[2] = CStringGetTextDatum(prefix);
	values[3] = PointerGetDatum(opp_api_key_hash(key, OPP_API_KEY_LEN));
	values[4] = PointerGetDatum(result.permissions);
	values[5] = TimestampTzGetDatum(result.created_at);
	values[6] = TimestampTzGetDatum(result.expires_at);
	if (!result.expires)
		nulls[6] = 'n';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = opp_kept_plan(&insert_key_plan, insert_key_sql, 7,
						 insert_key_types);
	for (int attempt = 0;; attempt++)
	{
		int			rc;

		if (attempt == OPP_MAX_ID_ATTEMPTS)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a unique API key id after %d attempts",
							OPP_MAX_ID_ATTEMPTS)));
		memcpy(id, "key_", 4);
		opp_random_base36(id + 4, OPP_ID_RANDOM_LEN);
		id[OPP_ID_LEN] = '\0';
		values[0] = CStringGetTextDatum(id);
		rc = SPI_execute_plan(plan, values, nulls, false, 0);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "API key insert failed: %s",
				 SPI_result_code_string(rc));
		if (SPI_processed == 1)
			break;
		/* id taken: draw another */
	}
	SPI_finish();

	result.id = id;
	result.key = key;
	result.key_prefix = prefix;
	result.name = name;
	PG_RETURN_JSONB_P(opp_api_key_json(&result));
}

PG_FUNCTION_INFO_V1(opp_revoke_api_key);

Datum
opp_revoke_api_key(PG_FUNCTION_ARGS)
{
	Datum		values[1];
	bool		revoked;
	int			rc;

	values[0] = PG_GETARG_DATUM(0);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_plan(opp_kept_plan(&revoke_key_plan, revoke_key_sql, 1,
										 revoke_key_types),
						  values, NULL, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "API key revoke failed: %s", SPI_result_code_string(rc));
	revoked = SPI_processed == 1;
	SPI_finish();

	PG_RETURN_BOOL(revoked);
}
