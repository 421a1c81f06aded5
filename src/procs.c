// SPDX-License-Identifier: MIT
/* Owns enumerating processes (the PID namespace, or grace's descendants in
 * /proc) and signalling all of them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "procs.h"

/* Parses a whole decimal pid (>= 0) at the start of text, up to a space
 * or the end; -1 for anything else. */
static pid_t
parse_pid(const char *text)
{
	char *end;
	long value;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || value > INT_MAX || (*end != '\0' && *end != ' '))
		return -1;
	return (pid_t)value;
}

int
procs_parse_stat(const char *stat, char *state, pid_t *ppid)
{
	const char *p = strrchr(stat, ')');	/* comm may hold ')' too */
	pid_t value;

	/* After the comm: " S PPID ...". */
	if (p == NULL || p[1] != ' ' || p[2] == '\0' || p[3] != ' ')
		return -1;
	value = parse_pid(p + 4);
	if (value < 0)
		return -1;
	*state = p[2];
	*ppid = value;
	return 0;
}

static int
compare_ppid(const void *a, const void *b)
{
	const struct procs_entry *x = a, *y = b;

	return (x->ppid > y->ppid) - (x->ppid < y->ppid);
}

/* The index of the first entry whose ppid is ppid, or n. */
static size_t
first_child(const struct procs_entry *entries, size_t n, pid_t ppid)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (entries[mid].ppid < ppid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && entries[lo].ppid == ppid ? lo : n;
}

size_t
procs_descendants(struct procs_entry *entries, size_t n, pid_t root,
		  pid_t *out)
{
	size_t found = 0, next = 0, i;
	pid_t parent = root;

	if (n == 0)
		return 0;
	qsort(entries, n, sizeof(*entries), compare_ppid);
	/* Breadth first: out doubles as the queue of parents to expand.
	 * A pid is someone's child once, so no pid is written twice. */
	for (;;) {
		for (i = first_child(entries, n, parent);
		     i < n && entries[i].ppid == parent && found < n; i++)
			out[found++] = entries[i].pid;
		if (next == found)
			return found;
		parent = out[next++];
	}
}

/* Reads the state and ppid of one process; -1 if it has gone or is
 * unreadable. */
static int
read_stat(const char *pid, char *state, pid_t *ppid)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return procs_parse_stat(buf, state, ppid);
}

int
procs_stat(pid_t pid, char *state, pid_t *ppid)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", (int)pid);
	return read_stat(name, state, ppid);
}

/* Lists every process in /proc into a fresh array; -errno on failure. */
static int
scan_proc(struct procs_entry **out, size_t *count)
{
	struct procs_entry *entries = NULL, *grown;
	size_t n = 0, cap = 0;
	struct dirent *d;
	pid_t ppid;
	char state;
	DIR *dir;

	dir = opendir("/proc");
	if (dir == NULL)
		return -errno;
	while ((errno = 0, d = readdir(dir)) != NULL) {
		if (parse_pid(d->d_name) <= 0 ||
		    read_stat(d->d_name, &state, &ppid) < 0)
			continue;	/* not a process, or exited since */
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			grown = realloc(entries, cap * sizeof(*entries));
			if (grown == NULL) {
				free(entries);
				closedir(dir);
				return -ENOMEM;
			}
			entries = grown;
		}
		entries[n].pid = parse_pid(d->d_name);
		entries[n].ppid = ppid;
		n++;
	}
	closedir(dir);
	*out = entries;
	*count = n;
	return 0;
}

/* A set of pids already signalled, kept sorted for bsearch. */
struct pid_set {
	pid_t *pids;
	size_t n, cap;
};

static int
compare_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static bool
pid_set_has(const struct pid_set *set, pid_t pid)
{
	return set->n &&
	       bsearch(&pid, set->pids, set->n, sizeof(pid), compare_pid);
}

/* Adds the pids in add[0..n) to set; 0 or -ENOMEM. */
static int
pid_set_add(struct pid_set *set, const pid_t *add, size_t n)
{
	pid_t *grown;

	if (n == 0)
		return 0;
	if (set->n + n > set->cap) {
		set->cap = (set->n + n) * 2;
		grown = realloc(set->pids, set->cap * sizeof(*grown));
		if (grown == NULL)
			return -ENOMEM;
		set->pids = grown;
	}
	memcpy(set->pids + set->n, add, n * sizeof(*add));
	set->n += n;
	qsort(set->pids, set->n, sizeof(*set->pids), compare_pid);
	return 0;
}

/*
 * One walk: signals the descendants not signalled before and adds them
 * to done.  Returns how many it signalled, or -errno.
 */
static int
signal_new_descendants(int sig, struct pid_set *done)
{
	struct procs_entry *entries = NULL;
	size_t n = 0, found, fresh = 0, i;
	pid_t *pids;
	int rc;

	rc = scan_proc(&entries, &n);
	if (rc < 0)
		return rc;
	pids = malloc((n ? n : 1) * sizeof(*pids));
	if (pids == NULL) {
		free(entries);
		return -ENOMEM;
	}
	found = procs_descendants(entries, n, getpid(), pids);
	for (i = 0; i < found; i++) {
		if (pid_set_has(done, pids[i]))
			continue;
		/* ESRCH: it exited since the scan; nothing to do. */
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			warn_errno("unable to signal pid %d", (int)pids[i]);
		pids[fresh++] = pids[i];
	}
	rc = pid_set_add(done, pids, fresh);
	free(pids);
	free(entries);
	return rc < 0 ? rc : (int)fresh;
}

int
procs_signal_all(int sig, bool pid1)
{
	struct pid_set done = { NULL, 0, 0 };
	int rc;

	if (pid1) {
		/* kill(-1) reaches every process in the namespace but us,
		 * whatever its group or session. */
		if (kill(-1, sig) == 0)
			return 1;
		return errno == ESRCH ? 0 : -errno;
	}
	do
		rc = signal_new_descendants(sig, &done);
	while (rc > 0);
	free(done.pids);
	return rc < 0 ? rc : (int)done.n;
}

/* Whether /proc is the PID namespace grace is in: /proc/self names us. */
static bool
proc_is_ours(pid_t self)
{
	char link[32];
	ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);

	if (n <= 0)
		return false;
	link[n] = '\0';
	return parse_pid(link) == self;
}

pid_t
procs_find_stranger(pid_t after)
{
	pid_t self = getpid(), pid, found = 0, ppid;
	struct dirent *d;
	char state;
	DIR *dir;

	/* The common case, no one: one kill(-1) says so without /proc. */
	if (kill(-1, 0) < 0 && errno == ESRCH)
		return 0;
	dir = opendir("/proc");
	if (dir == NULL)
		return -errno;
	if (!proc_is_ours(self)) {
		closedir(dir);
		return 0;
	}
	while ((d = readdir(dir)) != NULL) {
		pid = parse_pid(d->d_name);
		if (pid <= after || pid == self || (found != 0 && pid > found) ||
		    read_stat(d->d_name, &state, &ppid) < 0)
			continue;
		if (state != 'Z' && state != 'X')
			found = pid;
	}
	closedir(dir);
	return found;
}
