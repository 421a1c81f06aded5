// SPDX-License-Identifier: MIT
/* Bench workload: a storm of double-forked orphans for the init to reap. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: orphans N
 *
 * Runs as the init's child, alone in a PID namespace with its own /proc.
 * Forks N middle processes as fast as it can; each forks an orphan and
 * exits at once, and the orphan exits at once too, so N zombies are handed
 * to the init.  Then waits until /proc shows no process but PID 1 and
 * itself, and prints "created SECONDS reaped SECONDS": when the last orphan
 * existed and when the last one was gone, counted from our start.
 * Exits 1 with a message when a fork or /proc fails.
 */

static void
die(const char *what)
{
	fprintf(stderr, "orphans: unable to %s: %s\n", what, strerror(errno));
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Counts the processes in our /proc other than PID 1 and ourselves. */
static long
count_others(void)
{
	struct dirent *entry;
	long self = getpid(), count = 0, pid;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		die("open /proc");
	while ((entry = readdir(dir))) {
		pid = strtol(entry->d_name, NULL, 10);
		if (pid > 1 && pid != self)
			count++;
	}
	closedir(dir);
	return count;
}

/*
 * Reaps the middle processes that have exited, or with flags 0 all of them.
 * A middle that could not fork its orphan exits 1: the storm is void.
 */
static void
reap_middles(int flags)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, flags)) != 0) {
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 && errno == ECHILD)
			return;
		if (pid < 0)
			die("wait");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fputs("orphans: unable to fork an orphan\n", stderr);
			exit(1);
		}
	}
}

int
main(int argc, char **argv)
{
	const struct timespec pause = {0, 200 * 1000};
	double start = now(), created;
	long i, n;
	pid_t middle;

	if (argc != 2 || (n = atol(argv[1])) <= 0) {
		fputs("usage: orphans N\n", stderr);
		return 2;
	}
	/* Middles are reaped as they go, not one by one, to keep forking. */
	for (i = 0; i < n; i++) {
		middle = fork();
		if (middle < 0)
			die("fork");
		if (middle == 0)
			_exit(fork() < 0 ? 1 : 0);
		reap_middles(WNOHANG);
	}
	/* Once every middle is gone, every orphan exists or existed. */
	reap_middles(0);
	created = now() - start;
	while (count_others() > 0)
		nanosleep(&pause, NULL);
	printf("created %.6f reaped %.6f\n", created, now() - start);
	return 0;
}
