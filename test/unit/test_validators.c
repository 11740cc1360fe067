/*-------------------------------------------------------------------------
 *
 * test_validators.c
 *	  Unit tests for the pure validators (src/validators.h), printed as TAP.
 *
 * Built and run by test/unit/Makefile, once with gcc and once under
 * AddressSanitizer and UBSan.  Every input is copied into a heap block of
 * exactly its length before a validator sees it, so the sanitized run
 * catches any read outside [s, s + len).
 *
 * The Makefile writes expected_codes.h, the alphabetic codes it read from
 * iso_4217.json on its own, to check the generated table against.
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validators.h"
#include "expected_codes.h"		/* EXPECTED_CODE_LIST "AED AFN ..." */

/* A string literal as pointer and length, embedded NULs included */
#define S(lit) (lit), (sizeof(lit) - 1)

#define lengthof(array) (sizeof(array) / sizeof((array)[0]))

/* Big enough for every string the tests build */
#define BUF_SIZE 16384

static int	ntests = 0;
static int	nfailed = 0;

static void ok(bool cond, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
ok(bool cond, const char *fmt,...)
{
	va_list		args;

	ntests++;
	if (!cond)
		nfailed++;
	printf("%sok %d - ", cond ? "" : "not ", ntests);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	putchar('\n');
}

/*
 * Printable rendering of an input for test descriptions: non-printable and
 * non-ASCII bytes as \xNN, long inputs cut short.  Rotates between a few
 * buffers so one description can show several inputs.
 */
static const char *
show(const char *s, size_t len)
{
	static char bufs[4][200];
	static int	next = 0;
	char	   *buf = bufs[next++ % 4];
	size_t		o = 0;
	size_t		i;

	for (i = 0; i < len && o < 150; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 0x20 && c < 0x7F && c != '\\')
			buf[o++] = (char) c;
		else
			o += (size_t) sprintf(buf + o, "\\x%02X", c);
	}
	if (i < len)
		sprintf(buf + o, "...(%zu bytes)", len);
	else
		buf[o] = '\0';
	return buf;
}

/* A heap copy of exactly len bytes, so sanitizers see any overread */
static char *
copy_exact(const char *s, size_t len)
{
	char	   *copy = malloc(len);

	if (copy == NULL && len > 0)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	if (len > 0)
		memcpy(copy, s, len);
	return copy;
}

/* Append the UTF-8 encoding of code point c to buf at *pos. */
static void
put_utf8(char *buf, size_t *pos, uint32_t c)
{
	unsigned char *p = (unsigned char *) buf + *pos;

	if (c < 0x80)
	{
		p[0] = (unsigned char) c;
		*pos += 1;
	}
	else if (c < 0x800)
	{
		p[0] = (unsigned char) (0xC0 | (c >> 6));
		p[1] = (unsigned char) (0x80 | (c & 0x3F));
		*pos += 2;
	}
	else if (c < 0x10000)
	{
		p[0] = (unsigned char) (0xE0 | (c >> 12));
		p[1] = (unsigned char) (0x80 | ((c >> 6) & 0x3F));
		p[2] = (unsigned char) (0x80 | (c & 0x3F));
		*pos += 3;
	}
	else
	{
		p[0] = (unsigned char) (0xF0 | (c >> 18));
		p[1] = (unsigned char) (0x80 | ((c >> 12) & 0x3F));
		p[2] = (unsigned char) (0x80 | ((c >> 6) & 0x3F));
		p[3] = (unsigned char) (0x80 | (c & 0x3F));
		*pos += 4;
	}
}

static void
put_ascii(char *buf, size_t *pos, const char *s)
{
	size_t		n = strlen(s);

	memcpy(buf + *pos, s, n);
	*pos += n;
}

static void
put_repeat(char *buf, size_t *pos, uint32_t c, size_t times)
{
	while (times-- > 0)
		put_utf8(buf, pos, c);
}

/* Validator wrappers working on exact-size copies */

/* Trim s; report the result as an offset into s and a length. */
static void
trim(const char *s, size_t len, size_t *offset, size_t *newlen)
{
	char	   *copy = copy_exact(s, len);
	size_t		n = len;
	const char *start = opp_trim(copy, &n);

	*offset = (size_t) (start - copy);
	*newlen = n;
	if (*offset > len || n > len - *offset)
	{
		printf("# opp_trim returned a range outside its input\n");
		abort();
	}
	free(copy);
}

static bool
trims_to(const char *s, size_t len, size_t offset, size_t newlen)
{
	size_t		o;
	size_t		n;

	trim(s, len, &o, &n);
	return o == offset && n == newlen;
}

static size_t
utf8_length(const char *s, size_t len)
{
	char	   *copy = copy_exact(s, len);
	size_t		n = opp_utf8_length(copy, len);

	free(copy);
	return n;
}

/* A yes/no validator, called on an exact-size copy of s */
static bool
check_exact(bool (*check) (const char *, size_t), const char *s, size_t len)
{
	char	   *copy = copy_exact(s, len);
	bool		r = check(copy, len);

	free(copy);
	return r;
}

static bool
has_controls(const char *s, size_t len)
{
	return check_exact(opp_has_control_chars, s, len);
}

static bool
has_controls_multiline(const char *s, size_t len)
{
	return check_exact(opp_has_control_chars_multiline, s, len);
}

static bool
email_valid(const char *s, size_t len)
{
	return check_exact(opp_email_is_valid, s, len);
}

static bool
url_valid(const char *s, size_t len)
{
	return check_exact(opp_linkedin_url_is_valid, s, len);
}

/* Normalise into out; returns the validator's result. */
static size_t
phone(const char *s, size_t len, char *out)
{
	char	   *copy = copy_exact(s, len);
	size_t		r = opp_phone_normalize(copy, len, out);

	free(copy);
	return r;
}

static const char *
currency(const char *s, size_t len)
{
	char	   *copy = copy_exact(s, len);
	const char *r = opp_currency_lookup(copy, len);

	free(copy);
	return r;
}

/* utf8_text.c */

/* Unicode White_Space, as listed in validators.h */
static const uint32_t white_space[] = {
	0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0xA0, 0x1680,
	0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007,
	0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000
};

/* Space-like or invisible characters that are not White_Space */
static const uint32_t not_white_space[] = {
	0x00, 0x1C, 0x1D, 0x1E, 0x1F, 0xAD, 0x180E, 0x200B, 0x200C, 0x200D,
	0x2060, 0xFEFF, 0x3164
};

static void
test_trim(void)
{
	char		buf[64];
	size_t		i;
	size_t		o;
	size_t		n;

	ok(trims_to(S(""), 0, 0), "trim: empty string stays empty");
	ok(trims_to(S("abc"), 0, 3), "trim: nothing to strip");
	ok(trims_to(S("  a b  "), 2, 3), "trim: ASCII spaces at both ends, inner kept");
	ok(trims_to(S("\r\n\t a\nb \t\r\n"), 4, 3),
	   "trim: mixed ASCII white space, inner new line kept");

	for (i = 0; i < lengthof(white_space); i++)
	{
		size_t		len = 0;
		size_t		wlen;

		put_utf8(buf, &len, white_space[i]);
		wlen = len;
		ok(trims_to(buf, len, wlen, 0), "trim: U+%04X alone trims to empty",
		   (unsigned) white_space[i]);

		/* <ws>a<ws>b<ws><ws> -> a<ws>b */
		put_ascii(buf, &len, "a");
		put_utf8(buf, &len, white_space[i]);
		put_ascii(buf, &len, "b");
		put_utf8(buf, &len, white_space[i]);
		put_utf8(buf, &len, white_space[i]);
		ok(trims_to(buf, len, wlen, wlen + 2),
		   "trim: U+%04X stripped from both ends, kept inside",
		   (unsigned) white_space[i]);
	}

	for (i = 0; i < lengthof(not_white_space); i++)
	{
		size_t		len = 0;

		put_utf8(buf, &len, not_white_space[i]);
		put_ascii(buf, &len, "a");
		put_utf8(buf, &len, not_white_space[i]);
		ok(trims_to(buf, len, 0, len), "trim: U+%04X is not white space",
		   (unsigned) not_white_space[i]);
	}

	/* All the white space at once */
	{
		size_t		len = 0;

		for (i = 0; i < lengthof(white_space); i++)
			put_utf8(buf, &len, white_space[i]);
		trim(buf, len, &o, &n);
		ok(n == 0, "trim: a string of every white space character trims to empty");
	}

	/* Ill-formed UTF-8 is never taken for white space, nor read past */
	ok(trims_to(S("\xC2"), 0, 1), "trim: lone lead byte kept");
	ok(trims_to(S("a\xE2\x80"), 0, 3), "trim: truncated U+2000 prefix at end kept");
	ok(trims_to(S("\xE2\x80"), 0, 2), "trim: truncated U+2000 prefix alone kept");
	ok(trims_to(S("\xA0" "a\xA0"), 0, 3), "trim: stray continuation bytes kept");
	ok(trims_to(S("\xC0\xA0x\xC0\xA0"), 0, 5), "trim: overlong 2-byte space kept");
	ok(trims_to(S("\xE0\x80\xA0"), 0, 3), "trim: overlong 3-byte space kept");
	ok(trims_to(S("\xF0\x80\x80\xA0"), 0, 4), "trim: overlong 4-byte space kept");
	ok(trims_to(S("\x80\xC2\xA0"), 0, 1),
	   "trim: NBSP after a stray continuation byte is stripped");
	ok(trims_to(S("\xE2\xC2\xA0"), 0, 1),
	   "trim: NBSP after a broken lead byte is stripped");
	ok(trims_to(S("\xC2\xA0\xC2"), 2, 1),
	   "trim: leading NBSP stripped before a lone lead byte");
}

static void
test_utf8_length(void)
{
	char		buf[32];
	size_t		len = 0;

	ok(utf8_length(S("")) == 0, "utf8_length: empty is 0");
	ok(utf8_length(S("abc")) == 3, "utf8_length: ASCII counts bytes");
	ok(utf8_length(S("jo\xC3\xA3o")) == 4, "utf8_length: jo\\u00E3o is 4");
	ok(utf8_length(S("\xE2\x82\xAC")) == 1, "utf8_length: euro sign is 1");
	ok(utf8_length(S("\xF0\x9F\x98\x80")) == 1, "utf8_length: emoji is 1");
	ok(utf8_length(S("a\0b")) == 3, "utf8_length: NUL is a character");

	put_utf8(buf, &len, 0x7F);
	put_utf8(buf, &len, 0x80);
	put_utf8(buf, &len, 0x7FF);
	put_utf8(buf, &len, 0x800);
	put_utf8(buf, &len, 0xFFFF);
	put_utf8(buf, &len, 0x10000);
	put_utf8(buf, &len, 0x10FFFF);
	ok(len == 19 && utf8_length(buf, len) == 7,
	   "utf8_length: encoding-length boundaries U+007F..U+10FFFF");

	/* Ill-formed: each bad byte is one character, never more than len */
	ok(utf8_length(S("\xFF")) == 1, "utf8_length: 0xFF is 1");
	ok(utf8_length(S("\xC3")) == 1, "utf8_length: truncated 2-byte is 1");
	ok(utf8_length(S("\xE2\x82")) == 2, "utf8_length: truncated 3-byte is 2");
	ok(utf8_length(S("\xF0\x9F\x98")) == 3, "utf8_length: truncated 4-byte is 3");
	ok(utf8_length(S("\x80\x80")) == 2, "utf8_length: stray continuations are 2");
	ok(utf8_length(S("\xC0\xAF")) == 2, "utf8_length: overlong '/' is 2");
	ok(utf8_length(S("\xED\xA0\x80")) == 3, "utf8_length: surrogate is 3");
	ok(utf8_length(S("\xF4\x90\x80\x80")) == 4, "utf8_length: above U+10FFFF is 4");
	ok(utf8_length(S("\xC3" "a")) == 2,
	   "utf8_length: lead byte followed by ASCII is 2");
}

static void
test_control_chars(void)
{
	char		buf[16];
	uint32_t	c;

	/* Each C0 control, at the start, middle and end */
	for (c = 0; c < 0x20; c++)
	{
		char		str[3];
		bool		all = true;
		int			where;

		for (where = 0; where < 3; where++)
		{
			memcpy(str, "abc", 3);
			str[where] = (char) c;
			all = all && has_controls(str, 3);
		}
		ok(all, "control: C0 U+%04X found at start, middle and end", (unsigned) c);
	}
	ok(has_controls(S("a\x7F")), "control: DEL");

	for (c = 0x80; c <= 0x9F; c++)
	{
		size_t		len = 0;

		put_ascii(buf, &len, "x");
		put_utf8(buf, &len, c);
		put_ascii(buf, &len, "y");
		ok(has_controls(buf, len), "control: C1 U+%04X", (unsigned) c);
	}

	ok(!has_controls(S("")), "control: empty has none");
	ok(!has_controls(S("Jane Smith")), "control: plain ASCII has none");
	ok(!has_controls(S("jo\xC3\xA3o")), "control: jo\\u00E3o has none");
	ok(!has_controls(S("~\xC2\xA0")), "control: '~' and U+00A0 (next to DEL, C1) are not");
	ok(!has_controls(S("\xE2\x80\xA8")), "control: U+2028 is not a control");
	ok(!has_controls(S("\xE2\x80\x8B\xEF\xBB\xBF")), "control: U+200B, U+FEFF are not");

	/* Not well-formed, so not a C1 control (the server only passes UTF-8) */
	ok(!has_controls(S("\x85")), "control: stray byte 0x85 is not C1");
	ok(!has_controls(S("a\xC2")), "control: truncated C2 at end, no overread");
	ok(has_controls(S("\xC2\x0A")), "control: LF after a broken lead byte is found");

	/* Multi-line text (notes): tab, LF and CR are layout, nothing else is */
	ok(!has_controls_multiline(S("line 1\r\n\tline 2\n")),
	   "control multiline: tab, CR and LF allowed");
	ok(has_controls(S("line 1\nline 2")), "control: LF refused in one-line text");
	ok(has_controls_multiline(S("a\x1B[31mb")), "control multiline: ESC refused");
	ok(has_controls_multiline(S("a\x0B")), "control multiline: vertical tab refused");
	ok(has_controls_multiline(S("a\x7F")), "control multiline: DEL refused");
	ok(has_controls_multiline(S("a\xC2\x85")), "control multiline: C1 NEL refused");
	ok(!has_controls_multiline(S("")), "control multiline: empty has none");
}

/* email.c */

static const char *const valid_emails[] = {
	"jane.smith@example.com",
	"a@b.co",
	"JANE@EXAMPLE.COM",
	"user+tag@sub.example.co.uk",
	"x!#$%&'*+/=?^_`{|}~-@example.com",
	".a..b.@example.com",		/* WHATWG allows dots anywhere on the left */
	"a@a-b.example",
	"a@1.2.3.4",
	"a@xn--exmple-cua.com",
	"a@a--b.com",
};

static const char *const invalid_emails[] = {
	"@example.com",
	"jane@",
	"jane",
	"jane@example",
	"jane@@example.com",
	"jane@ex@ample.com",
	"jane@-example.com",
	"jane@example-.com",
	"jane@example.-com",
	"jane@example..com",
	"jane@.example.com",
	"jane@example.com.",
	"jane@.",
	"jane smith@example.com",
	"jane@exa mple.com",
	" jane@example.com",
	"jane@example.com ",
	"jane@example.com\n",
	"jane@exam_ple.com",
	"\"jane\"@example.com",
	"jane(comment)@example.com",
	"jane@[127.0.0.1]",
	"jane@example.com>",
	"<jane@example.com>",
	"jane\\@example.com",
	"jane,x@example.com",
	"jane;x@example.com",
	"jane:x@example.com",
	"j\xC3\xA9ne@example.com",	/* é */
	"jane@ex\xC3\xA4mple.com",	/* ä */
	"jane\xE2\x80\x8B@example.com", /* zero-width space */
	"jane@examp\xE2\x80\x8Ble.com",
	"j\xD0\xB0ne@example.com",	/* Cyrillic а */
	"jane@ex\xD0\xB0mple.com",
	"jane@example.c\xD0\xBEm",	/* Cyrillic о */
	"jane\xEF\xBC\xA0" "example.com",	/* fullwidth @ */
	"jane@example\xE3\x80\x82" "com",	/* ideographic full stop */
	"jane@example.com\xC2\xA0",
	"jane@example\xEF\xBC\x8E" "com",	/* fullwidth . */
};

static void
test_email(void)
{
	char		buf[BUF_SIZE];
	size_t		i;
	size_t		len;

	for (i = 0; i < lengthof(valid_emails); i++)
		ok(email_valid(valid_emails[i], strlen(valid_emails[i])),
		   "email: valid %s", show(valid_emails[i], strlen(valid_emails[i])));
	for (i = 0; i < lengthof(invalid_emails); i++)
		ok(!email_valid(invalid_emails[i], strlen(invalid_emails[i])),
		   "email: invalid %s", show(invalid_emails[i], strlen(invalid_emails[i])));

	ok(!email_valid(S("")), "email: empty is invalid");
	ok(!email_valid(S("jane\0@example.com")), "email: embedded NUL is invalid");
	ok(!email_valid(S("jane@exa\0mple.com")), "email: NUL in the domain is invalid");

	/* 254 characters in all, long local part: 242 + "@example.com" */
	len = 0;
	put_repeat(buf, &len, 'a', 242);
	put_ascii(buf, &len, "@example.com");
	ok(len == 254 && email_valid(buf, len), "email: 254 characters is valid");
	len = 0;
	put_repeat(buf, &len, 'a', 243);
	put_ascii(buf, &len, "@example.com");
	ok(len == 255 && !email_valid(buf, len), "email: 255 characters is invalid");

	/* 254 characters with long labels: a@ + 3 * (63 + '.') + 60 */
	len = 0;
	put_ascii(buf, &len, "a@");
	for (i = 0; i < 3; i++)
	{
		put_repeat(buf, &len, 'b', 63);
		put_ascii(buf, &len, ".");
	}
	put_repeat(buf, &len, 'c', 60);
	ok(len == 254 && email_valid(buf, len),
	   "email: 254 characters of 63-character labels is valid");
	put_ascii(buf, &len, "c");
	ok(len == 255 && !email_valid(buf, len),
	   "email: 255 characters of 63-character labels is invalid");

	len = 0;
	put_ascii(buf, &len, "a@");
	put_repeat(buf, &len, 'b', 63);
	put_ascii(buf, &len, ".com");
	ok(email_valid(buf, len), "email: 63-character label is valid");
	len = 0;
	put_ascii(buf, &len, "a@");
	put_repeat(buf, &len, 'b', 64);
	put_ascii(buf, &len, ".com");
	ok(!email_valid(buf, len), "email: 64-character label is invalid");

	/* Cut short anywhere up to the last dot: invalid, and never read past */
	len = strlen("jane@example.");
	for (i = 0; i <= len; i++)
	{
		if (email_valid("jane@example.com", i))
			break;
	}
	ok(i == len + 1, "email: no prefix of jane@example.com up to the dot is valid");
}

/* phone.c */

static void
phone_ok(const char *s, size_t len, const char *expect)
{
	char		out[OPP_PHONE_NORMALIZED_SIZE + 8];
	size_t		r;

	memset(out, '#', sizeof(out));
	r = phone(s, len, out);
	ok(r == strlen(expect) && memchr(out, '\0', OPP_PHONE_NORMALIZED_SIZE) &&
	   strcmp(out, expect) == 0 && out[OPP_PHONE_NORMALIZED_SIZE] == '#',
	   "phone: %s -> %s", show(s, len), expect);
}

static void
phone_bad(const char *s, size_t len, const char *why)
{
	char		out[OPP_PHONE_NORMALIZED_SIZE];

	memset(out, '#', sizeof(out));
	ok(phone(s, len, out) == 0 && out[0] == '#',
	   "phone: %s rejected (%s), output untouched", show(s, len), why);
}

/* "+" followed by the digits of ascii mapped to the block at zero */
static size_t
digits_in_script(char *buf, const char *ascii, uint32_t zero)
{
	size_t		len = 0;
	const char *p;

	put_ascii(buf, &len, "+");
	for (p = ascii; *p; p++)
		put_utf8(buf, &len, zero + (uint32_t) (*p - '0'));
	return len;
}

static void
test_phone(void)
{
	char		buf[128];
	size_t		len;

	phone_ok(S("+5511987654321"), "+5511987654321");
	phone_ok(S("+55 (11) 98765-4321"), "+5511987654321");
	phone_ok(S("+1 415.555.2671"), "+14155552671");
	phone_ok(S("+44 20 7946 0958"), "+442079460958");
	phone_ok(S("+(55) 11 98765.4321"), "+5511987654321");
	phone_ok(S("+ 55--11  9876)(54321"), "+5511987654321");

	/* Digit count boundaries, with and without separators */
	phone_bad(S("+1234567"), "7 digits");
	phone_ok(S("+12345678"), "+12345678");
	phone_ok(S("+123456789012345"), "+123456789012345");
	phone_bad(S("+1234567890123456"), "16 digits");
	phone_bad(S("+1 234-567"), "7 digits with separators");
	phone_ok(S("+1 234-5678"), "+12345678");
	phone_ok(S("+1 (234) 567-8901-2345"), "+123456789012345");
	phone_bad(S("+1 (234) 567-8901-23456"), "16 digits with separators");
	phone_bad(S("+12345678901234567890123456789"), "far too many digits");

	phone_bad(S(""), "empty");
	phone_bad(S("+"), "no digits");
	phone_bad(S("+ - . ( )"), "only separators");
	phone_bad(S("5511987654321"), "no '+'");
	phone_bad(S("(+55) 11987654321"), "'+' not first");
	phone_bad(S(" +5511987654321"), "leading space");
	phone_bad(S("+0551198765432"), "first digit 0");
	phone_bad(S("+ 0 551198765432"), "first digit 0 after separator");
	phone_bad(S("++5511987654321"), "second '+'");
	phone_bad(S("+55+11987654321"), "'+' inside");
	phone_bad(S("+5511987654321+"), "'+' at end");
	phone_bad(S("+55 11 98765 4321 ext 5"), "extension");
	phone_bad(S("+55/11/987654321"), "'/'");
	phone_bad(S("+55_11987654321"), "'_'");
	phone_bad(S("+55\t11987654321"), "tab");
	phone_bad(S("+55\n11987654321"), "new line");
	phone_bad(S("+5511987654321#"), "'#'");
	phone_bad(S("+5511*987654321"), "'*'");
	phone_bad(S("+5511987654321\0"), "trailing NUL");
	phone_bad(S("+55\00011987654321"), "embedded NUL");
	phone_bad(S("+55\xC2\xA0" "11987654321"), "NBSP separator");
	phone_bad(S("+55\xE2\x80\x93" "11987654321"), "en dash separator");
	phone_bad(S("\xEF\xBC\x8B" "5511987654321"), "fullwidth plus");
	phone_bad(S("+55 11 9876543\xEF\xBC\x92" "1"), "one fullwidth digit");

	len = digits_in_script(buf, "5511987654321", 0x0660);
	phone_bad(buf, len, "Arabic-Indic digits");
	len = digits_in_script(buf, "5511987654321", 0x06F0);
	phone_bad(buf, len, "Extended Arabic-Indic digits");
	len = digits_in_script(buf, "5511987654321", 0x0966);
	phone_bad(buf, len, "Devanagari digits");
	len = digits_in_script(buf, "5511987654321", 0xFF10);
	phone_bad(buf, len, "fullwidth digits");
	len = digits_in_script(buf, "5511987654321", 0x1D7CE);
	phone_bad(buf, len, "mathematical bold digits");
}

/* linkedin_url.c */

static const char *const valid_urls[] = {
	"https://www.linkedin.com/in/jane-smith",
	"http://linkedin.com",
	"HTTPS://BR.LINKEDIN.COM/in/x?utm=1#top",
	"https://linkedin.com/in/jo%C3%A3o",
	"https://linkedin.com/in/jo\xC3\xA3o",
	"hTTp://LinkedIn.com",
	"https://linkedin.com/",
	"https://linkedin.com?",
	"https://linkedin.com#",
	"https://linkedin.com?x=https://evil.com",
	"https://linkedin.com/in/x#@evil.com",
	"https://a.b-c.linkedin.com/company/acme",
	"https://linkedin.com/in/x@y:z",	/* '@' and ':' past the host are path */
	"https://linkedin.com/in/\xE4\xB8\xAD\xF0\x9F\x98\x80",
	"https://linkedin.com/in/a\xE2\x80\x8Bz",	/* ZWSP is not white space */
};

static const char *const invalid_urls[] = {
	"https://linkedin.com.evil.com/in/x",
	"https://evil.com/linkedin.com",
	"https://linkedin.com@evil.com/",
	"https://evil.com\\@linkedin.com",
	"javascript:alert(1)",
	"https:///in/x",
	"https:linkedin.com/in/x",
	"https:/linkedin.com/in/x",
	"https://linkedin.com:443/in/x",
	"https://xn--linkedn-xxx.com",
	"https://linkedin.com /in/x",
	"https://l\xD1\x96nkedin.com/in/x",	/* Cyrillic і */
	"https://notlinkedin.com/in/x",
	"https://",
	"https",
	"http:",
	"https:/",
	"https://linkedin.com.",
	"https://.linkedin.com",
	"https://www..linkedin.com",
	"https://linkedin..com",
	"ftp://linkedin.com",
	"https//linkedin.com",
	"httpss://linkedin.com",
	"httpx://linkedin.com",
	"//linkedin.com/in/x",
	"linkedin.com/in/x",
	"www.linkedin.com/in/x",
	"JAVASCRIPT://linkedin.com/%0Aalert(1)",
	"data:text/html,linkedin.com",
	" https://linkedin.com",
	"https://linkedin.com/in/x ",
	"https://linkedin.com\t",
	"https://linkedin.com/in/x\n",
	"https://link\nedin.com",
	"https://linkedin.com/in/\x7F",
	"https://linkedin.com/in\\x",
	"https:\\\\linkedin.com",
	"https://linkedin%2Ecom/",
	"https://linked%69n.com",
	"https://linkedin.com%2F@evil.com",
	"https://[::1]/",
	"https://linkedin.com:/",
	"https://user:pass@linkedin.com/",
	"https://@linkedin.com/",
	"https://evil.com#@linkedin.com",
	"https://evil.com?linkedin.com",
	"https://evil.com/.linkedin.com",
	"https://evillinkedin.com",
	"https://linkedin.co",
	"https://linkedin.comm",
	"https://linkedin.com_",
	"https://l\xC4\xB1nkedin.com",	/* dotless ı */
	"https://\xEF\xBD\x8Cinkedin.com",	/* fullwidth l */
	"https://linkedin\343\200\202com",	/* ideographic full stop */
	"https://linkedin.c\xD0\xBEm",	/* Cyrillic о */
	"https://linkedin.com\xE2\x80\x8B",	/* ZWSP in the host */
	"https://linkedin.com/in/\xC2\xA0x",	/* NBSP */
	"https://linkedin.com/in/\xC2\x85x",	/* NEL, C1 */
	"https://linkedin.com/in/\xC2\x9Bx",	/* CSI, C1 */
	"https://linkedin.com/in/x\xE2\x80\xA8",	/* U+2028 */
	"https://linkedin.com/in/x\xE3\x80\x80y",	/* U+3000 */
	"https://linkedin.com/in/x\xE1\x9A\x80",	/* U+1680 */
	"https://linkedin.com/in/x\xE2\x80\x8A",	/* U+200A */
};

static void
url_boundary(uint32_t c, const char *name)
{
	static char buf[BUF_SIZE];
	const char *prefix = "https://linkedin.com/in/";
	size_t		len = 0;

	put_ascii(buf, &len, prefix);
	put_repeat(buf, &len, c, OPP_LINKEDIN_URL_MAX_CHARS - strlen(prefix));
	ok(url_valid(buf, len), "url: 2048 characters (%s, %zu bytes) is valid",
	   name, len);
	put_utf8(buf, &len, c);
	ok(!url_valid(buf, len), "url: 2049 characters (%s, %zu bytes) is invalid",
	   name, len);
}

static void
test_url(void)
{
	size_t		i;

	for (i = 0; i < lengthof(valid_urls); i++)
		ok(url_valid(valid_urls[i], strlen(valid_urls[i])),
		   "url: valid %s", show(valid_urls[i], strlen(valid_urls[i])));
	for (i = 0; i < lengthof(invalid_urls); i++)
		ok(!url_valid(invalid_urls[i], strlen(invalid_urls[i])),
		   "url: invalid %s", show(invalid_urls[i], strlen(invalid_urls[i])));

	ok(!url_valid(S("")), "url: empty is invalid");
	ok(!url_valid(S("https://linkedin.com\0.evil.com")), "url: NUL in the host");
	ok(!url_valid(S("https://linkedin.com/in/x\0")), "url: NUL in the path");
	ok(!url_valid(S("https://linkedin.com\xC2")),
	   "url: truncated UTF-8 ending the host, no overread");

	url_boundary('a', "ASCII");
	url_boundary(0xE3, "2-byte \\u00E3");
	url_boundary(0x20AC, "3-byte euro");
	url_boundary(0x1F600, "4-byte emoji");
}

/* currency.c */

static void
currency_ok(const char *s, size_t len, const char *expect)
{
	const char *r = currency(s, len);

	ok(r != NULL && strcmp(r, expect) == 0 && r == currency(expect, 3),
	   "currency: %s -> %s (the static entry)", show(s, len), expect);
}

static void
test_currency(void)
{
	static const char expected_list[] = EXPECTED_CODE_LIST;
	char		code[4] = {0};
	int			found = 0;
	int			found_lower = 0;
	int			listed = 0;
	int			listed_found = 0;
	bool		consistent = true;
	const char *p;
	int			a,
				b,
				c;

	currency_ok(S("BRL"), "BRL");
	currency_ok(S("brl"), "BRL");
	currency_ok(S("Brl"), "BRL");
	currency_ok(S("bRl"), "BRL");
	currency_ok(S("usd"), "USD");
	currency_ok(S("EUR"), "EUR");
	currency_ok(S("AED"), "AED");	/* first in the table */
	currency_ok(S("zwl"), "ZWL");	/* last in the table */

	ok(currency(S("BR")) == NULL, "currency: BR rejected");
	ok(currency(S("BRLX")) == NULL, "currency: BRLX rejected");
	ok(currency(S("ZZZ")) == NULL, "currency: ZZZ rejected");
	ok(currency(S("")) == NULL, "currency: empty rejected");
	ok(currency(S("DEM")) == NULL, "currency: withdrawn DEM rejected");
	ok(currency(S("B1L")) == NULL, "currency: digit rejected");
	ok(currency(S("BR\0")) == NULL, "currency: NUL rejected");
	ok(currency(S("BRL\0")) == NULL, "currency: trailing NUL rejected");
	ok(currency(S(" BRL")) == NULL, "currency: untrimmed rejected");
	ok(currency(S("R$ ")) == NULL, "currency: symbol rejected");
	ok(currency(S("B@L")) == NULL, "currency: '@' (just below 'A') rejected");
	ok(currency(S("B[L")) == NULL, "currency: '[' (just above 'Z') rejected");
	ok(currency(S("B`L")) == NULL, "currency: '`' (just below 'a') rejected");
	ok(currency(S("B{L")) == NULL, "currency: '{' (just above 'z') rejected");
	ok(currency(S("\xEF\xBC\xA2\xEF\xBC\xB2\xEF\xBC\xAC")) == NULL,
	   "currency: fullwidth BRL rejected");
	ok(currency(S("\xC3\x89U")) == NULL, "currency: non-ASCII letter rejected");

	/* The whole code space: the table holds exactly the JSON's codes */
	for (a = 'A'; a <= 'Z'; a++)
		for (b = 'A'; b <= 'Z'; b++)
			for (c = 'A'; c <= 'Z'; c++)
			{
				const char *r;

				code[0] = (char) a;
				code[1] = (char) b;
				code[2] = (char) c;
				r = currency(code, 3);
				if (r != NULL)
				{
					found++;
					if (strcmp(r, code) != 0)
						consistent = false;
				}
				code[0] = (char) (a - 'A' + 'a');
				code[1] = (char) (b - 'A' + 'a');
				code[2] = (char) (c - 'A' + 'a');
				if (currency(code, 3) != r)
					consistent = false;
				else if (r != NULL)
					found_lower++;
			}

	for (p = expected_list; *p; p += (p[3] == ' ') ? 4 : 3)
	{
		listed++;
		if (currency(p, 3) != NULL)
			listed_found++;
	}

	ok(listed > 0, "currency: %d codes read from iso_4217.json", listed);
	ok(listed_found == listed, "currency: every JSON code is found (%d of %d)",
	   listed_found, listed);
	ok(found == listed, "currency: lookup accepts exactly %d codes of AAA..ZZZ (%d)",
	   listed, found);
	ok(consistent && found_lower == found,
	   "currency: each code returns itself, lower case alike");
}

/* base36.c */

static const char base36_digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static void
test_base36(void)
{
	unsigned char bytes[256];
	char		out[300];
	int			counts[36] = {0};
	bool		mapped = true;
	bool		uniform = true;
	bool		charset = true;
	size_t		n;
	int			i;

	for (i = 0; i < 252; i++)
	{
		unsigned char b = (unsigned char) i;

		if (opp_base36_from_random(&b, 1, out, 1) != 1 ||
			out[0] != base36_digits[i % 36])
			mapped = false;
		else
			counts[i % 36]++;
	}
	ok(mapped, "base36: each byte 0..251 maps to byte %% 36");
	for (i = 0; i < 36; i++)
		uniform = uniform && counts[i] == 7;
	ok(uniform, "base36: every digit has exactly 7 byte values");

	for (i = 252; i < 256; i++)
	{
		unsigned char b = (unsigned char) i;

		out[0] = '#';
		ok(opp_base36_from_random(&b, 1, out, 1) == 0 && out[0] == '#',
		   "base36: byte %d rejected", i);
	}

	{
		const unsigned char mixed[] = {252, 0, 255, 35, 36, 253, 251, 254, 10};

		memset(out, '#', sizeof(out));
		n = opp_base36_from_random(mixed, sizeof(mixed), out, 10);
		ok(n == 5 && memcmp(out, "0z0za", 5) == 0 && out[5] == '#',
		   "base36: rejected bytes skipped, order kept");
	}

	for (i = 0; i < 256; i++)
		bytes[i] = (unsigned char) (255 - i);
	memset(out, '#', sizeof(out));
	n = opp_base36_from_random(bytes, sizeof(bytes), out, sizeof(out));
	for (i = 0; i < (int) n; i++)
		charset = charset && strchr(base36_digits, out[i]) != NULL && out[i];
	ok(n == 252 && charset && out[n] == '#',
	   "base36: all 256 bytes give 252 characters, all in [0-9a-z]");

	memset(out, '#', sizeof(out));
	n = opp_base36_from_random(bytes + 10, 100, out, 12);
	ok(n == 12 && out[12] == '#', "base36: stops at want");

	memset(out, '#', sizeof(out));
	ok(opp_base36_from_random(bytes + 10, 100, out, 0) == 0 && out[0] == '#',
	   "base36: want 0 writes nothing");
	ok(opp_base36_from_random(bytes, 0, out, 12) == 0 && out[0] == '#',
	   "base36: no bytes writes nothing");
	ok(opp_base36_from_random(bytes, 4, out, 12) == 0 && out[0] == '#',
	   "base36: only rejected bytes writes nothing");
}

int
main(void)
{
	test_trim();
	test_utf8_length();
	test_control_chars();
	test_email();
	test_phone();
	test_url();
	test_currency();
	test_base36();

	printf("1..%d\n", ntests);
	if (nfailed > 0)
		printf("# %d of %d tests failed\n", nfailed, ntests);
	return nfailed > 0 ? 1 : 0;
}
