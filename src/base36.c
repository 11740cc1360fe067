/*-------------------------------------------------------------------------
 *
 * base36.c
 *	  Turn random bytes into the [0-9a-z] characters of opportunity ids.
 *
 * byte % 36 alone would favour the first 256 % 36 = 4 digits (8 byte
 * values each instead of 7).  Discarding bytes >= 252, the largest
 * multiple of 36 that fits in a byte, leaves every digit exactly 7 byte
 * values, so the ids stay uniform.
 *
 *-------------------------------------------------------------------------
 */
#include "validators.h"

static const char base36_digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

#define BASE36_RADIX	(sizeof(base36_digits) - 1)
#define BASE36_LIMIT	(256 - 256 % BASE36_RADIX)

size_t
opp_base36_from_random(const unsigned char *bytes, size_t nbytes,
					   char *out, size_t want)
{
	size_t		n = 0;
	size_t		i;

	for (i = 0; i < nbytes && n < want; i++)
	{
		if (bytes[i] >= BASE36_LIMIT)
			continue;
		out[n++] = base36_digits[bytes[i] % BASE36_RADIX];
	}
	return n;
}
