/* SPDX-License-Identifier: MIT */
/* The one event loop: epoll over signalfd, timerfd and later sockets. */
#ifndef GRACE_LOOP_H
#define GRACE_LOOP_H

#include <stdbool.h>

/* Called when fd is readable; must read until EAGAIN (level-triggered
 * epoll would call it again at once otherwise, which is harmless). */
typedef void loop_fn(int fd, void *ctx);

struct loop_watch {
	int fd;
	loop_fn *fn;
	void *ctx;
};

#define LOOP_MAX_WATCHES 16

/* Watches live in fixed slots (fd -1 when free): epoll holds pointers
 * to them, so they never move. */
struct loop {
	int epfd;
	bool quit;
	struct loop_watch watches[LOOP_MAX_WATCHES];
};

/* Creates the epoll instance; 0 or -errno. */
int loop_init(struct loop *loop);
/* Calls fn(fd, ctx) whenever fd is readable; 0 or -errno. */
int loop_watch(struct loop *loop, int fd, loop_fn *fn, void *ctx);
/* Stops watching fd (the caller closes it); 0 or -errno. */
int loop_unwatch(struct loop *loop, int fd);
/* Waits for events with no timeout, so an idle grace never wakes, and
 * dispatches them until loop_quit() is called.  Never fails: errors of
 * epoll_wait other than EINTR are logged and waited out. */
void loop_run(struct loop *loop);
void loop_quit(struct loop *loop);
void loop_close(struct loop *loop);

#endif
