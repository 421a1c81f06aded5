/* SPDX-License-Identifier: MIT */
/* What `gracectl status` shows: one row per service and job, rendered as
 * a table or as JSON, and the health verdict.  Pure. */
#ifndef GRACE_STATUS_H
#define GRACE_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct status_row {
	const char *name;
	bool job;		/* a scheduled job, else a service */
	const char *state;	/* its state machine's word: "running" */
	bool essential;
	bool ready;		/* a service that is ready */
	pid_t pid;		/* its (newest) process, or 0 */
	unsigned running;	/* a job's runs going on */
	int64_t uptime_ms;	/* since its process started, or -1 */
	unsigned long restarts;	/* a service's; a job's runs started */
	bool ended;		/* a process of it has ended: */
	int last_code;		/* its exit code, 128+N for signal N, */
	bool last_clean;	/* and whether that counts as clean */
	int64_t next_run_ms;	/* a job's next due time, realtime, or -1 */
};

/* The table: NAME KIND STATE READY PID UPTIME RESTARTS LAST NEXT, with
 * the next run relative to now_ms (realtime) and in UTC. */
void status_print_text(const struct status_row *rows, size_t n,
		       int64_t now_ms, FILE *out);
/* One JSON object: {"services":[...],"jobs":[...]}, times in ms. */
void status_print_json(const struct status_row *rows, size_t n,
		       int64_t now_ms, FILE *out);

/* An uptime as "45s", "3m12s", "2h05m", "3d04h". */
const char *status_format_age(int64_t ms, char *buf, size_t len);

/*
 * The health verdict: whether every essential service is ready (a oneshot
 * that ended cleanly counts).  When not, *culprit is the first row that is
 * not.  Jobs do not count.
 */
bool status_healthy(const struct status_row *rows, size_t n,
		    const struct status_row **culprit);

#endif
