// SPDX-License-Identifier: MIT
/* Owns the scheduled jobs at run time: one CLOCK_REALTIME deadline per job
 * for its next due time (re-planned when the clock is set), its runs as
 * the table of src/job.c says, each in its own process group with its
 * output relayed under its name, and their stop with the container.
 * From here on grace may not die: every failure is logged and survived. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs.h"
#include "log.h"
#include "reap.h"
#include "services.h"
#include "spawn.h"
#include "spec.h"

struct job_run {
	struct job *job;
	enum run_state state;
	pid_t pid;		/* its process, 0 when none */
	pid_t pgid;		/* its group, while the run lasts */
	int status;		/* its process's wait status, once reaped */
	/* Its process has exited while grace stopped it, but others of its
	 * group are left: the run ends when the group is empty. */
	bool draining;
	int exec_fd;		/* its exec's report, until read, or -1 */
	bool timed_out;		/* stopped for TimeoutSec= */
	bool stopped;		/* stopped by grace: the stop, a replace */
	bool asked;		/* stopped by gracectl or a reload: its end
				 * stops no container, however it ends */
	uint64_t started_ms;	/* CLOCK_MONOTONIC */
	struct deadline timeout_dl, stop_dl;
};

struct job {
	struct jobs *owner;
	const struct plan_service *spec;
	const char *name;
	struct job_run *runs;
	unsigned slots;		/* JOB_MAX_RUNS with Overlap=allow, else 1 */
	bool replacing;		/* a run starts once the stopped ones end */
	int64_t due_ms;		/* the due time armed, realtime */
	int64_t last_due_ms;	/* the last one that came, or 0 */
	struct deadline due_dl;
	struct output_source *output;	/* its relayed output, or NULL */
	unsigned long runs_started;
	bool ended_once;	/* a run has ended: */
	int last_code;		/* its exit code, or 128+N */
	bool last_clean;
};

static const struct unit *
unit_of(const struct job *job)
{
	return &job->spec->unit;
}

static unsigned
count_running(const struct job *job)
{
	unsigned i, n = 0;

	for (i = 0; i < job->slots; i++)
		n += job->runs[i].state != RUN_IDLE;
	return n;
}

static struct job_run *
free_slot(struct job *job)
{
	unsigned i;

	for (i = 0; i < job->slots; i++)
		if (job->runs[i].state == RUN_IDLE)
			return &job->runs[i];
	return NULL;
}

/* Sends sig to the run's process group: every process of the run, such
 * as the command a shell started, gets it.  And to its process, which may
 * not have made its group yet (a stop just after the fork); our unreaped
 * child, so its pid cannot have been reused. */
static void
signal_run(struct job_run *run, int sig)
{
	char name[SIG_NAME_MAX];

	if (run->pgid <= 0)
		return;
	if (kill(-run->pgid, sig) < 0 && errno != ESRCH)
		warn_errno("%s: unable to send %s to its group",
			   run->job->name, sig_name(sig, name));
	/* Once, if the group's signal reached it already. */
	if (run->pid > 0 && getpgid(run->pid) == run->pgid)
		return;
	if (run->pid > 0 && kill(run->pid, sig) < 0 && errno != ESRCH)
		warn_errno("%s: unable to send %s to pid %d", run->job->name,
			   sig_name(sig, name), (int)run->pid);
}

/* The options a run starts with: the job's environment, user, directory
 * and output, as a service's; its exec is not waited for. */
static struct spawn_options
options_of(struct job_run *run)
{
	struct spawn_options options =
		services_spawn_options(run->job->spec, run->job->output);

	options.status_fd = &run->exec_fd;
	return options;
}

static void
close_exec_status(struct job_run *run)
{
	if (run->exec_fd < 0)
		return;
	(void)loop_unwatch(run->job->owner->loop, run->exec_fd);
	close(run->exec_fd);
	run->exec_fd = -1;
}

/* The run's exec happened, or failed (said so; its exit follows). */
static void
on_exec_status(int fd, void *ctx)
{
	struct job_run *run = ctx;
	int code;

	if (spawn_take_status(fd, run->job->spec->argv, run->job->name,
			      &code) == -EAGAIN)
		return;
	close_exec_status(run);
}

/*
 * A run's events nest: a spawn that fails feeds its exit at once, and the
 * exit of a replaced run feeds the start of the next.  The depth is
 * bounded: a failed spawn's exit starts nothing but a replacement, which
 * is not itself replacing.
 */
// NOLINTBEGIN(misc-no-recursion)
static void feed(struct job_run *run, enum run_event event, int status);

/* Starts the run's process; an exit with the spawn's code if it cannot. */
static void
spawn_run(struct job_run *run)
{
	struct job *job = run->job;
	struct spawn_options options = options_of(run);
	long long timeout = unit_of(job)->timeout_start_ms;
	int code;
	pid_t pid;

	run->timed_out = run->stopped = run->asked = false;
	run->started_ms = deadline_now_ms();
	job->runs_started++;
	pid = spawn_child(job->spec->argv, job->name, &options,
			  job->owner->inherited, &code);
	if (pid < 0) {
		feed(run, RUN_EV_EXIT, (code & 0xff) << 8);	/* as exit(code) */
		return;
	}
	run->pid = run->pgid = pid;
	info("%s: run %lu started as pid %d", job->name, job->runs_started,
	     (int)pid);
	if (run->exec_fd >= 0 &&
	    loop_watch(job->owner->loop, run->exec_fd, on_exec_status, run) < 0)
		close_exec_status(run);
	if (timeout != UNIT_INFINITY)
		deadline_after(job->owner->deadlines, &run->timeout_dl, timeout);
}

/* KillSignal= and SIGCONT to the run's group, and TimeoutStopSec=. */
static void
signal_stop(struct job_run *run)
{
	const struct unit *unit = unit_of(run->job);

	signal_run(run, unit->kill_signal);
	if (unit->kill_signal != SIGCONT && unit->kill_signal != SIGKILL)
		signal_run(run, SIGCONT);
	if (unit->timeout_stop_ms != UNIT_INFINITY)
		deadline_after(run->job->owner->deadlines, &run->stop_dl,
			       unit->timeout_stop_ms);
}

/* Says how the run ended, and stops the container if it failed and the
 * job is essential. */
static void
report_end(struct job_run *run, int status)
{
	struct job *job = run->job;
	const struct unit *unit = unit_of(job);
	int code = reap_exit_code(status);
	char took[32], sig[SIG_NAME_MAX], how[64];

	log_format_ms((long long)(deadline_now_ms() - run->started_ms), took,
		sizeof(took));
	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "killed by %s",
			 sig_name(WTERMSIG(status), sig));
	else
		snprintf(how, sizeof(how), "exited with %d", code);
	job->ended_once = true;
	job->last_code = code;
	job->last_clean = job_run_clean(unit, status,
					run->stopped && !run->timed_out);
	if (job->last_clean) {
		info("%s: run %s after %s", job->name, how, took);
		return;
	}
	warn("%s: run failed: %s after %s%s", job->name, how, took,
	     run->timed_out ? " (timed out)" : "");
	if (unit->essential && !run->asked &&
	    job->owner->hooks.essential_failed != NULL)
		job->owner->hooks.essential_failed(job->name, code ? code : 1,
						   job->owner->hooks.ctx);
}

static void tell_if_stopped(struct jobs *jobs);

/* Feeds event to the run and carries out what the table says. */
static void
feed(struct job_run *run, enum run_event event, int status)
{
	struct run_step step = job_transition(run->state, event);
	struct job *job = run->job;
	struct deadlines *deadlines = job->owner->deadlines;
	char t[32], sig[SIG_NAME_MAX];

	run->state = step.next;
	if (step.actions & RUN_ACT_SPAWN)
		spawn_run(run);
	if (step.actions & RUN_ACT_SIGNAL) {
		if (event == RUN_EV_TIMEOUT) {
			run->timed_out = true;
			warn("%s: still running after %s, stopping it with %s",
			     job->name,
			     log_format_ms(unit_of(job)->timeout_start_ms, t,
				     sizeof(t)),
			     sig_name(unit_of(job)->kill_signal, sig));
		} else {
			run->stopped = true;
		}
		deadline_cancel(deadlines, &run->timeout_dl);
		signal_stop(run);
	}
	if (step.actions & RUN_ACT_KILL) {
		warn("%s: still running %s after its stop signal, killing it",
		     job->name,
		     log_format_ms(unit_of(job)->timeout_stop_ms, t, sizeof(t)));
		signal_run(run, SIGKILL);
	}
	if (step.actions & RUN_ACT_FINISH) {
		deadline_cancel(deadlines, &run->timeout_dl);
		deadline_cancel(deadlines, &run->stop_dl);
		close_exec_status(run);
		run->pid = run->pgid = 0;
		run->draining = false;
		if (job->output != NULL)
			output_source_ended(job->output);
		report_end(run, status);
		if (job->replacing && count_running(job) == 0 &&
		    !job->owner->stopping) {
			job->replacing = false;
			feed(free_slot(job), RUN_EV_START, 0);
		}
		tell_if_stopped(job->owner);
	}
}

// NOLINTEND(misc-no-recursion)

static void
on_timeout(struct deadline *deadline, void *ctx)
{
	(void)deadline;
	feed(ctx, RUN_EV_TIMEOUT, 0);
}

/* How often a killed run whose process has exited looks at its group
 * again: its last members may be reaped by a parent of theirs, not by
 * grace, so no reap of grace's would say the group is empty. */
#define DRAIN_CHECK_MS 100

static bool group_left(const struct job_run *run);

static void
on_stop_timeout(struct deadline *deadline, void *ctx)
{
	struct job_run *run = ctx;

	(void)deadline;
	if (run->state == RUN_KILLING && run->draining) {
		if (!group_left(run))
			feed(run, RUN_EV_EXIT, run->status);
		else
			deadline_after(run->job->owner->deadlines,
				       &run->stop_dl, DRAIN_CHECK_MS);
		return;
	}
	feed(run, RUN_EV_STOP_TIMEOUT, 0);
	if (run->state == RUN_KILLING && run->draining)
		deadline_after(run->job->owner->deadlines, &run->stop_dl,
			       DRAIN_CHECK_MS);
}

/* --- due times ------------------------------------------------------- */

/* Arms the job's next due time after after_ms, if it has one. */
static void
plan_next(struct job *job, int64_t after_ms)
{
	int64_t next = schedule_next(&unit_of(job)->schedule, job->spec->zone,
				     job->owner->origin_ms, after_ms);

	if (next == SCHEDULE_NEVER) {
		deadline_cancel(&job->owner->due, &job->due_dl);
		return;
	}
	job->due_ms = next;
	deadline_set(&job->owner->due, &job->due_dl, (uint64_t)next);
}

/* A run is due (its time came, or gracectl run): it starts, is skipped,
 * or replaces the running one, as Overlap= says. */
static enum job_due
start_run(struct job *job)
{
	unsigned i, running = count_running(job);
	enum job_due due = job_on_due(unit_of(job)->overlap, running,
				      job->slots);

	switch (due) {
	case JOB_DUE_START:
		feed(free_slot(job), RUN_EV_START, 0);
		break;
	case JOB_DUE_SKIP:
		warn("%s: skipping this run: the last one is still running",
		     job->name);
		break;
	case JOB_DUE_FULL:
		warn("%s: skipping this run: %u runs are going on already",
		     job->name, running);
		break;
	case JOB_DUE_REPLACE:
		info("%s: replacing the running one", job->name);
		job->replacing = true;
		for (i = 0; i < job->slots; i++)
			feed(&job->runs[i], RUN_EV_STOP, 0);
		break;
	}
	return due;
}

/* A due time came: a run starts, is skipped, or replaces the running one,
 * as Overlap= says; then the next due time after now.  A timer that fired
 * late (a suspended machine) leads to one run, not one per missed time. */
static void
on_due(struct deadline *deadline, void *ctx)
{
	struct job *job = ctx;
	int64_t now = (int64_t)deadline_clock_ms(CLOCK_REALTIME);

	(void)deadline;
	if (job->owner->stopping)
		return;
	(void)start_run(job);
	job->last_due_ms = job->due_ms;
	if (!job->owner->stopping)
		plan_next(job, now > job->due_ms ? now : job->due_ms);
}

/*
 * The realtime clock was set, or the machine resumed from a suspend (the
 * kernel cancels such timers then too).  A job already due keeps its due
 * time, so that it runs once now; the others are planned again from now,
 * but never for a time before their last run, so that a clock set back a
 * little does not run a job twice.  @every counts from grace's start on
 * the monotonic clock, so its origin moves with the step.
 */
static void
on_clock_set(void *ctx)
{
	struct jobs *jobs = ctx;
	int64_t now = (int64_t)deadline_clock_ms(CLOCK_REALTIME);
	int64_t since = (int64_t)(deadline_now_ms() - jobs->origin_mono_ms);
	struct job *job;
	size_t i;

	info("the clock was set: planning the jobs' due times again");
	jobs->origin_ms = now - since;
	for (i = 0; i < jobs->n; i++) {
		job = jobs->jobs[i];
		if (!deadline_armed(&job->due_dl) || job->due_ms <= now)
			continue;
		plan_next(job, now > job->last_due_ms ? now : job->last_due_ms);
	}
}

void
jobs_start(struct jobs *jobs)
{
	size_t i;

	jobs->origin_ms = (int64_t)deadline_clock_ms(CLOCK_REALTIME);
	jobs->origin_mono_ms = deadline_now_ms();
	for (i = 0; i < jobs->n; i++)
		plan_next(jobs->jobs[i], jobs->origin_ms);
}

void
jobs_services_ready(struct jobs *jobs)
{
	size_t i;

	for (i = 0; i < jobs->n_live && !jobs->stopping; i++)
		if (unit_of(jobs->jobs[i])->schedule.kind == SCHEDULE_REBOOT)
			feed(&jobs->jobs[i]->runs[0], RUN_EV_START, 0);
}

/* Whether any process is left in the run's group. */
static bool
group_left(const struct job_run *run)
{
	return kill(-run->pgid, 0) == 0 || errno == EPERM;
}

/*
 * The run's process has exited.  A run grace is stopping (a timeout, a
 * replace, the container's stop) is over only once its whole group is:
 * what the command left behind gets the same signals, SIGKILL included,
 * as systemd's control-group stop does.
 */
static void
note_exit(struct job_run *run, int status)
{
	/* Exited before its report was read: read it now. */
	if (run->exec_fd >= 0)
		on_exec_status(run->exec_fd, run);
	run->pid = 0;
	run->status = status;
	if (run->state != RUN_RUNNING && group_left(run)) {
		run->draining = true;
		if (run->state == RUN_KILLING)
			deadline_after(run->job->owner->deadlines,
				       &run->stop_dl, DRAIN_CHECK_MS);
		return;
	}
	feed(run, RUN_EV_EXIT, status);
}

/* A process was reaped: a run whose group it emptied is over. */
static void
end_drained_runs(struct jobs *jobs)
{
	struct job_run *run;
	size_t i;
	unsigned r;

	for (i = 0; i < jobs->n; i++)
		for (r = 0; r < jobs->jobs[i]->slots; r++) {
			run = &jobs->jobs[i]->runs[r];
			if (run->draining && !group_left(run))
				feed(run, RUN_EV_EXIT, run->status);
		}
}

bool
jobs_reaped(struct jobs *jobs, pid_t pid, int status)
{
	struct job_run *run;
	size_t i;
	unsigned r;

	for (i = 0; i < jobs->n; i++)
		for (r = 0; r < jobs->jobs[i]->slots; r++) {
			run = &jobs->jobs[i]->runs[r];
			if (run->pid != pid || run->state == RUN_IDLE)
				continue;
			note_exit(run, status);
			return true;
		}
	end_drained_runs(jobs);
	return false;
}

/* --- the stop ------------------------------------------------------------ */

static void
tell_if_stopped(struct jobs *jobs)
{
	size_t i;

	if (!jobs->stopping || jobs->stopped_told)
		return;
	for (i = 0; i < jobs->n; i++)
		if (count_running(jobs->jobs[i]) > 0)
			return;
	jobs->stopped_told = true;
	if (jobs->hooks.stopped != NULL)
		jobs->hooks.stopped(jobs->hooks.ctx);
}

void
jobs_stop_all(struct jobs *jobs)
{
	struct job *job;
	size_t i;
	unsigned r;

	if (jobs->stopping)
		return;
	jobs->stopping = true;
	for (i = 0; i < jobs->n; i++) {
		job = jobs->jobs[i];
		job->replacing = false;
		deadline_cancel(&jobs->due, &job->due_dl);
		for (r = 0; r < job->slots; r++)
			if (job->runs[r].state == RUN_RUNNING) {
				info("%s: stopping its run", job->name);
				feed(&job->runs[r], RUN_EV_STOP, 0);
			}
	}
	tell_if_stopped(jobs);
}

/* --- setup --------------------------------------------------------------- */

static unsigned
slots_of(const struct plan_service *spec)
{
	return spec->unit.overlap == UNIT_OVERLAP_ALLOW ? JOB_MAX_RUNS : 1;
}

size_t
jobs_watches_needed(const struct plan *plan)
{
	size_t i, n = plan->n_jobs > 0;	/* the realtime timer */

	for (i = 0; i < plan->n_jobs; i++)
		n += slots_of(&plan->jobs[i]);	/* an exec's report */
	return n;
}

size_t
jobs_deadlines_needed(const struct plan *plan)
{
	return 2 * (jobs_watches_needed(plan));
}

/* Frees a job with no run going on. */
static void
free_job(struct job *job)
{
	unsigned r;

	deadline_cancel(&job->owner->due, &job->due_dl);
	for (r = 0; r < job->slots; r++) {
		deadline_cancel(job->owner->deadlines,
				&job->runs[r].timeout_dl);
		deadline_cancel(job->owner->deadlines, &job->runs[r].stop_dl);
		close_exec_status(&job->runs[r]);
	}
	output_release(job->output);
	free(job->runs);
	free(job);
}

/* A new job for spec, not yet planned: its memory and output (share's,
 * a changed job's old self's, when given); NULL with errno set when it
 * cannot have them. */
static struct job *
new_job(struct jobs *jobs, const struct plan_service *spec,
	struct output_source *share)
{
	struct job *job = calloc(1, sizeof(*job));
	unsigned r;

	if (job == NULL)
		return NULL;
	job->owner = jobs;
	job->spec = spec;
	job->name = spec->unit.name;
	job->slots = slots_of(spec);
	deadline_init(&job->due_dl, on_due, job);
	job->runs = calloc(job->slots, sizeof(*job->runs));
	if (job->runs == NULL) {
		free(job);
		return NULL;
	}
	for (r = 0; r < job->slots; r++) {
		job->runs[r].job = job;
		job->runs[r].exec_fd = -1;
		deadline_init(&job->runs[r].timeout_dl, on_timeout,
			      &job->runs[r]);
		deadline_init(&job->runs[r].stop_dl, on_stop_timeout,
			      &job->runs[r]);
	}
	if (!spec->unit.output_inherit && share != NULL) {
		job->output = share;
		output_share(share);
	} else if (!spec->unit.output_inherit) {
		job->output = output_add(jobs->output, job->name);
		if (job->output == NULL) {
			free_job(job);
			return NULL;
		}
	}
	return job;
}

/* The realtime timer of due times, once there is a job; 0 or -errno. */
static int
open_due(struct jobs *jobs, size_t n_jobs)
{
	if (deadlines_reserve(&jobs->due, n_jobs) < 0)
		return -ENOMEM;
	if (jobs->due.timerfd >= 0 || n_jobs == 0)
		return 0;
	return deadlines_open_realtime(&jobs->due, jobs->loop, on_clock_set,
				       jobs);
}

void
jobs_setup(struct jobs *jobs, const struct plan *plan, struct loop *loop,
	   struct deadlines *deadlines, struct output *output,
	   const struct sig_inherited *inherited, struct jobs_hooks hooks)
{
	size_t i;
	int rc;

	memset(jobs, 0, sizeof(*jobs));
	jobs->loop = loop;
	jobs->deadlines = deadlines;
	jobs->output = output;
	jobs->inherited = inherited;
	jobs->hooks = hooks;
	deadlines_init(&jobs->due);
	if (plan->n_jobs == 0)
		return;
	jobs->jobs = calloc(plan->n_jobs, sizeof(struct job *));
	if (jobs->jobs == NULL)
		die("out of memory");
	rc = open_due(jobs, plan->n_jobs);
	if (rc < 0) {
		errno = -rc;
		die_errno("unable to create the jobs' timer");
	}
	for (i = 0; i < plan->n_jobs; i++) {
		jobs->jobs[i] = new_job(jobs, &plan->jobs[i], NULL);
		if (jobs->jobs[i] == NULL)
			die_errno("%s: unable to set it up",
				  plan->jobs[i].unit.name);
		jobs->n = jobs->n_live = i + 1;
	}
}

void
jobs_free(struct jobs *jobs)
{
	size_t i;

	/* The relay is freed already, its sources with it. */
	for (i = 0; i < jobs->n; i++) {
		jobs->jobs[i]->output = NULL;
		free_job(jobs->jobs[i]);
	}
	free(jobs->jobs);
	deadlines_free(&jobs->due);
	memset(jobs, 0, sizeof(*jobs));
}

/* --- reload ------------------------------------------------------------ */

/* Frees what earlier reloads retired once its runs have ended. */
static void
sweep_retired(struct jobs *jobs)
{
	size_t i, kept = jobs->n_live;

	for (i = jobs->n_live; i < jobs->n; i++) {
		if (count_running(jobs->jobs[i]) == 0)
			free_job(jobs->jobs[i]);
		else
			jobs->jobs[kept++] = jobs->jobs[i];
	}
	jobs->n = kept;
}

/* The live job named name, or NULL. */
static struct job *
find_live(const struct jobs *jobs, const char *name)
{
	int i = jobs_find(jobs, name);

	return i < 0 ? NULL : jobs->jobs[i];
}

/* The plan's job named name, or NULL. */
static const struct plan_service *
plan_job(const struct plan *plan, const char *name)
{
	size_t i;

	for (i = 0; i < plan->n_jobs; i++)
		if (strcmp(plan->jobs[i].unit.name, name) == 0)
			return &plan->jobs[i];
	return NULL;
}

/* A job the reload took away (or changed): no more due times; a removed
 * job's runs are stopped, a changed one's finish as they began. */
static void
retire_job(struct job *job, bool removed)
{
	unsigned r;

	deadline_cancel(&job->owner->due, &job->due_dl);
	job->replacing = false;
	info("%s: %s by the reload", job->name,
	     removed ? "removed" : "changed");
	for (r = 0; removed && r < job->slots; r++) {
		if (job->runs[r].state != RUN_RUNNING)
			continue;
		job->runs[r].asked = true;
		feed(&job->runs[r], RUN_EV_STOP, 0);
	}
}

int
jobs_reload(struct jobs *jobs, const struct plan *plan,
	    struct jobs_reload_count *count)
{
	const struct plan_service *spec;
	size_t n, i, k = 0, live;
	struct job **all, *old;
	bool *fresh, failed;
	int64_t now;
	int rc, err = ENOMEM;

	memset(count, 0, sizeof(*count));
	if (jobs->stopping)
		return -ECANCELED;
	rc = open_due(jobs, plan->n_jobs);
	if (rc < 0)
		return rc;
	sweep_retired(jobs);
	n = plan->n_jobs + jobs->n;
	all = calloc(n ? n : 1, sizeof(struct job *));
	fresh = calloc(n ? n : 1, sizeof(*fresh));
	failed = all == NULL || fresh == NULL;
	for (i = 0; !failed && i < plan->n_jobs; i++, k++) {
		old = find_live(jobs, plan->jobs[i].unit.name);
		if (old != NULL && spec_same(old->spec, &plan->jobs[i])) {
			all[k] = old;
			continue;
		}
		all[k] = new_job(jobs, &plan->jobs[i],
				 old != NULL ? old->output : NULL);
		fresh[k] = true;
		if (all[k] == NULL) {
			err = errno;
			failed = true;
		}
	}
	if (failed) {
		for (i = 0; all != NULL && fresh != NULL && i < k; i++)
			if (fresh[i] && all[i] != NULL)
				free_job(all[i]);
		free(all);
		free(fresh);
		return err > 0 ? -err : -ENOMEM;
	}
	/* From here on nothing fails.  The old jobs the plan does not keep
	 * are retired, after those it has. */
	live = k;
	for (i = 0; i < jobs->n; i++) {
		old = jobs->jobs[i];
		spec = plan_job(plan, old->name);
		if (i < jobs->n_live && spec != NULL &&
		    spec_same(old->spec, spec))
			continue;
		if (i < jobs->n_live) {
			retire_job(old, spec == NULL);
			if (spec == NULL)
				count->removed++;
			else
				count->changed++;
		}
		all[k++] = old;
	}
	for (i = 0; i < live; i++) {
		if (fresh[i])
			continue;
		all[i]->spec = &plan->jobs[i];
		all[i]->name = all[i]->spec->unit.name;
		count->kept++;
	}
	free(jobs->jobs);
	jobs->jobs = all;
	jobs->n = k;
	jobs->n_live = live;
	now = (int64_t)deadline_clock_ms(CLOCK_REALTIME);
	for (i = 0; i < live; i++)
		if (fresh[i])
			plan_next(all[i], now);
	count->added = live - count->kept - count->changed;
	free(fresh);
	return 0;
}

bool
jobs_refer_to(const struct jobs *jobs, const struct plan *plan)
{
	size_t i;

	for (i = 0; i < jobs->n; i++)
		if (jobs->jobs[i]->spec >= plan->jobs &&
		    jobs->jobs[i]->spec < plan->jobs + plan->n_jobs)
			return true;
	return false;
}

/* --- gracectl's requests --------------------------------------------- */

int
jobs_find(const struct jobs *jobs, const char *name)
{
	size_t i;

	for (i = 0; i < jobs->n_live; i++)
		if (strcmp(jobs->jobs[i]->name, name) == 0)
			return (int)i;
	return -1;
}

/* The run started last of those going on, or NULL. */
static const struct job_run *
newest_run(const struct job *job)
{
	const struct job_run *newest = NULL;
	unsigned i;

	for (i = 0; i < job->slots; i++)
		if (job->runs[i].state != RUN_IDLE &&
		    (newest == NULL ||
		     job->runs[i].started_ms > newest->started_ms))
			newest = &job->runs[i];
	return newest;
}

void
jobs_row(const struct jobs *jobs, size_t index, uint64_t now_ms,
	 struct status_row *row)
{
	const struct job *job = jobs->jobs[index];
	const struct job_run *run = newest_run(job);

	*row = (struct status_row){
		.name = job->name,
		.job = true,
		.state = run != NULL ? job_state_name(run->state) : "idle",
		.essential = unit_of(job)->essential,
		.pid = run != NULL ? run->pid : 0,
		.running = count_running(job),
		.uptime_ms = run != NULL ? (int64_t)(now_ms - run->started_ms)
					 : -1,
		.restarts = job->runs_started,
		.ended = job->ended_once,
		.last_code = job->last_code,
		.last_clean = job->last_clean,
		.next_run_ms = deadline_armed(&job->due_dl) ? job->due_ms : -1,
	};
}

enum job_due
jobs_run_now(struct jobs *jobs, size_t index, pid_t *pid)
{
	struct job *job = jobs->jobs[index];
	const struct job_run *run;
	enum job_due due;

	info("%s: a run asked for now", job->name);
	due = start_run(job);
	run = newest_run(job);
	*pid = due == JOB_DUE_START && run != NULL ? run->pid : 0;
	return due;
}

int
jobs_signal_one(struct jobs *jobs, size_t index, int sig, bool stop)
{
	struct job *job = jobs->jobs[index];
	int reached = 0;
	unsigned i;

	/* A replace waiting for these runs to end starts nothing now. */
	if (stop)
		job->replacing = false;
	for (i = 0; i < job->slots; i++) {
		if (job->runs[i].state == RUN_IDLE)
			continue;
		if (stop) {
			job->runs[i].asked = true;
			feed(&job->runs[i], RUN_EV_STOP, 0);
		} else {
			signal_run(&job->runs[i], sig);
		}
		reached++;
	}
	return reached;
}

void
jobs_print_groups(const struct jobs *jobs, FILE *out)
{
	const struct job_run *run;
	size_t i;
	unsigned k;

	for (i = 0; i < jobs->n; i++) {
		for (k = 0; k < jobs->jobs[i]->slots; k++) {
			run = &jobs->jobs[i]->runs[k];
			if (run->state != RUN_IDLE && run->pid > 0)
				fprintf(out, "%d %d %s\n", (int)run->pgid,
					(int)run->pid, jobs->jobs[i]->name);
		}
	}
}
