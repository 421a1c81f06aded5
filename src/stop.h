/* SPDX-License-Identifier: MIT */
/* The stop sequence as a state machine: phases, events, actions. */
#ifndef GRACE_STOP_H
#define GRACE_STOP_H

#include <stdbool.h>

enum stop_phase {
	STOP_RUNNING,	/* the main process runs */
	STOP_ASKED,	/* a stop signal came and went to the main process */
	STOP_LINGERING,	/* --wait-all: main gone, the rest run on */
	STOP_SERVICES,	/* main gone; the services stop, last level first */
	STOP_DRAINING,	/* main gone; the rest had SIGTERM, grace period runs */
	STOP_KILLING,	/* the rest had SIGKILL; waiting for the last exit */
	STOP_DONE,	/* no process left: grace exits */
	STOP_NPHASES,
};

enum stop_event {
	STOP_EV_STOP_SIGNAL,	/* one of --stop-signals arrived */
	STOP_EV_MAIN_EXITED,	/* the main process was reaped */
	STOP_EV_GRACE_EXPIRED,	/* the --grace timer fired */
	STOP_EV_NO_PROCESS,	/* waitpid failed with ECHILD */
	STOP_EV_STOP_TIMEOUT,	/* the --stop-timeout timer fired */
	STOP_EV_SERVICES_STOPPED,	/* no service has a process left */
	STOP_NEVENTS,
};

/* What the caller must do on a transition; a bit set. */
enum stop_action {
	STOP_ACT_NONE = 0,
	STOP_ACT_TERM_ALL = 1 << 0,	/* SIGTERM, then SIGCONT, to all */
	STOP_ACT_ARM_GRACE = 1 << 1,	/* start the --grace timer */
	STOP_ACT_KILL_ALL = 1 << 2,	/* SIGKILL to all */
	STOP_ACT_EXIT = 1 << 3,		/* leave the loop, exit */
	STOP_ACT_ARM_STOP_TIMEOUT = 1 << 4,	/* start --stop-timeout */
	STOP_ACT_KILL_MAIN = 1 << 5,	/* SIGKILL to the main process */
	STOP_ACT_STOP_SERVICES = 1 << 6,	/* stop the services in reverse
						 * order; "services stopped"
						 * follows, maybe at once */
};

struct stop_step {
	enum stop_phase next;
	unsigned actions;
};

/* The options that bend the sequence. */
struct stop_policy {
	bool no_grace;	/* --grace 0: SIGKILL at once, no SIGTERM */
	bool wait_all;	/* --wait-all: the main process's exit stops nothing */
	bool stop_timeout;	/* --stop-timeout given: the main process is
				 * killed if a stop takes it that long */
};

/*
 * The transition from phase on event.  With no grace period the stop goes
 * straight to SIGKILL.  With wait_all the main process's exit, unless a
 * stop was asked, lets the rest run on until they exit or a stop signal
 * comes.  Events that mean nothing in a phase leave it as it is, with no
 * action.  Pure: no system calls.
 */
struct stop_step stop_transition(enum stop_phase phase, enum stop_event event,
				 struct stop_policy policy);
const char *stop_phase_name(enum stop_phase phase);

#endif
