// SPDX-License-Identifier: MIT
/* Unit tests of the stop state machine (src/stop.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stop.h"

static void
expect_with(enum stop_phase phase, enum stop_event event,
	    struct stop_policy policy, enum stop_phase next, unsigned actions)
{
	struct stop_step step = stop_transition(phase, event, policy);

	assert_int_equal(step.next, next);
	assert_int_equal(step.actions, actions);
}

static void
expect(enum stop_phase phase, enum stop_event event, bool no_grace,
       enum stop_phase next, unsigned actions)
{
	struct stop_policy policy = { no_grace, false, false };
	struct stop_step step = stop_transition(phase, event, policy);

	assert_int_equal(step.next, next);
	assert_int_equal(step.actions, actions);
}

/* The usual stop: stop signal, main exits, the rest drain in time. */
static void
test_graceful_stop(void **state)
{
	(void)state;
	expect(STOP_RUNNING, STOP_EV_STOP_SIGNAL, false, STOP_ASKED, 0);
	expect(STOP_ASKED, STOP_EV_MAIN_EXITED, false, STOP_SERVICES,
	       STOP_ACT_STOP_SERVICES);
	expect(STOP_SERVICES, STOP_EV_SERVICES_STOPPED, false, STOP_DRAINING,
	       STOP_ACT_TERM_ALL | STOP_ACT_ARM_GRACE);
	expect(STOP_DRAINING, STOP_EV_NO_PROCESS, false, STOP_DONE,
	       STOP_ACT_EXIT);
}

/* While the services stop, level by level, nothing else moves the stop:
 * not a second stop signal, not a timer, not the grace period. */
static void
test_services_stop_first(void **state)
{
	enum stop_event event;

	(void)state;
	for (event = 0; event < STOP_NEVENTS; event++)
		if (event != STOP_EV_SERVICES_STOPPED)
			expect(STOP_SERVICES, event, false, STOP_SERVICES, 0);
	/* "Services stopped" means nothing before or after that phase. */
	expect(STOP_RUNNING, STOP_EV_SERVICES_STOPPED, false, STOP_RUNNING, 0);
	expect(STOP_DRAINING, STOP_EV_SERVICES_STOPPED, false, STOP_DRAINING,
	       0);
}

/* A batch job or a crash: the main process exits with no stop signal. */
static void
test_main_exits_on_its_own(void **state)
{
	(void)state;
	expect(STOP_RUNNING, STOP_EV_MAIN_EXITED, false, STOP_SERVICES,
	       STOP_ACT_STOP_SERVICES);
}

static void
test_grace_period_expires(void **state)
{
	(void)state;
	expect(STOP_DRAINING, STOP_EV_GRACE_EXPIRED, false, STOP_KILLING,
	       STOP_ACT_KILL_ALL);
	expect(STOP_KILLING, STOP_EV_GRACE_EXPIRED, false, STOP_KILLING, 0);
	expect(STOP_KILLING, STOP_EV_STOP_SIGNAL, false, STOP_KILLING, 0);
	expect(STOP_KILLING, STOP_EV_NO_PROCESS, false, STOP_DONE,
	       STOP_ACT_EXIT);
}

static void
test_no_grace_kills_at_once(void **state)
{
	(void)state;
	/* The services still stop as their units say. */
	expect(STOP_RUNNING, STOP_EV_MAIN_EXITED, true, STOP_SERVICES,
	       STOP_ACT_STOP_SERVICES);
	expect(STOP_SERVICES, STOP_EV_SERVICES_STOPPED, true, STOP_KILLING,
	       STOP_ACT_KILL_ALL);
	expect(STOP_DRAINING, STOP_EV_STOP_SIGNAL, true, STOP_DRAINING, 0);
}

/* grace exits only once no process is left, and only after the main
 * process has exited: no other event, in any phase, leads to an exit. */
static void
test_exit_only_when_no_process_left(void **state)
{
	struct stop_policy policy;
	enum stop_phase phase;
	enum stop_event event;
	struct stop_step step;
	int flags;

	(void)state;
	for (flags = 0; flags < 8; flags++) {
		policy = (struct stop_policy){ flags & 1, flags & 2, flags & 4 };
		for (phase = 0; phase < STOP_NPHASES; phase++)
			for (event = 0; event < STOP_NEVENTS; event++) {
				step = stop_transition(phase, event, policy);
				if (!(step.actions & STOP_ACT_EXIT))
					continue;
				assert_int_equal(event, STOP_EV_NO_PROCESS);
				assert_true(phase == STOP_DRAINING ||
					    phase == STOP_KILLING ||
					    phase == STOP_LINGERING);
			}
	}
}

/* While the main process runs, only its own exit changes anything. */
static void
test_main_running_ignores_timers_and_echild(void **state)
{
	(void)state;
	expect(STOP_RUNNING, STOP_EV_GRACE_EXPIRED, false, STOP_RUNNING, 0);
	expect(STOP_RUNNING, STOP_EV_NO_PROCESS, false, STOP_RUNNING, 0);
	expect(STOP_ASKED, STOP_EV_STOP_SIGNAL, false, STOP_ASKED, 0);
	expect(STOP_ASKED, STOP_EV_NO_PROCESS, false, STOP_ASKED, 0);
	expect(STOP_DONE, STOP_EV_MAIN_EXITED, false, STOP_DONE, 0);
}

/* --wait-all: the main process's exit lets the rest run on; a stop signal
 * or the last exit ends it. */
static void
test_wait_all(void **state)
{
	struct stop_policy wait_all = { false, true, false };
	struct stop_policy both = { true, true, false };

	(void)state;
	expect_with(STOP_RUNNING, STOP_EV_MAIN_EXITED, wait_all, STOP_LINGERING,
		    0);
	expect_with(STOP_LINGERING, STOP_EV_GRACE_EXPIRED, wait_all,
		    STOP_LINGERING, 0);
	expect_with(STOP_LINGERING, STOP_EV_NO_PROCESS, wait_all, STOP_DONE,
		    STOP_ACT_EXIT);
	expect_with(STOP_LINGERING, STOP_EV_STOP_SIGNAL, wait_all,
		    STOP_SERVICES, STOP_ACT_STOP_SERVICES);
	expect_with(STOP_SERVICES, STOP_EV_SERVICES_STOPPED, both,
		    STOP_KILLING, STOP_ACT_KILL_ALL);
	/* A stop asked before the main process exited goes on as usual. */
	expect_with(STOP_ASKED, STOP_EV_MAIN_EXITED, wait_all, STOP_SERVICES,
		    STOP_ACT_STOP_SERVICES);
}

/* --stop-timeout: a stop signal starts its timer; when it fires with the
 * main process still running, the main process gets SIGKILL. */
static void
test_stop_timeout(void **state)
{
	struct stop_policy timed = { false, false, true };

	(void)state;
	expect_with(STOP_RUNNING, STOP_EV_STOP_SIGNAL, timed, STOP_ASKED,
		    STOP_ACT_ARM_STOP_TIMEOUT);
	expect_with(STOP_ASKED, STOP_EV_STOP_SIGNAL, timed, STOP_ASKED, 0);
	expect_with(STOP_ASKED, STOP_EV_STOP_TIMEOUT, timed, STOP_ASKED,
		    STOP_ACT_KILL_MAIN);
	/* Fired after the main process had gone: nothing to do. */
	expect_with(STOP_DRAINING, STOP_EV_STOP_TIMEOUT, timed, STOP_DRAINING,
		    0);
	expect_with(STOP_KILLING, STOP_EV_STOP_TIMEOUT, timed, STOP_KILLING,
		    0);
}

static void
test_phase_names(void **state)
{
	enum stop_phase phase;

	(void)state;
	for (phase = 0; phase < STOP_NPHASES; phase++)
		assert_string_not_equal(stop_phase_name(phase), "unknown");
	assert_string_equal(stop_phase_name(STOP_NPHASES), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_graceful_stop),
		cmocka_unit_test(test_main_exits_on_its_own),
		cmocka_unit_test(test_grace_period_expires),
		cmocka_unit_test(test_services_stop_first),
		cmocka_unit_test(test_no_grace_kills_at_once),
		cmocka_unit_test(test_exit_only_when_no_process_left),
		cmocka_unit_test(test_main_running_ignores_timers_and_echild),
		cmocka_unit_test(test_wait_all),
		cmocka_unit_test(test_stop_timeout),
		cmocka_unit_test(test_phase_names),
	};

	return cmocka_run_group_tests_name("stop", tests, NULL, NULL);
}
