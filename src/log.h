/* SPDX-License-Identifier: MIT */
/* Messages on stderr, prefixed "grace:", and grace's own exit code. */
#ifndef GRACE_LOG_H
#define GRACE_LOG_H

#include <stddef.h>

#include "logfmt.h"

/* grace's own failures: bad usage, or setup that failed before the child
 * existed.  Distinct from 126/127 (exec) and 128+N (signals). */
#define EXIT_GRACE_ERROR 125

void log_set_verbosity(int level);
int log_verbosity(void);
/* Plain ("grace: message") or one JSON object a message, service
 * "grace", stream "stderr". */
void log_set_format(enum logfmt_format format);

/* Where formatted message lines go instead of straight to stderr (the
 * relay of services' output, so that none cuts into a relayed line);
 * NULL for stderr again. */
typedef void log_writer_fn(const char *line, size_t len, void *ctx);
void log_set_writer(log_writer_fn *writer, void *ctx);

/* Before the child exists only: print and exit with EXIT_GRACE_ERROR. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As die(), with ": strerror(errno)" appended. */
_Noreturn void die_errno(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Always printed.  warn_errno() appends ": strerror(errno)". */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Formats one message line into buf, for an error that whoever can act on
 * it reports later; nothing when buf has no room. */
/* A duration for messages: "400ms", "2s", "1.500s"; returns buf. */
const char *log_format_ms(long long ms, char *buf, size_t len);
void format_line(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Printed with -v (info) and -vv (debug). */
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
