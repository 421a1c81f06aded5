/* SPDX-License-Identifier: MIT */
/* The control socket in grace: listens, takes one request and gives one
 * reply per connection, in the one event loop. */
#ifndef GRACE_CONTROL_H
#define GRACE_CONTROL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "deadline.h"
#include "endpoint.h"
#include "loop.h"
#include "request.h"

/* Clients served at once; more wait in the listen backlog. */
#define CONTROL_MAX_CLIENTS 16
/* How long a connection may take, from accept to the reply sent. */
#define CONTROL_TIMEOUT_MS 2000

/* Answers a request: writes the reply's text to out and returns its code
 * (enum reply_code). */
typedef int control_answer_fn(const struct request *req, FILE *out,
			      void *ctx);

struct control_client {
	struct control *owner;
	int fd;			/* -1: a free slot */
	uid_t uid;		/* the peer's */
	pid_t pid;
	char buf[REQUEST_MAX];
	size_t len;		/* read so far */
	char *reply;		/* the reply, once answered, or NULL */
	size_t reply_len, sent;
	struct deadline timeout;
};

struct control {
	struct loop *loop;
	struct deadlines *deadlines;
	int fd;			/* the listening socket, or -1 */
	bool paused;		/* not accepting: every slot is taken */
	struct endpoint ep;
	bool made_path;		/* grace bound ep's path: unlink at the end */
	control_answer_fn *answer;
	void *ctx;
	struct control_client clients[CONTROL_MAX_CLIENTS];
	struct deadline retry;	/* accept again after EMFILE */
};

/* Loop watches and deadlines the control socket needs at most. */
#define CONTROL_WATCHES (1 + CONTROL_MAX_CLIENTS)
#define CONTROL_DEADLINES (1 + CONTROL_MAX_CLIENTS)

/*
 * Listens on text (a path or "@name"), or with text NULL on the default:
 * /run/grace/control when that directory can be made and bound in, else
 * the abstract @grace-control-UID.  Runs before any process: dies when an
 * endpoint asked for cannot be had; warns and goes without a socket when
 * neither default can.
 */
void control_open(struct control *control, const char *text,
		  struct loop *loop, struct deadlines *deadlines,
		  control_answer_fn *answer, void *ctx);
/* Drops every client, closes the socket and removes its path. */
void control_close(struct control *control);

#endif
