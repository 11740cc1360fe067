/*-------------------------------------------------------------------------
 *
 * replay.c
 *	  Replay PostgREST's exchange for POST /rpc/create_opportunity and
 *	  POST /rpc/create_opportunities over libpq, and prove that the API
 *	  role can do nothing else.
 *
 * PostgREST cannot be installed here, so this program sends what PostgREST
 * sends (shared/spec/postgrest.md, read off PostgREST's source): one
 * transaction per request, all transaction variables in one SELECT, the
 * call wrapped in the pgrst_source query, then COMMIT, or ROLLBACK when a
 * statement raised.  Like PostgREST (hasql's "unknown" encoder) it binds
 * the set_config values and the request body as text parameters of type
 * unknown; the body reaches the function through $1::jsonb.  It connects
 * as "authenticator" and switches to "web_anon", which holds only the
 * README's three GRANTs, and it keeps that one connection for every
 * request, as PostgREST's pool does.
 *
 * What it proves, case by case: the HTTP status (response_status, 200
 * when unset) and the exact HTTP body an API client would get, with only
 * the random id and the creation second left open; that auth answers come
 * before the body is looked at; and, counted by a superuser, that errors
 * write nothing while a success writes exactly the rows it answers with,
 * timestamps in UTC although the session's TimeZone is not UTC.  Then, as
 * web_anon, that every table and every other function is refused with
 * SQLSTATE 42501 and that the role cannot turn authentication off.
 *
 * Usage: replay (PGHOST, PGPORT, PGUSER, PGPASSWORD name a superuser).
 * It drops and recreates the database opp_replay and creates the roles
 * web_anon and authenticator when they are missing (roles are
 * cluster-wide).  Prints one line per case and a summary; exits 1 if a
 * case failed, 2 if the setup did.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgtest.h"

#define DBNAME			"opp_replay"
#define API_ROLE		"web_anon"

/* pg_type.oid of "unknown": the type hasql binds PostgREST's values as */
#define UNKNOWN_OID		705

/* A session TimeZone far from UTC, so a local-time answer would show */
#define SESSION_TIMEZONE "Pacific/Chatham"

const char	pgtest_progname[] = "replay";
const char	pgtest_appname[] = "opportunities-replay";

static PGconn *admin;			/* superuser */
static PGconn *api;				/* authenticator, as PostgREST connects */

static int	ncases = 0;
static int	nfailed = 0;

/* First problem of the current case; empty while it passes */
static char problem[4096];

/* What PostgREST reads back from one request */
typedef struct Response
{
	bool		raised;			/* a statement raised: PostgREST rolled back */
	int			status;			/* HTTP status: response_status, else 200 */
	char	   *body;			/* HTTP body, verbatim (NULL if raised) */
	bool		has_headers;	/* response_headers was set */
	char		sqlstate[6];	/* when raised */
	char	   *error;			/* when raised */
} Response;

/*
 * The transaction variables, in PostgREST's order.  PostgREST spells the
 * names as literals and binds the values.
 */
static const char tx_vars_sql[] =
"select set_config('search_path', $1, true),"
" set_config('role', $2, true),"
" set_config('request.jwt.claims', $3, true),"
" set_config('request.method', $4, true),"
" set_config('request.path', $5, true),"
" set_config('request.headers', $6, true),"
" set_config('request.cookies', $7, true)";

/* The call, exactly as PostgREST wraps a function returning a scalar */
#define CALL_SQL(function) \
"WITH pgrst_source AS (" \
"  SELECT pgrst_call.pgrst_scalar" \
"  FROM (SELECT \"opportunities\".\"" function "\"($1::jsonb) pgrst_scalar) pgrst_call" \
")" \
" SELECT null::bigint AS total_result_set," \
" pg_catalog.count(_postgrest_t) AS page_total," \
" coalesce((json_agg(_postgrest_t.pgrst_scalar)->0)::text, 'null') AS body," \
" nullif(current_setting('response.headers', true), '') AS response_headers," \
" nullif(current_setting('response.status', true), '') AS response_status," \
" '' AS response_inserted" \
" FROM (SELECT pgrst_call.* FROM pgrst_source AS pgrst_call) _postgrest_t"

static const char call_one_sql[] = CALL_SQL("create_opportunity");
static const char call_many_sql[] = CALL_SQL("create_opportunities");

/* ---------------------------------------------------------------------- */
/* Cases */

static void fail(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/* Record the first problem of the current case */
static void
fail(const char *fmt,...)
{
	va_list		ap;

	if (problem[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(problem, sizeof(problem), fmt, ap);
	va_end(ap);
}

static void
begin_case(void)
{
	problem[0] = '\0';
}

static void
end_case(const char *name)
{
	ncases++;
	if (problem[0] == '\0')
		printf("ok - %s\n", name);
	else
	{
		nfailed++;
		printf("not ok - %s\n    %s\n", name, problem);
	}
	fflush(stdout);
}

/* Append s to buf, which holds size bytes */
static void
append(char *buf, size_t size, const char *s)
{
	size_t		len = strlen(buf);

	if (len + strlen(s) >= size)
		die("buffer too small");
	memcpy(buf + len, s, strlen(s) + 1);
}

/* Append s to buf as a JSON string, escaped the way aeson escapes it */
static void
json_string(char *buf, size_t size, const char *s)
{
	append(buf, size, "\"");
	for (; *s != '\0'; s++)
	{
		unsigned char c = (unsigned char) *s;
		char		esc[8];

		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20)
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		else
		{
			esc[0] = (char) c;
			esc[1] = '\0';
		}
		append(buf, size, esc);
	}
	append(buf, size, "\"");
}

/* Append "name":"value" to a JSON object being built in buf */
static void
json_member(char *buf, size_t size, const char *name, const char *value)
{
	if (strcmp(buf, "{") != 0)
		append(buf, size, ",");
	json_string(buf, size, name);
	append(buf, size, ":");
	json_string(buf, size, value);
}

static void
response_free(Response *r)
{
	free(r->body);
	free(r->error);
	memset(r, 0, sizeof(Response));
}

/* A statement of the exchange raised: record it and roll back */
static bool
exchange_raised(PGresult *res, Response *r)
{
	const char *state;

	if (PQresultStatus(res) == PGRES_COMMAND_OK ||
		PQresultStatus(res) == PGRES_TUPLES_OK)
		return false;
	r->raised = true;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	snprintf(r->sqlstate, sizeof(r->sqlstate), "%s", state ? state : "?????");
	r->error = xstrdup(PQerrorMessage(api));
	PQclear(res);
	res = PQexec(api, "ROLLBACK");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		die("ROLLBACK failed: %s", PQerrorMessage(api));
	PQclear(res);
	return true;
}

/*
 * POST /rpc/<function> with the given body, and the X-API-Key header when
 * api_key is not NULL, as PostgREST passes it to the database.
 */
static void
post_rpc(bool many, const char *api_key, const char *body, Response *r)
{
	const char *function = many ? "create_opportunities" : "create_opportunity";
	const Oid	types[7] = {
		UNKNOWN_OID, UNKNOWN_OID, UNKNOWN_OID, UNKNOWN_OID,
		UNKNOWN_OID, UNKNOWN_OID, UNKNOWN_OID
	};
	const char *vars[7];
	char		path[64];
	char		length[32];
	char		headers[1024] = "{";
	PGresult   *res;
	const char *status;

	memset(r, 0, sizeof(Response));
	snprintf(path, sizeof(path), "/rpc/%s", function);
	snprintf(length, sizeof(length), "%zu", strlen(body));
	/* what curl sends, header names lower-cased by PostgREST */
	json_member(headers, sizeof(headers), "host", "localhost:3000");
	json_member(headers, sizeof(headers), "user-agent", "curl/7.88.1");
	json_member(headers, sizeof(headers), "accept", "*/*");
	json_member(headers, sizeof(headers), "content-type", "application/json");
	json_member(headers, sizeof(headers), "content-length", length);
	if (api_key != NULL)
		json_member(headers, sizeof(headers), "x-api-key", api_key);
	append(headers, sizeof(headers), "}");

	vars[0] = "\"opportunities\", \"public\"";
	vars[1] = API_ROLE;
	vars[2] = "{\"role\":\"" API_ROLE "\"}";
	vars[3] = "POST";
	vars[4] = path;
	vars[5] = headers;
	vars[6] = "{}";

	res = PQexec(api, "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		die("BEGIN failed: %s", PQerrorMessage(api));
	PQclear(res);

	res = PQexecParams(api, tx_vars_sql, 7, types, vars, NULL, NULL, 0);
	if (exchange_raised(res, r))
		return;
	PQclear(res);

	res = PQexecParams(api, many ? call_many_sql : call_one_sql, 1, types,
					   &body, NULL, NULL, 0);
	if (exchange_raised(res, r))
		return;
	if (PQntuples(res) != 1 || PQnfields(res) != 6)
		die("the call answered %d rows of %d columns", PQntuples(res),
			PQnfields(res));
	if (strcmp(PQgetvalue(res, 0, 1), "1") != 0)
		fail("page_total is %s, not 1", PQgetvalue(res, 0, 1));
	r->body = xstrdup(PQgetvalue(res, 0, 2));
	r->has_headers = !PQgetisnull(res, 0, 3);
	status = PQgetisnull(res, 0, 4) ? "200" : PQgetvalue(res, 0, 4);
	if (strlen(status) != 3 || !isdigit((unsigned char) status[0]) ||
		!isdigit((unsigned char) status[1]) ||
		!isdigit((unsigned char) status[2]))
		fail("response.status \"%s\" is not an HTTP status code", status);
	r->status = atoi(status);
	PQclear(res);

	res = PQexec(api, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		die("COMMIT failed: %s", PQerrorMessage(api));
	PQclear(res);
}

/*
 * Does s match tmpl, where "{ID}" in tmpl stands for an opportunity id
 * (opp_ and 12 of [0-9a-z]) and "{TS}" for a UTC second
 * (YYYY-MM-DDTHH:MM:SSZ)?  Everything else must be equal.
 */
static bool
matches_template(const char *tmpl, const char *s)
{
	while (*tmpl != '\0')
	{
		if (strncmp(tmpl, "{ID}", 4) == 0)
		{
			if (strncmp(s, "opp_", 4) != 0)
				return false;
			s += 4;
			for (int i = 0; i < 12; i++, s++)
			{
				if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z')))
					return false;
			}
			tmpl += 4;
		}
		else if (strncmp(tmpl, "{TS}", 4) == 0)
		{
			static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

			for (const char *p = shape; *p != '\0'; p++, s++)
			{
				if (*p == 'd' ? !isdigit((unsigned char) *s) : *s != *p)
					return false;
			}
			tmpl += 4;
		}
		else if (*tmpl++ != *s++)
			return false;
	}
	return *s == '\0';
}

static void
expect_answer(const Response *r, int status, const char *tmpl)
{
	if (r->raised)
	{
		fail("the request raised %s: %s", r->sqlstate, r->error);
		return;
	}
	if (r->status != status)
		fail("HTTP status %d, expected %d; body: %s", r->status, status,
			 r->body);
	if (!matches_template(tmpl, r->body))
		fail("body differs\n    got:      %s\n    expected: %s", r->body,
			 tmpl);
	if (r->has_headers)
		fail("response.headers was set");
}

static void
expect_rows(long before, long after, long written)
{
	if (after - before != written)
		fail("%ld rows written, expected %ld", after - before, written);
}

/* The rows a success answered with are stored exactly so */
static void
expect_stored_as_answered(const Response *r, int items)
{
	const char *params[1];
	PGresult   *res;

	if (r->raised || r->body == NULL)
		return;
	params[0] = r->body;
	res = must(admin, rows_match_sql, 1, params);
	if (atoi(PQgetvalue(res, 0, 0)) != items ||
		atoi(PQgetvalue(res, 0, 1)) != items ||
		atoi(PQgetvalue(res, 0, 3)) != items)
		fail("answer items / stored / stored as answered: %s / %s / %s, expected %d",
			 PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
			 PQgetvalue(res, 0, 3), items);
	PQclear(res);
}

/* One request whose answer is fully known, up to ids and timestamps */
static void
exchange_case(const char *name, bool many, const char *api_key,
			  const char *body, int status, const char *tmpl,
			  long written)
{
	Response	r;
	long		before;

	begin_case();
	before = count_rows(admin);
	post_rpc(many, api_key, body, &r);
	expect_answer(&r, status, tmpl);
	expect_rows(before, count_rows(admin), written);
	if (written > 0)
		expect_stored_as_answered(&r, (int) written);
	end_case(name);
	response_free(&r);
}

/* ---------------------------------------------------------------------- */
/* Setup */

static char *
random_password(void)
{
	FILE	   *f = fopen("/dev/urandom", "rb");
	unsigned char bytes[24];
	char	   *hex = malloc(2 * sizeof(bytes) + 1);

	if (f == NULL || hex == NULL ||
		fread(bytes, 1, sizeof(bytes), f) != sizeof(bytes))
		die("could not read /dev/urandom");
	fclose(f);
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
	return hex;
}

/* Create an API key as the superuser; returns the key, sets *id */
static char *
make_key(const char *name, const char *permissions, bool expires, char **id)
{
	const char *params[2] = {name, permissions};
	PGresult   *res;
	char	   *key;

	res = must(admin,
			   expires ?
			   "SELECT k->>'id', k->>'key' FROM opportunities.create_api_key($1, $2::text[],"
			   " now() + interval '1 day') AS k" :
			   "SELECT k->>'id', k->>'key' FROM opportunities.create_api_key($1, $2::text[]) AS k",
			   2, params);
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 1))
		die("create_api_key answered no key");
	*id = xstrdup(PQgetvalue(res, 0, 0));
	key = xstrdup(PQgetvalue(res, 0, 1));
	PQclear(res);
	return key;
}

/*
 * Fresh database with the extension; the roles PostgREST needs, holding
 * nothing but the README's GRANTs.  Returns the authenticator's password.
 */
static char *
setup(void)
{
	PGconn	   *conn = connect_db(NULL, NULL, NULL);
	char	   *password = random_password();
	char	   *literal;
	char		sql[512];

	must_exec(conn, "SET client_min_messages = warning");
	must_exec(conn, "DROP DATABASE IF EXISTS " DBNAME " WITH (FORCE)");
	must_exec(conn, "CREATE DATABASE " DBNAME
			  " ENCODING 'UTF8' TEMPLATE template0");

	/* Roles are cluster-wide: another suite may have made them already */
	must_exec(conn,
			  "DO $$ BEGIN"
			  " IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_anon') THEN"
			  "  CREATE ROLE web_anon NOLOGIN;"
			  " END IF;"
			  " IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN"
			  "  CREATE ROLE authenticator LOGIN NOINHERIT;"
			  " END IF;"
			  " END $$");
	must_exec(conn, "ALTER ROLE web_anon NOLOGIN NOSUPERUSER NOCREATEDB"
			  " NOCREATEROLE NOBYPASSRLS");
	literal = PQescapeLiteral(conn, password, strlen(password));
	if (literal == NULL)
		die("could not quote the password: %s", PQerrorMessage(conn));
	snprintf(sql, sizeof(sql),
			 "ALTER ROLE authenticator LOGIN NOINHERIT NOSUPERUSER NOCREATEDB"
			 " NOCREATEROLE NOBYPASSRLS PASSWORD %s", literal);
	PQfreemem(literal);
	must_exec(conn, sql);
	must_exec(conn, "GRANT web_anon TO authenticator");
	/* a deployment whose time zone is not UTC; dropped with the database */
	must_exec(conn, "ALTER ROLE authenticator IN DATABASE " DBNAME
			  " SET TimeZone = '" SESSION_TIMEZONE "'");
	PQfinish(conn);

	admin = connect_db(NULL, NULL, DBNAME);
	must_exec(admin, "CREATE EXTENSION opportunities");
	/* the README's GRANTs, and nothing else */
	must_exec(admin, "GRANT USAGE ON SCHEMA opportunities TO web_anon");
	must_exec(admin, "GRANT EXECUTE ON FUNCTION"
			  " opportunities.create_opportunity(jsonb) TO web_anon");
	must_exec(admin, "GRANT EXECUTE ON FUNCTION"
			  " opportunities.create_opportunities(jsonb) TO web_anon");
	return password;
}

/* ---------------------------------------------------------------------- */
/* The requests */

#define SEED_BODY \
	"{\n" \
	"    \"name\": \"Jane Smith\",\n" \
	"    \"email\": \"jane@company.com\",\n" \
	"    \"company\": \"Tech Corp\",\n" \
	"    \"position\": \"CTO\",\n" \
	"    \"source\": \"paid_traffic\",\n" \
	"    \"deal_value\": 75000,\n" \
	"    \"deal_currency\": \"BRL\",\n" \
	"    \"notes\": \"Inbound from Google Ads\"\n" \
	"  }"

#define ERROR_BODY(code, message) \
	"{\"error\": {\"code\": \"" code "\", \"message\": \"" message "\"}, \"success\": false}"

#define MISSING_KEY_ANSWER \
	ERROR_BODY("MISSING_API_KEY", "API key is required: send it in the X-API-Key header")
#define INVALID_KEY_ANSWER ERROR_BODY("INVALID_API_KEY", "Invalid API key")
#define EXPIRED_KEY_ANSWER ERROR_BODY("EXPIRED_API_KEY", "API key has expired")
#define NO_WRITE_ANSWER \
	ERROR_BODY("INSUFFICIENT_PERMISSIONS", "API key lacks the opportunities:write permission")

#define STATUS_RULE \
	"Status must be one of: new, contacted, qualified, proposal, negotiation, won, lost"

/* The seed's example response, keys in jsonb's order */
static const char seed_answer[] =
"{\"data\": {\"id\": \"{ID}\", \"name\": \"Jane Smith\","
" \"email\": \"jane@company.com\", \"notes\": \"Inbound from Google Ads\","
" \"source\": \"paid_traffic\", \"status\": \"new\", \"company\": \"Tech Corp\","
" \"position\": \"CTO\", \"created_at\": \"{TS}\", \"deal_value\": 75000.00,"
" \"deal_currency\": \"BRL\"}, \"success\": true}";

/* The seed response's keys (its "id" and "created_at" values are examples) */
static const char seed_keys_sql[] =
"SELECT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys($1::jsonb->'data') k)"
" = (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys('{"
"\"id\": \"opp_xyz789abc123\", \"name\": \"Jane Smith\", \"email\": \"jane@company.com\","
" \"company\": \"Tech Corp\", \"position\": \"CTO\", \"status\": \"new\","
" \"source\": \"paid_traffic\", \"deal_value\": 75000.00, \"deal_currency\": \"BRL\","
" \"notes\": \"Inbound from Google Ads\", \"created_at\": \"2024-01-25T09:00:00Z\"}'::jsonb) k),"
" ($1::jsonb->'data'->>'created_at') = (SELECT " UTC_STAMP("created_at")
" FROM opportunities.opportunities WHERE id = $1::jsonb->'data'->>'id')";

static const char invalid_body[] =
"{\"name\": \"  \", \"email\": \"jane@\", \"deal_value\": \"75000\"}";
static const char invalid_answer[] =
"{\"error\": {\"code\": \"VALIDATION_ERROR\", \"details\": {\"fields\":"
" {\"name\": \"Name is required\", \"email\": \"Invalid email format\","
" \"deal_value\": \"Deal value must be a number\"}},"
" \"message\": \"Validation failed\"}, \"success\": false}";

static const char bad_status_answer[] =
"{\"error\": {\"code\": \"INVALID_STATUS\", \"details\": {\"fields\":"
" {\"status\": \"" STATUS_RULE "\"}}, \"message\": \"Invalid status value\"},"
" \"success\": false}";

static const char bulk_body[] =
"[{\"name\": \"Ana Lima\", \"phone\": \"+55 (11) 98765-4321\", \"source\": \"linkedin\"},"
" {\"name\": \"Bruno\", \"status\": \"won\", \"deal_value\": 1234.5, \"deal_currency\": \"usd\"},"
" {\"name\": \"Carla\", \"email\": \"carla@example.com\","
" \"linkedin_url\": \"https://www.linkedin.com/in/carla\"}]";
static const char bulk_answer[] =
"{\"data\": ["
"{\"id\": \"{ID}\", \"name\": \"Ana Lima\", \"phone\": \"+5511987654321\","
" \"source\": \"linkedin\", \"status\": \"new\", \"created_at\": \"{TS}\","
" \"deal_currency\": \"BRL\"}, "
"{\"id\": \"{ID}\", \"name\": \"Bruno\", \"source\": \"other\", \"status\": \"won\","
" \"won_at\": \"{TS}\", \"created_at\": \"{TS}\", \"deal_value\": 1234.50,"
" \"deal_currency\": \"USD\"}, "
"{\"id\": \"{ID}\", \"name\": \"Carla\", \"email\": \"carla@example.com\","
" \"source\": \"other\", \"status\": \"new\", \"created_at\": \"{TS}\","
" \"linkedin_url\": \"https://www.linkedin.com/in/carla\", \"deal_currency\": \"BRL\"}"
"], \"success\": true}";

static const char bulk_one_bad_body[] =
"[{\"name\": \"Ana\"}, {\"name\": \"Bruno\", \"status\": \"bogus\"}, {\"name\": \"Carla\"}]";
static const char bulk_one_bad_answer[] =
"{\"error\": {\"code\": \"VALIDATION_ERROR\", \"details\": {\"items\": {"
"\"1\": {\"code\": \"INVALID_STATUS\", \"fields\": {\"status\": \"" STATUS_RULE "\"},"
" \"message\": \"Invalid status value\"}"
"}}, \"message\": \"Validation failed\"}, \"success\": false}";

static const char bulk_many_bad_body[] =
"[{\"name\": \"Ana\"}, {\"name\": \"Bruno\", \"source\": \"fax\"}, {\"name\": \"Carla\"},"
" {\"email\": \"x\"}, \"Dora\", {\"name\": \"Eva\"}, {\"name\": \"Fábio\", \"id\": \"opp_000000000000\"}]";
static const char bulk_many_bad_answer[] =
"{\"error\": {\"code\": \"VALIDATION_ERROR\", \"details\": {\"items\": {"
"\"1\": {\"code\": \"INVALID_SOURCE\", \"fields\": {\"source\":"
" \"Source must be one of: linkedin, google_maps, list, paid_traffic, other\"},"
" \"message\": \"Invalid source value\"}, "
"\"3\": {\"code\": \"VALIDATION_ERROR\", \"fields\": {\"name\": \"Name is required\","
" \"email\": \"Invalid email format\"}, \"message\": \"Validation failed\"}, "
"\"4\": {\"code\": \"VALIDATION_ERROR\", \"message\": \"Item must be a JSON object\"}, "
"\"6\": {\"code\": \"VALIDATION_ERROR\", \"fields\": {\"id\": \"Unknown field\"},"
" \"message\": \"Validation failed\"}"
"}}, \"message\": \"Validation failed\"}, \"success\": false}";

static void
seed_case(const char *key)
{
	Response	r;
	long		before;
	const char *params[1];
	PGresult   *res;

	begin_case();
	before = count_rows(admin);
	post_rpc(false, key, SEED_BODY, &r);
	expect_answer(&r, 201, seed_answer);
	expect_rows(before, count_rows(admin), 1);
	expect_stored_as_answered(&r, 1);
	if (!r.raised)
	{
		params[0] = r.body;
		res = must(admin, seed_keys_sql, 1, params);
		if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
			fail("data keys differ from the seed response's keys: %s", r.body);
		if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
			fail("created_at is not the stored creation time in UTC: %s",
				 r.body);
		PQclear(res);
	}
	end_case("write key + seed cURL body: 201, one row, the seed response's keys, deal_value 75000.00");
	response_free(&r);
}

/* The body is never parsed by our code: the ::jsonb cast refuses it first */
static void
malformed_json_case(const char *key)
{
	Response	r;
	long		before;

	begin_case();
	before = count_rows(admin);
	post_rpc(false, key, "{\"name\": \"x\",", &r);
	if (!r.raised)
		fail("malformed JSON was answered (%d): %s", r.status, r.body);
	else if (strcmp(r.sqlstate, "22P02") != 0)
		fail("SQLSTATE %s, expected 22P02: %s", r.sqlstate, r.error);
	expect_rows(before, count_rows(admin), 0);
	end_case("write key + malformed JSON: refused by the ::jsonb cast (22P02), rolled back, nothing written");
	response_free(&r);
}

static void
requests(const char *write_key, const char *read_key, const char *expired_key,
		 const char *revoked_key)
{
	exchange_case("no key: 401 MISSING_API_KEY",
				  false, NULL, SEED_BODY, 401, MISSING_KEY_ANSWER, 0);
	exchange_case("empty key: 401 MISSING_API_KEY",
				  false, "", SEED_BODY, 401, MISSING_KEY_ANSWER, 0);
	exchange_case("unknown key: 401 INVALID_API_KEY",
				  false, "oppk_0123456789abcdefghijklmnopqrstuv", SEED_BODY,
				  401, INVALID_KEY_ANSWER, 0);
	exchange_case("revoked key: 401 INVALID_API_KEY",
				  false, revoked_key, SEED_BODY, 401, INVALID_KEY_ANSWER, 0);
	exchange_case("expired key: 401 EXPIRED_API_KEY",
				  false, expired_key, SEED_BODY, 401, EXPIRED_KEY_ANSWER, 0);
	exchange_case("read-only key: 403 INSUFFICIENT_PERMISSIONS",
				  false, read_key, SEED_BODY, 403, NO_WRITE_ANSWER, 0);

	seed_case(write_key);

	exchange_case("write key + invalid body: 400 VALIDATION_ERROR, every failing field, nothing written",
				  false, write_key, invalid_body, 400, invalid_answer, 0);
	exchange_case("write key + {\"name\":\"x\",\"status\":\"bogus\"}: 400 INVALID_STATUS",
				  false, write_key, "{\"name\":\"x\",\"status\":\"bogus\"}",
				  400, bad_status_answer, 0);
	exchange_case("write key + array body: 400 VALIDATION_ERROR",
				  false, write_key, "[1,2]", 400,
				  ERROR_BODY("VALIDATION_ERROR", "Request body must be a JSON object"),
				  0);
	malformed_json_case(write_key);

	/* auth is checked before the body is looked at */
	exchange_case("read-only key + body [1,2]: 403 (auth before body)",
				  false, read_key, "[1,2]", 403, NO_WRITE_ANSWER, 0);
	exchange_case("read-only key + body \"x\": 403 (auth before body)",
				  false, read_key, "\"x\"", 403, NO_WRITE_ANSWER, 0);
	exchange_case("no key + body null: 401 (auth before body)",
				  false, NULL, "null", 401, MISSING_KEY_ANSWER, 0);
	exchange_case("revoked key + invalid body: 401 (auth before body)",
				  false, revoked_key, invalid_body, 401, INVALID_KEY_ANSWER, 0);

	/* bulk */
	exchange_case("bulk, write key, 3 items: 201, data in order, 3 rows",
				  true, write_key, bulk_body, 201, bulk_answer, 3);
	exchange_case("bulk, one bad item: 400, details.items keyed by index, nothing written",
				  true, write_key, bulk_one_bad_body, 400, bulk_one_bad_answer, 0);
	exchange_case("bulk, four bad items of every kind: 400, each by index, nothing written",
				  true, write_key, bulk_many_bad_body, 400, bulk_many_bad_answer, 0);
	exchange_case("bulk, no key: 401 MISSING_API_KEY",
				  true, NULL, bulk_body, 401, MISSING_KEY_ANSWER, 0);
	exchange_case("bulk, expired key: 401 EXPIRED_API_KEY",
				  true, expired_key, bulk_body, 401, EXPIRED_KEY_ANSWER, 0);
	exchange_case("bulk, read-only key + non-array body: 403 (auth before body)",
				  true, read_key, "{\"name\": \"x\"}", 403, NO_WRITE_ANSWER, 0);
}

/* ---------------------------------------------------------------------- */
/* Least privilege */

/* sql, run on the authenticator connection, must fail with 42501 */
static void
refused_case(const char *name, const char *sql)
{
	PGresult   *res = PQexec(api, sql);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	begin_case();
	if (PQresultStatus(res) != PGRES_FATAL_ERROR)
		fail("allowed: %s", sql);
	else if (state == NULL || strcmp(state, "42501") != 0)
		fail("SQLSTATE %s, expected 42501: %s", state ? state : "(none)",
			 PQerrorMessage(api));
	PQclear(res);
	if (PQstatus(api) != CONNECTION_OK)
		die("lost the authenticator connection: %s", PQerrorMessage(api));
	end_case(name);
}

static void
least_privilege(void)
{
	long		before = count_rows(admin);
	long		keys_before;
	PGresult   *res;

	res = must(admin, "SELECT count(*), count(revoked_at) FROM opportunities.api_keys",
			   0, NULL);
	keys_before = strtol(PQgetvalue(res, 0, 0), NULL, 10) * 1000 +
		strtol(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);

	/* NOINHERIT: the login role itself holds nothing */
	refused_case("authenticator without SET ROLE: create_opportunity refused (42501)",
				 "SELECT opportunities.create_opportunity('{\"name\": \"x\"}')");

	must_exec(api, "SET ROLE " API_ROLE);
	refused_case("web_anon: SELECT opportunities.opportunities refused (42501)",
				 "SELECT * FROM opportunities.opportunities");
	refused_case("web_anon: INSERT opportunities.opportunities refused (42501)",
				 "INSERT INTO opportunities.opportunities (id, name)"
				 " VALUES ('opp_aaaaaaaaaaaa', 'x')");
	refused_case("web_anon: UPDATE opportunities.opportunities refused (42501)",
				 "UPDATE opportunities.opportunities SET name = 'x'");
	refused_case("web_anon: DELETE opportunities.opportunities refused (42501)",
				 "DELETE FROM opportunities.opportunities");
	refused_case("web_anon: SELECT opportunities.api_keys refused (42501)",
				 "SELECT * FROM opportunities.api_keys");
	refused_case("web_anon: INSERT opportunities.api_keys refused (42501)",
				 "INSERT INTO opportunities.api_keys (id, name, key_prefix, key_hash, permissions)"
				 " VALUES ('key_aaaaaaaaaaaa', 'mine', 'opp_', sha256('x'),"
				 " ARRAY['opportunities:write'])");
	refused_case("web_anon: UPDATE opportunities.api_keys (un-revoke) refused (42501)",
				 "UPDATE opportunities.api_keys SET revoked_at = NULL, expires_at = NULL");
	refused_case("web_anon: create_api_key refused (42501)",
				 "SELECT opportunities.create_api_key('mine', ARRAY['opportunities:write'])");
	refused_case("web_anon: revoke_api_key refused (42501)",
				 "SELECT opportunities.revoke_api_key('key_aaaaaaaaaaaa')");
	refused_case("web_anon: list_api_keys refused (42501)",
				 "SELECT * FROM opportunities.list_api_keys()");
	refused_case("web_anon: is_valid_status refused (42501)",
				 "SELECT opportunities.is_valid_status('new')");
	refused_case("web_anon: cannot turn opportunities.auth off (42501)",
				 "SELECT set_config('opportunities.auth', 'none', false)");
	must_exec(api, "RESET ROLE");

	begin_case();
	expect_rows(before, count_rows(admin), 0);
	res = must(admin, "SELECT count(*), count(revoked_at) FROM opportunities.api_keys",
			   0, NULL);
	if (strtol(PQgetvalue(res, 0, 0), NULL, 10) * 1000 +
		strtol(PQgetvalue(res, 0, 1), NULL, 10) != keys_before)
		fail("the refused statements changed opportunities.api_keys");
	PQclear(res);
	end_case("refused statements changed no row");
}

int
main(void)
{
	char	   *password;
	char	   *write_key;
	char	   *read_key;
	char	   *expired_key;
	char	   *revoked_key;
	char	   *id;
	const char *params[1];
	PGresult   *res;

	password = setup();

	write_key = make_key("replay writer", "{opportunities:read,opportunities:write}",
						 false, &id);
	free(id);
	read_key = make_key("replay reader", "{opportunities:read}", false, &id);
	free(id);
	expired_key = make_key("replay expired", "{opportunities:write}", true, &id);
	params[0] = id;
	res = must(admin, "UPDATE opportunities.api_keys"
			   " SET expires_at = now() - interval '1 day' WHERE id = $1",
			   1, params);
	if (strcmp(PQcmdTuples(res), "1") != 0)
		die("could not expire key %s", id);
	PQclear(res);
	free(id);
	revoked_key = make_key("replay revoked", "{opportunities:write}", false, &id);
	params[0] = id;
	res = must(admin, "SELECT opportunities.revoke_api_key($1)", 1, params);
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		die("revoke_api_key(%s) did not revoke", id);
	PQclear(res);
	free(id);

	api = connect_db("authenticator", password, DBNAME);
	res = must(api, "SHOW TimeZone", 0, NULL);
	if (strcmp(PQgetvalue(res, 0, 0), SESSION_TIMEZONE) != 0)
		die("the API session's TimeZone is %s, not " SESSION_TIMEZONE,
			PQgetvalue(res, 0, 0));
	PQclear(res);

	requests(write_key, read_key, expired_key, revoked_key);
	least_privilege();

	printf("replay: %d cases, %d failed\n", ncases, nfailed);
	PQfinish(api);
	PQfinish(admin);
	free(password);
	free(write_key);
	free(read_key);
	free(expired_key);
	free(revoked_key);
	return nfailed == 0 ? 0 : 1;
}
