// SPDX-License-Identifier: MIT
/* Unit tests of one run of a scheduled job (src/job.c): its state x event
 * table, what a due time does under each Overlap=, and which ends of a run
 * are clean. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "job.h"

/* The whole table, written out: every state on every event. */
static const struct {
	enum run_state state;
	enum run_event event;
	enum run_state next;
	unsigned actions;
} expected[RUN_NSTATES * RUN_NEVENTS] = {
	{ RUN_IDLE, RUN_EV_START, RUN_RUNNING, RUN_ACT_SPAWN },
	{ RUN_IDLE, RUN_EV_TIMEOUT, RUN_IDLE, RUN_ACT_NONE },
	{ RUN_IDLE, RUN_EV_STOP, RUN_IDLE, RUN_ACT_NONE },
	{ RUN_IDLE, RUN_EV_STOP_TIMEOUT, RUN_IDLE, RUN_ACT_NONE },
	{ RUN_IDLE, RUN_EV_EXIT, RUN_IDLE, RUN_ACT_NONE },

	{ RUN_RUNNING, RUN_EV_START, RUN_RUNNING, RUN_ACT_NONE },
	{ RUN_RUNNING, RUN_EV_TIMEOUT, RUN_STOPPING, RUN_ACT_SIGNAL },
	{ RUN_RUNNING, RUN_EV_STOP, RUN_STOPPING, RUN_ACT_SIGNAL },
	{ RUN_RUNNING, RUN_EV_STOP_TIMEOUT, RUN_RUNNING, RUN_ACT_NONE },
	{ RUN_RUNNING, RUN_EV_EXIT, RUN_IDLE, RUN_ACT_FINISH },

	{ RUN_STOPPING, RUN_EV_START, RUN_STOPPING, RUN_ACT_NONE },
	{ RUN_STOPPING, RUN_EV_TIMEOUT, RUN_STOPPING, RUN_ACT_NONE },
	{ RUN_STOPPING, RUN_EV_STOP, RUN_STOPPING, RUN_ACT_NONE },
	{ RUN_STOPPING, RUN_EV_STOP_TIMEOUT, RUN_KILLING, RUN_ACT_KILL },
	{ RUN_STOPPING, RUN_EV_EXIT, RUN_IDLE, RUN_ACT_FINISH },

	{ RUN_KILLING, RUN_EV_START, RUN_KILLING, RUN_ACT_NONE },
	{ RUN_KILLING, RUN_EV_TIMEOUT, RUN_KILLING, RUN_ACT_NONE },
	{ RUN_KILLING, RUN_EV_STOP, RUN_KILLING, RUN_ACT_NONE },
	{ RUN_KILLING, RUN_EV_STOP_TIMEOUT, RUN_KILLING, RUN_ACT_NONE },
	{ RUN_KILLING, RUN_EV_EXIT, RUN_IDLE, RUN_ACT_FINISH },
};

static void
expect(enum run_state state, enum run_event event, enum run_state next,
       unsigned actions)
{
	struct run_step step = job_transition(state, event);

	if (step.next != next || step.actions != actions)
		fail_msg("%s on event %d: %s with actions %#x, not %s with "
			 "%#x",
			 job_state_name(state), (int)event,
			 job_state_name(step.next), step.actions,
			 job_state_name(next), actions);
}

/* Every cell of the table, and each exactly once in the list above. */
static void
test_table(void **state)
{
	unsigned seen[RUN_NSTATES][RUN_NEVENTS];
	size_t i;
	int s, e;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		expect(expected[i].state, expected[i].event, expected[i].next,
		       expected[i].actions);
		seen[expected[i].state][expected[i].event]++;
	}
	for (s = 0; s < RUN_NSTATES; s++)
		for (e = 0; e < RUN_NEVENTS; e++)
			assert_int_equal(seen[s][e], 1);
}

/* A run's lives: it ends by itself, by its timeout, or by a stop that
 * comes to SIGKILL. */
static void
test_lives(void **state)
{
	struct run_step step;
	enum run_state s;

	(void)state;
	step = job_transition(RUN_IDLE, RUN_EV_START);
	step = job_transition(step.next, RUN_EV_EXIT);
	assert_int_equal(step.next, RUN_IDLE);
	assert_int_equal(step.actions, RUN_ACT_FINISH);

	s = job_transition(RUN_IDLE, RUN_EV_START).next;
	s = job_transition(s, RUN_EV_TIMEOUT).next;
	assert_int_equal(s, RUN_STOPPING);
	/* A stop on top of the timeout's changes nothing. */
	s = job_transition(s, RUN_EV_STOP).next;
	s = job_transition(s, RUN_EV_STOP_TIMEOUT).next;
	assert_int_equal(s, RUN_KILLING);
	step = job_transition(s, RUN_EV_EXIT);
	assert_int_equal(step.next, RUN_IDLE);
	assert_int_equal(step.actions, RUN_ACT_FINISH);
}

/* Only an exit leads back to idle; only a start spawns; each action comes
 * from one cell kind. */
static void
test_invariants(void **state)
{
	struct run_step step;
	int s, e;

	(void)state;
	for (s = 0; s < RUN_NSTATES; s++)
		for (e = 0; e < RUN_NEVENTS; e++) {
			step = job_transition((enum run_state)s,
					      (enum run_event)e);
			if (step.next == RUN_IDLE && s != RUN_IDLE)
				assert_int_equal(e, RUN_EV_EXIT);
			if (step.actions & RUN_ACT_SPAWN)
				assert_true(s == RUN_IDLE &&
					    e == RUN_EV_START);
			if (step.actions & RUN_ACT_FINISH)
				assert_int_equal(e, RUN_EV_EXIT);
			if (step.actions & RUN_ACT_KILL)
				assert_int_equal(s, RUN_STOPPING);
		}
}

/* Out of range states and events change nothing. */
static void
test_out_of_range(void **state)
{
	(void)state;
	expect(RUN_NSTATES, RUN_EV_START, RUN_NSTATES, RUN_ACT_NONE);
	expect((enum run_state)-1, RUN_EV_EXIT, (enum run_state)-1,
	       RUN_ACT_NONE);
	expect(RUN_RUNNING, RUN_NEVENTS, RUN_RUNNING, RUN_ACT_NONE);
	expect(RUN_IDLE, (enum run_event)99, RUN_IDLE, RUN_ACT_NONE);
}

static void
test_state_names(void **state)
{
	(void)state;
	assert_string_equal(job_state_name(RUN_IDLE), "idle");
	assert_string_equal(job_state_name(RUN_RUNNING), "running");
	assert_string_equal(job_state_name(RUN_STOPPING), "stopping");
	assert_string_equal(job_state_name(RUN_KILLING), "killing");
	assert_string_equal(job_state_name(RUN_NSTATES), "unknown");
	assert_string_equal(job_state_name((enum run_state)-1), "unknown");
}

/* --- due times ------------------------------------------------------------ */

/* With no run going on, every mode starts one. */
static void
test_due_idle(void **state)
{
	(void)state;
	assert_int_equal(job_on_due(UNIT_OVERLAP_SKIP, 0, 1), JOB_DUE_START);
	assert_int_equal(job_on_due(UNIT_OVERLAP_ALLOW, 0, JOB_MAX_RUNS),
			 JOB_DUE_START);
	assert_int_equal(job_on_due(UNIT_OVERLAP_REPLACE, 0, 1),
			 JOB_DUE_START);
	assert_int_equal(job_on_due(UNIT_OVERLAP_ALLOW, 0, 0), JOB_DUE_START);
}

static void
test_due_skip(void **state)
{
	(void)state;
	assert_int_equal(job_on_due(UNIT_OVERLAP_SKIP, 1, 1), JOB_DUE_SKIP);
	/* More slots do not matter. */
	assert_int_equal(job_on_due(UNIT_OVERLAP_SKIP, 1, JOB_MAX_RUNS),
			 JOB_DUE_SKIP);
	/* Nor does a mode out of range: it is the default, skip. */
	assert_int_equal(job_on_due((enum unit_overlap)7, 1, JOB_MAX_RUNS),
			 JOB_DUE_SKIP);
}

static void
test_due_allow(void **state)
{
	unsigned running;

	(void)state;
	for (running = 1; running < JOB_MAX_RUNS; running++)
		assert_int_equal(job_on_due(UNIT_OVERLAP_ALLOW, running,
					    JOB_MAX_RUNS),
				 JOB_DUE_START);
	assert_int_equal(job_on_due(UNIT_OVERLAP_ALLOW, JOB_MAX_RUNS,
				    JOB_MAX_RUNS),
			 JOB_DUE_FULL);
	assert_int_equal(job_on_due(UNIT_OVERLAP_ALLOW, JOB_MAX_RUNS + 1,
				    JOB_MAX_RUNS),
			 JOB_DUE_FULL);
	assert_int_equal(job_on_due(UNIT_OVERLAP_ALLOW, 2, 3), JOB_DUE_START);
	assert_int_equal(job_on_due(UNIT_OVERLAP_ALLOW, 3, 3), JOB_DUE_FULL);
	assert_int_equal(job_on_due(UNIT_OVERLAP_ALLOW, 1, 1), JOB_DUE_FULL);
}

static void
test_due_replace(void **state)
{
	(void)state;
	assert_int_equal(job_on_due(UNIT_OVERLAP_REPLACE, 1, 1),
			 JOB_DUE_REPLACE);
	assert_int_equal(job_on_due(UNIT_OVERLAP_REPLACE, 3, JOB_MAX_RUNS),
			 JOB_DUE_REPLACE);
}

/* --- clean ends ----------------------------------------------------------- */

static char error[512];

/* A job unit from a file: [Service] with an ExecStart= line, then keys. */
static void
job_unit(struct unit *unit, const char *exec_start, const char *keys)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "[Service]\nExecStart=%s\nSchedule=@hourly\n%s", exec_start,
		 keys);
	assert_int_equal(unit_init(unit, "job", "job.service"), 0);
	if (unit_parse(unit, text, strlen(text), error, sizeof(error)) != 0)
		fail_msg("unexpected error: %s", error);
	assert_true(unit->is_job);
}

static void
test_clean_exit(void **state)
{
	struct unit u;

	(void)state;
	job_unit(&u, "/bin/job", "");
	assert_true(job_run_clean(&u, W_EXITCODE(0, 0), false));
	assert_true(job_run_clean(&u, W_EXITCODE(0, 0), true));
	assert_false(job_run_clean(&u, W_EXITCODE(1, 0), false));
	assert_false(job_run_clean(&u, W_EXITCODE(1, 0), true));
	assert_false(job_run_clean(&u, W_EXITCODE(255, 0), false));
	/* 143 is an exit code, not SIGTERM. */
	assert_false(job_run_clean(&u, W_EXITCODE(143, 0), true));
	/* Stopped, not ended: no clean end. */
	assert_false(job_run_clean(&u, W_STOPCODE(SIGSTOP), false));
	unit_free(&u);
}

/* SuccessExitStatus= codes and signals are clean, stopped or not. */
static void
test_success_exit_status(void **state)
{
	struct unit u;

	(void)state;
	job_unit(&u, "/bin/job", "SuccessExitStatus=1 42 SIGUSR1\n");
	assert_true(job_run_clean(&u, W_EXITCODE(1, 0), false));
	assert_true(job_run_clean(&u, W_EXITCODE(42, 0), false));
	assert_false(job_run_clean(&u, W_EXITCODE(2, 0), false));
	assert_true(job_run_clean(&u, W_EXITCODE(0, SIGUSR1), false));
	assert_true(job_run_clean(&u, W_EXITCODE(0, SIGUSR1), true));
	assert_false(job_run_clean(&u, W_EXITCODE(0, SIGUSR2), false));
	unit_free(&u);
}

/* Death by KillSignal= is clean only when grace stopped the run (the
 * container's stop, a replace), not after a timeout or from elsewhere;
 * SIGKILL after TimeoutStopSec= never is. */
static void
test_kill_signal(void **state)
{
	struct unit u;

	(void)state;
	job_unit(&u, "/bin/job", "");
	assert_int_equal(u.kill_signal, SIGTERM);
	assert_true(job_run_clean(&u, W_EXITCODE(0, SIGTERM), true));
	assert_false(job_run_clean(&u, W_EXITCODE(0, SIGTERM), false));
	assert_false(job_run_clean(&u, W_EXITCODE(0, SIGKILL), true));
	assert_false(job_run_clean(&u, W_EXITCODE(0, SIGINT), true));
	/* A core dump is a death by signal too. */
	assert_false(job_run_clean(&u, W_EXITCODE(0, SIGSEGV) | WCOREFLAG,
				   true));
	unit_free(&u);

	job_unit(&u, "/bin/job", "KillSignal=SIGINT\n");
	assert_true(job_run_clean(&u, W_EXITCODE(0, SIGINT), true));
	assert_false(job_run_clean(&u, W_EXITCODE(0, SIGINT), false));
	assert_false(job_run_clean(&u, W_EXITCODE(0, SIGTERM), true));
	unit_free(&u);

	job_unit(&u, "/bin/job", "KillSignal=SIGKILL\n");
	assert_true(job_run_clean(&u, W_EXITCODE(0, SIGKILL), true));
	unit_free(&u);
}

/* ExecStart=-: whatever the end, clean. */
static void
test_ignore_failure(void **state)
{
	struct unit u;

	(void)state;
	job_unit(&u, "-/bin/job", "");
	assert_true(u.exec_ignore_failure);
	assert_true(job_run_clean(&u, W_EXITCODE(0, 0), false));
	assert_true(job_run_clean(&u, W_EXITCODE(1, 0), false));
	assert_true(job_run_clean(&u, W_EXITCODE(255, 0), true));
	assert_true(job_run_clean(&u, W_EXITCODE(0, SIGKILL), false));
	assert_true(job_run_clean(&u, W_EXITCODE(0, SIGTERM), false));
	assert_true(job_run_clean(&u, W_EXITCODE(0, SIGSEGV) | WCOREFLAG,
				  false));
	unit_free(&u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_lives),
		cmocka_unit_test(test_invariants),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_due_idle),
		cmocka_unit_test(test_due_skip),
		cmocka_unit_test(test_due_allow),
		cmocka_unit_test(test_due_replace),
		cmocka_unit_test(test_clean_exit),
		cmocka_unit_test(test_success_exit_status),
		cmocka_unit_test(test_kill_signal),
		cmocka_unit_test(test_ignore_failure),
	};

	return cmocka_run_group_tests_name("job", tests, NULL, NULL);
}
