// SPDX-License-Identifier: MIT
/* Bench workload: a job that notes when it started, by the clock of day. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: stamp LOG
 *
 * Appends "SECONDS.NANOSECONDS\n" of CLOCK_REALTIME, taken first thing, to
 * LOG (O_APPEND, one write) and exits 0: a job's start latency is how far
 * that is past the second it was due.  Exits 1 with a message when it
 * cannot.
 */
int
main(int argc, char **argv)
{
	struct timespec now;
	char line[64];
	int fd, n;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0 || argc != 2) {
		fputs("usage: stamp LOG\n", stderr);
		return 1;
	}
	n = snprintf(line, sizeof(line), "%lld.%09ld\n", (long long)now.tv_sec,
		     now.tv_nsec);
	fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, (size_t)n) != n) {
		perror(argv[1]);
		return 1;
	}
	return close(fd) == 0 ? 0 : 1;
}
