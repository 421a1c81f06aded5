/* SPDX-License-Identifier: MIT */
/* Supervising the running container: signals, reaping, the stop. */
#ifndef GRACE_SUPERVISE_H
#define GRACE_SUPERVISE_H

#include <sys/types.h>

#include "cli.h"
#include "plan.h"
#include "sig.h"

/*
 * Prepares everything supervision needs before the child exists (the
 * event loop, the grace timer, becoming a subreaper when not PID 1), so
 * that a failure can still die cleanly.  sigfd is from sig_setup().
 */
void supervise_setup(const struct settings *settings, struct plan *plan,
		     int sigfd, const struct sig_inherited *inherited);

/*
 * Starts the services and, once they are ready, the main process (none
 * in pause mode), then supervises them until no process is left, and
 * returns the exit code grace must exit with.  From here on grace may not
 * die: a PID 1 that exits early makes the kernel SIGKILL every process in
 * the container, so every error is logged and survived.
 */
int supervise_run(void);

#endif
