// SPDX-License-Identifier: MIT
/* Lists the descriptors it was born with: what its parent let leak. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/helper.h"

/*
 * Usage: fds
 *
 * Lists /proc/self/fd before it opens anything else (less the descriptor
 * that reads the list), then opens the event log and logs, for each one,
 * "fd N cloexec=0|1 target=WHERE" (WHERE as readlink(2) gives it:
 * /dev/null, pipe:[...], anon_inode:[signalfd]...), then "listed n=N", and
 * exits 0.
 */

#define MAX_FDS 1024

struct fd_seen {
	int fd;
	int cloexec;
};

/* Fills seen[] with the open descriptors; returns how many. */
static size_t
list_fds(struct fd_seen *seen, size_t max)
{
	struct dirent *d;
	size_t n = 0;
	long fd;
	int flags;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		die_errno("open /proc/self/fd");
	while ((errno = 0, d = readdir(dir)) != NULL) {
		fd = num_parse(d->d_name);
		if (fd < 0 || fd == dirfd(dir))
			continue;
		if (n == max)
			die("more than %zu descriptors", max);
		flags = fcntl((int)fd, F_GETFD);
		if (flags < 0)
			die_errno("fcntl");
		seen[n++] = (struct fd_seen){ (int)fd, !!(flags & FD_CLOEXEC) };
	}
	if (errno != 0)
		die_errno("read /proc/self/fd");
	closedir(dir);
	return n;
}

int
main(void)
{
	static struct fd_seen seen[MAX_FDS];
	char path[64], target[256];
	size_t n, i;
	ssize_t len;

	n = list_fds(seen, MAX_FDS);
	ev_open("fds");
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", seen[i].fd);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			die_errno("readlink");
		target[len] = '\0';
		ev_log("fd %d cloexec=%d target=%s", seen[i].fd,
		       seen[i].cloexec, target);
	}
	ev_log("listed n=%zu", n);
	return 0;
}
