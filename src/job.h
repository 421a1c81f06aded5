/* SPDX-License-Identifier: MIT */
/* One run of a scheduled job as a state x event table, and the pure
 * decisions around it: what a due time does, and whether a run failed. */
#ifndef GRACE_JOB_H
#define GRACE_JOB_H

#include <stdbool.h>

#include "unit.h"

/* The most runs of one job at once with Overlap=allow. */
#define JOB_MAX_RUNS 8

enum run_state {
	RUN_IDLE,	/* no process: a free slot */
	RUN_RUNNING,	/* its process runs */
	RUN_STOPPING,	/* KillSignal sent (a timeout, a replace, the stop);
			 * TimeoutStopSec runs */
	RUN_KILLING,	/* SIGKILL sent; waiting for the exit */
	RUN_NSTATES,
};

enum run_event {
	RUN_EV_START,		/* its due time came and it may run */
	RUN_EV_TIMEOUT,		/* TimeoutSec= ran out */
	RUN_EV_STOP,		/* the container stops, or a new run
				 * replaces it */
	RUN_EV_STOP_TIMEOUT,	/* TimeoutStopSec= ran out */
	RUN_EV_EXIT,		/* its process ended (or never started) */
	RUN_NEVENTS,
};

/* What the caller must do on a transition; a bit set. */
enum run_action {
	RUN_ACT_NONE = 0,
	RUN_ACT_SPAWN = 1 << 0,		/* start the process, arm TimeoutSec= */
	RUN_ACT_SIGNAL = 1 << 1,	/* KillSignal and SIGCONT to its group,
					 * arm TimeoutStopSec= */
	RUN_ACT_KILL = 1 << 2,		/* SIGKILL to its group */
	RUN_ACT_FINISH = 1 << 3,	/* cancel both timers, report the end */
};

struct run_step {
	enum run_state next;
	unsigned actions;
};

/* The transition from state on event; events that mean nothing in a
 * state leave it with no action.  Pure. */
struct run_step job_transition(enum run_state state, enum run_event event);
const char *job_state_name(enum run_state state);

/* What a due time does. */
enum job_due {
	JOB_DUE_START,		/* start a run now */
	JOB_DUE_SKIP,		/* Overlap=skip: a run goes on; log it */
	JOB_DUE_FULL,		/* Overlap=allow: JOB_MAX_RUNS run already */
	JOB_DUE_REPLACE,	/* Overlap=replace: stop the runs, start a new
				 * one once they have exited */
};

/* The decision for a due time, with running runs of the job going on (of
 * slots it may have).  Pure. */
enum job_due job_on_due(enum unit_overlap overlap, unsigned running,
			unsigned slots);

/* Whether a run's end is a success: exit 0, a SuccessExitStatus= code or
 * signal, anything with ExecStart=-, or death by its KillSignal when grace
 * stopped it (the container's stop, a replace) rather than a timeout. */
bool job_run_clean(const struct unit *unit, int status, bool stopped);

#endif
