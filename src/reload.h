/* SPDX-License-Identifier: MIT */
/* gracectl reload (and SIGHUP with --reload-on-hup): the plan loaded
 * again, checked, and handed to the running services and jobs. */
#ifndef GRACE_RELOAD_H
#define GRACE_RELOAD_H

#include <stdio.h>

#include "cli.h"
#include "deadline.h"
#include "jobs.h"
#include "loop.h"
#include "plan.h"
#include "services.h"

/* The plans: the one in force, and older ones that a service or job
 * removed by a reload still refers to. */
struct reload {
	const struct settings *settings;
	struct plan *current;	/* the start's (not ours) or a reload's */
	bool owned;		/* current was loaded here: free it */
	struct plan **old;	/* loaded here, still referred to */
	size_t n_old;
};

void reload_init(struct reload *reload, const struct settings *settings,
		 struct plan *plan);
/*
 * Loads the plan again from the settings' sources, checks it as --check
 * does, and hands it to services and jobs.  An invalid plan changes
 * nothing.  Says what it did, or why not, in grace's log and on out
 * (NULL: the log only); returns a reply code (enum reply_code).
 */
int reload_run(struct reload *reload, struct services *services,
	       struct jobs *jobs, struct loop *loop,
	       struct deadlines *deadlines, FILE *out);
/* Frees every plan loaded here. */
void reload_free(struct reload *reload);

#endif
