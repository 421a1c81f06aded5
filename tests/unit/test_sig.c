// SPDX-License-Identifier: MIT
/* Unit tests of signal names and numbers (src/sig.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sig.h"

static void
test_names_to_numbers(void **state)
{
	(void)state;
	assert_int_equal(sig_from_name("TERM"), SIGTERM);
	assert_int_equal(sig_from_name("SIGTERM"), SIGTERM);
	assert_int_equal(sig_from_name("sigterm"), SIGTERM);
	assert_int_equal(sig_from_name("15"), SIGTERM);
	assert_int_equal(sig_from_name("WINCH"), SIGWINCH);
	assert_int_equal(sig_from_name("RTMIN"), SIGRTMIN);
	assert_int_equal(sig_from_name("SIGRTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(sig_from_name("RTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(sig_from_name("RTMAX"), SIGRTMAX);
	assert_int_equal(sig_from_name("64"), SIGRTMAX);
}

static void
test_bad_names(void **state)
{
	static const char *const bad[] = {
		"", "0", "65", "-1", "FOO", "SIG", "TERMX", "RTMIN-1",
		"RTMAX+1", "RTMIN+", "RTMIN+99", "32", "33", "1.5",
		"99999999999999999999",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sig_from_name(bad[i]), -1);
}

static void
test_numbers_to_names(void **state)
{
	char buf[SIG_NAME_MAX];

	(void)state;
	assert_string_equal(sig_name(SIGTERM, buf), "SIGTERM");
	assert_string_equal(sig_name(SIGRTMIN, buf), "SIGRTMIN");
	assert_string_equal(sig_name(SIGRTMIN + 2, buf), "SIGRTMIN+2");
	assert_string_equal(sig_name(99, buf), "signal 99");
}

static void
test_round_trip(void **state)
{
	char buf[SIG_NAME_MAX];
	int sig;

	(void)state;
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (sig_is_forwardable(sig))
			assert_int_equal(sig_from_name(sig_name(sig, buf)), sig);
}

static void
test_forwardable(void **state)
{
	(void)state;
	assert_true(sig_is_forwardable(SIGTERM));
	assert_true(sig_is_forwardable(SIGHUP));
	assert_true(sig_is_forwardable(SIGTSTP));
	assert_true(sig_is_forwardable(SIGCONT));
	assert_true(sig_is_forwardable(SIGRTMAX));
	assert_false(sig_is_forwardable(0));
	assert_false(sig_is_forwardable(SIGKILL));
	assert_false(sig_is_forwardable(SIGSTOP));
	assert_false(sig_is_forwardable(SIGCHLD));
	assert_false(sig_is_forwardable(SIGPIPE));
	assert_false(sig_is_forwardable(SIGSEGV));
	assert_false(sig_is_forwardable(SIGRTMAX + 1));
}

/* What sig_setup() blocks (and reads) is exactly the forwardable signals
 * and SIGCHLD. */
static void
test_setup_blocks_forwardable(void **state)
{
	struct sig_inherited inherited;
	sigset_t blocked, none;
	int fd, sig;

	(void)state;
	fd = sig_setup(&inherited);
	assert_true(fd >= 0);
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &blocked), 0);
	for (sig = 1; sig <= SIGRTMAX; sig++)
		assert_int_equal(sigismember(&blocked, sig) == 1,
				 sig_is_forwardable(sig) || sig == SIGCHLD);
	close(fd);
	assert_int_equal(sig_restore_for_child(&inherited), 0);
	sigemptyset(&none);
	assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &blocked), 0);
	assert_int_equal(sigismember(&blocked, SIGTERM), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_to_numbers),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_numbers_to_names),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_forwardable),
		cmocka_unit_test(test_setup_blocks_forwardable),
	};

	return cmocka_run_group_tests_name("sig", tests, NULL, NULL);
}
