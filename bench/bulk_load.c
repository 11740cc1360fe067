/*-------------------------------------------------------------------------
 *
 * bulk_load.c
 *	  bench/run's bulk client: send each line of a file (one JSON array of
 *	  opportunities) to create_opportunities the way PostgREST sends a
 *	  request body, as a text parameter of one statement,
 *
 *	      SELECT opportunities.create_opportunities($1::jsonb)
 *
 *	  each in its own transaction, and check every answer is a success.
 *
 *	  bulk_load FILE        (connection from the PG* environment)
 *
 * psql could only send the body as a literal in the statement text, which
 * both psql and the server would scan character by character: a cost of
 * psql, not of the API, that PostgREST does not pay.  Answers are received
 * whole and dropped, as PostgREST would relay them.  Exits 1 on any
 * failure.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpq-fe.h"

static const char call[] = "SELECT opportunities.create_opportunities($1::jsonb)";
static const char success_prefix[] = "{\"data\": [";
static const char success_suffix[] = "], \"success\": true}";

int
main(int argc, char **argv)
{
	FILE	   *in;
	PGconn	   *conn;
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	long		calls = 0;

	if (argc != 2)
	{
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 1;
	}
	in = fopen(argv[1], "r");
	if (in == NULL)
	{
		perror(argv[1]);
		return 1;
	}
	conn = PQconnectdb("application_name=bench_bulk_load");
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "bulk_load: %s", PQerrorMessage(conn));
		return 1;
	}

	while ((len = getline(&line, &cap, in)) > 0)
	{
		const char *params[1];
		PGresult   *res;
		const char *answer;
		size_t		alen;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		params[0] = line;
		res = PQexecParams(conn, call, 1, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		{
			fprintf(stderr, "bulk_load: call %ld failed: %s", calls + 1,
					PQerrorMessage(conn));
			return 1;
		}
		answer = PQgetvalue(res, 0, 0);
		alen = strlen(answer);
		if (alen < sizeof(success_prefix) + sizeof(success_suffix) ||
			strncmp(answer, success_prefix, sizeof(success_prefix) - 1) != 0 ||
			strcmp(answer + alen - (sizeof(success_suffix) - 1),
				   success_suffix) != 0)
		{
			fprintf(stderr, "bulk_load: call %ld was not a success: %.200s\n",
					calls + 1, answer);
			return 1;
		}
		PQclear(res);
		calls++;
	}
	if (ferror(in))
	{
		perror(argv[1]);
		return 1;
	}
	free(line);
	fclose(in);
	PQfinish(conn);
	if (calls == 0)
	{
		fprintf(stderr, "bulk_load: %s holds no batches\n", argv[1]);
		return 1;
	}
	return 0;
}
