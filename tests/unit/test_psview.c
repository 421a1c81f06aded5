// SPDX-License-Identifier: MIT
/* Unit tests of gracectl ps's table and JSON (src/psview.c). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "psview.h"
#include "pstree.h"

#define BIT(sig) (UINT64_C(1) << ((sig) - 1))

static struct procinfo
proc(pid_t pid, pid_t ppid, pid_t pgid, pid_t sid, char state,
     const char *command)
{
	struct procinfo p;

	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.ppid = ppid;
	p.pgid = pgid;
	p.sid = sid;
	p.state = state;
	p.has_status = true;
	snprintf(p.comm, sizeof(p.comm), "%s", "sh");
	if (command != NULL)
		p.command = strdup(command);
	return p;
}

/* What a writer wrote, as one string to free. */
static char *
rendered(const struct psview_row *rows, size_t n, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	if (json)
		assert_int_equal(psview_json(rows, n, out), 0);
	else
		psview_text(rows, n, out);
	assert_int_equal(fclose(out), 0);
	return text;
}

/* The tree of the README's example, small. */
struct sample {
	struct procinfo procs[4];
	struct psview_row rows[4];
};

static void
sample_fill(struct sample *s)
{
	s->procs[0] = proc(1, 0, 1, 1, 'S', "grace -- app");
	s->procs[0].masks[PROCINFO_BLOCKED] =
		BIT(SIGHUP) | BIT(SIGINT) | BIT(SIGTERM) |
		(((UINT64_C(1) << 31) - 1) << (SIGRTMIN - 1));
	s->procs[0].masks[PROCINFO_IGNORED] = BIT(SIGPIPE);
	s->procs[1] = proc(7, 1, 7, 7, 'S', "app \"quoted\"");
	s->procs[1].uid = 1000;
	s->procs[1].masks[PROCINFO_CAUGHT] = BIT(SIGTERM) | BIT(32);
	s->procs[1].masks[PROCINFO_PENDING] = BIT(SIGUSR1);
	s->procs[2] = proc(9, 7, 7, 7, 'Z', NULL);
	s->procs[3] = proc(20, 0, 0, 0, 'R', "sleep 5");
	s->procs[3].has_status = false;
	s->rows[0] = (struct psview_row){ &s->procs[0], 0, 0, "root", NULL };
	s->rows[1] = (struct psview_row){ &s->procs[1], 1, PSTREE_OWN_SESSION,
					  NULL, NULL };
	s->rows[2] = (struct psview_row){ &s->procs[2], 2, PSTREE_ZOMBIE,
					  "root", NULL };
	s->rows[3] = (struct psview_row){ &s->procs[3], 0, PSTREE_ENTERED,
					  NULL, NULL };
}

static void
sample_free(struct sample *s)
{
	size_t i;

	for (i = 0; i < 4; i++)
		procinfo_free(&s->procs[i]);
}

static void
test_text(void **state)
{
	struct sample s;
	char *text;

	(void)state;
	sample_fill(&s);
	text = rendered(s.rows, 4, false);
	assert_string_equal(
		text,
		" PID PPID PGID  SID S USER SERVICE COMMAND\n"
		"   1    0    1    1 S root -       grace -- app\n"
		"                                     ignored: SIGPIPE\n"
		"                                     blocked: SIGHUP SIGINT "
		"SIGTERM SIGRTMIN..SIGRTMIN+30\n"
		"   7    1    7    7 S 1000 -       \\_ app \"quoted\"\n"
		"                                        ! own session\n"
		"                                        caught: SIGTERM SIG32\n"
		"                                        pending: SIGUSR1\n"
		"   9    7    7    7 Z root -          \\_ [sh]\n"
		"                                           ! zombie\n"
		"  20    0    0    0 R ?    -       sleep 5\n"
		"                                     ! entered from outside\n");
	free(text);
	sample_free(&s);
}

static void
test_text_widths_and_runs(void **state)
{
	struct procinfo p = proc(4194304, 1, 4194304, 4194304, 'S', "x");
	struct psview_row row = { &p, 0, 0, "a-long-user-name", "database" };
	char *text;

	(void)state;
	/* Two realtime signals stay apart; three or more are a run. */
	p.masks[PROCINFO_BLOCKED] = BIT(SIGRTMIN) | BIT(SIGRTMIN + 1) |
				    BIT(SIGRTMIN + 5) | BIT(SIGRTMIN + 6) |
				    BIT(SIGRTMIN + 7);
	text = rendered(&row, 1, false);
	assert_string_equal(
		text,
		"    PID    PPID    PGID     SID S USER             SERVICE  "
		"COMMAND\n"
		"4194304       1 4194304 4194304 S a-long-user-name database x\n"
		"                                                              "
		"blocked: SIGRTMIN SIGRTMIN+1 SIGRTMIN+5..SIGRTMIN+7\n");
	free(text);
	procinfo_free(&p);
}

static void
test_json(void **state)
{
	struct sample s;
	char *text;

	(void)state;
	sample_fill(&s);
	text = rendered(s.rows, 4, true);
	assert_non_null(strstr(
		text,
		"{\"processes\":[{\"pid\":1,\"ppid\":0,\"pgid\":1,\"sid\":1,"
		"\"state\":\"S\",\"user\":\"root\",\"uid\":0,\"service\":null,"
		"\"command\":\"grace -- app\",\"signals\":{\"caught\":[],"
		"\"ignored\":[\"SIGPIPE\"],\"blocked\":[\"SIGHUP\",\"SIGINT\","
		"\"SIGTERM\",\"SIGRTMIN\",\"SIGRTMIN+1\","));
	assert_non_null(strstr(
		text, "\"SIGRTMIN+30\"],\"pending\":[]},\"marks\":[]},"
		      "{\"pid\":7,\"ppid\":1,\"pgid\":7,\"sid\":7,\"state\":\"S\","
		      "\"user\":null,\"uid\":1000,\"service\":null,\"command\":"
		      "\"app \\\"quoted\\\"\",\"signals\":{\"caught\":[\"SIGTERM\","
		      "\"SIG32\"],\"ignored\":[],\"blocked\":[],\"pending\":"
		      "[\"SIGUSR1\"]},\"marks\":[\"own session\"]},"));
	assert_non_null(strstr(
		text, "{\"pid\":9,\"ppid\":7,\"pgid\":7,\"sid\":7,\"state\":\"Z\","
		      "\"user\":\"root\",\"uid\":0,\"service\":null,\"command\":"
		      "\"[sh]\","));
	/* Status not read: no user, uid or signals. */
	assert_non_null(strstr(
		text, "{\"pid\":20,\"ppid\":0,\"pgid\":0,\"sid\":0,\"state\":"
		      "\"R\",\"user\":null,\"uid\":null,\"service\":null,"
		      "\"command\":\"sleep 5\",\"signals\":null,\"marks\":"
		      "[\"entered from outside\"]}]}\n"));
	free(text);
	sample_free(&s);
}

static void
test_json_escapes(void **state)
{
	struct procinfo p = proc(3, 1, 1, 1, 'S', "tab\there \\ \xff\xc3\xa9");
	struct psview_row row = { &p, 0,
				  PSTREE_TERM_IGNORED | PSTREE_OWN_GROUP,
				  "us\"er", "web" };
	char *text;

	(void)state;
	text = rendered(&row, 1, true);
	assert_non_null(strstr(text, "\"user\":\"us\\\"er\""));
	assert_non_null(strstr(text, "\"service\":\"web\""));
	/* Invalid UTF-8 repaired, valid kept. */
	assert_non_null(strstr(
		text, "\"command\":\"tab\\there \\\\ \xef\xbf\xbd\xc3\xa9\""));
	assert_non_null(strstr(
		text, "\"marks\":[\"own group\",\"no handler for SIGTERM: "
		      "`kill 1` is ignored\"]}]}\n"));
	free(text);
	procinfo_free(&p);
}

static void
test_empty(void **state)
{
	char *text;

	(void)state;
	text = rendered(NULL, 0, true);
	assert_string_equal(text, "{\"processes\":[]}\n");
	free(text);
	text = rendered(NULL, 0, false);
	assert_string_equal(text, " PID PPID PGID  SID S USER SERVICE COMMAND\n");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_widths_and_runs),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests_name("psview", tests, NULL, NULL);
}
