/* SPDX-License-Identifier: MIT */
/* The control protocol's requests: one line of words, parsed into plain
 * data, and the reply's framing.  Pure; shared by grace and gracectl. */
#ifndef GRACE_REQUEST_H
#define GRACE_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* The longest request line, its newline included. */
#define REQUEST_MAX 512
/* The longest service or job name a request may carry. */
#define REQUEST_NAME_MAX 255

enum request_verb {
	REQ_STATUS,	/* status [--json] */
	REQ_START,	/* start NAME */
	REQ_STOP,	/* stop NAME */
	REQ_RESTART,	/* restart NAME */
	REQ_SIGNAL,	/* signal NAME SIGNAL */
	REQ_RUN,	/* run JOB */
	REQ_HEALTH,	/* health */
	REQ_RELOAD,	/* reload */
	REQ_GROUPS,	/* groups: each service's and run's process group,
			 * for gracectl ps */
	REQ_NVERBS,
};

struct request {
	enum request_verb verb;
	bool json;		/* --json */
	char name[REQUEST_NAME_MAX + 1];	/* NAME, or "" */
	int sig;		/* SIGNAL's number, or 0 */
};

/* The reply's first line is "CODE\n", one of gracectl's exit codes; the
 * rest is its text, for stdout when CODE is 0, else one line for stderr. */
enum reply_code {
	REPLY_OK = 0,
	REPLY_NO = 1,		/* the answer is no; not found; refused to act */
	REPLY_USAGE = 2,	/* the request is malformed */
	REPLY_REFUSED = 3,	/* the client may not ask */
};

/*
 * Parses one request line (len bytes, no newline; words separated by
 * single spaces: "signal web HUP").  Returns 0, or -1 with one line in
 * error (for the reply) when the line is not a request.
 */
int request_parse(const char *line, size_t len, struct request *req,
		  char *error, size_t error_len);

/* The verb's word ("status"), and the verb for a word or -1. */
const char *request_verb_name(enum request_verb verb);
int request_verb_from_name(const char *word);
/* How many arguments (NAME, SIGNAL) the verb takes. */
unsigned request_verb_args(enum request_verb verb);

/*
 * Splits a reply (len bytes, as read to the end) into its code and text;
 * returns 0, or -1 when it is not a reply.  *text points into reply.
 */
int request_parse_reply(const char *reply, size_t len, int *code,
			const char **text, size_t *text_len);

#endif
