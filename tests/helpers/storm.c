// SPDX-License-Identifier: MIT
/* Makes a storm of orphans: N double-forked processes that exit at once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/helper.h"

/*
 * Usage: storm N
 *
 * For each of N rounds, forks a middle process that forks the orphan and
 * exits; both exit at once, so the orphan (alive or already a zombie) is
 * handed to the init.  The storm reaps only its own middle processes, by
 * pid: the orphans are the init's to reap.  Logs "created n=N" when every
 * orphan exists, then waits for SIGTERM or SIGINT.
 *
 * The first orphan is a witness: it waits for its middle parent to die and
 * logs "adopted ppid=P", the process that inherited it, before it exits.
 */

/* The witness orphan: asks for SIGUSR1 when its parent dies, waits for
 * it unless the parent is already gone, and logs who adopted it. */
static void __attribute__((noreturn))
witness(pid_t middle, void *ctx)
{
	sigset_t usr1;

	(void)ctx;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, NULL) != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGUSR1) != 0)
		die_errno("prctl");
	if (getppid() == middle)
		sig_wait(&usr1, NULL);
	ev_log("adopted ppid=%d", (int)getppid());
	_exit(0);
}

static void
wait_for_stop(void)
{
	sigset_t stop;
	int sig;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stop, NULL) != 0)
		die_errno("sigprocmask");
	ev_log("ready");
	sig = sig_wait(&stop, NULL);
	ev_log("sig %s", sig_name(sig));
}

int
main(int argc, char **argv)
{
	long i, n;

	ev_open("storm");
	if (argc != 2 || (n = num_parse(argv[1])) < 0) {
		fputs("usage: storm N\n", stderr);
		return 2;
	}
	for (i = 0; i < n; i++)
		make_orphan(i == 0 ? witness : NULL, NULL);
	ev_log("created n=%ld", n);
	wait_for_stop();
	return 0;
}
