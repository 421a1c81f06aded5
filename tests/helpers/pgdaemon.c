// SPDX-License-Identifier: MIT
/* A daemon that starts as dcron's "crond -f" does: setpgid(0, 0) first. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/helper.h"

/*
 * Usage: pgdaemon
 *
 * dcron puts itself in its own process group before anything else and
 * gives up when it cannot.  setpgid(0, 0) fails with EPERM for a session
 * leader, which is what a process started straight as PID 1 (or by an init
 * that setsid()s it) is.  On failure it prints "setpgid: REASON" and exits
 * 1; on success it logs "ready pgid=P" and waits for SIGTERM.
 */

int
main(void)
{
	sigset_t stop;

	ev_open("pgdaemon");
	if (setpgid(0, 0) != 0) {
		fprintf(stderr, "setpgid: %s\n", strerror(errno));
		ev_log("error setpgid: %s", strerror(errno));
		return 1;
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stop, NULL) != 0)
		die_errno("sigprocmask");
	ev_log("ready pgid=%d sid=%d", (int)getpgid(0), (int)getsid(0));
	sig_wait(&stop, NULL);
	ev_log("term");
	return 0;
}
