/*-------------------------------------------------------------------------
 *
 * opportunities.c
 *	  Module entry: settings, the SQL-callable API and the domain checks
 *	  the storage table uses.
 *
 * create_opportunity and create_opportunities answer every client mistake
 * with an error envelope and write nothing; they raise only for server
 * faults, so the caller's transaction rolls back whole.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

#include "auth.h"
#include "envelope.h"
#include "fields.h"
#include "opp_id.h"
#include "request.h"
#include "storage.h"

PG_MODULE_MAGIC;

static int	opp_max_batch_size = 1000;

static const char not_an_object[] = "Request body must be a JSON object";

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomEnumVariable("opportunities.auth",
							 "When the API functions require an API key.",
							 "auto: when called over HTTP (request.headers is set); "
							 "api_key: always; none: database privileges alone.",
							 &opp_auth_mode, OPP_AUTH_AUTO, opp_auth_mode_options,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("opportunities.max_batch_size",
							"Most opportunities create_opportunities takes in one call.",
							NULL,
							&opp_max_batch_size, 1000, 1, 100000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("opportunities.debug_repeat_id",
							 "Make each first id attempt repeat the previous id.",
							 "For testing the id collision retry only.",
							 &opp_debug_repeat_id, false,
							 PGC_SUSET, GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("opportunities");
#else
	EmitWarningsOnPlaceholders("opportunities");
#endif
}

PG_FUNCTION_INFO_V1(create_opportunity);

Datum
create_opportunity(PG_FUNCTION_ARGS)
{
	Jsonb	   *denied = opp_authenticate(OPP_PERMISSION_WRITE);
	Jsonb	   *body;
	OppLead		lead;
	OppFieldErrors errors = {0};
	OppCreated	created;
	TimestampTz now;

	if (denied != NULL)
		PG_RETURN_JSONB_P(denied);
	if (PG_ARGISNULL(0))
		PG_RETURN_JSONB_P(opp_error_response(OPP_ERR_VALIDATION,
											 not_an_object));

	body = PG_GETARG_JSONB_P(0);
	switch (opp_read_lead(&body->root, &lead, &errors))
	{
		case OPP_READ_NOT_AN_OBJECT:
			PG_RETURN_JSONB_P(opp_error_response(OPP_ERR_VALIDATION,
												 not_an_object));
		case OPP_READ_INVALID_FIELDS:
			PG_RETURN_JSONB_P(opp_fields_error_response(&errors));
		case OPP_READ_OK:
			break;
	}

	now = GetCurrentTransactionStartTimestamp();
	created.lead = &lead;
	opp_store_lead(&created, now);
	PG_RETURN_JSONB_P(opp_created_response(&created, now));
}

PG_FUNCTION_INFO_V1(create_opportunities);

Datum
create_opportunities(PG_FUNCTION_ARGS)
{
	Jsonb	   *denied = opp_authenticate(OPP_PERMISSION_WRITE);
	Jsonb	   *body;
	int			n;
	OppLead    *leads;
	OppCreated *created;
	OppFieldErrors *errors;
	OppItemError *failed;
	int			nfailed = 0;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			i = 0;
	TimestampTz now;

	if (denied != NULL)
		PG_RETURN_JSONB_P(denied);
	if (PG_ARGISNULL(0) ||
		!JB_ROOT_IS_ARRAY(body = PG_GETARG_JSONB_P(0)) ||
		JB_ROOT_IS_SCALAR(body))
		PG_RETURN_JSONB_P(opp_error_response(OPP_ERR_VALIDATION,
											 "Request body must be a JSON array of opportunities"));
	n = JB_ROOT_COUNT(body);
	if (n == 0 || n > opp_max_batch_size)
		PG_RETURN_JSONB_P(opp_error_response(OPP_ERR_VALIDATION,
											 psprintf("A batch must hold 1 to %d opportunities",
													  opp_max_batch_size)));

	leads = palloc(n * sizeof(OppLead));
	created = palloc(n * sizeof(OppCreated));
	errors = palloc0(n * sizeof(OppFieldErrors));
	failed = palloc(n * sizeof(OppItemError));
	it = JsonbIteratorInit(&body->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		OppReadResult result;

		if (tok != WJB_ELEM)
			continue;			/* WJB_BEGIN_ARRAY / WJB_END_ARRAY */
		Assert(i < n);
		if (v.type == jbvBinary)
			result = opp_read_lead(v.val.binary.data, &leads[i], &errors[i]);
		else
			result = OPP_READ_NOT_AN_OBJECT;	/* a scalar item */

		created[i].lead = &leads[i];
		if (result != OPP_READ_OK)
		{
			failed[nfailed].index = i;
			if (result == OPP_READ_NOT_AN_OBJECT)
			{
				failed[nfailed].code = OPP_ERR_VALIDATION;
				failed[nfailed].message = "Item must be a JSON object";
				failed[nfailed].fields = NULL;
			}
			else
			{
				failed[nfailed].code = opp_fields_error_code(&errors[i]);
				failed[nfailed].message = NULL;
				failed[nfailed].fields = &errors[i];
			}
			nfailed++;
		}
		i++;
	}
	if (nfailed > 0)
		PG_RETURN_JSONB_P(opp_items_error_response(failed, nfailed));

	now = GetCurrentTransactionStartTimestamp();
	opp_store_leads(created, n, now);
	PG_RETURN_JSONB_P(opp_batch_created_response(created, n, now));
}

/*
 * Domain checks for the table's CHECK constraints: the same C rules the API
 * applies, so a direct INSERT cannot store what the API would refuse.
 */
#define DOMAIN_CHECK(sqlname, rule) \
PG_FUNCTION_INFO_V1(sqlname); \
Datum \
sqlname(PG_FUNCTION_ARGS) \
{ \
	text	   *t = PG_GETARG_TEXT_PP(0); \
\
	PG_RETURN_BOOL(rule(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t))); \
}

DOMAIN_CHECK(opp_is_valid_status, opp_status_is_valid)
DOMAIN_CHECK(opp_is_valid_source, opp_source_is_valid)
DOMAIN_CHECK(opp_is_valid_currency, opp_currency_is_canonical)
DOMAIN_CHECK(opp_is_valid_opportunity_id, opp_opportunity_id_is_valid)

PG_FUNCTION_INFO_V1(opp_is_valid_permissions);

Datum
opp_is_valid_permissions(PG_FUNCTION_ARGS)
{
	char	   *bad;

	PG_RETURN_BOOL(opp_permissions_problem(PG_GETARG_ARRAYTYPE_P(0), &bad) == NULL);
}
