/* SPDX-License-Identifier: MIT */
/* Signal names and numbers, grace's signal mask and its signalfd. */
#ifndef GRACE_SIG_H
#define GRACE_SIG_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* Room for "SIGRTMIN+NN" and a terminating NUL. */
#define SIG_NAME_MAX 16

/* The signal number for "TERM", "SIGTERM", "term", "15", "RTMIN+2", ...;
 * -1 when the text names no signal. */
int sig_from_name(const char *text);
/* Writes the name of sig ("SIGTERM", "SIGRTMIN+2", "signal 99") to buf. */
const char *sig_name(int sig, char buf[SIG_NAME_MAX]);
/* Whether grace reads sig from its signalfd and can pass it on: every
 * signal but SIGKILL, SIGSTOP, SIGCHLD, SIGPIPE and the fault signals the
 * kernel sends for grace's own bugs. */
bool sig_is_forwardable(int sig);

/* What grace inherited and must give back to its children before exec. */
struct sig_inherited {
	struct sigaction chld;
	struct sigaction pipe;
};

/*
 * Blocks every forwardable signal and SIGCHLD, ignores SIGPIPE (a write to
 * a closed stderr must not kill PID 1) and makes SIGCHLD reportable, then
 * returns a non-blocking close-on-exec signalfd for them.  Saves what it
 * changed in *inherited.  Dies on failure: it runs before the child exists.
 */
int sig_setup(struct sig_inherited *inherited);
/*
 * In a freshly forked child: gives back the dispositions grace changed
 * and unblocks every signal.  Async-signal-safe; returns 0 or -errno.
 */
int sig_restore_for_child(const struct sig_inherited *inherited);

#endif
