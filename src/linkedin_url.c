/*-------------------------------------------------------------------------
 *
 * linkedin_url.c
 *	  The linkedin_url rule: an absolute http(s) URL whose host is
 *	  linkedin.com or one of its subdomains.
 *
 * This is not a general URL parser.  It accepts a deliberately narrow
 * shape, so that every parser that later sees the stored value (browsers,
 * WHATWG or RFC 3986 libraries) agrees on the host: no userinfo or port
 * that could move the host boundary, no backslash (which browsers read as
 * '/'), no white space or controls that some parsers strip, and a host
 * spelled only in ASCII letters, digits, '-' and '.', so that no
 * percent-encoding, IDN or look-alike letter can hide another domain.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "validators.h"

/* Longest UTF-8 encoding of one character */
#define UTF8_MAX_CHAR_LEN	4

static const char linkedin_domain[] = "linkedin.com";

#define LINKEDIN_DOMAIN_LEN	(sizeof(linkedin_domain) - 1)

static unsigned char
ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Does s[0..n) equal the lower-case ASCII string lower, ignoring case? */
static bool
equals_ignore_case(const char *s, const char *lower, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (ascii_lower((unsigned char) s[i]) != (unsigned char) lower[i])
			return false;
	}
	return true;
}

/*
 * Anything no part of the URL may hold: ASCII space and controls, DEL,
 * backslash, C1 controls and Unicode white space.
 */
static bool
has_forbidden_chars(const char *s, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x21 || c == 0x7F || c == '\\')
			return true;

		/*
		 * Non-ASCII white space (U+00A0, U+2028, U+3000...): opp_trim moves
		 * the start of a slice exactly when the slice starts with white
		 * space, and the slice is long enough to hold any one character.
		 */
		if (c >= 0x80)
		{
			size_t		n = len - i;

			if (n > UTF8_MAX_CHAR_LEN)
				n = UTF8_MAX_CHAR_LEN;
			if (opp_trim(s + i, &n) != s + i)
				return true;
		}
	}
	return opp_has_control_chars(s, len);
}

/*
 * Non-empty dot-separated labels of [A-Za-z0-9-], ending in linkedin.com.
 * The character set alone excludes userinfo ('@'), a port (':'), IPv6
 * literals, percent-encoding and every non-ASCII letter.
 */
static bool
host_is_linkedin(const char *host, size_t len)
{
	size_t		label_len = 0;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) host[i];

		if (c == '.')
		{
			if (label_len == 0)
				return false;
			label_len = 0;
		}
		else if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
				 (c >= 'a' && c <= 'z') || c == '-')
			label_len++;
		else
			return false;
	}
	/* also rejects an empty host and a trailing dot */
	if (label_len == 0)
		return false;

	if (len < LINKEDIN_DOMAIN_LEN ||
		!equals_ignore_case(host + len - LINKEDIN_DOMAIN_LEN, linkedin_domain,
							LINKEDIN_DOMAIN_LEN))
		return false;
	/* linkedin.com itself, or a subdomain: not notlinkedin.com */
	return len == LINKEDIN_DOMAIN_LEN ||
		host[len - LINKEDIN_DOMAIN_LEN - 1] == '.';
}

bool
opp_linkedin_url_is_valid(const char *s, size_t len)
{
	size_t		pos;
	size_t		host_start;

	if (opp_utf8_length(s, len) > OPP_LINKEDIN_URL_MAX_CHARS)
		return false;
	if (has_forbidden_chars(s, len))
		return false;

	if (len >= 5 && equals_ignore_case(s, "https", 5))
		pos = 5;
	else if (len >= 4 && equals_ignore_case(s, "http", 4))
		pos = 4;
	else
		return false;

	/*
	 * Parsers disagree on "https:host" and "https:/host" (WHATWG repairs
	 * them, RFC 3986 reads a path), so demand "://".
	 */
	if (len - pos < 3 || memcmp(s + pos, "://", 3) != 0)
		return false;
	pos += 3;

	host_start = pos;
	while (pos < len && s[pos] != '/' && s[pos] != '?' && s[pos] != '#')
		pos++;
	return host_is_linkedin(s + host_start, pos - host_start);
}
