/*-------------------------------------------------------------------------
 *
 * storage.h
 *	  Storing validated leads in opportunities.opportunities.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OPP_STORAGE_H
#define OPP_STORAGE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "executor/spi.h"

#include "envelope.h"

/*
 * The plan for sql, prepared and kept on first use in this backend; later
 * calls return *plan as it is.  Call inside an SPI connection.
 */
extern SPIPlanPtr opp_kept_plan(SPIPlanPtr *plan, const char *sql,
								int nargs, const Oid *types);

/* Insert created->lead with a fresh id, written to created->id. */
extern void opp_store_lead(OppCreated *created, TimestampTz now);

/* Insert n leads, all or nothing (an error aborts the transaction). */
extern void opp_store_leads(OppCreated *created, int n, TimestampTz now);

#endif							/* OPP_STORAGE_H */
