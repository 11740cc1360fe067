/*-------------------------------------------------------------------------
 *
 * pgtest.h
 *	  What the libpq test programs (test/replay/replay.c and
 *	  test/corpus/run_corpus.c) share: dying on a broken setup, memory
 *	  that is never NULL, connecting, statements that must succeed, and
 *	  the SQL that compares an API answer with the rows it names.
 *
 * A setup that goes wrong is not a test result: die() prints
 * "<pgtest_progname>: <message>" on stderr and exits 2, which the programs
 * keep apart from 1, "a test failed".  Each program defines
 * pgtest_progname and pgtest_appname (the application_name of its
 * connections, so the server log tells them apart).
 *
 * Built with libpq-dev only (no server headers), by test/common/libpq.mk.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTEST_H
#define PGTEST_H

#include <stddef.h>

#include "libpq-fe.h"

/* Defined by each program */
extern const char pgtest_progname[];
extern const char pgtest_appname[];

extern void die(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));
extern void *xmalloc(size_t size);
extern char *xstrdup(const char *s);
extern char *xstrndup(const char *s, size_t len);
extern const char *excerpt(const char *s);

/*
 * Connections: user, password and dbname may each be NULL, for libpq's
 * default (the environment).  try_connect returns the connection whatever
 * its status (the caller checks); connect_db dies unless it is up.
 */
extern PGconn *try_connect(const char *user, const char *password,
						   const char *dbname);
extern PGconn *connect_db(const char *user, const char *password,
						  const char *dbname);

/* Statements that must succeed; a failure dies */
extern PGresult *must(PGconn *conn, const char *sql, int nparams,
					  const char *const *params);
extern void must_exec(PGconn *conn, const char *sql);
extern long query_long(PGconn *conn, const char *sql);
extern long count_rows(PGconn *conn);

/* A timestamp column as the API answers it: UTC, whole seconds */
#define UTC_STAMP(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * Every row a success envelope ($1, "data" one object or an array) names,
 * rebuilt from the table the way the API answers (absent fields omitted,
 * UTC seconds).  One row of four counts: the answer's items, those
 * stored, their distinct ids, those stored exactly as answered.
 */
extern const char rows_match_sql[];

#endif							/* PGTEST_H */
