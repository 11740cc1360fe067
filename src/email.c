/*-------------------------------------------------------------------------
 *
 * email.c
 *	  The e-mail address rule: WHATWG's "valid e-mail address" (the syntax
 *	  browsers check for <input type=email>), with a dotted domain and the
 *	  254-character limit of a forward path.
 *
 * The WHATWG syntax is pure ASCII, so anything else (zero-width spaces,
 * look-alike letters from other scripts) fails it, and bytes equal
 * characters for the length limit.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "validators.h"

/* Longest DNS label */
#define MAX_LABEL_LEN	63

/* atext punctuation of the local part; WHATWG also allows '.' anywhere */
static const char local_punct[] = ".!#$%&'*+/=?^_`{|}~-";

static bool
is_ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') ||
		(c >= 'A' && c <= 'Z') ||
		(c >= 'a' && c <= 'z');
}

static bool
is_local_char(unsigned char c)
{
	/* memchr, not strchr: strchr would find a NUL byte in the terminator */
	return is_ascii_alnum(c) ||
		memchr(local_punct, c, sizeof(local_punct) - 1) != NULL;
}

/*
 * Dot-separated labels of 1..63 letters, digits and '-', each starting and
 * ending with a letter or digit; at least two labels.
 */
static bool
domain_is_valid(const unsigned char *d, size_t len)
{
	size_t		start = 0;
	int			nlabels = 0;

	for (;;)
	{
		size_t		end = start;
		size_t		i;

		while (end < len && d[end] != '.')
			end++;
		if (end == start || end - start > MAX_LABEL_LEN)
			return false;
		if (!is_ascii_alnum(d[start]) || !is_ascii_alnum(d[end - 1]))
			return false;
		for (i = start + 1; i < end - 1; i++)
		{
			if (!is_ascii_alnum(d[i]) && d[i] != '-')
				return false;
		}
		nlabels++;

		if (end == len)
			break;
		start = end + 1;		/* an empty final label fails above */
	}
	return nlabels >= 2;
}

bool
opp_email_is_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		at = 0;

	if (len == 0 || len > OPP_EMAIL_MAX_CHARS)
		return false;

	while (at < len && is_local_char(p[at]))
		at++;
	if (at == 0 || at == len || p[at] != '@')
		return false;

	/* '@' is not a label character, so a second one fails here */
	return domain_is_valid(p + at + 1, len - at - 1);
}
