// SPDX-License-Identifier: MIT
/* Bench workload: times `INIT -- COMMAND` as PID 1 of fresh namespaces. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: startup RUNS COMMAND INIT...
 *
 * Runs, RUNS times in turn (rotating which goes first), COMMAND alone and
 * `INIT -- COMMAND` for each INIT, each as PID 1 of a new PID namespace
 * made by clone(CLONE_NEWPID), and prints per line the nanoseconds from
 * clone to the reaped exit of each run: "NAME NS".  NAME is "-" for
 * COMMAND alone.  Nothing but a clone, an execve and a wait is timed, so
 * the difference between an INIT's runs and COMMAND's is that init's own
 * cost: its exec, set-up, fork, wait and exit.
 */
static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long
run_once(char *const argv[])
{
	long long t0 = now_ns();
	int status;
	pid_t pid;

	pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL,
			     NULL, NULL);
	if (pid < 0) {
		fprintf(stderr, "startup: unable to clone: %s\n",
			strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "startup: unable to wait: %s\n",
				strerror(errno));
			exit(1);
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "startup: %s: status %#x\n", argv[0], status);
		exit(1);
	}
	return now_ns() - t0;
}

int
main(int argc, char **argv)
{
	int runs, n, run, i;

	if (argc < 4)
		return 2;
	runs = atoi(argv[1]);
	n = argc - 2; /* COMMAND alone, then each INIT */
	for (run = 0; run < runs; run++) {
		for (i = 0; i < n; i++) {
			int k = (run + i) % n;
			char *alone[] = {argv[2], NULL};
			char *under[] = {argv[2 + k], "--", argv[2], NULL};
			long long ns = run_once(k == 0 ? alone : under);

			printf("%s %lld\n", k == 0 ? "-" : argv[2 + k], ns);
		}
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
