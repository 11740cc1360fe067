/*-------------------------------------------------------------------------
 *
 * opp_id.h
 *	  Random identifiers: opportunity ids and API key material.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OPP_ID_H
#define OPP_ID_H

#include "postgres.h"

#include "fields.h"

/*
 * How many ids to draw for one row before giving up: ids are 62 random bits,
 * so a collision twice in a row already means a broken RNG.
 */
#define OPP_MAX_ID_ATTEMPTS		8

/* GUC opportunities.debug_repeat_id: exercise the collision retry */
extern bool opp_debug_repeat_id;

/* n characters of [0-9a-z] from pg_strong_random, uniformly */
extern void opp_random_base36(char *out, size_t n);

/* The same for secrets: drawn fresh, never from the pool ids use */
extern void opp_secret_base36(char *out, size_t n);

/*
 * A new opportunity id in out (OPP_ID_LEN + 1 bytes).  retry says the
 * previous id collided: only a first attempt may repeat an id under
 * opportunities.debug_repeat_id.
 */
extern void opp_new_opportunity_id(char *out, bool retry);

#endif							/* OPP_ID_H */
