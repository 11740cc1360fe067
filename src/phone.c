/*-------------------------------------------------------------------------
 *
 * phone.c
 *	  The phone rule: an international (E.164) number, accepted with the
 *	  usual human separators and stored as '+' and digits only.
 *
 * Only ASCII digits count: other scripts' digits (Arabic-Indic, fullwidth)
 * would pass a Unicode-aware isdigit but do not dial.  Separators are
 * skipped wherever they appear; their layout carries no meaning we keep.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "validators.h"

static bool
is_separator(unsigned char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

size_t
opp_phone_normalize(const char *s, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *) s;
	char		digits[OPP_PHONE_MAX_DIGITS];
	size_t		ndigits = 0;
	size_t		i;

	if (len == 0 || p[0] != '+')
		return 0;

	for (i = 1; i < len; i++)
	{
		if (p[i] >= '0' && p[i] <= '9')
		{
			if (ndigits == OPP_PHONE_MAX_DIGITS)
				return 0;
			digits[ndigits++] = (char) p[i];
		}
		else if (!is_separator(p[i]))
			return 0;
	}

	/* Country codes never start with 0 (that is a trunk prefix) */
	if (ndigits < OPP_PHONE_MIN_DIGITS || digits[0] == '0')
		return 0;

	/* out is only touched on success, so a rejected input leaves no trace */
	out[0] = '+';
	memcpy(out + 1, digits, ndigits);
	out[1 + ndigits] = '\0';
	return 1 + ndigits;
}
