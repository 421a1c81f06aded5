// SPDX-License-Identifier: MIT
/* A fork loop: children that exit at once, one after another, forever. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/helper.h"

/*
 * Usage: churn NAME [--orphans] [--on-term exit|stay]
 *
 * Forks a child that exits at once, waits for it, and does it again, with
 * no pause.  --orphans: each child forks a grandchild and exits, so that
 * the grandchild, which exits at once too, is an orphan for the init (or
 * the nearest subreaper) to reap.
 *
 * Every catchable signal but SIGCHLD is blocked and drained between two
 * forks: counted, not logged one by one, so that a storm of them does not
 * flood the log.  Logs "ready" after the first fork.  On SIGTERM logs
 * "term from=PID forks=N signals=M" (M: the other signals taken so far),
 * then:
 *   --on-term exit   (the default) dies of it
 *   --on-term stay   goes on forking; logs "forking n=100" once it has
 *                    forked 100 more times
 */

#define FORKS_AFTER_TERM 100

struct settings {
	const char *name;
	bool orphans;
	bool stay;	/* --on-term stay */
};

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: churn NAME [--orphans] [--on-term exit|stay]\n", stderr);
	exit(2);
}

static void
parse_args(int argc, char **argv, struct settings *s)
{
	static const struct option longs[] = {
		{ "orphans", no_argument, NULL, 'o' },
		{ "on-term", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	if (argc < 2 || argv[1][0] == '-')
		usage();
	*s = (struct settings){ .name = argv[1] };
	/* NAME takes the place of argv[0]: options start after it. */
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
		if (opt == 'o')
			s->orphans = true;
		else if (opt == 't' && strcmp(optarg, "exit") == 0)
			s->stay = false;
		else if (opt == 't' && strcmp(optarg, "stay") == 0)
			s->stay = true;
		else
			usage();
	}
	if (optind != argc)
		usage();
}

/* Forks a child that exits at once (after forking the orphan, with
 * ORPHANS) and waits for it. */
static void
churn_once(bool orphans)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		/* Whether this fork fails or not, the child leaves. */
		if (orphans && fork() == 0)
			_exit(0);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
}

/* Takes every pending signal without waiting; returns SIGTERM's sender
 * if SIGTERM was among them, else 0, and adds the others to *count. */
static pid_t
drain_signals(const sigset_t *set, long *count)
{
	static const struct timespec now = { 0, 0 };
	pid_t term_from = 0;
	siginfo_t info;
	int sig;

	for (;;) {
		sig = sigtimedwait(set, &info, &now);
		if (sig < 0) {
			if (errno == EAGAIN)
				return term_from;
			if (errno != EINTR)
				die_errno("sigtimedwait");
			continue;
		}
		if (sig == SIGTERM)
			term_from = info.si_pid > 0 ? info.si_pid : -1;
		else
			(*count)++;
	}
}

static void __attribute__((noreturn))
die_of_term(void)
{
	sigset_t term;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	if (signal(SIGTERM, SIG_DFL) == SIG_ERR ||
	    sigprocmask(SIG_UNBLOCK, &term, NULL) != 0 || raise(SIGTERM) != 0)
		die_errno("raise");
	/* Still here: PID 1 of a namespace survives its own signals. */
	exit(128 + SIGTERM);
}

int
main(int argc, char **argv)
{
	long forks = 0, signals = 0, after_term = -1;
	struct settings s;
	sigset_t all;
	pid_t from;

	parse_args(argc, argv, &s);
	ev_open(s.name);
	sig_fill_catchable(&all);
	/* Its own children's exits are no signals to count. */
	sigdelset(&all, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &all, NULL) != 0)
		die_errno("sigprocmask");
	ev_log("start ppid=%d", (int)getppid());
	for (;;) {
		churn_once(s.orphans);
		if (++forks == 1)
			ev_log("ready");
		from = drain_signals(&all, &signals);
		if (from != 0 && after_term < 0) {
			ev_log("term from=%d forks=%ld signals=%ld",
			       from > 0 ? (int)from : 0, forks, signals);
			if (!s.stay)
				die_of_term();
			after_term = 0;
		}
		if (after_term >= 0 && ++after_term == FORKS_AFTER_TERM)
			ev_log("forking n=%d", FORKS_AFTER_TERM);
	}
}
