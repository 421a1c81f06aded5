/* SPDX-License-Identifier: MIT */
/* One service's lifecycle as a state x event table, and the pure decisions
 * around it: clean exits, restarts, backoff, the start limit. */
#ifndef GRACE_SERVICE_H
#define GRACE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unit.h"

enum svc_state {
	SVC_WAITING,	/* not started: its dependencies are not ready yet */
	SVC_STARTING,	/* its process runs; not ready yet */
	SVC_RUNNING,	/* ready (a oneshot: never; it goes to done) */
	SVC_BACKOFF,	/* exited; a restart is due after a delay */
	SVC_STOPPING,	/* KillSignal sent; TimeoutStopSec runs */
	SVC_KILLING,	/* SIGKILL sent; waiting for the exit */
	SVC_DONE,	/* ended for good, cleanly (or never started) */
	SVC_FAILED,	/* ended for good: failed, or gave up */
	SVC_NSTATES,
};

enum svc_event {
	SVC_EV_START,		/* its dependencies are ready: start it */
	SVC_EV_SPAWN_FAILED,	/* fork or exec failed: restart it */
	SVC_EV_SPAWN_FAILED_FINAL,	/* ... and it will not be restarted */
	SVC_EV_READY,		/* its readiness came */
	SVC_EV_EXIT_RESTART,	/* its process ended; it will be restarted */
	SVC_EV_EXIT_CLEAN,	/* ended for good, cleanly */
	SVC_EV_EXIT_FAILED,	/* ended for good, failed or gave up */
	SVC_EV_START_TIMEOUT,	/* TimeoutStartSec ran out */
	SVC_EV_RESTART_DUE,	/* the backoff delay is over */
	SVC_EV_STOP,		/* stop it (the container stops, or a service
				 * it requires ended for good) */
	SVC_EV_STOP_TIMEOUT,	/* TimeoutStopSec ran out */
	SVC_EV_RESET,		/* ended for good, and asked to start again
				 * (gracectl start, restart) */
	SVC_NEVENTS,
};

/* What the caller must do on a transition; a bit set. */
enum svc_action {
	SVC_ACT_NONE = 0,
	SVC_ACT_SPAWN = 1 << 0,		/* start its process */
	SVC_ACT_WATCH_READY = 1 << 1,	/* arm TimeoutStartSec, begin the
					 * readiness checks */
	SVC_ACT_UNWATCH_READY = 1 << 2,	/* cancel both */
	SVC_ACT_RELEASE = 1 << 3,	/* it is ready: dependents may start */
	SVC_ACT_SIGNAL = 1 << 4,	/* KillSignal (+SIGCONT), arm
					 * TimeoutStopSec */
	SVC_ACT_KILL = 1 << 5,		/* SIGKILL, per KillMode */
	SVC_ACT_ARM_RESTART = 1 << 6,	/* arm the backoff delay */
	SVC_ACT_CANCEL_RESTART = 1 << 7,
	SVC_ACT_ENDED = 1 << 8,		/* ended for good: tell dependents,
					 * and the container if essential */
	SVC_ACT_CANCEL_STOP = 1 << 9,	/* cancel TimeoutStopSec */
	SVC_ACT_RESET = 1 << 10,	/* forget its backoff and start limit;
					 * it starts once its dependencies
					 * allow */
};

struct svc_step {
	enum svc_state next;
	unsigned actions;
};

/* The transition from state on event; events that mean nothing in a state
 * leave it as it is with no action.  Pure. */
struct svc_step service_transition(enum svc_state state, enum svc_event event);
const char *service_state_name(enum svc_state state);
/* Whether the service has a process (or may still get one back). */
bool service_is_up(enum svc_state state);
/* Whether it has ended for good. */
bool service_has_ended(enum svc_state state);

/*
 * Whether a wait status counts as a clean end: exit 0, a SuccessExitStatus=
 * code or signal, or, as systemd counts them for Restart=on-failure,
 * death by SIGHUP, SIGINT, SIGTERM or SIGPIPE.  When stopping (grace
 * asked it to), only exit 0, SuccessExitStatus= or death by its own
 * KillSignal is clean.
 */
bool service_exit_clean(const struct unit *unit, int status, bool stopping);
/* Whether a service that ended (cleanly or not) is to be restarted. */
bool service_wants_restart(const struct unit *unit, bool clean);

/*
 * The delay before restart number attempt (0 for the first), in ms, as
 * systemd computes it: RestartSec= while RestartSteps= is 0 or
 * RestartMaxDelaySec= is infinite or not above it; otherwise it grows
 * geometrically from RestartSec= to RestartMaxDelaySec= in RestartSteps=
 * steps, r_i = r_0 * (r_max / r_0) ^ (i / steps), and stays there.
 */
long long service_restart_delay(const struct unit *unit, unsigned attempt);

/* Whether the delay grows at all (RestartSteps= and a larger
 * RestartMaxDelaySec=). */
bool service_restart_delay_grows(const struct unit *unit);

/* How long a service must stay up for its backoff to start over: ten
 * times RestartSec=, at least 10 s. */
long long service_backoff_reset_ms(const struct unit *unit);

/* The start times StartLimitBurst= and StartLimitIntervalSec= look at. */
struct start_limit {
	uint64_t *starts;	/* a ring of burst entries, ms */
	size_t next, count;
};

/* Allocates the ring for unit's burst; 0 or -ENOMEM. */
int start_limit_init(struct start_limit *limit, const struct unit *unit);
void start_limit_free(struct start_limit *limit);
/*
 * Whether a start at now_ms keeps within the limit (no more than burst
 * starts in any interval); if so, records it.  A burst or an interval of
 * 0 means no limit.
 */
bool start_limit_take(struct start_limit *limit, const struct unit *unit,
		      uint64_t now_ms);

#endif
