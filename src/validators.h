/*-------------------------------------------------------------------------
 *
 * validators.h
 *	  Pure validation rules for the text fields of a Create Opportunity
 *	  request.
 *
 * Nothing declared here depends on PostgreSQL: every function takes a UTF-8
 * byte range (not NUL-terminated) and returns a verdict, so the rules are
 * unit-tested and fuzzed outside the server (test/unit, test/fuzz).  Inputs
 * are assumed to be valid UTF-8 (the server guarantees that for jsonb in a
 * UTF8 database), but no function may read outside [s, s + len) or crash on
 * invalid UTF-8.
 *
 *-------------------------------------------------------------------------
 */
#ifndef OPP_VALIDATORS_H
#define OPP_VALIDATORS_H

#include <stdbool.h>
#include <stddef.h>

/* Limits from the contract, in characters unless stated otherwise. */
#define OPP_EMAIL_MAX_CHARS			254
#define OPP_PHONE_MIN_DIGITS		8
#define OPP_PHONE_MAX_DIGITS		15
/* '+' and up to 15 digits, plus a terminating NUL */
#define OPP_PHONE_NORMALIZED_SIZE	(1 + OPP_PHONE_MAX_DIGITS + 1)
#define OPP_LINKEDIN_URL_MAX_CHARS	2048
#define OPP_CURRENCY_CODE_LEN		3

/* utf8_text.c */

/*
 * Strip Unicode White_Space (ASCII space, \t \n \v \f \r, U+0085, U+00A0,
 * U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) from both
 * ends.  Returns the new start and stores the new length in *len.
 */
extern const char *opp_trim(const char *s, size_t *len);

/* Number of characters (code points) in s. */
extern size_t opp_utf8_length(const char *s, size_t len);

/* True if s holds a C0 control (U+0000..U+001F), DEL or a C1 control. */
extern bool opp_has_control_chars(const char *s, size_t len);

/* The same, but tab, line feed and carriage return are allowed (notes). */
extern bool opp_has_control_chars_multiline(const char *s, size_t len);

/* email.c */

/*
 * WHATWG "valid e-mail address": local part of atext and '.', '@', then
 * dot-separated labels of [A-Za-z0-9-] (1..63 chars, no leading or trailing
 * '-'), with at least one dot in the domain and at most
 * OPP_EMAIL_MAX_CHARS in all.
 */
extern bool opp_email_is_valid(const char *s, size_t len);

/* phone.c */

/*
 * An E.164 number with its country code: '+' first, then 8..15 ASCII digits
 * (the first not '0'), optionally separated by space, '-', '.', '(' or ')'.
 * On success writes "+<digits>\0" to out (OPP_PHONE_NORMALIZED_SIZE bytes)
 * and returns its length; returns 0 when s is not such a number.
 */
extern size_t opp_phone_normalize(const char *s, size_t len, char *out);

/* linkedin_url.c */

/*
 * An absolute http or https URL (scheme case-insensitive) whose host is
 * linkedin.com or a subdomain of it (case-insensitive, ASCII letters,
 * digits, '-' and '.' only), with no userinfo, no port, and no white space,
 * control characters or backslashes anywhere; at most
 * OPP_LINKEDIN_URL_MAX_CHARS characters.  After the host comes the end, or
 * '/', '?' or '#'.
 */
extern bool opp_linkedin_url_is_valid(const char *s, size_t len);

/* currency.c (codes generated from iso-codes' iso_4217.json) */

/*
 * The ISO 4217 alphabetic code s names, in any letter case, as a static
 * upper-case NUL-terminated string; NULL if s is not a current code.
 */
extern const char *opp_currency_lookup(const char *s, size_t len);

/* base36.c */

/*
 * Turn random bytes into characters of [0-9a-z] without modulo bias:
 * bytes >= 252 (7 * 36) are rejected, the rest map to byte % 36.  Writes
 * at most want characters to out and returns how many it wrote; the caller
 * supplies more random bytes until it has enough.
 */
extern size_t opp_base36_from_random(const unsigned char *bytes, size_t nbytes,
									 char *out, size_t want);

#endif							/* OPP_VALIDATORS_H */
