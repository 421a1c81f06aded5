/* SPDX-License-Identifier: MIT */
/* What grace answers to each control request: the services' and jobs'
 * status, their start, stop, restart and signals, a job's run now, and
 * the health verdict. */
#ifndef GRACE_ANSWER_H
#define GRACE_ANSWER_H

#include <stdbool.h>
#include <stdio.h>

#include "jobs.h"
#include "request.h"
#include "services.h"

/* What the answers act on. */
struct answer_ctx {
	struct services *services;
	struct jobs *jobs;
	bool stopping;		/* the container's stop is under way */
	/* gracectl reload: says what it did on out; a reply code. */
	int (*reload)(FILE *out, void *ctx);
	void *ctx;
};

/* Carries out req, writes the reply's text to out and returns its code
 * (enum reply_code). */
int answer_request(const struct request *req, const struct answer_ctx *ac,
		   FILE *out);

#endif
