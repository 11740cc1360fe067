/*-------------------------------------------------------------------------
 *
 * pgtest.c
 *	  Helpers shared by the libpq test programs; pgtest.h says what they
 *	  are for.
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgtest.h"

const char	rows_match_sql[] =
"SELECT count(*), count(o.id), count(DISTINCT a.d->>'id'),"
" count(*) FILTER (WHERE o.updated_at = o.created_at AND a.d ="
"  jsonb_strip_nulls(jsonb_build_object("
"   'id', o.id, 'name', o.name, 'email', o.email, 'phone', o.phone,"
"   'company', o.company, 'position', o.position, 'status', o.status,"
"   'source', o.source, 'deal_value', o.deal_value,"
"   'deal_currency', o.deal_currency, 'linkedin_url', o.linkedin_url,"
"   'notes', o.notes, 'responsible_user_id', o.responsible_user_id,"
"   'created_at', " UTC_STAMP("o.created_at") ","
"   'won_at', " UTC_STAMP("o.won_at") ","
"   'lost_at', " UTC_STAMP("o.lost_at") ")))"
" FROM jsonb_array_elements(CASE jsonb_typeof($1::jsonb->'data')"
"  WHEN 'array' THEN $1::jsonb->'data'"
"  ELSE jsonb_build_array($1::jsonb->'data') END) AS a(d)"
" LEFT JOIN opportunities.opportunities o ON o.id = a.d->>'id'";

void
die(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: ", pgtest_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

void *
xmalloc(size_t size)
{
	void	   *p = malloc(size > 0 ? size : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t len)
{
	char	   *copy = xmalloc(len + 1);

	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

/* At most a few hundred bytes of a long text, for a message */
const char *
excerpt(const char *s)
{
	static char buf[304];

	if (s == NULL)
		return "(null)";
	if (strlen(s) < 300)
		return s;
	memcpy(buf, s, 280);
	strcpy(buf + 280, "...(truncated)");
	return buf;
}

PGconn *
try_connect(const char *user, const char *password, const char *dbname)
{
	const char *keys[6];
	const char *values[6];
	int			n = 0;

	if (user != NULL)
	{
		keys[n] = "user";
		values[n++] = user;
	}
	if (password != NULL)
	{
		keys[n] = "password";
		values[n++] = password;
	}
	if (dbname != NULL)
	{
		keys[n] = "dbname";
		values[n++] = dbname;
	}
	keys[n] = "client_encoding";
	values[n++] = "UTF8";
	keys[n] = "application_name";
	values[n++] = pgtest_appname;
	keys[n] = NULL;
	values[n] = NULL;

	return PQconnectdbParams(keys, values, 0);
}

PGconn *
connect_db(const char *user, const char *password, const char *dbname)
{
	PGconn	   *conn = try_connect(user, password, dbname);

	if (conn == NULL)
		die("out of memory");
	if (PQstatus(conn) != CONNECTION_OK)
		die("could not connect as %s to %s: %s", user ? user : "(default)",
			dbname ? dbname : "(default)", PQerrorMessage(conn));
	return conn;
}

PGresult *
must(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, params, NULL,
								   NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		die("statement failed: %s\n  statement: %s", PQerrorMessage(conn),
			excerpt(sql));
	return res;
}

void
must_exec(PGconn *conn, const char *sql)
{
	PQclear(must(conn, sql, 0, NULL));
}

/* The one value sql answers, as a number */
long
query_long(PGconn *conn, const char *sql)
{
	PGresult   *res = must(conn, sql, 0, NULL);
	long		n;

	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		die("no value from: %s", sql);
	n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

/* Rows in the opportunities table, as conn's user sees them */
long
count_rows(PGconn *conn)
{
	return query_long(conn, "SELECT count(*) FROM opportunities.opportunities");
}
