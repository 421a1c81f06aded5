// SPDX-License-Identifier: MIT
/* Owns the one event loop: an epoll set, waited on with no timeout. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "grow.h"
#include "log.h"
#include "loop.h"

/* Makes room for n more watches, each free; 0 or -ENOMEM. */
static int
add_slots(struct loop *loop, size_t n)
{
	void *watches = loop->watches;
	size_t i, cap = loop->cap;

	if (grow_array(&watches, &cap, loop->cap + n, sizeof(struct loop_watch),
		       loop->few, sizeof(loop->few) / sizeof(loop->few[0])) < 0)
		return -ENOMEM;
	loop->watches = watches;
	for (i = loop->cap; i < cap; i++)
		loop->watches[i] = (struct loop_watch){ .fd = -1 };
	loop->cap = cap;
	return 0;
}

int
loop_init(struct loop *loop, size_t capacity)
{
	loop->quit = false;
	loop->cap = 0;
	loop->epfd = -1;
	loop->watches = NULL;
	if (add_slots(loop, capacity) < 0)
		return -ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	return loop->epfd < 0 ? -errno : 0;
}

int
loop_reserve(struct loop *loop, size_t more)
{
	size_t i, free_slots = 0;

	for (i = 0; i < loop->cap; i++)
		free_slots += loop->watches[i].fd < 0;
	if (free_slots >= more)
		return 0;
	return add_slots(loop, more - free_slots);
}

/* The slot watching fd, or a free slot for fd -1; NULL if none. */
static struct loop_watch *
find_slot(struct loop *loop, int fd)
{
	size_t i;

	for (i = 0; i < loop->cap; i++)
		if (loop->watches[i].fd == fd)
			return &loop->watches[i];
	return NULL;
}

/* Watches fd for events. */
static int
watch_for(struct loop *loop, int fd, uint32_t events, loop_fn *fn, void *ctx)
{
	struct epoll_event ev = { .events = events };
	struct loop_watch *watch = find_slot(loop, -1);
	uint32_t generation;

	if (watch == NULL)
		return -ENOSPC;
	generation = watch->generation + 1;
	ev.data.u64 = (uint64_t)(watch - loop->watches) << 32 | generation;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	*watch = (struct loop_watch){ fd, generation, fn, ctx };
	return 0;
}

int
loop_watch(struct loop *loop, int fd, loop_fn *fn, void *ctx)
{
	return watch_for(loop, fd, EPOLLIN, fn, ctx);
}

int
loop_watch_writable(struct loop *loop, int fd, loop_fn *fn, void *ctx)
{
	return watch_for(loop, fd, EPOLLOUT, fn, ctx);
}

int
loop_unwatch(struct loop *loop, int fd)
{
	struct loop_watch *watch = find_slot(loop, fd);

	if (watch == NULL)
		return -ENOENT;
	watch->fd = -1;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) < 0)
		return -errno;
	return 0;
}

void
loop_run(struct loop *loop)
{
	struct epoll_event events[32];
	struct loop_watch *watch;
	int n, i;

	while (!loop->quit) {
		n = epoll_wait(loop->epfd, events, 32, -1);
		if (n < 0) {
			if (errno != EINTR)
				warn_errno("unable to wait for events");
			continue;
		}
		for (i = 0; i < n && !loop->quit; i++) {
			watch = &loop->watches[events[i].data.u64 >> 32];
			/* An earlier callback of this batch may have
			 * unwatched it, and maybe watched another. */
			if (watch->fd >= 0 &&
			    watch->generation == (uint32_t)events[i].data.u64)
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
	grow_free(loop->watches, loop->few);
	loop->watches = NULL;
	loop->cap = 0;
}
