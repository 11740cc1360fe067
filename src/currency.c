/*-------------------------------------------------------------------------
 *
 * currency.c
 *	  The deal_currency rule: an ISO 4217 alphabetic code in any letter
 *	  case, looked up in the list generated from iso-codes.
 *
 * iso4217_codes.h is generated at build time by tools/gen-iso4217-codes
 * from Debian's iso-codes, so the list follows that maintained source
 * instead of being typed by hand.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "validators.h"
#include "iso4217_codes.h"

static int
compare_codes(const void *key, const void *entry)
{
	return strcmp((const char *) key, (const char *) entry);
}

const char *
opp_currency_lookup(const char *s, size_t len)
{
	char		key[OPP_CURRENCY_CODE_LEN + 1];
	size_t		i;

	if (len != OPP_CURRENCY_CODE_LEN)
		return NULL;

	/* ASCII only, not toupper(): the result must not depend on the locale */
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		else if (c < 'A' || c > 'Z')
			return NULL;
		key[i] = (char) c;
	}
	key[len] = '\0';

	return bsearch(key, opp_iso4217_codes,
				   sizeof(opp_iso4217_codes) / sizeof(opp_iso4217_codes[0]),
				   sizeof(opp_iso4217_codes[0]), compare_codes);
}
