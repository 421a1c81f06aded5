// SPDX-License-Identifier: MIT
/* Owns every deadline grace keeps (restart delays, start and stop
 * timeouts, readiness checks, the grace period, jobs' due times): a binary
 * min-heap per clock, and one timerfd per heap armed for the earliest, so
 * that any number of deadlines costs one descriptor and no deadline means
 * no wake-up. */
#include <errno.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "grow.h"
#include "log.h"

void
deadline_init(struct deadline *deadline, deadline_fn *fn, void *ctx)
{
	*deadline = (struct deadline){ 0, DEADLINE_UNSET, fn, ctx };
}

bool
deadline_armed(const struct deadline *deadline)
{
	return deadline->slot != DEADLINE_UNSET;
}

void
deadlines_init(struct deadlines *deadlines)
{
	*deadlines = (struct deadlines){ .timerfd = -1,
					 .clock = CLOCK_MONOTONIC };
}

int
deadlines_reserve(struct deadlines *deadlines, size_t n)
{
	void *heap = deadlines->heap;
	int rc = grow_array(&heap, &deadlines->cap, deadlines->n + n,
			    sizeof(struct deadline *), deadlines->few,
			    sizeof(deadlines->few) / sizeof(deadlines->few[0]));

	deadlines->heap = heap;
	return rc;
}

uint64_t
deadline_clock_ms(clockid_t clock)
{
	struct timespec now;

	/* Cannot fail with a valid clock and pointer.  Rounded up, so that a
	 * deadline set from it never comes before its full delay. */
	clock_gettime(clock, &now);
	return (uint64_t)now.tv_sec * 1000 +
	       ((uint64_t)now.tv_nsec + 999999) / 1000000;
}

uint64_t
deadline_now_ms(void)
{
	return deadline_clock_ms(CLOCK_MONOTONIC);
}

/* Puts d at slot i of the heap. */
static void
place(struct deadlines *deadlines, size_t i, struct deadline *d)
{
	deadlines->heap[i] = d;
	d->slot = i;
}

static void
sift_up(struct deadlines *deadlines, size_t i)
{
	struct deadline *d = deadlines->heap[i];
	size_t parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (deadlines->heap[parent]->when_ms <= d->when_ms)
			break;
		place(deadlines, i, deadlines->heap[parent]);
		i = parent;
	}
	place(deadlines, i, d);
}

static void
sift_down(struct deadlines *deadlines, size_t i)
{
	struct deadline *d = deadlines->heap[i];
	size_t child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= deadlines->n)
			break;
		if (child + 1 < deadlines->n &&
		    deadlines->heap[child + 1]->when_ms <
			    deadlines->heap[child]->when_ms)
			child++;
		if (d->when_ms <= deadlines->heap[child]->when_ms)
			break;
		place(deadlines, i, deadlines->heap[child]);
		i = child;
	}
	place(deadlines, i, d);
}

/* Takes the deadline at slot i out of the heap. */
static void
remove_at(struct deadlines *deadlines, size_t i)
{
	struct deadline *last = deadlines->heap[--deadlines->n];

	deadlines->heap[i]->slot = DEADLINE_UNSET;
	if (i == deadlines->n)
		return;
	place(deadlines, i, last);
	sift_down(deadlines, i);
	sift_up(deadlines, last->slot);
}

/* CLOCK_REALTIME was set: the owner plans its deadlines again, unless it
 * is doing so already (its arming of them comes back here). */
static void
note_clock_set(struct deadlines *deadlines)
{
	if (deadlines->stepped == NULL || deadlines->in_stepped)
		return;
	deadlines->in_stepped = true;
	deadlines->stepped(deadlines->stepped_ctx);
	deadlines->in_stepped = false;
}

/*
 * Arms the timerfd for the earliest deadline, or disarms it, unless it is
 * armed for that time already.  An absolute time: a deadline already past
 * fires at once.  timerfd_settime() fails for values it cannot take
 * (EINVAL), which a valid descriptor and a time from the clock never are,
 * and on CLOCK_REALTIME with ECANCELED when the clock was set: then the
 * owner's stepped() plans again (the one callback that may run from
 * here; it only moves deadlines) and the arming is tried again.  Should
 * it still fail, the warning says so and the next change of the
 * deadlines tries again.  Deadlines' own callbacks never run from here:
 * a caller of deadline_set() does not expect one.
 */
static void
rearm(struct deadlines *deadlines)
{
	struct deadline *first;
	uint64_t when;
	struct itimerspec spec = { { 0, 0 }, { 0, 0 } };
	int flags = TFD_TIMER_ABSTIME, attempt;
	bool cancelled = false;

	if (deadlines->clock == CLOCK_REALTIME)
		flags |= TFD_TIMER_CANCEL_ON_SET;
	for (attempt = 0; attempt < 4; attempt++) {
		first = deadlines_earliest(deadlines);
		when = first ? first->when_ms : 0;
		if (deadlines->timerfd < 0 || when == deadlines->armed_ms)
			return;
		spec.it_value.tv_sec = (time_t)(when / 1000);
		spec.it_value.tv_nsec = (long)(when % 1000) * 1000000L;
		if (timerfd_settime(deadlines->timerfd, flags, &spec, NULL) == 0) {
			deadlines->armed_ms = when;
			return;
		}
		deadlines->armed_ms = 0;
		cancelled = errno == ECANCELED;
		if (!cancelled)
			break;
		/* The clock was set since the timer was last armed or read:
		 * the kernel says so here, once, rather than to the read.
		 * The owner plans again (its own arming may nest here), then
		 * the timer is armed for what is earliest now. */
		note_clock_set(deadlines);
	}
	if (cancelled)
		errno = ECANCELED;
	warn_errno("unable to arm the timer");
}

int
deadline_set(struct deadlines *deadlines, struct deadline *deadline,
	     uint64_t when_ms)
{
	/* 0 means "off" to the timerfd; no real deadline is that early. */
	if (when_ms == 0)
		when_ms = 1;
	if (deadline_armed(deadline)) {
		deadline->when_ms = when_ms;
		sift_down(deadlines, deadline->slot);
		sift_up(deadlines, deadline->slot);
	} else {
		if (deadlines->n == deadlines->cap &&
		    deadlines_reserve(deadlines, 1) < 0)
			return -ENOMEM;
		deadline->when_ms = when_ms;
		place(deadlines, deadlines->n++, deadline);
		sift_up(deadlines, deadline->slot);
	}
	rearm(deadlines);
	return 0;
}

int
deadline_after(struct deadlines *deadlines, struct deadline *deadline,
	       long long ms)
{
	return deadline_set(deadlines, deadline,
			    deadline_clock_ms(deadlines->clock) +
				    (uint64_t)(ms > 0 ? ms : 0));
}

void
deadline_cancel(struct deadlines *deadlines, struct deadline *deadline)
{
	if (!deadline_armed(deadline))
		return;
	remove_at(deadlines, deadline->slot);
	rearm(deadlines);
}

struct deadline *
deadlines_earliest(const struct deadlines *deadlines)
{
	return deadlines->n > 0 ? deadlines->heap[0] : NULL;
}

struct deadline *
deadlines_pop_due(struct deadlines *deadlines, uint64_t now_ms)
{
	struct deadline *first = deadlines_earliest(deadlines);

	if (first == NULL || first->when_ms > now_ms)
		return NULL;
	remove_at(deadlines, 0);
	return first;
}

void
deadlines_run_due(struct deadlines *deadlines, uint64_t now_ms)
{
	struct deadline *due;

	while ((due = deadlines_pop_due(deadlines, now_ms)) != NULL)
		due->fn(due, due->ctx);
	rearm(deadlines);
}

/*
 * The timerfd fired: the earliest deadline, and maybe more, are due.  Or,
 * on CLOCK_REALTIME, the clock was set (ECANCELED, which also disarms
 * the timer): the owner re-plans its deadlines, then whatever is due
 * runs and the timer is armed again.
 */
static void
on_timer(int fd, void *ctx)
{
	struct deadlines *deadlines = ctx;
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) < 0) {
		if (errno != ECANCELED) {
			if (errno != EAGAIN && errno != EINTR)
				warn_errno("unable to read the timer");
			return;
		}
		deadlines->armed_ms = 0;
		note_clock_set(deadlines);
	}
	deadlines->armed_ms = 0;
	deadlines_run_due(deadlines, deadline_clock_ms(deadlines->clock));
}

/* Creates the timerfd on clock and watches it. */
static int
open_clock(struct deadlines *deadlines, struct loop *loop, clockid_t clock)
{
	int rc;

	deadlines->clock = clock;
	deadlines->timerfd = timerfd_create(clock, TFD_NONBLOCK | TFD_CLOEXEC);
	if (deadlines->timerfd < 0)
		return -errno;
	rc = loop_watch(loop, deadlines->timerfd, on_timer, deadlines);
	if (rc < 0) {
		close(deadlines->timerfd);
		deadlines->timerfd = -1;
	}
	return rc;
}

int
deadlines_open(struct deadlines *deadlines, struct loop *loop)
{
	return open_clock(deadlines, loop, CLOCK_MONOTONIC);
}

int
deadlines_open_realtime(struct deadlines *deadlines, struct loop *loop,
			void (*stepped)(void *ctx), void *ctx)
{
	deadlines->stepped = stepped;
	deadlines->stepped_ctx = ctx;
	return open_clock(deadlines, loop, CLOCK_REALTIME);
}

void
deadlines_free(struct deadlines *deadlines)
{
	grow_free(deadlines->heap, deadlines->few);
	if (deadlines->timerfd >= 0)
		close(deadlines->timerfd);
	deadlines_init(deadlines);
}
