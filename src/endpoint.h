/* SPDX-License-Identifier: MIT */
/* Where the control socket is: a path, or an abstract name written with a
 * leading '@'; and the defaults grace and gracectl both look at. */
#ifndef GRACE_ENDPOINT_H
#define GRACE_ENDPOINT_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/* The directory grace makes for its socket, and the socket in it. */
#define ENDPOINT_DEFAULT_DIR "/run/grace"
#define ENDPOINT_DEFAULT_PATH ENDPOINT_DEFAULT_DIR "/control"
/* Room for "@grace-control-4294967295". */
#define ENDPOINT_TEXT_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

struct endpoint {
	struct sockaddr_un addr;
	socklen_t len;
	bool abstract;
};

/* Fills *ep for text ("/run/x.sock", "@name"); 0, or -1 when the text is
 * empty or too long for a Unix socket address.  Pure. */
int endpoint_parse(const char *text, struct endpoint *ep);
/* The abstract name used when /run/grace cannot be made: written as
 * "@grace-control-UID" into buf.  Pure. */
const char *endpoint_abstract_name(uid_t uid, char *buf, size_t len);
/* The endpoint as it is written: a path, or "@name".  Pure. */
const char *endpoint_text(const struct endpoint *ep, char *buf, size_t len);

#endif
