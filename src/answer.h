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

/* Carries out req, writes the reply's text to out and returns its code
 * (enum reply_code).  stopping: the container's stop is under way. */
int answer_request(const struct request *req, struct services *services,
		   struct jobs *jobs, bool stopping, FILE *out);

#endif
