// SPDX-License-Identifier: MIT
/* Owns what gracectl ps decides about the processes it read: whose tree
 * to show, the tree's order, and the marks (zombie, own group or session,
 * entered from outside, a PID 1 that ignores `kill 1`).  Pure. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "pstree.h"

const char *
pstree_mark_text(enum pstree_mark mark)
{
	switch (mark) {
	case PSTREE_ZOMBIE:
		return "zombie";
	case PSTREE_OWN_GROUP:
		return "own group";
	case PSTREE_OWN_SESSION:
		return "own session";
	case PSTREE_ENTERED:
		return "entered from outside";
	case PSTREE_TERM_IGNORED:
		return "no handler for SIGTERM: `kill 1` is ignored";
	case PSTREE_MARKS:
		break;
	}
	return "?";
}

unsigned
pstree_marks(const struct procinfo *info, const struct procinfo *parent)
{
	const uint64_t *masks = info->masks;
	unsigned marks = 0;

	if (info->state == 'Z')
		marks |= PSTREE_ZOMBIE;
	if (parent != NULL && info->sid != parent->sid)
		marks |= PSTREE_OWN_SESSION;
	else if (parent != NULL && info->pgid != parent->pgid)
		marks |= PSTREE_OWN_GROUP;
	/* docker exec, runc and crun exec: the parent is outside the PID
	 * namespace, so the kernel shows ppid 0.  Kernel threads (kthreadd
	 * on a host's /proc) have ppid 0 too, and came from nowhere. */
	if (info->ppid == 0 && info->pid != 1 && !info->kernel_thread)
		marks |= PSTREE_ENTERED;
	/*
	 * The kernel drops a signal sent to a namespace's init from inside
	 * the namespace when the init's disposition is SIG_DFL, unless the
	 * signal is blocked: a blocked signal is queued and can be read
	 * (grace blocks SIGTERM and reads it from a signalfd).  So a handler
	 * (SigCgt) or a block (SigBlk) both count as handled.
	 */
	if (info->pid == 1 && info->has_status &&
	    !procinfo_has_signal(masks[PROCINFO_CAUGHT], SIGTERM) &&
	    !procinfo_has_signal(masks[PROCINFO_BLOCKED], SIGTERM))
		marks |= PSTREE_TERM_IGNORED;
	return marks;
}

/* The procs array seen through indexes, for qsort and bsearch. */
static const struct procinfo *sort_procs;

static int
compare_pid(const void *a, const void *b)
{
	pid_t x = sort_procs[*(const size_t *)a].pid;
	pid_t y = sort_procs[*(const size_t *)b].pid;

	return (x > y) - (x < y);
}

static int
compare_ppid_pid(const void *a, const void *b)
{
	const struct procinfo *x = &sort_procs[*(const size_t *)a];
	const struct procinfo *y = &sort_procs[*(const size_t *)b];

	if (x->ppid != y->ppid)
		return (x->ppid > y->ppid) - (x->ppid < y->ppid);
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The index of the process pid among by_pid (sorted by pid), or n. */
static size_t
find_pid(const struct procinfo *procs, const size_t *by_pid, size_t n,
	 pid_t pid)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (procs[by_pid[mid]].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && procs[by_pid[lo]].pid == pid ? by_pid[lo] : n;
}

/* The first position in by_ppid (sorted by ppid, then pid) whose process
 * has parent ppid, or n. */
static size_t
first_child(const struct procinfo *procs, const size_t *by_ppid, size_t n,
	    pid_t ppid)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (procs[by_ppid[mid]].ppid < ppid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether procs[i] starts a tree: its parent is not there (or is
 * itself, which only made-up text can say). */
static bool
is_root(const struct procinfo *procs, const size_t *by_pid, size_t n,
	size_t i)
{
	return procs[i].ppid == 0 || procs[i].ppid == procs[i].pid ||
	       find_pid(procs, by_pid, n, procs[i].ppid) == n;
}

/* One entry of the walk's stack: a process and its depth. */
struct pending {
	size_t index;
	unsigned depth;
};

/*
 * The walk itself, with a stack instead of recursion (a tree can be as
 * deep as pid_max).  Each process has one parent, so it is pushed at most
 * once per copy of its parent's pid; the bounds only matter for made-up
 * input with a pid twice.
 */
static size_t
walk(const struct procinfo *procs, size_t n, const size_t *by_pid,
     const size_t *by_ppid, struct pending *stack, size_t top,
     struct pstree_row *rows)
{
	const struct procinfo *parent;
	struct pending at;
	size_t count = 0, first, end, j, p;

	while (top > 0 && count < n) {
		at = stack[--top];
		p = find_pid(procs, by_pid, n, procs[at.index].ppid);
		parent = p < n && p != at.index ? &procs[p] : NULL;
		rows[count].index = at.index;
		rows[count].depth = at.depth;
		rows[count].marks = pstree_marks(&procs[at.index], parent);
		count++;
		first = first_child(procs, by_ppid, n, procs[at.index].pid);
		for (end = first;
		     end < n && procs[by_ppid[end]].ppid == procs[at.index].pid;
		     end++)
			;
		/* Pushed last to first, so that the lowest pid comes
		 * out first. */
		for (j = end; j > first && top < n; j--) {
			if (by_ppid[j - 1] == at.index)
				continue;
			stack[top].index = by_ppid[j - 1];
			stack[top].depth = at.depth + 1;
			top++;
		}
	}
	return count;
}

int
pstree_order(const struct procinfo *procs, size_t n, pid_t root,
	     struct pstree_row *rows, size_t *count)
{
	size_t *by_pid, *by_ppid, i, top = 0, r;
	struct pending *stack;

	*count = 0;
	if (n == 0)
		return 0;
	by_pid = calloc(n, sizeof(*by_pid));
	by_ppid = calloc(n, sizeof(*by_ppid));
	stack = calloc(n, sizeof(*stack));
	if (by_pid == NULL || by_ppid == NULL || stack == NULL) {
		free(by_pid);
		free(by_ppid);
		free(stack);
		return -1;
	}
	for (i = 0; i < n; i++)
		by_pid[i] = by_ppid[i] = i;
	sort_procs = procs;
	qsort(by_pid, n, sizeof(*by_pid), compare_pid);
	qsort(by_ppid, n, sizeof(*by_ppid), compare_ppid_pid);
	sort_procs = NULL;
	if (root != 0) {
		r = find_pid(procs, by_pid, n, root);
		if (r < n)
			stack[top++] = (struct pending){ r, 0 };
	} else {
		/* by_pid from the highest down: the stack gives the lowest
		 * root first. */
		for (i = n; i > 0; i--)
			if (is_root(procs, by_pid, n, by_pid[i - 1]))
				stack[top++] = (struct pending){ by_pid[i - 1],
								 0 };
	}
	*count = walk(procs, n, by_pid, by_ppid, stack, top, rows);
	free(by_pid);
	free(by_ppid);
	free(stack);
	return 0;
}

/* The process pid among the n, or NULL. */
static const struct procinfo *
lookup(const struct procinfo *procs, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

pid_t
pstree_choose_root(const struct procinfo *procs, size_t n, pid_t ppid,
		   pstree_is_grace_fn *is_grace, void *ctx)
{
	const struct procinfo *info = lookup(procs, n, 1);
	size_t steps;

	if (info != NULL && is_grace(info, ctx))
		return 0;
	/* At most n steps: a chain of made-up parents may loop. */
	for (steps = 0; steps < n && ppid > 1; steps++) {
		info = lookup(procs, n, ppid);
		if (info == NULL)
			break;
		if (is_grace(info, ctx))
			return info->pid;
		ppid = info->ppid;
	}
	return 0;
}

bool
pstree_comm_is_grace(const char *comm)
{
	static const char *const names[] = {
		"grace", "tini", "tini-static", "docker-init", "dumb-init",
		"catatonit",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(comm, names[i]) == 0)
			return true;
	return false;
}
