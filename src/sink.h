/* SPDX-License-Identifier: MIT */
/* One of grace's own descriptors (stdout, stderr), written without ever
 * blocking. */
#ifndef GRACE_SINK_H
#define GRACE_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sink {
	int fd;			/* where writes go */
	bool own;		/* fd is a description of grace's own */
	bool is_socket;		/* written with send(MSG_DONTWAIT) */
	/* A blocking description grace may not change: a write goes only
	 * when poll() says there is room, and takes at most PIPE_BUF. */
	bool careful;
	/* Other processes write to the same pipe: each write is whole lines
	 * of at most PIPE_BUF bytes, which the kernel never splits. */
	bool atomic;
	bool pollable;		/* a write may find no room: wait for it */
	bool closed;		/* not open at all: writes are dropped */
	int restore_flags;	/* file status flags to put back, or -1 */
};

/*
 * Opens grace's descriptor fd for writes that never block.  O_NONBLOCK on
 * fd itself would change an open file description that the main process
 * and StandardOutput=inherit services may share (shared), whose writes
 * would then fail with EAGAIN: a pipe or a terminal is opened again
 * through /proc as a description of grace's own; where that is refused (a
 * pipe owned by root when grace is not), fd itself is made non-blocking
 * if no one shares it, else written carefully.  A socket is written with
 * MSG_DONTWAIT, a regular file as it is.  Never fails.
 */
void sink_open(struct sink *sink, int fd, bool shared);
/* Whether descriptors a and b are the same file (2>&1, one terminal). */
bool sink_same_file(int a, int b);
/*
 * Writes the start of data (len bytes of whole lines) as far as it can go
 * now: the bytes written, 0 when there is no room (wait for writability),
 * or -errno when the descriptor is broken.  Never blocks.
 */
ssize_t sink_write(const struct sink *sink, const char *data, size_t len);
/* Puts fd's flags back and closes what grace opened. */
void sink_close(struct sink *sink);

#endif
