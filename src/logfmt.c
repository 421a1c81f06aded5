// SPDX-License-Identifier: MIT
/* Owns the shape of every line grace relays: "name | line" for people,
 * one JSON object a line for log collectors, and the RFC 3339 time either
 * may carry.  Pure: the clock is given, never read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logfmt.h"

/* A string literal and its length, for put(). */
#define LIT(s) (s), (sizeof(s) - 1)

/* The JSON object's fixed parts, in the order written; the stream's
 * name, "stdout" or "stderr", is 6 bytes. */
#define JSON_OPEN	"{"
#define JSON_TIME	"\"time\":\""
#define JSON_TIME_END	"\","
#define JSON_SERVICE	"\"service\":\""
#define JSON_STREAM	"\",\"stream\":\""
#define JSON_LINE	"\",\"line\":\""
#define JSON_LINE_END	"\""
#define JSON_PARTIAL	",\"partial\":true"
#define JSON_CLOSE	"}\n"
#define JSON_STREAM_LEN 6

/* The most one byte of a JSON string can become: "\u00xx". */
#define JSON_ESCAPE_MAX LOGFMT_JSON_ESCAPE_MAX

/* U+FFFD REPLACEMENT CHARACTER, in UTF-8. */
#define REPLACEMENT "\xef\xbf\xbd"

#define PLAIN_SEPARATOR " | "

/* The first and the last time RFC 3339 can write. */
#define TIME_FIRST "0000-01-01T00:00:00.000Z"
#define TIME_LAST "9999-12-31T23:59:59.999Z"

static char *
put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* value as n decimal digits, zeros in front. */
static char *
put_digits(char *p, unsigned value, size_t n)
{
	size_t i;

	for (i = n; i > 0; i--) {
		p[i - 1] = (char)('0' + value % 10);
		value /= 10;
	}
	return p + n;
}

/*
 * The LOGFMT_TIME_LEN bytes of the time, no NUL.  gmtime_r() needs no
 * time zone file for UTC.  A time RFC 3339 cannot write (a year before 0
 * or after 9999, or one gmtime_r() cannot convert) is clamped to the
 * first or last it can, so that the length never changes.
 */
static char *
put_time(char *p, const struct timespec *time)
{
	struct tm tm;
	unsigned ms;

	if (time->tv_nsec < 0)
		ms = 0;
	else if (time->tv_nsec >= 1000000000L)
		ms = 999;
	else
		ms = (unsigned)(time->tv_nsec / 1000000L);
	if (gmtime_r(&time->tv_sec, &tm) == NULL)
		return time->tv_sec < 0 ? put(p, LIT(TIME_FIRST))
					: put(p, LIT(TIME_LAST));
	if (tm.tm_year < -1900)
		return put(p, LIT(TIME_FIRST));
	if (tm.tm_year > 9999 - 1900)
		return put(p, LIT(TIME_LAST));
	p = put_digits(p, (unsigned)(tm.tm_year + 1900), 4);
	*p++ = '-';
	p = put_digits(p, (unsigned)tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put_digits(p, (unsigned)tm.tm_mday, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)tm.tm_sec, 2);
	*p++ = '.';
	p = put_digits(p, ms, 3);
	*p++ = 'Z';
	return p;
}

void
logfmt_time(const struct timespec *time, char *out)
{
	*put_time(out, time) = '\0';
}

/* Printable ASCII that a JSON string holds as it is: all but '"' and
 * '\\'; 0x7f is printable to JSON, but not to a terminal. */
static bool
json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* A word of eight bytes, each b. */
#define BYTES(b) (UINT64_C(0x0101010101010101) * (b))
/* Not 0 when some byte of the word w is 0, or less than b (b <= 0x80). */
#define HAS_ZERO(w) (((w) - BYTES(1)) & ~(w) & BYTES(0x80))
#define HAS_LESS(w, b) (((w) - BYTES(b)) & ~(w) & BYTES(0x80))

/*
 * How many bytes from s on json_plain() takes, at most n.  Eight bytes a
 * test while none needs a look (the usual case: a log line is mostly
 * printable ASCII), so that this scan, run on every byte of every line,
 * costs little more than the memcpy after it.  Each test only says
 * whether some byte of the eight is a control character, '"', '\\',
 * 0x7f or not ASCII; which one the bytewise loop then finds.
 */
static size_t
json_plain_run(const unsigned char *s, size_t n)
{
	uint64_t w;
	size_t i = 0;

	for (; n - i >= sizeof(w); i += sizeof(w)) {
		memcpy(&w, s + i, sizeof(w));
		if ((HAS_LESS(w, 0x20) | (w & BYTES(0x80)) |
		     HAS_ZERO(w ^ BYTES('"')) | HAS_ZERO(w ^ BYTES('\\')) |
		     HAS_ZERO(w ^ BYTES(0x7f))) != 0)
			break;
	}
	while (i < n && json_plain(s[i]))
		i++;
	return i;
}

/* An ASCII byte that json_plain() refused, escaped. */
static char *
put_escape(char *p, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	static const char short_form[0x20] = {
		['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f',
		['\r'] = 'r',
	};

	*p++ = '\\';
	if (c == '"' || c == '\\') {
		*p++ = (char)c;
		return p;
	}
	if (c < 0x20 && short_form[c] != '\0') {
		*p++ = short_form[c];
		return p;
	}
	p = put(p, LIT("u00"));
	*p++ = hex[c >> 4];
	*p++ = hex[c & 0xf];
	return p;
}

/*
 * The UTF-8 sequence that starts at s (a byte >= 0x80), n bytes at most:
 * its length, with *valid true, if it is well-formed (Unicode table 3-7: the
 * second byte's range rules out overlong forms, surrogates and code
 * points above U+10FFFF); otherwise the length of its maximal subpart,
 * the longest start of a well-formed sequence it has (at least 1), with
 * *valid false.  A sequence cut by the end of the line is a subpart.
 */
static size_t
utf8_sequence(const unsigned char *s, size_t n, bool *valid)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	*valid = false;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong below U+0800 */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates D800-DFFF */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong below U+10000 */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 1;	/* 80-BF alone, C0, C1, F5-FF: never valid */
	}
	for (i = 1; i < need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi)
			return i;
		lo = 0x80;
		hi = 0xbf;
	}
	*valid = true;
	return need;
}

/*
 * len bytes of text as the inside of a JSON string, at most
 * JSON_ESCAPE_MAX bytes a byte.  Runs of plain ASCII go in one memcpy;
 * the rest is escaped, kept as valid UTF-8, or replaced by U+FFFD.
 */
static char *
put_json(char *p, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, run, n;
	bool valid;

	while (i < len) {
		run = i + json_plain_run(s + i, len - i);
		p = put(p, text + i, run - i);
		if (run == len)
			break;
		i = run;
		if (s[i] < 0x80) {
			p = put_escape(p, s[i]);
			i++;
			continue;
		}
		n = utf8_sequence(s + i, len - i, &valid);
		if (valid)
			p = put(p, text + i, n);
		else
			p = put(p, LIT(REPLACEMENT));
		i += n;
	}
	return p;
}

size_t
logfmt_json_string(const char *text, size_t len, char *out)
{
	return (size_t)(put_json(out, text, len) - out);
}

size_t
logfmt_size(enum logfmt_format format, const struct logfmt_line *line)
{
	size_t name = strlen(line->service), size;

	if (format == LOGFMT_JSON) {
		size = sizeof(JSON_OPEN JSON_SERVICE JSON_STREAM JSON_LINE
				      JSON_LINE_END JSON_PARTIAL JSON_CLOSE) -
		       1 + JSON_STREAM_LEN +
		       JSON_ESCAPE_MAX * (name + line->len);
		if (line->time != NULL)
			size += sizeof(JSON_TIME JSON_TIME_END) - 1 +
				LOGFMT_TIME_LEN;
		return size;
	}
	size = (name > line->width ? name : line->width) +
	       sizeof(PLAIN_SEPARATOR) - 1 + line->len + 1;
	if (line->time != NULL)
		size += LOGFMT_TIME_LEN + 1;
	return size;
}

/* {"time":"...","service":"...","stream":"...","line":"..."}: see
 * logfmt.h for what the strings may hold. */
static size_t
write_json(const struct logfmt_line *line, char *out)
{
	char *p = out;

	p = put(p, LIT(JSON_OPEN));
	if (line->time != NULL) {
		p = put(p, LIT(JSON_TIME));
		p = put_time(p, line->time);
		p = put(p, LIT(JSON_TIME_END));
	}
	p = put(p, LIT(JSON_SERVICE));
	p = put_json(p, line->service, strlen(line->service));
	p = put(p, LIT(JSON_STREAM));
	p = put(p, line->is_stderr ? "stderr" : "stdout", JSON_STREAM_LEN);
	p = put(p, LIT(JSON_LINE));
	p = put_json(p, line->text, line->len);
	p = put(p, LIT(JSON_LINE_END));
	if (line->partial)
		p = put(p, LIT(JSON_PARTIAL));
	p = put(p, LIT(JSON_CLOSE));
	return (size_t)(p - out);
}

/* [TIME ]NAME<pad> | line: the name and the line as they are, the pad
 * spaces up to the width; nothing to escape, so a few memcpys. */
static size_t
write_plain(const struct logfmt_line *line, char *out)
{
	size_t name = strlen(line->service);
	char *p = out;

	if (line->time != NULL) {
		p = put_time(p, line->time);
		*p++ = ' ';
	}
	p = put(p, line->service, name);
	if (line->width > name) {
		memset(p, ' ', line->width - name);
		p += line->width - name;
	}
	p = put(p, LIT(PLAIN_SEPARATOR));
	p = put(p, line->text, line->len);
	*p++ = '\n';
	return (size_t)(p - out);
}

size_t
logfmt_write(enum logfmt_format format, const struct logfmt_line *line,
	     char *out)
{
	if (format == LOGFMT_JSON)
		return write_json(line, out);
	return write_plain(line, out);
}

int
logfmt_put_json_string(const char *text, FILE *out)
{
	size_t len = strlen(text);
	char *buf = malloc(len * LOGFMT_JSON_ESCAPE_MAX + 1);

	if (buf == NULL)
		return -1;
	fputc('"', out);
	fwrite(buf, 1, logfmt_json_string(text, len, buf), out);
	fputc('"', out);
	free(buf);
	return 0;
}
