/*-------------------------------------------------------------------------
 *
 * opp_id.c
 *	  Random identifiers drawn from pg_strong_random.
 *
 * Bytes are mapped to [0-9a-z] by rejection sampling (base36.c), so every
 * character is uniform; 12 of them give ~62 bits per opportunity id.
 *
 * Ids are public, so they come from a pool filled a block at a time: one
 * pg_strong_random call per id cost more than everything else about making
 * it.  Every pooled byte is used once and then zeroed.  API key material is
 * secret and never pooled: it is drawn fresh for each key and wiped from
 * this file's buffers after use.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "opp_id.h"

bool		opp_debug_repeat_id = false;

/* The last id handed out in this backend, for debug_repeat_id */
static char last_id[OPP_ID_LEN + 1];

/*
 * Unused random bytes for ids, about 80 of them.  Filled in the backend
 * that uses them, never in the postmaster, so forked backends never share
 * any.
 */
static unsigned char pool[1024];
static size_t pool_next = sizeof(pool);

static void
strong_random(void *buf, size_t len)
{
	if (!pg_strong_random(buf, len))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random identifier")));
}

void
opp_random_base36(char *out, size_t n)
{
	size_t		have = 0;

	while (have < n)
	{
		size_t		take;

		if (pool_next == sizeof(pool))
		{
			strong_random(pool, sizeof(pool));
			pool_next = 0;
		}
		/* one byte per missing character; rejected bytes leave a gap */
		take = Min(sizeof(pool) - pool_next, n - have);
		have += opp_base36_from_random(pool + pool_next, take, out + have,
									   n - have);
		/* used bytes are part of ids now: keep no copy */
		explicit_bzero(pool + pool_next, take);
		pool_next += take;
	}
}

void
opp_secret_base36(char *out, size_t n)
{
	unsigned char bytes[64];
	size_t		have = 0;

	while (have < n)
	{
		/* 64 bytes all but always give a key its 32 characters */
		strong_random(bytes, sizeof(bytes));
		have += opp_base36_from_random(bytes, sizeof(bytes), out + have,
									   n - have);
	}
	explicit_bzero(bytes, sizeof(bytes));
}

void
opp_new_opportunity_id(char *out, bool retry)
{
	if (opp_debug_repeat_id && !retry && last_id[0] != '\0')
	{
		memcpy(out, last_id, sizeof(last_id));
		return;
	}
	memcpy(out, OPP_ID_PREFIX, OPP_ID_PREFIX_LEN);
	opp_random_base36(out + OPP_ID_PREFIX_LEN, OPP_ID_RANDOM_LEN);
	out[OPP_ID_LEN] = '\0';
	memcpy(last_id, out, sizeof(last_id));
}
