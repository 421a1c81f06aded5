// SPDX-License-Identifier: MIT
/* Owns one run of a scheduled job: a table indexed by state and event that
 * says the next state and what to do, the decision a due time makes under
 * Overlap=, and what counts as a failed run.  No system calls. */
#include <sys/wait.h>

#include "job.h"

/* No path leads back to idle but an exit, so an empty cell ({ RUN_IDLE,
 * 0 }) means "stay, do nothing". */
static const struct run_step run_table[RUN_NSTATES][RUN_NEVENTS] = {
	[RUN_IDLE] = {
		[RUN_EV_START] = { RUN_RUNNING, RUN_ACT_SPAWN },
	},
	[RUN_RUNNING] = {
		[RUN_EV_TIMEOUT] = { RUN_STOPPING, RUN_ACT_SIGNAL },
		[RUN_EV_STOP] = { RUN_STOPPING, RUN_ACT_SIGNAL },
		[RUN_EV_EXIT] = { RUN_IDLE, RUN_ACT_FINISH },
	},
	[RUN_STOPPING] = {
		[RUN_EV_STOP_TIMEOUT] = { RUN_KILLING, RUN_ACT_KILL },
		[RUN_EV_EXIT] = { RUN_IDLE, RUN_ACT_FINISH },
	},
	[RUN_KILLING] = {
		[RUN_EV_EXIT] = { RUN_IDLE, RUN_ACT_FINISH },
	},
};

static const char *const run_state_names[RUN_NSTATES] = {
	[RUN_IDLE] = "idle", [RUN_RUNNING] = "running",
	[RUN_STOPPING] = "stopping", [RUN_KILLING] = "killing",
};

struct run_step
job_transition(enum run_state state, enum run_event event)
{
	struct run_step step;

	if ((unsigned)state >= RUN_NSTATES || (unsigned)event >= RUN_NEVENTS)
		return (struct run_step){ state, RUN_ACT_NONE };
	step = run_table[state][event];
	if (step.next == RUN_IDLE && step.actions == RUN_ACT_NONE)
		step.next = state;
	return step;
}

const char *
job_state_name(enum run_state state)
{
	if ((unsigned)state >= RUN_NSTATES)
		return "unknown";
	return run_state_names[state];
}

enum job_due
job_on_due(enum unit_overlap overlap, unsigned running, unsigned slots)
{
	if (running == 0)
		return JOB_DUE_START;
	switch (overlap) {
	case UNIT_OVERLAP_ALLOW:
		return running < slots ? JOB_DUE_START : JOB_DUE_FULL;
	case UNIT_OVERLAP_REPLACE:
		return JOB_DUE_REPLACE;
	case UNIT_OVERLAP_SKIP:
		break;
	}
	return JOB_DUE_SKIP;
}

bool
job_run_clean(const struct unit *unit, int status, bool stopped)
{
	int sig;

	if (unit->exec_ignore_failure)
		return true;
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 0 ||
		       unit->success_code[WEXITSTATUS(status)];
	if (!WIFSIGNALED(status))
		return false;
	sig = WTERMSIG(status);
	if (sig > 0 && sig < 64 && (unit->success_signals >> sig & 1))
		return true;
	return stopped && sig == unit->kill_signal;
}
