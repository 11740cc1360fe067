/*-------------------------------------------------------------------------
 *
 * storage.c
 *	  Insert validated leads through SPI with a plan prepared once per
 *	  backend.
 *
 * The statement text is a constant: request data only ever travels as
 * parameters.  The plan is kept for the life of the backend (SPI_keepplan);
 * the plan cache re-plans it by itself if the table changes.
 * create_opportunity pins search_path, so the plan is always parsed and
 * checked against the same path.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "opp_id.h"
#include "storage.h"

/*
 * Columns follow OppField order, so field f is parameter f + 2; $1 is the
 * id, then created_at (also updated_at), won_at and lost_at.
 */
#define PARAM_ID			0
#define PARAM_FIELD(f)		(1 + (f))
#define PARAM_CREATED_AT	(1 + OPP_NUM_FIELDS)
#define PARAM_WON_AT		(2 + OPP_NUM_FIELDS)
#define PARAM_LOST_AT		(3 + OPP_NUM_FIELDS)
#define INSERT_NPARAMS		(4 + OPP_NUM_FIELDS)

StaticAssertDecl(OPP_NUM_FIELDS == 12,
				 "the INSERT statement lists every OppField in order");

static const char insert_sql[] =
"INSERT INTO opportunities.opportunities"
" (id, name, email, phone, company, position, status, source, deal_value,"
" deal_currency, linkedin_url, notes, responsible_user_id,"
" created_at, updated_at, won_at, lost_at)"
" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
" $14, $14, $15, $16)"
" ON CONFLICT (id) DO NOTHING";

/* ids are 62 random bits: a second collision in a row means a broken RNG */
#define MAX_ID_ATTEMPTS		8

static SPIPlanPtr insert_plan = NULL;

SPIPlanPtr
opp_kept_plan(SPIPlanPtr *plan, const char *sql, int nargs, const Oid *types)
{
	SPIPlanPtr	p;

	if (*plan != NULL)
		return *plan;
	p = SPI_prepare(sql, nargs, unconstify(Oid *, types));
	if (p == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(p) != 0)
		elog(ERROR, "SPI_keepplan failed");
	*plan = p;
	return p;
}

static SPIPlanPtr
get_insert_plan(void)
{
	Oid			types[INSERT_NPARAMS];

	types[PARAM_ID] = TEXTOID;
	for (int f = 0; f < OPP_NUM_FIELDS; f++)
		types[PARAM_FIELD(f)] =
			opp_fields[f].type == OPP_TYPE_NUMBER ? NUMERICOID : TEXTOID;
	types[PARAM_CREATED_AT] = TIMESTAMPTZOID;
	types[PARAM_WON_AT] = TIMESTAMPTZOID;
	types[PARAM_LOST_AT] = TIMESTAMPTZOID;
	return opp_kept_plan(&insert_plan, insert_sql, INSERT_NPARAMS, types);
}

/* Parameters for lead, all but the id */
static void
lead_params(const OppLead *lead, TimestampTz now, Datum *values, char *nulls)
{
	const char *stamp = opp_status_timestamp_field(&lead->text[OPP_FIELD_STATUS]);

	memset(nulls, ' ', INSERT_NPARAMS);
	for (int f = 0; f < OPP_NUM_FIELDS; f++)
	{
		if (opp_fields[f].type == OPP_TYPE_NUMBER)
		{
			values[PARAM_FIELD(f)] = PointerGetDatum(lead->deal_value);
			if (lead->deal_value == NULL)
				nulls[PARAM_FIELD(f)] = 'n';
		}
		else if (lead->text[f].str != NULL)
			values[PARAM_FIELD(f)] =
				PointerGetDatum(cstring_to_text_with_len(lead->text[f].str,
														 lead->text[f].len));
		else
		{
			values[PARAM_FIELD(f)] = (Datum) 0;
			nulls[PARAM_FIELD(f)] = 'n';
		}
	}
	values[PARAM_CREATED_AT] = TimestampTzGetDatum(now);
	values[PARAM_WON_AT] = TimestampTzGetDatum(now);
	values[PARAM_LOST_AT] = TimestampTzGetDatum(now);
	if (stamp == NULL || strcmp(stamp, "won_at") != 0)
		nulls[PARAM_WON_AT] = 'n';
	if (stamp == NULL || strcmp(stamp, "lost_at") != 0)
		nulls[PARAM_LOST_AT] = 'n';
}

/* Insert with a fresh id, drawing again while the id is taken. */
static void
insert_with_fresh_id(SPIPlanPtr plan, OppCreated *created, Datum *values,
					 const char *nulls)
{
	for (int attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++)
	{
		int			rc;

		opp_new_opportunity_id(created->id, attempt > 0);
		values[PARAM_ID] = PointerGetDatum(cstring_to_text(created->id));
		rc = SPI_execute_plan(plan, values, nulls, false, 0);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "opportunity insert failed: %s",
				 SPI_result_code_string(rc));
		if (SPI_processed == 1)
			return;
		/* ON CONFLICT DO NOTHING skipped it: the id is taken */
		elog(DEBUG1, "opportunity id collision, drawing another id");
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("could not generate a unique opportunity id after %d attempts",
					MAX_ID_ATTEMPTS)));
}

void
opp_store_lead(OppCreated *created, TimestampTz now)
{
	opp_store_leads(created, 1, now);
}

void
opp_store_leads(OppCreated *created, int n, TimestampTz now)
{
	Datum		values[INSERT_NPARAMS];
	char		nulls[INSERT_NPARAMS];
	SPIPlanPtr	plan;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = get_insert_plan();
	for (int i = 0; i < n; i++)
	{
		lead_params(created[i].lead, now, values, nulls);
		insert_with_fresh_id(plan, &created[i], values, nulls);
	}
	SPI_finish();
}
