/* SPDX-License-Identifier: MIT */
/* The one event loop: epoll over signalfd, timerfd and later sockets. */
#ifndef GRACE_LOOP_H
#define GRACE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

/* Called when fd is readable; must read until EAGAIN (level-triggered
 * epoll would call it again at once otherwise, which is harmless). */
typedef void loop_fn(int fd, void *ctx);

struct loop_watch {
	int fd;
	uint32_t generation;	/* bumped at each watch of the slot */
	loop_fn *fn;
	void *ctx;
};

/* Watches live in slots allocated once (fd -1 when free).  epoll holds a
 * slot's index and generation, so that an event of a batch for a
 * descriptor unwatched by an earlier callback never reaches a new watch
 * in the same slot. */
struct loop {
	int epfd;
	bool quit;
	struct loop_watch *watches;
	size_t cap;
	struct loop_watch few[6];	/* enough for a single command */
};

/* Creates the epoll instance with room for capacity watches, which grace
 * counts from its plan before any process runs; 0 or -errno. */
int loop_init(struct loop *loop, size_t capacity);
/* Makes sure more watches fit beside those there are (gracectl reload
 * adds services); slots keep their indices, so events already waiting
 * still find theirs.  0 or -ENOMEM. */
int loop_reserve(struct loop *loop, size_t more);
/* Calls fn(fd, ctx) whenever fd is readable; 0 or -errno. */
int loop_watch(struct loop *loop, int fd, loop_fn *fn, void *ctx);
/* Calls fn(fd, ctx) once fd is writable (a connect that completed); 0 or
 * -errno. */
int loop_watch_writable(struct loop *loop, int fd, loop_fn *fn, void *ctx);
/* Stops watching fd (the caller closes it); 0 or -errno. */
int loop_unwatch(struct loop *loop, int fd);
/* Waits for events with no timeout, so an idle grace never wakes, and
 * dispatches them until loop_quit() is called.  Never fails: errors of
 * epoll_wait other than EINTR are logged and waited out. */
void loop_run(struct loop *loop);
void loop_quit(struct loop *loop);
void loop_close(struct loop *loop);

#endif
