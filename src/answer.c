// SPDX-License-Identifier: MIT
/* Owns the meaning of each control request: which service or job a name
 * is, what is done to it, and the words of the reply.  The socket is
 * control.c's; what is done is services.c's and jobs.c's. */
#include <errno.h>
#include <stdlib.h>

#include "answer.h"
#include "deadline.h"
#include "sig.h"
#include "status.h"

/* What a name is. */
struct target {
	int service;		/* its index, or -1 */
	int job;		/* its index, or -1 */
};

/* Every service's row, then every job's; NULL when out of memory. */
static struct status_row *
collect_rows(const struct services *services, const struct jobs *jobs,
	     size_t *n)
{
	uint64_t now = deadline_now_ms();
	struct status_row *rows;
	size_t i;

	/* Those of the plan in force: not those a reload removed. */
	*n = services->n_live + jobs->n_live;
	rows = calloc(*n ? *n : 1, sizeof(*rows));
	if (rows == NULL)
		return NULL;
	for (i = 0; i < services->n_live; i++)
		services_row(services, i, now, &rows[i]);
	for (i = 0; i < jobs->n_live; i++)
		jobs_row(jobs, i, now, &rows[services->n_live + i]);
	return rows;
}

static int
answer_status(const struct request *req, const struct services *services,
	      const struct jobs *jobs, FILE *out)
{
	int64_t now = (int64_t)deadline_clock_ms(CLOCK_REALTIME);
	struct status_row *rows;
	size_t n;

	rows = collect_rows(services, jobs, &n);
	if (rows == NULL) {
		fputs("grace is out of memory\n", out);
		return REPLY_NO;
	}
	if (req->json)
		status_print_json(rows, n, now, out);
	else
		status_print_text(rows, n, now, out);
	free(rows);
	return REPLY_OK;
}

static int
answer_health(const struct services *services, const struct jobs *jobs,
	      bool stopping, FILE *out)
{
	const struct status_row *culprit;
	struct status_row *rows;
	size_t n, i, essential = 0;
	int code;

	if (stopping) {
		fputs("unhealthy: grace is stopping\n", out);
		return REPLY_NO;
	}
	rows = collect_rows(services, jobs, &n);
	if (rows == NULL) {
		fputs("grace is out of memory\n", out);
		return REPLY_NO;
	}
	for (i = 0; i < n; i++)
		essential += !rows[i].job && rows[i].essential;
	if (status_healthy(rows, n, &culprit)) {
		fprintf(out, "healthy: %zu essential service%s ready\n",
			essential, essential == 1 ? "" : "s");
		code = REPLY_OK;
	} else {
		fprintf(out, "unhealthy: %s is not ready (%s)\n",
			culprit->name, culprit->state);
		code = REPLY_NO;
	}
	free(rows);
	return code;
}

/* Says what a services_*_one() result means for name. */
static int
tell_result(int rc, const char *name, const char *done,
	    const char *already, FILE *out)
{
	switch (rc) {
	case 0:
		fprintf(out, "%s: %s\n", name, done);
		return REPLY_OK;
	case -EALREADY:
		fprintf(out, "%s: already %s\n", name, already);
		return REPLY_OK;
	case -EINPROGRESS:
		fprintf(out, "%s: waits for its dependencies\n", name);
		return REPLY_OK;
	case -ENOLINK:
		fprintf(out, "%s: not started: a service it requires has "
			     "ended (start that one first)\n", name);
		return REPLY_NO;
	default:
		fprintf(out, "%s: grace is stopping\n", name);
		return REPLY_NO;
	}
}

static int
answer_run(struct jobs *jobs, int index, const char *name, FILE *out)
{
	pid_t pid;

	switch (jobs_run_now(jobs, (size_t)index, &pid)) {
	case JOB_DUE_START:
		if (pid > 0)
			fprintf(out, "%s: started a run as pid %d\n", name,
				(int)pid);
		else
			fprintf(out, "%s: its run could not start\n", name);
		return pid > 0 ? REPLY_OK : REPLY_NO;
	case JOB_DUE_REPLACE:
		fprintf(out, "%s: stopping the running one; a new run "
			     "starts once it has ended\n", name);
		return REPLY_OK;
	case JOB_DUE_SKIP:
		fprintf(out, "%s: a run goes on (Overlap=skip)\n", name);
		return REPLY_NO;
	case JOB_DUE_FULL:
		fprintf(out, "%s: %d runs go on already (Overlap=allow)\n",
			name, JOB_MAX_RUNS);
		return REPLY_NO;
	}
	return REPLY_NO;
}

static int
answer_signal(const struct request *req, struct services *services,
	      struct jobs *jobs, struct target t, FILE *out)
{
	char sig[SIG_NAME_MAX];
	pid_t group;
	int runs;

	sig_name(req->sig, sig);
	if (t.service >= 0) {
		group = services_signal_one(services, (size_t)t.service,
					    req->sig);
		if (group < 0) {
			fprintf(out, "%s has no process\n", req->name);
			return REPLY_NO;
		}
		fprintf(out, "%s: sent %s to process group %d\n", req->name,
			sig, (int)group);
		return REPLY_OK;
	}
	runs = jobs_signal_one(jobs, (size_t)t.job, req->sig, false);
	if (runs == 0) {
		fprintf(out, "%s has no run going on\n", req->name);
		return REPLY_NO;
	}
	fprintf(out, "%s: sent %s to %d run%s\n", req->name, sig, runs,
		runs == 1 ? "" : "s");
	return REPLY_OK;
}

/* start, stop, restart, run: what each does to a service or a job. */
static int
answer_action(const struct request *req, struct services *services,
	      struct jobs *jobs, struct target t, FILE *out)
{
	size_t i = (size_t)(t.service >= 0 ? t.service : t.job);
	int runs;

	if (t.service >= 0 && req->verb == REQ_RUN) {
		fprintf(out, "%s is a service, not a scheduled job\n",
			req->name);
		return REPLY_NO;
	}
	if (t.job >= 0 && req->verb == REQ_RESTART) {
		fprintf(out, "%s is a scheduled job: `gracectl run` starts "
			     "a run\n", req->name);
		return REPLY_NO;
	}
	if (t.job >= 0 && req->verb == REQ_STOP) {
		runs = jobs_signal_one(jobs, i, 0, true);
		if (runs == 0)
			fprintf(out, "%s: no run goes on\n", req->name);
		else
			fprintf(out, "%s: stopping %d run%s\n", req->name,
				runs, runs == 1 ? "" : "s");
		return REPLY_OK;
	}
	if (t.job >= 0)
		return answer_run(jobs, (int)i, req->name, out);
	if (req->verb == REQ_START)
		return tell_result(services_start_one(services, i), req->name,
				   "starting", "running", out);
	if (req->verb == REQ_STOP)
		return tell_result(services_stop_one(services, i), req->name,
				   "stopping", "stopped", out);
	return tell_result(services_restart_one(services, i), req->name,
			   "restarting", "running", out);
}

int
answer_request(const struct request *req, const struct answer_ctx *ac,
	       FILE *out)
{
	struct services *services = ac->services;
	struct jobs *jobs = ac->jobs;
	bool stopping = ac->stopping;
	struct target t;

	switch (req->verb) {
	case REQ_RELOAD:
		return ac->reload(out, ac->ctx);
	case REQ_STATUS:
		return answer_status(req, services, jobs, out);
	case REQ_HEALTH:
		return answer_health(services, jobs, stopping, out);
	case REQ_GROUPS:
		services_print_groups(services, out);
		jobs_print_groups(jobs, out);
		return REPLY_OK;
	default:
		break;
	}
	t.service = services_find(services, req->name);
	t.job = t.service < 0 ? jobs_find(jobs, req->name) : -1;
	if (t.service < 0 && t.job < 0) {
		fprintf(out, "no service or job named '%s'\n", req->name);
		return REPLY_NO;
	}
	if (req->verb == REQ_SIGNAL)
		return answer_signal(req, services, jobs, t, out);
	if (stopping) {
		fprintf(out, "%s: grace is stopping\n", req->name);
		return REPLY_NO;
	}
	return answer_action(req, services, jobs, t, out);
}
