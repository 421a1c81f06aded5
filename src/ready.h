/* SPDX-License-Identifier: MIT */
/* Readiness: the sd_notify socket, and the tcp and file checks. */
#ifndef GRACE_READY_H
#define GRACE_READY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* What one sd_notify datagram says. */
struct ready_message {
	bool ready;		/* READY=1 */
	bool stopping;		/* STOPPING=1 */
	pid_t mainpid;		/* MAINPID=, 0 if absent */
	const char *status;	/* STATUS= value (not NUL-terminated), or */
	size_t status_len;	/* NULL */
};

/* Parses a datagram of len bytes into msg, which points into it.  Unknown
 * assignments are ignored, as systemd does. */
void ready_parse_message(const char *text, size_t len,
			 struct ready_message *msg);

/* "127.0.0.1:80", "[::1]:80", "localhost:80" -> a socket address; 0 or
 * -1.  No name look-ups: they would block the loop. */
int ready_parse_tcp(const char *target, struct sockaddr_storage *addr,
		    socklen_t *len);

/*
 * Creates the notify socket: an abstract AF_UNIX datagram socket with a
 * random name, SO_PASSCRED on, non-blocking and close-on-exec.  Writes
 * its NOTIFY_SOCKET value ("@grace/...") to name.  The fd, or -errno.
 */
int ready_notify_open(char *name, size_t name_len);

/* Reads one datagram with its sender's pid (0 if unknown) into buf
 * (NUL-terminated); its length, -EAGAIN when none is left, or -errno. */
ssize_t ready_notify_read(int fd, char *buf, size_t buf_len, pid_t *sender);

/* Starts a non-blocking connect; the socket (to watch for writability)
 * or -errno.  *done is set when it connected at once. */
int ready_tcp_begin(const struct sockaddr_storage *addr, socklen_t len,
		    bool *done);
/* Whether the connect of a socket that became writable succeeded. */
bool ready_tcp_succeeded(int fd);

#endif
