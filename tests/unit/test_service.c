// SPDX-License-Identifier: MIT
/* Unit tests of one service's lifecycle table and the decisions around it
 * (src/service.c): clean exits, restarts, backoff, the start limit. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <math.h>
#include <cmocka.h>

#include "service.h"

/* A unit with every key at its default, as unit_init() sets them. */
static void
felix(struct unit *unit)
{
	assert_int_equal(unit_init(unit, "felix", "felix.service"), 0);
}

static void
expect(enum svc_state state, enum svc_event event, enum svc_state next,
       unsigned actions)
{
	struct svc_step step = service_transition(state, event);

	assert_int_equal(step.next, next);
	assert_int_equal(step.actions, actions);
}

/* Started, ready, stopped: the usual life of a service. */
static void
test_full_lifecycle(void **state)
{
	(void)state;
	expect(SVC_WAITING, SVC_EV_START, SVC_STARTING,
	       SVC_ACT_SPAWN | SVC_ACT_WATCH_READY);
	expect(SVC_STARTING, SVC_EV_READY, SVC_RUNNING,
	       SVC_ACT_UNWATCH_READY | SVC_ACT_RELEASE);
	expect(SVC_RUNNING, SVC_EV_STOP, SVC_STOPPING, SVC_ACT_SIGNAL);
	expect(SVC_STOPPING, SVC_EV_EXIT_CLEAN, SVC_DONE,
	       SVC_ACT_CANCEL_STOP | SVC_ACT_ENDED);
}

/* Only readiness lets dependents start; a oneshot's clean exit is its
 * readiness. */
static void
test_release_only_when_ready(void **state)
{
	enum svc_state s;
	enum svc_event e;
	struct svc_step step;

	(void)state;
	for (s = 0; s < SVC_NSTATES; s++)
		for (e = 0; e < SVC_NEVENTS; e++) {
			step = service_transition(s, e);
			if (!(step.actions & SVC_ACT_RELEASE))
				continue;
			assert_int_equal(s, SVC_STARTING);
			assert_true(e == SVC_EV_READY ||
				    e == SVC_EV_EXIT_CLEAN);
		}
	expect(SVC_STARTING, SVC_EV_EXIT_CLEAN, SVC_DONE,
	       SVC_ACT_UNWATCH_READY | SVC_ACT_RELEASE | SVC_ACT_ENDED);
}

/* fork or exec failed: back off, then try again. */
static void
test_spawn_failure_backs_off(void **state)
{
	(void)state;
	expect(SVC_WAITING, SVC_EV_START, SVC_STARTING,
	       SVC_ACT_SPAWN | SVC_ACT_WATCH_READY);
	expect(SVC_STARTING, SVC_EV_SPAWN_FAILED, SVC_BACKOFF,
	       SVC_ACT_UNWATCH_READY | SVC_ACT_ARM_RESTART);
	expect(SVC_BACKOFF, SVC_EV_RESTART_DUE, SVC_STARTING,
	       SVC_ACT_SPAWN | SVC_ACT_WATCH_READY);
	expect(SVC_STARTING, SVC_EV_SPAWN_FAILED_FINAL, SVC_FAILED,
	       SVC_ACT_UNWATCH_READY | SVC_ACT_ENDED);
}

/* TimeoutStartSec= ran out: it is stopped, and its exit is a failed start
 * that the policy may restart. */
static void
test_start_timeout(void **state)
{
	(void)state;
	expect(SVC_STARTING, SVC_EV_START_TIMEOUT, SVC_STOPPING,
	       SVC_ACT_UNWATCH_READY | SVC_ACT_SIGNAL);
	expect(SVC_STOPPING, SVC_EV_EXIT_RESTART, SVC_BACKOFF,
	       SVC_ACT_CANCEL_STOP | SVC_ACT_ARM_RESTART);
	expect(SVC_BACKOFF, SVC_EV_RESTART_DUE, SVC_STARTING,
	       SVC_ACT_SPAWN | SVC_ACT_WATCH_READY);
	/* Or it is not restarted. */
	expect(SVC_STOPPING, SVC_EV_EXIT_FAILED, SVC_FAILED,
	       SVC_ACT_CANCEL_STOP | SVC_ACT_ENDED);
}

/* TimeoutStopSec= ran out: SIGKILL, and whatever the exit, it failed. */
static void
test_stop_timeout_kills(void **state)
{
	(void)state;
	expect(SVC_RUNNING, SVC_EV_STOP, SVC_STOPPING, SVC_ACT_SIGNAL);
	expect(SVC_STOPPING, SVC_EV_STOP_TIMEOUT, SVC_KILLING, SVC_ACT_KILL);
	expect(SVC_KILLING, SVC_EV_EXIT_FAILED, SVC_FAILED, SVC_ACT_ENDED);
	/* A second stop or a late timer changes nothing. */
	expect(SVC_KILLING, SVC_EV_STOP, SVC_KILLING, 0);
	expect(SVC_KILLING, SVC_EV_STOP_TIMEOUT, SVC_KILLING, 0);
	expect(SVC_STOPPING, SVC_EV_STOP, SVC_STOPPING, 0);
}

/* Those without a process end at once when stopped. */
static void
test_stop_without_process(void **state)
{
	(void)state;
	expect(SVC_BACKOFF, SVC_EV_STOP, SVC_DONE, SVC_ACT_CANCEL_RESTART);
	expect(SVC_WAITING, SVC_EV_STOP, SVC_DONE, 0);
}

/* A service it requires ended: it ends as that one did without having
 * run; or, in backoff, the start limit was hit. */
static void
test_end_without_process(void **state)
{
	(void)state;
	expect(SVC_WAITING, SVC_EV_EXIT_FAILED, SVC_FAILED, SVC_ACT_ENDED);
	expect(SVC_WAITING, SVC_EV_EXIT_CLEAN, SVC_DONE, SVC_ACT_ENDED);
	expect(SVC_BACKOFF, SVC_EV_EXIT_FAILED, SVC_FAILED,
	       SVC_ACT_CANCEL_RESTART | SVC_ACT_ENDED);
	expect(SVC_BACKOFF, SVC_EV_EXIT_CLEAN, SVC_DONE,
	       SVC_ACT_CANCEL_RESTART | SVC_ACT_ENDED);
}

static void
test_running_exits(void **state)
{
	(void)state;
	expect(SVC_RUNNING, SVC_EV_EXIT_RESTART, SVC_BACKOFF,
	       SVC_ACT_ARM_RESTART);
	expect(SVC_RUNNING, SVC_EV_EXIT_CLEAN, SVC_DONE, SVC_ACT_ENDED);
	expect(SVC_RUNNING, SVC_EV_EXIT_FAILED, SVC_FAILED, SVC_ACT_ENDED);
	expect(SVC_STARTING, SVC_EV_EXIT_RESTART, SVC_BACKOFF,
	       SVC_ACT_UNWATCH_READY | SVC_ACT_ARM_RESTART);
	expect(SVC_STARTING, SVC_EV_EXIT_FAILED, SVC_FAILED,
	       SVC_ACT_UNWATCH_READY | SVC_ACT_ENDED);
	expect(SVC_KILLING, SVC_EV_EXIT_RESTART, SVC_BACKOFF,
	       SVC_ACT_ARM_RESTART);
	expect(SVC_KILLING, SVC_EV_EXIT_CLEAN, SVC_DONE, SVC_ACT_ENDED);
}

/* The events that mean something in each state; every other cell must
 * leave the state as it is and do nothing. */
static unsigned
meaningful(enum svc_state state)
{
	switch (state) {
	case SVC_WAITING:
		return 1u << SVC_EV_START | 1u << SVC_EV_EXIT_CLEAN |
		       1u << SVC_EV_EXIT_FAILED | 1u << SVC_EV_STOP;
	case SVC_STARTING:
		return 1u << SVC_EV_SPAWN_FAILED |
		       1u << SVC_EV_SPAWN_FAILED_FINAL | 1u << SVC_EV_READY |
		       1u << SVC_EV_EXIT_RESTART | 1u << SVC_EV_EXIT_CLEAN |
		       1u << SVC_EV_EXIT_FAILED | 1u << SVC_EV_START_TIMEOUT |
		       1u << SVC_EV_STOP;
	case SVC_RUNNING:
		return 1u << SVC_EV_EXIT_RESTART | 1u << SVC_EV_EXIT_CLEAN |
		       1u << SVC_EV_EXIT_FAILED | 1u << SVC_EV_STOP;
	case SVC_BACKOFF:
		return 1u << SVC_EV_RESTART_DUE | 1u << SVC_EV_EXIT_CLEAN |
		       1u << SVC_EV_EXIT_FAILED | 1u << SVC_EV_STOP;
	case SVC_STOPPING:
		return 1u << SVC_EV_EXIT_RESTART | 1u << SVC_EV_EXIT_CLEAN |
		       1u << SVC_EV_EXIT_FAILED | 1u << SVC_EV_STOP_TIMEOUT;
	case SVC_KILLING:
		return 1u << SVC_EV_EXIT_RESTART | 1u << SVC_EV_EXIT_CLEAN |
		       1u << SVC_EV_EXIT_FAILED;
	case SVC_DONE:
	case SVC_FAILED:
		return 1u << SVC_EV_RESET;
	case SVC_NSTATES:
		break;
	}
	return 0;
}

/* Every cell: the meaningless ones stay and do nothing, the meaningful
 * ones move.  Done and failed are for good: no event leaves them. */
static void
test_meaningless_events(void **state)
{
	enum svc_state s;
	enum svc_event e;
	struct svc_step step;

	(void)state;
	for (s = 0; s < SVC_NSTATES; s++)
		for (e = 0; e < SVC_NEVENTS; e++) {
			step = service_transition(s, e);
			if (meaningful(s) & 1u << e) {
				assert_int_not_equal(step.next, s);
				continue;
			}
			assert_int_equal(step.next, s);
			assert_int_equal(step.actions, SVC_ACT_NONE);
		}
	/* Only gracectl's start leaves an end, back to waiting. */
	for (e = 0; e < SVC_NEVENTS; e++) {
		if (e == SVC_EV_RESET)
			continue;
		expect(SVC_DONE, e, SVC_DONE, 0);
		expect(SVC_FAILED, e, SVC_FAILED, 0);
	}
	expect(SVC_DONE, SVC_EV_RESET, SVC_WAITING, SVC_ACT_RESET);
	expect(SVC_FAILED, SVC_EV_RESET, SVC_WAITING, SVC_ACT_RESET);
}

static void
test_out_of_range(void **state)
{
	enum svc_state s;
	enum svc_event e;

	(void)state;
	for (s = 0; s < SVC_NSTATES; s++) {
		expect(s, SVC_NEVENTS, s, 0);
		expect(s, (enum svc_event)1000, s, 0);
	}
	for (e = 0; e < SVC_NEVENTS; e++) {
		expect(SVC_NSTATES, e, SVC_NSTATES, 0);
		expect((enum svc_state)1000, e, (enum svc_state)1000, 0);
	}
}

/* The rules the caller relies on, over the whole table: only a reset from
 * an end leads back to waiting; whatever leaves starting stops the readiness watch;
 * whatever enters starting spawns; whatever ends a stop cancels its timer;
 * whatever leaves backoff but a due restart cancels the restart. */
static void
test_table_invariants(void **state)
{
	enum svc_state s;
	enum svc_event e;
	struct svc_step step;

	(void)state;
	for (s = 0; s < SVC_NSTATES; s++)
		for (e = 0; e < SVC_NEVENTS; e++) {
			step = service_transition(s, e);
			if (step.next == s)
				continue;
			/* Back to waiting only from an end, on a reset. */
			if (step.next == SVC_WAITING) {
				assert_int_equal(e, SVC_EV_RESET);
				assert_true(service_has_ended(s));
				assert_int_equal(step.actions, SVC_ACT_RESET);
				continue;
			}
			if (s == SVC_STARTING)
				assert_true(step.actions &
					    SVC_ACT_UNWATCH_READY);
			if (step.next == SVC_STARTING)
				assert_int_equal(step.actions,
						 SVC_ACT_SPAWN |
							 SVC_ACT_WATCH_READY);
			if (s == SVC_STOPPING && step.next != SVC_KILLING)
				assert_true(step.actions & SVC_ACT_CANCEL_STOP);
			if (s == SVC_BACKOFF && e != SVC_EV_RESTART_DUE)
				assert_true(step.actions &
					    SVC_ACT_CANCEL_RESTART);
			if (step.actions & SVC_ACT_ARM_RESTART)
				assert_int_equal(step.next, SVC_BACKOFF);
			if (step.actions & SVC_ACT_ENDED)
				assert_true(service_has_ended(step.next));
		}
}

static void
test_state_names(void **state)
{
	static const char *const names[SVC_NSTATES] = {
		"waiting", "starting", "running", "backoff",
		"stopping", "killing", "done", "failed",
	};
	enum svc_state s;

	(void)state;
	for (s = 0; s < SVC_NSTATES; s++)
		assert_string_equal(service_state_name(s), names[s]);
	assert_string_equal(service_state_name(SVC_NSTATES), "unknown");
	assert_string_equal(service_state_name((enum svc_state)1000),
			    "unknown");
}

static void
test_up_and_ended(void **state)
{
	(void)state;
	assert_false(service_is_up(SVC_WAITING));
	assert_true(service_is_up(SVC_STARTING));
	assert_true(service_is_up(SVC_RUNNING));
	assert_false(service_is_up(SVC_BACKOFF));
	assert_true(service_is_up(SVC_STOPPING));
	assert_true(service_is_up(SVC_KILLING));
	assert_false(service_is_up(SVC_DONE));
	assert_false(service_is_up(SVC_FAILED));

	assert_false(service_has_ended(SVC_WAITING));
	assert_false(service_has_ended(SVC_STARTING));
	assert_false(service_has_ended(SVC_RUNNING));
	assert_false(service_has_ended(SVC_BACKOFF));
	assert_false(service_has_ended(SVC_STOPPING));
	assert_false(service_has_ended(SVC_KILLING));
	assert_true(service_has_ended(SVC_DONE));
	assert_true(service_has_ended(SVC_FAILED));
}

/* Exit codes: 0, and those SuccessExitStatus= lists. */
static void
test_clean_exit_codes(void **state)
{
	struct unit u;

	(void)state;
	felix(&u);
	assert_true(service_exit_clean(&u, W_EXITCODE(0, 0), false));
	assert_true(service_exit_clean(&u, W_EXITCODE(0, 0), true));
	assert_false(service_exit_clean(&u, W_EXITCODE(1, 0), false));
	assert_false(service_exit_clean(&u, W_EXITCODE(1, 0), true));
	assert_false(service_exit_clean(&u, W_EXITCODE(255, 0), false));
	/* 128 + SIGTERM as an exit code is no death by SIGTERM. */
	assert_false(service_exit_clean(&u, W_EXITCODE(143, 0), false));

	u.success_code[3] = true;
	u.success_code[255] = true;
	assert_true(service_exit_clean(&u, W_EXITCODE(3, 0), false));
	assert_true(service_exit_clean(&u, W_EXITCODE(3, 0), true));
	assert_true(service_exit_clean(&u, W_EXITCODE(255, 0), false));
	assert_false(service_exit_clean(&u, W_EXITCODE(4, 0), false));
	assert_false(service_exit_clean(&u, W_EXITCODE(2, 0), true));
	unit_free(&u);
}

/* The '-' prefix: any exit code counts as success. */
static void
test_ignore_failure_exit_codes(void **state)
{
	struct unit u;

	(void)state;
	felix(&u);
	u.exec_ignore_failure = true;
	assert_true(service_exit_clean(&u, W_EXITCODE(1, 0), false));
	assert_true(service_exit_clean(&u, W_EXITCODE(127, 0), false));
	assert_true(service_exit_clean(&u, W_EXITCODE(255, 0), true));
	unit_free(&u);
}

/* The '-' prefix: a death by any signal counts as success too, as
 * systemd.service(5) says. */
static void
test_ignore_failure_signals(void **state)
{
	struct unit u;

	(void)state;
	felix(&u);
	u.exec_ignore_failure = true;
	assert_true(service_exit_clean(&u, SIGKILL, false));
	assert_true(service_exit_clean(&u, SIGSEGV | WCOREFLAG, false));
	assert_true(service_exit_clean(&u, SIGUSR1, true));
	unit_free(&u);
}

/* Deaths by signal, when grace did not ask the service to stop: the four
 * systemd counts as clean for a daemon, and those listed. */
static void
test_clean_signals_not_stopping(void **state)
{
	struct unit u;

	(void)state;
	felix(&u);
	assert_true(service_exit_clean(&u, SIGTERM, false));
	assert_true(service_exit_clean(&u, SIGHUP, false));
	assert_true(service_exit_clean(&u, SIGINT, false));
	assert_true(service_exit_clean(&u, SIGPIPE, false));
	assert_false(service_exit_clean(&u, SIGKILL, false));
	assert_false(service_exit_clean(&u, SIGQUIT, false));
	assert_false(service_exit_clean(&u, SIGUSR1, false));
	assert_false(service_exit_clean(&u, SIGABRT | WCOREFLAG, false));
	assert_false(service_exit_clean(&u, SIGSEGV | WCOREFLAG, false));
	/* A stopped (not dead) child is no end at all. */
	assert_false(service_exit_clean(&u, W_STOPCODE(SIGSTOP), false));

	u.success_signals = 1ULL << SIGKILL | 1ULL << SIGUSR1;
	assert_true(service_exit_clean(&u, SIGKILL, false));
	assert_true(service_exit_clean(&u, SIGUSR1, false));
	assert_false(service_exit_clean(&u, SIGUSR2, false));
	assert_true(service_exit_clean(&u, SIGTERM, false));
	unit_free(&u);
}

/* When grace stopped it, only its own KillSignal= (and what
 * SuccessExitStatus= lists) is a clean death. */
static void
test_clean_signals_stopping(void **state)
{
	struct unit u;

	(void)state;
	felix(&u);
	assert_true(service_exit_clean(&u, SIGTERM, true));
	assert_false(service_exit_clean(&u, SIGHUP, true));
	assert_false(service_exit_clean(&u, SIGINT, true));
	assert_false(service_exit_clean(&u, SIGPIPE, true));
	assert_false(service_exit_clean(&u, SIGKILL, true));

	u.kill_signal = SIGINT;
	assert_true(service_exit_clean(&u, SIGINT, true));
	assert_false(service_exit_clean(&u, SIGTERM, true));
	assert_false(service_exit_clean(&u, SIGKILL, true));
	/* Not stopping: the usual four again, whatever KillSignal= says. */
	assert_true(service_exit_clean(&u, SIGTERM, false));

	u.kill_signal = SIGQUIT;
	assert_true(service_exit_clean(&u, SIGQUIT, true));
	assert_false(service_exit_clean(&u, SIGQUIT, false));

	u.success_signals = 1ULL << SIGKILL;
	assert_true(service_exit_clean(&u, SIGKILL, true));
	assert_true(service_exit_clean(&u, SIGKILL, false));
	unit_free(&u);
}

static void
test_wants_restart(void **state)
{
	struct unit u;

	(void)state;
	felix(&u);
	assert_int_equal(u.restart, UNIT_RESTART_NO);
	assert_false(service_wants_restart(&u, true));
	assert_false(service_wants_restart(&u, false));
	u.restart = UNIT_RESTART_ON_FAILURE;
	assert_false(service_wants_restart(&u, true));
	assert_true(service_wants_restart(&u, false));
	u.restart = UNIT_RESTART_ALWAYS;
	assert_true(service_wants_restart(&u, true));
	assert_true(service_wants_restart(&u, false));
	unit_free(&u);
}

/*
 * systemd's service_restart_usec_next(), for the n-th restart (n from 1),
 * in ms: RestartSec= while n <= 1 or the delay does not grow,
 * RestartMaxDelaySec= once n > RestartSteps=, and in between
 * RestartSec= * (RestartMaxDelaySec= / RestartSec=) ^ ((n - 1) / steps).
 */
static long long
systemd_delay(long long first, long long most, unsigned steps, unsigned n)
{
	if (n <= 1 || steps == 0 || first == 0 || most == UNIT_INFINITY ||
	    first >= most)
		return first;
	if (n > steps)
		return most;
	return llround((double)first *
		       pow((double)most / (double)first,
			   (double)(n - 1) / (double)steps));
}

/* Checks service_restart_delay() for restarts 1 to count against
 * systemd's sequence. */
static void
expect_systemd_sequence(const struct unit *u, unsigned count)
{
	unsigned n;

	for (n = 1; n <= count; n++)
		assert_int_equal(service_restart_delay(u, n - 1),
				 systemd_delay(u->restart_ms,
					       u->restart_max_delay_ms,
					       u->restart_steps, n));
}

static void
test_backoff_doubles(void **state)
{
	static const long long want[] = { 100, 200, 400, 800, 800, 800 };
	struct unit u;
	unsigned i;

	(void)state;
	felix(&u);
	u.restart_ms = 100;
	u.restart_max_delay_ms = 800;
	u.restart_steps = 3;
	assert_true(service_restart_delay_grows(&u));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(service_restart_delay(&u, i), want[i]);
	expect_systemd_sequence(&u, 10);
	assert_int_equal(service_restart_delay(&u, UINT32_MAX), 800);
	unit_free(&u);
}

/* RestartSec=1s, RestartMaxDelaySec=1min, RestartSteps=5. */
static void
test_backoff_minute(void **state)
{
	struct unit u;
	unsigned attempt;
	long long last = 0, delay;

	(void)state;
	felix(&u);
	u.restart_ms = 1000;
	u.restart_max_delay_ms = 60000;
	u.restart_steps = 5;
	expect_systemd_sequence(&u, 12);
	assert_int_equal(service_restart_delay(&u, 0), 1000);
	assert_int_equal(service_restart_delay(&u, 1), 2268);
	assert_int_equal(service_restart_delay(&u, 5), 60000);
	assert_int_equal(service_restart_delay(&u, 6), 60000);
	/* Never shrinking, never above the most. */
	for (attempt = 0; attempt < 20; attempt++) {
		delay = service_restart_delay(&u, attempt);
		assert_true(delay >= last);
		assert_true(delay <= 60000);
		last = delay;
	}
	unit_free(&u);
}

/* Each way the delay stays at RestartSec=. */
static void
test_backoff_no_growth(void **state)
{
	struct unit u;
	unsigned attempt;

	(void)state;
	felix(&u);
	/* The defaults: RestartSteps=0, RestartMaxDelaySec=infinity. */
	assert_false(service_restart_delay_grows(&u));
	for (attempt = 0; attempt < 10; attempt++)
		assert_int_equal(service_restart_delay(&u, attempt), 100);

	u.restart_ms = 500;
	u.restart_max_delay_ms = 5000;
	u.restart_steps = 0;
	assert_false(service_restart_delay_grows(&u));
	assert_int_equal(service_restart_delay(&u, 7), 500);
	expect_systemd_sequence(&u, 10);

	u.restart_steps = 4;
	u.restart_max_delay_ms = UNIT_INFINITY;
	assert_false(service_restart_delay_grows(&u));
	assert_int_equal(service_restart_delay(&u, 7), 500);
	expect_systemd_sequence(&u, 10);

	u.restart_max_delay_ms = 500;
	assert_false(service_restart_delay_grows(&u));
	assert_int_equal(service_restart_delay(&u, 7), 500);
	expect_systemd_sequence(&u, 10);

	u.restart_max_delay_ms = 200;
	assert_false(service_restart_delay_grows(&u));
	assert_int_equal(service_restart_delay(&u, 7), 500);
	expect_systemd_sequence(&u, 10);

	u.restart_ms = 0;
	u.restart_max_delay_ms = 5000;
	assert_false(service_restart_delay_grows(&u));
	for (attempt = 0; attempt < 10; attempt++)
		assert_int_equal(service_restart_delay(&u, attempt), 0);
	expect_systemd_sequence(&u, 10);
	unit_free(&u);
}

static void
test_backoff_reset(void **state)
{
	struct unit u;

	(void)state;
	felix(&u);
	assert_int_equal(service_backoff_reset_ms(&u), 10000);
	u.restart_ms = 0;
	assert_int_equal(service_backoff_reset_ms(&u), 10000);
	u.restart_ms = 1000;
	assert_int_equal(service_backoff_reset_ms(&u), 10000);
	u.restart_ms = 1001;
	assert_int_equal(service_backoff_reset_ms(&u), 10010);
	u.restart_ms = 5000;
	assert_int_equal(service_backoff_reset_ms(&u), 50000);
	unit_free(&u);
}

/* StartLimitBurst=5 in StartLimitIntervalSec=10s, the defaults: the limit
 * slides with the starts it let through. */
static void
test_start_limit_default(void **state)
{
	struct start_limit limit;
	struct unit u;
	uint64_t t;

	(void)state;
	felix(&u);
	assert_int_equal(start_limit_init(&limit, &u), 0);
	for (t = 0; t <= 4000; t += 1000)
		assert_true(start_limit_take(&limit, &u, t));
	assert_false(start_limit_take(&limit, &u, 5000));
	assert_false(start_limit_take(&limit, &u, 9999));
	/* The start at 0 is now older than the interval. */
	assert_true(start_limit_take(&limit, &u, 10001));
	/* The refused starts were not counted; the oldest is now 1000. */
	assert_false(start_limit_take(&limit, &u, 10500));
	assert_true(start_limit_take(&limit, &u, 11001));
	assert_false(start_limit_take(&limit, &u, 11002));
	/* Long after: a full burst again. */
	for (t = 100000; t < 100005; t++)
		assert_true(start_limit_take(&limit, &u, t));
	assert_false(start_limit_take(&limit, &u, 100005));
	start_limit_free(&limit);
	assert_null(limit.starts);
	assert_int_equal(limit.count, 0);
	unit_free(&u);
}

static void
test_start_limit_burst_one(void **state)
{
	struct start_limit limit;
	struct unit u;

	(void)state;
	felix(&u);
	u.start_limit_burst = 1;
	u.start_limit_interval_ms = 1000;
	assert_int_equal(start_limit_init(&limit, &u), 0);
	assert_true(start_limit_take(&limit, &u, 50));
	assert_false(start_limit_take(&limit, &u, 50));
	assert_false(start_limit_take(&limit, &u, 1049));
	assert_true(start_limit_take(&limit, &u, 1051));
	start_limit_free(&limit);
	unit_free(&u);
}

/* A burst or an interval of 0 is no limit at all. */
static void
test_start_limit_off(void **state)
{
	struct start_limit limit;
	struct unit u;
	int i;

	(void)state;
	felix(&u);
	u.start_limit_burst = 0;
	assert_int_equal(start_limit_init(&limit, &u), 0);
	for (i = 0; i < 1000; i++)
		assert_true(start_limit_take(&limit, &u, 7));
	start_limit_free(&limit);

	u.start_limit_burst = 5;
	u.start_limit_interval_ms = 0;
	assert_int_equal(start_limit_init(&limit, &u), 0);
	for (i = 0; i < 1000; i++)
		assert_true(start_limit_take(&limit, &u, 7));
	start_limit_free(&limit);
	/* Freeing twice is harmless. */
	start_limit_free(&limit);
	unit_free(&u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_lifecycle),
		cmocka_unit_test(test_release_only_when_ready),
		cmocka_unit_test(test_spawn_failure_backs_off),
		cmocka_unit_test(test_start_timeout),
		cmocka_unit_test(test_stop_timeout_kills),
		cmocka_unit_test(test_stop_without_process),
		cmocka_unit_test(test_end_without_process),
		cmocka_unit_test(test_running_exits),
		cmocka_unit_test(test_meaningless_events),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_table_invariants),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_up_and_ended),
		cmocka_unit_test(test_clean_exit_codes),
		cmocka_unit_test(test_ignore_failure_exit_codes),
		cmocka_unit_test(test_ignore_failure_signals),
		cmocka_unit_test(test_clean_signals_not_stopping),
		cmocka_unit_test(test_clean_signals_stopping),
		cmocka_unit_test(test_wants_restart),
		cmocka_unit_test(test_backoff_doubles),
		cmocka_unit_test(test_backoff_minute),
		cmocka_unit_test(test_backoff_no_growth),
		cmocka_unit_test(test_backoff_reset),
		cmocka_unit_test(test_start_limit_default),
		cmocka_unit_test(test_start_limit_burst_one),
		cmocka_unit_test(test_start_limit_off),
	};

	return cmocka_run_group_tests_name("service", tests, NULL, NULL);
}
