// SPDX-License-Identifier: MIT
/* What every test helper shares: the event log, signal names, time, /proc. */
#ifndef HELPER_H
#define HELPER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The environment variable that names the event log (stderr when unset). */
#define EVENT_LOG_ENV "EVENT_LOG"

/* Opens the event log and remembers NAME as the first word of each line. */
void ev_open(const char *name);

/*
 * Appends one line "NAME PID EVENT... t=SECONDS" with a single write(2) on
 * an O_APPEND descriptor, so that lines of concurrent processes never
 * interleave.  t is CLOCK_MONOTONIC, the clock of Python's time.monotonic().
 * Keeps errno.  Not async-signal-safe: call it from ordinary code only.
 */
void ev_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Logs "error WHAT: strerror(errno)" to the event log and to stderr, and
 * exits 1. */
void die_errno(const char *what) __attribute__((noreturn));

/* Logs "error MESSAGE" to the event log and to stderr, and exits 1. */
void die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/* "TERM", "RTMIN+3"...: the name of SIG without "SIG".  Static storage. */
const char *sig_name(int sig);

/* Parses "TERM", "SIGTERM", "RTMIN+3" or "15"; -1 when it is none. */
int sig_parse(const char *text);

/* Parses a whole non-negative decimal number; -1 when it is not one. */
long num_parse(const char *text);

/* Reads a hexadecimal mask line ("SigBlk", "SigIgn") of /proc/self/status;
 * dies when it cannot. */
uint64_t status_mask(const char *field);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t now_ns(void);

/* Sleeps MS milliseconds whatever signals arrive (the caller blocks the ones
 * it handles). */
void sleep_ms(long ms);

/* Fills SET with every signal a process may block (all but KILL, STOP). */
void sig_fill_catchable(sigset_t *set);

/* Waits for one of the signals in set (which the caller blocks), through
 * EINTR; fills *info if it is not NULL and returns the signal.  Exits on
 * any other failure. */
int sig_wait(const sigset_t *set, siginfo_t *info);

#endif
