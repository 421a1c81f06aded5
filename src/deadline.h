/* SPDX-License-Identifier: MIT */
/* Deadlines: a small heap of them behind one timerfd per clock, armed for
 * the earliest. */
#ifndef GRACE_DEADLINE_H
#define GRACE_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "loop.h"

struct deadline;

/* Called when a deadline is due; it is no longer armed then, and may be
 * set again from the callback. */
typedef void deadline_fn(struct deadline *deadline, void *ctx);

/* A deadline lives in its owner's struct; the heap points at it. */
struct deadline {
	uint64_t when_ms;	/* on its heap's clock, milliseconds */
	size_t slot;		/* its place in the heap; DEADLINE_UNSET */
	deadline_fn *fn;
	void *ctx;
};

#define DEADLINE_UNSET ((size_t)-1)

/*
 * A min-heap of armed deadlines by time.  Room for every deadline grace
 * will have is reserved when the plan is loaded, so arming one never
 * allocates, and never fails, once processes run.  timerfd is -1 in the
 * unit tests: the heap then works without one.
 */
struct deadlines {
	struct deadline **heap;
	size_t n, cap;
	int timerfd;
	uint64_t armed_ms;	/* what the timerfd is armed for; 0: off */
	clockid_t clock;	/* CLOCK_MONOTONIC unless opened otherwise */
	/* CLOCK_REALTIME was set (stepped): every deadline on it may be
	 * wrong now.  Called from the loop, before the due ones run. */
	void (*stepped)(void *ctx);
	void *stepped_ctx;
	bool in_stepped;	/* stepped() runs */
	struct deadline *few[8];	/* the heap, until it outgrows this */
};

/* Makes deadline unarmed, with its callback. */
void deadline_init(struct deadline *deadline, deadline_fn *fn, void *ctx);
bool deadline_armed(const struct deadline *deadline);

/* An empty heap with no timerfd. */
void deadlines_init(struct deadlines *deadlines);
/* Makes room for n more deadlines; 0 or -ENOMEM. */
int deadlines_reserve(struct deadlines *deadlines, size_t n);
/* Creates the CLOCK_MONOTONIC timerfd and watches it in loop; 0 or
 * -errno. */
int deadlines_open(struct deadlines *deadlines, struct loop *loop);
/* The same on CLOCK_REALTIME, for times of day: armed to be cancelled
 * when the clock is set, which calls stepped(ctx).  0 or -errno. */
int deadlines_open_realtime(struct deadlines *deadlines, struct loop *loop,
			    void (*stepped)(void *ctx), void *ctx);
void deadlines_free(struct deadlines *deadlines);

/* Arms (or moves) deadline for when_ms; never fails once room is
 * reserved (it grows the heap otherwise, and returns -ENOMEM if it
 * cannot). */
int deadline_set(struct deadlines *deadlines, struct deadline *deadline,
		 uint64_t when_ms);
/* Arms deadline ms milliseconds from now (on the heap's clock). */
int deadline_after(struct deadlines *deadlines, struct deadline *deadline,
		   long long ms);
/* Disarms deadline if it is armed. */
void deadline_cancel(struct deadlines *deadlines, struct deadline *deadline);

/* The earliest armed deadline, or NULL. */
struct deadline *deadlines_earliest(const struct deadlines *deadlines);
/* Removes and returns a deadline due at now_ms, earliest first, or NULL. */
struct deadline *deadlines_pop_due(struct deadlines *deadlines,
				   uint64_t now_ms);
/* Calls the callback of every deadline due at now_ms, then arms the
 * timerfd for the earliest left. */
void deadlines_run_due(struct deadlines *deadlines, uint64_t now_ms);

/* CLOCK_MONOTONIC now, in milliseconds. */
uint64_t deadline_now_ms(void);
/* clock's now, in milliseconds, rounded up. */
uint64_t deadline_clock_ms(clockid_t clock);

#endif
