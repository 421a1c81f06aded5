// SPDX-License-Identifier: MIT
/* Owns --pidfile: handing the main process over to the pid a daemon
 * writes, after it forked into the background or upgraded itself. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "follow.h"
#include "log.h"
#include "pidfile.h"
#include "procs.h"

#define FOLLOW_TICK_MS 100

/* Whether pid, read from the pidfile, may become the main process; if
 * not, says why in follow->why. */
static bool
is_followable(struct follow *follow, pid_t pid)
{
	pid_t ppid;
	char state;

	follow->suspect = true;
	if (pid == follow->from) {
		/* A daemon that stopped for good and left its file. */
		follow->suspect = false;
		snprintf(follow->why, sizeof(follow->why),
			 "it still names pid %d, which has exited", (int)pid);
		return false;
	}
	if (procs_stat(pid, &state, &ppid) < 0 || state == 'Z' ||
	    state == 'X') {
		snprintf(follow->why, sizeof(follow->why),
			 "pid %d is not alive", (int)pid);
		return false;
	}
	if (ppid != getpid()) {
		snprintf(follow->why, sizeof(follow->why),
			 "pid %d is not grace's child (its parent is %d)",
			 (int)pid, (int)ppid);
		return false;
	}
	return true;
}

/* One look at the pidfile; the pid to follow, or 0. */
static pid_t
look(struct follow *follow)
{
	pid_t pid;

	if (pidfile_read(follow->path, &pid, follow->why,
			 sizeof(follow->why)) < 0) {
		/* A daemon that stopped for good removes its file. */
		follow->suspect = access(follow->path, F_OK) == 0;
		return 0;
	}
	return is_followable(follow, pid) ? pid : 0;
}

static void
stop_ticking(struct follow *follow)
{
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };

	if (timerfd_settime(follow->timerfd, 0, &off, NULL) < 0)
		warn_errno("unable to stop the pidfile timer");
	follow->active = false;
}

/* Says, once, why the hand-over found no one: a warning when the pidfile
 * named something it should not have. */
static void
report_no_one(const struct follow *follow)
{
	if (follow->suspect)
		warn("no new main process in %s: %s", follow->path,
		     follow->why);
	else
		info("no new main process in %s: %s", follow->path,
		     follow->why);
}

/* Ends the hand-over: with pid, or with a line saying why not. */
static void
finish(struct follow *follow, pid_t pid)
{
	stop_ticking(follow);
	if (pid > 0)
		info("following pid %d, named by %s, as the main process",
		     (int)pid, follow->path);
	else
		report_no_one(follow);
	follow->done(pid, follow->ctx);
}

static void
on_tick(int fd, void *ctx)
{
	struct follow *follow = ctx;
	uint64_t ticks;
	pid_t pid;

	if (read(fd, &ticks, sizeof(ticks)) < 0 || !follow->active)
		return;	/* EAGAIN, or cancelled since */
	pid = look(follow);
	if (pid > 0 || --follow->ticks_left <= 0)
		finish(follow, pid);
}

void
follow_setup(struct follow *follow, struct loop *loop, const char *path,
	     long wait_ms, follow_fn *done, void *ctx)
{
	int rc;

	*follow = (struct follow){ .path = path, .wait_ms = wait_ms,
				   .done = done, .ctx = ctx };
	follow->timerfd = timerfd_create(CLOCK_MONOTONIC,
					 TFD_NONBLOCK | TFD_CLOEXEC);
	if (follow->timerfd < 0)
		die_errno("unable to create the pidfile timer");
	rc = loop_watch(loop, follow->timerfd, on_tick, follow);
	if (rc < 0) {
		errno = -rc;
		die_errno("unable to watch the pidfile timer");
	}
}

void
follow_begin(struct follow *follow, pid_t from)
{
	struct itimerspec tick = {
		.it_interval = { 0, FOLLOW_TICK_MS * 1000000L },
		.it_value = { 0, FOLLOW_TICK_MS * 1000000L },
	};
	pid_t pid;

	follow->from = from;
	follow->active = true;
	pid = look(follow);
	follow->ticks_left = (int)((follow->wait_ms + FOLLOW_TICK_MS - 1) /
				   FOLLOW_TICK_MS);
	if (pid > 0 || follow->ticks_left == 0) {
		finish(follow, pid);
		return;
	}
	debug("waiting for %s to name a new main process: %s", follow->path,
	      follow->why);
	if (timerfd_settime(follow->timerfd, 0, &tick, NULL) < 0) {
		snprintf(follow->why, sizeof(follow->why),
			 "unable to start the pidfile timer");
		finish(follow, 0);
	}
}

void
follow_cancel(struct follow *follow)
{
	if (follow->active)
		stop_ticking(follow);
}

void
follow_give_up(struct follow *follow)
{
	if (!follow->active)
		return;
	stop_ticking(follow);
	report_no_one(follow);
}
