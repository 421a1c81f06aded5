// SPDX-License-Identifier: MIT
/* Owns gracectl reload: loading the plan again, refusing an invalid one,
 * making room for what it adds, handing it to the services and jobs, and
 * keeping each plan only as long as something refers to it. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "output.h"
#include "reload.h"
#include "request.h"

extern char **environ;

void
reload_init(struct reload *reload, const struct settings *settings,
	    struct plan *plan)
{
	memset(reload, 0, sizeof(*reload));
	reload->settings = settings;
	reload->current = plan;
}

/* Says line (one line, no newline) in the log and on out. */
static void
tell(FILE *out, bool failed, const char *line)
{
	if (failed)
		warn("%s", line);
	else
		info("%s", line);
	if (out != NULL)
		fprintf(out, "%s\n", line);
}

/* A new plan from the settings' sources, or NULL with error set. */
static struct plan *
load(const struct settings *settings, char *error, size_t error_len)
{
	struct plan_sources sources;
	struct plan *plan = calloc(1, sizeof(*plan));

	if (plan == NULL) {
		snprintf(error, error_len, "out of memory");
		return NULL;
	}
	cli_plan_sources(settings, &sources);
	if (plan_load(plan, &sources, environ, error, error_len) == 0)
		return plan;
	plan_free(plan);
	free(plan);
	return NULL;
}

static void
drop_plan(struct plan *plan)
{
	plan_free(plan);
	free(plan);
}

/* Frees the old plans nothing refers to any more. */
static void
sweep(struct reload *reload, const struct services *services,
      const struct jobs *jobs)
{
	size_t i, kept = 0;

	for (i = 0; i < reload->n_old; i++) {
		if (services_refer_to(services, reload->old[i]) ||
		    jobs_refer_to(jobs, reload->old[i]))
			reload->old[kept++] = reload->old[i];
		else
			drop_plan(reload->old[i]);
	}
	reload->n_old = kept;
}

/* Keeps the plan that was in force: something may refer to it. */
static int
retire_current(struct reload *reload)
{
	struct plan **grown;

	if (!reload->owned)
		return 0;	/* the start's: main() frees it */
	grown = realloc(reload->old,
			(reload->n_old + 1) * sizeof(struct plan *));
	if (grown == NULL)
		return -ENOMEM;
	reload->old = grown;
	reload->old[reload->n_old++] = reload->current;
	return 0;
}

/* Room for everything plan may add, beside what runs. */
static int
make_room(const struct plan *plan, struct loop *loop,
	  struct deadlines *deadlines)
{
	size_t relayed = plan->n + plan->n_jobs;

	if (loop_reserve(loop, services_watches_needed(plan) +
				       jobs_watches_needed(plan) +
				       output_watches_needed(relayed)) < 0 ||
	    deadlines_reserve(deadlines,
			      services_deadlines_needed(plan) +
				      jobs_deadlines_needed(plan) +
				      output_deadlines_needed(relayed)) < 0)
		return -ENOMEM;
	return 0;
}

int
reload_run(struct reload *reload, struct services *services,
	   struct jobs *jobs, struct loop *loop, struct deadlines *deadlines,
	   FILE *out)
{
	static char error[PATH_MAX + 512];
	struct services_reload_count sc;
	struct jobs_reload_count jc;
	char line[PATH_MAX + 600];
	struct plan *plan;
	int rc;

	if (services->stopping || jobs->stopping) {
		tell(out, true, "reload refused: grace is stopping");
		return REPLY_NO;
	}
	plan = load(reload->settings, error, sizeof(error));
	if (plan == NULL) {
		snprintf(line, sizeof(line),
			 "reload refused, nothing changed: %s", error);
		tell(out, true, line);
		return REPLY_NO;
	}
	rc = make_room(plan, loop, deadlines);
	if (rc == 0)
		rc = retire_current(reload);
	if (rc == 0)
		rc = services_reload(services, plan, &sc);
	if (rc < 0) {
		if (reload->owned && reload->n_old > 0 &&
		    reload->old[reload->n_old - 1] == reload->current)
			reload->n_old--;
		drop_plan(plan);
		snprintf(line, sizeof(line),
			 "reload failed, nothing changed: %s", strerror(-rc));
		tell(out, true, line);
		return REPLY_NO;
	}
	/* The services have the new plan: it is in force. */
	reload->current = plan;
	reload->owned = true;
	rc = jobs_reload(jobs, plan, &jc);
	if (rc < 0) {
		snprintf(line, sizeof(line),
			 "reload: the services were reloaded, the jobs not: "
			 "%s", strerror(-rc));
		tell(out, true, line);
		sweep(reload, services, jobs);
		return REPLY_NO;
	}
	sweep(reload, services, jobs);
	snprintf(line, sizeof(line),
		 "reloaded: services %zu added, %zu changed, %zu removed, "
		 "%zu unchanged; jobs %zu added, %zu changed, %zu removed, "
		 "%zu unchanged",
		 sc.added, sc.changed, sc.removed, sc.kept, jc.added,
		 jc.changed, jc.removed, jc.kept);
	tell(out, false, line);
	return REPLY_OK;
}

void
reload_free(struct reload *reload)
{
	size_t i;

	for (i = 0; i < reload->n_old; i++)
		drop_plan(reload->old[i]);
	free(reload->old);
	if (reload->owned)
		drop_plan(reload->current);
	memset(reload, 0, sizeof(*reload));
}
