// SPDX-License-Identifier: MIT
/* Owns grace's messages: one line each, prefixed "grace:" (or a JSON
 * object), on stderr or through the relay of services' output. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* The longest message; a JSON line takes at most six times as much. */
#define LOG_MESSAGE_MAX 1024

static struct {
	int verbosity;
	enum logfmt_format format;
	log_writer_fn *writer;
	void *writer_ctx;
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

void
log_set_format(enum logfmt_format format)
{
	log_state.format = format;
}

void
log_set_writer(log_writer_fn *writer, void *ctx)
{
	log_state.writer = writer;
	log_state.writer_ctx = ctx;
}

/* Writes one formatted line where messages go now. */
static void
put_line(const char *line, size_t len)
{
	if (log_state.writer != NULL) {
		log_state.writer(line, len, log_state.writer_ctx);
		return;
	}
	while (write(STDERR_FILENO, line, len) < 0 && errno == EINTR)
		;
}

/* The message as a JSON line; static, since it is large and used one at a
 * time (grace is one thread; signals arrive through the loop). */
static void
put_json(const char *message, size_t len)
{
	static char line[6 * LOG_MESSAGE_MAX + 256];
	struct timespec now;
	struct logfmt_line item = {
		.service = "grace",
		.width = 0,
		.is_stderr = true,
		.text = message,
		.len = len,
		.partial = false,
		.time = &now,
	};

	clock_gettime(CLOCK_REALTIME, &now);
	if (logfmt_size(LOGFMT_JSON, &item) > sizeof(line))
		return;
	put_line(line, logfmt_write(LOGFMT_JSON, &item, line));
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
	static const char prefix[] = "grace: ";
	char line[LOG_MESSAGE_MAX];
	int saved = errno;
	size_t len, cap = sizeof(line) - 1;
	int n;

	n = snprintf(line, cap, "%s", prefix);
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
	if (log_state.format == LOGFMT_JSON) {
		put_json(line + sizeof(prefix) - 1, len - (sizeof(prefix) - 1));
	} else {
		line[len++] = '\n';
		put_line(line, len);
	}
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

const char *
log_format_ms(long long ms, char *buf, size_t len)
{
	if (ms < 1000)
		snprintf(buf, len, "%lldms", ms);
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%llds", ms / 1000);
	else
		snprintf(buf, len, "%lld.%03llds", ms / 1000, ms % 1000);
	return buf;
}
