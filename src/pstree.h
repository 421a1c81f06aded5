/* SPDX-License-Identifier: MIT */
/* gracectl ps's decisions: which processes, in what tree order, and what
 * is remarkable about each. */
#ifndef GRACE_PSTREE_H
#define GRACE_PSTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "procinfo.h"

/* What gracectl ps points out about a process, as bits. */
enum pstree_mark {
	PSTREE_ZOMBIE = 1 << 0,		/* state Z: exited, not yet reaped */
	PSTREE_OWN_GROUP = 1 << 1,	/* pgid differs from its parent's */
	PSTREE_OWN_SESSION = 1 << 2,	/* sid differs from its parent's */
	PSTREE_ENTERED = 1 << 3,	/* ppid 0: exec'd from outside */
	PSTREE_TERM_IGNORED = 1 << 4,	/* PID 1 that `kill 1` cannot stop */
	PSTREE_MARKS = 5,		/* how many there are */
};

/* The words gracectl prints for one mark ("own session"). */
const char *pstree_mark_text(enum pstree_mark mark);

/* One line of the tree: which process, how deep, its marks. */
struct pstree_row {
	size_t index;		/* into the procinfo array */
	unsigned depth;		/* 0 for a root */
	unsigned marks;		/* enum pstree_mark bits */
};

/*
 * Orders the n processes as a tree, depth first, children after their
 * parent and siblings by pid; writes at most n rows.  root 0: every
 * process, the roots being those whose parent is not among them (PID 1,
 * and processes entered from outside), by pid.  Otherwise root's subtree
 * alone (nothing when root is not there).  Fills each row's marks.  0
 * with *count rows, or -1 when out of memory.
 */
int pstree_order(const struct procinfo *procs, size_t n, pid_t root,
		 struct pstree_row *rows, size_t *count);

/*
 * The marks of info, whose parent is parent (NULL when it is not among
 * the processes shown).  A process in a session of its own is marked so,
 * not also as in a group of its own (a new session is a new group).
 */
unsigned pstree_marks(const struct procinfo *info,
		      const struct procinfo *parent);

/* Whether the process is grace (however the caller can tell). */
typedef bool pstree_is_grace_fn(const struct procinfo *info, void *ctx);

/*
 * Whose tree gracectl shows: 0 (every process) when PID 1 is grace;
 * otherwise grace's pid when an ancestor of gracectl (whose parent is
 * ppid) is grace, the nearest one; otherwise 0 again.
 */
pid_t pstree_choose_root(const struct procinfo *procs, size_t n, pid_t ppid,
			 pstree_is_grace_fn *is_grace, void *ctx);

/* Whether comm names grace under one of its names (grace, or a persona:
 * tini, docker-init, dumb-init, catatonit). */
bool pstree_comm_is_grace(const char *comm);

#endif
