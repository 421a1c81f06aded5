// SPDX-License-Identifier: MIT
/* A process that makes a stop hard: it ignores SIGTERM, blocks every
 * signal, or stops itself. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/helper.h"

/*
 * Usage: straggler NAME MODE
 *
 * Logs "start" and, once set up, "ready"; then, by MODE:
 *   ignore        SIGTERM ignored (SIG_IGN); sleeps forever
 *   block         every catchable signal blocked and never read; sleeps
 *                 forever
 *   stop          SIGTERM ignored; stops itself with SIGSTOP, and again
 *                 each time it is continued (logging "continued")
 *   stop-handler  SIGTERM blocked; stops itself once; once continued,
 *                 logs "continued", takes the pending SIGTERM ("term
 *                 from=PID"), sleeps 100 ms, logs "done" and exits 0
 * Only SIGKILL ends the first three.
 */

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: straggler NAME ignore|block|stop|stop-handler\n", stderr);
	_exit(2);
}

static void __attribute__((noreturn))
sleep_forever(void)
{
	for (;;)
		pause();
}

static void
ignore_term(void)
{
	if (signal(SIGTERM, SIG_IGN) == SIG_ERR)
		die_errno("signal");
}

static void
block(const sigset_t *set)
{
	if (sigprocmask(SIG_BLOCK, set, NULL) != 0)
		die_errno("sigprocmask");
}

static void
stop_self(void)
{
	if (raise(SIGSTOP) != 0)
		die_errno("raise");
	ev_log("continued");
}

/* Stops itself; once continued, handles the SIGTERM that came with the
 * SIGCONT (blocked meanwhile, so it waits as pending). */
static void __attribute__((noreturn))
stop_then_handle_term(void)
{
	siginfo_t info;
	sigset_t term;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	block(&term);
	ev_log("ready");
	stop_self();
	sig_wait(&term, &info);
	ev_log("term from=%d", (int)info.si_pid);
	sleep_ms(100);
	ev_log("done");
	_exit(0);
}

int
main(int argc, char **argv)
{
	sigset_t all;

	if (argc != 3)
		usage();
	ev_open(argv[1]);
	ev_log("start ppid=%d", (int)getppid());
	if (strcmp(argv[2], "ignore") == 0) {
		ignore_term();
		ev_log("ready");
		sleep_forever();
	}
	if (strcmp(argv[2], "block") == 0) {
		sig_fill_catchable(&all);
		block(&all);
		ev_log("ready");
		sleep_forever();
	}
	if (strcmp(argv[2], "stop") == 0) {
		ignore_term();
		ev_log("ready");
		for (;;)
			stop_self();
	}
	if (strcmp(argv[2], "stop-handler") == 0)
		stop_then_handle_term();
	usage();
}
