/* SPDX-License-Identifier: MIT */
/* The table of processes grace started and supervises. */
#ifndef GRACE_TABLE_H
#define GRACE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum proc_role {
	PROC_MAIN,	/* its exit ends the container, its status is ours */
};

struct proc {
	pid_t pid;
	enum proc_role role;
	const char *name;	/* argv[0], for messages */
};

/* Grows as processes are added; small and searched linearly, since it
 * holds what grace started, not the orphans it reaps. */
struct table {
	struct proc *procs;
	size_t n, cap;
	struct proc few[2];	/* the main process, and a followed one */
};

/* Makes room for n more processes; 0 or -ENOMEM. */
int table_reserve(struct table *table, size_t n);
/* Adds a process; 0 or -ENOMEM (never after a table_reserve for it). */
int table_add(struct table *table, pid_t pid, enum proc_role role,
	      const char *name);
/* The entry for pid, or NULL for a process grace did not start. */
struct proc *table_find(struct table *table, pid_t pid);
/* Removes pid's entry if there is one; the order of the rest may change. */
void table_remove(struct table *table, pid_t pid);
void table_free(struct table *table);

#endif
