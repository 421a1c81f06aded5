// SPDX-License-Identifier: MIT
/* Bench workload: process groups in their own sessions that stop slowly. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: sessions GROUPS SIZE MS LOG
 *
 * Runs as the init's child.  Starts GROUPS session leaders (setsid), each
 * with SIZE - 1 members in its group, so GROUPS * SIZE processes that no
 * signal to our own group reaches.  Every process, this one too, answers
 * SIGTERM by working MS milliseconds (a sleep, as when flushing a file),
 * then appending one byte to LOG and exiting 0: LOG's size is the number
 * of handlers that finished.  Prints "ready" once every process is in
 * place.  Exits 1 with a message when the setup fails.
 */

static struct {
	int log_fd;
	int ready_fd;
	long work_ms;
} bench;

static void
die(const char *what)
{
	fprintf(stderr, "sessions: unable to %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The SIGTERM handler; async-signal-safe.  SIGTERM is blocked in it. */
static void
on_term(int sig)
{
	struct timespec until;

	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += bench.work_ms / 1000;
	until.tv_nsec += bench.work_ms % 1000 * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL))
		;
	if (write(bench.log_fd, "x", 1) != 1)
		_exit(1);
	_exit(0);
}

/* Tells the parent we are in place, then waits for SIGTERM. */
static void
wait_for_term(void)
{
	if (write(bench.ready_fd, "r", 1) != 1)
		die("write the ready pipe");
	close(bench.ready_fd);
	for (;;)
		pause();
}

/* Forks one process that runs FN and never returns. */
static void
spawn(void (*fn)(long), long arg)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0)
		fn(arg);
}

static void
member(long unused)
{
	(void)unused;
	wait_for_term();
}

static void
leader(long size)
{
	long i;

	if (setsid() < 0)
		die("setsid");
	for (i = 1; i < size; i++)
		spawn(member, 0);
	wait_for_term();
}

int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};
	long groups, size, i;
	int ready[2];
	char byte;

	if (argc != 5 || (groups = atol(argv[1])) <= 0 ||
	    (size = atol(argv[2])) <= 0 ||
	    (bench.work_ms = atol(argv[3])) < 0) {
		fputs("usage: sessions GROUPS SIZE MS LOG\n", stderr);
		return 2;
	}
	bench.log_fd =
		open(argv[4], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (bench.log_fd < 0)
		die("open the log");
	if (pipe2(ready, O_CLOEXEC) < 0)
		die("make the ready pipe");
	bench.ready_fd = ready[1];
	/* Installed before the forks, so no child can miss a SIGTERM. */
	if (sigaction(SIGTERM, &sa, NULL) < 0)
		die("handle SIGTERM");
	for (i = 0; i < groups; i++)
		spawn(leader, size);
	close(ready[1]);
	for (i = 0; i < groups * size; i++) {
		if (read(ready[0], &byte, 1) != 1) {
			fputs("sessions: a process died before it was ready\n",
			      stderr);
			return 1;
		}
	}
	close(ready[0]);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
