// SPDX-License-Identifier: MIT
/* Owns grace's end of the control socket: listening, each client's
 * request read, its peer checked, its reply written, and its timeout, all
 * in the one event loop.  What a request does is the answer callback's.
 * From here on grace may not die: a client's failure drops that client. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "log.h"

/* How long accepting waits after running out of descriptors. */
#define RETRY_MS 1000

static void on_listen(int fd, void *ctx);

/* Accepts again once a slot is free or the retry is due. */
static void
resume(struct control *control)
{
	if (!control->paused || control->fd < 0)
		return;
	deadline_cancel(control->deadlines, &control->retry);
	if (loop_watch(control->loop, control->fd, on_listen, control) < 0) {
		/* Try again later rather than never. */
		deadline_after(control->deadlines, &control->retry, RETRY_MS);
		return;
	}
	control->paused = false;
}

/* Stops accepting until resume(): level-triggered epoll would otherwise
 * call on_listen for the waiting connection again and again. */
static void
pause_accepting(struct control *control)
{
	if (control->paused)
		return;
	(void)loop_unwatch(control->loop, control->fd);
	control->paused = true;
}

static void
drop_client(struct control_client *client)
{
	struct control *control = client->owner;

	if (client->fd < 0)
		return;
	deadline_cancel(control->deadlines, &client->timeout);
	(void)loop_unwatch(control->loop, client->fd);
	close(client->fd);
	client->fd = -1;
	free(client->reply);
	client->reply = NULL;
	resume(control);
}

/* Sends what is left of the reply; true when it is all out (or the
 * client has gone), false when the socket is full. */
static bool
send_reply(struct control_client *client)
{
	ssize_t n;

	while (client->sent < client->reply_len) {
		n = send(client->fd, client->reply + client->sent,
			 client->reply_len - client->sent,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n <= 0)
			return true;	/* gone: nothing more to say */
		client->sent += (size_t)n;
	}
	return true;
}

static void
on_writable(int fd, void *ctx)
{
	struct control_client *client = ctx;

	(void)fd;
	if (send_reply(client))
		drop_client(client);
}

/* Sends the reply, watching for room when the socket is full. */
static void
start_reply(struct control_client *client)
{
	(void)loop_unwatch(client->owner->loop, client->fd);
	if (send_reply(client) ||
	    loop_watch_writable(client->owner->loop, client->fd, on_writable,
				client) < 0)
		drop_client(client);
}

/* Only grace's own user and root may ask anything. */
static bool
may_ask(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* The reply "CODE\n" and the text answer writes (or error's line). */
static void
answer_line(struct control_client *client, const char *line, size_t len)
{
	struct control *control = client->owner;
	char error[128];
	struct request req;
	FILE *out;
	int code;

	out = open_memstream(&client->reply, &client->reply_len);
	if (out == NULL) {
		warn_errno("control: unable to answer a request");
		drop_client(client);
		return;
	}
	if (!may_ask(client->uid)) {
		info("control: refused pid %d, uid %u: only uid %u%s may ask",
		     (int)client->pid, (unsigned)client->uid,
		     (unsigned)geteuid(), geteuid() == 0 ? "" : " and root");
		fprintf(out, "%d\nrefused: uid %u may not control grace, which "
			     "runs as uid %u (only that user and root may)\n",
			REPLY_REFUSED, (unsigned)client->uid,
			(unsigned)geteuid());
	} else if (request_parse(line, len, &req, error, sizeof(error)) < 0) {
		debug("control: a bad request: %s", error);
		fprintf(out, "%d\n%s\n", REPLY_USAGE, error);
	} else {
		/* The code goes first, but is known last: write a
		 * placeholder and put the code in once answered. */
		fputs("0\n", out);
		code = control->answer(&req, out, control->ctx);
		fflush(out);
		if (client->reply_len >= 2)
			client->reply[0] = (char)('0' + code);
	}
	if (fclose(out) != 0 || client->reply == NULL) {
		warn("control: unable to answer a request: out of memory");
		drop_client(client);
		return;
	}
	start_reply(client);
}

/* Reads the request up to its newline; a request too long is refused. */
static void
on_readable(int fd, void *ctx)
{
	struct control_client *client = ctx;
	char *newline;
	ssize_t n;

	for (;;) {
		n = read(fd, client->buf + client->len,
			 sizeof(client->buf) - client->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			drop_client(client);	/* no request came */
			return;
		}
		newline = memchr(client->buf + client->len, '\n', (size_t)n);
		client->len += (size_t)n;
		if (newline != NULL) {
			answer_line(client, client->buf,
			       (size_t)(newline - client->buf));
			return;
		}
		if (client->len == sizeof(client->buf)) {
			answer_line(client, client->buf, client->len);
			return;
		}
	}
}

static void
on_timeout(struct deadline *deadline, void *ctx)
{
	struct control_client *client = ctx;

	(void)deadline;
	debug("control: dropped a client (uid %u) that took over %dms",
	      (unsigned)client->uid, CONTROL_TIMEOUT_MS);
	drop_client(client);
}

/* Takes a new connection into slot client. */
static void
take_client(struct control_client *client, int fd)
{
	struct control *control = client->owner;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	client->fd = fd;
	client->len = 0;
	client->sent = 0;
	client->uid = (uid_t)-1;
	deadline_after(control->deadlines, &client->timeout,
		       CONTROL_TIMEOUT_MS);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		warn_errno("control: unable to learn who connected");
		drop_client(client);
		return;
	}
	client->uid = cred.uid;
	client->pid = cred.pid;
	/* Even a client that may not ask is read to its request's end:
	 * closing on a request unread would reset the connection, and the
	 * client would never see why. */
	if (loop_watch(control->loop, fd, on_readable, client) < 0)
		drop_client(client);
}

static struct control_client *
free_slot(struct control *control)
{
	size_t i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (control->clients[i].fd < 0)
			return &control->clients[i];
	return NULL;
}

static void
on_retry(struct deadline *deadline, void *ctx)
{
	(void)deadline;
	resume(ctx);
}

/* Accepts every waiting connection there is a slot for. */
static void
on_listen(int fd, void *ctx)
{
	struct control *control = ctx;
	struct control_client *client;
	int conn;

	for (;;) {
		client = free_slot(control);
		if (client == NULL) {
			pause_accepting(control);
			return;
		}
		conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (conn >= 0) {
			take_client(client, conn);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN)
			return;
		/* Out of descriptors or memory: the connection waits in
		 * the backlog; try again later rather than spin. */
		warn_errno("control: unable to accept a connection");
		pause_accepting(control);
		deadline_after(control->deadlines, &control->retry, RETRY_MS);
		return;
	}
}

/* Whether a listener answers at ep's path: a socket file left by a grace
 * that has gone refuses the connection. */
static bool
is_live(const struct endpoint *ep)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return true;	/* cannot tell: do not remove it */
	live = connect(fd, (const struct sockaddr *)&ep->addr, ep->len) == 0 ||
	       errno != ECONNREFUSED;
	close(fd);
	return live;
}

/* Binds and listens on ep; 0 or -errno. */
static int
listen_on(struct control *control, const struct endpoint *ep)
{
	const struct sockaddr *addr = (const struct sockaddr *)&ep->addr;
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = bind(fd, addr, ep->len);
	if (rc < 0 && errno == EADDRINUSE && !ep->abstract && !is_live(ep) &&
	    unlink(ep->addr.sun_path) == 0)
		rc = bind(fd, addr, ep->len);
	/* Anyone may connect, so that a user who may not ask is told so;
	 * SO_PEERCRED decides, not the file's mode. */
	if (rc == 0 && !ep->abstract && chmod(ep->addr.sun_path, 0666) < 0)
		rc = -1;
	if (rc == 0)
		rc = listen(fd, 64);
	if (rc < 0) {
		rc = -errno;
		if (!ep->abstract && rc != -EADDRINUSE)
			(void)unlink(ep->addr.sun_path);
		close(fd);
		return rc;
	}
	control->fd = fd;
	control->ep = *ep;
	control->made_path = !ep->abstract;
	return 0;
}

/* /run/grace/control, else @grace-control-UID; 0 or -errno of the
 * last. */
static int
listen_by_default(struct control *control)
{
	char name[ENDPOINT_TEXT_MAX];
	struct endpoint ep;

	if ((mkdir(ENDPOINT_DEFAULT_DIR, 0755) == 0 || errno == EEXIST) &&
	    endpoint_parse(ENDPOINT_DEFAULT_PATH, &ep) == 0 &&
	    listen_on(control, &ep) == 0)
		return 0;
	if (endpoint_parse(endpoint_abstract_name(geteuid(), name,
						  sizeof(name)),
			   &ep) < 0)
		return -EINVAL;
	return listen_on(control, &ep);
}

void
control_open(struct control *control, const char *text, struct loop *loop,
	     struct deadlines *deadlines, control_answer_fn *answer, void *ctx)
{
	struct endpoint ep;
	char where[ENDPOINT_TEXT_MAX + 1];
	size_t i;
	int rc;

	memset(control, 0, sizeof(*control));
	control->loop = loop;
	control->deadlines = deadlines;
	control->fd = -1;
	control->answer = answer;
	control->ctx = ctx;
	deadline_init(&control->retry, on_retry, control);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		control->clients[i].owner = control;
		control->clients[i].fd = -1;
		deadline_init(&control->clients[i].timeout, on_timeout,
			      &control->clients[i]);
	}
	if (text != NULL) {
		if (endpoint_parse(text, &ep) < 0)
			die("--control: '%s' is not a socket path or "
			    "@name that fits a Unix socket address", text);
		rc = listen_on(control, &ep);
		if (rc < 0) {
			errno = -rc;
			die_errno("unable to listen on %s", text);
		}
	} else {
		rc = listen_by_default(control);
		if (rc < 0) {
			errno = -rc;
			warn_errno("no control socket, so gracectl cannot "
				   "reach grace (--control names one)");
			return;
		}
	}
	rc = loop_watch(loop, control->fd, on_listen, control);
	if (rc < 0) {
		errno = -rc;
		die_errno("unable to watch the control socket");
	}
	info("control socket: %s", endpoint_text(&control->ep, where,
						  sizeof(where)));
}

void
control_close(struct control *control)
{
	size_t i;

	int fd = control->fd;

	/* The socket first, so that a dropped client resumes nothing. */
	control->fd = -1;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		drop_client(&control->clients[i]);
	if (fd < 0)
		return;
	deadline_cancel(control->deadlines, &control->retry);
	(void)loop_unwatch(control->loop, fd);
	close(fd);
	/* Leave no socket file that refuses connections behind. */
	if (control->made_path && unlink(control->ep.addr.sun_path) < 0 &&
	    errno != ENOENT)
		warn_errno("unable to remove %s", control->ep.addr.sun_path);
}
