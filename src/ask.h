/* SPDX-License-Identifier: MIT */
/* gracectl's end of the control socket: finds grace's, sends a request,
 * reads the reply. */
#ifndef GRACE_ASK_H
#define GRACE_ASK_H

#include <stdbool.h>
#include <stddef.h>

/* How long gracectl waits for grace's reply. */
#define ASK_TIMEOUT_S 10

struct reply {
	int code;		/* enum reply_code */
	char *buf;		/* the whole reply, owned */
	const char *text;	/* its text, in buf */
	size_t text_len;
};

/*
 * Sends request (one line, without its newline) to grace at control (a
 * path or "@name"), or with control NULL where grace listens by default:
 * /run/grace/control, else @grace-control-UID for gracectl's user, then
 * for the owner of PID 1.  0 with *reply filled (reply_free() it), or -1
 * after one line on stderr (unless quiet) saying why grace cannot be
 * reached.
 */
int ask_grace(const char *control, const char *request, bool quiet,
	      struct reply *reply);
void reply_free(struct reply *reply);

#endif
