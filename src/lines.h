/* SPDX-License-Identifier: MIT */
/* Line framing of a byte stream: what a service writes, cut into lines. */
#ifndef GRACE_LINES_H
#define GRACE_LINES_H

#include <stddef.h>

/* The buffer grace reads output into: a line of less than this comes
 * whole, with its newline; longer ones come in pieces. */
#define LINES_MAX 65536

enum lines_kind {
	LINES_NONE,	/* nothing to take: at most an unfinished line is left */
	LINES_WHOLE,	/* a line that ended with '\n', without it */
	LINES_PIECE,	/* cap bytes of a line too long for the buffer */
	LINES_PARTIAL,	/* an unfinished line, taken as it is */
};

/*
 * One buffer of cap bytes, read into in place.  Bytes [start, len) are
 * unread; [start, scan) of them are known to hold no '\n', so that a
 * line arriving in many small reads is searched once, not once a read.
 * Bytes are bytes: NULs, '\r' and invalid UTF-8 pass through untouched.
 */
struct lines {
	char *buf;
	size_t start, len, cap;
	size_t scan;
};

/* An empty buffer of cap bytes (grace uses LINES_MAX), allocated once and
 * never again; 0, -EINVAL for a cap of 0, or -ENOMEM. */
int lines_init(struct lines *lines, size_t cap);
/* Frees the buffer; idempotent, and safe after a failed lines_init(). */
void lines_free(struct lines *lines);

/* Where the next read(2) goes, with *room > 0 free bytes: first moves
 * what is left of an unfinished line to the front of the buffer.  Call
 * only once lines_next() has returned LINES_NONE. */
char *lines_space(struct lines *lines, size_t *room);
/* n bytes were read into the space lines_space() gave. */
void lines_commit(struct lines *lines, size_t n);

/*
 * The next line of what was committed: LINES_WHOLE with the line without
 * its '\n'; LINES_PIECE with all cap bytes when the buffer is full and
 * holds no newline (an overlong line is cut into pieces of cap bytes, the
 * last piece being the WHOLE line that ends it, which may be empty: a
 * line of exactly cap bytes comes as a PIECE and an empty WHOLE);
 * LINES_NONE when at most an unfinished line is left.  *line points into
 * the buffer, valid until the next call that changes it.
 */
enum lines_kind lines_next(struct lines *lines, const char **line,
			   size_t *len);
/* Bytes of an unfinished line, once lines_next() has returned
 * LINES_NONE; always less than cap then. */
size_t lines_pending(const struct lines *lines);
/* Takes the unfinished line as it is (LINES_PARTIAL), leaving the buffer
 * empty; LINES_NONE when there is none.  Call once lines_next() has
 * returned LINES_NONE: after 100 ms without its newline, and when the
 * writer exits. */
enum lines_kind lines_take_partial(struct lines *lines, const char **line,
				   size_t *len);

#endif
