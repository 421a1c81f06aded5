// SPDX-License-Identifier: MIT
/* Unit tests of the process table (src/table.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "table.h"

static void
test_add_find_remove(void **state)
{
	struct table table = { 0 };
	pid_t pid;

	(void)state;
	assert_null(table_find(&table, 5));
	for (pid = 1; pid <= 100; pid++)
		assert_int_equal(table_add(&table, pid, PROC_MAIN, "x"), 0);
	assert_int_equal(table.n, 100);
	assert_int_equal(table_find(&table, 42)->pid, 42);
	table_remove(&table, 42);
	table_remove(&table, 42);
	assert_null(table_find(&table, 42));
	assert_int_equal(table.n, 99);
	for (pid = 1; pid <= 100; pid++)
		if (pid != 42)
			assert_non_null(table_find(&table, pid));
	table_free(&table);
	assert_int_equal(table.n, 0);
}

/* After table_reserve(n), n additions need no allocation. */
static void
test_reserve(void **state)
{
	struct table table = { 0 };

	(void)state;
	assert_int_equal(table_reserve(&table, 20), 0);
	assert_true(table.cap >= 20);
	assert_int_equal(table_reserve(&table, 1), 0);
	table_free(&table);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find_remove),
		cmocka_unit_test(test_reserve),
	};

	return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
