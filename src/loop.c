// SPDX-License-Identifier: MIT
/* Owns the one event loop: an epoll set, waited on with no timeout. */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

int
loop_init(struct loop *loop)
{
	loop->n = 0;
	loop->quit = false;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	return loop->epfd < 0 ? -errno : 0;
}

int
loop_watch(struct loop *loop, int fd, loop_fn *fn, void *ctx)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct loop_watch *watch;

	if (loop->n == LOOP_MAX_WATCHES)
		return -ENOSPC;
	watch = &loop->watches[loop->n];
	*watch = (struct loop_watch){ fd, fn, ctx };
	ev.data.ptr = watch;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	loop->n++;
	return 0;
}

void
loop_run(struct loop *loop)
{
	struct epoll_event events[LOOP_MAX_WATCHES];
	struct loop_watch *watch;
	int n, i;

	while (!loop->quit) {
		n = epoll_wait(loop->epfd, events, LOOP_MAX_WATCHES, -1);
		if (n < 0) {
			if (errno != EINTR)
				warn_errno("unable to wait for events");
			continue;
		}
		for (i = 0; i < n && !loop->quit; i++) {
			watch = events[i].data.ptr;
			watch->fn(watch->fd, watch->ctx);
		}
	}
}

void
loop_quit(struct loop *loop)
{
	loop->quit = true;
}

void
loop_close(struct loop *loop)
{
	if (loop->epfd >= 0)
		close(loop->epfd);
	loop->epfd = -1;
}
