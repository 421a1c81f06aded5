// SPDX-License-Identifier: MIT
/* libFuzzer target: relaying services' output, line framing (src/lines.c)
 * and the plain and JSON forms of a line (src/logfmt.c), with the
 * promises each makes checked. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_input.h"
#include "lines.h"
#include "logfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A 32-bit LCG: chunk sizes from a seed the input gives. */
static uint32_t
next_random(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return *seed >> 8;
}

/* Appends what lines_next() gives until LINES_NONE, as the relay writes
 * it: a WHOLE line and its newline, a piece as it is. */
static void
drain(struct lines *lines, char *out, size_t *n)
{
	enum lines_kind kind;
	const char *line;
	size_t len;

	while ((kind = lines_next(lines, &line, &len)) != LINES_NONE) {
		if (line < lines->buf || line + len > lines->buf + lines->cap ||
		    memchr(line, '\n', len) != NULL)
			abort();
		if (kind == LINES_PIECE) {
			if (len != lines->cap)
				abort();
		} else if (kind != LINES_WHOLE || len >= lines->cap) {
			abort();
		}
		memcpy(out + *n, line, len);
		*n += len;
		if (kind == LINES_WHOLE)
			out[(*n)++] = '\n';
	}
	if (lines_pending(lines) >= lines->cap)
		abort();
}

/*
 * The input after two bytes (the buffer's size, 1 to 32, and a seed for
 * the sizes of the reads) fed in reads of up to the room given, partial
 * lines taken now and then as the 100 ms timer would: every WHOLE line
 * with its newline, every piece and every partial line, in order, are
 * the input again, byte for byte.
 */
static void
fuzz_lines(const char *text, size_t size)
{
	size_t cap, off = 0, n = 0, room, chunk, len;
	struct lines lines;
	const char *line;
	uint32_t seed;
	char *space, *out;

	if (size < 2)
		return;
	cap = 1 + (unsigned char)text[0] % 32;
	seed = (unsigned char)text[1];
	text += 2;
	size -= 2;
	if (lines_init(&lines, cap) < 0)
		return;
	out = malloc(size + 1);
	if (out == NULL) {
		lines_free(&lines);
		return;
	}
	while (off < size) {
		space = lines_space(&lines, &room);
		if (room == 0 || room > cap || space != lines.buf + lines.len)
			abort();
		chunk = 1 + next_random(&seed) % room;
		if (chunk > size - off)
			chunk = size - off;
		memcpy(space, text + off, chunk);
		lines_commit(&lines, chunk);
		off += chunk;
		drain(&lines, out, &n);
		if (next_random(&seed) % 8 == 0) {
			if (lines_take_partial(&lines, &line, &len) ==
			    LINES_PARTIAL) {
				if (len == 0 || len >= cap)
					abort();
				memcpy(out + n, line, len);
				n += len;
			}
			if (lines_pending(&lines) != 0)
				abort();
		}
	}
	if (lines_take_partial(&lines, &line, &len) == LINES_PARTIAL) {
		memcpy(out + n, line, len);
		n += len;
	}
	if (lines_pending(&lines) != 0 ||
	    lines_take_partial(&lines, &line, &len) != LINES_NONE ||
	    n != size || memcmp(out, text, size) != 0)
		abort();
	free(out);
	lines_free(&lines);
	lines_free(&lines);
}

/* Well-formed UTF-8, decoded code point by code point (not the way
 * logfmt.c checks it, so that each checks the other). */
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

/* The shape of an RFC 3339 time as logfmt writes it, with each field in
 * its range. */
static void
check_time(const char *t)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	size_t i;

	for (i = 0; i < LOGFMT_TIME_LEN; i++) {
		if (shape[i] == 'd' ? t[i] < '0' || t[i] > '9'
				    : t[i] != shape[i])
			abort();
	}
	if (memcmp(t + 5, "01", 2) < 0 || memcmp(t + 5, "12", 2) > 0 ||
	    memcmp(t + 8, "01", 2) < 0 || memcmp(t + 8, "31", 2) > 0 ||
	    memcmp(t + 11, "23", 2) > 0 || memcmp(t + 14, "59", 2) > 0 ||
	    memcmp(t + 17, "59", 2) > 0)
		abort();
}

/* What a fuzz input asks logfmt to write. */
struct input {
	struct logfmt_line line;
	struct timespec time;
	char service[24];
	char when[LOGFMT_TIME_LEN + 1];
};

/*
 * Takes from text, in order: a byte of flags (stream, partial, a time or
 * none, and a width of 0 to 31), a byte with the name's length (0 to 23,
 * cut at a NUL), the name, 8 bytes of seconds and 4 of nanoseconds (any
 * value: out of range ones too), and the line, the rest.
 */
static void
read_input(struct input *in, const char *text, size_t size)
{
	unsigned char flags = size > 0 ? (unsigned char)text[0] : 0;
	size_t name, off = size > 1 ? 2 : size;
	int64_t sec = 1780291010;
	int32_t nsec = 123456789;

	memset(in, 0, sizeof(*in));
	name = size > 1 ? (unsigned char)text[1] % sizeof(in->service) : 0;
	if (name > size - off)
		name = size - off;
	memcpy(in->service, text + off, name);
	off += name;
	if (size - off >= sizeof(sec) + sizeof(nsec)) {
		memcpy(&sec, text + off, sizeof(sec));
		memcpy(&nsec, text + off + sizeof(sec), sizeof(nsec));
		off += sizeof(sec) + sizeof(nsec);
	}
	in->time.tv_sec = (time_t)sec;
	in->time.tv_nsec = nsec;
	in->line.service = in->service;
	in->line.width = flags >> 3;
	in->line.is_stderr = flags & 1;
	in->line.partial = flags & 2;
	in->line.time = flags & 4 ? NULL : &in->time;
	in->line.text = text + off;
	in->line.len = size - off;
	logfmt_time(&in->time, in->when);
	if (in->when[LOGFMT_TIME_LEN] != '\0')
		abort();
	check_time(in->when);
}

/* logfmt_write() into a buffer of exactly logfmt_size() bytes, so that
 * the sanitizer sees a byte written past the bound; NULL when out of
 * memory. */
static char *
write_line(enum logfmt_format format, const struct logfmt_line *line,
	   size_t *n)
{
	size_t size = logfmt_size(format, line);
	char *out = malloc(size);

	if (out == NULL)
		return NULL;
	*n = logfmt_write(format, line, out);
	if (*n > size || *n == 0 || out[*n - 1] != '\n')
		abort();
	return out;
}

/* The JSON string at *p decoded into value (which has room: decoding
 * never grows a string); false if it is not one logfmt would write. */
static bool
json_string(const char **p, const char *end, char *value, size_t *len)
{
	static const char hex[] = "0123456789abcdef";
	const char *s = *p, *h, *l;

	*len = 0;
	if (s >= end || *s++ != '"')
		return false;
	while (s < end && *s != '"') {
		if (*s != '\\') {
			value[(*len)++] = *s++;
			continue;
		}
		if (end - s < 2)
			return false;
		s++;
		switch (*s++) {
		case '"':
			value[(*len)++] = '"';
			break;
		case '\\':
			value[(*len)++] = '\\';
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
			if (end - s < 4 || s[0] != '0' || s[1] != '0' ||
			    s[2] == '\0' || s[3] == '\0' ||
			    (h = strchr(hex, s[2])) == NULL ||
			    (l = strchr(hex, s[3])) == NULL || h - hex > 7)
				return false;
			value[(*len)++] = (char)((h - hex) << 4 | (l - hex));
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

/* Expects the literal lit at *p, and moves past it. */
static bool
json_literal(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

/* Aborts unless ok: a promise broken. */
static void
expect(bool ok)
{
	if (!ok)
		abort();
}

/*
 * A JSON object with the keys in logfmt's order, one line, valid UTF-8,
 * no raw control byte; its line decoded into *line (malloc'd), to be
 * compared with what was given.
 */
static void
check_json(const struct input *in, const char *out, size_t n, char **line,
	   size_t *len)
{
	const char *p = out, *end = out + n - 1;
	size_t i, vlen, name = strlen(in->service);
	char *value;

	expect(n >= 3 && out[n - 2] == '}');
	expect(utf8_valid((const unsigned char *)out, n));
	for (i = 0; i < n - 1; i++)
		expect((unsigned char)out[i] >= 0x20);
	value = malloc(n);
	expect(value != NULL);
	expect(json_literal(&p, end, "{"));
	if (in->line.time != NULL) {
		expect(json_literal(&p, end, "\"time\":"));
		expect(json_string(&p, end, value, &vlen));
		expect(vlen == LOGFMT_TIME_LEN &&
		       memcmp(value, in->when, vlen) == 0);
		expect(json_literal(&p, end, ","));
	}
	expect(json_literal(&p, end, "\"service\":"));
	expect(json_string(&p, end, value, &vlen));
	expect(utf8_valid((const unsigned char *)value, vlen));
	if (utf8_valid((const unsigned char *)in->service, name))
		expect(vlen == name && memcmp(value, in->service, name) == 0);
	expect(json_literal(&p, end, ",\"stream\":"));
	expect(json_literal(&p, end, in->line.is_stderr ? "\"stderr\","
							: "\"stdout\","));
	expect(json_literal(&p, end, "\"line\":"));
	expect(json_string(&p, end, value, &vlen));
	if (in->line.partial)
		expect(json_literal(&p, end, ",\"partial\":true"));
	expect(json_literal(&p, end, "}"));
	expect(p == end);
	*line = value;
	*len = vlen;
}

/*
 * JSON: written within logfmt_size(), a valid object on one line; its
 * line decodes to the bytes given when they are valid UTF-8, and to valid
 * UTF-8 otherwise; and that decoded line, written again, decodes to
 * itself.
 */
static void
fuzz_json(const char *text, size_t size)
{
	struct input in;
	char *out, *line, *again;
	size_t n, len, len2;

	read_input(&in, text, size);
	out = write_line(LOGFMT_JSON, &in.line, &n);
	if (out == NULL)
		return;
	check_json(&in, out, n, &line, &len);
	expect(utf8_valid((const unsigned char *)line, len));
	expect(len <= 3 * in.line.len);
	if (utf8_valid((const unsigned char *)in.line.text, in.line.len))
		expect(len == in.line.len &&
		       memcmp(line, in.line.text, len) == 0);
	free(out);
	in.line.text = line;
	in.line.len = len;
	out = write_line(LOGFMT_JSON, &in.line, &n);
	if (out != NULL) {
		check_json(&in, out, n, &again, &len2);
		expect(len2 == len && memcmp(again, line, len) == 0);
		free(again);
		free(out);
	}
	free(line);
}

/* Plain: "[TIME ]NAME<pad> | line\n" exactly, the line's bytes as they
 * are, in exactly logfmt_size() bytes. */
static void
fuzz_plain(const char *text, size_t size)
{
	size_t n, off = 0, name, pad;
	struct input in;
	char *out;

	read_input(&in, text, size);
	out = write_line(LOGFMT_PLAIN, &in.line, &n);
	if (out == NULL)
		return;
	if (n != logfmt_size(LOGFMT_PLAIN, &in.line))
		abort();
	if (in.line.time != NULL) {
		if (memcmp(out, in.when, LOGFMT_TIME_LEN) != 0 ||
		    out[LOGFMT_TIME_LEN] != ' ')
			abort();
		off = LOGFMT_TIME_LEN + 1;
	}
	name = strlen(in.service);
	pad = in.line.width > name ? in.line.width - name : 0;
	if (memcmp(out + off, in.service, name) != 0)
		abort();
	off += name;
	while (pad-- > 0)
		if (out[off++] != ' ')
			abort();
	if (memcmp(out + off, " | ", 3) != 0 ||
	    memcmp(out + off + 3, in.line.text, in.line.len) != 0 ||
	    off + 3 + in.line.len + 1 != n)
		abort();
	free(out);
}

/* The input: a first byte that picks lines, JSON or plain, then what
 * each reads from the rest, NULs and all. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_lines(text, size - 1);
		break;
	case 1:
		fuzz_json(text, size - 1);
		break;
	case 2:
		fuzz_plain(text, size - 1);
		break;
	}
	free(text);
	return 0;
}
