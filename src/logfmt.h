/* SPDX-License-Identifier: MIT */
/* How one relayed line is written: plain, or one JSON object. */
#ifndef GRACE_LOGFMT_H
#define GRACE_LOGFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

enum logfmt_format { LOGFMT_PLAIN, LOGFMT_JSON };

/* One line to write, and what to say about it. */
struct logfmt_line {
	/* The name, NUL-terminated: "felix", or "grace" for grace's own
	 * messages. */
	const char *service;
	/* Plain: the name is padded with spaces to this width (for names
	 * shorter than the longest). */
	size_t width;
	bool is_stderr;		/* "stream": "stderr" or "stdout" */
	const char *text;	/* the line, without its newline; any bytes */
	size_t len;
	/* Cut before its newline: a piece or a flushed partial line. */
	bool partial;
	/* CLOCK_REALTIME when the line was read; NULL: no timestamp. */
	const struct timespec *time;
};

/* The most bytes logfmt_write() can write for this line (an upper bound,
 * cheap to compute: the line's bytes are not looked at). */
size_t logfmt_size(enum logfmt_format format, const struct logfmt_line *line);

/*
 * Writes the line into out (at least logfmt_size() bytes), ending with
 * '\n'; returns the bytes written.
 *
 * Plain: "[TIME ]NAME<pad> | line\n", the name and the line's bytes
 * unchanged, a partial line not marked.
 *
 * JSON: one compact object, keys in this order:
 * {"time":"...","service":"...","stream":"stdout","line":"..."} with
 * ,"partial":true before the brace for a partial line, and no "time"
 * when line->time is NULL.  Valid JSON in valid UTF-8 whatever the bytes:
 * '"' and '\\' escaped, \b \f \n \r \t, \u00xx for the other control
 * characters and 0x7f; valid UTF-8 (RFC 3629: no overlong form, no
 * surrogate, nothing above U+10FFFF) as it is; each maximal subpart of an
 * invalid sequence (Unicode's "substitution of maximal subparts", as in
 * the W3C encoding standard) becomes one U+FFFD.  The service name is
 * escaped the same way.
 */
size_t logfmt_write(enum logfmt_format format, const struct logfmt_line *line,
		    char *out);

/* RFC 3339 in UTC with milliseconds, "2026-12-01T05:16:50.123Z" (24 bytes
 * + NUL), cut, not rounded, to the millisecond; writes into
 * out[LOGFMT_TIME_LEN + 1].  A year before 0000 or after 9999 is clamped
 * to the first or last millisecond RFC 3339 can write. */
#define LOGFMT_TIME_LEN 24
void logfmt_time(const struct timespec *time, char *out);

/* The most bytes logfmt_json_string() writes for one byte of text. */
#define LOGFMT_JSON_ESCAPE_MAX 6

/* Writes len bytes of text as the inside of a JSON string (no quotes),
 * escaped and repaired as logfmt_write() does a line, into out (room for
 * LOGFMT_JSON_ESCAPE_MAX * len bytes); returns the bytes written. */
size_t logfmt_json_string(const char *text, size_t len, char *out);
/* Writes text (a C string) to out as a quoted JSON string; -1, having
 * written nothing, when out of memory. */
int logfmt_put_json_string(const char *text, FILE *out);

#endif
