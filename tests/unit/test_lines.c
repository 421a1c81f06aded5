// SPDX-License-Identifier: MIT
/* Unit tests of line framing (src/lines.c): reads given by hand, small
 * buffers so that overlong lines are cheap to make. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lines.h"

/* What one read(2) would have put in the buffer; it must fit. */
static void
feed(struct lines *lines, const char *data, size_t n)
{
	size_t room;
	char *space;

	space = lines_space(lines, &room);
	assert_true(room > 0);
	assert_true(n <= room);
	memcpy(space, data, n);
	lines_commit(lines, n);
}

#define FEED(lines, s) feed((lines), (s), sizeof(s) - 1)

/* The next call to lines_next() gives kind, with these bytes. */
static void
expect_next(struct lines *lines, enum lines_kind kind, const char *text,
	    size_t n)
{
	const char *line = NULL;
	size_t len = 0;

	assert_int_equal(lines_next(lines, &line, &len), kind);
	assert_int_equal(len, n);
	assert_memory_equal(line, text, n);
}

#define EXPECT(lines, kind, s) expect_next((lines), (kind), (s), sizeof(s) - 1)

static void
expect_none(struct lines *lines)
{
	const char *line = NULL;
	size_t len = 0;

	assert_int_equal(lines_next(lines, &line, &len), LINES_NONE);
}

/* A fixed pseudo-random sequence (a 32-bit LCG), the same every run. */
static uint32_t
next_random(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return *seed >> 8;
}

static void
test_init_free(void **state)
{
	struct lines lines;

	(void)state;
	assert_int_equal(lines_init(&lines, 8), 0);
	assert_non_null(lines.buf);
	assert_int_equal(lines.cap, 8);
	assert_int_equal(lines_pending(&lines), 0);
	expect_none(&lines);
	lines_free(&lines);
	assert_null(lines.buf);
	lines_free(&lines);

	assert_int_equal(lines_init(&lines, 0), -EINVAL);
	assert_null(lines.buf);
	lines_free(&lines);

	assert_int_equal(lines_init(&lines, LINES_MAX), 0);
	assert_int_equal(lines.cap, LINES_MAX);
	lines_free(&lines);
}

/* Whole lines in one read come one by one, then nothing. */
static void
test_one_read(void **state)
{
	struct lines lines;

	(void)state;
	assert_int_equal(lines_init(&lines, 64), 0);
	FEED(&lines, "hello\n");
	EXPECT(&lines, LINES_WHOLE, "hello");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 0);

	FEED(&lines, "one\ntwo\nthree\n");
	EXPECT(&lines, LINES_WHOLE, "one");
	EXPECT(&lines, LINES_WHOLE, "two");
	EXPECT(&lines, LINES_WHOLE, "three");
	expect_none(&lines);
	expect_none(&lines);
	lines_free(&lines);
}

/* A line in three reads comes whole once its newline is read. */
static void
test_across_reads(void **state)
{
	struct lines lines;

	(void)state;
	assert_int_equal(lines_init(&lines, 64), 0);
	FEED(&lines, "hel");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 3);
	FEED(&lines, "lo, wor");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 10);
	FEED(&lines, "ld\nnext");
	EXPECT(&lines, LINES_WHOLE, "hello, world");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 4);
	FEED(&lines, "\n");
	EXPECT(&lines, LINES_WHOLE, "next");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 0);
	lines_free(&lines);
}

/* A hundred lines in one read, and the unfinished one after them. */
static void
test_many_lines(void **state)
{
	char text[4096], want[32];
	struct lines lines;
	size_t n = 0;
	int i, w;

	(void)state;
	assert_int_equal(lines_init(&lines, sizeof(text)), 0);
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "line number %d\n", i);
	memcpy(text + n, "tail", 4);
	n += 4;
	feed(&lines, text, n);
	for (i = 0; i < 100; i++) {
		w = snprintf(want, sizeof(want), "line number %d", i);
		expect_next(&lines, LINES_WHOLE, want, (size_t)w);
	}
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 4);
	lines_free(&lines);
}

/* An empty line is a WHOLE line of no bytes. */
static void
test_empty_lines(void **state)
{
	struct lines lines;

	(void)state;
	assert_int_equal(lines_init(&lines, 16), 0);
	FEED(&lines, "\n\na\n\n");
	EXPECT(&lines, LINES_WHOLE, "");
	EXPECT(&lines, LINES_WHOLE, "");
	EXPECT(&lines, LINES_WHOLE, "a");
	EXPECT(&lines, LINES_WHOLE, "");
	expect_none(&lines);
	lines_free(&lines);
}

/* cap - 1 bytes and the newline fit: the line is whole. */
static void
test_cap_minus_one(void **state)
{
	struct lines lines;

	(void)state;
	assert_int_equal(lines_init(&lines, 8), 0);
	FEED(&lines, "1234567\n");
	EXPECT(&lines, LINES_WHOLE, "1234567");
	expect_none(&lines);
	/* The same, after a line that left its bytes at the front. */
	FEED(&lines, "ab\n1234");
	EXPECT(&lines, LINES_WHOLE, "ab");
	expect_none(&lines);
	FEED(&lines, "567\n");
	EXPECT(&lines, LINES_WHOLE, "1234567");
	expect_none(&lines);
	lines_free(&lines);
}

/* A line of exactly cap bytes: its newline does not fit, so it comes as
 * one piece, then an empty WHOLE line when the newline is read. */
static void
test_exactly_cap(void **state)
{
	struct lines lines;
	size_t room;

	(void)state;
	assert_int_equal(lines_init(&lines, 8), 0);
	FEED(&lines, "12345678");
	EXPECT(&lines, LINES_PIECE, "12345678");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 0);
	FEED(&lines, "\n");
	EXPECT(&lines, LINES_WHOLE, "");
	expect_none(&lines);

	/* Without its newline, the piece is all there is. */
	FEED(&lines, "abcdefgh");
	EXPECT(&lines, LINES_PIECE, "abcdefgh");
	expect_none(&lines);
	lines_space(&lines, &room);
	assert_int_equal(room, 8);
	/* Filled up across reads, after a line that went first. */
	FEED(&lines, "x\nABC");
	EXPECT(&lines, LINES_WHOLE, "x");
	expect_none(&lines);
	FEED(&lines, "DEFGH");
	EXPECT(&lines, LINES_PIECE, "ABCDEFGH");
	expect_none(&lines);
	lines_free(&lines);
}

/* A line of 21 bytes with cap 8: two pieces, and the WHOLE line of the
 * last 5 bytes that ends it. */
static void
test_overlong(void **state)
{
	const char *text = "abcdefghijklmnopqrstu\nok";
	struct lines lines;
	size_t room, n, off = 0;

	(void)state;
	assert_int_equal(lines_init(&lines, 8), 0);
	lines_space(&lines, &room);
	feed(&lines, text, room);
	off += room;
	EXPECT(&lines, LINES_PIECE, "abcdefgh");
	expect_none(&lines);
	lines_space(&lines, &room);
	feed(&lines, text + off, room);
	off += room;
	EXPECT(&lines, LINES_PIECE, "ijklmnop");
	expect_none(&lines);
	lines_space(&lines, &room);
	n = strlen(text) - off;
	assert_true(n <= room);
	feed(&lines, text + off, n);
	EXPECT(&lines, LINES_WHOLE, "qrstu");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 2);
	FEED(&lines, "\n");
	EXPECT(&lines, LINES_WHOLE, "ok");
	expect_none(&lines);
	lines_free(&lines);
}

/* The unfinished line, taken as it is, leaves the buffer empty. */
static void
test_take_partial(void **state)
{
	struct lines lines;
	const char *line;
	size_t len, room;

	(void)state;
	assert_int_equal(lines_init(&lines, 8), 0);
	assert_int_equal(lines_take_partial(&lines, &line, &len), LINES_NONE);
	FEED(&lines, "ab\ncde");
	EXPECT(&lines, LINES_WHOLE, "ab");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 3);
	assert_int_equal(lines_take_partial(&lines, &line, &len),
			 LINES_PARTIAL);
	assert_int_equal(len, 3);
	assert_memory_equal(line, "cde", 3);
	assert_int_equal(lines_pending(&lines), 0);
	assert_int_equal(lines_take_partial(&lines, &line, &len), LINES_NONE);
	lines_space(&lines, &room);
	assert_int_equal(room, 8);
	/* The rest of that line comes on its own. */
	FEED(&lines, "fg\n");
	EXPECT(&lines, LINES_WHOLE, "fg");
	expect_none(&lines);
	assert_int_equal(lines_take_partial(&lines, &line, &len), LINES_NONE);
	lines_free(&lines);
}

/* Pending counts only the unfinished line, never the lines taken. */
static void
test_pending(void **state)
{
	struct lines lines;

	(void)state;
	assert_int_equal(lines_init(&lines, 16), 0);
	assert_int_equal(lines_pending(&lines), 0);
	FEED(&lines, "first\nsec");
	EXPECT(&lines, LINES_WHOLE, "first");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 3);
	FEED(&lines, "ond");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 6);
	FEED(&lines, "\n");
	EXPECT(&lines, LINES_WHOLE, "second");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 0);
	lines_free(&lines);
}

/* NULs, carriage returns and bytes that are not UTF-8 are bytes. */
static void
test_bytes(void **state)
{
	struct lines lines;

	(void)state;
	assert_int_equal(lines_init(&lines, 32), 0);
	FEED(&lines, "a\0b\n\0\nc\r\n\xff\xfe\xc0\x80\n\0");
	EXPECT(&lines, LINES_WHOLE, "a\0b");
	EXPECT(&lines, LINES_WHOLE, "\0");
	EXPECT(&lines, LINES_WHOLE, "c\r");
	EXPECT(&lines, LINES_WHOLE, "\xff\xfe\xc0\x80");
	expect_none(&lines);
	assert_int_equal(lines_pending(&lines), 1);
	lines_free(&lines);
}

/* lines_space() moves the unfinished line to the front, and only it. */
static void
test_space_compacts(void **state)
{
	struct lines lines;
	size_t room;
	char *space;

	(void)state;
	assert_int_equal(lines_init(&lines, 8), 0);
	space = lines_space(&lines, &room);
	assert_ptr_equal(space, lines.buf);
	assert_int_equal(room, 8);
	FEED(&lines, "ab\ncdef");
	EXPECT(&lines, LINES_WHOLE, "ab");
	expect_none(&lines);
	space = lines_space(&lines, &room);
	assert_memory_equal(lines.buf, "cdef", 4);
	assert_ptr_equal(space, lines.buf + 4);
	assert_int_equal(room, 4);
	/* Nothing moves while the line is at the front already. */
	FEED(&lines, "g");
	expect_none(&lines);
	space = lines_space(&lines, &room);
	assert_ptr_equal(space, lines.buf + 5);
	assert_int_equal(room, 3);
	FEED(&lines, "h\n");
	EXPECT(&lines, LINES_WHOLE, "cdefgh");
	expect_none(&lines);
	/* Everything taken: the whole buffer is free again. */
	space = lines_space(&lines, &room);
	assert_ptr_equal(space, lines.buf);
	assert_int_equal(room, 8);
	lines_free(&lines);
}

/* A count beyond the space given is held to it. */
static void
test_commit_clamped(void **state)
{
	struct lines lines;
	size_t room;
	char *space;

	(void)state;
	assert_int_equal(lines_init(&lines, 8), 0);
	space = lines_space(&lines, &room);
	memset(space, 'x', room);
	lines_commit(&lines, room + 100);
	assert_int_equal(lines.len, 8);
	EXPECT(&lines, LINES_PIECE, "xxxxxxxx");
	lines_free(&lines);
}

/* Takes everything lines_next() gives, as the relay would write it:
 * WHOLE lines with their newline, pieces as they are. */
static void
drain(struct lines *lines, char *out, size_t *n)
{
	enum lines_kind kind;
	const char *line;
	size_t len;

	while ((kind = lines_next(lines, &line, &len)) != LINES_NONE) {
		assert_false(memchr(line, '\n', len) != NULL);
		if (kind == LINES_PIECE)
			assert_int_equal(len, lines->cap);
		else
			assert_true(len < lines->cap);
		memcpy(out + *n, line, len);
		*n += len;
		if (kind == LINES_WHOLE)
			out[(*n)++] = '\n';
	}
	assert_true(lines_pending(lines) < lines->cap);
}

/* Random text, newlines now and then, in reads of random sizes (one byte
 * at a time too), with partial lines taken now and then: what comes out
 * is what went in, byte for byte. */
static void
test_random_reads(void **state)
{
	enum { SIZE = 20000 };
	static char in[SIZE], out[SIZE];
	struct lines lines;
	uint32_t seed = 2024;
	size_t caps[] = { 1, 2, 7, 64, 4096 };
	size_t c, i, off, n, room, len, chunk;
	const char *line;
	char *space;

	(void)state;
	for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		for (i = 0; i < SIZE; i++) {
			in[i] = (char)next_random(&seed);
			if (next_random(&seed) % (c % 2 ? 10 : 200) == 0)
				in[i] = '\n';
		}
		assert_int_equal(lines_init(&lines, caps[c]), 0);
		off = 0;
		n = 0;
		while (off < SIZE) {
			space = lines_space(&lines, &room);
			assert_true(room > 0);
			chunk = c == 2 ? 1 : 1 + next_random(&seed) % room;
			if (chunk > SIZE - off)
				chunk = SIZE - off;
			memcpy(space, in + off, chunk);
			lines_commit(&lines, chunk);
			off += chunk;
			drain(&lines, out, &n);
			if (next_random(&seed) % 16 == 0 &&
			    lines_take_partial(&lines, &line, &len) ==
				    LINES_PARTIAL) {
				assert_true(len > 0 && len < lines.cap);
				memcpy(out + n, line, len);
				n += len;
			}
		}
		if (lines_take_partial(&lines, &line, &len) == LINES_PARTIAL) {
			memcpy(out + n, line, len);
			n += len;
		}
		assert_int_equal(n, SIZE);
		assert_memory_equal(out, in, SIZE);
		lines_free(&lines);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_free),
		cmocka_unit_test(test_one_read),
		cmocka_unit_test(test_across_reads),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_empty_lines),
		cmocka_unit_test(test_cap_minus_one),
		cmocka_unit_test(test_exactly_cap),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_take_partial),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_space_compacts),
		cmocka_unit_test(test_commit_clamped),
		cmocka_unit_test(test_random_reads),
	};

	return cmocka_run_group_tests_name("lines", tests, NULL, NULL);
}
