// SPDX-License-Identifier: MIT
/* Owns grace's messages: one line each, prefixed "grace:", on stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static struct {
	int verbosity;
} log_state;

void
log_set_verbosity(int level)
{
	log_state.verbosity = level;
}

int
log_verbosity(void)
{
	return log_state.verbosity;
}

/*
 * Formats one whole line and writes it with a single write(2), so that it
 * does not interleave with the output of the processes grace runs.  Keeps
 * errno as it was: callers log from error paths that still need it.  A
 * failed write (stderr closed, EPIPE) is dropped: there is no one to tell.
 */
static void __attribute__((format(printf, 2, 0)))
emit(int err, const char *fmt, va_list ap)
{
	char line[1024];
	int saved = errno;
	size_t len, cap = sizeof(line) - 1;
	int n;

	n = snprintf(line, cap, "grace: ");
	len = (size_t)n;
	/* Every caller has va_start()ed ap; the analyzer loses track of it
	 * across the call. */
	n = vsnprintf(line + len, cap - len, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	len = n < 0 ? len : len + (size_t)n;
	if (len > cap)
		len = cap;
	if (err && len < cap) {
		n = snprintf(line + len, cap - len, ": %s", strerror(err));
		len = n < 0 ? len : len + (size_t)n;
		if (len > cap)
			len = cap;
	}
	line[len++] = '\n';
	while (write(STDERR_FILENO, line, len) < 0 && errno == EINTR)
		;
	errno = saved;
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(0, fmt, ap);
	va_end(ap);
	exit(EXIT_GRACE_ERROR);
}

void
die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	emit(err, fmt, ap);
	va_end(ap);
	exit(EXIT_GRACE_ERROR);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(0, fmt, ap);
	va_end(ap);
}

void
warn_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	emit(err, fmt, ap);
	va_end(ap);
}

void
info(const char *fmt, ...)
{
	va_list ap;

	if (log_state.verbosity < 1)
		return;
	va_start(ap, fmt);
	emit(0, fmt, ap);
	va_end(ap);
}

void
debug(const char *fmt, ...)
{
	va_list ap;

	if (log_state.verbosity < 2)
		return;
	va_start(ap, fmt);
	emit(0, fmt, ap);
	va_end(ap);
}

void
format_line(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	/* clang-analyzer 14 loses track of ap when it checks two files in
	 * one run. */
	vsnprintf(buf, len, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
}
