/*-------------------------------------------------------------------------
 *
 * storage.c
 *	  Store validated leads in opportunities.opportunities.
 *
 * One opportunity goes through SPI with an INSERT prepared once per backend
 * (SPI_keepplan; the plan cache re-plans it by itself if the table
 * changes).  Its parameters are declared with the columns' own typmods, and
 * the values are coerced to those typmods here, by the types' own typmod
 * functions: the executor would otherwise set up a coercion function (with
 * its catalog lookups) for every varchar and numeric column on every call.
 *
 * A batch goes the way COPY goes: heap tuples handed to table_multi_insert
 * with a BulkInsertState, then their index entries, all inside one
 * subtransaction so an id collision can be retried.  When the table is no
 * longer exactly what this file expects (a column or trigger added by an
 * operator, row level security), batches fall back to the prepared INSERT,
 * which honours all of that.
 *
 * Request data only ever travels as parameters or datums; the statement
 * text is built from the constant column table below.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_type_d.h"
#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/params.h"
#include "parser/parse_node.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "opp_id.h"
#include "storage.h"

/*
 * The table's columns in table order: the id, every OppField in enum
 * order, then the timestamps.
 */
typedef struct OppColumn
{
	const char *name;
	Oid			type;
	int32		typmod;			/* as declared by the install script */
} OppColumn;

#define VARCHAR_TYPMOD(n)			((n) + VARHDRSZ)
#define NUMERIC_TYPMOD(prec, scale)	((((prec) << 16) | (scale)) + VARHDRSZ)

#define COL_ID			0
#define COL_FIELD(f)	(1 + (f))
#define COL_CREATED_AT	(1 + OPP_NUM_FIELDS)
#define COL_UPDATED_AT	(2 + OPP_NUM_FIELDS)
#define COL_WON_AT		(3 + OPP_NUM_FIELDS)
#define COL_LOST_AT		(4 + OPP_NUM_FIELDS)
#define NCOLUMNS		(5 + OPP_NUM_FIELDS)

static const OppColumn columns[NCOLUMNS] = {
	{"id", TEXTOID, -1},
	{"name", VARCHAROID, VARCHAR_TYPMOD(255)},
	{"email", VARCHAROID, VARCHAR_TYPMOD(254)},
	{"phone", VARCHAROID, VARCHAR_TYPMOD(16)},
	{"company", VARCHAROID, VARCHAR_TYPMOD(255)},
	{"position", VARCHAROID, VARCHAR_TYPMOD(255)},
	{"status", TEXTOID, -1},
	{"source", TEXTOID, -1},
	{"deal_value", NUMERICOID, NUMERIC_TYPMOD(15, 2)},
	{"deal_currency", TEXTOID, -1},
	{"linkedin_url", VARCHAROID, VARCHAR_TYPMOD(2048)},
	{"notes", VARCHAROID, VARCHAR_TYPMOD(10000)},
	{"responsible_user_id", VARCHAROID, VARCHAR_TYPMOD(128)},
	{"created_at", TIMESTAMPTZOID, -1},
	{"updated_at", TIMESTAMPTZOID, -1},
	{"won_at", TIMESTAMPTZOID, -1},
	{"lost_at", TIMESTAMPTZOID, -1},
};

StaticAssertDecl(OPP_NUM_FIELDS == 12,
				 "the column table lists every OppField in order");

static SPIPlanPtr insert_plan = NULL;

/* Keep a freshly prepared plan for the life of the backend. */
static SPIPlanPtr
keep_plan(SPIPlanPtr p)
{
	if (p == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(p) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return p;
}

SPIPlanPtr
opp_kept_plan(SPIPlanPtr *plan, const char *sql, int nargs, const Oid *types)
{
	if (*plan == NULL)
		*plan = keep_plan(SPI_prepare(sql, nargs, unconstify(Oid *, types)));
	return *plan;
}

/* $n of the INSERT is the nth column, with its type and typmod */
static Node *
column_param_ref(ParseState *pstate pg_attribute_unused(), ParamRef *pref)
{
	Param	   *param;

	if (pref->number < 1 || pref->number > NCOLUMNS)
		return NULL;			/* the parser reports the unknown $n */
	param = makeNode(Param);
	param->paramkind = PARAM_EXTERN;
	param->paramid = pref->number;
	param->paramtype = columns[pref->number - 1].type;
	param->paramtypmod = columns[pref->number - 1].typmod;
	param->paramcollid = get_typcollation(param->paramtype);
	param->location = pref->location;
	return (Node *) param;
}

static void
insert_parser_setup(ParseState *pstate, void *arg pg_attribute_unused())
{
	pstate->p_paramref_hook = column_param_ref;
}

/*
 * INSERT INTO opportunities.opportunities (<columns>) VALUES ($1, ...)
 * ON CONFLICT (id) DO NOTHING: a taken id inserts nothing and is retried.
 */
static SPIPlanPtr
get_insert_plan(void)
{
	StringInfoData sql;
	SPIPrepareOptions options = {0};

	if (insert_plan != NULL)
		return insert_plan;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "INSERT INTO opportunities.opportunities (");
	for (int c = 0; c < NCOLUMNS; c++)
		appendStringInfo(&sql, "%s%s", c > 0 ? ", " : "", columns[c].name);
	appendStringInfoString(&sql, ") VALUES (");
	for (int c = 0; c < NCOLUMNS; c++)
		appendStringInfo(&sql, "%s$%d", c > 0 ? ", " : "", c + 1);
	appendStringInfoString(&sql, ") ON CONFLICT (id) DO NOTHING");

	options.parserSetup = insert_parser_setup;
	insert_plan = keep_plan(SPI_prepare_extended(sql.data, &options));
	return insert_plan;
}

/* The column values of a lead, all but the id. */
static void
lead_row(const OppLead *lead, TimestampTz now, Datum *values, bool *isnull)
{
	const char *stamp = opp_status_timestamp_field(&lead->text[OPP_FIELD_STATUS]);

	for (int f = 0; f < OPP_NUM_FIELDS; f++)
	{
		int			c = COL_FIELD(f);

		if (opp_fields[f].type == OPP_TYPE_NUMBER)
		{
			isnull[c] = lead->deal_value == NULL;
			values[c] = isnull[c] ? (Datum) 0 :
				DirectFunctionCall2(numeric,
									NumericGetDatum(lead->deal_value),
									Int32GetDatum(columns[c].typmod));
		}
		else
		{
			const OppText *t = &lead->text[f];

			isnull[c] = t->str == NULL;
			if (isnull[c])
				values[c] = (Datum) 0;
			else
			{
				values[c] = PointerGetDatum(cstring_to_text_with_len(t->str,
																	 t->len));
				if (columns[c].type == VARCHAROID)
					values[c] = DirectFunctionCall3(varchar, values[c],
													Int32GetDatum(columns[c].typmod),
													BoolGetDatum(false));
			}
		}
	}
	values[COL_CREATED_AT] = TimestampTzGetDatum(now);
	values[COL_UPDATED_AT] = TimestampTzGetDatum(now);
	values[COL_WON_AT] = TimestampTzGetDatum(now);
	values[COL_LOST_AT] = TimestampTzGetDatum(now);
	isnull[COL_CREATED_AT] = false;
	isnull[COL_UPDATED_AT] = false;
	isnull[COL_WON_AT] = stamp == NULL || strcmp(stamp, "won_at") != 0;
	isnull[COL_LOST_AT] = stamp == NULL || strcmp(stamp, "lost_at") != 0;
}

/* Draw a fresh id for a row. */
static void
new_id(OppCreated *created, Datum *values, bool *isnull, bool retry)
{
	opp_new_opportunity_id(created->id, retry);
	values[COL_ID] = PointerGetDatum(cstring_to_text(created->id));
	isnull[COL_ID] = false;
}

/* Insert one row through the prepared statement, drawing ids until one is free. */
static void
insert_row_spi(SPIPlanPtr plan, OppCreated *created, Datum *values,
			   bool *isnull)
{
	ParamListInfo params = makeParamList(NCOLUMNS);
	SPIExecuteOptions options = {0};

	options.params = params;
	for (int attempt = 0; attempt < OPP_MAX_ID_ATTEMPTS; attempt++)
	{
		int			rc;

		new_id(created, values, isnull, attempt > 0);
		for (int c = 0; c < NCOLUMNS; c++)
		{
			ParamExternData *prm = &params->params[c];

			prm->value = values[c];
			prm->isnull = isnull[c];
			prm->pflags = PARAM_FLAG_CONST;
			prm->ptype = columns[c].type;
		}
		rc = SPI_execute_plan_extended(plan, &options);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "opportunity insert failed: %s",
				 SPI_result_code_string(rc));
		if (SPI_processed == 1)
			return;
		elog(DEBUG1, "opportunity id collision, drawing another id");
	}
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("could not generate a unique opportunity id after %d attempts",
					OPP_MAX_ID_ATTEMPTS)));
}

static void
store_rows_spi(OppCreated *created, int n, TimestampTz now)
{
	Datum		values[NCOLUMNS];
	bool		isnull[NCOLUMNS];
	SPIPlanPtr	plan;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = get_insert_plan();
	for (int i = 0; i < n; i++)
	{
		lead_row(created[i].lead, now, values, isnull);
		insert_row_spi(plan, &created[i], values, isnull);
	}
	SPI_finish();
}

void
opp_store_lead(OppCreated *created, TimestampTz now)
{
	store_rows_spi(created, 1, now);
}

/*
 * True if rel is still exactly the table this file knows: a plain heap
 * table with our columns only, as declared (lead_row coerces values to the
 * declared typmods, nothing else does on this path), and no triggers, rules
 * or row level security.  Anything else an operator changed is honoured by
 * the SQL path instead.
 */
static bool
multi_insert_usable(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relam != HEAP_TABLE_AM_OID ||
		rel->trigdesc != NULL ||
		rel->rd_rules != NULL ||
		rel->rd_rel->relrowsecurity ||
		desc->natts != NCOLUMNS)
		return false;
	for (int c = 0; c < NCOLUMNS; c++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, c);

		if (att->attisdropped || att->atttypid != columns[c].type ||
			att->atttypmod != columns[c].typmod ||
			att->attgenerated != '\0' ||
			strcmp(NameStr(att->attname), columns[c].name) != 0)
			return false;
	}
	return true;
}

/*
 * Insert all rows the way COPY does.  Returns false, having inserted
 * nothing, if an id was taken (by the table or by another row of the
 * batch); any other error propagates.
 */
static bool
multi_insert_rows(Relation rel, int n, Datum (*values)[NCOLUMNS],
				  bool (*isnull)[NCOLUMNS])
{
	MemoryContext callcxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool collided = false;
	Oid			pkey;

	/* loading the index list sets rd_pkindex (stable across 14-17) */
	list_free(RelationGetIndexList(rel));
	pkey = rel->rd_pkindex;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(callcxt);
	PG_TRY();
	{
		EState	   *estate = CreateExecutorState();
		ResultRelInfo *rri = makeNode(ResultRelInfo);
		TupleTableSlot **slots = palloc(n * sizeof(TupleTableSlot *));
		/* an unpinned copy: slots on the relcache's would each pin it */
		TupleDesc	desc = CreateTupleDescCopy(RelationGetDescr(rel));
		const TupleTableSlotOps *ops = table_slot_callbacks(rel);
		BulkInsertState bistate = GetBulkInsertState();
		CommandId	cid = GetCurrentCommandId(true);

		InitResultRelInfo(rri, rel, 0, NULL, 0);
		ExecOpenIndices(rri, false);

		for (int i = 0; i < n; i++)
		{
			slots[i] = MakeSingleTupleTableSlot(desc, ops);
			memcpy(slots[i]->tts_values, values[i], sizeof(values[i]));
			memcpy(slots[i]->tts_isnull, isnull[i], sizeof(isnull[i]));
			ExecStoreVirtualTuple(slots[i]);
			/* executor callers all test this: it dereferences constr */
			if (RelationGetDescr(rel)->constr)
				ExecConstraints(rri, slots[i], estate);
			ResetPerTupleExprContext(estate);
		}

		/* table_multi_insert may leak into the current context */
		MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
		table_multi_insert(rel, slots, n, cid, 0, bistate);
		MemoryContextSwitchTo(callcxt);

		for (int i = 0; i < n; i++)
		{
			List	   *recheck;

#if PG_VERSION_NUM >= 160000
			recheck = ExecInsertIndexTuples(rri, slots[i], estate, false,
											false, NULL, NIL, false);
#else
			recheck = ExecInsertIndexTuples(rri, slots[i], estate, false,
											false, NULL, NIL);
#endif
			list_free(recheck);
			ExecDropSingleTupleTableSlot(slots[i]);
			ResetPerTupleExprContext(estate);
		}

		FreeBulkInsertState(bistate);
		ExecCloseIndices(rri);
		FreeExecutorState(estate);

		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(callcxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(callcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(callcxt);
		CurrentResourceOwner = owner;

		/* only a duplicate id is ours to retry */
		if (edata->sqlerrcode != ERRCODE_UNIQUE_VIOLATION ||
			edata->constraint_name == NULL || !OidIsValid(pkey) ||
			strcmp(edata->constraint_name, get_rel_name(pkey)) != 0)
			ReThrowError(edata);
		FreeErrorData(edata);
		collided = true;
	}
	PG_END_TRY();

	return !collided;
}

void
opp_store_leads(OppCreated *created, int n, TimestampTz now)
{
	Relation	rel;
	Datum		(*values)[NCOLUMNS];
	bool		(*isnull)[NCOLUMNS];
	AclResult	aclresult;
	MemoryContext batchcxt;
	MemoryContext callcxt;

	/* the SQL path gets these from the executor; the COPY-like path not */
	PreventCommandIfReadOnly("create_opportunities");
	PreventCommandIfParallelMode("create_opportunities");

	rel = table_openrv(makeRangeVar("opportunities", "opportunities", -1),
					   RowExclusiveLock);
	aclresult = pg_class_aclcheck(RelationGetRelid(rel), GetUserId(),
								  ACL_INSERT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_TABLE, RelationGetRelationName(rel));
	if (!multi_insert_usable(rel))
	{
		table_close(rel, NoLock);
		store_rows_spi(created, n, now);
		return;
	}

	/* the rows' datums, slots and executor state go once the batch is in */
	batchcxt = AllocSetContextCreate(CurrentMemoryContext,
									 "opportunities batch insert",
									 ALLOCSET_DEFAULT_SIZES);
	callcxt = MemoryContextSwitchTo(batchcxt);
	values = palloc(n * sizeof(*values));
	isnull = palloc(n * sizeof(*isnull));
	for (int i = 0; i < n; i++)
		lead_row(created[i].lead, now, values[i], isnull[i]);

	for (int attempt = 0;; attempt++)
	{
		if (attempt == OPP_MAX_ID_ATTEMPTS)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate unique opportunity ids after %d attempts",
							OPP_MAX_ID_ATTEMPTS)));
		for (int i = 0; i < n; i++)
			new_id(&created[i], values[i], isnull[i], attempt > 0);
		if (multi_insert_rows(rel, n, values, isnull))
			break;
		elog(DEBUG1, "opportunity id collision in a batch, drawing new ids");
	}

	MemoryContextSwitchTo(callcxt);
	MemoryContextDelete(batchcxt);

	/* like SPI after a statement: later commands see the rows */
	CommandCounterIncrement();
	table_close(rel, NoLock);
}
