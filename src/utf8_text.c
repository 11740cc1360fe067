/*-------------------------------------------------------------------------
 *
 * utf8_text.c
 *	  Character-level helpers for request strings: trimming Unicode white
 *	  space, counting characters and spotting control characters.
 *
 * The contract counts lengths in characters and trims all Unicode white
 * space, not just ASCII, so these work on code points.  Input is expected
 * to be valid UTF-8, but every byte sequence is handled: a byte that does
 * not start a well-formed sequence (bad lead byte, stray continuation byte,
 * truncated, overlong or surrogate sequence) counts as one character of its
 * own that is neither white space nor a control character.
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>

#include "validators.h"

/* Longest UTF-8 encoding of one code point */
#define UTF8_MAX_CHAR_LEN	4

/* Code point reported for a byte that does not start a valid sequence */
#define NOT_A_CHAR			UINT32_MAX

/*
 * Decode the character at p, reading at most avail (>= 1) bytes.  Stores
 * its code point in *cp and returns its length in bytes; an ill-formed
 * sequence yields NOT_A_CHAR and length 1, so callers always advance.
 */
static size_t
utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp)
{
	uint32_t	c;
	uint32_t	min;
	size_t		n;
	size_t		i;

	if (p[0] < 0x80)
	{
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xE0) == 0xC0)
	{
		n = 2;
		c = p[0] & 0x1F;
		min = 0x80;
	}
	else if ((p[0] & 0xF0) == 0xE0)
	{
		n = 3;
		c = p[0] & 0x0F;
		min = 0x800;
	}
	else if ((p[0] & 0xF8) == 0xF0)
	{
		n = 4;
		c = p[0] & 0x07;
		min = 0x10000;
	}
	else
	{
		*cp = NOT_A_CHAR;
		return 1;
	}

	if (n > avail)
	{
		*cp = NOT_A_CHAR;
		return 1;
	}
	for (i = 1; i < n; i++)
	{
		if ((p[i] & 0xC0) != 0x80)
		{
			*cp = NOT_A_CHAR;
			return 1;
		}
		c = (c << 6) | (p[i] & 0x3F);
	}

	/* Overlong forms and surrogates would let one character pose as another */
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
	{
		*cp = NOT_A_CHAR;
		return 1;
	}
	*cp = c;
	return n;
}

/* Unicode's White_Space property (PropList.txt) */
static bool
is_white_space(uint32_t c)
{
	return c == 0x20 ||
		(c >= 0x09 && c <= 0x0D) ||
		c == 0x85 ||
		c == 0xA0 ||
		c == 0x1680 ||
		(c >= 0x2000 && c <= 0x200A) ||
		c == 0x2028 ||
		c == 0x2029 ||
		c == 0x202F ||
		c == 0x205F ||
		c == 0x3000;
}

const char *
opp_trim(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		n = *len;
	bool		stripped;

	while (n > 0)
	{
		uint32_t	c;
		size_t		clen = utf8_decode(p, n, &c);

		if (!is_white_space(c))
			break;
		p += clen;
		n -= clen;
	}

	/*
	 * From the end, try each possible length of a final character.  A white
	 * space character never starts with a continuation byte, so a suffix
	 * that decodes as one is a real character, not the tail of a longer one.
	 */
	do
	{
		size_t		clen;

		stripped = false;
		for (clen = 1; clen <= UTF8_MAX_CHAR_LEN && clen <= n; clen++)
		{
			uint32_t	c;

			if (utf8_decode(p + n - clen, clen, &c) == clen &&
				is_white_space(c))
			{
				n -= clen;
				stripped = true;
				break;
			}
		}
	} while (stripped);

	*len = n;
	return (const char *) p;
}

size_t
opp_utf8_length(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		count = 0;

	while (len > 0)
	{
		uint32_t	c;
		size_t		clen = utf8_decode(p, len, &c);

		p += clen;
		len -= clen;
		count++;
	}
	return count;
}

static bool
has_controls(const char *s, size_t len, bool allow_line_breaks)
{
	const unsigned char *p = (const unsigned char *) s;

	while (len > 0)
	{
		uint32_t	c;
		size_t		clen = utf8_decode(p, len, &c);

		bool		layout = c == '\t' || c == '\n' || c == '\r';

		if ((c < 0x20 && !(allow_line_breaks && layout)) ||
			c == 0x7F || (c >= 0x80 && c <= 0x9F))
			return true;
		p += clen;
		len -= clen;
	}
	return false;
}

bool
opp_has_control_chars(const char *s, size_t len)
{
	return has_controls(s, len, false);
}

bool
opp_has_control_chars_multiline(const char *s, size_t len)
{
	return has_controls(s, len, true);
}
