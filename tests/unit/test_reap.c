// SPDX-License-Identifier: MIT
/* Unit tests of wait status -> exit code (src/reap.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "reap.h"

static void
test_exit_codes(void **state)
{
	int code;

	(void)state;
	for (code = 0; code < 256; code++)
		assert_int_equal(reap_exit_code(W_EXITCODE(code, 0)), code);
}

static void
test_signals(void **state)
{
	(void)state;
	assert_int_equal(reap_exit_code(W_EXITCODE(0, SIGKILL)), 137);
	assert_int_equal(reap_exit_code(W_EXITCODE(0, SIGTERM)), 143);
	assert_int_equal(reap_exit_code(W_EXITCODE(0, SIGINT)), 130);
	/* A core dump does not change the code. */
	assert_int_equal(reap_exit_code(W_EXITCODE(0, SIGSEGV) | 0x80), 139);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_signals),
	};

	return cmocka_run_group_tests_name("reap", tests, NULL, NULL);
}
