// SPDX-License-Identifier: MIT
/* Owns the mechanics of readiness: the sd_notify socket and its messages,
 * and the non-blocking tcp check.  Which service a message or a check
 * belongs to is the services' business. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "number.h"
#include "ready.h"

/* A whole positive pid of len bytes, or 0. */
static pid_t
parse_pid(const char *text, size_t len)
{
	unsigned long long value;

	return number_parse(text, len, 0x3fffffff, &value) == 0
		       ? (pid_t)value
		       : 0;
}

/* Whether the line of len bytes is exactly word. */
static bool
line_is(const char *line, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(line, word, len) == 0;
}

/* Whether the line of len bytes starts with key; its value follows. */
static bool
line_has(const char *line, size_t len, const char *key)
{
	size_t n = strlen(key);

	return len >= n && memcmp(line, key, n) == 0;
}

void
ready_parse_message(const char *text, size_t len, struct ready_message *msg)
{
	const char *line = text, *end;
	size_t n;

	*msg = (struct ready_message){ false, false, 0, NULL, 0 };
	while (line < text + len) {
		end = memchr(line, '\n', (size_t)(text + len - line));
		if (end == NULL)
			end = text + len;
		n = (size_t)(end - line);
		if (line_is(line, n, "READY=1")) {
			msg->ready = true;
		} else if (line_is(line, n, "STOPPING=1")) {
			msg->stopping = true;
		} else if (line_has(line, n, "STATUS=")) {
			msg->status = line + 7;
			msg->status_len = n - 7;
		} else if (line_has(line, n, "MAINPID=")) {
			msg->mainpid = parse_pid(line + 8, n - 8);
		}
		line = end + 1;
	}
}

/* "80" -> 80; 0 when not a port. */
static int
parse_port(const char *text)
{
	long value = 0;

	if (*text == '\0' || strlen(text) > 5)
		return 0;
	for (; *text != '\0'; text++) {
		if (*text < '0' || *text > '9')
			return 0;
		value = value * 10 + (*text - '0');
	}
	return value <= 65535 ? (int)value : 0;
}

int
ready_parse_tcp(const char *target, struct sockaddr_storage *addr,
		socklen_t *len)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
	struct sockaddr_in *in4 = (struct sockaddr_in *)addr;
	const char *colon = strrchr(target, ':');
	char host[64];
	size_t host_len;
	int port;

	if (colon == NULL || (port = parse_port(colon + 1)) == 0)
		return -1;
	host_len = (size_t)(colon - target);
	if (host_len == 0 || host_len >= sizeof(host))
		return -1;
	memcpy(host, target, host_len);
	host[host_len] = '\0';
	memset(addr, 0, sizeof(*addr));
	if (host[0] == '[' && host[host_len - 1] == ']') {
		host[host_len - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			return -1;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
		return -1;
	in4->sin_family = AF_INET;
	in4->sin_port = htons((uint16_t)port);
	*len = sizeof(*in4);
	return 0;
}

int
ready_notify_open(char *name, size_t name_len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	unsigned char random[8];
	int fd, one = 1;
	size_t len;

	/* A random abstract name: nothing to create or clean up on disk, no
	 * writable /run needed, and no clash with another grace sharing the
	 * network namespace (docker run --network host). */
	if (getrandom(random, sizeof(random), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(random)) {
		uint64_t mix = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL ^
			       (uint64_t)(uintptr_t)&addr;
		memcpy(random, &mix, sizeof(random));
	}
	len = (size_t)snprintf(name, name_len,
			       "@grace/notify/%02x%02x%02x%02x%02x%02x%02x%02x",
			       random[0], random[1], random[2], random[3],
			       random[4], random[5], random[6], random[7]);
	if (len >= name_len || len >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	/* The leading NUL makes it abstract; the name is not terminated. */
	memcpy(addr.sun_path + 1, name + 1, len - 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) <
		    0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

ssize_t
ready_notify_read(int fd, char *buf, size_t buf_len, pid_t *sender)
{
	union {
		struct cmsghdr header;	/* for its alignment */
		// cppcheck-suppress unusedStructMember ; for its size
		char space[CMSG_SPACE(sizeof(struct ucred))];
	} control;
	struct iovec iov = { buf, buf_len - 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = &control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	struct ucred cred;
	ssize_t n;

	do
		n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC |
					      MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*sender = 0;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
	     cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_CREDENTIALS &&
		    cmsg->cmsg_len == CMSG_LEN(sizeof(cred))) {
			memcpy(&cred, CMSG_DATA(cmsg), sizeof(cred));
			*sender = cred.pid;
		}
		/* Descriptors are not asked for; close any sent anyway. */
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_RIGHTS) {
			int *fds = (int *)(void *)CMSG_DATA(cmsg);
			size_t i, nfds = (cmsg->cmsg_len - CMSG_LEN(0)) /
					 sizeof(int);

			for (i = 0; i < nfds; i++)
				close(fds[i]);
		}
	}
	if ((size_t)n > buf_len - 1)
		n = (ssize_t)(buf_len - 1);	/* truncated: keep the start */
	buf[n] = '\0';
	return n;
}

int
ready_tcp_begin(const struct sockaddr_storage *addr, socklen_t len,
		bool *done)
{
	int fd;

	*done = false;
	fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)addr, len) == 0) {
		*done = true;
		return fd;
	}
	if (errno == EINPROGRESS)
		return fd;
	{
		int err = errno;

		close(fd);
		return -err;
	}
}

bool
ready_tcp_succeeded(int fd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(int), peer_len = sizeof(peer);
	int err = 0;

	/* No error may also mean "still connecting": a peer means done. */
	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
	       err == 0 &&
	       getpeername(fd, (struct sockaddr *)&peer, &peer_len) == 0;
}
