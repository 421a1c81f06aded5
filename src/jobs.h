/* SPDX-License-Identifier: MIT */
/* The scheduled jobs: each started at its due times, timed out, and
 * stopped with the container. */
#ifndef GRACE_JOBS_H
#define GRACE_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "deadline.h"
#include "job.h"
#include "loop.h"
#include "output.h"
#include "plan.h"
#include "sig.h"
#include "status.h"

/* What the jobs tell the container. */
struct jobs_hooks {
	/* A run of an essential job failed, with code (its exit status, or
	 * 128+N): the container must stop. */
	void (*essential_failed)(const char *name, int code, void *ctx);
	/* jobs_stop_all() is over: no run is left.  Maybe at once. */
	void (*stopped)(void *ctx);
	void *ctx;
};

struct job;

struct jobs {
	/* The plan's jobs in its order, then those a reload took away
	 * whose runs go on. */
	struct job **jobs;
	size_t n, n_live;
	struct output *output;
	struct loop *loop;
	struct deadlines *deadlines;	/* CLOCK_MONOTONIC: timeouts */
	struct deadlines due;		/* CLOCK_REALTIME: due times */
	const struct sig_inherited *inherited;
	struct jobs_hooks hooks;
	int64_t origin_ms;	/* when grace started, for @every: realtime, */
	uint64_t origin_mono_ms;	/* and monotonic */
	bool stopping;		/* jobs_stop_all() was called */
	bool stopped_told;
};

/* Loop watches and monotonic deadlines the plan's jobs need at most. */
size_t jobs_watches_needed(const struct plan *plan);
size_t jobs_deadlines_needed(const struct plan *plan);

/* Prepares every job of plan (memory, its output source, the realtime
 * timer); dies on failure: it runs before any process. */
void jobs_setup(struct jobs *jobs, const struct plan *plan,
		struct loop *loop, struct deadlines *deadlines,
		struct output *output, const struct sig_inherited *inherited,
		struct jobs_hooks hooks);
/* Frees every job, after output_free(): their sources are gone. */
void jobs_free(struct jobs *jobs);

/* Plans every job's first due time, from now. */
void jobs_start(struct jobs *jobs);
/* The services are ready: the @reboot jobs run. */
void jobs_services_ready(struct jobs *jobs);
/* A child was reaped: true when it was a job's. */
bool jobs_reaped(struct jobs *jobs, pid_t pid, int status);
/* No run starts any more; the running ones get their KillSignal; tells
 * stopped when none is left (maybe at once). */
void jobs_stop_all(struct jobs *jobs);

/* What a reload did. */
struct jobs_reload_count {
	size_t kept, changed, added, removed;
};

/*
 * gracectl reload: the jobs of plan (checked, and outliving every job
 * that refers to it) take the place of the old.  A job the same as before
 * keeps its due time; a changed one is planned again from now (a run of
 * it going on finishes as it began); an added one is planned from now; a
 * removed one's runs are stopped.  0, or -errno with nothing changed.
 */
int jobs_reload(struct jobs *jobs, const struct plan *plan,
		struct jobs_reload_count *count);
/* Whether any job still refers to plan's specs. */
bool jobs_refer_to(const struct jobs *jobs, const struct plan *plan);

/* gracectl's requests.  The job's index for name, or -1. */
int jobs_find(const struct jobs *jobs, const char *name);
/* What gracectl status shows of the job at index, now_ms being
 * CLOCK_MONOTONIC's now. */
void jobs_row(const struct jobs *jobs, size_t index, uint64_t now_ms,
	      struct status_row *row);
/* gracectl run: a run now, as Overlap= allows; what was done, and the
 * run's pid when one started. */
enum job_due jobs_run_now(struct jobs *jobs, size_t index, pid_t *pid);
/* gracectl signal (sig to each run's group) or, with stop, gracectl stop
 * (each run stopped as a timeout would); returns the runs reached. */
int jobs_signal_one(struct jobs *jobs, size_t index, int sig, bool stop);
/* One line "PGID PID NAME" for every run going on. */
void jobs_print_groups(const struct jobs *jobs, FILE *out);

#endif
