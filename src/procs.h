/* SPDX-License-Identifier: MIT */
/* Finding and signalling every process grace is responsible for. */
#ifndef GRACE_PROCS_H
#define GRACE_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct procs_entry {
	pid_t pid;
	pid_t ppid;
};

/* Takes the state letter and the parent pid from the text of
 * /proc/PID/stat; 0 or -1. */
int procs_parse_stat(const char *stat, char *state, pid_t *ppid);

/* Reads the state letter and parent pid of pid from /proc; 0 or -1 if it
 * has gone or cannot be read. */
int procs_stat(pid_t pid, char *state, pid_t *ppid);

/*
 * Writes to out the pids of root's descendants among the n entries (which
 * it sorts by ppid), children before grandchildren; out must have room
 * for n.  Returns how many it wrote.
 */
size_t procs_descendants(struct procs_entry *entries, size_t n, pid_t root,
			 pid_t *out);

/*
 * Sends sig to every process grace is responsible for.  As PID 1 that is
 * every process in the PID namespace, one kill(-1).  Otherwise grace is a
 * subreaper and it is every descendant of grace, found in /proc; processes
 * fork while the walk runs, so it walks again until a walk finds no one
 * new.  Returns how many processes it signalled (as PID 1: 1 if any, 0 if
 * none), or -errno when /proc cannot be read.
 */
int procs_signal_all(int sig, bool pid1);

/*
 * As PID 1 with no child left: the live process with the lowest pid above
 * after, other than grace, which can only have entered the namespace from
 * outside (`docker exec`, `runc exec`: its parent is not in the
 * namespace), or 0 if there is none.  Zombies do not count.  0 as well
 * when /proc is not this PID namespace's (no `--mount-proc`: its pids are
 * not ours).  -errno when /proc cannot be read.
 */
pid_t procs_find_stranger(pid_t after);

#endif
