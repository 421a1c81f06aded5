// SPDX-License-Identifier: MIT
/* Unit tests of arrays that start in their owner's room (src/grow.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "grow.h"

/* Within the owner's room: no heap, the room itself. */
static void
test_starts_in_room(void **state)
{
	int few[4], *items = NULL;
	void *p = items;
	size_t cap = 0;

	(void)state;
	assert_int_equal(grow_array(&p, &cap, 3, sizeof(int), few, 4), 0);
	assert_ptr_equal(p, few);
	assert_int_equal(cap, 4);
	/* Asking for what fits changes nothing. */
	assert_int_equal(grow_array(&p, &cap, 4, sizeof(int), few, 4), 0);
	assert_ptr_equal(p, few);
	assert_int_equal(cap, 4);
	grow_free(p, few);	/* frees nothing: ASan would say */
}

/* Outgrowing the room moves the contents to the heap, doubling from 8. */
static void
test_moves_to_heap(void **state)
{
	int few[4], *items;
	void *p = NULL;
	size_t cap = 0, i;

	(void)state;
	assert_int_equal(grow_array(&p, &cap, 4, sizeof(int), few, 4), 0);
	items = p;
	for (i = 0; i < 4; i++)
		items[i] = (int)i + 10;
	assert_int_equal(grow_array(&p, &cap, 5, sizeof(int), few, 4), 0);
	assert_ptr_not_equal(p, few);
	assert_int_equal(cap, 8);
	items = p;
	for (i = 0; i < 4; i++)
		assert_int_equal(items[i], (int)i + 10);
	/* Growing on the heap keeps the contents too. */
	items[7] = 77;
	assert_int_equal(grow_array(&p, &cap, 30, sizeof(int), few, 4), 0);
	assert_int_equal(cap, 32);
	items = p;
	assert_int_equal(items[0], 10);
	assert_int_equal(items[7], 77);
	grow_free(p, few);
}

/* More than the room at first: straight to the heap. */
static void
test_bigger_than_room(void **state)
{
	char few[2];
	void *p = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(grow_array(&p, &cap, 3, 1, few, 2), 0);
	assert_ptr_not_equal(p, few);
	assert_int_equal(cap, 8);
	grow_free(p, few);
}

/* A size that cannot be counted fails cleanly, changing nothing. */
static void
test_overflow(void **state)
{
	char few[2];
	void *p = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(grow_array(&p, &cap, SIZE_MAX / 2, 16, few, 2),
			 -ENOMEM);
	assert_null(p);
	assert_int_equal(cap, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_in_room),
		cmocka_unit_test(test_moves_to_heap),
		cmocka_unit_test(test_bigger_than_room),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
