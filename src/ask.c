// SPDX-License-Identifier: MIT
/* Owns gracectl's side of the control socket: which address to try, the
 * connection, the request written and the reply read, with a timeout so
 * that gracectl never hangs on a grace that does not answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "ask.h"
#include "endpoint.h"
#include "request.h"

/* The longest reply gracectl takes: a status of many thousand rows. */
#define REPLY_MAX (16u << 20)

/* Connects to ep; the socket, or -errno. */
static int
connect_to(const struct endpoint *ep)
{
	struct timeval tv = { ASK_TIMEOUT_S, 0 };
	int fd, err;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (const struct sockaddr *)&ep->addr, ep->len) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/* Connects where grace listens by default; the socket, or -errno of the
 * last try, with where naming the tries. */
static int
connect_by_default(char *where, size_t len)
{
	char name[ENDPOINT_TEXT_MAX], other[ENDPOINT_TEXT_MAX];
	struct endpoint ep;
	struct stat st;
	int fd;

	/* Each name fits a socket address: parsing them cannot fail. */
	(void)endpoint_parse(ENDPOINT_DEFAULT_PATH, &ep);
	fd = connect_to(&ep);
	if (fd >= 0)
		return fd;
	endpoint_abstract_name(geteuid(), name, sizeof(name));
	snprintf(where, len, "%s or %s", ENDPOINT_DEFAULT_PATH, name);
	(void)endpoint_parse(name, &ep);
	fd = connect_to(&ep);
	if (fd >= 0)
		return fd;
	/* Root in a container whose grace runs as another user. */
	if (stat("/proc/1", &st) < 0 || st.st_uid == geteuid())
		return fd;
	endpoint_abstract_name(st.st_uid, other, sizeof(other));
	snprintf(where, len, "%s, %s or %s", ENDPOINT_DEFAULT_PATH, name,
		 other);
	(void)endpoint_parse(other, &ep);
	return connect_to(&ep);
}

/* Writes all of buf; 0 or -errno. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads to the end into a new buffer; 0 or -errno. */
static int
read_all(int fd, char **out, size_t *out_len)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *grown;
	ssize_t n;

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap >= REPLY_MAX) {
				free(buf);
				return -EMSGSIZE;
			}
			grown = realloc(buf, cap * 2);
			if (grown == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(buf);
			return n == -EAGAIN ? -ETIMEDOUT : (int)n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int
ask_grace(const char *control, const char *request, bool quiet,
	  struct reply *reply)
{
	char where[3 * ENDPOINT_TEXT_MAX + 16], line[REQUEST_MAX + 1];
	struct endpoint ep;
	size_t len;
	int fd, rc;

	memset(reply, 0, sizeof(*reply));
	if (control != NULL) {
		snprintf(where, sizeof(where), "%s", control);
		if (endpoint_parse(control, &ep) < 0) {
			fprintf(stderr, "gracectl: --control: '%s' is not a "
					"socket path or @name\n", control);
			return -1;
		}
		fd = connect_to(&ep);
	} else {
		snprintf(where, sizeof(where), "%s", ENDPOINT_DEFAULT_PATH);
		fd = connect_by_default(where, sizeof(where));
	}
	if (fd < 0) {
		if (!quiet)
			fprintf(stderr,
				"gracectl: cannot reach grace at %s: %s\n",
				where, strerror(-fd));
		return -1;
	}
	len = (size_t)snprintf(line, sizeof(line), "%s\n", request);
	rc = len < sizeof(line) ? write_all(fd, line, len) : -E2BIG;
	if (rc == 0)
		rc = read_all(fd, &reply->buf, &len);
	close(fd);
	if (rc == 0 && request_parse_reply(reply->buf, len, &reply->code,
					   &reply->text, &reply->text_len) < 0)
		rc = -EBADMSG;
	if (rc < 0) {
		if (!quiet)
			fprintf(stderr, "gracectl: no answer from grace at %s: %s\n",
			where, strerror(-rc));
		reply_free(reply);
		return -1;
	}
	return 0;
}

void
reply_free(struct reply *reply)
{
	free(reply->buf);
	reply->buf = NULL;
}
