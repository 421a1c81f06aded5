// SPDX-License-Identifier: MIT
/* Bench workload: tells when each SIGUSR1 arrives. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * Usage: catch
 *
 * Runs as the init's child.  Prints "ready", then for every SIGUSR1 the
 * CLOCK_MONOTONIC time it arrived, in nanoseconds, one line each, flushed
 * at once.  Any other signal keeps its default action: SIGTERM ends it.
 */
int
main(void)
{
	struct timespec ts;
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, NULL) < 0) {
		fprintf(stderr, "catch: unable to block SIGUSR1: %s\n",
			strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (sigwaitinfo(&usr1, NULL) < 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("%lld\n", ts.tv_sec * 1000000000LL + ts.tv_nsec);
		fflush(stdout);
	}
}
