// SPDX-License-Identifier: MIT
/* Unit tests of gracectl ps's decisions: tree order, marks and whose tree
 * is shown (src/pstree.c). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pstree.h"

/* A process as the tests need them: ids and state, status read. */
static struct procinfo
proc(pid_t pid, pid_t ppid, pid_t pgid, pid_t sid, char state)
{
	struct procinfo p;

	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.ppid = ppid;
	p.pgid = pgid;
	p.sid = sid;
	p.state = state;
	p.has_status = true;
	snprintf(p.comm, sizeof(p.comm), "p%d", (int)pid);
	return p;
}

#define BIT(sig) (UINT64_C(1) << ((sig) - 1))

/* The pids of the rows, and their depths, as "pid:depth pid:depth". */
static void
describe(const struct procinfo *procs, const struct pstree_row *rows,
	 size_t n, char *out, size_t len)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%d:%u",
					 i ? " " : "",
					 (int)procs[rows[i].index].pid,
					 rows[i].depth);
}

static void
test_order(void **state)
{
	/* Listed as /proc lists them, by pid; the tree is not. */
	struct procinfo procs[] = {
		proc(1, 0, 1, 1, 'S'),	 proc(7, 1, 7, 7, 'S'),
		proc(9, 7, 7, 7, 'S'),	 proc(12, 1, 12, 12, 'S'),
		proc(20, 0, 0, 0, 'S'),	 proc(21, 20, 0, 0, 'R'),
		proc(30, 9, 30, 30, 'Z'), proc(8, 7, 7, 7, 'S'),
	};
	struct pstree_row rows[8];
	char text[256];
	size_t count;

	(void)state;
	assert_int_equal(pstree_order(procs, 8, 0, rows, &count), 0);
	describe(procs, rows, count, text, sizeof(text));
	assert_string_equal(text, "1:0 7:1 8:2 9:2 30:3 12:1 20:0 21:1");
	/* One subtree: grace's, when it is not PID 1. */
	assert_int_equal(pstree_order(procs, 8, 7, rows, &count), 0);
	describe(procs, rows, count, text, sizeof(text));
	assert_string_equal(text, "7:0 8:1 9:1 30:2");
	assert_int_equal(pstree_order(procs, 8, 99, rows, &count), 0);
	assert_int_equal(count, 0);
	assert_int_equal(pstree_order(procs, 0, 0, rows, &count), 0);
	assert_int_equal(count, 0);
}

static void
test_order_orphans_and_nonsense(void **state)
{
	/* A parent gone between listing and reading: its child is a root.
	 * A process that names itself as its parent, and two with the
	 * same pid, cannot make the walk loop or overflow. */
	struct procinfo procs[] = {
		proc(5, 4, 5, 5, 'S'), proc(6, 6, 6, 6, 'S'),
		proc(3, 5, 5, 5, 'S'), proc(3, 5, 5, 5, 'S'),
		proc(10, 3, 5, 5, 'S'),
	};
	struct pstree_row rows[5];
	char text[256];
	size_t count;

	(void)state;
	assert_int_equal(pstree_order(procs, 5, 0, rows, &count), 0);
	assert_true(count <= 5);
	describe(procs, rows, count, text, sizeof(text));
	assert_string_equal(text, "5:0 3:1 10:2 3:1 10:2");
}

static void
test_deep_tree(void **state)
{
	enum { N = 50000 };
	struct procinfo *procs = calloc(N, sizeof(*procs));
	struct pstree_row *rows = calloc(N, sizeof(*rows));
	size_t count, i;

	(void)state;
	assert_non_null(procs);
	assert_non_null(rows);
	for (i = 0; i < N; i++)
		procs[i] = proc((pid_t)(i + 1), (pid_t)i, 1, 1, 'S');
	assert_int_equal(pstree_order(procs, N, 0, rows, &count), 0);
	assert_int_equal(count, N);
	assert_int_equal(rows[N - 1].depth, N - 1);
	free(procs);
	free(rows);
}

static void
test_marks(void **state)
{
	struct procinfo init = proc(1, 0, 1, 1, 'S');
	struct procinfo child = proc(7, 1, 7, 1, 'S');
	struct procinfo p;

	(void)state;
	/* A group of its own. */
	assert_int_equal(pstree_marks(&child, &init), PSTREE_OWN_GROUP);
	/* A session of its own: not also marked as a group of its own. */
	p = proc(9, 7, 9, 9, 'S');
	assert_int_equal(pstree_marks(&p, &child), PSTREE_OWN_SESSION);
	/* Same group and session as its parent: nothing. */
	p = proc(9, 7, 7, 1, 'S');
	assert_int_equal(pstree_marks(&p, &child), 0);
	p.state = 'Z';
	assert_int_equal(pstree_marks(&p, &child), PSTREE_ZOMBIE);
	/* Entered from outside: ppid 0, pgid and sid 0 as crun exec
	 * leaves them; no parent to compare with. */
	p = proc(40, 0, 0, 0, 'S');
	assert_int_equal(pstree_marks(&p, NULL), PSTREE_ENTERED);
	p.kernel_thread = true;
	assert_int_equal(pstree_marks(&p, NULL), 0);
}

static void
test_pid1_term(void **state)
{
	struct procinfo init = proc(1, 0, 1, 1, 'S');
	struct procinfo other = proc(2, 1, 1, 1, 'S');

	(void)state;
	/* sleep as PID 1: no handler, not blocked. */
	assert_int_equal(pstree_marks(&init, NULL), PSTREE_TERM_IGNORED);
	/* SIG_IGN does not help. */
	init.masks[PROCINFO_IGNORED] = BIT(SIGTERM);
	assert_int_equal(pstree_marks(&init, NULL), PSTREE_TERM_IGNORED);
	/* A handler (tini, a shell's trap)... */
	init.masks[PROCINFO_CAUGHT] = BIT(SIGTERM);
	assert_int_equal(pstree_marks(&init, NULL), 0);
	/* ...or blocked and read from a signalfd (grace, catatonit). */
	init.masks[PROCINFO_CAUGHT] = BIT(SIGINT);
	init.masks[PROCINFO_BLOCKED] = BIT(SIGTERM) | BIT(SIGCHLD);
	assert_int_equal(pstree_marks(&init, NULL), 0);
	/* Only PID 1 is spared signals it does not handle. */
	assert_int_equal(pstree_marks(&other, &init), 0);
	/* Unknown masks: no claim. */
	init.masks[PROCINFO_BLOCKED] = 0;
	init.has_status = false;
	assert_int_equal(pstree_marks(&init, NULL), 0);
	assert_string_equal(pstree_mark_text(PSTREE_TERM_IGNORED),
			    "no handler for SIGTERM: `kill 1` is ignored");
	assert_string_equal(pstree_mark_text(PSTREE_OWN_SESSION),
			    "own session");
}

static void
test_order_fills_marks(void **state)
{
	struct procinfo procs[] = {
		proc(1, 0, 1, 1, 'S'), proc(2, 1, 2, 2, 'S'),
		proc(3, 2, 2, 2, 'Z'), proc(4, 0, 0, 0, 'S'),
	};
	struct pstree_row rows[4];
	size_t count;

	(void)state;
	assert_int_equal(pstree_order(procs, 4, 0, rows, &count), 0);
	assert_int_equal(count, 4);
	assert_int_equal(rows[0].marks, PSTREE_TERM_IGNORED);
	assert_int_equal(rows[1].marks, PSTREE_OWN_SESSION);
	assert_int_equal(rows[2].marks, PSTREE_ZOMBIE);
	assert_int_equal(rows[3].marks, PSTREE_ENTERED);
}

/* The tests' grace: a process whose comm is "grace". */
static bool
named_grace(const struct procinfo *info, void *ctx)
{
	(*(int *)ctx)++;
	return strcmp(info->comm, "grace") == 0;
}

static void
test_choose_root(void **state)
{
	struct procinfo procs[] = {
		proc(1, 0, 1, 1, 'S'), proc(5, 1, 5, 5, 'S'),
		proc(6, 5, 5, 5, 'S'), proc(7, 6, 5, 5, 'S'),
	};
	int asked = 0;

	(void)state;
	/* Nobody is grace: everything. */
	assert_int_equal(pstree_choose_root(procs, 4, 7, named_grace, &asked),
			 0);
	/* grace as a subreaper under a shell, gracectl below it. */
	strcpy(procs[1].comm, "grace");
	assert_int_equal(pstree_choose_root(procs, 4, 7, named_grace, &asked),
			 5);
	assert_int_equal(pstree_choose_root(procs, 4, 5, named_grace, &asked),
			 5);
	/* gracectl outside grace's tree (ppid 0: entered). */
	assert_int_equal(pstree_choose_root(procs, 4, 0, named_grace, &asked),
			 0);
	/* The nearest grace when one runs under another. */
	strcpy(procs[3].comm, "grace");
	assert_int_equal(pstree_choose_root(procs, 4, 7, named_grace, &asked),
			 7);
	/* grace as PID 1: everything, without a walk. */
	strcpy(procs[0].comm, "grace");
	asked = 0;
	assert_int_equal(pstree_choose_root(procs, 4, 7, named_grace, &asked),
			 0);
	assert_int_equal(asked, 1);
	/* A loop of made-up parents ends. */
	procs[0] = proc(2, 3, 1, 1, 'S');
	procs[1] = proc(3, 2, 1, 1, 'S');
	assert_int_equal(pstree_choose_root(procs, 2, 2, named_grace, &asked),
			 0);
}

static void
test_comm_is_grace(void **state)
{
	(void)state;
	assert_true(pstree_comm_is_grace("grace"));
	assert_true(pstree_comm_is_grace("docker-init"));
	assert_true(pstree_comm_is_grace("catatonit"));
	assert_false(pstree_comm_is_grace("gracectl"));
	assert_false(pstree_comm_is_grace("sleep"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_order_orphans_and_nonsense),
		cmocka_unit_test(test_deep_tree),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_pid1_term),
		cmocka_unit_test(test_order_fills_marks),
		cmocka_unit_test(test_choose_root),
		cmocka_unit_test(test_comm_is_grace),
	};

	return cmocka_run_group_tests_name("pstree", tests, NULL, NULL);
}
