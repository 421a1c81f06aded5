// SPDX-License-Identifier: MIT
/* Forks children that wait for SIGTERM until fork fails. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/helper.h"

/*
 * Usage: forker MAX
 *
 * Forks until fork fails (run it under a small RLIMIT_NPROC) or MAX
 * children exist.  Each child logs "ready" as "child" and waits for
 * SIGTERM: logs "term from=PID" and exits 0.  The forker logs "forked n=N
 * errno=E" (E is 0 when it stopped at MAX) and "ready", and waits for
 * SIGTERM too: logs "term from=PID" and dies of it.
 */

static void __attribute__((noreturn))
child(const sigset_t *term)
{
	/* Its own name, on a descriptor of its own. */
	ev_open("child");
	ev_log("ready");
	ev_log("term from=%d", (int)sig_wait_sender(term));
	_exit(0);
}

int
main(int argc, char **argv)
{
	long max, n;
	sigset_t term;
	pid_t pid;
	int err = 0;

	ev_open("forker");
	if (argc != 2 || (max = num_parse(argv[1])) < 0) {
		fputs("usage: forker MAX\n", stderr);
		return 2;
	}
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	/* Blocked before the first fork: no child can miss its SIGTERM. */
	if (sigprocmask(SIG_BLOCK, &term, NULL) != 0)
		die_errno("sigprocmask");
	for (n = 0; n < max; n++) {
		pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0)
			child(&term);
	}
	ev_log("forked n=%ld errno=%d", n, err);
	ev_log("ready");
	ev_log("term from=%d", (int)sig_wait_sender(&term));
	if (sigprocmask(SIG_UNBLOCK, &term, NULL) != 0 || raise(SIGTERM) != 0)
		die_errno("raise");
	return 128 + SIGTERM;
}
