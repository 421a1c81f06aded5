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

/* An option's argument, as num_parse() and sig_parse() read it; calls
 * usage (which must not return) when it is not one. */
typedef void usage_fn(void);
long num_arg(const char *text, usage_fn *usage);
int sig_arg(const char *text, usage_fn *usage);

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
/* As sig_wait(); returns the sender's pid. */
pid_t sig_wait_sender(const sigset_t *set);

/* What an orphan does; it must not return.  middle is the pid of the
 * process that forked it and has exited (or is exiting). */
typedef void orphan_fn(pid_t middle, void *ctx);

/*
 * Makes an orphan: forks a middle process that forks the orphan and exits
 * at once, so that the orphan goes to the init (or subreaper).  The orphan
 * runs fn(middle, ctx), or exits at once when fn is NULL.  Reaps the middle
 * process; exits if a fork failed.
 */
void make_orphan(orphan_fn *fn, void *ctx);

#endif
