// SPDX-License-Identifier: MIT
/* Unit tests of crontabs and --cron one-liners (src/crontab.c), and of the
 * job keys of unit files (Schedule=, Timezone=, Overlap= in src/unit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crontab.h"
#include "unit.h"

/* The crontab grace replaces cron with, as it is. */
#define SEED_CRONTAB                                                          \
	"0 16 * * * /usr/local/bin/update-articles.sh >> "                    \
	"/var/log/personal-website/articles-sync.log 2>&1\n"                  \
	"0 2 * * * /usr/sbin/logrotate /etc/logrotate.d/personal-website\n"

/* After "Europe/", a zone name of 65 characters: one too many. */
#define LONG_NAME "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuv"

static char error[512];

/* The units of one crontab, freed by jobs_free(). */
struct jobs {
	struct unit *units;
	size_t n;
};

static int
parse_n(struct jobs *jobs, const char *text, size_t len)
{
	*jobs = (struct jobs){ NULL, 0 };
	memset(error, 'x', sizeof(error) - 1);
	error[sizeof(error) - 1] = '\0';
	return crontab_parse("crontab", text, len, &jobs->units, &jobs->n,
			     error, sizeof(error));
}

static int
parse(struct jobs *jobs, const char *text)
{
	return parse_n(jobs, text, strlen(text));
}

static void
jobs_free(struct jobs *jobs)
{
	size_t i;

	for (i = 0; i < jobs->n; i++)
		unit_free(&jobs->units[i]);
	free(jobs->units);
	*jobs = (struct jobs){ NULL, 0 };
}

/* Parses text that must be good, with n jobs. */
static void
parse_ok(struct jobs *jobs, const char *text, size_t n)
{
	if (parse(jobs, text) != 0)
		fail_msg("unexpected error: %s", error);
	assert_int_equal(jobs->n, n);
}

/* Parses text that must fail with exactly message; keeps the jobs read
 * before the error to n. */
static void
expect_error(const char *text, const char *message, size_t n)
{
	struct jobs jobs;

	assert_int_equal(parse(&jobs, text), -1);
	assert_string_equal(error, message);
	assert_int_equal(jobs.n, n);
	jobs_free(&jobs);
}

/* The environment of unit, as "A=1 B=2". */
static const char *
env_of(const struct unit *unit)
{
	static char text[512];
	size_t i, len = 0;

	text[0] = '\0';
	for (i = 0; i < unit->environment.n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s",
					i > 0 ? " " : "",
					unit->environment.items[i].text);
	return text;
}

/* A job as a crontab line makes it, with no setting lines above. */
static void
check_plain_job(const struct unit *unit, const char *name, int line,
		const char *schedule, const char *command)
{
	assert_string_equal(unit->name, name);
	assert_string_equal(unit->source, "crontab");
	assert_int_equal(unit->line, line);
	assert_true(unit->is_job);
	assert_true(unit->exec_shell);
	assert_false(unit->exec_ignore_failure);
	assert_int_equal(unit->type, UNIT_ONESHOT);
	assert_false(unit->essential);
	assert_int_equal(unit->timeout_start_ms, UNIT_INFINITY);
	assert_int_equal(unit->restart, UNIT_RESTART_NO);
	assert_int_equal(unit->overlap, UNIT_OVERLAP_SKIP);
	assert_null(unit->timezone.text);
	assert_int_equal(unit->environment.n, 0);
	assert_string_equal(unit->schedule_text.text, schedule);
	assert_int_equal(unit->schedule_text.line, line);
	assert_string_equal(unit->exec_start.text, command);
	assert_int_equal(unit->schedule.kind, SCHEDULE_CRON);
}

/* The crontab of the site grace was written for works unchanged. */
static void
test_seed_crontab(void **state)
{
	struct jobs jobs;

	(void)state;
	parse_ok(&jobs, SEED_CRONTAB, 2);
	check_plain_job(&jobs.units[0], "cron.1", 1, "0 16 * * *",
			"/usr/local/bin/update-articles.sh >> "
			"/var/log/personal-website/articles-sync.log 2>&1");
	assert_true(jobs.units[0].schedule.hours == 1u << 16);
	assert_true(jobs.units[0].schedule.minutes == 1);
	check_plain_job(&jobs.units[1], "cron.2", 2, "0 2 * * *",
			"/usr/sbin/logrotate "
			"/etc/logrotate.d/personal-website");
	assert_true(jobs.units[1].schedule.hours == 1u << 2);
	jobs_free(&jobs);

	/* Without its last newline, and with CRLF line ends. */
	parse_ok(&jobs, "0 2 * * * /usr/sbin/logrotate x", 1);
	assert_string_equal(jobs.units[0].exec_start.text,
			    "/usr/sbin/logrotate x");
	jobs_free(&jobs);
	parse_ok(&jobs,
		 "0 16 * * * /usr/local/bin/update-articles.sh >> "
		 "/var/log/personal-website/articles-sync.log 2>&1\r\n"
		 "0 2 * * * /usr/sbin/logrotate "
		 "/etc/logrotate.d/personal-website\r\n",
		 2);
	check_plain_job(&jobs.units[0], "cron.1", 1, "0 16 * * *",
			"/usr/local/bin/update-articles.sh >> "
			"/var/log/personal-website/articles-sync.log 2>&1");
	check_plain_job(&jobs.units[1], "cron.2", 2, "0 2 * * *",
			"/usr/sbin/logrotate "
			"/etc/logrotate.d/personal-website");
	jobs_free(&jobs);
}

/* Blank lines and comments count as lines and make nothing; blanks
 * around a job line go. */
static void
test_comments_and_blanks(void **state)
{
	struct jobs jobs;

	(void)state;
	parse_ok(&jobs,
		 "# m h dom mon dow command\n"
		 "\n"
		 "   \t\n"
		 "  # indented comment\n"
		 "  */5 * * * *   /bin/tick   now  \n"
		 "@reboot /bin/boot\n"
		 "@every 90s /bin/poll\n"
		 "*/10 * * * * * /bin/fast\n",
		 4);
	check_plain_job(&jobs.units[0], "cron.5", 5, "*/5 * * * *",
			"/bin/tick   now");
	assert_string_equal(jobs.units[1].name, "cron.6");
	assert_int_equal(jobs.units[1].schedule.kind, SCHEDULE_REBOOT);
	assert_string_equal(jobs.units[1].schedule_text.text, "@reboot");
	assert_string_equal(jobs.units[2].schedule_text.text, "@every 90s");
	assert_int_equal(jobs.units[2].schedule.every_ms, 90000);
	assert_string_equal(jobs.units[2].exec_start.text, "/bin/poll");
	assert_string_equal(jobs.units[3].schedule_text.text,
			    "*/10 * * * * *");
	assert_string_equal(jobs.units[3].exec_start.text, "/bin/fast");
	jobs_free(&jobs);
}

/* KEY=VALUE lines are the environment of the jobs below them only;
 * blanks around '=' and matching quotes go. */
static void
test_environment(void **state)
{
	struct jobs jobs;

	(void)state;
	parse_ok(&jobs,
		 "0 0 * * * /bin/before\n"
		 "A=1\n"
		 "0 1 * * * /bin/first\n"
		 "B = two words \n"
		 "C=\"  quoted  \"\n"
		 "D='single'\n"
		 "E=\"mismatched'\n"
		 "F=\n"
		 "G=\"\"\n"
		 "PATH=/usr/bin:/bin\n"
		 "A=again\n"
		 "_x9 =a=b\n"
		 "0 2 * * * /bin/second\n",
		 3);
	assert_string_equal(env_of(&jobs.units[0]), "");
	assert_string_equal(env_of(&jobs.units[1]), "A=1");
	assert_string_equal(env_of(&jobs.units[2]),
			    "A=1 B=two words C=  quoted   D=single "
			    "E=\"mismatched' F= G= PATH=/usr/bin:/bin "
			    "A=again _x9=a=b");
	/* Each entry has the line it came from. */
	assert_int_equal(jobs.units[2].environment.items[0].line, 2);
	assert_int_equal(jobs.units[2].environment.items[1].line, 4);
	jobs_free(&jobs);

	/* With CRLF, the '\r' is not in the value. */
	parse_ok(&jobs, "A = x \r\n0 1 * * * /bin/x\r\n", 1);
	assert_string_equal(env_of(&jobs.units[0]), "A=x");
	jobs_free(&jobs);
}

/* CRON_TZ and the GRACE_ settings apply to the jobs below them, and are
 * no variables of theirs. */
static void
test_settings(void **state)
{
	struct jobs jobs;
	const struct unit *u;

	(void)state;
	parse_ok(&jobs,
		 "0 0 * * * /bin/before\n"
		 "CRON_TZ=Europe/Berlin\n"
		 "GRACE_OVERLAP=replace\n"
		 "GRACE_TIMEOUT=5min\n"
		 "GRACE_ESSENTIAL=yes\n"
		 "X=1\n"
		 "0 1 * * * /bin/after\n"
		 "CRON_TZ = 'America/New_York'\n"
		 "GRACE_OVERLAP=allow\n"
		 "GRACE_TIMEOUT=0\n"
		 "GRACE_ESSENTIAL=no\n"
		 "0 2 * * * /bin/later\n"
		 "GRACE_OVERLAP=skip\n"
		 "GRACE_TIMEOUT=infinity\n"
		 "0 3 * * * /bin/last\n",
		 4);
	check_plain_job(&jobs.units[0], "cron.1", 1, "0 0 * * *",
			"/bin/before");
	u = &jobs.units[1];
	assert_string_equal(u->timezone.text, "Europe/Berlin");
	assert_int_equal(u->timezone.line, 7);
	assert_int_equal(u->overlap, UNIT_OVERLAP_REPLACE);
	assert_int_equal(u->timeout_start_ms, 300000);
	assert_true(u->essential);
	assert_string_equal(env_of(u), "X=1");
	u = &jobs.units[2];
	assert_string_equal(u->timezone.text, "America/New_York");
	assert_int_equal(u->overlap, UNIT_OVERLAP_ALLOW);
	/* 0 is no limit, as in systemd. */
	assert_int_equal(u->timeout_start_ms, UNIT_INFINITY);
	assert_false(u->essential);
	u = &jobs.units[3];
	assert_int_equal(u->overlap, UNIT_OVERLAP_SKIP);
	assert_int_equal(u->timeout_start_ms, UNIT_INFINITY);
	assert_string_equal(u->timezone.text, "America/New_York");
	jobs_free(&jobs);
}

/* "# name: NAME" names the job on the next line, and only that one. */
static void
test_names(void **state)
{
	struct jobs jobs;

	(void)state;
	parse_ok(&jobs,
		 "# name: articles\n"
		 "0 16 * * * /bin/a\n"
		 "0 2 * * * /bin/b\n"
		 "#name:rotate.logs@2\n"
		 "0 3 * * * /bin/c\n"
		 "# name: gone\n"
		 "\n"
		 "0 4 * * * /bin/d\n"
		 "# name: gone-too\n"
		 "# another comment\n"
		 "0 5 * * * /bin/e\n"
		 "# name: also-gone\n"
		 "A=1\n"
		 "0 6 * * * /bin/f\n"
		 "  #   name:   spaced  \n"
		 "0 7 * * * /bin/g\n"
		 "# names: not-a-name\n"
		 "0 8 * * * /bin/h\n",
		 8);
	assert_string_equal(jobs.units[0].name, "articles");
	assert_int_equal(jobs.units[0].line, 2);
	assert_string_equal(jobs.units[1].name, "cron.3");
	assert_string_equal(jobs.units[2].name, "rotate.logs@2");
	assert_string_equal(jobs.units[3].name, "cron.8");
	assert_string_equal(jobs.units[4].name, "cron.11");
	assert_string_equal(jobs.units[5].name, "cron.14");
	assert_string_equal(jobs.units[6].name, "spaced");
	assert_string_equal(jobs.units[7].name, "cron.18");
	jobs_free(&jobs);
}

/* Two jobs of one name: an error that names both lines. */
static void
test_duplicate_names(void **state)
{
	(void)state;
	expect_error("# name: a\n"
		     "0 * * * * /bin/x\n"
		     "# name: a\n"
		     "0 * * * * /bin/y\n",
		     "crontab:4: duplicate job name 'a' (first on line 2)", 1);
	expect_error("# name: cron.3\n"
		     "0 * * * * /bin/x\n"
		     "0 * * * * /bin/y\n",
		     "crontab:3: duplicate job name 'cron.3' (first on line "
		     "2)",
		     1);
}

/* Units already in the array are not this crontab's: their names do not
 * clash, and they stay. */
static void
test_appends(void **state)
{
	struct jobs jobs = { NULL, 0 };

	(void)state;
	jobs.units = calloc(1, sizeof(*jobs.units));
	assert_non_null(jobs.units);
	assert_int_equal(unit_init(&jobs.units[0], "cron.1", "other"), 0);
	jobs.n = 1;
	if (crontab_parse("crontab", SEED_CRONTAB, strlen(SEED_CRONTAB),
			  &jobs.units, &jobs.n, error, sizeof(error)) != 0)
		fail_msg("unexpected error: %s", error);
	assert_int_equal(jobs.n, 3);
	assert_string_equal(jobs.units[0].source, "other");
	assert_string_equal(jobs.units[1].name, "cron.1");
	assert_string_equal(jobs.units[2].name, "cron.2");
	jobs_free(&jobs);
}

/* "\%" is a '%'; a bare '%' (cron's stdin) is an error; other
 * backslashes stay, and one takes the next character with it. */
static void
test_percent(void **state)
{
	static const char bare[] =
		"crontab:1: a bare '%' is cron's stdin marker, which grace "
		"does not support (write \\% for a '%')";
	struct jobs jobs;

	(void)state;
	parse_ok(&jobs,
		 "0 * * * * date +\\%Y-\\%m-\\%d\n"
		 "0 * * * * printf 'a\\tb\\n' \\\\\\%\n"
		 "0 * * * * echo \\x \\\\ end\\\n",
		 3);
	assert_string_equal(jobs.units[0].exec_start.text, "date +%Y-%m-%d");
	assert_string_equal(jobs.units[1].exec_start.text,
			    "printf 'a\\tb\\n' \\\\%");
	assert_string_equal(jobs.units[2].exec_start.text,
			    "echo \\x \\\\ end\\");
	jobs_free(&jobs);
	expect_error("0 * * * * date +%Y\n", bare, 0);
	expect_error("0 * * * * cat%stdin text\n", bare, 0);
	/* "\\%": the backslash escapes the backslash, and the '%' is
	 * bare, as cron reads it. */
	expect_error("0 * * * * echo \\\\%\n", bare, 0);
}

/* Every error says "PATH:LINE: problem". */
static void
test_errors(void **state)
{
	static const char nul[] = "0 * * * * /bin/a\n0 * * * * /b\0in\n";
	struct jobs jobs;

	(void)state;
	expect_error("0 * * * * /bin/a\n\n61 * * * * /bin/x\n",
		     "crontab:3: minute field '61': out of 0-59", 1);
	expect_error("0 0 30 2 * /bin/x\n",
		     "crontab:1: the schedule never runs: no month in it has "
		     "that day",
		     0);
	expect_error("@every 500ms /bin/x\n",
		     "crontab:1: bad duration '500ms' for @every (at least 1s)",
		     0);
	expect_error("0 0 * * *\n",
		     "crontab:1: no command after the schedule", 0);
	expect_error("@yearly\n", "crontab:1: no command after the schedule",
		     0);
	expect_error("@weekdays /bin/x\n",
		     "crontab:1: unknown schedule '@weekdays'", 0);
	expect_error("0 0 * *\n", "crontab:1: a schedule has 5 or 6 fields: "
				  "'0 0 * *'",
		     0);
	expect_error("A=1\nhello world\n",
		     "crontab:2: not a job (SCHEDULE COMMAND) nor a variable "
		     "(KEY=VALUE): 'hello world'",
		     0);
	expect_error("=1\n",
		     "crontab:1: not a job (SCHEDULE COMMAND) nor a variable "
		     "(KEY=VALUE): '=1'",
		     0);
	expect_error("1A=x\n",
		     "crontab:1: a schedule has 5 or 6 fields: '1A=x'", 0);
	expect_error("GRACE_OVERLAP=sometimes\n",
		     "crontab:1: GRACE_OVERLAP= wants skip, allow or replace, "
		     "not 'sometimes'",
		     0);
	expect_error("\nGRACE_TIMEOUT=soon\n",
		     "crontab:2: GRACE_TIMEOUT= wants a time span (\"30s\", "
		     "\"1h\", \"infinity\"), not 'soon'",
		     0);
	expect_error("GRACE_ESSENTIAL=maybe\n",
		     "crontab:1: GRACE_ESSENTIAL= wants yes or no, not 'maybe'",
		     0);
	expect_error("CRON_TZ=Europe/" LONG_NAME "\n",
		     "crontab:1: time zone name too long 'Europe/" LONG_NAME
		     "'",
		     0);
	expect_error("# name: bad name\n0 * * * * /bin/x\n",
		     "crontab:1: invalid job name 'bad name'", 0);
	expect_error("# name: -x\n0 * * * * /bin/x\n",
		     "crontab:1: invalid job name '-x'", 0);
	expect_error("# name:\n0 * * * * /bin/x\n",
		     "crontab:1: invalid job name ''", 0);
	expect_error("", "crontab: no jobs", 0);
	expect_error("# nothing\n\nA=1\nCRON_TZ=UTC\n", "crontab: no jobs", 0);

	/* A NUL byte, on the line it is on; what came before stays. */
	assert_int_equal(parse_n(&jobs, nul, sizeof(nul) - 1), -1);
	assert_string_equal(error, "crontab:2: NUL byte in the file");
	assert_int_equal(jobs.n, 1);
	jobs_free(&jobs);
	assert_int_equal(parse_n(&jobs, "\0", 1), -1);
	assert_string_equal(error, "crontab:1: NUL byte in the file");
	jobs_free(&jobs);
}

/* --cron: "SCHEDULE COMMAND ARGS", split as ExecStart= is. */
static void
test_oneliner(void **state)
{
	struct unit unit;
	unsigned i;

	(void)state;
	if (crontab_parse_oneliner(&unit, "*/5 * * * * * /bin/echo hi", 1,
				   error, sizeof(error)) != 0)
		fail_msg("unexpected error: %s", error);
	assert_string_equal(unit.name, "cron.arg1");
	assert_string_equal(unit.source, "--cron");
	assert_int_equal(unit.line, 1);
	assert_true(unit.is_job);
	assert_false(unit.exec_shell);
	assert_int_equal(unit.type, UNIT_ONESHOT);
	assert_false(unit.essential);
	assert_int_equal(unit.timeout_start_ms, UNIT_INFINITY);
	assert_string_equal(unit.exec_start.text, "/bin/echo hi");
	assert_string_equal(unit.schedule_text.text, "*/5 * * * * *");
	for (i = 0; i < 60; i++)
		assert_int_equal(unit.schedule.seconds >> i & 1, i % 5 == 0);
	unit_free(&unit);

	if (crontab_parse_oneliner(&unit, "@every 90s\t/bin/poll --fast", 3,
				   error, sizeof(error)) != 0)
		fail_msg("unexpected error: %s", error);
	assert_string_equal(unit.name, "cron.arg3");
	assert_string_equal(unit.schedule_text.text, "@every 90s");
	assert_string_equal(unit.exec_start.text, "/bin/poll --fast");
	unit_free(&unit);

	/* '%' is no stdin marker here: the command is ExecStart='s, where
	 * "%%" is a '%' (when it is split). */
	if (crontab_parse_oneliner(&unit, "0 0 * * * /bin/date +%%Y", 2,
				   error, sizeof(error)) != 0)
		fail_msg("unexpected error: %s", error);
	assert_string_equal(unit.exec_start.text, "/bin/date +%%Y");
	unit_free(&unit);
}

static void
expect_oneliner_error(const char *text, const char *message)
{
	struct unit unit;

	assert_int_equal(crontab_parse_oneliner(&unit, text, 1, error,
						sizeof(error)),
			 -1);
	assert_string_equal(error, message);
	unit_free(&unit);
}

static void
test_oneliner_errors(void **state)
{
	(void)state;
	expect_oneliner_error("* * * * *", "invalid --cron '* * * * *': no "
					   "command after the schedule");
	expect_oneliner_error("61 * * * * /bin/x",
			      "invalid --cron '61 * * * * /bin/x': minute "
			      "field '61': out of 0-59");
	expect_oneliner_error("@sometimes /bin/x",
			      "invalid --cron '@sometimes /bin/x': unknown "
			      "schedule '@sometimes'");
	expect_oneliner_error("", "invalid --cron '': a schedule has 5 or 6 "
				  "fields: ''");
	expect_oneliner_error("* * * * * /bin/echo 'open",
			      "invalid --cron '* * * * * /bin/echo 'open': "
			      "missing closing ' quote");
	expect_oneliner_error("0 0 * * * /bin/date +%Y",
			      "invalid --cron '0 0 * * * /bin/date +%Y': "
			      "unknown specifier %Y (write %% for a percent "
			      "sign)");
}

/* --- unit files with Schedule= -------------------------------------------- */

static int
parse_unit(struct unit *unit, const char *text)
{
	assert_int_equal(unit_init(unit, "backup", "backup.service"), 0);
	return unit_parse(unit, text, strlen(text), error, sizeof(error));
}

static void
parse_unit_ok(struct unit *unit, const char *text)
{
	if (parse_unit(unit, text) != 0)
		fail_msg("unexpected error: %s", error);
}

static void
expect_unit_error(const char *text, const char *message)
{
	struct unit unit;

	assert_int_equal(parse_unit(&unit, text), -1);
	assert_string_equal(error, message);
	unit_free(&unit);
}

/* Schedule= makes a oneshot job: not essential, no run timeout. */
static void
test_unit_schedule(void **state)
{
	struct unit unit;

	(void)state;
	parse_unit_ok(&unit, "[Service]\n"
			     "ExecStart=/bin/backup\n"
			     "Schedule=0 3 * * *\n");
	assert_true(unit.is_job);
	assert_int_equal(unit.type, UNIT_ONESHOT);
	assert_false(unit.essential);
	assert_int_equal(unit.timeout_start_ms, UNIT_INFINITY);
	assert_false(unit.exec_shell);
	assert_string_equal(unit.schedule_text.text, "0 3 * * *");
	assert_int_equal(unit.schedule_text.line, 3);
	assert_true(unit.schedule.hours == 1u << 3);
	assert_int_equal(unit.overlap, UNIT_OVERLAP_SKIP);
	assert_null(unit.timezone.text);
	unit_free(&unit);

	parse_unit_ok(&unit, "[Unit]\nDescription=nightly\n[Service]\n"
			     "Type=oneshot\n"
			     "ExecStart=-/bin/backup --all\n"
			     "Schedule=@every 1h30min\n"
			     "Timezone=Europe/Berlin\n"
			     "Overlap=replace\n"
			     "Essential=yes\n"
			     "TimeoutSec=5\n");
	assert_true(unit.is_job);
	assert_true(unit.essential);
	assert_int_equal(unit.timeout_start_ms, 5000);
	assert_int_equal(unit.overlap, UNIT_OVERLAP_REPLACE);
	assert_string_equal(unit.timezone.text, "Europe/Berlin");
	assert_int_equal(unit.schedule.kind, SCHEDULE_EVERY);
	assert_int_equal(unit.schedule.every_ms, 5400000);
	assert_true(unit.exec_ignore_failure);
	unit_free(&unit);

	parse_unit_ok(&unit, "[Service]\nExecStart=/bin/x\n"
			     "Schedule=@daily\nOverlap=allow\n"
			     "TimeoutStartSec=1min\nEssential=no\n");
	assert_int_equal(unit.overlap, UNIT_OVERLAP_ALLOW);
	assert_int_equal(unit.timeout_start_ms, 60000);
	assert_false(unit.essential);
	unit_free(&unit);

	/* An empty Timezone= is grace's zone again. */
	parse_unit_ok(&unit, "[Service]\nExecStart=/bin/x\n"
			     "Schedule=@daily\nTimezone=UTC\nTimezone=\n");
	assert_null(unit.timezone.text);
	unit_free(&unit);
}

/* What a job cannot have, at the line of its Schedule=. */
static void
test_unit_schedule_errors(void **state)
{
	(void)state;
	expect_unit_error("[Service]\nExecStart=/bin/x\nRestart=always\n"
			  "Schedule=@daily\n",
			  "backup.service:4: a job (Schedule=) runs again at "
			  "its next due time: no Restart=");
	expect_unit_error("[Unit]\nAfter=db\n[Service]\nExecStart=/bin/x\n"
			  "Schedule=@daily\n",
			  "backup.service:5: a job (Schedule=) has no start "
			  "order: no After=, Requires= or Wants=");
	expect_unit_error("[Service]\nType=notify\nExecStart=/bin/x\n"
			  "Schedule=@daily\n",
			  "backup.service:4: a job (Schedule=) is a oneshot: "
			  "Type= may only be oneshot");
	expect_unit_error("[Service]\nExecStart=/bin/x\nReadyFd=3\n"
			  "Schedule=@daily\n",
			  "backup.service:4: a job (Schedule=) has no "
			  "readiness: no ReadyFd= or ReadyCheck=");
	expect_unit_error("[Service]\nExecStart=/bin/x\n"
			  "Timezone=Europe/Berlin\n",
			  "backup.service:3: Timezone= applies to jobs "
			  "(Schedule=) only");
	expect_unit_error("[Service]\nExecStart=/bin/x\nOverlap=allow\n",
			  "backup.service:3: Overlap= applies to jobs "
			  "(Schedule=) only");
	expect_unit_error("[Service]\nExecStart=/bin/x\nSchedule=@daily\n"
			  "Overlap=sometimes\n",
			  "backup.service:4: invalid Overlap= 'sometimes' "
			  "(grace accepts skip, allow or replace)");
	expect_unit_error("[Service]\nExecStart=/bin/x\n"
			  "Schedule=61 * * * *\n",
			  "backup.service:3: invalid Schedule= '61 * * * *' "
			  "(minute field '61': out of 0-59)");
	expect_unit_error("[Service]\nExecStart=/bin/x\n"
			  "Schedule=0 0 * * * /bin/x\n",
			  "backup.service:3: invalid Schedule= '0 0 * * * "
			  "/bin/x' (bad day of week field '/bin/x')");
	expect_unit_error("[Service]\nExecStart=/bin/x\n\n"
			  "Schedule=@every 500ms\n",
			  "backup.service:4: invalid Schedule= '@every 500ms' "
			  "(bad duration '500ms' for @every (at least 1s))");
	expect_unit_error("[Service]\nSchedule=@daily\n",
			  "backup.service:2: no ExecStart=");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_crontab),
		cmocka_unit_test(test_comments_and_blanks),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_duplicate_names),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_oneliner),
		cmocka_unit_test(test_oneliner_errors),
		cmocka_unit_test(test_unit_schedule),
		cmocka_unit_test(test_unit_schedule_errors),
	};

	return cmocka_run_group_tests_name("crontab", tests, NULL, NULL);
}
