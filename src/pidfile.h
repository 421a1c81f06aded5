/* SPDX-License-Identifier: MIT */
/* Reading a daemon's pidfile, which grace does not trust. */
#ifndef GRACE_PIDFILE_H
#define GRACE_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Parses a pidfile's text: a positive decimal pid, optionally surrounded by
 * white space (a trailing newline, as daemons write it).  Returns 0, or -1
 * with the reason in why.
 */
int pidfile_parse(const char *text, pid_t *pid, char *why, size_t why_len);

/* Reads and parses the pidfile at path; 0, or -1 with the reason in why
 * (it cannot be read, it is empty, it holds no pid). */
int pidfile_read(const char *path, pid_t *pid, char *why, size_t why_len);

#endif
