/* SPDX-License-Identifier: MIT */
/* gracectl, grace under another name: its command line and exit codes. */
#ifndef GRACE_CTL_H
#define GRACE_CTL_H

#include <stdbool.h>

/* gracectl's exit codes, a contract written in grace(1). */
enum ctl_exit {
	CTL_OK = 0,
	CTL_NO = 1,		/* the answer is "no" */
	CTL_USAGE = 2,
	CTL_UNREACHABLE = 3,	/* cannot reach grace (ps: cannot read /proc) */
};

/* Whether the binary was started as gracectl (argv[0]'s last part). */
bool ctl_invoked(const char *argv0);

/* Runs gracectl's command line; returns the exit code. */
int ctl_main(int argc, char **argv);

#endif
