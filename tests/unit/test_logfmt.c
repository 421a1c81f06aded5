// SPDX-License-Identifier: MIT
/* Unit tests of how relayed lines are written (src/logfmt.c): plain
 * lines, RFC 3339 times, and JSON objects that must parse whatever bytes
 * the line holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "logfmt.h"

/* 1780291010.123456789 */
#define WHEN_SEC 1780291010
#define WHEN_NSEC 123456789L
#define WHEN "2026-06-01T05:16:50.123Z"

/* U+FFFD in UTF-8. */
#define FFFD "\xef\xbf\xbd"

/* The most any line in these tests writes. */
#define OUT_MAX 8192

static char out[OUT_MAX];

/* Writes the line into a buffer of exactly logfmt_size() bytes (so that
 * the sanitizer sees a byte past it), copies it to out with a NUL, and
 * returns its length. */
static size_t
format(enum logfmt_format format, const struct logfmt_line *line)
{
	size_t size = logfmt_size(format, line), n;
	char *buf;

	assert_true(size < OUT_MAX);
	buf = malloc(size);
	assert_non_null(buf);
	n = logfmt_write(format, line, buf);
	assert_true(n <= size);
	assert_true(n > 0);
	assert_int_equal(buf[n - 1], '\n');
	memcpy(out, buf, n);
	out[n] = '\0';
	free(buf);
	return n;
}

/* A fixed pseudo-random sequence (a 32-bit LCG), the same every run. */
static uint32_t
next_random(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return *seed >> 8;
}

/* Well-formed UTF-8, decoded code point by code point: a check written
 * apart from the table logfmt.c uses. */
static bool
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	uint32_t cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			need = 1;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			need = 2;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			need = 3;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else {
			return false;
		}
		if (n - i - 1 < need)
			return false;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A JSON string at *p, decoded into value (no NUL), *p moved past it;
 * false if it is not one.  \u escapes are taken below U+0080 only, which
 * is all logfmt writes. */
static bool
parse_string(const char **p, const char *end, char *value, size_t *len)
{
	const char *s = *p;
	int hi, lo;

	*len = 0;
	if (s >= end || *s++ != '"')
		return false;
	while (s < end && *s != '"') {
		if ((unsigned char)*s < 0x20)
			return false;
		if (*s != '\\') {
			value[(*len)++] = *s++;
			continue;
		}
		if (++s >= end)
			return false;
		switch (*s++) {
		case '"':
			value[(*len)++] = '"';
			break;
		case '\\':
			value[(*len)++] = '\\';
			break;
		case '/':
			value[(*len)++] = '/';
			break;
		case 'b':
			value[(*len)++] = '\b';
			break;
		case 'f':
			value[(*len)++] = '\f';
			break;
		case 'n':
			value[(*len)++] = '\n';
			break;
		case 'r':
			value[(*len)++] = '\r';
			break;
		case 't':
			value[(*len)++] = '\t';
			break;
		case 'u':
			if (end - s < 4 || s[0] != '0' || s[1] != '0')
				return false;
			hi = hex_digit(s[2]);
			lo = hex_digit(s[3]);
			if (hi < 0 || hi > 7 || lo < 0)
				return false;
			value[(*len)++] = (char)(hi << 4 | lo);
			s += 4;
			break;
		default:
			return false;
		}
	}
	if (s >= end)
		return false;
	*p = s + 1;
	return true;
}

/* What check_json() found in an object. */
struct parsed {
	char keys[8][16];
	size_t n;
	char service[OUT_MAX], line[OUT_MAX], time[64], stream[16];
	size_t service_len, line_len, time_len, stream_len;
	bool partial;
};

/*
 * Parses out[0..n) as one compact JSON object of string values (and
 * "partial":true) followed by '\n' and nothing else, in valid UTF-8 with
 * no raw control byte: the checks a log collector would make.
 */
static void
check_json(const char *text, size_t n, struct parsed *parsed)
{
	const char *p = text, *end = text + n - 1;
	char key[OUT_MAX];
	size_t len;

	memset(parsed, 0, sizeof(*parsed));
	assert_true(utf8_valid((const unsigned char *)text, n));
	assert_true(n >= 3);
	assert_int_equal(text[n - 1], '\n');
	assert_null(memchr(text, '\n', n - 1));
	assert_int_equal(*p++, '{');
	for (;;) {
		assert_true(parse_string(&p, end, key, &len));
		assert_true(len < sizeof(parsed->keys[0]));
		assert_true(parsed->n < 8);
		memcpy(parsed->keys[parsed->n], key, len);
		parsed->keys[parsed->n++][len] = '\0';
		assert_true(p < end && *p++ == ':');
		if (len == 7 && memcmp(key, "partial", 7) == 0) {
			assert_true(end - p >= 4 && memcmp(p, "true", 4) == 0);
			p += 4;
			parsed->partial = true;
		} else if (len == 4 && memcmp(key, "line", 4) == 0) {
			assert_true(parse_string(&p, end, parsed->line,
						 &parsed->line_len));
		} else if (len == 7 && memcmp(key, "service", 7) == 0) {
			assert_true(parse_string(&p, end, parsed->service,
						 &parsed->service_len));
		} else if (len == 4 && memcmp(key, "time", 4) == 0) {
			assert_true(parse_string(&p, end, parsed->time,
						 &parsed->time_len));
		} else if (len == 6 && memcmp(key, "stream", 6) == 0) {
			assert_true(parse_string(&p, end, parsed->stream,
						 &parsed->stream_len));
		} else {
			fail_msg("unexpected key %s", parsed->keys[parsed->n - 1]);
		}
		assert_true(p < end);
		if (*p == '}')
			break;
		assert_int_equal(*p++, ',');
	}
	assert_ptr_equal(p + 1, end);
}

/* The JSON object logfmt writes for text with the time WHEN, service
 * "felix" and stdout, and its line as JSON should hold it. */
static void
expect_json_line(const char *text, size_t len, const char *want)
{
	const struct timespec when = { WHEN_SEC, WHEN_NSEC };
	struct logfmt_line line = {
		.service = "felix", .text = text, .len = len, .time = &when,
	};
	struct parsed parsed;
	char expected[OUT_MAX];
	size_t n;

	snprintf(expected, sizeof(expected),
		 "{\"time\":\"" WHEN "\",\"service\":\"felix\","
		 "\"stream\":\"stdout\",\"line\":\"%s\"}\n",
		 want);
	n = format(LOGFMT_JSON, &line);
	assert_string_equal(out, expected);
	check_json(out, n, &parsed);
}

#define JSON_LINE(text, want) expect_json_line((text), sizeof(text) - 1, (want))

/* The time as text, through logfmt_time(). */
static const char *
time_text(long long sec, long nsec)
{
	static char text[LOGFMT_TIME_LEN + 1 + 8];
	struct timespec ts = { (time_t)sec, nsec };

	memset(text, 'x', sizeof(text));
	logfmt_time(&ts, text);
	assert_int_equal(text[LOGFMT_TIME_LEN], '\0');
	assert_int_equal(text[LOGFMT_TIME_LEN + 1], 'x');
	return text;
}

static void
test_plain_padding(void **state)
{
	struct logfmt_line line = { .service = "web", .text = "hello",
				    .len = 5 };

	(void)state;
	line.width = 6;
	assert_int_equal(format(LOGFMT_PLAIN, &line), 15);
	assert_string_equal(out, "web    | hello\n");
	line.width = 3;
	format(LOGFMT_PLAIN, &line);
	assert_string_equal(out, "web | hello\n");
	/* A width below the name's length cuts nothing. */
	line.width = 1;
	format(LOGFMT_PLAIN, &line);
	assert_string_equal(out, "web | hello\n");
	line.width = 0;
	format(LOGFMT_PLAIN, &line);
	assert_string_equal(out, "web | hello\n");
	/* An empty line. */
	line.len = 0;
	line.width = 5;
	format(LOGFMT_PLAIN, &line);
	assert_string_equal(out, "web   | \n");
}

/* The time goes first, as `docker logs -t` writes it. */
static void
test_plain_time(void **state)
{
	const struct timespec when = { WHEN_SEC, WHEN_NSEC };
	struct logfmt_line line = { .service = "felix", .width = 7,
				    .text = "ready", .len = 5, .time = &when };

	(void)state;
	format(LOGFMT_PLAIN, &line);
	assert_string_equal(out, WHEN " felix   | ready\n");
	line.is_stderr = true;
	line.partial = true;
	format(LOGFMT_PLAIN, &line);
	assert_string_equal(out, WHEN " felix   | ready\n");
}

/* Plain lines keep their bytes: NULs, escapes, invalid UTF-8; a partial
 * line is not marked; the size is exact. */
static void
test_plain_bytes(void **state)
{
	static const char text[] = "a\0b\r\x1b[31mred\x1b[0m\xff\xc0\x80\t\"\\";
	struct logfmt_line line = { .service = "grace", .width = 6,
				    .text = text, .len = sizeof(text) - 1,
				    .partial = true };
	size_t n;

	(void)state;
	n = format(LOGFMT_PLAIN, &line);
	assert_int_equal(n, 6 + 3 + sizeof(text) - 1 + 1);
	assert_int_equal(n, logfmt_size(LOGFMT_PLAIN, &line));
	assert_memory_equal(out, "grace  | ", 9);
	assert_memory_equal(out + 9, text, sizeof(text) - 1);
	assert_int_equal(out[n - 1], '\n');
}

static void
test_time(void **state)
{
	(void)state;
	assert_string_equal(time_text(WHEN_SEC, WHEN_NSEC), WHEN);
	assert_string_equal(time_text(0, 0), "1970-01-01T00:00:00.000Z");
	/* Leap years: 2000 (by 400), 2024; 2100 is not one (by 100). */
	assert_string_equal(time_text(951782400, 0),
			    "2000-02-29T00:00:00.000Z");
	assert_string_equal(time_text(951782400 + 86400, 0),
			    "2000-03-01T00:00:00.000Z");
	assert_string_equal(time_text(1709208000, 0),
			    "2024-02-29T12:00:00.000Z");
	assert_string_equal(time_text(4107542399LL, 999999999),
			    "2100-02-28T23:59:59.999Z");
	assert_string_equal(time_text(4107542400LL, 0),
			    "2100-03-01T00:00:00.000Z");
	assert_string_equal(time_text(978307199, 500000000),
			    "2000-12-31T23:59:59.500Z");
	/* Cut, not rounded, to the millisecond. */
	assert_string_equal(time_text(978307199, 999999999),
			    "2000-12-31T23:59:59.999Z");
	assert_string_equal(time_text(0, 999999), "1970-01-01T00:00:00.000Z");
	assert_string_equal(time_text(0, 1000000), "1970-01-01T00:00:00.001Z");
	assert_string_equal(time_text(0, 1999999), "1970-01-01T00:00:00.001Z");
	/* Before 1970. */
	assert_string_equal(time_text(-1, 500000000),
			    "1969-12-31T23:59:59.500Z");
	assert_string_equal(time_text(-2203891200LL, 0),
			    "1900-03-01T00:00:00.000Z");
}

/* The ends of what RFC 3339 can write, and what lies beyond them. */
static void
test_time_clamped(void **state)
{
	const char *first = "0000-01-01T00:00:00.000Z";
	const char *last = "9999-12-31T23:59:59.999Z";

	(void)state;
	assert_string_equal(time_text(253402300799LL, 999999999), last);
	assert_string_equal(time_text(253402300800LL, 0), last);
	assert_string_equal(time_text(INT64_MAX, 0), last);
	assert_string_equal(time_text(-62167219200LL, 0), first);
	assert_string_equal(time_text(-62167219201LL, 999999999), first);
	assert_string_equal(time_text(INT64_MIN, 0), first);
	/* A nanosecond count out of its range. */
	assert_string_equal(time_text(0, -5), "1970-01-01T00:00:00.000Z");
	assert_string_equal(time_text(0, 2000000000L),
			    "1970-01-01T00:00:00.999Z");
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm):
 * another way to the same answer as gmtime_r(). */
static void
civil(long long days, long long *y, unsigned *m, unsigned *d)
{
	long long era, doe, yoe, doy, mp;

	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Every day from 1900 to 2200, at a different time of day each. */
static void
test_time_sweep(void **state)
{
	char want[64];
	long long sec, days, rem, y;
	unsigned m, d;
	uint32_t seed = 7;
	long nsec;

	(void)state;
	for (sec = -2208988800LL; sec < 7258118400LL; sec += 86400) {
		rem = next_random(&seed) % 86400;
		nsec = (long)(next_random(&seed) % 1000000000u);
		days = sec / 86400 - (sec % 86400 < 0);
		civil(days, &y, &m, &d);
		snprintf(want, sizeof(want),
			 "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03ldZ", y, m, d,
			 rem / 3600, rem / 60 % 60, rem % 60, nsec / 1000000);
		assert_string_equal(time_text(sec + rem, nsec), want);
	}
}

static void
test_json(void **state)
{
	const struct timespec when = { WHEN_SEC, WHEN_NSEC };
	struct logfmt_line line = { .service = "felix", .width = 9,
				    .text = "hello", .len = 5, .time = &when };
	struct parsed parsed;
	size_t n;

	(void)state;
	n = format(LOGFMT_JSON, &line);
	assert_string_equal(out, "{\"time\":\"" WHEN "\",\"service\":\"felix\","
				 "\"stream\":\"stdout\",\"line\":\"hello\"}\n");
	check_json(out, n, &parsed);
	assert_int_equal(parsed.n, 4);
	assert_string_equal(parsed.keys[0], "time");
	assert_string_equal(parsed.keys[1], "service");
	assert_string_equal(parsed.keys[2], "stream");
	assert_string_equal(parsed.keys[3], "line");

	line.is_stderr = true;
	line.partial = true;
	n = format(LOGFMT_JSON, &line);
	assert_string_equal(out, "{\"time\":\"" WHEN "\",\"service\":\"felix\","
				 "\"stream\":\"stderr\",\"line\":\"hello\","
				 "\"partial\":true}\n");
	check_json(out, n, &parsed);
	assert_int_equal(parsed.n, 5);
	assert_string_equal(parsed.keys[4], "partial");
	assert_true(parsed.partial);

	/* No time: no "time" key. */
	line.time = NULL;
	line.partial = false;
	line.len = 0;
	n = format(LOGFMT_JSON, &line);
	assert_string_equal(out, "{\"service\":\"felix\",\"stream\":\"stderr\","
				 "\"line\":\"\"}\n");
	check_json(out, n, &parsed);
}

/* Every control character, alone and all together, and DEL. */
static void
test_json_controls(void **state)
{
	char text[0x20], want[256];
	size_t n = 0;
	int c, w;

	(void)state;
	for (c = 0; c < 0x20; c++) {
		text[c] = (char)c;
		switch (c) {
		case '\b':
			w = snprintf(want + n, sizeof(want) - n, "\\b");
			break;
		case '\t':
			w = snprintf(want + n, sizeof(want) - n, "\\t");
			break;
		case '\n':
			w = snprintf(want + n, sizeof(want) - n, "\\n");
			break;
		case '\f':
			w = snprintf(want + n, sizeof(want) - n, "\\f");
			break;
		case '\r':
			w = snprintf(want + n, sizeof(want) - n, "\\r");
			break;
		default:
			w = snprintf(want + n, sizeof(want) - n, "\\u%04x", c);
		}
		expect_json_line(text + c, 1, want + n);
		n += (size_t)w;
	}
	expect_json_line(text, sizeof(text), want);
	JSON_LINE("\x7f", "\\u007f");
	JSON_LINE("\x1b[1mbold\x1b[0m", "\\u001b[1mbold\\u001b[0m");
	JSON_LINE("a\0b", "a\\u0000b");
	JSON_LINE("crlf\r", "crlf\\r");
}

static void
test_json_quotes(void **state)
{
	(void)state;
	JSON_LINE("say \"hi\"", "say \\\"hi\\\"");
	JSON_LINE("C:\\dir\\", "C:\\\\dir\\\\");
	JSON_LINE("\\\"", "\\\\\\\"");
	/* '/' needs no escape. */
	JSON_LINE("</script>", "</script>");
	JSON_LINE("{\"a\":[1,2]}", "{\\\"a\\\":[1,2]}");
}

/* Well-formed UTF-8 goes through as it is, at every boundary. */
static void
test_json_utf8_valid(void **state)
{
	static const char *const valid[] = {
		"\xc3\xa9t\xc3\xa9",	/* été */
		"\xe2\x82\xac 5",	/* € */
		"\xf0\x9d\x84\x9e",	/* U+1D11E */
		"\xf0\x9f\x98\x80",	/* U+1F600 */
		"\xc2\x80",		/* U+0080 */
		"\xdf\xbf",		/* U+07FF */
		"\xe0\xa0\x80",		/* U+0800 */
		"\xed\x9f\xbf",		/* U+D7FF, below the surrogates */
		"\xee\x80\x80",		/* U+E000, above them */
		"\xef\xbf\xbf",		/* U+FFFF */
		"\xef\xbf\xbd",		/* U+FFFD itself */
		"\xf0\x90\x80\x80",	/* U+10000 */
		"\xf4\x8f\xbf\xbf",	/* U+10FFFF */
		"\xe2\x80\xa8",		/* U+2028, valid in JSON */
		"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		expect_json_line(valid[i], strlen(valid[i]), valid[i]);
}

/* Each maximal subpart of an ill-formed sequence becomes one U+FFFD
 * (Unicode 15, section 3.9, "U+FFFD Substitution of Maximal Subparts"). */
static void
test_json_utf8_invalid(void **state)
{
	(void)state;
	JSON_LINE("\xff", FFFD);
	JSON_LINE("\xfe\xff", FFFD FFFD);
	JSON_LINE("\x80", FFFD);
	JSON_LINE("\x80\xbf", FFFD FFFD);
	/* Overlong: C0 and C1 never start a sequence; E0 80 and F0 80 are
	 * out of the second byte's range, so the lead stands alone. */
	JSON_LINE("\xc0\xaf", FFFD FFFD);
	JSON_LINE("\xc1\xbf", FFFD FFFD);
	JSON_LINE("\xe0\x80\xaf", FFFD FFFD FFFD);
	JSON_LINE("\xe0\x9f\xbf", FFFD FFFD FFFD);
	JSON_LINE("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD);
	JSON_LINE("\xf0\x8f\xbf\xbf", FFFD FFFD FFFD FFFD);
	/* Surrogates. */
	JSON_LINE("\xed\xa0\x80", FFFD FFFD FFFD);
	JSON_LINE("\xed\xbf\xbf", FFFD FFFD FFFD);
	JSON_LINE("\xed\xa0\xbd\xed\xb8\x80", FFFD FFFD FFFD FFFD FFFD FFFD);
	/* Above U+10FFFF. */
	JSON_LINE("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	JSON_LINE("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD);
	JSON_LINE("\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD);
	/* Cut short: what was well-formed so far is one subpart. */
	JSON_LINE("a\xc3", "a" FFFD);
	JSON_LINE("a\xe2\x82", "a" FFFD);
	JSON_LINE("a\xf0\x9f\x98", "a" FFFD);
	JSON_LINE("\xe2\x82" "a", FFFD "a");
	JSON_LINE("\xf0\x9f\x98\xe2\x82\xac", FFFD "\xe2\x82\xac");
	JSON_LINE("\xc3\"", FFFD "\\\"");
	JSON_LINE("\xc3\n", FFFD "\\n");
	/* The example of Unicode's table 3-8. */
	JSON_LINE("\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64",
		  "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d");
}

/* The service's name is escaped as the line is. */
static void
test_json_service(void **state)
{
	const struct timespec when = { WHEN_SEC, WHEN_NSEC };
	struct logfmt_line line = { .service = "a\"b\\c\x01\xff\xc3\xa9",
				    .text = "x", .len = 1, .time = &when };
	struct parsed parsed;
	size_t n;

	(void)state;
	n = format(LOGFMT_JSON, &line);
	assert_string_equal(out, "{\"time\":\"" WHEN "\","
				 "\"service\":\"a\\\"b\\\\c\\u0001" FFFD
				 "\xc3\xa9\",\"stream\":\"stdout\","
				 "\"line\":\"x\"}\n");
	check_json(out, n, &parsed);
}

/* The worst a line can be (every byte a \u00xx escape) fills the size
 * logfmt_size() gives to the byte. */
static void
test_size_worst(void **state)
{
	const struct timespec when = { WHEN_SEC, WHEN_NSEC };
	char text[100], service[8];
	struct logfmt_line line = { .service = service, .text = text,
				    .len = sizeof(text), .partial = true,
				    .time = &when, .is_stderr = true };
	struct parsed parsed;
	size_t n;

	(void)state;
	memset(text, 0x01, sizeof(text));
	memset(service, 0x1f, sizeof(service) - 1);
	service[sizeof(service) - 1] = '\0';
	n = format(LOGFMT_JSON, &line);
	assert_int_equal(n, logfmt_size(LOGFMT_JSON, &line));
	check_json(out, n, &parsed);
	assert_int_equal(parsed.line_len, sizeof(text));
	assert_memory_equal(parsed.line, text, sizeof(text));
}

/* The bytes of a random line: mostly ASCII, some controls, valid
 * multi-byte characters and stray bytes of every kind. */
static size_t
random_text(char *text, size_t max, uint32_t *seed)
{
	static const char *const bits[] = {
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
		"\xed\xa0\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xf4\x90\x80\x80",
		"\"", "\\", "\n", "\r", "\x7f", "\xff", "\x80", "\xe2\x82",
	};
	size_t n = 0, len = next_random(seed) % max, k;
	const char *bit;
	uint32_t r;

	while (n < len) {
		r = next_random(seed) % 16;
		if (r < 8) {
			text[n++] = (char)(0x20 + next_random(seed) % 0x5f);
		} else if (r < 10) {
			text[n++] = (char)next_random(seed);
		} else {
			bit = bits[next_random(seed) % 16];
			k = strlen(bit);
			if (n + k > len)
				break;
			memcpy(text + n, bit, k);
			n += k;
		}
	}
	return n;
}

/*
 * Random lines, names and flags, both formats: the size is an upper
 * bound; JSON parses, its line decodes to the bytes given when they were
 * valid UTF-8 (or to valid UTF-8 with U+FFFD when not), its service to
 * the name; plain is the layout with the bytes as they are.
 */
static void
test_random_lines(void **state)
{
	static const char *const names[] = {
		"web", "grace", "a-very-long-service-name", "x", "",
		"na\xefme", "tab\tbed",
	};
	struct timespec when;
	struct logfmt_line line;
	char text[300], want[OUT_MAX];
	struct parsed parsed;
	uint32_t seed = 42;
	size_t i, n, w, name;

	(void)state;
	for (i = 0; i < 5000; i++) {
		memset(&line, 0, sizeof(line));
		line.len = random_text(text, sizeof(text), &seed);
		line.text = text;
		line.service = names[next_random(&seed) % 7];
		line.width = next_random(&seed) % 30;
		line.is_stderr = next_random(&seed) % 2;
		line.partial = next_random(&seed) % 2;
		when.tv_sec = (time_t)(next_random(&seed) % 4000000000u);
		when.tv_nsec = (long)(next_random(&seed) % 1000000000u);
		line.time = next_random(&seed) % 4 ? &when : NULL;

		n = format(LOGFMT_JSON, &line);
		check_json(out, n, &parsed);
		assert_int_equal(parsed.n, 3 + (line.time != NULL) +
						   line.partial);
		assert_int_equal(parsed.partial, line.partial);
		assert_int_equal(parsed.stream_len, 6);
		assert_memory_equal(parsed.stream,
				    line.is_stderr ? "stderr" : "stdout", 6);
		if (line.time != NULL) {
			assert_int_equal(parsed.time_len, LOGFMT_TIME_LEN);
			assert_memory_equal(parsed.time,
					    time_text(when.tv_sec, when.tv_nsec),
					    LOGFMT_TIME_LEN);
		}
		if (utf8_valid((const unsigned char *)text, line.len)) {
			assert_int_equal(parsed.line_len, line.len);
			assert_memory_equal(parsed.line, text, line.len);
		} else {
			assert_true(utf8_valid(
				(const unsigned char *)parsed.line,
				parsed.line_len));
			assert_non_null(memmem(parsed.line, parsed.line_len,
					       FFFD, 3));
		}
		name = strlen(line.service);
		if (utf8_valid((const unsigned char *)line.service, name)) {
			assert_int_equal(parsed.service_len, name);
			assert_memory_equal(parsed.service, line.service, name);
		}

		n = format(LOGFMT_PLAIN, &line);
		assert_int_equal(n, logfmt_size(LOGFMT_PLAIN, &line));
		w = 0;
		if (line.time != NULL) {
			memcpy(want, time_text(when.tv_sec, when.tv_nsec),
			       LOGFMT_TIME_LEN);
			want[LOGFMT_TIME_LEN] = ' ';
			w = LOGFMT_TIME_LEN + 1;
		}
		w += (size_t)snprintf(want + w, sizeof(want) - w, "%-*s | ",
				      (int)line.width, line.service);
		memcpy(want + w, text, line.len);
		w += line.len;
		want[w++] = '\n';
		assert_int_equal(n, w);
		assert_memory_equal(out, want, w);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_padding),
		cmocka_unit_test(test_plain_time),
		cmocka_unit_test(test_plain_bytes),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_time_clamped),
		cmocka_unit_test(test_time_sweep),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_controls),
		cmocka_unit_test(test_json_quotes),
		cmocka_unit_test(test_json_utf8_valid),
		cmocka_unit_test(test_json_utf8_invalid),
		cmocka_unit_test(test_json_service),
		cmocka_unit_test(test_size_worst),
		cmocka_unit_test(test_random_lines),
	};

	return cmocka_run_group_tests_name("logfmt", tests, NULL, NULL);
}
