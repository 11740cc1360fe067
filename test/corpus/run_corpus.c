/*-------------------------------------------------------------------------
 *
 * run_corpus.c
 *	  Send every body of the hostile-input corpus (written by ./generate)
 *	  through opportunities.create_opportunity, then through
 *	  create_opportunities in batches, and check each outcome.
 *
 * The API must answer anything a client can send: a body the contract
 * accepts writes exactly one row, stored exactly as answered; any other
 * body is answered with the error envelope and the code the generator
 * expects, and writes nothing; text PostgreSQL itself refuses as jsonb
 * fails in the cast (SQLSTATE class 22 or 54), before our function runs.
 * Whatever the body, the backend must survive: a crash is counted, the
 * runner reconnects and goes on.  The bulk pass proves that
 * create_opportunities agrees item by item with the single call: batches
 * of valid bodies store exactly those rows and answer what the single
 * calls answered; batches mixing in refused bodies write nothing and
 * report exactly the refused indexes, with the single calls' codes and
 * field messages.  Finally, the batch limit: 1000 items pass, 1001 do not.
 *
 * Usage: run_corpus CORPUS_FILE (PGHOST, PGPORT, PGUSER, PGPASSWORD name a
 * superuser).  Drops and recreates the database opp_corpus.  Prints every
 * mismatch and crash and a summary; exits 1 on any, 2 if the setup failed.
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE				/* memmem */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pgtest.h"

#define DBNAME			"opp_corpus"
#define MAX_BATCH		1000	/* opportunities.max_batch_size's default */
#define CHECK_SEP		'\x1f'

/* A session TimeZone far from UTC, so a local-time answer would show */
#define SESSION_TIMEZONE "Asia/Kathmandu"

typedef struct Record
{
	int			index;			/* 1-based position in the corpus */
	char	   *expect;			/* "created", an error code or "cast_error" */
	char	   *label;
	char	   *body;			/* NUL-terminated; NULL for SQL NULL */
	size_t		body_len;
	char	   *checks;			/* "+text" / "-text" items, CHECK_SEP between */
	size_t		checks_len;
	char	   *answer;			/* the single call's answer, if answered */
	bool		succeeded;		/* that answer was a success */
} Record;

static PGconn *conn;
static int	ncreated = 0;
static int	nrejected = 0;
static int	ncast = 0;
static int	ncrashes = 0;
static int	nmismatches = 0;

const char	pgtest_progname[] = "run_corpus";
const char	pgtest_appname[] = "opportunities-corpus";

/*
 * A batch's items ($1, a success) against the single calls' answers ($2, a
 * JSON array): same fields and values but for the id and the timestamps.
 */
#define WITHOUT_STAMPS(d) "(" d " - 'id' - 'created_at' - 'won_at' - 'lost_at')"
#define KEYS(d) "(SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(" d ") k)"
static const char batch_same_sql[] =
"SELECT count(*), count(*) FILTER (WHERE "
WITHOUT_STAMPS("b.d") " = " WITHOUT_STAMPS("(s.a->'data')")
" AND " KEYS("b.d") " = " KEYS("s.a->'data'") ")"
" FROM jsonb_array_elements($1::jsonb->'data') WITH ORDINALITY AS b(d, i)"
" FULL JOIN jsonb_array_elements($2::jsonb) WITH ORDINALITY AS s(a, i)"
" ON b.i = s.i";

/*
 * A refused batch's per-item report ($1) against the single calls'
 * answers ($2): every refused item reported under its 0-based index with
 * the same code and field messages, no accepted item reported.  Answers
 * items agreeing, items, items reported.
 */
static const char batch_report_sql[] =
"WITH s AS (SELECT e.a, (e.i - 1)::text AS idx"
"  FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(a, i)),"
" r AS (SELECT coalesce($1::jsonb->'error'->'details'->'items', '{}') AS m)"
" SELECT count(*) FILTER (WHERE CASE WHEN s.a->'success' = 'true'"
"   THEN NOT r.m ? s.idx"
"   ELSE coalesce(r.m->s.idx->'code' = s.a->'error'->'code'"
"    AND (r.m->s.idx->'fields') IS NOT DISTINCT FROM"
"     (s.a->'error'->'details'->'fields'), false) END),"
" count(*),"
" (SELECT count(*) FROM jsonb_object_keys((SELECT m FROM r)))"
" FROM s, r";

/* ---------------------------------------------------------------------- */
/* Plumbing */

static void mismatch(const Record *r, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/* Report that record r (NULL: a batch) did not behave as expected */
static void
mismatch(const Record *r, const char *fmt,...)
{
	va_list		ap;

	nmismatches++;
	if (r != NULL)
		printf("MISMATCH #%d [%s] %s: ", r->index, r->expect, r->label);
	else
		printf("MISMATCH bulk: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void
session_setup(void)
{
	/* an HTTP request without a key: response.status is set only over HTTP */
	must_exec(conn, "SET opportunities.auth = 'none'");
	must_exec(conn, "SET request.headers = '{\"content-type\": \"application/json\"}'");
	must_exec(conn, "SET TimeZone = '" SESSION_TIMEZONE "'");
	must_exec(conn, "SET statement_timeout = '60s'");
}

/* After a crash the server restarts; wait for it to take connections */
static void
reconnect(void)
{
	PQfinish(conn);
	for (int attempt = 0; attempt < 60; attempt++)
	{
		conn = try_connect(NULL, NULL, DBNAME);
		if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
		{
			session_setup();
			return;
		}
		PQfinish(conn);
		sleep(1);
	}
	die("could not reconnect after a crash");
}

/* Did the backend survive?  If not, count a crash and reconnect. */
static bool
survived(const Record *r)
{
	PGresult   *res;
	bool		alive;

	alive = PQstatus(conn) == CONNECTION_OK;
	if (alive)
	{
		res = PQexec(conn, "SELECT 1");
		alive = PQresultStatus(res) == PGRES_TUPLES_OK &&
			strcmp(PQgetvalue(res, 0, 0), "1") == 0;
		PQclear(res);
	}
	if (alive)
		return true;
	ncrashes++;
	if (r != NULL)
		printf("CRASH #%d [%s] %s: %s\n", r->index, r->expect, r->label,
			   PQerrorMessage(conn));
	else
		printf("CRASH in the bulk pass: %s\n", PQerrorMessage(conn));
	fflush(stdout);
	reconnect();
	return false;
}

/*
 * A statement of the open transaction raised: if the backend is still
 * there, roll back and make sure it answers; else count a crash.
 */
static bool
rolled_back(const Record *r)
{
	if (PQstatus(conn) == CONNECTION_OK)
	{
		PGresult   *res = PQexec(conn, "ROLLBACK");

		PQclear(res);
	}
	return survived(r);
}

/* ---------------------------------------------------------------------- */
/* The corpus file */

static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		size;

	if (f == NULL)
		die("could not open %s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
		fseek(f, 0, SEEK_SET) != 0)
		die("could not size %s", path);
	buf = xmalloc((size_t) size + 1);
	if (fread(buf, 1, (size_t) size, f) != (size_t) size)
		die("could not read %s", path);
	fclose(f);
	buf[size] = '\0';
	*len = (size_t) size;
	return buf;
}

/* Parse a decimal length field; false if it is not one */
static bool
parse_length(const char *s, size_t *out)
{
	char	   *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = (size_t) v;
	return true;
}

static Record *
load_corpus(const char *path, int *nrecords)
{
	size_t		len;
	char	   *data = read_file(path, &len);
	size_t		pos = 0;
	int			n = 0;
	int			cap = 1024;
	Record	   *recs = xmalloc(cap * sizeof(Record));

	while (pos < len)
	{
		char	   *line = data + pos;
		char	   *nl = memchr(line, '\n', len - pos);
		char	   *fields[4];
		Record	   *r;
		size_t		body_len = 0;
		bool		is_null;

		if (nl == NULL)
			die("record %d: header without end of line", n + 1);
		*nl = '\0';
		fields[0] = line;
		for (int i = 1; i < 4; i++)
		{
			fields[i] = strchr(fields[i - 1], '\t');
			if (fields[i] == NULL)
				die("record %d: header needs 4 fields", n + 1);
			*fields[i]++ = '\0';
		}
		if (n == cap)
		{
			cap *= 2;
			recs = realloc(recs, cap * sizeof(Record));
			if (recs == NULL)
				die("out of memory");
		}
		r = &recs[n];
		memset(r, 0, sizeof(Record));
		r->index = n + 1;
		r->expect = fields[0];
		r->label = fields[3];
		is_null = strcmp(fields[1], "NULL") == 0;
		if ((!is_null && !parse_length(fields[1], &body_len)) ||
			!parse_length(fields[2], &r->checks_len))
			die("record %d: bad lengths", n + 1);
		pos = (size_t) (nl - data) + 1;
		if (len - pos < body_len + r->checks_len + 1 ||
			data[pos + body_len + r->checks_len] != '\n')
			die("record %d (%s): truncated", n + 1, r->label);
		if (!is_null)
		{
			if (memchr(data + pos, '\0', body_len) != NULL)
				die("record %d: NUL byte in body", n + 1);
			r->body = xstrndup(data + pos, body_len);
			r->body_len = body_len;
		}
		r->checks = data + pos + body_len;
		pos += body_len + r->checks_len + 1;
		n++;
	}
	*nrecords = n;
	return recs;
}

/* ---------------------------------------------------------------------- */
/* One body, one call */

static bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t		n = strlen(s);
	size_t		m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The generator's "+text" / "-text" checks against the answer */
static void
check_answer_text(const Record *r, const char *answer)
{
	size_t		alen = strlen(answer);
	size_t		pos = 0;

	while (pos < r->checks_len)
	{
		const char *item = r->checks + pos;
		const char *sep = memchr(item, CHECK_SEP, r->checks_len - pos);
		size_t		ilen = sep ? (size_t) (sep - item) : r->checks_len - pos;
		bool		found = memmem(answer, alen, item + 1, ilen - 1) != NULL;

		if (ilen < 2)
			die("record %d: empty check", r->index);
		if (found != (item[0] == '+'))
		{
			char	   *text = xstrndup(item + 1, ilen - 1);

			mismatch(r, "answer %s %s\n    answer: %s",
					 found ? "holds" : "lacks", excerpt(text), excerpt(answer));
			free(text);
		}
		pos += ilen + 1;
	}
}

/* The stored row must be what a success answered */
static void
check_stored(const Record *r, const char *answer)
{
	const char *params[1] = {answer};
	PGresult   *res = must(conn, rows_match_sql, 1, params);

	if (strcmp(PQgetvalue(res, 0, 0), "1") != 0 ||
		strcmp(PQgetvalue(res, 0, 1), "1") != 0 ||
		strcmp(PQgetvalue(res, 0, 3), "1") != 0)
		mismatch(r, "the stored row differs from the answer: %s",
				 excerpt(answer));
	PQclear(res);
}

static void
run_one(Record *r)
{
	const char *params[1] = {r->body};
	PGresult   *res;
	long		before;
	long		after;
	bool		cast_expected = strcmp(r->expect, "cast_error") == 0;
	bool		created_expected = strcmp(r->expect, "created") == 0;

	must_exec(conn, "BEGIN");
	before = count_rows(conn);
	res = PQexecParams(conn, "SELECT opportunities.create_opportunity($1::jsonb)",
					   1, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		char	   *message = xstrdup(PQerrorMessage(conn));

		bool		cast_error;

		cast_error = state != NULL &&
			(starts_with(state, "22") || starts_with(state, "54"));
		if (cast_error)
			ncast++;
		if (!cast_error || !cast_expected)
			mismatch(r, "raised %s: %s", state ? state : "(no SQLSTATE)",
					 excerpt(message));
		PQclear(res);
		free(message);
		if (rolled_back(r) && count_rows(conn) != before)
			mismatch(r, "a failed call left rows behind");
		return;
	}
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
	{
		mismatch(r, "no answer");
		PQclear(res);
		must_exec(conn, "ROLLBACK");
		return;
	}
	r->answer = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	r->succeeded = starts_with(r->answer, "{\"data\": {\"id\": \"opp_") &&
		ends_with(r->answer, ", \"success\": true}");
	if (r->succeeded)
		ncreated++;
	else
		nrejected++;
	after = count_rows(conn);

	if (cast_expected)
		mismatch(r, "jsonb took it, expected the cast to fail; answer: %s",
				 excerpt(r->answer));
	else if (created_expected)
	{
		if (!r->succeeded)
			mismatch(r, "not created: %s", excerpt(r->answer));
		else if (after - before != 1)
			mismatch(r, "%ld rows written, expected 1", after - before);
		else
			check_stored(r, r->answer);
	}
	else
	{
		char		prefix[128];

		snprintf(prefix, sizeof(prefix), "{\"error\": {\"code\": \"%s\", ",
				 r->expect);
		if (!starts_with(r->answer, prefix) ||
			!ends_with(r->answer, "}, \"success\": false}"))
			mismatch(r, "answer is not a %s envelope: %s", r->expect,
					 excerpt(r->answer));
		if (after != before)
			mismatch(r, "a refused body wrote %ld rows", after - before);
	}
	if (!cast_expected)
	{
		long		status = query_long(conn, "SELECT current_setting('response.status', true)");

		if (status != (r->succeeded ? 201 : 400))
			mismatch(r, "response.status %ld for a %s", status,
					 r->succeeded ? "success" : "client error");
		check_answer_text(r, r->answer);
	}
	must_exec(conn, "COMMIT");
	(void) survived(r);
}

/* ---------------------------------------------------------------------- */
/* Bulk */

typedef struct Text
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Text;

static void
text_add(Text *t, const char *s, size_t len)
{
	if (t->len + len + 1 > t->cap)
	{
		t->cap = (t->len + len + 1) * 2;
		t->data = realloc(t->data, t->cap);
		if (t->data == NULL)
			die("out of memory");
	}
	memcpy(t->data + t->len, s, len);
	t->len += len;
	t->data[t->len] = '\0';
}

/* "[" a, b, ... "]" of the bodies (or answers) of recs[0..n) */
static void
json_array(Text *t, Record **recs, int n, bool answers)
{
	t->len = 0;
	text_add(t, "[", 1);
	for (int i = 0; i < n; i++)
	{
		const char *s = answers ? recs[i]->answer : recs[i]->body;

		if (i > 0)
			text_add(t, ",\n", 2);
		text_add(t, s, strlen(s));
	}
	text_add(t, "]", 1);
}

/*
 * Open a transaction, note the row count in *before and call
 * create_opportunities.  The answer, or NULL if the call raised (the
 * transaction is then rolled back, the mismatch counted); the caller
 * commits.
 */
static char *
call_batch(const char *array, long *before)
{
	const char *params[1] = {array};
	PGresult   *res;
	char	   *answer = NULL;

	must_exec(conn, "BEGIN");
	*before = count_rows(conn);
	res = PQexecParams(conn,
					   "SELECT opportunities.create_opportunities($1::jsonb)",
					   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		!PQgetisnull(res, 0, 0))
		answer = xstrdup(PQgetvalue(res, 0, 0));
	else
		mismatch(NULL, "create_opportunities raised: %s",
				 excerpt(PQerrorMessage(conn)));
	PQclear(res);
	if (answer == NULL)
		(void) rolled_back(NULL);
	return answer;
}

/* A batch of bodies the single call created: all stored, same answers */
static void
valid_batch(Record **recs, int n, Text *bodies, Text *answers)
{
	long		before;
	char	   *answer;
	const char *params[2];
	PGresult   *res;
	char		want[16];

	json_array(bodies, recs, n, false);
	json_array(answers, recs, n, true);
	snprintf(want, sizeof(want), "%d", n);

	answer = call_batch(bodies->data, &before);
	if (answer == NULL)
		return;
	if (!starts_with(answer, "{\"data\": [") ||
		!ends_with(answer, "], \"success\": true}"))
		mismatch(NULL, "a batch of %d valid bodies was refused: %s", n,
				 excerpt(answer));
	else
	{
		if (count_rows(conn) - before != n)
			mismatch(NULL, "a batch of %d wrote %ld rows", n,
					 count_rows(conn) - before);
		params[0] = answer;
		res = must(conn, rows_match_sql, 1, params);
		if (strcmp(PQgetvalue(res, 0, 0), want) != 0 ||
			strcmp(PQgetvalue(res, 0, 1), want) != 0 ||
			strcmp(PQgetvalue(res, 0, 2), want) != 0 ||
			strcmp(PQgetvalue(res, 0, 3), want) != 0)
			mismatch(NULL, "batch of %d: answered %s, stored %s, distinct ids %s, stored as answered %s",
					 n, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
					 PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
		PQclear(res);
		params[1] = answers->data;
		res = must(conn, batch_same_sql, 2, params);
		if (strcmp(PQgetvalue(res, 0, 0), want) != 0 ||
			strcmp(PQgetvalue(res, 0, 1), want) != 0)
			mismatch(NULL, "batch of %d: %s of %s items answer what the single call answered",
					 n, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	must_exec(conn, "COMMIT");
	free(answer);
	(void) survived(NULL);
}

/* A batch holding refused bodies: nothing written, each refusal reported */
static void
mixed_batch(Record **recs, int n, Text *bodies, Text *answers)
{
	long		before;
	char	   *answer;
	const char *params[2];
	PGresult   *res;
	int			nrefused = 0;
	char		want[16];
	char		want_refused[16];

	for (int i = 0; i < n; i++)
		nrefused += recs[i]->succeeded ? 0 : 1;
	json_array(bodies, recs, n, false);
	json_array(answers, recs, n, true);
	snprintf(want, sizeof(want), "%d", n);
	snprintf(want_refused, sizeof(want_refused), "%d", nrefused);

	answer = call_batch(bodies->data, &before);
	if (answer == NULL)
		return;
	if (!starts_with(answer, "{\"error\": {\"code\": \"VALIDATION_ERROR\", ") ||
		!ends_with(answer, "}, \"success\": false}"))
		mismatch(NULL, "a batch with %d refused bodies was answered: %s",
				 nrefused, excerpt(answer));
	if (count_rows(conn) != before)
		mismatch(NULL, "a refused batch wrote %ld rows", count_rows(conn) - before);
	params[0] = answer;
	params[1] = answers->data;
	res = must(conn, batch_report_sql, 2, params);
	if (strcmp(PQgetvalue(res, 0, 0), want) != 0 ||
		strcmp(PQgetvalue(res, 0, 1), want) != 0 ||
		strcmp(PQgetvalue(res, 0, 2), want_refused) != 0)
		mismatch(NULL, "batch of %d with %d refused: %s items agree with the single calls, %s reported",
				 n, nrefused, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 2));
	PQclear(res);
	must_exec(conn, "COMMIT");
	free(answer);
	(void) survived(NULL);
}

/* opportunities.max_batch_size (default 1000) items pass; one more fails */
static void
batch_limit(Text *bodies)
{
	static const char item[] = "{\"name\": \"Limit\", \"deal_value\": 1}";

	for (int n = MAX_BATCH; n <= MAX_BATCH + 1; n++)
	{
		long		before;
		char	   *answer;

		bodies->len = 0;
		text_add(bodies, "[", 1);
		for (int i = 0; i < n; i++)
		{
			if (i > 0)
				text_add(bodies, ",", 1);
			text_add(bodies, item, strlen(item));
		}
		text_add(bodies, "]", 1);

		answer = call_batch(bodies->data, &before);
		if (answer == NULL)
			continue;
		if (n <= MAX_BATCH)
		{
			if (!ends_with(answer, "], \"success\": true}") ||
				count_rows(conn) - before != n)
				mismatch(NULL, "a batch of %d (the limit) was not stored whole: %s",
						 n, excerpt(answer));
		}
		else if (!starts_with(answer, "{\"error\": {\"code\": \"VALIDATION_ERROR\", ") ||
				 count_rows(conn) != before)
			mismatch(NULL, "a batch of %d (over the limit) was not refused: %s",
					 n, excerpt(answer));
		must_exec(conn, "COMMIT");
		free(answer);
	}
}

static void
bulk(Record *recs, int n)
{
	Record	  **batch = xmalloc(MAX_BATCH * sizeof(Record *));
	Text		bodies = {0};
	Text		answers = {0};
	int			nb = 0;
	int			nvalid_batches = 0;
	int			nmixed_batches = 0;
	int			nitems = 0;

	/* every body the single call created, in batches */
	for (int i = 0; i <= n; i++)
	{
		if (i < n && recs[i].answer != NULL && recs[i].succeeded)
			batch[nb++] = &recs[i];
		if (nb > 0 && (nb == MAX_BATCH || i == n))
		{
			valid_batch(batch, nb, &bodies, &answers);
			nvalid_batches++;
			nitems += nb;
			nb = 0;
		}
	}
	printf("bulk: %d created bodies in %d batches\n", nitems, nvalid_batches);

	/* every body the single call answered, refused ones included */
	nitems = 0;
	for (int i = 0; i <= n; i++)
	{
		if (i < n && recs[i].answer != NULL && recs[i].body != NULL)
			batch[nb++] = &recs[i];
		if (nb > 0 && (nb == MAX_BATCH || i == n))
		{
			bool		any_refused = false;

			for (int j = 0; j < nb; j++)
				any_refused |= !batch[j]->succeeded;
			if (any_refused)
			{
				mixed_batch(batch, nb, &bodies, &answers);
				nmixed_batches++;
				nitems += nb;
			}
			nb = 0;
		}
	}
	printf("bulk: %d answered bodies in %d mixed batches\n", nitems,
		   nmixed_batches);

	batch_limit(&bodies);
	free(bodies.data);
	free(answers.data);
	free(batch);
}

/* ---------------------------------------------------------------------- */

static void
setup(void)
{
	conn = connect_db(NULL, NULL, NULL);
	must_exec(conn, "SET client_min_messages = warning");
	must_exec(conn, "DROP DATABASE IF EXISTS " DBNAME " WITH (FORCE)");
	must_exec(conn, "CREATE DATABASE " DBNAME " ENCODING 'UTF8' TEMPLATE template0");
	PQfinish(conn);

	conn = connect_db(NULL, NULL, DBNAME);
	must_exec(conn, "CREATE EXTENSION opportunities");
	session_setup();
}

int
main(int argc, char **argv)
{
	Record	   *recs;
	int			n;

	if (argc != 2)
	{
		fprintf(stderr, "usage: run_corpus CORPUS_FILE\n");
		return 2;
	}
	recs = load_corpus(argv[1], &n);
	setup();

	for (int i = 0; i < n; i++)
		run_one(&recs[i]);
	printf("corpus: %d bodies, %d created, %d rejected, %d cast errors, %d crashes, %d mismatches\n",
		   n, ncreated, nrejected, ncast, ncrashes, nmismatches);
	fflush(stdout);

	bulk(recs, n);
	printf("corpus: %d crashes, %d mismatches in all\n", ncrashes, nmismatches);

	PQfinish(conn);
	return (ncrashes == 0 && nmismatches == 0) ? 0 : 1;
}
