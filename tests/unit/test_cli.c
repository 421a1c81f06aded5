// SPDX-License-Identifier: MIT
/* Unit tests of the command line parser (src/cli.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"

static char error[256];

/* Parses a NULL-terminated list of words, as main() would get them. */
static enum cli_outcome
parse(struct settings *settings, char **words)
{
	int argc = 0;

	while (words[argc] != NULL)
		argc++;
	return cli_parse(argc, words, settings, error, sizeof(error));
}

static void
test_defaults(void **state)
{
	char *argv[] = { "grace", "app", NULL };
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, argv), CLI_RUN);
	assert_false(s.group);
	assert_int_equal(s.verbosity, 0);
	assert_int_equal(s.grace_ms, 5000);
	assert_int_equal(sigismember(&s.stop_signals, SIGTERM), 1);
	assert_int_equal(sigismember(&s.stop_signals, SIGINT), 1);
	assert_int_equal(sigismember(&s.stop_signals, SIGHUP), 0);
	assert_string_equal(s.command[0], "app");
	assert_null(s.command[1]);
}

static void
test_options(void **state)
{
	char *argv[] = { "grace", "-g", "-vv", "--verbose", "--grace", "0.25",
			 "--stop-signals", "HUP,SIGUSR1,15", "--", "app", "-v",
			 NULL };
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, argv), CLI_RUN);
	assert_true(s.group);
	assert_int_equal(s.verbosity, 3);
	assert_int_equal(s.grace_ms, 250);
	assert_int_equal(sigismember(&s.stop_signals, SIGHUP), 1);
	assert_int_equal(sigismember(&s.stop_signals, SIGUSR1), 1);
	assert_int_equal(sigismember(&s.stop_signals, SIGTERM), 1);
	assert_int_equal(sigismember(&s.stop_signals, SIGINT), 0);
	assert_string_equal(s.command[0], "app");
	assert_string_equal(s.command[1], "-v");
}

/* "grace ls -l" runs "ls -l": options end at the first non-option. */
static void
test_stops_at_first_non_option(void **state)
{
	char *argv[] = { "grace", "-v", "ls", "-l", "--grace", "x", NULL };
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, argv), CLI_RUN);
	assert_int_equal(s.verbosity, 1);
	assert_string_equal(s.command[0], "ls");
	assert_string_equal(s.command[1], "-l");
	assert_string_equal(s.command[2], "--grace");
	assert_int_equal(s.grace_ms, 5000);
}

static void
test_help_and_version(void **state)
{
	char *help[] = { "grace", "--help", "app", NULL };
	char *h[] = { "grace", "-h", NULL };
	char *version[] = { "grace", "-V", NULL };
	char *lversion[] = { "grace", "--version", NULL };
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, help), CLI_HELP);
	assert_int_equal(parse(&s, h), CLI_HELP);
	assert_int_equal(parse(&s, version), CLI_VERSION);
	assert_int_equal(parse(&s, lversion), CLI_VERSION);
}

static void
expect_error(char **argv, const char *message)
{
	struct settings s;

	assert_int_equal(parse(&s, argv), CLI_ERROR);
	assert_non_null(strstr(error, message));
	assert_null(strchr(error, '\n'));
}

static void
test_errors(void **state)
{
	char *none[] = { "grace", NULL };
	char *only_opts[] = { "grace", "-v", "--", NULL };
	char *unknown_long[] = { "grace", "--bogus", "app", NULL };
	char *unknown_short[] = { "grace", "-x", "app", NULL };
	char *no_value[] = { "grace", "--grace", NULL };
	char *bad_grace[] = { "grace", "--grace", "abc", "app", NULL };
	char *bad_signal[] = { "grace", "--stop-signals", "TERM,FOO", "app",
			       NULL };

	(void)state;
	expect_error(none, "no command given");
	expect_error(only_opts, "no command given");
	expect_error(unknown_long, "unrecognized option '--bogus'");
	expect_error(unknown_short, "unrecognized option '-x'");
	expect_error(no_value, "option '--grace' requires a value");
	expect_error(bad_grace, "invalid --grace: 'abc'");
	expect_error(bad_signal, "invalid stop signal: 'FOO'");
}

static void
test_seconds(void **state)
{
	static const struct {
		const char *text;
		long ms;
	} good[] = {
		{ "0", 0 },	  { "5", 5000 },    { "0.5", 500 },
		{ "1.25", 1250 }, { "2.001", 2001 }, { "007", 7000 },
		{ "86400", 86400000 },
	};
	static const char *const bad[] = {
		"", "-1", "+1", "abc", "1e3", "1e99", ".5", "5.", "1.0001",
		"86400.001", "86401", "99999999999999999999", " 1", "1 ", "0x10",
	};
	size_t i;
	long ms;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = -1;
		assert_int_equal(cli_parse_seconds(good[i].text, &ms), 0);
		assert_int_equal(ms, good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cli_parse_seconds(bad[i], &ms), -1);
}

static void
test_signal_lists(void **state)
{
	static const char *const bad[] = {
		"", ",", "TERM,", ",TERM", "FOO", "0", "65", "KILL", "STOP",
		"CHLD", "SEGV", "PIPE", "TERM,,INT", "-15",
	};
	sigset_t set;
	size_t i;

	(void)state;
	assert_int_equal(cli_parse_signal_list("QUIT", &set, error,
					       sizeof(error)), 0);
	assert_int_equal(sigismember(&set, SIGQUIT), 1);
	assert_int_equal(sigismember(&set, SIGTERM), 0);
	assert_int_equal(cli_parse_signal_list("rtmin+1,SIGWINCH", &set,
					       error, sizeof(error)), 0);
	assert_int_equal(sigismember(&set, SIGRTMIN + 1), 1);
	assert_int_equal(sigismember(&set, SIGWINCH), 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cli_parse_signal_list(bad[i], &set, error,
						       sizeof(error)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_stops_at_first_non_option),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_signal_lists),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
