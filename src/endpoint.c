// SPDX-License-Identifier: MIT
/* Owns the control socket's address: a path or an abstract name into a
 * sockaddr_un, and the default names.  Pure: no system call. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "endpoint.h"

int
endpoint_parse(const char *text, struct endpoint *ep)
{
	size_t len = strlen(text);

	memset(ep, 0, sizeof(*ep));
	ep->addr.sun_family = AF_UNIX;
	if (len == 0 || len >= sizeof(ep->addr.sun_path) ||
	    (text[0] == '@' && len == 1))
		return -1;
	ep->abstract = text[0] == '@';
	/* An abstract name is the bytes after a leading NUL, its length
	 * given by the address length, with no NUL after it. */
	memcpy(ep->addr.sun_path + ep->abstract, text + ep->abstract,
	       len - ep->abstract);
	ep->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
			      !ep->abstract);
	return 0;
}

const char *
endpoint_abstract_name(uid_t uid, char *buf, size_t len)
{
	snprintf(buf, len, "@grace-control-%u", (unsigned)uid);
	return buf;
}

const char *
endpoint_text(const struct endpoint *ep, char *buf, size_t len)
{
	size_t n = ep->len - offsetof(struct sockaddr_un, sun_path);

	if (ep->abstract)
		snprintf(buf, len, "@%.*s", (int)(n - 1), ep->addr.sun_path + 1);
	else
		snprintf(buf, len, "%s", ep->addr.sun_path);
	return buf;
}
