// SPDX-License-Identifier: MIT
/* Unit tests of /proc parsing and the descendant walk (src/procs.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "procs.h"

static void
test_parse_stat(void **state)
{
	pid_t ppid = -1;
	char st = '?';

	(void)state;
	assert_int_equal(procs_parse_stat("42 (sleep) S 7 42 42 0", &st, &ppid),
			 0);
	assert_int_equal(ppid, 7);
	assert_int_equal(st, 'S');
	/* comm is chosen by the process and may hold spaces and parens. */
	assert_int_equal(procs_parse_stat("9 (a) S 3 (b)) Z 5 1 1", &st, &ppid),
			 0);
	assert_int_equal(ppid, 5);
	assert_int_equal(st, 'Z');
	assert_int_equal(procs_parse_stat("1 (init) S 0 1 1", &st, &ppid), 0);
	assert_int_equal(ppid, 0);
	assert_int_equal(procs_parse_stat("", &st, &ppid), -1);
	assert_int_equal(procs_parse_stat("12 (x", &st, &ppid), -1);
	assert_int_equal(procs_parse_stat("12 (x) S", &st, &ppid), -1);
	assert_int_equal(procs_parse_stat("12 (x) S -3", &st, &ppid), -1);
}

static bool
contains(const pid_t *pids, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/*
 * 10 is grace.  Its tree: 11 -> {12, 13 -> 14 -> 15}, 16.
 * Outside it: 1 (init), 2 -> 3 (a sibling tree), 20 (a child of 1).
 */
static void
test_descendants(void **state)
{
	struct procs_entry all[] = {
		{ 15, 14 }, { 1, 0 },	{ 12, 11 }, { 2, 1 },  { 3, 2 },
		{ 11, 10 }, { 14, 13 }, { 20, 1 },  { 13, 11 }, { 16, 10 },
		{ 10, 1 },
	};
	size_t n = sizeof(all) / sizeof(all[0]), found;
	pid_t out[sizeof(all) / sizeof(all[0])];

	(void)state;
	found = procs_descendants(all, n, 10, out);
	assert_int_equal(found, 6);
	assert_true(contains(out, found, 11));
	assert_true(contains(out, found, 12));
	assert_true(contains(out, found, 13));
	assert_true(contains(out, found, 14));
	assert_true(contains(out, found, 15));
	assert_true(contains(out, found, 16));
	/* Children come before their own children. */
	assert_true(out[0] == 11 || out[0] == 16);
	assert_int_equal(out[found - 1], 15);

	assert_int_equal(procs_descendants(all, n, 15, out), 0);
	assert_int_equal(procs_descendants(all, 0, 10, out), 0);
}

/* A wide, flat tree, as after an orphan storm. */
static void
test_many_children(void **state)
{
	enum { N = 20000 };
	struct procs_entry *all = calloc(N, sizeof(*all));
	pid_t *out = calloc(N, sizeof(*out));
	size_t i;

	(void)state;
	assert_non_null(all);
	assert_non_null(out);
	for (i = 0; i < N; i++)
		all[i] = (struct procs_entry){ (pid_t)(100 + i),
					       i % 2 ? 1 : 50 };
	assert_int_equal(procs_descendants(all, N, 50, out), N / 2);
	free(all);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_stat),
		cmocka_unit_test(test_descendants),
		cmocka_unit_test(test_many_children),
	};

	return cmocka_run_group_tests_name("procs", tests, NULL, NULL);
}
