// SPDX-License-Identifier: MIT
/* Unit tests of the deadline heap (src/deadline.c), without its timerfd:
 * every time is given, the clock is never read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "deadline.h"

#define MANY 200

/* The deadlines a callback saw, in the order it saw them. */
struct fired {
	struct deadline *order[MANY];
	uint64_t when[MANY];
	size_t n;
};

/* Records the deadline in the struct fired that ctx points at; a fired
 * deadline is no longer armed. */
static void
record(struct deadline *deadline, void *ctx)
{
	struct fired *fired = ctx;

	assert_false(deadline_armed(deadline));
	assert_true(fired->n < MANY);
	fired->when[fired->n] = deadline->when_ms;
	fired->order[fired->n++] = deadline;
}

/* A fixed pseudo-random sequence (a 32-bit LCG), the same every run. */
static uint32_t
next_random(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return *seed >> 8;
}

/* The heap's shape: each entry knows its slot, no child is earlier than
 * its parent. */
static void
check_heap(const struct deadlines *deadlines)
{
	size_t i;

	assert_true(deadlines->n <= deadlines->cap);
	for (i = 0; i < deadlines->n; i++) {
		assert_int_equal(deadlines->heap[i]->slot, i);
		if (i > 0)
			assert_true(deadlines->heap[(i - 1) / 2]->when_ms <=
				    deadlines->heap[i]->when_ms);
	}
}

/* The earliest armed deadline of d[0..n), or NULL, by a plain scan. */
static struct deadline *
scan_earliest(struct deadline *d, size_t n)
{
	struct deadline *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (deadline_armed(&d[i]) &&
		    (best == NULL || d[i].when_ms < best->when_ms))
			best = &d[i];
	return best;
}

/* Pops everything left and checks it comes out in time order. */
static size_t
drain_in_order(struct deadlines *deadlines)
{
	struct deadline *d;
	uint64_t last = 0;
	size_t n = 0;

	while ((d = deadlines_pop_due(deadlines, UINT64_MAX)) != NULL) {
		assert_false(deadline_armed(d));
		assert_true(d->when_ms >= last);
		last = d->when_ms;
		n++;
		check_heap(deadlines);
	}
	assert_int_equal(deadlines->n, 0);
	assert_null(deadlines_earliest(deadlines));
	return n;
}

static void
test_init(void **state)
{
	struct deadlines deadlines;
	struct deadline d;

	(void)state;
	deadlines_init(&deadlines);
	assert_int_equal(deadlines.timerfd, -1);
	assert_null(deadlines_earliest(&deadlines));
	assert_null(deadlines_pop_due(&deadlines, UINT64_MAX));
	deadline_init(&d, NULL, NULL);
	assert_false(deadline_armed(&d));
	/* Nothing due, no callback called. */
	deadlines_run_due(&deadlines, UINT64_MAX);
	deadlines_free(&deadlines);
}

/* 200 deadlines set in a scrambled order, some moved on the way: the
 * earliest is always the minimum, and they come out sorted. */
static void
test_earliest_is_minimum(void **state)
{
	static struct deadline d[MANY];
	struct deadlines deadlines;
	uint32_t seed = 12345;
	size_t i, j;

	(void)state;
	deadlines_init(&deadlines);
	assert_int_equal(deadlines_reserve(&deadlines, MANY), 0);
	for (i = 0; i < MANY; i++) {
		deadline_init(&d[i], NULL, NULL);
		assert_int_equal(deadline_set(&deadlines, &d[i],
					      1 + next_random(&seed) % 5000),
				 0);
		assert_ptr_equal(deadlines_earliest(&deadlines),
				 scan_earliest(d, i + 1));
		check_heap(&deadlines);
		/* Now and then move an earlier one, either way. */
		if (i % 7 == 6) {
			j = next_random(&seed) % (i + 1);
			assert_int_equal(deadline_set(&deadlines, &d[j],
						      1 + next_random(&seed) %
								  5000),
					 0);
			assert_int_equal(deadlines.n, i + 1);
			assert_ptr_equal(deadlines_earliest(&deadlines),
					 scan_earliest(d, i + 1));
			check_heap(&deadlines);
		}
	}
	assert_int_equal(deadlines.n, MANY);
	assert_int_equal(drain_in_order(&deadlines), MANY);
	deadlines_free(&deadlines);
}

/* Once room is reserved, arming never allocates. */
static void
test_reserved_room(void **state)
{
	static struct deadline d[MANY];
	struct deadlines deadlines;
	struct deadline **heap;
	size_t i, cap;

	(void)state;
	deadlines_init(&deadlines);
	assert_int_equal(deadlines_reserve(&deadlines, MANY), 0);
	heap = deadlines.heap;
	cap = deadlines.cap;
	assert_true(cap >= MANY);
	for (i = 0; i < MANY; i++) {
		deadline_init(&d[i], NULL, NULL);
		assert_int_equal(deadline_set(&deadlines, &d[i], MANY - i), 0);
	}
	assert_ptr_equal(deadlines.heap, heap);
	assert_int_equal(deadlines.cap, cap);
	/* Reserving what is there already changes nothing. */
	assert_int_equal(deadlines_reserve(&deadlines, cap - MANY), 0);
	assert_ptr_equal(deadlines.heap, heap);
	assert_int_equal(drain_in_order(&deadlines), MANY);
	deadlines_free(&deadlines);
}

/* With no room reserved the heap grows as deadlines are armed. */
static void
test_growth_without_reserve(void **state)
{
	static struct deadline d[MANY];
	struct deadlines deadlines;
	uint32_t seed = 99;
	size_t i;

	(void)state;
	deadlines_init(&deadlines);
	for (i = 0; i < MANY; i++) {
		deadline_init(&d[i], NULL, NULL);
		assert_int_equal(deadline_set(&deadlines, &d[i],
					      1 + next_random(&seed) % 100),
				 0);
		assert_int_equal(deadlines.n, i + 1);
		check_heap(&deadlines);
	}
	assert_true(deadlines.cap >= MANY);
	assert_ptr_equal(deadlines_earliest(&deadlines),
			 scan_earliest(d, MANY));
	assert_int_equal(drain_in_order(&deadlines), MANY);
	deadlines_free(&deadlines);
	assert_null(deadlines.heap);
	assert_int_equal(deadlines.cap, 0);
}

/* Moving an armed deadline keeps one entry for it, at its new time. */
static void
test_set_moves(void **state)
{
	struct deadlines deadlines;
	struct deadline a, b, c;

	(void)state;
	deadlines_init(&deadlines);
	assert_int_equal(deadlines_reserve(&deadlines, 3), 0);
	deadline_init(&a, NULL, NULL);
	deadline_init(&b, NULL, NULL);
	deadline_init(&c, NULL, NULL);
	assert_int_equal(deadline_set(&deadlines, &a, 100), 0);
	assert_int_equal(deadline_set(&deadlines, &b, 200), 0);
	assert_int_equal(deadline_set(&deadlines, &c, 300), 0);
	assert_ptr_equal(deadlines_earliest(&deadlines), &a);

	assert_int_equal(deadline_set(&deadlines, &c, 50), 0);
	assert_int_equal(deadlines.n, 3);
	assert_ptr_equal(deadlines_earliest(&deadlines), &c);
	check_heap(&deadlines);

	assert_int_equal(deadline_set(&deadlines, &c, 400), 0);
	assert_int_equal(deadlines.n, 3);
	assert_ptr_equal(deadlines_earliest(&deadlines), &a);
	check_heap(&deadlines);

	assert_int_equal(deadline_set(&deadlines, &a, 250), 0);
	assert_ptr_equal(deadlines_earliest(&deadlines), &b);
	assert_int_equal(a.when_ms, 250);
	check_heap(&deadlines);

	/* Set again to the same time: still one entry. */
	assert_int_equal(deadline_set(&deadlines, &b, 200), 0);
	assert_int_equal(deadlines.n, 3);
	assert_ptr_equal(deadlines_pop_due(&deadlines, 1000), &b);
	assert_ptr_equal(deadlines_pop_due(&deadlines, 1000), &a);
	assert_ptr_equal(deadlines_pop_due(&deadlines, 1000), &c);
	assert_null(deadlines_pop_due(&deadlines, 1000));
	deadlines_free(&deadlines);
}

/* 0 means "off" to a timerfd: a deadline for 0 is kept for 1 ms. */
static void
test_set_zero(void **state)
{
	struct deadlines deadlines;
	struct deadline d;

	(void)state;
	deadlines_init(&deadlines);
	deadline_init(&d, NULL, NULL);
	assert_int_equal(deadline_set(&deadlines, &d, 0), 0);
	assert_true(deadline_armed(&d));
	assert_int_equal(d.when_ms, 1);
	assert_null(deadlines_pop_due(&deadlines, 0));
	assert_ptr_equal(deadlines_pop_due(&deadlines, 1), &d);
	deadlines_free(&deadlines);
}

/* Fifteen deadlines at 10, 20, ... 150 armed in a scrambled order. */
static void
arm_fifteen(struct deadlines *deadlines, struct deadline *d)
{
	static const int order[15] = { 7, 2, 12, 0, 9, 14, 4, 11,
				       1, 6, 13, 3, 8, 10, 5 };
	size_t i;

	for (i = 0; i < 15; i++)
		deadline_init(&d[i], NULL, NULL);
	for (i = 0; i < 15; i++)
		assert_int_equal(deadline_set(deadlines, &d[order[i]],
					      10 * (uint64_t)(order[i] + 1)),
				 0);
	check_heap(deadlines);
}

static void
test_cancel(void **state)
{
	struct deadlines deadlines;
	struct deadline d[15], unarmed, *root, *middle, *last_leaf, *leaf;
	struct deadline *popped;
	uint64_t last = 0;
	size_t left = 15;

	(void)state;
	deadlines_init(&deadlines);
	assert_int_equal(deadlines_reserve(&deadlines, 15), 0);
	arm_fifteen(&deadlines, d);

	root = deadlines.heap[0];
	assert_ptr_equal(root, &d[0]);
	deadline_cancel(&deadlines, root);
	assert_false(deadline_armed(root));
	assert_int_equal(deadlines.n, --left);
	assert_ptr_equal(deadlines_earliest(&deadlines), &d[1]);
	check_heap(&deadlines);

	/* One with children and a parent. */
	middle = deadlines.heap[1];
	assert_true(deadlines.n > 3);
	deadline_cancel(&deadlines, middle);
	assert_false(deadline_armed(middle));
	assert_int_equal(deadlines.n, --left);
	check_heap(&deadlines);

	/* The last leaf, then a leaf that is not last. */
	last_leaf = deadlines.heap[deadlines.n - 1];
	deadline_cancel(&deadlines, last_leaf);
	assert_false(deadline_armed(last_leaf));
	assert_int_equal(deadlines.n, --left);
	check_heap(&deadlines);
	leaf = deadlines.heap[deadlines.n - 2];
	assert_true(2 * leaf->slot + 1 >= deadlines.n);
	deadline_cancel(&deadlines, leaf);
	assert_false(deadline_armed(leaf));
	assert_int_equal(deadlines.n, --left);
	check_heap(&deadlines);

	/* An unarmed one, and one cancelled already: nothing happens. */
	deadline_init(&unarmed, NULL, NULL);
	deadline_cancel(&deadlines, &unarmed);
	deadline_cancel(&deadlines, root);
	deadline_cancel(&deadlines, middle);
	assert_int_equal(deadlines.n, left);
	check_heap(&deadlines);

	/* What is left comes out in order, without the cancelled ones. */
	while ((popped = deadlines_pop_due(&deadlines, UINT64_MAX)) != NULL) {
		assert_ptr_not_equal(popped, root);
		assert_ptr_not_equal(popped, middle);
		assert_ptr_not_equal(popped, last_leaf);
		assert_ptr_not_equal(popped, leaf);
		assert_true(popped->when_ms > last);
		last = popped->when_ms;
		left--;
	}
	assert_int_equal(left, 0);
	deadlines_free(&deadlines);
}

/* Cancelling every one, in a scrambled order, empties the heap. */
static void
test_cancel_all(void **state)
{
	static const int order[15] = { 14, 0, 7, 3, 11, 1, 13, 5,
				       9, 2, 12, 4, 10, 6, 8 };
	struct deadlines deadlines;
	struct deadline d[15];
	size_t i;

	(void)state;
	deadlines_init(&deadlines);
	arm_fifteen(&deadlines, d);
	for (i = 0; i < 15; i++) {
		deadline_cancel(&deadlines, &d[order[i]]);
		assert_int_equal(deadlines.n, 14 - i);
		check_heap(&deadlines);
		if (deadlines.n > 0)
			assert_ptr_equal(deadlines_earliest(&deadlines),
					 scan_earliest(d, 15));
	}
	assert_null(deadlines_earliest(&deadlines));
	deadlines_free(&deadlines);
}

static void
test_pop_due(void **state)
{
	struct deadlines deadlines;
	struct deadline a, b, c, e;

	(void)state;
	deadlines_init(&deadlines);
	deadline_init(&a, NULL, NULL);
	deadline_init(&b, NULL, NULL);
	deadline_init(&c, NULL, NULL);
	deadline_init(&e, NULL, NULL);
	assert_int_equal(deadline_set(&deadlines, &c, 30), 0);
	assert_int_equal(deadline_set(&deadlines, &a, 10), 0);
	assert_int_equal(deadline_set(&deadlines, &e, 40), 0);
	assert_int_equal(deadline_set(&deadlines, &b, 20), 0);

	assert_null(deadlines_pop_due(&deadlines, 9));
	assert_ptr_equal(deadlines_pop_due(&deadlines, 25), &a);
	assert_false(deadline_armed(&a));
	assert_ptr_equal(deadlines_pop_due(&deadlines, 25), &b);
	assert_null(deadlines_pop_due(&deadlines, 25));
	assert_ptr_equal(deadlines_earliest(&deadlines), &c);
	assert_true(deadline_armed(&c));
	/* Due at exactly its time. */
	assert_ptr_equal(deadlines_pop_due(&deadlines, 30), &c);
	assert_null(deadlines_pop_due(&deadlines, 39));
	assert_ptr_equal(deadlines_pop_due(&deadlines, 100), &e);
	assert_null(deadlines_pop_due(&deadlines, 100));
	assert_int_equal(deadlines.n, 0);
	deadlines_free(&deadlines);
}

/* run_due calls the callbacks of those due, earliest first, equal times
 * in any order, and leaves the rest armed. */
static void
test_run_due_order(void **state)
{
	static const uint64_t times[] = { 50, 10, 30, 10, 20, 50, 40, 35, 10 };
	enum { N = sizeof(times) / sizeof(times[0]) };
	struct deadlines deadlines;
	struct deadline d[N];
	struct fired fired = { .n = 0 };
	size_t i;

	(void)state;
	deadlines_init(&deadlines);
	assert_int_equal(deadlines_reserve(&deadlines, N), 0);
	for (i = 0; i < N; i++) {
		deadline_init(&d[i], record, &fired);
		assert_int_equal(deadline_set(&deadlines, &d[i], times[i]), 0);
	}
	deadlines_run_due(&deadlines, 35);
	assert_int_equal(fired.n, 6);
	for (i = 1; i < fired.n; i++)
		assert_true(fired.when[i - 1] <= fired.when[i]);
	assert_int_equal(fired.when[0], 10);
	assert_int_equal(fired.when[2], 10);
	assert_int_equal(fired.when[5], 35);
	for (i = 0; i < N; i++)
		assert_int_equal(deadline_armed(&d[i]), times[i] > 35);
	assert_int_equal(deadlines.n, 3);
	check_heap(&deadlines);

	/* Nothing more is due yet. */
	deadlines_run_due(&deadlines, 39);
	assert_int_equal(fired.n, 6);

	deadlines_run_due(&deadlines, 1000);
	assert_int_equal(fired.n, N);
	assert_int_equal(fired.when[6], 40);
	assert_int_equal(fired.when[7], 50);
	assert_int_equal(fired.when[8], 50);
	assert_int_equal(deadlines.n, 0);
	deadlines_free(&deadlines);
}

/* A deadline that re-arms itself 10 ms later, three times in all. */
struct repeat {
	struct deadlines *deadlines;
	struct fired *fired;
	int left;
};

static void
repeat_fire(struct deadline *deadline, void *ctx)
{
	struct repeat *repeat = ctx;

	record(deadline, repeat->fired);
	if (--repeat->left > 0)
		assert_int_equal(deadline_set(repeat->deadlines, deadline,
					      deadline->when_ms + 10),
				 0);
}

/* Re-armed from its callback: due again within the same run if its new
 * time has come, else left armed for a later one. */
static void
test_callback_rearms(void **state)
{
	struct deadlines deadlines;
	struct fired fired = { .n = 0 };
	struct repeat repeat = { &deadlines, &fired, 3 };
	struct deadline self, other;

	(void)state;
	deadlines_init(&deadlines);
	deadline_init(&self, repeat_fire, &repeat);
	deadline_init(&other, record, &fired);
	assert_int_equal(deadline_set(&deadlines, &self, 10), 0);
	assert_int_equal(deadline_set(&deadlines, &other, 15), 0);

	deadlines_run_due(&deadlines, 25);
	assert_int_equal(fired.n, 3);
	assert_ptr_equal(fired.order[0], &self);
	assert_ptr_equal(fired.order[1], &other);
	assert_ptr_equal(fired.order[2], &self);
	assert_int_equal(fired.when[2], 20);
	assert_true(deadline_armed(&self));
	assert_int_equal(self.when_ms, 30);
	assert_ptr_equal(deadlines_earliest(&deadlines), &self);

	deadlines_run_due(&deadlines, 100);
	assert_int_equal(fired.n, 4);
	assert_int_equal(fired.when[3], 30);
	assert_false(deadline_armed(&self));
	assert_int_equal(deadlines.n, 0);
	deadlines_free(&deadlines);
}

/* A deadline whose callback cancels two others. */
struct canceller {
	struct deadlines *deadlines;
	struct fired *fired;
	struct deadline *victims[2];
};

static void
cancel_others(struct deadline *deadline, void *ctx)
{
	struct canceller *c = ctx;

	record(deadline, c->fired);
	deadline_cancel(c->deadlines, c->victims[0]);
	deadline_cancel(c->deadlines, c->victims[1]);
}

/* Cancelled from a callback: one that was due in the same run does not
 * fire, one not yet due is gone too. */
static void
test_callback_cancels(void **state)
{
	struct deadlines deadlines;
	struct fired fired = { .n = 0 };
	struct canceller canceller;
	struct deadline killer, due, later, survivor, last;

	(void)state;
	deadlines_init(&deadlines);
	assert_int_equal(deadlines_reserve(&deadlines, 5), 0);
	canceller = (struct canceller){ &deadlines, &fired, { &due, &later } };
	deadline_init(&killer, cancel_others, &canceller);
	deadline_init(&due, record, &fired);
	deadline_init(&later, record, &fired);
	deadline_init(&survivor, record, &fired);
	deadline_init(&last, record, &fired);
	assert_int_equal(deadline_set(&deadlines, &later, 100), 0);
	assert_int_equal(deadline_set(&deadlines, &due, 20), 0);
	assert_int_equal(deadline_set(&deadlines, &survivor, 25), 0);
	assert_int_equal(deadline_set(&deadlines, &killer, 10), 0);
	assert_int_equal(deadline_set(&deadlines, &last, 200), 0);

	deadlines_run_due(&deadlines, 30);
	assert_int_equal(fired.n, 2);
	assert_ptr_equal(fired.order[0], &killer);
	assert_ptr_equal(fired.order[1], &survivor);
	assert_false(deadline_armed(&due));
	assert_false(deadline_armed(&later));
	assert_int_equal(deadlines.n, 1);
	assert_ptr_equal(deadlines_earliest(&deadlines), &last);
	check_heap(&deadlines);

	deadlines_run_due(&deadlines, 1000);
	assert_int_equal(fired.n, 3);
	assert_ptr_equal(fired.order[2], &last);
	deadlines_free(&deadlines);
}

/* deadline_armed through a deadline's life. */
static void
test_armed(void **state)
{
	struct deadlines deadlines;
	struct deadline d;

	(void)state;
	deadlines_init(&deadlines);
	deadline_init(&d, NULL, NULL);
	assert_false(deadline_armed(&d));
	assert_int_equal(deadline_set(&deadlines, &d, 5), 0);
	assert_true(deadline_armed(&d));
	assert_ptr_equal(deadlines_pop_due(&deadlines, 5), &d);
	assert_false(deadline_armed(&d));
	assert_int_equal(deadline_set(&deadlines, &d, 7), 0);
	assert_true(deadline_armed(&d));
	deadline_cancel(&deadlines, &d);
	assert_false(deadline_armed(&d));
	deadline_cancel(&deadlines, &d);
	assert_false(deadline_armed(&d));
	assert_int_equal(deadlines.n, 0);
	deadlines_free(&deadlines);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_earliest_is_minimum),
		cmocka_unit_test(test_reserved_room),
		cmocka_unit_test(test_growth_without_reserve),
		cmocka_unit_test(test_set_moves),
		cmocka_unit_test(test_set_zero),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_cancel_all),
		cmocka_unit_test(test_pop_due),
		cmocka_unit_test(test_run_due_order),
		cmocka_unit_test(test_callback_rearms),
		cmocka_unit_test(test_callback_cancels),
		cmocka_unit_test(test_armed),
	};

	return cmocka_run_group_tests_name("deadline", tests, NULL, NULL);
}
