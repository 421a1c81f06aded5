// SPDX-License-Identifier: MIT
/* Owns the stop sequence: a table indexed by phase and event that says
 * the next phase and what to do.  Pure, so the unit tests can walk it. */
#include <stddef.h>

#include "stop.h"

#define STAY(phase) { phase, STOP_ACT_NONE }
#define TO_SERVICES { STOP_SERVICES, STOP_ACT_STOP_SERVICES }
#define TO_DRAINING { STOP_DRAINING, STOP_ACT_TERM_ALL | STOP_ACT_ARM_GRACE }

/*
 * The main process's exit, for whatever reason, starts the stop of the
 * rest (with --wait-all, a stop signal does, the lingering row): first
 * the services, in reverse order, then every process left.  grace leaves
 * only on "no process left": never on a timer, never while someone may
 * still be running a SIGTERM handler.
 */
static const struct stop_step stop_table[STOP_NPHASES][STOP_NEVENTS] = {
	[STOP_RUNNING] = {
		[STOP_EV_STOP_SIGNAL] = { STOP_ASKED, STOP_ACT_ARM_STOP_TIMEOUT },
		[STOP_EV_MAIN_EXITED] = TO_SERVICES,
		[STOP_EV_GRACE_EXPIRED] = STAY(STOP_RUNNING),
		[STOP_EV_NO_PROCESS] = STAY(STOP_RUNNING),
		[STOP_EV_STOP_TIMEOUT] = STAY(STOP_RUNNING),
		[STOP_EV_SERVICES_STOPPED] = STAY(STOP_RUNNING),
	},
	[STOP_ASKED] = {
		[STOP_EV_STOP_SIGNAL] = STAY(STOP_ASKED),
		[STOP_EV_MAIN_EXITED] = TO_SERVICES,
		[STOP_EV_GRACE_EXPIRED] = STAY(STOP_ASKED),
		[STOP_EV_NO_PROCESS] = STAY(STOP_ASKED),
		[STOP_EV_STOP_TIMEOUT] = { STOP_ASKED, STOP_ACT_KILL_MAIN },
		[STOP_EV_SERVICES_STOPPED] = STAY(STOP_ASKED),
	},
	[STOP_LINGERING] = {
		[STOP_EV_STOP_SIGNAL] = TO_SERVICES,
		[STOP_EV_MAIN_EXITED] = STAY(STOP_LINGERING),
		[STOP_EV_GRACE_EXPIRED] = STAY(STOP_LINGERING),
		[STOP_EV_NO_PROCESS] = { STOP_DONE, STOP_ACT_EXIT },
		[STOP_EV_STOP_TIMEOUT] = STAY(STOP_LINGERING),
		[STOP_EV_SERVICES_STOPPED] = STAY(STOP_LINGERING),
	},
	[STOP_SERVICES] = {
		[STOP_EV_STOP_SIGNAL] = STAY(STOP_SERVICES),
		[STOP_EV_MAIN_EXITED] = STAY(STOP_SERVICES),
		[STOP_EV_GRACE_EXPIRED] = STAY(STOP_SERVICES),
		[STOP_EV_NO_PROCESS] = STAY(STOP_SERVICES),
		[STOP_EV_STOP_TIMEOUT] = STAY(STOP_SERVICES),
		[STOP_EV_SERVICES_STOPPED] = TO_DRAINING,
	},
	[STOP_DRAINING] = {
		[STOP_EV_STOP_SIGNAL] = STAY(STOP_DRAINING),
		[STOP_EV_MAIN_EXITED] = STAY(STOP_DRAINING),
		[STOP_EV_GRACE_EXPIRED] = { STOP_KILLING, STOP_ACT_KILL_ALL },
		[STOP_EV_NO_PROCESS] = { STOP_DONE, STOP_ACT_EXIT },
		[STOP_EV_STOP_TIMEOUT] = STAY(STOP_DRAINING),
		[STOP_EV_SERVICES_STOPPED] = STAY(STOP_DRAINING),
	},
	[STOP_KILLING] = {
		[STOP_EV_STOP_SIGNAL] = STAY(STOP_KILLING),
		[STOP_EV_MAIN_EXITED] = STAY(STOP_KILLING),
		[STOP_EV_GRACE_EXPIRED] = STAY(STOP_KILLING),
		[STOP_EV_NO_PROCESS] = { STOP_DONE, STOP_ACT_EXIT },
		[STOP_EV_STOP_TIMEOUT] = STAY(STOP_KILLING),
		[STOP_EV_SERVICES_STOPPED] = STAY(STOP_KILLING),
	},
	[STOP_DONE] = {
		[STOP_EV_STOP_SIGNAL] = STAY(STOP_DONE),
		[STOP_EV_MAIN_EXITED] = STAY(STOP_DONE),
		[STOP_EV_GRACE_EXPIRED] = STAY(STOP_DONE),
		[STOP_EV_NO_PROCESS] = STAY(STOP_DONE),
		[STOP_EV_STOP_TIMEOUT] = STAY(STOP_DONE),
		[STOP_EV_SERVICES_STOPPED] = STAY(STOP_DONE),
	},
};

static const char *const stop_phase_names[STOP_NPHASES] = {
	[STOP_RUNNING] = "running",
	[STOP_ASKED] = "stop asked",
	[STOP_LINGERING] = "lingering",
	[STOP_SERVICES] = "stopping services",
	[STOP_DRAINING] = "draining",
	[STOP_KILLING] = "killing",
	[STOP_DONE] = "done",
};

struct stop_step
stop_transition(enum stop_phase phase, enum stop_event event,
		struct stop_policy policy)
{
	struct stop_step step;

	if ((unsigned)phase >= STOP_NPHASES || (unsigned)event >= STOP_NEVENTS)
		return (struct stop_step){ phase, STOP_ACT_NONE };
	step = stop_table[phase][event];
	if (policy.wait_all && phase == STOP_RUNNING &&
	    event == STOP_EV_MAIN_EXITED)
		step = (struct stop_step){ STOP_LINGERING, STOP_ACT_NONE };
	if (policy.no_grace && step.next == STOP_DRAINING && step.actions != 0)
		step = (struct stop_step){ STOP_KILLING, STOP_ACT_KILL_ALL };
	if (!policy.stop_timeout)
		step.actions &= ~(unsigned)STOP_ACT_ARM_STOP_TIMEOUT;
	return step;
}

const char *
stop_phase_name(enum stop_phase phase)
{
	if ((unsigned)phase >= STOP_NPHASES)
		return "unknown";
	return stop_phase_names[phase];
}
