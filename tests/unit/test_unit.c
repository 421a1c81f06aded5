// SPDX-License-Identifier: MIT
/* Unit tests of service specs (src/unit.c): unit files, Procfiles,
 * one-liners, time spans and command lines. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"

/* A [Service] with a command, for tests of the keys after it: the key
 * under test is on line 3. */
#define SERVICE "[Service]\nExecStart=/bin/app\n"

static char error[512];

/* Parses text as felix.service into unit, which the caller frees. */
static int
parse(struct unit *unit, const char *text)
{
	assert_int_equal(unit_init(unit, "felix", "felix.service"), 0);
	return unit_parse(unit, text, strlen(text), error, sizeof(error));
}

/* Parses text that must be good, into unit. */
static void
parse_ok(struct unit *unit, const char *text)
{
	int r = parse(unit, text);

	if (r != 0)
		fail_msg("unexpected error: %s", error);
}

/* Parses text that must fail with exactly message. */
static void
expect_error(const char *text, const char *message)
{
	struct unit unit;

	assert_int_equal(parse(&unit, text), -1);
	assert_string_equal(error, message);
	unit_free(&unit);
}

/* "NAME=value" entries, NULL-terminated, for unit_split_command(). */
static const char *
lookup_vars(const char *name, size_t len, void *ctx)
{
	const char *const *vars = ctx;

	for (; *vars != NULL; vars++)
		if (strncmp(*vars, name, len) == 0 && (*vars)[len] == '=')
			return *vars + len + 1;
	return NULL;
}

static const char *const test_vars[] = {
	"VAR=x y  z", "ONE=one", "EMPTY=", "Q='a b'", NULL,
};

static void
test_defaults(void **state)
{
	struct unit unit;
	int i;

	(void)state;
	assert_int_equal(unit_init(&unit, "felix", "felix.service"), 0);
	assert_string_equal(unit.name, "felix");
	assert_string_equal(unit.source, "felix.service");
	assert_int_equal(unit.type, UNIT_SIMPLE);
	assert_int_equal(unit.restart, UNIT_RESTART_NO);
	assert_int_equal(unit.restart_ms, 100);
	assert_int_equal(unit.restart_steps, 0);
	assert_int_equal(unit.restart_max_delay_ms, UNIT_INFINITY);
	assert_int_equal(unit.start_limit_burst, 5);
	assert_int_equal(unit.start_limit_interval_ms, 10000);
	assert_true(unit.essential);
	for (i = 0; i < 256; i++)
		assert_false(unit.success_code[i]);
	assert_int_equal(unit.success_signals, 0);
	assert_int_equal(unit.kill_signal, SIGTERM);
	assert_int_equal(unit.timeout_stop_ms, 10000);
	assert_int_equal(unit.kill_mode, UNIT_KILL_CONTROL_GROUP);
	assert_int_equal(unit.timeout_start_ms, 90000);
	assert_int_equal(unit.ready_fd, -1);
	assert_int_equal(unit.check, UNIT_CHECK_NONE);
	assert_int_equal(unit.check_interval_ms, 1000);
	assert_int_equal(unit.umask, -1);
	assert_false(unit.no_new_privs);
	assert_false(unit.has_nofile);
	assert_null(unit.exec_start.text);
	assert_int_equal(unit.exec_start.line, 0);
	assert_null(unit.user.text);
	assert_null(unit.description);
	assert_int_equal(unit.after.n, 0);
	unit_free(&unit);
	/* A second free is harmless. */
	unit_free(&unit);
	/* A name longer than a service name may be is cut. */
	assert_int_equal(unit_init(&unit, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				   "x"), 0);
	assert_int_equal(strlen(unit.name), UNIT_NAME_MAX);
	unit_free(&unit);
}

static void
test_minimal(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, "[Service]\nExecStart=/bin/app --flag \"a b\"\n");
	assert_string_equal(unit.exec_start.text, "/bin/app --flag \"a b\"");
	assert_int_equal(unit.exec_start.line, 2);
	assert_false(unit.exec_ignore_failure);
	assert_false(unit.exec_shell);
	assert_int_equal(unit.type, UNIT_SIMPLE);
	assert_string_equal(error, "");
	unit_free(&unit);
}

static void
test_syntax(void **state)
{
	struct unit unit;

	(void)state;
	/* Comments, blank lines, blanks around keys and values, CRLF. */
	parse_ok(&unit, "# a comment\n"
			"; another\n"
			"   # indented\n"
			"\n"
			"[Unit]\r\n"
			"  Description  =   a   felix   \r\n"
			"\t\n"
			"[Service]\n"
			"ExecStart = /bin/app\n");
	assert_string_equal(unit.description, "a   felix");
	assert_int_equal(unit.exec_start.line, 9);
	unit_free(&unit);

	/* A trailing backslash joins lines with a space; comment lines in
	 * between are skipped; the line is the one the key is on. */
	parse_ok(&unit, "[Service]\n"
			"ExecStart=/bin/app \\\n"
			"  --one\\\n"
			"# skipped\n"
			"   ; skipped too\n"
			"--two\n"
			"User=nobody\n");
	assert_string_equal(unit.exec_start.text, "/bin/app    --one --two");
	assert_int_equal(unit.exec_start.line, 2);
	assert_int_equal(unit.user.line, 7);
	unit_free(&unit);

	/* An escaped backslash at the end does not continue the line. */
	expect_error("[Service]\nExecStart=/bin/app a\\\\\nfoo\n",
		     "felix.service:3: 'foo' is not a Key=Value assignment");
	/* A continuation at the end of the file ends there. */
	parse_ok(&unit, "[Service]\nExecStart=/bin/app \\");
	assert_string_equal(unit.exec_start.text, "/bin/app");
	unit_free(&unit);
	/* A bad value in a continued line names the line it starts on. */
	expect_error("[Service]\nExecStart=/bin/app\nRestartSec=\\\n5 \\\nx\n",
		     "felix.service:3: invalid RestartSec= '5  x' (want a "
		     "time span such as 5s or 100ms)");
	/* No final newline. */
	parse_ok(&unit, "[Service]\nExecStart=/bin/app");
	unit_free(&unit);
}

static void
test_syntax_errors(void **state)
{
	struct unit unit;
	static const char nul[] = "[Service]\nExecStart=/bin/app\n\0x\n";

	(void)state;
	assert_int_equal(unit_init(&unit, "felix", "felix.service"), 0);
	assert_int_equal(unit_parse(&unit, nul, sizeof(nul) - 1, error,
				    sizeof(error)), -1);
	assert_string_equal(error, "felix.service:3: NUL byte in the file");
	unit_free(&unit);
	expect_error("ExecStart=/bin/app\n[Service]\n",
		     "felix.service:1: ExecStart= comes before any [Section]");
	expect_error("[Service]\nExecStart\n",
		     "felix.service:2: 'ExecStart' is not a Key=Value "
		     "assignment");
	expect_error("[Service]\n=x\n", "felix.service:2: no key before '='");
	expect_error("[Service\n",
		     "felix.service:1: invalid section header '[Service'");
	expect_error("\n[Timer]\nOnCalendar=daily\n",
		     "felix.service:2: unknown section [Timer]");
	expect_error(SERVICE "Foo=bar\n",
		     "felix.service:3: unknown key 'Foo' in [Service]");
	expect_error("[Unit]\nExecStart=/bin/app\n",
		     "felix.service:2: unknown key 'ExecStart' in [Unit]");
	expect_error(SERVICE "[Install]\nType=simple\n",
		     "felix.service:4: unknown key 'Type' in [Install]");
	/* Keys are case-sensitive, as in systemd. */
	expect_error(SERVICE "type=simple\n",
		     "felix.service:3: unknown key 'type' in [Service]");
}

static void
test_ignored(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, "[Unit]\nX-Owner=me\n"
			"[Service]\nExecStart=/bin/app\nX-Anything=1\n"
			"[X-Vendor]\nWhatever=2\n"
			"[Install]\nWantedBy=multi-user.target\n"
			"RequiredBy=a.target\nAlias=b.service\nAlso=c.socket\n"
			"DefaultInstance=x\n");
	assert_string_equal(unit.exec_start.text, "/bin/app");
	unit_free(&unit);
}

static void
test_unit_section(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, "[Unit]\n"
			"Description=The felix service\n"
			"After=db.service  cache\n"
			"After=queue@1.service\n"
			"Requires=db\n"
			"Wants=a b\n"
			"Wants=\n"
			"Wants=c.service\n"
			"StartLimitBurst=3\n"
			"StartLimitIntervalSec=1min\n"
			"[Service]\nExecStart=/bin/app\n");
	assert_string_equal(unit.description, "The felix service");
	assert_int_equal(unit.after.n, 3);
	assert_string_equal(unit.after.items[0].text, "db");
	assert_string_equal(unit.after.items[1].text, "cache");
	assert_string_equal(unit.after.items[2].text, "queue@1");
	assert_int_equal(unit.after.items[2].line, 4);
	assert_int_equal(unit.requires.n, 1);
	assert_string_equal(unit.requires.items[0].text, "db");
	assert_int_equal(unit.wants.n, 1);
	assert_string_equal(unit.wants.items[0].text, "c");
	assert_int_equal(unit.wants.items[0].line, 8);
	assert_int_equal(unit.start_limit_burst, 3);
	assert_int_equal(unit.start_limit_interval_ms, 60000);
	unit_free(&unit);

	/* The start limit in [Service], as older systemd had it; 0 and
	 * infinity switch the interval off. */
	parse_ok(&unit, SERVICE "StartLimitBurst=0\nStartLimitIntervalSec=0\n");
	assert_int_equal(unit.start_limit_burst, 0);
	assert_int_equal(unit.start_limit_interval_ms, 0);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "StartLimitIntervalSec=infinity\n"
				"StartLimitBurst=1000\n");
	assert_int_equal(unit.start_limit_interval_ms, 0);
	assert_int_equal(unit.start_limit_burst, UNIT_MAX_BURST);
	unit_free(&unit);

	expect_error("[Unit]\nAfter=db ../x\n",
		     "felix.service:2: invalid After= '../x' (want service "
		     "names such as web or web.service)");
	expect_error("[Unit]\nRequires=-x\n",
		     "felix.service:2: invalid Requires= '-x' (want service "
		     "names such as web or web.service)");
	expect_error("[Unit]\nWants=.service\n",
		     "felix.service:2: invalid Wants= '.service' (want "
		     "service names such as web or web.service)");
	expect_error(SERVICE "StartLimitBurst=1001\n",
		     "felix.service:3: invalid StartLimitBurst= '1001' (want a "
		     "number from 0 to 1000; 0 disables the limit)");
	expect_error("[Unit]\nStartLimitIntervalSec=soon\n",
		     "felix.service:2: invalid StartLimitIntervalSec= 'soon' "
		     "(want a time span such as 5s, 100ms or infinity)");
}

static void
test_type(void **state)
{
	static const struct {
		const char *text;
		enum unit_type type;
	} types[] = {
		{ SERVICE "Type=simple\n", UNIT_SIMPLE },
		{ SERVICE "Type=notify\n", UNIT_NOTIFY },
		{ SERVICE "Type=oneshot\n", UNIT_ONESHOT },
		{ SERVICE "Type=forking\nPIDFile=/run/a.pid\n", UNIT_FORKING },
	};
	struct unit unit;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		parse_ok(&unit, types[i].text);
		assert_int_equal(unit.type, types[i].type);
		unit_free(&unit);
	}
	expect_error(SERVICE "Type=exec\n",
		     "felix.service:3: invalid Type= 'exec' (grace accepts "
		     "simple, notify, oneshot or forking)");
	expect_error(SERVICE "Type=dbus\n",
		     "felix.service:3: invalid Type= 'dbus' (grace accepts "
		     "simple, notify, oneshot or forking)");
	assert_string_equal(unit_type_name(UNIT_NOTIFY), "notify");
	assert_string_equal(unit_type_name(UNIT_FORKING), "forking");
	assert_string_equal(unit_restart_name(UNIT_RESTART_ON_FAILURE),
			    "on-failure");
	assert_string_equal(unit_restart_name(UNIT_RESTART_ALWAYS), "always");
}

static void
test_exec_start(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, "[Service]\nExecStart=-/bin/app $OPTS ${HOME}/x\n");
	assert_string_equal(unit.exec_start.text, "/bin/app $OPTS ${HOME}/x");
	assert_true(unit.exec_ignore_failure);
	unit_free(&unit);
	/* An empty ExecStart= forgets the one before, as drop-ins do. */
	parse_ok(&unit, "[Service]\nExecStart=-/bin/old\nExecStart=\n"
			"ExecStart=/bin/new\n");
	assert_string_equal(unit.exec_start.text, "/bin/new");
	assert_int_equal(unit.exec_start.line, 4);
	assert_false(unit.exec_ignore_failure);
	unit_free(&unit);

	expect_error("[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n",
		     "felix.service:3: ExecStart= given twice: grace runs one "
		     "command per service");
	expect_error("[Service]\nExecStart=@/bin/a a0\n",
		     "felix.service:2: ExecStart= prefix @ is not supported");
	expect_error("[Service]\nExecStart=-:/bin/a\n",
		     "felix.service:2: ExecStart= prefix : is not supported");
	expect_error("[Service]\nExecStart=+/bin/a\n",
		     "felix.service:2: ExecStart= prefix + is not supported");
	expect_error("[Service]\nExecStart=!!/bin/a\n",
		     "felix.service:2: ExecStart= prefix ! is not supported");
	expect_error("[Service]\nUser=x\nExecStart=/bin/a \"b\n",
		     "felix.service:3: invalid ExecStart=: missing closing \" "
		     "quote");
	expect_error("[Service]\nExecStart=/bin/a %i\n",
		     "felix.service:2: invalid ExecStart=: unknown specifier "
		     "%i (write %% for a percent sign)");
	expect_error("[Service]\nExecStart=/bin/a ; /bin/b\n",
		     "felix.service:2: invalid ExecStart=: ';' separates "
		     "commands, and grace runs one per service (write \\; for "
		     "a semicolon)");
	expect_error("[Service]\nExecStart=-\n",
		     "felix.service:2: invalid ExecStart=: no command");
	expect_error("[Service]\nExecStart=$CMD\n",
		     "felix.service:2: invalid ExecStart=: no command");
	expect_error("[Unit]\nDescription=x\n",
		     "felix.service:2: no ExecStart=");
	expect_error("[Service]\nExecStart=/bin/a\nExecStart=\n# end\n",
		     "felix.service:3: no ExecStart=");
	expect_error("", "felix.service:1: no ExecStart=");
}

static void
test_pidfile(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, SERVICE "Type=forking\nPIDFile=/run/app.pid\n");
	assert_string_equal(unit.pidfile.text, "/run/app.pid");
	assert_int_equal(unit.pidfile.line, 4);
	unit_free(&unit);
	/* A relative path is under /run, as in systemd. */
	parse_ok(&unit, SERVICE "PIDFile=app/app.pid\nType=forking\n");
	assert_string_equal(unit.pidfile.text, "/run/app/app.pid");
	unit_free(&unit);
	expect_error(SERVICE "PIDFile=/run/app.pid\n",
		     "felix.service:3: PIDFile= applies to Type=forking only");
	expect_error(SERVICE "Type=forking\n",
		     "felix.service:3: Type=forking needs PIDFile= (grace "
		     "follows the daemon through its pidfile)");
	expect_error(SERVICE "Type=forking\nPIDFile=/a\nPIDFile=\n",
		     "felix.service:3: Type=forking needs PIDFile= (grace "
		     "follows the daemon through its pidfile)");
	/* Their readiness is their own: no other way besides. */
	expect_error(SERVICE "Type=forking\nPIDFile=/a\n"
			     "ReadyCheck=file:/tmp/x\n",
		     "felix.service:5: Type=forking is ready when its pidfile "
		     "names the daemon: no ReadyFd= or ReadyCheck=");
	expect_error(SERVICE "ReadyFd=3\nType=oneshot\n",
		     "felix.service:3: Type=oneshot is ready when it has run: "
		     "no ReadyFd= or ReadyCheck=");
}

static void
test_restart(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, SERVICE "Restart=on-failure\nRestartSec=2.5\n"
				"RestartSteps=10\nRestartMaxDelaySec=1min\n");
	assert_int_equal(unit.restart, UNIT_RESTART_ON_FAILURE);
	assert_int_equal(unit.restart_ms, 2500);
	assert_int_equal(unit.restart_steps, 10);
	assert_int_equal(unit.restart_max_delay_ms, 60000);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "Restart=always\nRestartMaxDelaySec=infinity\n"
				"Restart=no\nRestartSteps=1000\n");
	assert_int_equal(unit.restart, UNIT_RESTART_NO);
	assert_int_equal(unit.restart_max_delay_ms, UNIT_INFINITY);
	assert_int_equal(unit.restart_steps, 1000);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "Restart=always\n");
	assert_int_equal(unit.restart, UNIT_RESTART_ALWAYS);
	unit_free(&unit);
	/* Restart=no goes with a oneshot. */
	parse_ok(&unit, SERVICE "Type=oneshot\nRestart=no\n");
	unit_free(&unit);

	expect_error(SERVICE "Restart=on-success\n",
		     "felix.service:3: invalid Restart= 'on-success' (grace "
		     "accepts no, on-failure or always)");
	expect_error(SERVICE "Restart=on-abnormal\n",
		     "felix.service:3: invalid Restart= 'on-abnormal' (grace "
		     "accepts no, on-failure or always)");
	expect_error(SERVICE "Restart=on-abort\n",
		     "felix.service:3: invalid Restart= 'on-abort' (grace "
		     "accepts no, on-failure or always)");
	expect_error(SERVICE "Restart=on-watchdog\n",
		     "felix.service:3: invalid Restart= 'on-watchdog' (grace "
		     "accepts no, on-failure or always)");
	expect_error(SERVICE "RestartSec=abc\n",
		     "felix.service:3: invalid RestartSec= 'abc' (want a time "
		     "span such as 5s or 100ms)");
	expect_error(SERVICE "RestartSec=infinity\n",
		     "felix.service:3: invalid RestartSec= 'infinity' (want a "
		     "time span such as 5s or 100ms)");
	expect_error(SERVICE "RestartMaxDelaySec=-1\n",
		     "felix.service:3: invalid RestartMaxDelaySec= '-1' (want "
		     "a time span such as 5s, 100ms or infinity)");
	expect_error(SERVICE "RestartSteps=1001\n",
		     "felix.service:3: invalid RestartSteps= '1001' (want a "
		     "number from 0 to 1000)");
	expect_error(SERVICE "RestartSteps=-1\n",
		     "felix.service:3: invalid RestartSteps= '-1' (want a "
		     "number from 0 to 1000)");
	expect_error(SERVICE "Type=oneshot\nRestart=on-failure\n",
		     "felix.service:4: Restart= does not apply to "
		     "Type=oneshot");
}

static void
test_booleans(void **state)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t", "on",
					   "YES", "True", "On" };
	static const char *const no[] = { "0", "no", "n", "false", "f", "off",
					  "NO", "False", "OFF" };
	char text[128];
	struct unit unit;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(text, sizeof(text),
			 SERVICE "Essential=%s\nNoNewPrivileges=%s\n", no[i],
			 yes[i]);
		parse_ok(&unit, text);
		assert_false(unit.essential);
		assert_true(unit.no_new_privs);
		unit_free(&unit);
		snprintf(text, sizeof(text),
			 SERVICE "Essential=%s\nNoNewPrivileges=%s\n", yes[i],
			 no[i]);
		parse_ok(&unit, text);
		assert_true(unit.essential);
		assert_false(unit.no_new_privs);
		unit_free(&unit);
	}
	expect_error(SERVICE "Essential=maybe\n",
		     "felix.service:3: invalid Essential= 'maybe' (want yes "
		     "or no)");
	expect_error(SERVICE "NoNewPrivileges=\n",
		     "felix.service:3: invalid NoNewPrivileges= '' (want yes "
		     "or no)");
}

static void
test_success_exit_status(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, SERVICE "SuccessExitStatus=1 143 SIGKILL\n"
				"SuccessExitStatus=TERM 255 9\n");
	assert_true(unit.success_code[1]);
	assert_true(unit.success_code[143]);
	assert_true(unit.success_code[255]);
	assert_true(unit.success_code[9]);
	assert_false(unit.success_code[0]);
	assert_false(unit.success_code[2]);
	assert_int_equal(unit.success_signals,
			 (UINT64_C(1) << SIGKILL) | (UINT64_C(1) << SIGTERM));
	unit_free(&unit);
	parse_ok(&unit, SERVICE "SuccessExitStatus=1 SIGHUP\n"
				"SuccessExitStatus=\nSuccessExitStatus=2\n");
	assert_false(unit.success_code[1]);
	assert_true(unit.success_code[2]);
	assert_int_equal(unit.success_signals, 0);
	unit_free(&unit);
	expect_error(SERVICE "SuccessExitStatus=1 256\n",
		     "felix.service:3: invalid SuccessExitStatus= '256' (want "
		     "exit codes from 0 to 255 or signal names such as "
		     "SIGTERM)");
	expect_error(SERVICE "SuccessExitStatus=SIGFOO\n",
		     "felix.service:3: invalid SuccessExitStatus= 'SIGFOO' "
		     "(want exit codes from 0 to 255 or signal names such as "
		     "SIGTERM)");
	expect_error(SERVICE "SuccessExitStatus=RTMAX\n",
		     "felix.service:3: invalid SuccessExitStatus= 'RTMAX' "
		     "(want exit codes from 0 to 255 or signal names such as "
		     "SIGTERM)");
}

static void
test_kill(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, SERVICE "KillSignal=SIGINT\nKillMode=mixed\n");
	assert_int_equal(unit.kill_signal, SIGINT);
	assert_int_equal(unit.kill_mode, UNIT_KILL_MIXED);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "KillSignal=9\nKillMode=process\n");
	assert_int_equal(unit.kill_signal, SIGKILL);
	assert_int_equal(unit.kill_mode, UNIT_KILL_PROCESS);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "KillSignal=RTMIN+1\nKillMode=mixed\n"
				"KillMode=control-group\n");
	assert_int_equal(unit.kill_signal, SIGRTMIN + 1);
	assert_int_equal(unit.kill_mode, UNIT_KILL_CONTROL_GROUP);
	unit_free(&unit);
	expect_error(SERVICE "KillSignal=SIGFOO\n",
		     "felix.service:3: invalid KillSignal= 'SIGFOO' (want a "
		     "signal such as SIGTERM or 15)");
	expect_error(SERVICE "KillSignal=0\n",
		     "felix.service:3: invalid KillSignal= '0' (want a signal "
		     "such as SIGTERM or 15)");
	expect_error(SERVICE "KillMode=none\n",
		     "felix.service:3: invalid KillMode= 'none' (grace accepts "
		     "control-group, mixed or process)");
}

static void
test_standard_output(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, SERVICE);
	assert_false(unit.output_inherit);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "StandardOutput=inherit\n");
	assert_true(unit.output_inherit);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "StandardOutput=inherit\n"
				"StandardOutput=journal\n");
	assert_false(unit.output_inherit);
	unit_free(&unit);
	expect_error(SERVICE "StandardOutput=tty\n",
		     "felix.service:3: invalid StandardOutput= 'tty' (grace "
		     "accepts journal (its labelled log) or inherit)");
}

static void
test_timeouts(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, SERVICE "TimeoutStopSec=5\nTimeoutStartSec=infinity\n");
	assert_int_equal(unit.timeout_stop_ms, 5000);
	assert_int_equal(unit.timeout_start_ms, UNIT_INFINITY);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "TimeoutSec=30s\n");
	assert_int_equal(unit.timeout_stop_ms, 30000);
	assert_int_equal(unit.timeout_start_ms, 30000);
	unit_free(&unit);
	/* 0 means no timeout, as in systemd. */
	parse_ok(&unit, SERVICE "TimeoutStopSec=0\nTimeoutStartSec=2min\n");
	assert_int_equal(unit.timeout_stop_ms, UNIT_INFINITY);
	assert_int_equal(unit.timeout_start_ms, 120000);
	unit_free(&unit);
	expect_error(SERVICE "TimeoutStopSec=5 parsecs\n",
		     "felix.service:3: invalid TimeoutStopSec= '5 parsecs' "
		     "(want a time span such as 5s, 100ms or infinity)");
	expect_error(SERVICE "TimeoutStartSec=\n",
		     "felix.service:3: invalid TimeoutStartSec= '' (want a "
		     "time span such as 5s, 100ms or infinity)");
	expect_error(SERVICE "TimeoutSec=400d\n",
		     "felix.service:3: invalid TimeoutSec= '400d' (want a "
		     "time span such as 5s, 100ms or infinity)");
}

static void
test_ready_fd(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, SERVICE "ReadyFd=3\n");
	assert_int_equal(unit.ready_fd, 3);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "ReadyFd=1023\nReadyFd=\n");
	assert_int_equal(unit.ready_fd, -1);
	unit_free(&unit);
	expect_error(SERVICE "ReadyFd=2\n",
		     "felix.service:3: invalid ReadyFd= '2' (want a descriptor "
		     "from 3 to 1023)");
	expect_error(SERVICE "ReadyFd=1024\n",
		     "felix.service:3: invalid ReadyFd= '1024' (want a "
		     "descriptor from 3 to 1023)");
	expect_error(SERVICE "ReadyFd=x\n",
		     "felix.service:3: invalid ReadyFd= 'x' (want a descriptor "
		     "from 3 to 1023)");
	expect_error(SERVICE "ReadyFd=3\nType=notify\n",
		     "felix.service:3: ReadyFd= and Type=notify: one readiness "
		     "way per service");
	expect_error(SERVICE "ReadyCheck=file:/run/ok\nReadyFd=4\n",
		     "felix.service:4: ReadyFd= and ReadyCheck=: one readiness "
		     "way per service");
	expect_error(SERVICE "ReadyCheck=file:/run/ok\nType=notify\n",
		     "felix.service:3: ReadyCheck= and Type=notify: one "
		     "readiness way per service");
}

static void
test_ready_check(void **state)
{
	static const struct {
		const char *value;
		enum unit_check check;
		const char *target;
	} good[] = {
		{ "tcp:127.0.0.1:8080", UNIT_CHECK_TCP, "127.0.0.1:8080" },
		{ "tcp:[::1]:80", UNIT_CHECK_TCP, "[::1]:80" },
		{ "tcp:[2001:db8::5]:65535", UNIT_CHECK_TCP,
		  "[2001:db8::5]:65535" },
		{ "tcp:localhost:5432", UNIT_CHECK_TCP, "localhost:5432" },
		{ "file:/run/app/ready", UNIT_CHECK_FILE, "/run/app/ready" },
		{ "exec:/bin/check --url \"http://x/ y\"", UNIT_CHECK_EXEC,
		  "/bin/check --url \"http://x/ y\"" },
	};
	static const char *const bad[] = {
		"tcp:example.com:80", "tcp:127.0.0.1:0", "tcp:127.0.0.1:65536",
		"tcp:::1:80", "tcp:[::1]", "tcp:[::1:80", "tcp:1.2.3.4",
		"tcp::80", "tcp:localhost:80:1", "tcp:[127.0.0.1]:80",
	};
	char text[256], message[256];
	struct unit unit;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text),
			 SERVICE "ReadyCheck=%s\nReadyCheckIntervalSec=250ms\n",
			 good[i].value);
		parse_ok(&unit, text);
		assert_int_equal(unit.check, good[i].check);
		assert_string_equal(unit.check_target.text, good[i].target);
		assert_int_equal(unit.check_target.line, 3);
		assert_int_equal(unit.check_interval_ms, 250);
		unit_free(&unit);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), SERVICE "ReadyCheck=%s\n", bad[i]);
		snprintf(message, sizeof(message),
			 "felix.service:3: invalid ReadyCheck= '%s' (want "
			 "tcp:HOST:PORT, HOST an IP address, [IPv6] or "
			 "localhost)", bad[i]);
		expect_error(text, message);
	}
	parse_ok(&unit, SERVICE "ReadyCheck=file:/a\nReadyCheck=\n");
	assert_int_equal(unit.check, UNIT_CHECK_NONE);
	assert_null(unit.check_target.text);
	unit_free(&unit);
	expect_error(SERVICE "ReadyCheck=file:run/ok\n",
		     "felix.service:3: invalid ReadyCheck= 'file:run/ok' (want "
		     "file:/ABSOLUTE/PATH)");
	expect_error(SERVICE "ReadyCheck=exec:/bin/check 'x\n",
		     "felix.service:3: invalid ReadyCheck= exec: missing "
		     "closing ' quote");
	expect_error(SERVICE "ReadyCheck=exec:\n",
		     "felix.service:3: invalid ReadyCheck= exec: no command");
	expect_error(SERVICE "ReadyCheck=http://localhost/\n",
		     "felix.service:3: invalid ReadyCheck= 'http://localhost/' "
		     "(want tcp:HOST:PORT, file:PATH or exec:COMMAND)");
	expect_error(SERVICE "ReadyCheckIntervalSec=0\n",
		     "felix.service:3: invalid ReadyCheckIntervalSec= '0' "
		     "(want a time span above 0 such as 1s or 500ms)");
	expect_error(SERVICE "ReadyCheckIntervalSec=infinity\n",
		     "felix.service:3: invalid ReadyCheckIntervalSec= "
		     "'infinity' (want a time span above 0 such as 1s or "
		     "500ms)");
}

static void
test_user_and_directory(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, SERVICE "User=www-data\nGroup=1000\n"
				"WorkingDirectory=-/srv/app\n");
	assert_string_equal(unit.user.text, "www-data");
	assert_int_equal(unit.user.line, 3);
	assert_string_equal(unit.group.text, "1000");
	assert_int_equal(unit.group.line, 4);
	assert_string_equal(unit.working_dir.text, "/srv/app");
	assert_int_equal(unit.working_dir.line, 5);
	assert_true(unit.working_dir_optional);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "WorkingDirectory=-/x\nWorkingDirectory=~\n");
	assert_string_equal(unit.working_dir.text, "~");
	assert_false(unit.working_dir_optional);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "WorkingDirectory=/x\nWorkingDirectory=\n");
	assert_null(unit.working_dir.text);
	unit_free(&unit);
	expect_error(SERVICE "User=\n",
		     "felix.service:3: invalid User= '' (want a name or a "
		     "number)");
	expect_error(SERVICE "Group=\n",
		     "felix.service:3: invalid Group= '' (want a name or a "
		     "number)");
	expect_error(SERVICE "WorkingDirectory=srv\n",
		     "felix.service:3: invalid WorkingDirectory= 'srv' (want "
		     "an absolute path or ~)");
	expect_error(SERVICE "WorkingDirectory=-~/x\n",
		     "felix.service:3: invalid WorkingDirectory= '-~/x' (want "
		     "an absolute path or ~)");
}

static void
test_environment(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, SERVICE
		 "Environment=\"VAR1=word1 word2\" VAR2=word3 "
		 "\"VAR3=$word 5 6\"\n"
		 "Environment='P=100%' E= T=a\\tb\n");
	assert_int_equal(unit.environment.n, 6);
	assert_string_equal(unit.environment.items[0].text,
			    "VAR1=word1 word2");
	assert_string_equal(unit.environment.items[1].text, "VAR2=word3");
	assert_string_equal(unit.environment.items[2].text, "VAR3=$word 5 6");
	assert_string_equal(unit.environment.items[3].text, "P=100%");
	assert_string_equal(unit.environment.items[4].text, "E=");
	assert_string_equal(unit.environment.items[5].text, "T=a\tb");
	assert_int_equal(unit.environment.items[0].line, 3);
	assert_int_equal(unit.environment.items[5].line, 4);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "Environment=A=1\nEnvironment=\n"
				"Environment=_B=$$ C=${X}\n");
	assert_int_equal(unit.environment.n, 2);
	assert_string_equal(unit.environment.items[0].text, "_B=$$");
	assert_string_equal(unit.environment.items[1].text, "C=${X}");
	unit_free(&unit);
	expect_error(SERVICE "Environment=A=1 1B=2\n",
		     "felix.service:3: invalid Environment= '1B=2' (want "
		     "KEY=VALUE, KEY of letters, digits and _)");
	expect_error(SERVICE "Environment=NOVALUE\n",
		     "felix.service:3: invalid Environment= 'NOVALUE' (want "
		     "KEY=VALUE, KEY of letters, digits and _)");
	expect_error(SERVICE "Environment==x\n",
		     "felix.service:3: invalid Environment= '=x' (want "
		     "KEY=VALUE, KEY of letters, digits and _)");
	expect_error(SERVICE "Environment=\"A=1\n",
		     "felix.service:3: invalid Environment=: missing "
		     "closing \" quote");
}

static void
test_environment_file(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, SERVICE "EnvironmentFile=/etc/default/app\n"
				"EnvironmentFile=-/etc/app.env\n");
	assert_int_equal(unit.environment_files.n, 2);
	assert_string_equal(unit.environment_files.items[0].text,
			    "/etc/default/app");
	assert_string_equal(unit.environment_files.items[1].text,
			    "-/etc/app.env");
	assert_int_equal(unit.environment_files.items[1].line, 4);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "EnvironmentFile=/a\nEnvironmentFile=\n");
	assert_int_equal(unit.environment_files.n, 0);
	unit_free(&unit);
	expect_error(SERVICE "EnvironmentFile=app.env\n",
		     "felix.service:3: invalid EnvironmentFile= 'app.env' "
		     "(want an absolute path, maybe after '-')");
	expect_error(SERVICE "EnvironmentFile=-app.env\n",
		     "felix.service:3: invalid EnvironmentFile= '-app.env' "
		     "(want an absolute path, maybe after '-')");
}

static void
test_umask_and_limits(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit, SERVICE "UMask=0022\nLimitNOFILE=1024\n");
	assert_int_equal(unit.umask, 022);
	assert_true(unit.has_nofile);
	assert_int_equal(unit.nofile.rlim_cur, 1024);
	assert_int_equal(unit.nofile.rlim_max, 1024);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "UMask=777\nLimitNOFILE=1024:65536\n");
	assert_int_equal(unit.umask, 0777);
	assert_int_equal(unit.nofile.rlim_cur, 1024);
	assert_int_equal(unit.nofile.rlim_max, 65536);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "UMask=0\nLimitNOFILE=infinity\n");
	assert_int_equal(unit.umask, 0);
	assert_true(unit.nofile.rlim_cur == RLIM_INFINITY);
	assert_true(unit.nofile.rlim_max == RLIM_INFINITY);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "LimitNOFILE=4096:infinity\n");
	assert_int_equal(unit.nofile.rlim_cur, 4096);
	assert_true(unit.nofile.rlim_max == RLIM_INFINITY);
	unit_free(&unit);
	parse_ok(&unit, SERVICE "LimitNOFILE=4096\nLimitNOFILE=\n");
	assert_false(unit.has_nofile);
	unit_free(&unit);
	expect_error(SERVICE "UMask=0800\n",
		     "felix.service:3: invalid UMask= '0800' (want octal from "
		     "0 to 0777)");
	expect_error(SERVICE "UMask=1000\n",
		     "felix.service:3: invalid UMask= '1000' (want octal from "
		     "0 to 0777)");
	expect_error(SERVICE "UMask=\n",
		     "felix.service:3: invalid UMask= '' (want octal from 0 to "
		     "0777)");
	expect_error(SERVICE "LimitNOFILE=4096:1024\n",
		     "felix.service:3: invalid LimitNOFILE= '4096:1024' (want "
		     "N, SOFT:HARD with SOFT <= HARD, or infinity)");
	expect_error(SERVICE "LimitNOFILE=infinity:1024\n",
		     "felix.service:3: invalid LimitNOFILE= 'infinity:1024' "
		     "(want N, SOFT:HARD with SOFT <= HARD, or infinity)");
	expect_error(SERVICE "LimitNOFILE=1k\n",
		     "felix.service:3: invalid LimitNOFILE= '1k' (want N, "
		     "SOFT:HARD with SOFT <= HARD, or infinity)");
	expect_error(SERVICE "LimitNOFILE=99999999999999999999999\n",
		     "felix.service:3: invalid LimitNOFILE= "
		     "'99999999999999999999999' (want N, SOFT:HARD with SOFT "
		     "<= HARD, or infinity)");
	expect_error(SERVICE "LimitNOFILE=:5\n",
		     "felix.service:3: invalid LimitNOFILE= ':5' (want N, "
		     "SOFT:HARD with SOFT <= HARD, or infinity)");
}

/* A whole unit as one might copy it from a systemd host. */
static void
test_full_unit(void **state)
{
	struct unit unit;

	(void)state;
	parse_ok(&unit,
		 "[Unit]\n"
		 "Description=Web front\n"
		 "After=db.service\n"
		 "Requires=db.service\n"
		 "\n"
		 "[Service]\n"
		 "Type=notify\n"
		 "ExecStart=/usr/bin/web --listen 0.0.0.0:80 \\\n"
		 "          --workers 4\n"
		 "Restart=on-failure\n"
		 "RestartSec=1s\n"
		 "TimeoutStopSec=20\n"
		 "KillSignal=SIGQUIT\n"
		 "User=web\n"
		 "Environment=MODE=prod\n"
		 "\n"
		 "[Install]\n"
		 "WantedBy=multi-user.target\n");
	assert_string_equal(unit.name, "felix");
	assert_int_equal(unit.type, UNIT_NOTIFY);
	assert_string_equal(unit.exec_start.text,
			    "/usr/bin/web --listen 0.0.0.0:80  "
			    "          --workers 4");
	assert_int_equal(unit.exec_start.line, 8);
	assert_int_equal(unit.restart, UNIT_RESTART_ON_FAILURE);
	assert_int_equal(unit.restart_ms, 1000);
	assert_int_equal(unit.timeout_stop_ms, 20000);
	assert_int_equal(unit.kill_signal, SIGQUIT);
	unit_free(&unit);
}

static void
test_valid_name(void **state)
{
	(void)state;
	assert_true(unit_valid_name("web"));
	assert_true(unit_valid_name("web-1_a.b@c:d"));
	assert_true(unit_valid_name("9"));
	assert_false(unit_valid_name(""));
	assert_false(unit_valid_name(".hidden"));
	assert_false(unit_valid_name("-x"));
	assert_false(unit_valid_name("a b"));
	assert_false(unit_valid_name("a/b"));
	assert_false(unit_valid_name("a%i"));
	assert_true(unit_valid_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				    "aaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_false(unit_valid_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				     "aaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void
test_oneliner(void **state)
{
	static const struct {
		const char *text, *message;
	} bad[] = {
		{ "web", "invalid --service 'web': want NAME=COMMAND" },
		{ "=/bin/x", "invalid --service '=/bin/x': want NAME=COMMAND" },
		{ "we b=/bin/x", "invalid --service 'we b=/bin/x': 'we b' is "
				 "not a service name (letters, digits and "
				 "_.@:-)" },
		{ "-w=/bin/x", "invalid --service '-w=/bin/x': '-w' is not a "
			       "service name (letters, digits and _.@:-)" },
		{ "web=", "invalid --service 'web=': no command" },
		{ "web=  ", "invalid --service 'web=  ': no command" },
		{ "web=/bin/x \"y", "invalid --service 'web=/bin/x \"y': "
				    "missing closing \" quote" },
	};
	char long_name[UNIT_NAME_MAX + 8];
	struct unit unit;
	size_t i;

	(void)state;
	assert_int_equal(unit_parse_oneliner(&unit, "web=/bin/server --port "
						    "80 --name=a=b", error,
					     sizeof(error)), 0);
	assert_string_equal(unit.name, "web");
	assert_string_equal(unit.source, "--service");
	assert_string_equal(unit.exec_start.text,
			    "/bin/server --port 80 --name=a=b");
	assert_int_equal(unit.exec_start.line, 0);
	assert_int_equal(unit.type, UNIT_SIMPLE);
	assert_int_equal(unit.restart, UNIT_RESTART_NO);
	assert_true(unit.essential);
	assert_false(unit.exec_shell);
	unit_free(&unit);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(unit_parse_oneliner(&unit, bad[i].text, error,
						     sizeof(error)), -1);
		assert_string_equal(error, bad[i].message);
		unit_free(&unit);
	}
	memset(long_name, 'a', UNIT_NAME_MAX + 1);
	strcpy(long_name + UNIT_NAME_MAX + 1, "=x");
	assert_int_equal(unit_parse_oneliner(&unit, long_name, error,
					     sizeof(error)), -1);
	assert_non_null(strstr(error, "the name is longer than 64"));
	unit_free(&unit);
}

/* Parses a Procfile into a fresh array; the caller frees it. */
static int
parse_procfile(const char *text, struct unit **units, size_t *n)
{
	*units = NULL;
	*n = 0;
	return unit_parse_procfile("Procfile", text, strlen(text), units, n,
				   error, sizeof(error));
}

static void
free_units(struct unit *units, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		unit_free(&units[i]);
	free(units);
}

static void
test_procfile(void **state)
{
	struct unit *units;
	size_t n;

	(void)state;
	assert_int_equal(parse_procfile("# the app\n"
					"web: bundle exec puma -p $PORT\r\n"
					"\n"
					"   # indented comment\n"
					"worker:   bin/work --queue \"a b\"  \n"
					"clock_2-x:sleep 1\n",
					&units, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(units[0].name, "web");
	assert_string_equal(units[0].exec_start.text,
			    "bundle exec puma -p $PORT");
	assert_int_equal(units[0].exec_start.line, 2);
	assert_int_equal(units[0].line, 2);
	assert_string_equal(units[0].source, "Procfile");
	assert_true(units[0].exec_shell);
	assert_true(units[0].essential);
	assert_int_equal(units[0].restart, UNIT_RESTART_NO);
	assert_int_equal(units[0].type, UNIT_SIMPLE);
	assert_string_equal(units[1].name, "worker");
	assert_string_equal(units[1].exec_start.text,
			    "bin/work --queue \"a b\"");
	assert_int_equal(units[1].line, 5);
	assert_string_equal(units[2].name, "clock_2-x");
	assert_string_equal(units[2].exec_start.text, "sleep 1");
	free_units(units, n);
}

static void
test_procfile_errors(void **state)
{
	static const struct {
		const char *text, *message;
		size_t kept;
	} bad[] = {
		{ "web: a\nthis is not it\n",
		  "Procfile:2: not a Procfile entry (want NAME: COMMAND)", 1 },
		{ "  web: a\n",
		  "Procfile:1: not a Procfile entry (want NAME: COMMAND)", 0 },
		{ "web:\n",
		  "Procfile:1: not a Procfile entry (want NAME: COMMAND)", 0 },
		{ "web.1: a\n",
		  "Procfile:1: not a Procfile entry (want NAME: COMMAND)", 0 },
		{ "web: a\n\nworker: b\nweb: c\n",
		  "Procfile:4: duplicate entry 'web' (first on line 1)", 2 },
		{ "-web: a\n",
		  "Procfile:1: invalid name '-web' (at most 64 of letters, "
		  "digits, _ and -, not first)", 0 },
		{ "", "Procfile: no entries", 0 },
		{ "# only\n\n   \n", "Procfile: no entries", 0 },
	};
	static const char nul[] = "web: a\nwor\0ker: b\n";
	struct unit *units;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_procfile(bad[i].text, &units, &n), -1);
		assert_string_equal(error, bad[i].message);
		assert_int_equal(n, bad[i].kept);
		free_units(units, n);
	}
	units = NULL;
	n = 0;
	assert_int_equal(unit_parse_procfile("Procfile", nul, sizeof(nul) - 1,
					     &units, &n, error,
					     sizeof(error)), -1);
	assert_string_equal(error, "Procfile:2: NUL byte in the file");
	free_units(units, n);
}

/* Entries are appended after units from elsewhere; a name only clashes
 * within the file. */
static void
test_procfile_appends(void **state)
{
	struct unit *units = calloc(1, sizeof(*units));
	size_t n = 1;

	(void)state;
	assert_non_null(units);
	assert_int_equal(unit_init(&units[0], "web", "web.service"), 0);
	assert_int_equal(unit_parse_procfile("P", "web: a\nb: c", 11, &units,
					     &n, error, sizeof(error)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(units[0].source, "web.service");
	assert_string_equal(units[1].source, "P");
	assert_string_equal(units[2].exec_start.text, "c");
	free_units(units, n);
}

static void
test_durations(void **state)
{
	static const struct {
		const char *text;
		long long ms;
	} good[] = {
		{ "0", 0 },
		{ "5", 5000 },
		{ "1.5", 1500 },
		{ ".5", 500 },
		{ "5.", 5000 },
		{ "100ms", 100 },
		{ "100msec", 100 },
		{ "1us", 1 },
		{ "1usec", 1 },
		{ "1001us", 2 },
		{ "999us", 1 },
		{ "1.5ms", 2 },
		{ "30s", 30000 },
		{ "30sec", 30000 },
		{ "1second", 1000 },
		{ "2seconds", 2000 },
		{ "2m", 120000 },
		{ "2min", 120000 },
		{ "1minute", 60000 },
		{ "3minutes", 180000 },
		{ "1h", 3600000 },
		{ "1hr", 3600000 },
		{ "1hour", 3600000 },
		{ "2hours", 7200000 },
		{ "1.5h", 5400000 },
		{ "1d", 86400000 },
		{ "1day", 86400000 },
		{ "2days", 172800000 },
		{ "1w", 604800000 },
		{ "1week", 604800000 },
		{ "2weeks", 1209600000 },
		{ "1min 30s", 90000 },
		{ "1min30s", 90000 },
		{ "1h 2m 3s 4ms", 3723004 },
		{ "5 s", 5000 },
		{ "  2s  ", 2000 },
		{ "1min 30", 90000 },
		{ "0.0001", 1 },
		{ "365d", 31536000000LL },
		{ "52w 1d", 31536000000LL },
		{ "infinity", UNIT_INFINITY },
		{ " infinity ", UNIT_INFINITY },
	};
	static const char *const bad[] = {
		"", "   ", "-1", "-5s", "s", "5x", "5 parsecs", "1.5.3", "5-",
		"1min,30s", "infinity5", "5 infinity", "365d 1ms", "366d",
		"53w", "99999999999999999999", "1e3", ".", "5ss", "5S",
		"+5", "0x10",
	};
	long long ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = -2;
		if (unit_parse_duration(good[i].text, &ms) != 0)
			fail_msg("'%s' does not parse", good[i].text);
		if (ms != good[i].ms)
			fail_msg("'%s' is %lld ms, not %lld", good[i].text, ms,
				 good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (unit_parse_duration(bad[i], &ms) != -1)
			fail_msg("'%s' parses as %lld", bad[i], ms);
}

/* Splits text with test_vars; the words must be exactly want (ending with
 * NULL). */
static void
expect_words(const char *text, const char *const *want)
{
	char **argv;
	size_t i;

	if (unit_split_command(text, lookup_vars, (void *)test_vars, &argv,
			       error, sizeof(error)) != 0)
		fail_msg("'%s' does not split: %s", text, error);
	for (i = 0; want[i] != NULL; i++) {
		if (argv[i] == NULL)
			fail_msg("'%s': only %zu words", text, i);
		if (strcmp(argv[i], want[i]) != 0)
			fail_msg("'%s': word %zu is '%s', not '%s'", text, i,
				 argv[i], want[i]);
	}
	if (argv[i] != NULL)
		fail_msg("'%s': extra word '%s'", text, argv[i]);
	unit_free_argv(argv);
}

static void
expect_split_error(const char *text, const char *message)
{
	char **argv = (char **)&argv;

	assert_int_equal(unit_split_command(text, lookup_vars,
					    (void *)test_vars, &argv, error,
					    sizeof(error)), -1);
	assert_null(argv);
	assert_string_equal(error, message);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void
test_split_quotes(void **state)
{
	(void)state;
	expect_words("a b\t c  ", WORDS("a", "b", "c"));
	expect_words("/bin/a \"b c\" 'd e'", WORDS("/bin/a", "b c", "d e"));
	expect_words("a\"b c\"d", WORDS("ab cd"));
	expect_words("cmd \"\" ''", WORDS("cmd", "", ""));
	expect_words("\"it's\" 'say \"hi\"'", WORDS("it's", "say \"hi\""));
	expect_words("a\\tb \\x41\\101 a\\ b \\\"q\\\" \\\\",
		     WORDS("a\tb", "AA", "a b", "\"q\"", "\\"));
	expect_words("\\a\\b\\f\\n\\r\\v\\s", WORDS("\a\b\f\n\r\v "));
	/* Escapes work inside quotes, single ones too, as in systemd. */
	expect_words("'it\\'s' \"a\\\"b\" 'x\\ty'",
		     WORDS("it's", "a\"b", "x\ty"));
	expect_words("a \\; \";\" ';' x;y", WORDS("a", ";", ";", ";", "x;y"));
	expect_words("100%% %%d", WORDS("100%", "%d"));
	expect_words("\\xff", WORDS("\xff"));

	expect_split_error("a \"b", "missing closing \" quote");
	expect_split_error("a 'b\"", "missing closing ' quote");
	expect_split_error("a \\q", "unknown escape \\q");
	expect_split_error("a \\$HOME",
			   "unknown escape \\$ (write $$ for a dollar sign)");
	expect_split_error("a \\%", "unknown escape \\% (write %% for a "
				    "percent sign)");
	expect_split_error("a \\x4", "\\x wants two hex digits");
	expect_split_error("a \\x00", "\\x00 would put a NUL byte in an "
				      "argument");
	expect_split_error("a \\000", "\\000 would put a NUL byte in an "
				      "argument");
	expect_split_error("a \\400", "octal escape \\400 is past \\377");
	expect_split_error("a \\12", "an octal escape wants three digits");
	expect_split_error("a b\\", "a backslash ends the text");
	expect_split_error("a %n", "unknown specifier %n (write %% for a "
				   "percent sign)");
	expect_split_error("a 100%", "a lone % ends the text (write %% for a "
				     "percent sign)");
	expect_split_error("a ; b", "';' separates commands, and grace runs "
				    "one per service (write \\; for a "
				    "semicolon)");
	expect_split_error("", "no command");
	expect_split_error(" \t ", "no command");
}

static void
test_split_variables(void **state)
{
	char **argv;

	(void)state;
	/* $NAME as a whole word splits; ${NAME} stays one word. */
	expect_words("a $VAR b", WORDS("a", "x", "y", "z", "b"));
	expect_words("a ${VAR} b", WORDS("a", "x y  z", "b"));
	expect_words("--x=${VAR}! ${ONE}${ONE}", WORDS("--x=x y  z!",
						       "oneone"));
	/* Quotes do not stop the splitting: systemd expands after
	 * unquoting. */
	expect_words("\"$VAR\"", WORDS("x", "y", "z"));
	/* The value's quotes are not read. */
	expect_words("$Q", WORDS("'a", "b'"));
	/* Unset or empty: no word, or an empty one. */
	expect_words("a $UNSET $EMPTY b", WORDS("a", "b"));
	expect_words("a ${UNSET} ${EMPTY}", WORDS("a", "", ""));
	/* $$ is '$'; any other '$' stays. */
	expect_words("a $$ $$VAR a$$b $$$$", WORDS("a", "$", "$VAR", "a$b",
						   "$$"));
	expect_words("a$VAR $ $1 $-x x$ $VAR-x", WORDS("a$VAR", "$", "$1",
						       "$-x", "x$", "$VAR-x"));
	expect_split_error("a ${VAR", "unterminated ${ (write $$ for a dollar "
				      "sign)");
	expect_split_error("a ${#x}", "invalid variable name in '${#x}' "
				      "(write $$ for a dollar sign)");
	expect_split_error("a ${}", "invalid variable name in '${}' (write "
				    "$$ for a dollar sign)");
	expect_split_error("$UNSET", "no command");
	/* No lookup: every variable is unset. */
	assert_int_equal(unit_split_command("a ${X} $Y", NULL, NULL, &argv,
					    error, sizeof(error)), 0);
	assert_string_equal(argv[0], "a");
	assert_string_equal(argv[1], "");
	assert_null(argv[2]);
	unit_free_argv(argv);
	unit_free_argv(NULL);
}

/* Words past 4096 or longer than 64 KiB are errors, from the text or
 * from a variable. */
static void
test_split_limits(void **state)
{
	size_t big = 65537, i;
	char *text = malloc(2 * 4097 + 1), **argv;
	char *long_value = malloc(big + 3);
	const char *vars[] = { NULL, NULL };

	(void)state;
	assert_non_null(text);
	assert_non_null(long_value);
	for (i = 0; i < 4096; i++)
		memcpy(text + 2 * i, "a ", 2);
	text[2 * 4096] = '\0';
	assert_int_equal(unit_split_command(text, NULL, NULL, &argv, error,
					    sizeof(error)), 0);
	assert_string_equal(argv[4095], "a");
	assert_null(argv[4096]);
	unit_free_argv(argv);
	memcpy(text + 2 * 4096, "a", 2);
	expect_split_error(text, "more than 4096 arguments");

	memset(long_value, 'x', big);
	long_value[big] = '\0';
	expect_split_error(long_value, "an argument is longer than 65536 "
				       "bytes");
	long_value[big - 1] = '\0';
	assert_int_equal(unit_split_command(long_value, NULL, NULL, &argv,
					    error, sizeof(error)), 0);
	unit_free_argv(argv);
	/* The same through a variable, split or not. */
	memcpy(long_value, "V=", 2);
	memset(long_value + 2, 'y', big);
	long_value[big + 2] = '\0';
	vars[0] = long_value;
	assert_int_equal(unit_split_command("a $V", lookup_vars, vars, &argv,
					    error, sizeof(error)), -1);
	assert_string_equal(error, "an argument is longer than 65536 bytes");
	assert_int_equal(unit_split_command("a ${V}", lookup_vars, vars, &argv,
					    error, sizeof(error)), -1);
	assert_string_equal(error, "an argument is longer than 65536 bytes");
	free(text);
	free(long_value);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_unit_section),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_exec_start),
		cmocka_unit_test(test_pidfile),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_success_exit_status),
		cmocka_unit_test(test_kill),
		cmocka_unit_test(test_standard_output),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_ready_fd),
		cmocka_unit_test(test_ready_check),
		cmocka_unit_test(test_user_and_directory),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_environment_file),
		cmocka_unit_test(test_umask_and_limits),
		cmocka_unit_test(test_full_unit),
		cmocka_unit_test(test_valid_name),
		cmocka_unit_test(test_oneliner),
		cmocka_unit_test(test_procfile),
		cmocka_unit_test(test_procfile_errors),
		cmocka_unit_test(test_procfile_appends),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_split_quotes),
		cmocka_unit_test(test_split_variables),
		cmocka_unit_test(test_split_limits),
	};

	return cmocka_run_group_tests_name("unit", tests, NULL, NULL);
}
