// SPDX-License-Identifier: MIT
/* Bench workload: a service that writes a given amount of log lines. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: spew BYTES REPORT
 *        spew --read
 *
 * The first form writes BYTES bytes (a multiple of 100; a k, M or G suffix
 * multiplies by 10^3, 10^6, 10^9) of 100-byte lines to stdout: a line
 * number of ten digits, a space, 88 letters and a newline.  It writes them
 * with write(2) in chunks of 655 whole lines (65,500 bytes, as a program
 * with a 64 KiB stdio buffer of line-sized records would), then writes
 * "user U system S wall W" into REPORT: its own CPU seconds
 * (getrusage(RUSAGE_SELF)) and the seconds from its start to its last
 * write.  REPORT is written beside itself and renamed into place, so it
 * appears whole or not at all: a bench may poll for it.
 *
 * The second form reads stdin in 64 KiB reads until end of file and
 * discards it: the reader at the far end of a plain pipe.
 *
 * Exits 0, 1 with a message when a read or write fails, 2 on bad usage.
 * A reader that goes away kills the writer with SIGPIPE, as it would any
 * program.
 */

#define BUFFER	    65536
#define LINE	    100
#define CHUNK_LINES (BUFFER / LINE)
#define DIGITS	    10

/* The writer's chunk of whole lines, or the reader's buffer. */
static char block[BUFFER];

static _Noreturn void
die(const char *what)
{
	fprintf(stderr, "spew: unable to %s: %s\n", what, strerror(errno));
	exit(1);
}

static _Noreturn void
usage(void)
{
	fputs("usage: spew BYTES REPORT\n       spew --read\n", stderr);
	exit(2);
}

/* BYTES from its text, or -1 if it is not a number (with an optional
 * decimal suffix) of whole lines. */
static long long
parse_bytes(const char *text)
{
	char *end;
	long long n, scale = 1;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno != 0 || end == text || n < 0)
		return -1;
	if (*end == 'k')
		scale = 1000;
	else if (*end == 'M')
		scale = 1000 * 1000;
	else if (*end == 'G')
		scale = 1000 * 1000 * 1000;
	if (scale != 1)
		end++;
	if (*end != '\0' || n > __LONG_LONG_MAX__ / scale ||
	    n * scale % LINE != 0)
		return -1;
	return n * scale;
}

/* Writes all LEN bytes of BUF to FD, through short writes and EINTR. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Adds one to the decimal number in the DIGITS characters at NUM. */
static void
increment(char *num)
{
	int i = DIGITS - 1;

	while (i >= 0 && num[i] == '9')
		num[i--] = '0';
	if (i >= 0)
		num[i]++;
}

static double
seconds(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) +
	       (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

static double
tv_seconds(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* Writes the report to a file beside PATH, then renames it to PATH. */
static void
write_report(const char *path, double wall)
{
	struct rusage ru;
	char tmp[4096], text[128];
	int fd, len;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		die("read our CPU time");
	len = snprintf(text, sizeof(text), "user %.6f system %.6f wall %.6f\n",
		       tv_seconds(&ru.ru_utime), tv_seconds(&ru.ru_stime),
		       wall);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		die("name the report");
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("open the report");
	if (write_all(fd, text, (size_t)len) < 0 || close(fd) < 0)
		die("write the report");
	if (rename(tmp, path) < 0)
		die("rename the report into place");
}

static int
spew(long long bytes, const char *report)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
	struct timespec start, end;
	char num[DIGITS];
	long long left = bytes / LINE;
	size_t i, j, lines;

	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(num, '0', sizeof(num));
	for (i = 0; i < CHUNK_LINES; i++) {
		char *line = block + i * LINE;

		line[DIGITS] = ' ';
		for (j = DIGITS + 1; j < LINE - 1; j++)
			line[j] = letters[(i + j) % 26];
		line[LINE - 1] = '\n';
	}
	while (left > 0) {
		lines = left < CHUNK_LINES ? (size_t)left : CHUNK_LINES;
		for (i = 0; i < lines; i++) {
			increment(num);
			memcpy(block + i * LINE, num, DIGITS);
		}
		if (write_all(STDOUT_FILENO, block, lines * LINE) < 0)
			die("write stdout");
		left -= (long long)lines;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	write_report(report, seconds(&start, &end));
	return 0;
}

static int
drain(void)
{
	ssize_t n;

	for (;;) {
		n = read(STDIN_FILENO, block, sizeof(block));
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR)
			die("read stdin");
	}
}

int
main(int argc, char **argv)
{
	long long bytes;

	if (argc == 2 && strcmp(argv[1], "--read") == 0)
		return drain();
	if (argc != 3 || (bytes = parse_bytes(argv[1])) < 0)
		usage();
	return spew(bytes, argv[2]);
}
