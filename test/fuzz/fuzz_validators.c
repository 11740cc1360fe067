/*-------------------------------------------------------------------------
 *
 * fuzz_validators.c
 *	  libFuzzer harness for the pure validators (src/validators.h).
 *
 * Feeds each input, raw and trimmed, to every validator and abort()s when
 * a verdict breaks a property the contract promises (a normalised phone is
 * '+' and 8..15 digits, an accepted URL's host is linkedin.com, ...).  The
 * sanitizers catch reads outside the input: the trimmed range is copied to
 * a heap block of its exact size first.
 *
 * Built and run from test/unit/Makefile: "make fuzz", "make fuzz-run".
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validators.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "invariant failed at line %d: %s\n", \
					__LINE__, #cond); \
			abort(); \
		} \
	} while (0)

static unsigned char
ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static bool
is_trimmed(const char *s, size_t len)
{
	size_t		n = len;

	return opp_trim(s, &n) == s && n == len;
}

static void
check_text(const char *s, size_t len)
{
	size_t		n = len;
	const char *t = opp_trim(s, &n);
	size_t		chars = opp_utf8_length(s, len);
	bool		ascii_control = false;
	size_t		i;

	/* The trimmed range lies inside the input and trimming is idempotent */
	check(t >= s && t <= s + len && n <= len - (size_t) (t - s));
	check(is_trimmed(t, n));
	check(opp_utf8_length(t, n) <= chars);

	/* Every character is 1..4 bytes */
	check(chars <= len && chars >= (len + 3) / 4);

	/* An ASCII control byte is always a character of its own */
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7F)
			ascii_control = true;
	}
	if (ascii_control)
		check(opp_has_control_chars(s, len));
	/* ... and a C1 control is encoded as 0xC2 0x80..0x9F */
	if (opp_has_control_chars(s, len) && !ascii_control)
		check(memchr(s, 0xC2, len) != NULL);
	/* the multi-line check only lets tab, LF and CR through */
	if (opp_has_control_chars_multiline(s, len))
		check(opp_has_control_chars(s, len));
	else if (opp_has_control_chars(s, len))
		check(memchr(s, '\t', len) || memchr(s, '\n', len) || memchr(s, '\r', len));
}

static void
check_email(const char *s, size_t len)
{
	const char *at;
	size_t		i;

	if (!opp_email_is_valid(s, len))
		return;

	check(len >= 5 && len <= OPP_EMAIL_MAX_CHARS);
	at = memchr(s, '@', len);
	check(at != NULL && at > s && memchr(at + 1, '@', len - (at - s) - 1) == NULL);
	check(memchr(at + 1, '.', len - (at - s) - 1) != NULL);
	for (i = 0; i < len; i++)
		check((unsigned char) s[i] > 0x20 && (unsigned char) s[i] < 0x7F);
	check(s[len - 1] != '.' && s[len - 1] != '-');
	check(is_trimmed(s, len));
}

static void
check_phone(const char *s, size_t len)
{
	char		out[OPP_PHONE_NORMALIZED_SIZE];
	size_t		r = opp_phone_normalize(s, len, out);
	size_t		d = 1;
	size_t		i;

	if (r == 0)
		return;

	/* ^\+[1-9][0-9]{7,14}$ */
	check(r >= 1 + OPP_PHONE_MIN_DIGITS && r <= 1 + OPP_PHONE_MAX_DIGITS);
	check(out[0] == '+' && out[r] == '\0' && strlen(out) == r);
	check(out[1] >= '1' && out[1] <= '9');
	for (i = 2; i < r; i++)
		check(out[i] >= '0' && out[i] <= '9');

	/* The digits are the input's ASCII digits, in order */
	check(len > 0 && s[0] == '+');
	for (i = 1; i < len; i++)
	{
		if (s[i] >= '0' && s[i] <= '9')
		{
			check(d < r && out[d] == s[i]);
			d++;
		}
		else
			check(strchr(" -.()", s[i]) != NULL && s[i] != '\0');
	}
	check(d == r);
}

static void
check_url(const char *s, size_t len)
{
	size_t		start;
	size_t		end;
	size_t		i;
	static const char domain[] = "linkedin.com";
	const size_t dlen = sizeof(domain) - 1;

	if (!opp_linkedin_url_is_valid(s, len))
		return;

	check(opp_utf8_length(s, len) <= OPP_LINKEDIN_URL_MAX_CHARS);
	check(!opp_has_control_chars(s, len));
	check(is_trimmed(s, len));
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		check(c > 0x20 && c != 0x7F && c != '\\');
	}

	if (len > 8 && ascii_lower((unsigned char) s[4]) == 's')
		start = 8;
	else
		start = 7;
	check(len >= start && memcmp(s + start - 3, "://", 3) == 0);
	for (i = 0; i < 4; i++)
		check(ascii_lower((unsigned char) s[i]) == "http"[i]);

	end = start;
	while (end < len && s[end] != '/' && s[end] != '?' && s[end] != '#')
		end++;
	check(end - start >= dlen);
	for (i = start; i < end; i++)
	{
		unsigned char c = (unsigned char) s[i];

		check(c != '@' && c != ':' && c != '%' && c < 0x80);
	}
	for (i = 0; i < dlen; i++)
		check(ascii_lower((unsigned char) s[end - dlen + i]) == domain[i]);
	check(end - start == dlen || s[end - dlen - 1] == '.');
}

static void
check_currency(const char *s, size_t len)
{
	const char *code = opp_currency_lookup(s, len);
	size_t		i;

	if (code == NULL)
		return;

	check(len == OPP_CURRENCY_CODE_LEN && strlen(code) == len);
	for (i = 0; i < len; i++)
	{
		check(code[i] >= 'A' && code[i] <= 'Z');
		check(ascii_lower((unsigned char) s[i]) ==
			  ascii_lower((unsigned char) code[i]));
	}
	check(opp_currency_lookup(code, len) == code);
}

static void
check_base36(const unsigned char *bytes, size_t nbytes)
{
	char		out[64];
	size_t		want = nbytes > 0 ? bytes[0] % sizeof(out) : 0;
	size_t		n;
	size_t		accepted = 0;
	size_t		i;

	memset(out, '#', sizeof(out));
	n = opp_base36_from_random(bytes, nbytes, out, want);
	check(n <= want);
	for (i = n; i < sizeof(out); i++)
		check(out[i] == '#');

	/* Exactly the bytes below 252, in order, each mapped to byte % 36 */
	for (i = 0; i < nbytes && accepted < n; i++)
	{
		if (bytes[i] >= 252)
			continue;
		check(out[accepted] == "0123456789abcdefghijklmnopqrstuvwxyz"[bytes[i] % 36]);
		accepted++;
	}
	check(accepted == n);
	if (n < want)
	{
		for (; i < nbytes; i++)
			check(bytes[i] >= 252);
	}
}

static void
check_all(const char *s, size_t len)
{
	check_text(s, len);
	check_email(s, len);
	check_phone(s, len);
	check_url(s, len);
	check_currency(s, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	size_t		n = size;
	const char *t = opp_trim(s, &n);
	char	   *copy;

	check_all(s, size);
	check_base36(data, size);

	/* What the server does: trim, then validate the trimmed string */
	copy = malloc(n);
	if (copy == NULL && n > 0)
		abort();
	if (n > 0)
		memcpy(copy, t, n);
	check_all(copy, n);
	free(copy);
	return 0;
}
