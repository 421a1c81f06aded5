// SPDX-License-Identifier: MIT
/* Owns the running container: starts the main process once the services
 * are ready, reads signals, forwards them, reaps, and carries out the stop
 * sequence's actions until no process is left. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "answer.h"
#include "control.h"
#include "deadline.h"
#include "log.h"
#include "follow.h"
#include "jobs.h"
#include "loop.h"
#include "procs.h"
#include "reap.h"
#include "reload.h"
#include "services.h"
#include "sig.h"
#include "spawn.h"
#include "stop.h"
#include "supervise.h"
#include "sys.h"
#include "table.h"

/* Why the container stops, for the exit code and the last line. */
enum stop_cause {
	CAUSE_NONE,
	CAUSE_SIGNAL,		/* a stop signal */
	CAUSE_MAIN,		/* the main process ended */
	CAUSE_ESSENTIAL,	/* an essential service ended for good */
};

struct supervisor {
	const struct settings *settings;
	const struct sig_inherited *inherited;
	struct loop loop;
	struct deadlines deadlines;
	struct services services;
	struct jobs jobs;
	bool services_stopped, jobs_stopped;	/* each has told */
	struct output output;	/* services' and jobs' output, relayed */
	struct output_source *main_output;	/* --log-main, or NULL */
	struct table table;
	enum stop_phase phase;
	bool pid1;		/* PID 1 of a namespace, else a subreaper */
	pid_t main_pid;		/* 0 once reaped */
	bool main_ran;		/* the main process was started */
	int exit_code;		/* the main process's, once reaped */
	struct deadline grace_dl;	/* --grace */
	struct deadline stop_dl;	/* --stop-timeout */
	struct deadline rescan_dl;	/* look again where pidfds fail */
	/* A process that entered the namespace from outside, which grace
	 * waits for once no child is left: its pidfd, or -1. */
	int stranger_fd;
	pid_t started_pid;	/* the process grace started */
	/* The main process's exec report, read from the loop when it starts
	 * after the services (so that the loop never waits on it), or -1. */
	int main_exec_fd;
	struct follow follow;	/* --pidfile */
	struct control *control;	/* the control socket, or NULL */
	struct reload reload;	/* the plans, for gracectl reload */
	enum stop_cause cause;
	char cause_text[128];	/* what happened, for the last line */
	uint64_t stop_began_ms;
	int essential_code;	/* the essential service's, if it caused it */
	int failed_code;	/* the first essential failure's, or 0 */
	bool essential_failed;
	bool stop_reached;	/* the stop's SIGTERM or SIGKILL reached one */
};

/* Sends sig to every process left; reports a failed walk once.  Whether
 * it reached anyone (true too when the walk failed). */
static bool
signal_everyone(struct supervisor *sv, int sig)
{
	char name[SIG_NAME_MAX];
	int rc;

	rc = procs_signal_all(sig, sv->pid1);
	if (rc < 0) {
		errno = -rc;
		warn_errno("unable to send %s to every process",
			   sig_name(sig, name));
		return true;
	}
	if (rc == 0)
		return false;
	if (sv->pid1)
		info("stop: sent %s to every process", sig_name(sig, name));
	else
		info("stop: sent %s to %d descendants", sig_name(sig, name),
		     rc);
	return true;
}

/* Notes, once, what started the stop and when. */
static void
note_cause(struct supervisor *sv, enum stop_cause cause, const char *text)
{
	if (sv->cause != CAUSE_NONE)
		return;
	sv->cause = cause;
	snprintf(sv->cause_text, sizeof(sv->cause_text), "%s", text);
	sv->stop_began_ms = deadline_now_ms();
}

static void
kill_main(struct supervisor *sv)
{
	if (sv->main_pid == 0)
		return;
	info("stop: pid %d still runs %ld.%03lds after the stop signal, "
	     "killing it", (int)sv->main_pid,
	     sv->settings->stop_timeout_ms / 1000,
	     sv->settings->stop_timeout_ms % 1000);
	/* Our unreaped child: the pid cannot have been reused. */
	if (kill(sv->main_pid, SIGKILL) < 0 && errno != ESRCH)
		warn_errno("unable to kill pid %d", (int)sv->main_pid);
}

/* Every process has gone and what they wrote is out: grace exits. */
static void
on_output_written(void *ctx)
{
	struct supervisor *sv = ctx;

	loop_quit(&sv->loop);
}

/* Feeds one event to the stop state machine and carries out its actions;
 * the services' stop last, since it may feed the next event at once. */
static void
step_stop(struct supervisor *sv, enum stop_event event)
{
	struct stop_step step;

	step = stop_transition(sv->phase, event, (struct stop_policy){
		.no_grace = sv->settings->grace_ms == 0,
		.wait_all = sv->settings->wait_all,
		.stop_timeout = sv->settings->stop_timeout_ms >= 0,
	});
	if (step.next != sv->phase)
		debug("stop: %s -> %s", stop_phase_name(sv->phase),
		      stop_phase_name(step.next));
	sv->phase = step.next;
	/* Once a stop is under way no run starts, and running jobs stop
	 * with the main process.  Their stopped hook cannot re-enter here
	 * before the services have stopped too. */
	if (sv->phase != STOP_RUNNING)
		jobs_stop_all(&sv->jobs);
	if (step.actions & STOP_ACT_ARM_STOP_TIMEOUT) {
		if (sv->settings->stop_timeout_ms == 0)
			kill_main(sv);
		else
			deadline_after(&sv->deadlines, &sv->stop_dl,
				       sv->settings->stop_timeout_ms);
	}
	if (step.actions & STOP_ACT_KILL_MAIN)
		kill_main(sv);
	if (step.actions & STOP_ACT_TERM_ALL) {
		/* A stopped process cannot act on SIGTERM until continued. */
		sv->stop_reached = signal_everyone(sv, SIGTERM);
		if (sv->stop_reached)
			signal_everyone(sv, SIGCONT);
	}
	if (step.actions & STOP_ACT_ARM_GRACE) {
		info("stop: waiting up to %ld.%03lds for every process to exit",
		     sv->settings->grace_ms / 1000,
		     sv->settings->grace_ms % 1000);
		deadline_after(&sv->deadlines, &sv->grace_dl,
			       sv->settings->grace_ms);
	}
	if ((step.actions & STOP_ACT_KILL_ALL) && signal_everyone(sv, SIGKILL))
		sv->stop_reached = true;
	if (step.actions & STOP_ACT_EXIT) {
		info("stop: no process left");
		output_finish(&sv->output, sv->settings->grace_ms,
			      on_output_written, sv);
	}
	if (step.actions & STOP_ACT_STOP_SERVICES) {
		if (sv->services.n > 0)
			info("stop: stopping the services, last level first");
		services_stop_all(&sv->services);
	}
}

/* The main process has ended for good: the container stops. */
static void
main_ended(struct supervisor *sv)
{
	char text[64];

	snprintf(text, sizeof(text), "the main process exited with %d",
		 sv->exit_code);
	note_cause(sv, CAUSE_MAIN, text);
	step_stop(sv, STOP_EV_MAIN_EXITED);
}

/*
 * --pidfile: whether the main process's exit hands over to the pid in the
 * file rather than end the container.  Not when a stop was asked; not
 * when the process grace started failed (a daemon that could not start
 * exits non-zero before writing its file).
 */
static bool
may_follow(const struct supervisor *sv, pid_t pid, int code)
{
	return sv->settings->pidfile != NULL && sv->phase == STOP_RUNNING &&
	       (pid != sv->started_pid || code == 0);
}

/* Reads the main process's exec report, once it has come (a failed exec
 * says why; its code arrives as the exit status), and stops watching it. */
static void
read_main_exec(struct supervisor *sv)
{
	char **command = sv->settings->command;
	int code;

	if (sv->main_exec_fd < 0 ||
	    spawn_take_status(sv->main_exec_fd, command, command[0], &code) ==
		    -EAGAIN)
		return;
	(void)loop_unwatch(&sv->loop, sv->main_exec_fd);
	close(sv->main_exec_fd);
	sv->main_exec_fd = -1;
}

static void
on_main_exec(int fd, void *ctx)
{
	(void)fd;
	read_main_exec(ctx);
}

static void
note_reaped(pid_t pid, int status, void *ctx)
{
	struct supervisor *sv = ctx;
	struct proc *proc = table_find(&sv->table, pid);
	int code = reap_exit_code(status);
	enum proc_role role;

	if (proc == NULL && (services_reaped(&sv->services, pid, status) ||
			     jobs_reaped(&sv->jobs, pid, status)))
		return;
	if (proc == NULL) {
		if (sv->settings->warn_on_reap)
			warn("reaped zombie pid %d (status %d)", (int)pid, code);
		else
			info("reaped pid %d (status %d)", (int)pid, code);
		return;
	}
	info("reaped pid %d, %s (status %d)", (int)pid, proc->name, code);
	role = proc->role;
	table_remove(&sv->table, pid);
	if (role == PROC_MAIN) {
		read_main_exec(sv);
		if (sv->main_output != NULL)
			output_source_ended(sv->main_output);
		sv->exit_code = code;
		sv->main_pid = 0;
		if (may_follow(sv, pid, code))
			follow_begin(&sv->follow, pid);
		else
			main_ended(sv);
	}
}

static void reap_children(struct supervisor *sv);

static void
on_stranger_exit(int fd, void *ctx)
{
	struct supervisor *sv = ctx;

	loop_unwatch(&sv->loop, fd);
	close(fd);
	sv->stranger_fd = -1;
	reap_children(sv);
}

static void
on_rescan(struct deadline *deadline, void *ctx)
{
	(void)deadline;
	reap_children(ctx);
}

/* Starts the rescan timer: the fallback where no pidfd can be had. */
static void
arm_rescan(struct supervisor *sv)
{
	deadline_after(&sv->deadlines, &sv->rescan_dl, 100);
}

/*
 * As PID 1, with no child left: processes entered with `docker exec` are
 * no children of ours, yet our exit would SIGKILL them.  They had the
 * stop's signals through kill(-1); wait for each in turn (one pidfd at a
 * time, then look again: they are few).  Returns true while waiting.
 */
static bool
wait_for_strangers(struct supervisor *sv)
{
	pid_t pid = 0;
	int fd;

	if (sv->stranger_fd >= 0)
		return true;
	/* The stop's SIGTERM (or, with --grace 0, its SIGKILL) found no
	 * process at all: none entered to be waited for, and /proc need not
	 * be read. */
	if (sv->phase >= STOP_DRAINING && !sv->stop_reached)
		return false;
	for (;;) {
		pid = procs_find_stranger(pid);
		if (pid < 0) {
			errno = (int)-pid;
			warn_errno("unable to look for processes in /proc");
			return false;
		}
		if (pid == 0)
			return false;
		fd = sys_pidfd_open(pid, 0);
		if (fd < 0 && errno == ESRCH)
			continue;	/* gone already: look further */
		if (fd < 0 || loop_watch(&sv->loop, fd, on_stranger_exit,
					 sv) < 0) {
			if (fd >= 0)
				close(fd);
			arm_rescan(sv);
			return true;
		}
		info("stop: waiting for pid %d, which entered from outside",
		     (int)pid);
		sv->stranger_fd = fd;
		return true;
	}
}

/* Reaps what has exited.  "No child left" means nothing while the main
 * process runs (the stop machine knows); once it has exited, it means
 * "no process left" when no process entered from outside either. */
static void
reap_children(struct supervisor *sv)
{
	if (!reap_all(note_reaped, sv))
		return;
	if (sv->follow.active) {
		/* No child left: no one the pidfile could name. */
		follow_give_up(&sv->follow);
		main_ended(sv);
	}
	if (sv->pid1 && sv->phase >= STOP_LINGERING && wait_for_strangers(sv))
		return;
	step_stop(sv, STOP_EV_NO_PROCESS);
}

/* Where signals for the main process go: to it, or with -g to its process
 * group (a followed main process need not lead one), unless that group is
 * grace's own. */
static pid_t
main_target(const struct supervisor *sv)
{
	pid_t pgid;

	if (!sv->settings->group)
		return sv->main_pid;
	pgid = getpgid(sv->main_pid);
	return pgid > 0 && pgid != getpgrp() ? -pgid : sv->main_pid;
}

/*
 * Passes sig on: to the main process (or its group with -g) while it
 * runs; once it has exited, to every process left, whose stop it concerns.
 * In pause mode there is no main process to pass it to.
 */
static void
forward(struct supervisor *sv, int sig)
{
	char name[SIG_NAME_MAX];
	pid_t target;
	int n;

	if (sv->phase >= STOP_LINGERING && sv->phase != STOP_SERVICES) {
		signal_everyone(sv, sig);
		return;
	}
	if (sv->main_pid == 0) {
		n = services_signal_all(&sv->services, sig);
		if (n > 0)
			info("forwarded %s to %d services", sig_name(sig, name),
			     n);
		else
			info("no main process: %s not forwarded",
			     sig_name(sig, name));
		return;
	}
	target = main_target(sv);
	/* The main process is our unreaped child, so its pid (and group)
	 * cannot have been reused; ESRCH means nothing is left to signal. */
	if (kill(target, sig) < 0) {
		if (errno != ESRCH)
			warn_errno("unable to forward %s to %s %d",
				   sig_name(sig, name),
				   target < 0 ? "process group" : "pid",
				   (int)(target < 0 ? -target : target));
		return;
	}
	info("forwarded %s to %s %d", sig_name(sig, name),
	     target < 0 ? "process group" : "pid",
	     (int)(target < 0 ? -target : target));
}

/* A stop asked while there is no main process (pause mode, services
 * alone, or a pidfile hand-over): as if it had exited with the last
 * status, so the usual sequence stops every other process before grace
 * exits. */
static void
stop_without_main(struct supervisor *sv)
{
	follow_cancel(&sv->follow);
	step_stop(sv, STOP_EV_MAIN_EXITED);
	/* No SIGCHLD may come if no process is left at all. */
	reap_children(sv);
}

/* Passes a stop on to the main process as signal sig (what the stop
 * signal is rewritten to), then SIGCONT, so a stopped one acts on it; or,
 * with no main process, starts the stop of the rest. */
static void
stop_main(struct supervisor *sv, int sig)
{
	if (sv->main_pid == 0 && sv->phase == STOP_ASKED) {
		stop_without_main(sv);
		return;
	}
	if (sig == 0)
		return;
	forward(sv, sig);
	if (sig != SIGCONT && sig != SIGKILL && sv->main_pid != 0)
		forward(sv, SIGCONT);
}

/* gracectl reload, and SIGHUP with --reload-on-hup. */
static int
reload_plan(FILE *out, void *ctx)
{
	struct supervisor *sv = ctx;

	if (sv->phase != STOP_RUNNING) {
		warn("reload refused: grace is stopping");
		if (out != NULL)
			fputs("reload refused: grace is stopping\n", out);
		return REPLY_NO;
	}
	return reload_run(&sv->reload, &sv->services, &sv->jobs, &sv->loop,
			  &sv->deadlines, out);
}

static void
handle_signal(struct supervisor *sv, const struct signalfd_siginfo *si)
{
	char name[SIG_NAME_MAX];
	int sig = (int)si->ssi_signo;
	int target = sig <= CLI_MAX_SIGNAL ? sv->settings->rewrite[sig] : sig;
	enum stop_phase before;

	info("received %s from pid %u", sig_name(sig, name), si->ssi_pid);
	if (sig == SIGHUP && sv->settings->reload_on_hup) {
		(void)reload_plan(NULL, sv);
		return;
	}
	/* The signal as received decides the stop, whatever it is
	 * rewritten to: the runtime's SIGTERM is a stop even when the
	 * application wants SIGQUIT. */
	if (sigismember(&sv->settings->stop_signals, sig) == 1) {
		before = sv->phase;
		note_cause(sv, CAUSE_SIGNAL, name);
		step_stop(sv, STOP_EV_STOP_SIGNAL);
		/* --wait-all: the stop sequence has just stopped everyone;
		 * do not send them the stop signal twice.  Once the main
		 * process has gone, the services' stop has its own
		 * signals. */
		if ((before == STOP_LINGERING && sv->phase != before) ||
		    before == STOP_SERVICES)
			return;
		if (before == STOP_RUNNING && sv->phase == STOP_ASKED) {
			stop_main(sv, target);
			return;
		}
	}
	if (target == 0) {
		info("%s dropped, as -r asks", name);
		return;
	}
	forward(sv, target);
}

/*
 * Reads one batch of pending signals and handles it; SIGCHLD once, after
 * the others, since one reap drains every exit anyway.  One batch per
 * call: epoll (level-triggered) calls again while more are pending, so a
 * flood of queued signals never holds up reaping, timers or the exit.
 * The signalfd hands SIGCHLD over before any real-time signal.
 */
static void
on_signals(int fd, void *ctx)
{
	struct signalfd_siginfo si[32];
	struct supervisor *sv = ctx;
	bool child_exited = false;
	ssize_t n;
	size_t i;

	do
		n = read(fd, si, sizeof(si));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno != EAGAIN)
			warn_errno("unable to read signals");
		return;
	}
	for (i = 0; i < (size_t)n / sizeof(si[0]); i++) {
		if (si[i].ssi_signo == SIGCHLD)
			child_exited = true;
		else
			handle_signal(sv, &si[i]);
	}
	if (child_exited)
		reap_children(sv);
}

static void
on_grace_timer(struct deadline *deadline, void *ctx)
{
	(void)deadline;
	info("stop: grace period over, killing what is left");
	step_stop(ctx, STOP_EV_GRACE_EXPIRED);
}

static void
on_stop_timer(struct deadline *deadline, void *ctx)
{
	(void)deadline;
	step_stop(ctx, STOP_EV_STOP_TIMEOUT);
}

/* The end of a pidfile hand-over: the new main process, or none. */
static void
on_followed(pid_t pid, void *ctx)
{
	struct supervisor *sv = ctx;

	if (pid > 0 && table_add(&sv->table, pid, PROC_MAIN,
				 sv->settings->command[0]) == 0) {
		sv->main_pid = pid;
		return;
	}
	/* Children are left: reap_children() ends a hand-over that has no
	 * one left to follow. */
	main_ended(sv);
}

/* Every service is ready: the main process starts, unless a stop came
 * first.  In single-command mode that is at once, before the loop runs,
 * and its exec is waited for; after services, the loop reads the report
 * when it comes (a failed exec's code arrives as the exit status). */
static void
start_main(void *ctx)
{
	struct supervisor *sv = ctx;
	struct spawn_options options = SPAWN_OPTIONS_INIT;
	char **command = sv->settings->command;
	int code;
	pid_t pid;

	if (sv->phase == STOP_RUNNING)
		jobs_services_ready(&sv->jobs);
	if (command == NULL || sv->phase != STOP_RUNNING)
		return;
	options.new_session = sv->settings->new_session;
	if (sv->services.n > 0 || sv->jobs.n > 0)
		options.status_fd = &sv->main_exec_fd;
	if (sv->main_output != NULL) {
		options.stdout_fd = output_stdout_fd(sv->main_output);
		options.stderr_fd = output_stderr_fd(sv->main_output);
	}
	pid = spawn_child(command, command[0], &options, sv->inherited, &code);
	sv->main_ran = true;
	if (pid < 0) {
		sv->exit_code = code;
		main_ended(sv);
		/* No SIGCHLD may come if no process is left at all. */
		reap_children(sv);
		return;
	}
	info("started %s as pid %d", command[0], (int)pid);
	if (sv->main_exec_fd >= 0 &&
	    loop_watch(&sv->loop, sv->main_exec_fd, on_main_exec, sv) < 0) {
		/* Cannot watch it: the exit status will tell a failure. */
		close(sv->main_exec_fd);
		sv->main_exec_fd = -1;
	}
	sv->main_pid = sv->started_pid = pid;
	/* Cannot fail: setup reserved the room. */
	table_add(&sv->table, pid, PROC_MAIN, command[0]);
}

/* An essential service has ended for good: the container stops, the main
 * process first, with what a stop signal would become.  A failure is
 * recorded whatever stopped the container first: grace never exits 0
 * after one. */
static void
on_essential_ended(const char *name, int code, bool clean, void *ctx)
{
	struct supervisor *sv = ctx;
	char text[UNIT_NAME_MAX + 48];
	enum stop_phase before = sv->phase;

	if (!clean && !sv->essential_failed) {
		sv->essential_failed = true;
		sv->failed_code = code;
	}
	if (sv->cause == CAUSE_NONE) {
		snprintf(text, sizeof(text), "%s %s with %d", name,
			 clean ? "ended" : "failed", code);
		note_cause(sv, CAUSE_ESSENTIAL, text);
		sv->essential_code = code;
		info("stop: %s, which is essential", text);
	}
	step_stop(sv, STOP_EV_STOP_SIGNAL);
	if (before == STOP_RUNNING && sv->phase == STOP_ASKED)
		stop_main(sv, sv->settings->rewrite[SIGTERM]);
}

/* The essential job's run failed: as an essential service's end. */
static void
on_essential_job_failed(const char *name, int code, void *ctx)
{
	on_essential_ended(name, code, false, ctx);
}

/* Services and jobs have each no process left: the rest can be
 * stopped. */
static void
tell_stopped_if_both(struct supervisor *sv)
{
	if (sv->services_stopped && sv->jobs_stopped)
		step_stop(sv, STOP_EV_SERVICES_STOPPED);
}

static void
on_services_stopped(void *ctx)
{
	struct supervisor *sv = ctx;

	sv->services_stopped = true;
	tell_stopped_if_both(sv);
}

static void
on_jobs_stopped(void *ctx)
{
	struct supervisor *sv = ctx;

	sv->jobs_stopped = true;
	tell_stopped_if_both(sv);
}

static bool
owns_pid(pid_t pid, void *ctx)
{
	struct supervisor *sv = ctx;

	return table_find(&sv->table, pid) != NULL;
}

/*
 * The exit code, as the README's contract says: the main process's status
 * if it ran (but never 0 after an essential service failed); otherwise the
 * essential service's whose end stopped the container; otherwise 0 if
 * every service ended cleanly, else the first unclean status.
 */
static int
final_code(const struct supervisor *sv)
{
	if (sv->main_ran) {
		if (sv->exit_code == 0 && sv->essential_failed)
			return sv->failed_code;
		return sv->exit_code;
	}
	if (sv->cause == CAUSE_ESSENTIAL)
		return sv->essential_code;
	if (sv->essential_failed)
		return sv->failed_code;
	return sv->services.any_unclean ? sv->services.first_unclean : 0;
}

/* How many sources of output grace relays: each service but those with
 * StandardOutput=inherit, and the main command with --log-main. */
static size_t
count_relayed(const struct settings *settings, const struct plan *plan)
{
	size_t i, n = settings->log_main && settings->command != NULL;

	for (i = 0; i < plan->n; i++)
		n += !plan->services[i].unit.output_inherit;
	for (i = 0; i < plan->n_jobs; i++)
		n += !plan->jobs[i].unit.output_inherit;
	return n;
}

/* Whether any process writes straight to grace's stdout and stderr: the
 * main command (without --log-main), a StandardOutput=inherit service. */
static bool
passes_through(const struct settings *settings, const struct plan *plan)
{
	size_t i;

	if (settings->command != NULL && !settings->log_main)
		return true;
	for (i = 0; i < plan->n; i++)
		if (plan->services[i].unit.output_inherit)
			return true;
	for (i = 0; i < plan->n_jobs; i++)
		if (plan->jobs[i].unit.output_inherit)
			return true;
	return false;
}

/* The last part of a path: what --log-main names the main command. */
static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/* A control request: answered from the services and jobs. */
static int
on_request(const struct request *req, FILE *out, void *ctx)
{
	struct supervisor *sv = ctx;
	struct answer_ctx ac = {
		.services = &sv->services,
		.jobs = &sv->jobs,
		.stopping = sv->phase != STOP_RUNNING,
		.reload = reload_plan,
		.ctx = sv,
	};

	return answer_request(req, &ac, out);
}

/* Whether grace listens for gracectl: when asked to, and by default when
 * it runs services or jobs, so that a single command costs nothing. */
static bool
wants_control(const struct settings *settings, const struct plan *plan)
{
	if (settings->no_control)
		return false;
	return settings->control || plan->n + plan->n_jobs > 0;
}

/* The one supervisor of this process. */
static struct supervisor supervisor;

void
supervise_setup(const struct settings *settings, struct plan *plan,
		int sigfd, const struct sig_inherited *inherited)
{
	struct supervisor *sv = &supervisor;
	struct services_hooks hooks = { start_main, on_essential_ended,
					on_services_stopped, owns_pid, sv };
	struct jobs_hooks job_hooks = { on_essential_job_failed,
					on_jobs_stopped, sv };
	size_t relayed;
	bool control;
	int rc;

	sv->settings = settings;
	sv->inherited = inherited;
	reload_init(&sv->reload, settings, plan);
	sv->phase = STOP_RUNNING;
	sv->pid1 = getpid() == 1;
	/* Not PID 1: orphans of our tree must come to us, not to the
	 * namespace's init, or we could neither reap nor wait for them. */
	if (!sv->pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die_errno("unable to become a child subreaper");
	/* tini -p: the signal arrives like any other and is forwarded. */
	if (settings->parent_death_signal != 0 &&
	    prctl(PR_SET_PDEATHSIG, settings->parent_death_signal) < 0)
		die_errno("unable to set the parent death signal");
	if (table_reserve(&sv->table, 1) < 0)
		die("unable to allocate the process table");
	/* Room for the signalfd, the timer, a stranger's pidfd, the pidfile
	 * timer, and what the services need (with the main process's exec
	 * report when it starts after them), and the relay of their output. */
	relayed = count_relayed(settings, plan);
	control = wants_control(settings, plan);
	rc = loop_init(&sv->loop, 4 + (plan->n + plan->n_jobs > 0) +
					  (control ? CONTROL_WATCHES : 0) +
					  services_watches_needed(plan) +
					  jobs_watches_needed(plan) +
					  output_watches_needed(relayed));
	if (rc < 0) {
		errno = -rc;
		die_errno("unable to create the event loop");
	}
	sv->stranger_fd = -1;
	sv->main_exec_fd = -1;
	deadlines_init(&sv->deadlines);
	if (deadlines_reserve(&sv->deadlines,
			      3 + (control ? CONTROL_DEADLINES : 0) +
				      services_deadlines_needed(plan) +
				      jobs_deadlines_needed(plan) +
				      output_deadlines_needed(relayed)) < 0)
		die("unable to allocate the deadlines");
	deadline_init(&sv->grace_dl, on_grace_timer, sv);
	deadline_init(&sv->stop_dl, on_stop_timer, sv);
	deadline_init(&sv->rescan_dl, on_rescan, sv);
	rc = deadlines_open(&sv->deadlines, &sv->loop);
	if (rc == 0)
		rc = loop_watch(&sv->loop, sigfd, on_signals, sv);
	if (rc < 0) {
		errno = -rc;
		die_errno("unable to watch signals and timers");
	}
	if (settings->pidfile != NULL)
		follow_setup(&sv->follow, &sv->loop, settings->pidfile,
			     settings->pidfile_wait_ms, on_followed, sv);
	output_init(&sv->output, settings->log_json ? LOGFMT_JSON : LOGFMT_PLAIN,
		    settings->log_time, (size_t)settings->log_buffer);
	services_setup(&sv->services, plan, &sv->loop, &sv->deadlines,
		       &sv->output, inherited, hooks);
	jobs_setup(&sv->jobs, plan, &sv->loop, &sv->deadlines, &sv->output,
		   inherited, job_hooks);
	if (settings->log_main && settings->command != NULL) {
		sv->main_output = output_add(&sv->output,
					     base_name(settings->command[0]));
		if (sv->main_output == NULL)
			die_errno("unable to relay the main command's output");
	}
	output_start(&sv->output, &sv->loop, &sv->deadlines,
		     passes_through(settings, plan));
	if (control) {
		sv->control = malloc(sizeof(*sv->control));
		if (sv->control == NULL)
			die("unable to allocate the control socket");
		control_open(sv->control, settings->control_address, &sv->loop,
			     &sv->deadlines, on_request, sv);
	}
}

int
supervise_run(void)
{
	struct supervisor *sv = &supervisor;
	int code;

	jobs_start(&sv->jobs);
	services_start(&sv->services);
	loop_run(&sv->loop);
	/* What the services wrote is out: grace's last lines follow it. */
	output_free(&sv->output);
	code = final_code(sv);
	if (sv->stop_began_ms == 0)
		sv->stop_began_ms = deadline_now_ms();
	info("stopped: %s; the stop took %llums; exiting with %d",
	     sv->cause_text[0] ? sv->cause_text : "no process left",
	     (unsigned long long)(deadline_now_ms() - sv->stop_began_ms),
	     code);
	/* Leave nothing behind, so that memory checkers see a clean exit. */
	if (sv->control != NULL) {
		control_close(sv->control);
		free(sv->control);
	}
	services_free(&sv->services);
	jobs_free(&sv->jobs);
	reload_free(&sv->reload);
	deadlines_free(&sv->deadlines);
	loop_close(&sv->loop);
	table_free(&sv->table);
	return code;
}
