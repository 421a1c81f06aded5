// SPDX-License-Identifier: MIT
/* Owns writing to grace's own stdout and stderr without blocking: how each
 * is opened, how much one write may take, and when it may be tried. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sink.h"

void
sink_open(struct sink *sink, int fd, bool shared)
{
	char path[32];
	struct stat st;
	int own, flags;

	*sink = (struct sink){ .fd = fd, .restore_flags = -1 };
	if (fstat(fd, &st) < 0) {
		sink->closed = true;
		return;
	}
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		return;		/* never waits for a reader */
	sink->pollable = true;
	if (S_ISSOCK(st.st_mode)) {
		sink->is_socket = true;
		return;
	}
	sink->atomic = shared && S_ISFIFO(st.st_mode);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	own = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (own >= 0) {
		sink->fd = own;
		sink->own = true;
		return;
	}
	flags = fcntl(fd, F_GETFL);
	if (!shared && flags >= 0 &&
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0) {
		sink->restore_flags = flags;
		return;
	}
	/* Shared, and grace's own description refused: the kernel takes a
	 * write of PIPE_BUF bytes or fewer at once when poll() sees room,
	 * unless another writer fills that room first. */
	sink->careful = sink->atomic = true;
	info("descriptor %d cannot be reopened (%s) and is shared: its "
	     "writes wait for room, and take %d bytes at most",
	     fd, strerror(errno), PIPE_BUF);
}

bool
sink_same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* How much of data one atomic write takes: the whole lines within
 * PIPE_BUF bytes, or PIPE_BUF bytes of a line longer than that. */
static size_t
atomic_part(const char *data, size_t len)
{
	const char *newline;

	if (len <= PIPE_BUF)
		return len;
	newline = memrchr(data, '\n', PIPE_BUF);
	return newline != NULL ? (size_t)(newline - data) + 1 : PIPE_BUF;
}

/* Whether a careful write may go: poll() sees room now. */
static bool
has_room(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT) != 0;
}

ssize_t
sink_write(const struct sink *sink, const char *data, size_t len)
{
	ssize_t n;

	if (sink->closed)
		return -EBADF;
	if (sink->atomic)
		len = atomic_part(data, len);
	if (sink->careful && !has_room(sink->fd))
		return 0;
	do
		n = sink->is_socket
			    ? send(sink->fd, data, len,
				   MSG_DONTWAIT | MSG_NOSIGNAL)
			    : write(sink->fd, data, len);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	return errno == EAGAIN ? 0 : -errno;
}

void
sink_close(struct sink *sink)
{
	if (sink->restore_flags >= 0)
		(void)fcntl(sink->fd, F_SETFL, sink->restore_flags);
	if (sink->own)
		close(sink->fd);
	*sink = (struct sink){ .fd = -1, .closed = true, .restore_flags = -1 };
}
