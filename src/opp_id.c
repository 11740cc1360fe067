/*-------------------------------------------------------------------------
 *
 * opp_id.c
 *	  Random identifiers drawn from pg_strong_random.
 *
 * Bytes are mapped to [0-9a-z] by rejection sampling (base36.c), so every
 * character is uniform; 12 of them give ~62 bits per opportunity id.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "opp_id.h"

bool		opp_debug_repeat_id = false;

/* The last id handed out in this backend, for debug_repeat_id */
static char last_id[OPP_ID_LEN + 1];

void
opp_random_base36(char *out, size_t n)
{
	size_t		have = 0;

	while (have < n)
	{
		unsigned char bytes[32];

		/* ask for a little more than needed: 1.6% of bytes are rejected */
		size_t		nbytes = Min(sizeof(bytes), n - have + 4);

		if (!pg_strong_random(bytes, nbytes))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate random identifier")));
		have += opp_base36_from_random(bytes, nbytes, out + have, n - have);
	}
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
