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
static char *no_env[] = { NULL };
static char **env = no_env;

/* Parses a NULL-terminated list of words, as main() would get them. */
static enum cli_outcome
parse(struct settings *settings, char **words)
{
	int argc = 0;

	while (words[argc] != NULL)
		argc++;
	return cli_parse(argc, words, env, settings, error, sizeof(error));
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
	assert_int_equal(s.stop_timeout_ms, -1);
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
			 "--stop-timeout", "8",
			 "--stop-signals", "HUP,SIGUSR1,15", "--", "app", "-v",
			 NULL };
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, argv), CLI_RUN);
	assert_true(s.group);
	assert_int_equal(s.verbosity, 3);
	assert_int_equal(s.grace_ms, 250);
	assert_int_equal(s.stop_timeout_ms, 8000);
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

static void
test_personas(void **state)
{
	(void)state;
	assert_int_equal(cli_persona("grace"), PERSONA_GRACE);
	assert_int_equal(cli_persona("/usr/bin/grace"), PERSONA_GRACE);
	assert_int_equal(cli_persona("/sbin/tini"), PERSONA_TINI);
	assert_int_equal(cli_persona("tini-static"), PERSONA_TINI);
	assert_int_equal(cli_persona("/usr/bin/docker-init"), PERSONA_TINI);
	assert_int_equal(cli_persona("dumb-init"), PERSONA_DUMB_INIT);
	assert_int_equal(cli_persona("/usr/libexec/podman/catatonit"),
			 PERSONA_CATATONIT);
	assert_int_equal(cli_persona("tinix"), PERSONA_GRACE);
}

/* dumb-init's default is a new session and group signals; -c undoes it. */
static void
test_dumb_init_defaults(void **state)
{
	char *plain[] = { "dumb-init", "app", NULL };
	char *single[] = { "/usr/bin/dumb-init", "-c", "app", NULL };
	char *grace[] = { "grace", "app", NULL };
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, plain), CLI_RUN);
	assert_true(s.new_session);
	assert_true(s.group);
	assert_int_equal(parse(&s, single), CLI_RUN);
	assert_false(s.new_session);
	assert_false(s.group);
	assert_int_equal(parse(&s, grace), CLI_RUN);
	assert_false(s.new_session);
	assert_false(s.group);
}

static void
test_tini_options(void **state)
{
	char *argv[] = { "tini", "-s", "-w", "-vvv", "-p", "SIGKILL", "-e",
			 "143", "-e", "0", "-g", "--", "app", NULL };
	char *bad_e[] = { "tini", "-e", "256", "app", NULL };
	char *bad_p[] = { "tini", "-p", "FOO", "app", NULL };
	char *license[] = { "tini", "-l", NULL };
	char *catatonit_license[] = { "catatonit", "-L", NULL };
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, argv), CLI_RUN);
	assert_true(s.warn_on_reap);
	assert_int_equal(s.verbosity, 3);
	assert_int_equal(s.parent_death_signal, SIGKILL);
	assert_true(s.exit_as_zero[143]);
	assert_true(s.exit_as_zero[0]);
	assert_false(s.exit_as_zero[1]);
	assert_true(s.group);
	assert_string_equal(s.command[0], "app");
	expect_error(bad_e, "invalid exit code for -e: '256'");
	expect_error(bad_p, "invalid signal for -p: 'FOO'");
	assert_int_equal(parse(&s, license), CLI_LICENSE);
	assert_int_equal(parse(&s, catatonit_license), CLI_LICENSE);
}

static void
test_rewrite(void **state)
{
	char *argv[] = { "dumb-init", "-r", "15:3", "--rewrite", "HUP:0",
			 "-r", "SIGUSR1:USR2", "app", NULL };
	char *bad[] = { "dumb-init", "-r", "15", "app", NULL };
	char *bad_to[] = { "dumb-init", "-r", "15:99", "app", NULL };
	char *bad_from[] = { "dumb-init", "-r", "KILL:15", "app", NULL };
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, argv), CLI_RUN);
	assert_int_equal(s.rewrite[SIGTERM], SIGQUIT);
	assert_int_equal(s.rewrite[SIGHUP], 0);
	assert_int_equal(s.rewrite[SIGUSR1], SIGUSR2);
	assert_int_equal(s.rewrite[SIGINT], SIGINT);
	expect_error(bad, "invalid rewrite: '15'");
	expect_error(bad_to, "invalid rewrite: '15:99'");
	expect_error(bad_from, "invalid rewrite: 'KILL:15'");
}

static void
test_pause(void **state)
{
	char *argv[] = { "catatonit", "-P", NULL };
	char *with_command[] = { "catatonit", "-P", "app", NULL };
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, argv), CLI_RUN);
	assert_true(s.pause);
	assert_null(s.command);
	expect_error(with_command, "pause mode takes no command");
}

static void
test_pidfile_and_wait_all(void **state)
{
	char *argv[] = { "grace", "--pidfile", "/run/app.pid", "--pidfile-wait",
			 "0.5", "--wait-all", "app", NULL };
	char *empty[] = { "grace", "--pidfile", "", "app", NULL };
	char *bad_wait[] = { "grace", "--pidfile-wait", "soon", "app", NULL };
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, argv), CLI_RUN);
	assert_string_equal(s.pidfile, "/run/app.pid");
	assert_int_equal(s.pidfile_wait_ms, 500);
	assert_true(s.wait_all);
	assert_true(s.group);
	expect_error(empty, "invalid --pidfile: empty");
	expect_error(bad_wait, "invalid --pidfile-wait: 'soon'");
	assert_int_equal(parse(&s, (char *[]){ "grace", "app", NULL }),
			 CLI_RUN);
	assert_null(s.pidfile);
	assert_int_equal(s.pidfile_wait_ms, 2000);
	assert_false(s.wait_all);
}

static void
test_environment(void **state)
{
	char *argv[] = { "grace", "app", NULL };
	char *verbose[] = { "grace", "-v", "app", NULL };
	char *tini_env[] = { "TINI_SUBREAPER=", "TINI_KILL_PROCESS_GROUP=1",
			     "TINI_VERBOSITY=3", NULL };
	char *dumb_env[] = { "DUMB_INIT_SETSID=1", "DUMB_INIT_DEBUG=1", NULL };
	char *dumb_off[] = { "DUMB_INIT_SETSID=0", NULL };
	char *bad_env[] = { "TINI_VERBOSITY=x", NULL };
	char *dumb[] = { "dumb-init", "app", NULL };
	struct settings s;

	(void)state;
	env = tini_env;
	assert_int_equal(parse(&s, argv), CLI_RUN);
	assert_true(s.group);
	assert_int_equal(s.verbosity, 2);
	/* Options come after variables. */
	assert_int_equal(parse(&s, verbose), CLI_RUN);
	assert_int_equal(s.verbosity, 3);
	env = dumb_env;
	assert_int_equal(parse(&s, argv), CLI_RUN);
	assert_true(s.new_session);
	assert_int_equal(s.verbosity, 2);
	env = dumb_off;
	assert_int_equal(parse(&s, dumb), CLI_RUN);
	assert_false(s.new_session);
	assert_false(s.group);
	env = bad_env;
	expect_error(argv, "invalid TINI_VERBOSITY: 'x'");
	env = no_env;
}

static void
test_log_options(void **state)
{
	char *argv[] = { "grace", "--log-format", "json", "--log-time",
			 "--log-buffer", "1M", "--log-main", "app", NULL };
	char *plain[] = { "grace", "--log-format", "plain", "app", NULL };
	char *json_env[] = { "GRACE_LOG_FORMAT=json", NULL };
	char *bad_env[] = { "GRACE_LOG_FORMAT=xml", NULL };
	struct settings s;
	long bytes;

	(void)state;
	assert_int_equal(parse(&s, (char *[]){ "grace", "app", NULL }),
			 CLI_RUN);
	assert_false(s.log_json);
	assert_false(s.log_time);
	assert_false(s.log_main);
	assert_int_equal(s.log_buffer, 65536);
	assert_int_equal(parse(&s, argv), CLI_RUN);
	assert_true(s.log_json);
	assert_true(s.log_time);
	assert_true(s.log_main);
	assert_int_equal(s.log_buffer, 1024 * 1024);
	/* The option wins over the variable. */
	env = json_env;
	assert_int_equal(parse(&s, (char *[]){ "grace", "app", NULL }),
			 CLI_RUN);
	assert_true(s.log_json);
	assert_int_equal(parse(&s, plain), CLI_RUN);
	assert_false(s.log_json);
	env = bad_env;
	expect_error((char *[]){ "grace", "app", NULL },
		     "invalid GRACE_LOG_FORMAT: 'xml' (want plain or json)");
	env = no_env;
	expect_error((char *[]){ "grace", "--log-format", "text", "app",
				 NULL },
		     "invalid --log-format: 'text' (want plain or json)");
	expect_error((char *[]){ "grace", "--log-buffer", "10", "app", NULL },
		     "invalid --log-buffer: '10' (want a size from 1K to "
		     "1024M, such as 65536 or 64K)");

	assert_int_equal(cli_parse_size("65536", &bytes), 0);
	assert_int_equal(bytes, 65536);
	assert_int_equal(cli_parse_size("64K", &bytes), 0);
	assert_int_equal(bytes, 65536);
	assert_int_equal(cli_parse_size("64KiB", &bytes), 0);
	assert_int_equal(bytes, 65536);
	assert_int_equal(cli_parse_size("2MB", &bytes), 0);
	assert_int_equal(bytes, 2 * 1024 * 1024);
	assert_int_equal(cli_parse_size("1024M", &bytes), 0);
	assert_int_equal(bytes, 1024L * 1024 * 1024);
	assert_int_equal(cli_parse_size("1025M", &bytes), -1);
	assert_int_equal(cli_parse_size("1023", &bytes), -1);
	assert_int_equal(cli_parse_size("1G", &bytes), -1);
	assert_int_equal(cli_parse_size("K", &bytes), -1);
	assert_int_equal(cli_parse_size("64Kx", &bytes), -1);
	assert_int_equal(cli_parse_size("99999999999999999999", &bytes), -1);
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
		cmocka_unit_test(test_personas),
		cmocka_unit_test(test_dumb_init_defaults),
		cmocka_unit_test(test_tini_options),
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_pidfile_and_wait_all),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_log_options),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
