/* SPDX-License-Identifier: MIT */
/* Crontabs and --cron one-liners, read into job units. */
#ifndef GRACE_CRONTAB_H
#define GRACE_CRONTAB_H

#include <stddef.h>

#include "unit.h"

/*
 * Parses a crontab (len bytes of text, from path): blank lines, '#'
 * comments, "KEY=VALUE" lines (the environment of the jobs below them;
 * blanks around '=' and matching quotes around the value are dropped),
 * CRON_TZ=ZONE, GRACE_OVERLAP=, GRACE_TIMEOUT= and GRACE_ESSENTIAL= lines
 * (settings of the jobs below them), and job lines "SCHEDULE COMMAND",
 * each run with /bin/sh -c.  A job is named "cron.LINE" unless the line
 * above it is "# name: NAME".  In a command, "\%" is a '%'; a bare '%'
 * (cron's stdin marker) is an error.  Appends one unit per job to *units
 * (grown with realloc, *n counting them).  0, or -1 with error
 * "PATH:LINE: problem"; units appended so far stay for the caller to
 * free.
 */
int crontab_parse(const char *path, const char *text, size_t len,
		  struct unit **units, size_t *n, char *error,
		  size_t error_len);

/* "SCHEDULE COMMAND ARGS" (--cron number index, from 1): a job named
 * "cron.argINDEX" whose command is split as ExecStart= is, with no shell.
 * 0, or -1 with error. */
int crontab_parse_oneliner(struct unit *unit, const char *text,
			   unsigned index, char *error, size_t error_len);

#endif
