/* SPDX-License-Identifier: MIT */
/* The plan: every service spec, checked, with its environment, command,
 * user and start level resolved; and the main command. */
#ifndef GRACE_PLAN_H
#define GRACE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "environ.h"
#include "unit.h"
#include "user.h"
#include "zone.h"

struct plan_service {
	struct unit unit;
	char **argv;		/* ExecStart=, split and expanded */
	char **check_argv;	/* ReadyCheck=exec:, split and expanded */
	struct sockaddr_storage check_addr;	/* ReadyCheck=tcp: */
	socklen_t check_addr_len;
	struct env env;		/* grace's, the user's, the unit's */
	struct user_ids ids;
	char *cwd;		/* WorkingDirectory=, "~" resolved */
	unsigned level;		/* 0: no dependency; else 1 + theirs */
	size_t *after;		/* indices of those it starts after */
	size_t n_after;
	size_t *requires;	/* indices of those it requires */
	size_t n_requires;
	const struct zone *zone;	/* a job's, among the plan's zones */
};

struct plan {
	struct plan_service *services;
	size_t n;
	unsigned levels;	/* how many start levels */
	char **main_argv;	/* the main command, or NULL */
	/* Jobs (Schedule=, a crontab's lines, --cron): specs as services
	 * have, with no level or dependency. */
	struct plan_service *jobs;
	size_t n_jobs;
	struct zone **zones;	/* each zone a job names, loaded once */
	size_t n_zones;
};

/* Where the services come from, as the command line says. */
struct plan_sources {
	const char *dir;		/* --services / GRACE_SERVICES */
	const char *procfile;		/* --procfile */
	char *const *oneliners;		/* --service, n_oneliners of them */
	size_t n_oneliners;
	const char *crontab;		/* --crontab */
	char *const *crons;		/* --cron, n_crons of them */
	size_t n_crons;
	char **main_argv;		/* COMMAND ARGS, or NULL */
};

/*
 * Loads every source into plan: parses the units, builds each one's
 * environment (env, then HOME/USER/LOGNAME/SHELL for User=, then
 * Environment=, then EnvironmentFile=), splits its command, resolves its
 * user and dependencies, rejects cycles, and gives each service its start
 * level.  0, or -1 with error holding one line ("FILE:LINE: problem");
 * the plan must be freed either way.
 */
int plan_load(struct plan *plan, const struct plan_sources *sources,
	      char *const *env, char *error, size_t error_len);
void plan_free(struct plan *plan);
/* The index of the service called name, or -1. */
long plan_find_service(const struct plan *plan, const char *name);

/* Prints the plan as --check shows it, with each job's next five runs
 * after now_ms (UTC, ms since the epoch). */
void plan_print(const struct plan *plan, int64_t now_ms, FILE *out);

#endif
