// SPDX-License-Identifier: MIT
/* Owns the running services: carries out what each one's state machine
 * (src/service.c) decides, starts them in dependency order, watches their
 * readiness, restarts them with backoff and stops them in reverse order.
 * From here on grace may not die: every failure is logged and survived. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pidfile.h"
#include "procs.h"
#include "ready.h"
#include "reap.h"
#include "services.h"
#include "spec.h"
#include "spawn.h"

/* How often a forking service's pidfile is looked at while it starts. */
#define PIDFILE_TICK_MS 100

struct svc {
	struct services *owner;
	const struct plan_service *spec;
	const char *name;
	size_t index;		/* in owner->svcs, and its plan's */
	bool retired;		/* gone from the plan at a reload: stopped,
				 * then freed at the next reload */
	enum svc_state state;
	pid_t pid;		/* its main process, 0 when none */
	pid_t pgid;		/* the group it was started in */
	pid_t check_pid;	/* a ReadyCheck=exec: in flight, or 0 */
	int check_fd;		/* a ReadyCheck=tcp: connect in flight */
	int ready_rd, ready_wr;	/* the ReadyFd= pipe, or -1 */
	int exec_fd;		/* its exec's report, until read, or -1 */
	int check_exec_fd;	/* the same for a ReadyCheck=exec: */
	bool timed_out;		/* the stop under way is a failed start's */
	bool forked;		/* Type=forking: the starter has exited */
	int code;		/* its last exit code */
	bool clean;		/* and whether that was a clean end */
	unsigned attempt;	/* restarts since the backoff started over */
	unsigned restarts;
	bool ended_once;	/* code and clean hold an end */
	bool held;		/* stopped by gracectl: not restarted, and
				 * its end does not stop the container */
	bool restart_asked;	/* gracectl restart: start once ended */
	uint64_t started_ms;
	struct start_limit limit;
	struct deadline start_dl, stop_dl, restart_dl, check_dl;
	struct output_source *output;	/* its relayed output, or NULL */
};

/*
 * The services act on each other: an event fed to one may end it, which
 * stops those that require it, or make it ready, which starts those after
 * it; each of those is an event fed in turn, so feed() is re-entered.  The
 * depth is bounded: every nested feed() moves a service on to a later
 * state (started, backing off, ended for good), and evaluate() re-entered
 * only asks its outer call for another pass.
 */
// NOLINTBEGIN(misc-no-recursion)
static void feed(struct svc *svc, enum svc_event event);
static void evaluate(struct services *services);
static void advance_stop(struct services *services);
static void advance_stop_once(struct services *services);
static void settle_if_gone(struct svc *svc);
static void close_exec_status(struct svc *svc);
static void close_check_status(struct svc *svc, bool read);
static void on_exec_status(int fd, void *ctx);
static const struct svc *failed_requirement(const struct svc *svc);

static const struct unit *
unit_of(const struct svc *svc)
{
	return &svc->spec->unit;
}

/* "exited with 3", "was killed by SIGKILL" for an exit code. */
static const char *
show_end(int code, char *buf, size_t len)
{
	char sig[SIG_NAME_MAX];

	if (code > 128 && code <= 128 + 64)
		snprintf(buf, len, "was killed by %s", sig_name(code - 128, sig));
	else
		snprintf(buf, len, "exited with %d", code);
	return buf;
}

/* Whether a service's readiness is its start: no way to say more. */
static bool
ready_when_started(const struct unit *unit)
{
	return unit->type == UNIT_SIMPLE && unit->ready_fd < 0 &&
	       unit->check == UNIT_CHECK_NONE;
}

/* Sends sig to the service as KillMode= says (whole: to its group). */
static void
signal_service(struct svc *svc, int sig, bool whole)
{
	char name[SIG_NAME_MAX];
	pid_t group;

	if (svc->pid <= 0)
		return;
	if (whole) {
		/* The group it started in; a forking daemon may have left
		 * it for one of its own. */
		if (kill(-svc->pgid, sig) < 0 && errno != ESRCH)
			warn_errno("%s: unable to send %s to its group",
				   svc->name, sig_name(sig, name));
		group = getpgid(svc->pid);
		if (group > 0 && group != svc->pgid && group != getpgrp())
			(void)kill(-group, sig);
	}
	/* Our unreaped child: its pid cannot have been reused.  Once, if
	 * the group's signal reached it already (a realtime signal would
	 * queue twice); it may not have made its group yet, or left it. */
	if (whole && getpgid(svc->pid) == svc->pgid)
		return;
	if (kill(svc->pid, sig) < 0 && errno != ESRCH)
		warn_errno("%s: unable to send %s to pid %d", svc->name,
			   sig_name(sig, name), (int)svc->pid);
}

struct spawn_options
services_spawn_options(const struct plan_service *spec,
		       const struct output_source *output)
{
	const struct unit *unit = &spec->unit;
	struct spawn_options options = SPAWN_OPTIONS_INIT;

	options.service = true;
	options.envp = spec->env.vars;
	options.ids = spec->ids.set_user || spec->ids.set_group ? &spec->ids
								  : NULL;
	options.cwd = spec->cwd;
	options.cwd_optional = unit->working_dir_optional;
	options.umask = unit->umask;
	options.nofile = unit->has_nofile ? &unit->nofile : NULL;
	options.no_new_privs = unit->no_new_privs;
	/* A reload may have left a source that the spec no longer asks
	 * for (StandardOutput=inherit now). */
	if (output != NULL && !unit->output_inherit) {
		options.stdout_fd = output_stdout_fd(output);
		options.stderr_fd = output_stderr_fd(output);
	}
	return options;
}

/* The options a service's processes (and its exec checks) start with. */
static struct spawn_options
options_of(const struct svc *svc)
{
	return services_spawn_options(svc->spec, svc->output);
}

/* Empties the ReadyFd= pipe of what an earlier run wrote. */
static bool
drain_ready_pipe(struct svc *svc)
{
	char buf[256];
	bool newline = false;
	ssize_t n;

	while ((n = read(svc->ready_rd, buf, sizeof(buf))) > 0)
		if (memchr(buf, '\n', (size_t)n) != NULL)
			newline = true;
	return newline;
}

/* Starts the service's process; feeds a spawn failure if it cannot. */
static void
spawn_service(struct svc *svc)
{
	const struct unit *unit = unit_of(svc);
	struct spawn_options options = options_of(svc);
	int code;
	pid_t pid;

	/* A reload may have left a pipe that the spec no longer asks for. */
	if (svc->ready_rd >= 0 && unit->ready_fd >= 0) {
		drain_ready_pipe(svc);
		options.ready_fd = svc->ready_wr;
		options.ready_fd_as = unit->ready_fd;
	}
	svc->forked = false;
	svc->timed_out = false;
	options.status_fd = &svc->exec_fd;
	pid = spawn_child(svc->spec->argv, svc->name, &options,
			  svc->owner->inherited, &code);
	svc->started_ms = deadline_now_ms();
	if (pid < 0) {
		svc->code = code;
		svc->clean = false;
		feed(svc, service_wants_restart(unit, false) &&
				  !svc->owner->stopping
			  ? SVC_EV_SPAWN_FAILED
			  : SVC_EV_SPAWN_FAILED_FINAL);
		return;
	}
	svc->pid = svc->pgid = pid;
	info("%s: started as pid %d", svc->name, (int)pid);
	if (svc->exec_fd >= 0 &&
	    loop_watch(svc->owner->loop, svc->exec_fd, on_exec_status, svc) ==
		    0)
		return;
	/* Waited for the exec (or cannot watch its report: the exit status
	 * will tell a failure). */
	close_exec_status(svc);
	if (ready_when_started(unit))
		feed(svc, SVC_EV_READY);
}

/* Stops watching *fd, a descriptor of the service's, and closes it. */
static void
forget_fd(struct svc *svc, int *fd)
{
	if (*fd < 0)
		return;
	loop_unwatch(svc->owner->loop, *fd);
	close(*fd);
	*fd = -1;
}

/* Forgets the report of the service's exec. */
static void
close_exec_status(struct svc *svc)
{
	forget_fd(svc, &svc->exec_fd);
}

/* The service's exec has happened, or failed (then said so; its exit
 * follows): a service ready when started is ready now. */
static void
on_exec_status(int fd, void *ctx)
{
	struct svc *svc = ctx;
	int code, rc = spawn_take_status(fd, svc->spec->argv, svc->name, &code);

	if (rc == -EAGAIN)
		return;
	close_exec_status(svc);
	if (rc == 0 && svc->state == SVC_STARTING &&
	    ready_when_started(unit_of(svc)))
		feed(svc, SVC_EV_READY);
}

/* The service's end is a failure: never a 0, whatever its process said
 * (a start that timed out, an exit before ready, giving up). */
static void
mark_failed(struct svc *svc)
{
	svc->clean = false;
	if (svc->code == 0)
		svc->code = 1;
}

/* Starts the service if its start limit allows, else it has given up. */
static void
start_service(struct svc *svc, enum svc_event event)
{
	const struct unit *unit = unit_of(svc);
	char t[32];

	if (!start_limit_take(&svc->limit, unit, deadline_now_ms())) {
		warn("%s: gave up: started %u times within %s", svc->name,
		     unit->start_limit_burst,
		     log_format_ms(unit->start_limit_interval_ms, t, sizeof(t)));
		/* Giving up is a failure, whatever the last exit was. */
		mark_failed(svc);
		feed(svc, SVC_EV_EXIT_FAILED);
		return;
	}
	feed(svc, event);
}

static void
watch_ready(struct svc *svc)
{
	const struct unit *unit = unit_of(svc);
	struct deadlines *deadlines = svc->owner->deadlines;

	if (unit->timeout_start_ms != UNIT_INFINITY)
		deadline_after(deadlines, &svc->start_dl,
			       unit->timeout_start_ms);
	/* The first check right away, the next ones every interval. */
	if (unit->check != UNIT_CHECK_NONE)
		deadline_after(deadlines, &svc->check_dl, 0);
}

static void
end_tcp_check(struct svc *svc)
{
	forget_fd(svc, &svc->check_fd);
}

static void
unwatch_ready(struct svc *svc)
{
	deadline_cancel(svc->owner->deadlines, &svc->start_dl);
	deadline_cancel(svc->owner->deadlines, &svc->check_dl);
	end_tcp_check(svc);
	if (svc->check_pid > 0) {
		/* Reaped as an orphan: it is ours, it cannot be reused. */
		(void)kill(svc->check_pid, SIGKILL);
		svc->check_pid = 0;
	}
	close_check_status(svc, false);
}

/* What a ReadyCheck=exec: process is called in messages. */
static void
name_check(const struct svc *svc, char *name, size_t len)
{
	snprintf(name, len, "%s's ReadyCheck", svc->name);
}

/* Reads the report of the ReadyCheck=exec: process that has exited, if
 * asked (saying why it could not run), and forgets it. */
static void
close_check_status(struct svc *svc, bool read)
{
	char name[UNIT_NAME_MAX + 16];
	int code;

	if (svc->check_exec_fd < 0)
		return;
	if (read) {
		name_check(svc, name, sizeof(name));
		(void)spawn_take_status(svc->check_exec_fd,
					svc->spec->check_argv, name, &code);
	}
	close(svc->check_exec_fd);
	svc->check_exec_fd = -1;
}

/* KillSignal= and SIGCONT, as KillMode= says, and TimeoutStopSec=. */
static void
signal_stop(struct svc *svc)
{
	const struct unit *unit = unit_of(svc);
	bool whole = unit->kill_mode == UNIT_KILL_CONTROL_GROUP;
	char sig[SIG_NAME_MAX];

	info("%s: stopping with %s", svc->name,
	     sig_name(unit->kill_signal, sig));
	signal_service(svc, unit->kill_signal, whole);
	/* A stopped process cannot act on the signal until continued. */
	if (unit->kill_signal != SIGCONT && unit->kill_signal != SIGKILL)
		signal_service(svc, SIGCONT, whole);
	if (unit->timeout_stop_ms != UNIT_INFINITY)
		deadline_after(svc->owner->deadlines, &svc->stop_dl,
			       unit->timeout_stop_ms);
}

static void
kill_service(struct svc *svc)
{
	const struct unit *unit = unit_of(svc);
	char t[32];

	warn("%s: still running %s after its stop signal, killing it",
	     svc->name, log_format_ms(unit->timeout_stop_ms, t, sizeof(t)));
	signal_service(svc, SIGKILL, unit->kill_mode != UNIT_KILL_PROCESS);
}

static void
arm_restart(struct svc *svc)
{
	const struct unit *unit = unit_of(svc);
	long long delay = service_restart_delay(unit, svc->attempt);
	char end[64], t[32];

	svc->attempt++;
	svc->restarts++;
	svc->restart_asked = false;
	if (svc->clean)
		info("%s: %s, restarting in %s (attempt %u)", svc->name,
		     show_end(svc->code, end, sizeof(end)),
		     log_format_ms(delay, t, sizeof(t)), svc->attempt);
	else
		warn("%s: %s, restarting in %s (attempt %u)", svc->name,
		     show_end(svc->code, end, sizeof(end)),
		     log_format_ms(delay, t, sizeof(t)), svc->attempt);
	deadline_after(svc->owner->deadlines, &svc->restart_dl, delay);
}

/* Whether a service that requires dep must stop (or never start) now
 * that dep has ended: unless dep is a oneshot that did its job. */
static bool
ends_requirers(const struct svc *dep)
{
	return !(unit_of(dep)->type == UNIT_ONESHOT &&
		 dep->state == SVC_DONE);
}

/* Whether svc requires the service at index. */
static bool
requires_index(const struct svc *svc, size_t index)
{
	size_t i;

	for (i = 0; i < svc->spec->n_requires; i++)
		if (svc->spec->requires[i] == index)
			return true;
	return false;
}

/* A service with no process whose requirement dep has ended for good
 * ends as dep did. */
static void
end_as_requirement(struct svc *svc, const struct svc *dep)
{
	svc->code = dep->code;
	svc->clean = dep->clean;
	feed(svc, svc->clean ? SVC_EV_EXIT_CLEAN : SVC_EV_EXIT_FAILED);
}

/* The service at index has ended for good: those that require it stop. */
static void
stop_requirers(struct services *services, size_t index)
{
	struct svc *dep = services->svcs[index], *svc;
	size_t i;

	if (services->stopping || dep->retired || !ends_requirers(dep))
		return;
	for (i = 0; i < services->n_live; i++) {
		svc = services->svcs[i];
		if (!requires_index(svc, index) || service_has_ended(svc->state))
			continue;
		info("%s: stopping, since %s, which it requires, has ended",
		     svc->name, dep->name);
		/* Stopped with gracectl, it takes those that require it
		 * along, and none of them stops the container. */
		if (dep->held)
			svc->held = true;
		if (svc->state == SVC_WAITING || svc->state == SVC_BACKOFF) {
			end_as_requirement(svc, dep);
		} else {
			feed(svc, SVC_EV_STOP);
			settle_if_gone(svc);
		}
	}
}

static void
note_ended(struct svc *svc)
{
	struct services *services = svc->owner;
	char end[64];

	if (svc->clean)
		info("%s: %s, done", svc->name,
		     show_end(svc->code, end, sizeof(end)));
	else if (svc->state == SVC_FAILED && !services->stopping)
		warn("%s: %s, failed", svc->name,
		     show_end(svc->code, end, sizeof(end)));
	else
		info("%s: %s", svc->name, show_end(svc->code, end, sizeof(end)));
	/* What gracectl or a reload stopped does not decide the exit
	 * code. */
	if (!svc->clean && !services->any_unclean && !svc->held) {
		services->any_unclean = true;
		services->first_unclean = svc->code;
	}
	/* Restarted as asked: those that require it keep running.  Not
	 * when a service it requires has ended meanwhile: it would end
	 * again at once, no longer held. */
	if (svc->restart_asked && !services->stopping &&
	    failed_requirement(svc) == NULL) {
		info("%s: starting again, as asked", svc->name);
		feed(svc, SVC_EV_RESET);
		return;
	}
	svc->restart_asked = false;
	/* A oneshot that has done its work has not ended the container,
	 * nor has a service gracectl stopped. */
	if (unit_of(svc)->essential && !services->stopping && !svc->held &&
	    !(unit_of(svc)->type == UNIT_ONESHOT && svc->clean))
		services->hooks.essential_ended(svc->name, svc->code,
						svc->clean,
						services->hooks.ctx);
	stop_requirers(services, svc->index);
}

/*
 * Stops a service for gracectl or a reload: held, so that its end is
 * neither restarted nor stops the container.  One with no process
 * (waiting for its dependencies, or backing off) ends at once, cleanly,
 * as one told to stop: those that require it are told, as they would be
 * of a stop that had a process to signal.
 */
static void
stop_held(struct svc *svc)
{
	svc->held = true;
	svc->restart_asked = false;
	if (svc->state == SVC_WAITING || svc->state == SVC_BACKOFF) {
		svc->clean = true;
		feed(svc, SVC_EV_EXIT_CLEAN);
		return;
	}
	feed(svc, SVC_EV_STOP);
	settle_if_gone(svc);
}

/* Started again from done or failed: as if it had never run. */
static void
reset_service(struct svc *svc)
{
	svc->held = false;
	svc->restart_asked = false;
	svc->timed_out = false;
	svc->forked = false;
	svc->attempt = 0;
	svc->limit.count = 0;
}

/*
 * Feeds one event to the service's state machine and carries out its
 * actions: cancellations first, then signals and timers, the spawn last,
 * since a failed spawn feeds the next event itself.
 */
static void
feed(struct svc *svc, enum svc_event event)
{
	struct svc_step step = service_transition(svc->state, event);
	struct deadlines *deadlines = svc->owner->deadlines;

	if (step.next != svc->state)
		debug("%s: %s -> %s", svc->name,
		      service_state_name(svc->state),
		      service_state_name(step.next));
	svc->state = step.next;
	if (step.actions & SVC_ACT_UNWATCH_READY)
		unwatch_ready(svc);
	if (step.actions & SVC_ACT_CANCEL_STOP)
		deadline_cancel(deadlines, &svc->stop_dl);
	if (step.actions & SVC_ACT_CANCEL_RESTART)
		deadline_cancel(deadlines, &svc->restart_dl);
	if (step.actions & SVC_ACT_SIGNAL)
		signal_stop(svc);
	if (step.actions & SVC_ACT_KILL)
		kill_service(svc);
	if (step.actions & SVC_ACT_ARM_RESTART)
		arm_restart(svc);
	if (step.actions & SVC_ACT_WATCH_READY)
		watch_ready(svc);
	if (step.actions & SVC_ACT_RELEASE)
		info("%s: ready", svc->name);
	if (step.actions & SVC_ACT_RESET)
		reset_service(svc);
	if (step.actions & SVC_ACT_ENDED)
		note_ended(svc);
	if (step.actions & SVC_ACT_SPAWN)
		spawn_service(svc);
	if (step.actions & (SVC_ACT_RELEASE | SVC_ACT_ENDED | SVC_ACT_RESET))
		evaluate(svc->owner);
}

/* Whether a service has settled as far as those after it care: ready,
 * or ended for good. */
static bool
is_settled(const struct svc *svc)
{
	return svc->state == SVC_RUNNING || service_has_ended(svc->state);
}

/* A required service of svc that has ended in a way that stops it, or
 * NULL.  A service a reload removed has none: its spec's indices are an
 * older plan's. */
static const struct svc *
failed_requirement(const struct svc *svc)
{
	const struct svc *dep;
	size_t i;

	if (svc->retired)
		return NULL;
	for (i = 0; i < svc->spec->n_requires; i++) {
		dep = svc->owner->svcs[svc->spec->requires[i]];
		if (service_has_ended(dep->state) && ends_requirers(dep))
			return dep;
	}
	return NULL;
}

static bool
may_start(const struct svc *svc)
{
	size_t i;

	for (i = 0; i < svc->spec->n_after; i++)
		if (!is_settled(svc->owner->svcs[svc->spec->after[i]]))
			return false;
	return true;
}

/* One look at every waiting service. */
static void
evaluate_once(struct services *services)
{
	const struct svc *dep;
	struct svc *svc;
	size_t i;
	bool all = true;

	for (i = 0; i < services->n_live; i++) {
		svc = services->svcs[i];
		if (svc->state == SVC_WAITING && !services->stopping) {
			dep = failed_requirement(svc);
			if (dep != NULL) {
				info("%s: not started, since %s, which it "
				     "requires, has ended", svc->name,
				     dep->name);
				end_as_requirement(svc, dep);
			} else if (may_start(svc)) {
				start_service(svc, SVC_EV_START);
			}
		}
		if (!is_settled(svc))
			all = false;
	}
	if (all && !services->all_ready_told && !services->stopping) {
		services->all_ready_told = true;
		services->hooks.all_ready(services->hooks.ctx);
	}
}

/* Starts what may start and tells what there is to tell, until nothing
 * changes; re-entered (a start that makes another service ready), it
 * asks the outer call for one more pass. */
static void
evaluate(struct services *services)
{
	if (services->evaluating) {
		services->again = true;
		return;
	}
	services->evaluating = true;
	do {
		services->again = false;
		evaluate_once(services);
	} while (services->again);
	services->evaluating = false;
	if (services->stopping)
		advance_stop(services);
}

/* --- readiness ------------------------------------------------------- */

static void
on_ready_fd(int fd, void *ctx)
{
	struct svc *svc = ctx;
	char buf[256];
	bool newline = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (memchr(buf, '\n', (size_t)n) != NULL)
			newline = true;
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		warn_errno("%s: unable to read its ReadyFd=", svc->name);
	if (newline && svc->state == SVC_STARTING)
		feed(svc, SVC_EV_READY);
}

/* The service a notify datagram's sender belongs to: its main process,
 * or a process of its group. */
static struct svc *
find_sender(struct services *services, pid_t sender)
{
	pid_t group;
	size_t i;

	if (sender <= 0)
		return NULL;
	for (i = 0; i < services->n; i++)
		if (services->svcs[i]->pid == sender)
			return services->svcs[i];
	group = getpgid(sender);
	if (group <= 0)
		return NULL;
	for (i = 0; i < services->n; i++)
		if (service_is_up(services->svcs[i]->state) &&
		    services->svcs[i]->pgid == group)
			return services->svcs[i];
	return NULL;
}

/*
 * Whether svc may take pid over as its main process (MAINPID=, a forking
 * service's pidfile): a live child of grace, so a process in the container
 * that grace reaps, and no one else's, neither another service's nor the
 * main process.
 */
static bool
may_adopt(const struct svc *svc, pid_t pid)
{
	const struct services *services = svc->owner;
	pid_t ppid;
	char state;
	size_t i;

	if (procs_stat(pid, &state, &ppid) < 0 || ppid != getpid() ||
	    state == 'Z')
		return false;
	for (i = 0; i < services->n; i++)
		if (services->svcs[i] != svc &&
		    (services->svcs[i]->pid == pid ||
		     services->svcs[i]->check_pid == pid))
			return false;
	return !services->hooks.owns(pid, services->hooks.ctx);
}

/* MAINPID=: see may_adopt(). */
static void
take_mainpid(struct svc *svc, pid_t pid)
{
	if (pid == svc->pid)
		return;
	if (!may_adopt(svc, pid)) {
		info("%s: ignored MAINPID=%d: not a child of grace that no "
		     "one else has", svc->name, (int)pid);
		return;
	}
	info("%s: main process is now pid %d", svc->name, (int)pid);
	svc->pid = pid;
}

static void
handle_notify(struct services *services, char *text, size_t len,
	      pid_t sender)
{
	struct ready_message msg;
	struct svc *svc = find_sender(services, sender);

	if (svc == NULL || unit_of(svc)->type != UNIT_NOTIFY) {
		info("ignored a notify message from pid %d, which is no "
		     "Type=notify service's", (int)sender);
		return;
	}
	ready_parse_message(text, len, &msg);
	if (msg.status != NULL)
		info("%s: status: %.*s", svc->name, (int)msg.status_len,
		     msg.status);
	if (msg.mainpid > 0)
		take_mainpid(svc, msg.mainpid);
	if (msg.stopping)
		info("%s: says it is stopping", svc->name);
	if (msg.ready && svc->state == SVC_STARTING)
		feed(svc, SVC_EV_READY);
}

static void
on_notify(int fd, void *ctx)
{
	struct services *services = ctx;
	char buf[4096];
	ssize_t n;
	pid_t sender;
	int i;

	/* A bounded batch per turn, as with signals. */
	for (i = 0; i < 64; i++) {
		n = ready_notify_read(fd, buf, sizeof(buf), &sender);
		if (n == -EAGAIN)
			return;
		if (n < 0) {
			errno = (int)-n;
			warn_errno("unable to read the notify socket");
			return;
		}
		handle_notify(services, buf, (size_t)n, sender);
	}
}

static void
next_check(struct svc *svc)
{
	if (svc->state == SVC_STARTING)
		deadline_after(svc->owner->deadlines, &svc->check_dl,
			       unit_of(svc)->check_interval_ms);
}

static void
on_tcp_connected(int fd, void *ctx)
{
	struct svc *svc = ctx;
	bool ok = ready_tcp_succeeded(fd);

	end_tcp_check(svc);
	if (ok && svc->state == SVC_STARTING)
		feed(svc, SVC_EV_READY);
}

static void
check_tcp(struct svc *svc)
{
	const struct plan_service *spec = svc->spec;
	bool done;
	int fd, rc;

	end_tcp_check(svc);
	fd = ready_tcp_begin(&spec->check_addr, spec->check_addr_len, &done);
	if (fd < 0) {
		next_check(svc);
		return;
	}
	if (done) {
		close(fd);
		feed(svc, SVC_EV_READY);
		return;
	}
	rc = loop_watch_writable(svc->owner->loop, fd, on_tcp_connected, svc);
	if (rc < 0) {
		close(fd);
		errno = -rc;
		warn_errno("%s: unable to watch its readiness check", svc->name);
	} else {
		svc->check_fd = fd;
	}
	next_check(svc);
}

static void
check_exec(struct svc *svc)
{
	struct spawn_options options = options_of(svc);
	char name[UNIT_NAME_MAX + 16];
	int code;
	pid_t pid;

	if (svc->check_pid > 0) {
		next_check(svc);	/* the last one still runs */
		return;
	}
	name_check(svc, name, sizeof(name));
	/* Its report is read once it has exited: only its status counts. */
	options.status_fd = &svc->check_exec_fd;
	pid = spawn_child(svc->spec->check_argv, name, &options,
			  svc->owner->inherited, &code);
	if (pid > 0)
		svc->check_pid = pid;
	else
		next_check(svc);
}

/* Type=forking: the starter has exited 0; the daemon is whoever the
 * pidfile names, if that is a live child of grace. */
static void
check_pidfile(struct svc *svc)
{
	const char *path = unit_of(svc)->pidfile.text;
	char why[160];
	pid_t pid;

	if (pidfile_read(path, &pid, why, sizeof(why)) == 0 &&
	    may_adopt(svc, pid)) {
		svc->pid = pid;
		info("%s: following pid %d, named by %s", svc->name, (int)pid,
		     path);
		feed(svc, SVC_EV_READY);
		return;
	}
	deadline_after(svc->owner->deadlines, &svc->check_dl, PIDFILE_TICK_MS);
}

static void
on_check_due(struct deadline *deadline, void *ctx)
{
	struct svc *svc = ctx;

	(void)deadline;
	if (svc->state != SVC_STARTING)
		return;
	if (unit_of(svc)->type == UNIT_FORKING) {
		check_pidfile(svc);
		return;
	}
	switch (unit_of(svc)->check) {
	case UNIT_CHECK_TCP:
		check_tcp(svc);
		break;
	case UNIT_CHECK_FILE:
		if (access(unit_of(svc)->check_target.text, F_OK) == 0)
			feed(svc, SVC_EV_READY);
		else
			next_check(svc);
		break;
	case UNIT_CHECK_EXEC:
		check_exec(svc);
		break;
	case UNIT_CHECK_NONE:
		break;
	}
}

/*
 * Whether an end (clean or not) is followed by a restart under Restart=:
 * not once the container stops, nor for a service gracectl or a reload
 * stopped (or is restarting: its end is final, then it starts afresh),
 * nor after a service it requires has ended for good (it was told to
 * stop while stopping for a start timeout already).
 */
static bool
restarts_itself(const struct svc *svc, bool clean)
{
	return !svc->owner->stopping && !svc->held && !svc->restart_asked &&
	       failed_requirement(svc) == NULL &&
	       service_wants_restart(unit_of(svc), clean);
}

/*
 * A service told to stop that has no process (a forking service whose
 * starter has exited while its pidfile is awaited) has nothing to wait
 * for: its end is fed at once.
 */
static void
settle_if_gone(struct svc *svc)
{
	if (!service_is_up(svc->state) || svc->pid > 0)
		return;
	if (!svc->timed_out) {
		svc->clean = true;
		feed(svc, SVC_EV_EXIT_CLEAN);
		return;
	}
	mark_failed(svc);
	feed(svc, restarts_itself(svc, false) ? SVC_EV_EXIT_RESTART
					      : SVC_EV_EXIT_FAILED);
}

/* --- timers ------------------------------------------------------------ */

static void
on_start_timeout(struct deadline *deadline, void *ctx)
{
	struct svc *svc = ctx;
	char t[32];

	(void)deadline;
	warn("%s: not ready after %s", svc->name,
	     log_format_ms(unit_of(svc)->timeout_start_ms, t, sizeof(t)));
	svc->timed_out = true;
	feed(svc, SVC_EV_START_TIMEOUT);
	settle_if_gone(svc);
}

static void
on_stop_timeout(struct deadline *deadline, void *ctx)
{
	(void)deadline;
	feed(ctx, SVC_EV_STOP_TIMEOUT);
}

static void
on_restart_due(struct deadline *deadline, void *ctx)
{
	(void)deadline;
	start_service(ctx, SVC_EV_RESTART_DUE);
}

/* --- exits ------------------------------------------------------------- */

/*
 * What the end of the service's main process means: a forking service's
 * starter hands over to its daemon; an exit while grace stops it is final;
 * an exit before it was ready is a failed start; otherwise Restart=
 * decides.
 */
static void
note_exit(struct svc *svc, int status)
{
	const struct unit *unit = unit_of(svc);
	bool stopping = svc->state == SVC_STOPPING ||
			svc->state == SVC_KILLING;
	bool restart;
	int code, rc;

	/* Exited before its report was read: it is all there now.  If its
	 * exec happened, a service ready once started was ready before it
	 * exited (a simple service that exits 0 at once has not failed). */
	if (svc->exec_fd >= 0) {
		rc = spawn_take_status(svc->exec_fd, svc->spec->argv,
				       svc->name, &code);
		close_exec_status(svc);
		if (rc == 0 && svc->state == SVC_STARTING &&
		    ready_when_started(unit))
			feed(svc, SVC_EV_READY);
	}
	svc->pid = 0;
	svc->code = reap_exit_code(status);
	svc->ended_once = true;
	if (svc->output != NULL)
		output_source_ended(svc->output);
	if (unit->type == UNIT_FORKING && svc->state == SVC_STARTING &&
	    !svc->forked && svc->code == 0) {
		svc->forked = true;
		check_pidfile(svc);
		return;
	}
	if (stopping && !svc->timed_out) {
		svc->clean = service_exit_clean(unit, status, true);
		feed(svc, svc->clean ? SVC_EV_EXIT_CLEAN : SVC_EV_EXIT_FAILED);
		return;
	}
	if (svc->state == SVC_STARTING || stopping)
		svc->clean = unit->type == UNIT_ONESHOT && !stopping &&
			     service_exit_clean(unit, status, true);
	else
		svc->clean = service_exit_clean(unit, status, false);
	if (!svc->clean)
		mark_failed(svc);
	/* Up long enough: the backoff starts over. */
	if (deadline_now_ms() - svc->started_ms >=
	    (uint64_t)service_backoff_reset_ms(unit))
		svc->attempt = 0;
	restart = unit->type != UNIT_ONESHOT && restarts_itself(svc, svc->clean);
	if (restart)
		feed(svc, SVC_EV_EXIT_RESTART);
	else
		feed(svc, svc->clean ? SVC_EV_EXIT_CLEAN : SVC_EV_EXIT_FAILED);
}

bool
services_reaped(struct services *services, pid_t pid, int status)
{
	struct svc *svc;
	size_t i;

	for (i = 0; i < services->n; i++) {
		svc = services->svcs[i];
		if (svc->pid == pid) {
			info("%s: pid %d exited (status %d)", svc->name,
			     (int)pid, reap_exit_code(status));
			note_exit(svc, status);
			if (services->stopping)
				advance_stop(services);
			return true;
		}
		if (svc->check_pid == pid) {
			svc->check_pid = 0;
			close_check_status(svc, true);
			if (reap_exit_code(status) == 0 &&
			    svc->state == SVC_STARTING)
				feed(svc, SVC_EV_READY);
			else
				next_check(svc);
			return true;
		}
	}
	return false;
}

/* --- the stop ---------------------------------------------------------- */

/* Stops the highest level not yet stopped, then the next once it has no
 * process left, and so on; tells stopped at the end.  A service's end
 * during a pass re-enters it (through evaluate()): that asks the outer
 * pass for another instead. */
static void
advance_stop(struct services *services)
{
	if (services->advancing) {
		services->advance_again = true;
		return;
	}
	services->advancing = true;
	do {
		services->advance_again = false;
		advance_stop_once(services);
	} while (services->advance_again);
	services->advancing = false;
}

/* The level a service stops at: its own; those a reload removed, still
 * stopping, first of all, at one above the plan's levels. */
static unsigned
stop_level_of(const struct svc *svc)
{
	return svc->retired ? svc->owner->plan->levels : svc->spec->level;
}

static void
advance_stop_once(struct services *services)
{
	struct svc *svc;
	bool busy;
	size_t i;

	while (services->stop_level > 0) {
		busy = false;
		for (i = 0; i < services->n; i++) {
			svc = services->svcs[i];
			if (stop_level_of(svc) != services->stop_level - 1)
				continue;
			if (svc->state == SVC_STARTING ||
			    svc->state == SVC_RUNNING) {
				feed(svc, SVC_EV_STOP);
				settle_if_gone(svc);
			}
			if (service_is_up(svc->state))
				busy = true;
		}
		if (busy)
			return;
		services->stop_level--;
	}
	if (!services->stopped_told) {
		services->stopped_told = true;
		services->hooks.stopped(services->hooks.ctx);
	}
}

void
services_stop_all(struct services *services)
{
	struct svc *svc;
	size_t i;

	if (services->stopping)
		return;
	services->stopping = true;
	services->stop_level = services->plan->levels +
			       (services->n > services->n_live);
	/* Those without a process end now: no restart may come. */
	for (i = 0; i < services->n; i++) {
		svc = services->svcs[i];
		if (svc->state == SVC_WAITING || svc->state == SVC_BACKOFF)
			feed(svc, SVC_EV_STOP);
	}
	advance_stop(services);
}

int
services_signal_all(struct services *services, int sig)
{
	struct svc *svc;
	int reached = 0;
	size_t i;

	for (i = 0; i < services->n; i++) {
		svc = services->svcs[i];
		if (!service_is_up(svc->state) || svc->pid <= 0)
			continue;
		signal_service(svc, sig, true);
		reached++;
	}
	return reached;
}

bool
services_any_up(const struct services *services)
{
	size_t i;

	for (i = 0; i < services->n; i++)
		if (service_is_up(services->svcs[i]->state))
			return true;
	return false;
}

void
services_start(struct services *services)
{
	evaluate(services);
}

/* --- gracectl's requests ------------------------------------------------ */

int
services_find(const struct services *services, const char *name)
{
	size_t i;

	for (i = 0; i < services->n_live; i++)
		if (strcmp(services->svcs[i]->name, name) == 0)
			return (int)i;
	return -1;
}

void
services_row(const struct services *services, size_t index,
	     uint64_t now_ms, struct status_row *row)
{
	const struct svc *svc = services->svcs[index];

	*row = (struct status_row){
		.name = svc->name,
		.state = service_state_name(svc->state),
		.essential = unit_of(svc)->essential,
		.ready = svc->state == SVC_RUNNING ||
			 (svc->state == SVC_DONE &&
			  unit_of(svc)->type == UNIT_ONESHOT),
		.pid = svc->pid,
		.uptime_ms = svc->pid > 0 ? (int64_t)(now_ms - svc->started_ms)
					  : -1,
		.restarts = svc->restarts,
		.ended = svc->ended_once,
		.last_code = svc->code,
		.last_clean = svc->clean,
		.next_run_ms = -1,
	};
}

int
services_start_one(struct services *services, size_t index)
{
	struct svc *svc = services->svcs[index];

	if (services->stopping)
		return -ECANCELED;
	if (svc->state == SVC_WAITING)
		return -EINPROGRESS;
	if (svc->state == SVC_STARTING || svc->state == SVC_RUNNING)
		return -EALREADY;
	/* It would end again at once, as its requirement did. */
	if (failed_requirement(svc) != NULL)
		return -ENOLINK;
	if (svc->state == SVC_STOPPING || svc->state == SVC_KILLING) {
		/* Being stopped: it starts again once it has ended. */
		svc->restart_asked = true;
		return 0;
	}
	info("%s: starting, as asked", svc->name);
	if (svc->state == SVC_BACKOFF)
		feed(svc, SVC_EV_STOP);
	feed(svc, SVC_EV_RESET);
	return 0;
}

int
services_stop_one(struct services *services, size_t index)
{
	struct svc *svc = services->svcs[index];

	if (services->stopping)
		return -ECANCELED;
	svc->restart_asked = false;
	if (service_has_ended(svc->state) || svc->state == SVC_STOPPING ||
	    svc->state == SVC_KILLING)
		return -EALREADY;
	info("%s: stopping, as asked", svc->name);
	stop_held(svc);
	return 0;
}

int
services_restart_one(struct services *services, size_t index)
{
	struct svc *svc = services->svcs[index];

	if (services->stopping)
		return -ECANCELED;
	if (svc->state != SVC_STARTING && svc->state != SVC_RUNNING)
		return services_start_one(services, index);
	info("%s: restarting, as asked", svc->name);
	svc->held = true;
	svc->restart_asked = true;
	feed(svc, SVC_EV_STOP);
	settle_if_gone(svc);
	return 0;
}

pid_t
services_signal_one(struct services *services, size_t index, int sig)
{
	struct svc *svc = services->svcs[index];
	char name[SIG_NAME_MAX];

	if (svc->pid <= 0)
		return -ESRCH;
	info("%s: sending %s to its process group, as asked", svc->name,
	     sig_name(sig, name));
	signal_service(svc, sig, true);
	return svc->pgid;
}

void
services_print_groups(const struct services *services, FILE *out)
{
	const struct svc *svc;
	size_t i;

	for (i = 0; i < services->n; i++) {
		svc = services->svcs[i];
		if (svc->pid > 0)
			fprintf(out, "%d %d %s\n", (int)svc->pgid,
				(int)svc->pid, svc->name);
	}
}

/* --- setup ------------------------------------------------------------- */

size_t
services_watches_needed(const struct plan *plan)
{
	size_t i, n = 1;	/* the notify socket */

	for (i = 0; i < plan->n; i++)
		n += 3;		/* a ReadyFd= pipe, a tcp check, an exec's
				 * report */
	return n;
}

size_t
services_deadlines_needed(const struct plan *plan)
{
	return plan->n * 4;
}

static bool
wants_notify(const struct plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (plan->services[i].unit.type == UNIT_NOTIFY)
			return true;
	return false;
}

/* Opens the notify socket and watches it; 0 or -errno. */
static int
open_notify(struct services *services)
{
	int fd, rc;

	fd = ready_notify_open(services->notify_name,
			       sizeof(services->notify_name));
	if (fd < 0)
		return fd;
	rc = loop_watch(services->loop, fd, on_notify, services);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	services->notify_fd = fd;
	return 0;
}

/* The plan is grace's own: the notify socket's name goes into the
 * environments of the services that notify.  0 or -ENOMEM. */
static int
tell_notify_socket(const struct services *services, struct plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (plan->services[i].unit.type == UNIT_NOTIFY &&
		    env_set(&plan->services[i].env, "NOTIFY_SOCKET", 13,
			    services->notify_name) < 0)
			return -ENOMEM;
	return 0;
}

/* The ReadyFd= pipe; 0 or -errno. */
static int
open_ready_pipe(struct svc *svc)
{
	int fds[2], rc;

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	rc = loop_watch(svc->owner->loop, fds[0], on_ready_fd, svc);
	if (rc < 0) {
		close(fds[0]);
		close(fds[1]);
		return rc;
	}
	svc->ready_rd = fds[0];
	svc->ready_wr = fds[1];
	return 0;
}

static void
close_watched(struct svc *svc, int *fd)
{
	if (*fd < 0)
		return;
	(void)loop_unwatch(svc->owner->loop, *fd);
	close(*fd);
	*fd = -1;
}

/* Frees a service that has no process: its descriptors, deadlines and
 * memory; its output source stays with the relay, for its name's
 * return. */
static void
free_svc(struct svc *svc)
{
	struct deadlines *deadlines = svc->owner->deadlines;

	deadline_cancel(deadlines, &svc->start_dl);
	deadline_cancel(deadlines, &svc->stop_dl);
	deadline_cancel(deadlines, &svc->restart_dl);
	deadline_cancel(deadlines, &svc->check_dl);
	start_limit_free(&svc->limit);
	output_release(svc->output);
	close_watched(svc, &svc->ready_rd);
	close_watched(svc, &svc->exec_fd);
	close_watched(svc, &svc->check_exec_fd);
	close_watched(svc, &svc->check_fd);
	if (svc->ready_wr >= 0)
		close(svc->ready_wr);
	free(svc);
}

/* A new service for spec, waiting to start: its memory, ReadyFd= pipe
 * and output; NULL with errno set when it cannot have them. */
static struct svc *
new_svc(struct services *services, const struct plan_service *spec,
	size_t index)
{
	struct svc *svc = calloc(1, sizeof(*svc));
	int rc = 0;

	if (svc == NULL)
		return NULL;
	svc->owner = services;
	svc->spec = spec;
	svc->name = spec->unit.name;
	svc->index = index;
	svc->state = SVC_WAITING;
	svc->check_fd = svc->ready_rd = svc->ready_wr = -1;
	svc->exec_fd = svc->check_exec_fd = -1;
	deadline_init(&svc->start_dl, on_start_timeout, svc);
	deadline_init(&svc->stop_dl, on_stop_timeout, svc);
	deadline_init(&svc->restart_dl, on_restart_due, svc);
	deadline_init(&svc->check_dl, on_check_due, svc);
	if (start_limit_init(&svc->limit, &spec->unit) < 0)
		rc = -ENOMEM;
	if (rc == 0 && spec->unit.ready_fd >= 0)
		rc = open_ready_pipe(svc);
	if (rc == 0 && !spec->unit.output_inherit) {
		svc->output = output_add(services->output, svc->name);
		if (svc->output == NULL)
			rc = -errno;
	}
	if (rc == 0)
		return svc;
	free_svc(svc);
	errno = -rc;
	return NULL;
}

void
services_setup(struct services *services, const struct plan *plan,
	       struct loop *loop, struct deadlines *deadlines,
	       struct output *output, const struct sig_inherited *inherited,
	       struct services_hooks hooks)
{
	size_t i;
	int rc;

	memset(services, 0, sizeof(*services));
	services->plan = plan;
	services->loop = loop;
	services->deadlines = deadlines;
	services->output = output;
	services->inherited = inherited;
	services->hooks = hooks;
	services->notify_fd = -1;
	if (plan->n == 0)
		return;
	services->svcs = calloc(plan->n, sizeof(struct svc *));
	if (services->svcs == NULL)
		die("out of memory");
	if (wants_notify(plan)) {
		rc = open_notify(services);
		if (rc == 0)
			rc = tell_notify_socket(services, (struct plan *)plan);
		if (rc < 0) {
			errno = -rc;
			die_errno("unable to create the notify socket");
		}
	}
	for (i = 0; i < plan->n; i++) {
		services->svcs[i] = new_svc(services, &plan->services[i], i);
		if (services->svcs[i] == NULL)
			die_errno("%s: unable to set it up",
				  plan->services[i].unit.name);
		services->n = services->n_live = i + 1;
	}
}

void
services_free(struct services *services)
{
	size_t i;

	/* The relay is freed already, its sources with it. */
	for (i = 0; i < services->n; i++) {
		services->svcs[i]->output = NULL;
		free_svc(services->svcs[i]);
	}
	if (services->notify_fd >= 0)
		close(services->notify_fd);
	free(services->svcs);
	services->svcs = NULL;
	services->n = services->n_live = 0;
}

/* --- reload ------------------------------------------------------------ */

/* What a reload does to the service at an index of the new array. */
enum reload_step {
	RELOAD_KEEP,		/* the same: left running untouched */
	RELOAD_CHANGE,		/* changed: restarted with its new spec */
	RELOAD_ADD,		/* new: started once its dependencies allow */
	RELOAD_REMOVE,		/* gone: stopped, then freed */
};

/* The live service named name, or NULL. */
static struct svc *
find_live(const struct services *services, const char *name)
{
	int i = services_find(services, name);

	return i < 0 ? NULL : services->svcs[i];
}

/* Frees what earlier reloads removed and has ended. */
static void
sweep_retired(struct services *services)
{
	size_t i, kept = services->n_live;
	struct svc *svc;

	for (i = services->n_live; i < services->n; i++) {
		svc = services->svcs[i];
		if (service_has_ended(svc->state) && svc->pid <= 0 &&
		    svc->check_pid <= 0) {
			free_svc(svc);
			continue;
		}
		svc->index = kept;
		services->svcs[kept++] = svc;
	}
	services->n = kept;
}

/* Makes the new array: the new plan's services in its order (the same
 * object for a name already there), then those removed and those removed
 * before that still run; steps[] says what each gets.  0 or -errno, and
 * nothing changed. */
static int
build_reloaded(struct services *services, const struct plan *plan,
	       struct svc ***out, enum reload_step **out_steps, size_t *out_n)
{
	size_t n = plan->n + services->n, i, k = 0;
	enum reload_step *steps = calloc(n ? n : 1, sizeof(*steps));
	struct svc **svcs = calloc(n ? n : 1, sizeof(struct svc *)), *old;
	int err;

	if (svcs == NULL || steps == NULL)
		goto fail;
	for (i = 0; i < plan->n; i++, k++) {
		old = find_live(services, plan->services[i].unit.name);
		if (old == NULL) {
			svcs[k] = new_svc(services, &plan->services[i], k);
			steps[k] = RELOAD_ADD;
			if (svcs[k] == NULL)
				goto fail;
			continue;
		}
		svcs[k] = old;
		steps[k] = spec_same(old->spec, &plan->services[i])
				   ? RELOAD_KEEP
				   : RELOAD_CHANGE;
	}
	for (i = 0; i < services->n; i++) {
		old = services->svcs[i];
		if (!old->retired && plan_find_service(plan, old->name) >= 0)
			continue;
		steps[k] = old->retired ? RELOAD_KEEP : RELOAD_REMOVE;
		svcs[k++] = old;
	}
	*out = svcs;
	*out_steps = steps;
	*out_n = k;
	return 0;
fail:
	err = errno > 0 ? errno : ENOMEM;
	for (i = 0; svcs != NULL && steps != NULL && i < k; i++)
		if (steps[i] == RELOAD_ADD && svcs[i] != NULL)
			free_svc(svcs[i]);
	free(svcs);
	free(steps);
	return -err;
}

/*
 * Readies a changed service for its new spec: what the spec sizes (its
 * start limit, into *limit; its ReadyFd= pipe, its output).  What this
 * opens is harmless if the reload goes no further.  0 or -errno.
 */
static int
prepare_spec(struct svc *svc, const struct plan_service *spec,
	     struct start_limit *limit)
{
	int rc;

	if (start_limit_init(limit, &spec->unit) < 0)
		return -ENOMEM;
	if (spec->unit.ready_fd >= 0 && svc->ready_rd < 0) {
		rc = open_ready_pipe(svc);
		if (rc < 0)
			return rc;
	}
	if (!spec->unit.output_inherit && svc->output == NULL) {
		svc->output = output_add(svc->owner->output, svc->name);
		if (svc->output == NULL)
			return -errno;
	}
	return 0;
}

/* Undoes a reload that could not be made: frees the services it added,
 * the limits it made, and its arrays. */
static void
discard_reload(struct svc **svcs, enum reload_step *steps,
	       struct start_limit *limits, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (steps[i] == RELOAD_ADD)
			free_svc(svcs[i]);
		if (limits != NULL)
			start_limit_free(&limits[i]);
	}
	free(limits);
	free(svcs);
	free(steps);
}

/* Carries out a reload's step for svc, once the new array is in place. */
static void
apply_step(struct svc *svc, enum reload_step step)
{
	switch (step) {
	case RELOAD_KEEP:
		return;
	case RELOAD_ADD:
		info("%s: added by the reload", svc->name);
		return;		/* evaluate() starts it */
	case RELOAD_REMOVE:
		info("%s: removed by the reload, stopping it", svc->name);
		svc->retired = true;
		if (svc->state != SVC_STOPPING && svc->state != SVC_KILLING &&
		    !service_has_ended(svc->state))
			stop_held(svc);
		svc->held = true;
		svc->restart_asked = false;
		return;
	case RELOAD_CHANGE:
		info("%s: changed, restarting it", svc->name);
		if (svc->state == SVC_STARTING || svc->state == SVC_RUNNING) {
			svc->held = true;
			svc->restart_asked = true;
			feed(svc, SVC_EV_STOP);
			settle_if_gone(svc);
		} else if (svc->state == SVC_STOPPING ||
			   svc->state == SVC_KILLING || svc->state == SVC_BACKOFF ||
			   (service_has_ended(svc->state) && !svc->held)) {
			/* Not one gracectl stopped: it stays stopped. */
			(void)services_start_one(svc->owner, svc->index);
		}
		return;
	}
}

int
services_reload(struct services *services, struct plan *plan,
		struct services_reload_count *count)
{
	struct start_limit *limits;
	enum reload_step *steps = NULL;
	struct svc **svcs = NULL;
	size_t n = 0, i;
	int rc;

	memset(count, 0, sizeof(*count));
	if (services->stopping)
		return -ECANCELED;
	if (services->notify_fd < 0 && wants_notify(plan)) {
		rc = open_notify(services);
		if (rc < 0)
			return rc;
	}
	if (services->notify_fd >= 0 && tell_notify_socket(services, plan) < 0)
		return -ENOMEM;
	sweep_retired(services);
	rc = build_reloaded(services, plan, &svcs, &steps, &n);
	if (rc < 0 || svcs == NULL || steps == NULL)
		return rc < 0 ? rc : -ENOMEM;
	limits = calloc(n ? n : 1, sizeof(*limits));
	rc = limits == NULL ? -ENOMEM : 0;
	for (i = 0; rc == 0 && i < plan->n; i++)
		if (steps[i] == RELOAD_CHANGE)
			rc = prepare_spec(svcs[i], &plan->services[i],
					  &limits[i]);
	if (rc < 0) {
		discard_reload(svcs, steps, limits, n);
		return rc;
	}
	/* From here on nothing fails. */
	for (i = 0; i < plan->n; i++) {
		if (steps[i] == RELOAD_CHANGE) {
			start_limit_free(&svcs[i]->limit);
			svcs[i]->limit = limits[i];
		}
		if (steps[i] != RELOAD_ADD) {
			svcs[i]->spec = &plan->services[i];
			svcs[i]->name = svcs[i]->spec->unit.name;
		}
	}
	free(limits);
	free(services->svcs);
	services->svcs = svcs;
	services->n = n;
	services->n_live = plan->n;
	services->plan = plan;
	for (i = 0; i < n; i++) {
		svcs[i]->index = i;
		count->kept += i < plan->n && steps[i] == RELOAD_KEEP;
		count->changed += steps[i] == RELOAD_CHANGE;
		count->added += steps[i] == RELOAD_ADD;
		count->removed += steps[i] == RELOAD_REMOVE;
	}
	for (i = 0; i < n; i++)
		apply_step(svcs[i], steps[i]);
	free(steps);
	evaluate(services);
	return 0;
}

bool
services_refer_to(const struct services *services, const struct plan *plan)
{
	size_t i;

	for (i = 0; i < services->n; i++)
		if (services->svcs[i]->spec >= plan->services &&
		    services->svcs[i]->spec < plan->services + plan->n)
			return true;
	return false;
}

// NOLINTEND(misc-no-recursion)
