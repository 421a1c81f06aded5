// SPDX-License-Identifier: MIT
/* Bench workload: a service that sleeps until SIGTERM, then stops slowly. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: service MS LOG
 *
 * One of the ten services a supervisor runs.  Once its SIGTERM handler is
 * in place it appends "ready PID" to LOG, then sleeps in pause() and never
 * wakes on its own, so every wake-up counted belongs to the supervisor.
 * SIGTERM makes it work MS milliseconds (a sleep, as when flushing a
 * file), append "stopped PID" to LOG and exit 0: the "stopped" lines are
 * the handlers that finished before the supervisor let the kernel kill
 * them.  LOG is opened with O_APPEND and each line is one write(), so
 * lines from ten processes never mix.  Other signals keep their default
 * action (SIGCONT, which s6-supervise sends after SIGTERM, does nothing).
 * Exits 1 with a message when the setup fails.
 */

static struct {
	int log_fd;
	long work_ms;
} svc;

static void
die(const char *what)
{
	fprintf(stderr, "service: unable to %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Appends WORD and our pid as one line, with a single write(2), so it is
 * atomic against the other services; async-signal-safe. */
static int
log_line(const char *word)
{
	char line[64], digits[24];
	size_t len = strlen(word), n = 0;
	long pid = getpid();

	do
		digits[n++] = '0' + pid % 10;
	while ((pid /= 10) > 0);
	memcpy(line, word, len);
	line[len++] = ' ';
	while (n > 0)
		line[len++] = digits[--n];
	line[len++] = '\n';
	return write(svc.log_fd, line, len) == (ssize_t)len ? 0 : -1;
}

/* The SIGTERM handler; async-signal-safe.  SIGTERM is blocked in it. */
static void
on_term(int sig)
{
	struct timespec until;

	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += svc.work_ms / 1000;
	until.tv_nsec += svc.work_ms % 1000 * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL))
		;
	_exit(log_line("stopped") == 0 ? 0 : 1);
}

int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};

	if (argc != 3 || (svc.work_ms = atol(argv[1])) < 0) {
		fputs("usage: service MS LOG\n", stderr);
		return 2;
	}
	svc.log_fd =
		open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (svc.log_fd < 0)
		die("open the log");
	if (sigaction(SIGTERM, &sa, NULL) < 0)
		die("handle SIGTERM");
	if (log_line("ready") < 0)
		die("write the log");
	for (;;)
		pause();
}
