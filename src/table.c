// SPDX-License-Identifier: MIT
/* Owns the table of processes grace started: who they are, what role. */
#include <errno.h>
#include <stdlib.h>

#include "grow.h"
#include "table.h"

int
table_reserve(struct table *table, size_t n)
{
	void *procs = table->procs;
	int rc = grow_array(&procs, &table->cap, table->n + n,
			    sizeof(struct proc), table->few,
			    sizeof(table->few) / sizeof(table->few[0]));

	table->procs = procs;
	return rc;
}

int
table_add(struct table *table, pid_t pid, enum proc_role role,
	  const char *name)
{
	if (table_reserve(table, 1) < 0)
		return -ENOMEM;
	table->procs[table->n++] = (struct proc){ pid, role, name };
	return 0;
}

struct proc *
table_find(struct table *table, pid_t pid)
{
	size_t i;

	for (i = 0; i < table->n; i++)
		if (table->procs[i].pid == pid)
			return &table->procs[i];
	return NULL;
}

void
table_remove(struct table *table, pid_t pid)
{
	struct proc *proc = table_find(table, pid);

	if (proc != NULL)
		*proc = table->procs[--table->n];
}

void
table_free(struct table *table)
{
	grow_free(table->procs, table->few);
	table->procs = NULL;
	table->n = table->cap = 0;
}
