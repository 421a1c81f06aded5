/* SPDX-License-Identifier: MIT */
/* The running services: started in order, watched, restarted, stopped in
 * reverse order. */
#ifndef GRACE_SERVICES_H
#define GRACE_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "deadline.h"
#include "loop.h"
#include "output.h"
#include "plan.h"
#include "service.h"
#include "sig.h"
#include "spawn.h"
#include "status.h"

/* What the services tell the container. */
struct services_hooks {
	/* Every service has settled (ready, or ended for good): the main
	 * process may start.  Called once. */
	void (*all_ready)(void *ctx);
	/* An essential service ended for good, with code (its exit status,
	 * or 128+N); the container must stop. */
	void (*essential_ended)(const char *name, int code, bool clean,
				void *ctx);
	/* services_stop_all() is over: no service has a process left. */
	void (*stopped)(void *ctx);
	/* Whether pid is a process the caller answers for (the main
	 * process): no service may take it over. */
	bool (*owns)(pid_t pid, void *ctx);
	void *ctx;
};

struct svc;

struct services {
	const struct plan *plan;
	/* The plan's services in its order, then those a reload removed
	 * that may still run. */
	struct svc **svcs;
	size_t n, n_live;
	struct output *output;
	struct loop *loop;
	struct deadlines *deadlines;
	const struct sig_inherited *inherited;
	struct services_hooks hooks;
	int notify_fd;		/* -1 when no service is Type=notify */
	char notify_name[64];	/* its address, for NOTIFY_SOCKET */
	bool all_ready_told;
	bool stopping;		/* services_stop_all() was called */
	bool stopped_told;
	unsigned stop_level;	/* levels not yet stopped */
	bool evaluating, again;	/* evaluate() re-entered */
	bool advancing, advance_again;	/* advance_stop() re-entered */
	int first_unclean;	/* the first unclean end's code, or 0 */
	bool any_unclean;
};

/* The options a process of spec starts with, a service's or a job's run:
 * its environment, user, directory, limits, and output (NULL: grace's
 * own stdout and stderr). */
struct spawn_options services_spawn_options(const struct plan_service *spec,
					    const struct output_source *output);

/* How many loop watches and deadlines the plan's services need at most. */
size_t services_watches_needed(const struct plan *plan);
size_t services_deadlines_needed(const struct plan *plan);

/* Prepares every service of plan (pipes, the notify socket, memory, its
 * source in output unless StandardOutput=inherit); dies on failure: it
 * runs before any process. */
void services_setup(struct services *services, const struct plan *plan,
		    struct loop *loop, struct deadlines *deadlines,
		    struct output *output,
		    const struct sig_inherited *inherited,
		    struct services_hooks hooks);
/* Frees every service, after output_free(): their sources are gone. */
void services_free(struct services *services);

/* Starts every service whose dependencies allow it; the others follow as
 * they become ready.  With no service, tells all_ready at once. */
void services_start(struct services *services);
/* A child was reaped: true when it was a service's (or a check's). */
bool services_reaped(struct services *services, pid_t pid, int status);
/* Stops every service, the last level first, each level in parallel;
 * tells stopped when none has a process left (maybe at once). */
void services_stop_all(struct services *services);
/* Sends sig to the process group of every service that runs; returns
 * how many it reached. */
int services_signal_all(struct services *services, int sig);
/* Whether any service has a process. */
bool services_any_up(const struct services *services);

/* What a reload did. */
struct services_reload_count {
	size_t kept, changed, added, removed;
};

/*
 * gracectl reload: plan (checked, and outliving every service that refers
 * to it) takes the place of the services' plan.  A service the same as
 * before runs on untouched; a changed one is restarted with its new spec
 * (stopped with it, as systemd does after a daemon-reload); an added one
 * starts once its dependencies allow; a removed one is stopped, and freed
 * at a later reload once it has ended.  0, or -errno with nothing changed
 * (-ECANCELED: the container stops).
 */
int services_reload(struct services *services, struct plan *plan,
		    struct services_reload_count *count);
/* Whether any service still refers to plan's specs. */
bool services_refer_to(const struct services *services,
		       const struct plan *plan);

/* gracectl's requests.  The service's index for name, or -1. */
int services_find(const struct services *services, const char *name);
/* What gracectl status shows of the service at index, now_ms being
 * CLOCK_MONOTONIC's now. */
void services_row(const struct services *services, size_t index,
		  uint64_t now_ms, struct status_row *row);
/*
 * gracectl start: a service that has ended (or backs off) starts again
 * once its dependencies allow, with its backoff and start limit
 * forgotten; one being stopped starts again once it has ended.  0, or
 * -EALREADY (it runs), -EINPROGRESS (it waits for its dependencies),
 * -ENOLINK (a service it requires has ended: it would end at once),
 * -ECANCELED (the container stops).
 */
int services_start_one(struct services *services, size_t index);
/* gracectl stop: KillSignal, then SIGKILL after TimeoutStopSec=; not
 * restarted, and its end does not stop the container, but those that
 * require it stop too (systemd's Requires=).  0, -EALREADY, -ECANCELED. */
int services_stop_one(struct services *services, size_t index);
/* gracectl restart: stopped as by stop, then started again once ended;
 * those that require it keep running.  0, or as services_start_one()
 * when it has no process. */
int services_restart_one(struct services *services, size_t index);
/* gracectl signal: sig to the service's process group; returns the
 * group, or -ESRCH when it has no process. */
pid_t services_signal_one(struct services *services, size_t index, int sig);
/* One line "PGID PID NAME" for every service with a process. */
void services_print_groups(const struct services *services, FILE *out);

#endif
