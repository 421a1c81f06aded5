// SPDX-License-Identifier: MIT
/* Owns one service's lifecycle: a table indexed by state and event that
 * says the next state and what to do, and the pure decisions the caller
 * makes before it feeds an exit: clean or not, restart or not, how long
 * to wait.  No system calls, so the unit tests walk it on a fake clock. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "service.h"

/*
 * A start timeout stops the service like a stop, and its exit is then fed
 * as a failed start (restart or end).  An exit while stopping is final
 * unless the stop was for a start timeout and the policy restarts.  The
 * only way out of done and failed is a reset (gracectl start, restart),
 * back to waiting with an action, so an empty cell ({ SVC_WAITING, 0 })
 * still means "stay, do nothing".
 */
static const struct svc_step svc_table[SVC_NSTATES][SVC_NEVENTS] = {
	[SVC_WAITING] = {
		[SVC_EV_START] = { SVC_STARTING,
				   SVC_ACT_SPAWN | SVC_ACT_WATCH_READY },
		/* a service it requires ended before it could start */
		[SVC_EV_EXIT_CLEAN] = { SVC_DONE, SVC_ACT_ENDED },
		[SVC_EV_EXIT_FAILED] = { SVC_FAILED, SVC_ACT_ENDED },
		[SVC_EV_STOP] = { SVC_DONE, SVC_ACT_NONE },
	},
	[SVC_STARTING] = {
		[SVC_EV_SPAWN_FAILED] = { SVC_BACKOFF, SVC_ACT_UNWATCH_READY |
							SVC_ACT_ARM_RESTART },
		[SVC_EV_SPAWN_FAILED_FINAL] = { SVC_FAILED,
						SVC_ACT_UNWATCH_READY |
							SVC_ACT_ENDED },
		[SVC_EV_READY] = { SVC_RUNNING, SVC_ACT_UNWATCH_READY |
							SVC_ACT_RELEASE },
		[SVC_EV_EXIT_RESTART] = { SVC_BACKOFF, SVC_ACT_UNWATCH_READY |
							SVC_ACT_ARM_RESTART },
		/* only a oneshot ends cleanly before it is ready */
		[SVC_EV_EXIT_CLEAN] = { SVC_DONE, SVC_ACT_UNWATCH_READY |
							SVC_ACT_RELEASE |
							SVC_ACT_ENDED },
		[SVC_EV_EXIT_FAILED] = { SVC_FAILED, SVC_ACT_UNWATCH_READY |
							SVC_ACT_ENDED },
		[SVC_EV_START_TIMEOUT] = { SVC_STOPPING, SVC_ACT_UNWATCH_READY |
							 SVC_ACT_SIGNAL },
		[SVC_EV_STOP] = { SVC_STOPPING, SVC_ACT_UNWATCH_READY |
						SVC_ACT_SIGNAL },
	},
	[SVC_RUNNING] = {
		[SVC_EV_EXIT_RESTART] = { SVC_BACKOFF, SVC_ACT_ARM_RESTART },
		[SVC_EV_EXIT_CLEAN] = { SVC_DONE, SVC_ACT_ENDED },
		[SVC_EV_EXIT_FAILED] = { SVC_FAILED, SVC_ACT_ENDED },
		[SVC_EV_STOP] = { SVC_STOPPING, SVC_ACT_SIGNAL },
	},
	[SVC_BACKOFF] = {
		[SVC_EV_RESTART_DUE] = { SVC_STARTING,
					 SVC_ACT_SPAWN | SVC_ACT_WATCH_READY },
		/* the start limit was hit, or a service it requires ended */
		[SVC_EV_EXIT_CLEAN] = { SVC_DONE, SVC_ACT_CANCEL_RESTART |
						    SVC_ACT_ENDED },
		[SVC_EV_EXIT_FAILED] = { SVC_FAILED, SVC_ACT_CANCEL_RESTART |
						       SVC_ACT_ENDED },
		[SVC_EV_STOP] = { SVC_DONE, SVC_ACT_CANCEL_RESTART },
	},
	[SVC_DONE] = {
		[SVC_EV_RESET] = { SVC_WAITING, SVC_ACT_RESET },
	},
	[SVC_FAILED] = {
		[SVC_EV_RESET] = { SVC_WAITING, SVC_ACT_RESET },
	},
	[SVC_STOPPING] = {
		[SVC_EV_EXIT_RESTART] = { SVC_BACKOFF, SVC_ACT_CANCEL_STOP |
							SVC_ACT_ARM_RESTART },
		[SVC_EV_EXIT_CLEAN] = { SVC_DONE, SVC_ACT_CANCEL_STOP |
						  SVC_ACT_ENDED },
		[SVC_EV_EXIT_FAILED] = { SVC_FAILED, SVC_ACT_CANCEL_STOP |
						     SVC_ACT_ENDED },
		[SVC_EV_STOP_TIMEOUT] = { SVC_KILLING, SVC_ACT_KILL },
	},
	[SVC_KILLING] = {
		[SVC_EV_EXIT_RESTART] = { SVC_BACKOFF, SVC_ACT_ARM_RESTART },
		[SVC_EV_EXIT_CLEAN] = { SVC_DONE, SVC_ACT_ENDED },
		[SVC_EV_EXIT_FAILED] = { SVC_FAILED, SVC_ACT_ENDED },
	},
};

static const char *const svc_state_names[SVC_NSTATES] = {
	[SVC_WAITING] = "waiting",   [SVC_STARTING] = "starting",
	[SVC_RUNNING] = "running",   [SVC_BACKOFF] = "backoff",
	[SVC_STOPPING] = "stopping", [SVC_KILLING] = "killing",
	[SVC_DONE] = "done",	     [SVC_FAILED] = "failed",
};

struct svc_step
service_transition(enum svc_state state, enum svc_event event)
{
	struct svc_step step;

	if ((unsigned)state >= SVC_NSTATES || (unsigned)event >= SVC_NEVENTS)
		return (struct svc_step){ state, SVC_ACT_NONE };
	step = svc_table[state][event];
	if (step.next == SVC_WAITING && step.actions == SVC_ACT_NONE)
		step.next = state;
	return step;
}

const char *
service_state_name(enum svc_state state)
{
	if ((unsigned)state >= SVC_NSTATES)
		return "unknown";
	return svc_state_names[state];
}

bool
service_is_up(enum svc_state state)
{
	return state == SVC_STARTING || state == SVC_RUNNING ||
	       state == SVC_STOPPING || state == SVC_KILLING;
}

bool
service_has_ended(enum svc_state state)
{
	return state == SVC_DONE || state == SVC_FAILED;
}

/* Whether a death by sig is one SuccessExitStatus= lists. */
static bool
is_success_signal(const struct unit *unit, int sig)
{
	return sig > 0 && sig < 64 && (unit->success_signals >> sig & 1);
}

bool
service_exit_clean(const struct unit *unit, int status, bool stopping)
{
	int sig;

	/* ExecStart=-: any end counts as success, as in systemd. */
	if (unit->exec_ignore_failure)
		return true;
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 0 ||
		       unit->success_code[WEXITSTATUS(status)];
	if (!WIFSIGNALED(status))
		return false;
	sig = WTERMSIG(status);
	if (is_success_signal(unit, sig))
		return true;
	if (stopping)
		return sig == unit->kill_signal;
	return sig == SIGHUP || sig == SIGINT || sig == SIGTERM ||
	       sig == SIGPIPE;
}

bool
service_wants_restart(const struct unit *unit, bool clean)
{
	switch (unit->restart) {
	case UNIT_RESTART_ALWAYS:
		return true;
	case UNIT_RESTART_ON_FAILURE:
		return !clean;
	case UNIT_RESTART_NO:
		break;
	}
	return false;
}

bool
service_restart_delay_grows(const struct unit *unit)
{
	return unit->restart_steps > 0 && unit->restart_ms > 0 &&
	       unit->restart_max_delay_ms != UNIT_INFINITY &&
	       unit->restart_ms < unit->restart_max_delay_ms;
}

/* x to the power n, by squaring. */
static double
power(double x, unsigned n)
{
	double result = 1.0;

	while (n > 0) {
		if (n & 1)
			result *= x;
		x *= x;
		n >>= 1;
	}
	return result;
}

/* The steps-th root of x > 1, by bisection: exact to a double without
 * libm, whose pow() would weigh more than all of this file. */
static double
root(double x, unsigned steps)
{
	double low = 1.0, high = x, mid;
	int i;

	for (i = 0; i < 100 && low < high; i++) {
		mid = low + (high - low) / 2;
		if (mid <= low || mid >= high)
			break;
		if (power(mid, steps) < x)
			low = mid;
		else
			high = mid;
	}
	return low;
}

long long
service_restart_delay(const struct unit *unit, unsigned attempt)
{
	long long first = unit->restart_ms, most = unit->restart_max_delay_ms;
	double delay;

	if (!service_restart_delay_grows(unit))
		return first;
	if (attempt >= unit->restart_steps)
		return most;
	delay = (double)first *
		power(root((double)most / (double)first, unit->restart_steps),
		      attempt);
	return delay >= (double)most ? most : (long long)(delay + 0.5);
}

long long
service_backoff_reset_ms(const struct unit *unit)
{
	long long ms = unit->restart_ms * 10;

	return ms > 10000 ? ms : 10000;
}

int
start_limit_init(struct start_limit *limit, const struct unit *unit)
{
	*limit = (struct start_limit){ NULL, 0, 0 };
	if (unit->start_limit_burst == 0 || unit->start_limit_interval_ms <= 0)
		return 0;
	limit->starts = calloc(unit->start_limit_burst,
			       sizeof(*limit->starts));
	return limit->starts == NULL ? -ENOMEM : 0;
}

void
start_limit_free(struct start_limit *limit)
{
	free(limit->starts);
	*limit = (struct start_limit){ NULL, 0, 0 };
}

bool
start_limit_take(struct start_limit *limit, const struct unit *unit,
		 uint64_t now_ms)
{
	size_t burst = unit->start_limit_burst;

	if (limit->starts == NULL)
		return true;
	/* Full: the oldest of the last burst starts sits at next. */
	if (limit->count == burst &&
	    now_ms - limit->starts[limit->next] <
		    (uint64_t)unit->start_limit_interval_ms)
		return false;
	limit->starts[limit->next] = now_ms;
	limit->next = (limit->next + 1) % burst;
	if (limit->count < burst)
		limit->count++;
	return true;
}
