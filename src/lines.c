// SPDX-License-Identifier: MIT
/* Owns cutting a service's output into lines: one fixed buffer read into
 * in place, each byte searched once and moved at most once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"

#if defined(__SSE2__)
#include <emmintrin.h>

/*
 * The first newline of n bytes, or NULL: 16 bytes at a time.  The static
 * binary's C library (musl) searches a word at a time, which made this
 * search a quarter of the relay's time on 100-byte lines.
 */
static const char *
find_newline(const char *p, size_t n)
{
	const __m128i newline = _mm_set1_epi8('\n');
	size_t i = 0;
	int mask;

	for (; i + 16 <= n; i += 16) {
		mask = _mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(const void *)(p + i)),
			newline));
		if (mask != 0)
			return p + i + __builtin_ctz((unsigned)mask);
	}
	for (; i < n; i++)
		if (p[i] == '\n')
			return p + i;
	return NULL;
}
#else
static const char *
find_newline(const char *p, size_t n)
{
	return memchr(p, '\n', n);
}
#endif

int
lines_init(struct lines *lines, size_t cap)
{
	*lines = (struct lines){ NULL, 0, 0, 0, 0 };
	if (cap == 0)
		return -EINVAL;
	lines->buf = malloc(cap);
	if (lines->buf == NULL)
		return -ENOMEM;
	lines->cap = cap;
	return 0;
}

void
lines_free(struct lines *lines)
{
	free(lines->buf);
	*lines = (struct lines){ NULL, 0, 0, 0, 0 };
}

/* Nothing unread is left: the next read may use the whole buffer, with no
 * byte to move.  The bytes stay where they are, for the line last given. */
static void
empty(struct lines *lines)
{
	lines->start = 0;
	lines->len = 0;
	lines->scan = 0;
}

/*
 * Only the unfinished line is moved, and only when a line before it was
 * taken; once at the front it stays there until its newline comes, so
 * each byte moves at most once however slowly its line arrives.
 */
char *
lines_space(struct lines *lines, size_t *room)
{
	size_t left = lines->len - lines->start;

	if (lines->start > 0) {
		memmove(lines->buf, lines->buf + lines->start, left);
		lines->scan -= lines->start;
		lines->start = 0;
		lines->len = left;
	}
	*room = lines->cap - lines->len;
	return lines->buf + lines->len;
}

void
lines_commit(struct lines *lines, size_t n)
{
	/* A count beyond the space is a caller's bug: keep the buffer's
	 * bounds rather than read past them. */
	if (n > lines->cap - lines->len)
		n = lines->cap - lines->len;
	lines->len += n;
}

/*
 * Searches only what no earlier call searched.  A full buffer with no
 * newline cannot grow: its bytes go out as a piece, and the line goes on
 * in the next ones.
 */
enum lines_kind
lines_next(struct lines *lines, const char **line, size_t *len)
{
	const char *nl;

	nl = find_newline(lines->buf + lines->scan, lines->len - lines->scan);
	if (nl != NULL) {
		*line = lines->buf + lines->start;
		*len = (size_t)(nl - *line);
		lines->start = (size_t)(nl - lines->buf) + 1;
		lines->scan = lines->start;
		if (lines->start == lines->len)
			empty(lines);
		return LINES_WHOLE;
	}
	lines->scan = lines->len;
	if (lines->len - lines->start < lines->cap)
		return LINES_NONE;
	*line = lines->buf;
	*len = lines->cap;
	empty(lines);
	return LINES_PIECE;
}

size_t
lines_pending(const struct lines *lines)
{
	return lines->len - lines->start;
}

enum lines_kind
lines_take_partial(struct lines *lines, const char **line, size_t *len)
{
	if (lines->len == lines->start)
		return LINES_NONE;
	*line = lines->buf + lines->start;
	*len = lines->len - lines->start;
	empty(lines);
	return LINES_PARTIAL;
}
