// SPDX-License-Identifier: MIT
/* Owns the plan: from unit files, a Procfile, --service one-liners, a
 * crontab and --cron one-liners to a checked set of service and job specs
 * with their environments, commands, users, start levels and zones.  Everything a service needs is resolved here, before
 * any process runs, so that a bad plan starts nothing (exit 125) and a
 * good one needs no look-up later. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crontab.h"
#include "log.h"
#include "plan.h"
#include "ready.h"
#include "service.h"
#include "sig.h"

/* The largest unit file, Procfile or EnvironmentFile= grace reads. */
#define PLAN_MAX_FILE ((size_t)1024 * 1024)


/*
 * Reads a whole file of at most PLAN_MAX_FILE bytes into a malloc'ed
 * buffer.  0, or -errno (-EFBIG when it is larger, -EINVAL when it is
 * not a regular file).
 */
static int
read_file(const char *path, char **text, size_t *len)
{
	char *buf = NULL, *grown;
	size_t used = 0, cap = 0;
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	*text = NULL;
	*len = 0;
	/* Not blocking on a FIFO or a device: a reload reads these files
	 * from the event loop, which nothing may hold up. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	if (err < 0) {
		close(fd);
		return err;
	}
	for (;;) {
		if (used == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > PLAN_MAX_FILE + 1) {
				err = -EFBIG;
				break;
			}
			grown = realloc(buf, cap);
			if (grown == NULL) {
				err = -ENOMEM;
				break;
			}
			buf = grown;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	if (err == 0 && used > PLAN_MAX_FILE)
		err = -EFBIG;
	if (err < 0) {
		free(buf);
		return err;
	}
	*text = buf;
	*len = used;
	return 0;
}

/* A new unit at the end of the plan, initialised; NULL when out of
 * memory. */
static struct plan_service *
add_service(struct plan *plan, const char *name, const char *source)
{
	struct plan_service *grown, *svc;

	grown = realloc(plan->services, (plan->n + 1) * sizeof(*grown));
	if (grown == NULL)
		return NULL;
	plan->services = grown;
	svc = &plan->services[plan->n];
	memset(svc, 0, sizeof(*svc));
	if (unit_init(&svc->unit, name, source) < 0)
		return NULL;
	plan->n++;
	return svc;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether a directory entry's name is NAME.service; NAME is copied. */
static bool
service_file_name(const char *file, char *name, size_t name_len)
{
	size_t len = strlen(file);

	if (len <= 8 || strcmp(file + len - 8, ".service") != 0 ||
	    len - 8 >= name_len)
		return false;
	memcpy(name, file, len - 8);
	name[len - 8] = '\0';
	return true;
}

/* Loads one unit file. */
static int
load_unit_file(struct plan *plan, const char *dir, const char *file,
	       char *error, size_t error_len)
{
	char name[UNIT_NAME_MAX + 1], path[4096];
	struct plan_service *svc;
	size_t len;
	char *text;
	int rc;

	if (!service_file_name(file, name, sizeof(name)) ||
	    !unit_valid_name(name)) {
		format_line(error, error_len, "%s/%s: not a valid service name", dir,
		    file);
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    sizeof(path)) {
		format_line(error, error_len, "%s/%s: path too long", dir, file);
		return -1;
	}
	rc = read_file(path, &text, &len);
	if (rc < 0) {
		format_line(error, error_len, "unable to read %s: %s", path,
		    strerror(-rc));
		return -1;
	}
	svc = add_service(plan, name, path);
	if (svc == NULL) {
		free(text);
		format_line(error, error_len, "out of memory");
		return -1;
	}
	rc = unit_parse(&svc->unit, text, len, error, error_len);
	free(text);
	return rc;
}

/* Loads every DIR/NAME.service, in name order. */
static int
load_dir(struct plan *plan, const char *dir, char *error, size_t error_len)
{
	char **names = NULL, **grown;
	size_t n = 0, i;
	struct dirent *entry;
	DIR *d;
	int rc = 0;

	d = opendir(dir);
	if (d == NULL) {
		format_line(error, error_len, "unable to read %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	while ((entry = readdir(d)) != NULL) {
		if (entry->d_name[0] == '.' ||
		    strlen(entry->d_name) <= 8 ||
		    strcmp(entry->d_name + strlen(entry->d_name) - 8,
			   ".service") != 0)
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (grown == NULL || (grown[n] = strdup(entry->d_name)) == NULL) {
			names = grown ? grown : names;
			format_line(error, error_len, "out of memory");
			rc = -1;
			break;
		}
		names = grown;
		n++;
	}
	closedir(d);
	if (rc == 0 && n > 0)
		qsort(names, n, sizeof(*names), compare_names);
	for (i = 0; i < n; i++) {
		if (rc == 0)
			rc = load_unit_file(plan, dir, names[i], error,
					    error_len);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* Moves n parsed units into the plan (after a parse that returned rc),
 * freeing what it cannot take; rc, or -1 when out of memory. */
static int
take_units(struct plan *plan, struct unit *units, size_t n, int rc,
	   const char *source, char *error, size_t error_len)
{
	struct plan_service *svc;
	size_t i;

	for (i = 0; i < n; i++) {
		svc = rc == 0 ? add_service(plan, units[i].name, source) : NULL;
		if (svc == NULL) {
			if (rc == 0)
				format_line(error, error_len, "out of memory");
			rc = -1;
			unit_free(&units[i]);
			continue;
		}
		unit_free(&svc->unit);
		svc->unit = units[i];	/* moved: the plan owns it now */
	}
	free(units);
	return rc;
}

/* A file of entries, a Procfile or a crontab, parsed by parse. */
static int
load_entries(struct plan *plan, const char *path,
	     int (*parse)(const char *path, const char *text, size_t len,
			  struct unit **units, size_t *n, char *error,
			  size_t error_len),
	     char *error, size_t error_len)
{
	struct unit *units = NULL;
	size_t n = 0, len;
	char *text;
	int rc;

	rc = read_file(path, &text, &len);
	if (rc < 0) {
		format_line(error, error_len, "unable to read %s: %s", path,
		    strerror(-rc));
		return -1;
	}
	rc = parse(path, text, len, &units, &n, error, error_len);
	free(text);
	return take_units(plan, units, n, rc, path, error, error_len);
}

/* Moves a parsed one-liner into the plan. */
static int
take_unit(struct plan *plan, struct unit *unit, char *error,
	  size_t error_len)
{
	struct plan_service *svc = add_service(plan, unit->name, unit->source);

	if (svc == NULL) {
		unit_free(unit);
		format_line(error, error_len, "out of memory");
		return -1;
	}
	unit_free(&svc->unit);
	svc->unit = *unit;	/* moved: the plan owns it now */
	return 0;
}

static int
load_oneliners(struct plan *plan, const struct plan_sources *sources,
	       char *error, size_t error_len)
{
	struct unit unit;
	size_t i;

	for (i = 0; i < sources->n_oneliners; i++)
		if (unit_parse_oneliner(&unit, sources->oneliners[i], error,
					error_len) < 0 ||
		    take_unit(plan, &unit, error, error_len) < 0)
			return -1;
	for (i = 0; i < sources->n_crons; i++)
		if (crontab_parse_oneliner(&unit, sources->crons[i],
					   (unsigned)i + 1, error,
					   error_len) < 0 ||
		    take_unit(plan, &unit, error, error_len) < 0)
			return -1;
	return 0;
}

/* "SOURCE:LINE: " or "SOURCE: " for messages about a unit. */
/* In a buffer of its own (at most one message is made at a time), so
 * that no caller carries a path-sized buffer on the stack. */
static const char *
where(const struct unit *unit, int line)
{
	static char at[PATH_MAX + 32];

	if (line > 0)
		snprintf(at, sizeof(at), "%s:%d", unit->source, line);
	else
		snprintf(at, sizeof(at), "%s", unit->source);
	return at;
}

static const char *
lookup_env(const char *name, size_t len, void *ctx)
{
	return env_get(ctx, name, len);
}

/* Reads the service's EnvironmentFile= files into its environment. */
static int
read_env_files(struct plan_service *svc, char *error, size_t error_len)
{
	const struct unit_list *files = &svc->unit.environment_files;
	char *text;
	const char *path;
	bool optional;
	size_t i, len;
	int rc;

	for (i = 0; i < files->n; i++) {
		path = files->items[i].text;
		optional = path[0] == '-';
		path += optional;
		rc = read_file(path, &text, &len);
		if (rc == -ENOENT && optional)
			continue;
		if (rc < 0) {
			format_line(error, error_len,
			    "%s: unable to read EnvironmentFile=%s: %s",
			    where(&svc->unit, files->items[i].line),
			    path, strerror(-rc));
			return -1;
		}
		rc = env_parse_file(&svc->env, path, text, len, error,
				    error_len);
		free(text);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The service's environment: grace's, its user's, its unit's. */
static int
build_env(struct plan_service *svc, char *const *base, char *error,
	  size_t error_len)
{
	const struct unit_list *vars = &svc->unit.environment;
	const struct user_ids *ids = &svc->ids;
	size_t i;
	int rc;

	rc = env_init(&svc->env, base);
	/* Only a Type=notify service is told where to notify. */
	if (rc == 0 && svc->unit.type != UNIT_NOTIFY)
		rc = env_unset(&svc->env, "NOTIFY_SOCKET", 13);
	if (rc == 0 && ids->set_user && ids->name != NULL) {
		rc = env_set(&svc->env, "USER", 4, ids->name);
		if (rc == 0)
			rc = env_set(&svc->env, "LOGNAME", 7, ids->name);
		if (rc == 0)
			rc = env_set(&svc->env, "HOME", 4, ids->home);
		if (rc == 0)
			rc = env_set(&svc->env, "SHELL", 5, ids->shell);
	}
	for (i = 0; rc == 0 && i < vars->n; i++)
		rc = env_put(&svc->env, vars->items[i].text);
	if (rc < 0) {
		format_line(error, error_len, "out of memory");
		return -1;
	}
	return read_env_files(svc, error, error_len);
}

/* Where a command without a '/' is looked for when the service's
 * environment has no PATH. */
#define PLAN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * A command without a '/' is looked up in the service's own PATH (from
 * Environment= too), not grace's: *name becomes the first executable
 * regular file found.  None found leaves it as it is, and the exec then
 * fails with 127 and says so.  0, or -1 when out of memory.
 */
static int
find_command(const struct plan_service *svc, char **name)
{
	const char *path = env_get(&svc->env, "PATH", 4), *dir, *end;
	char candidate[PATH_MAX], *found;
	struct stat st;
	int n;

	if (strchr(*name, '/') != NULL)
		return 0;
	for (dir = path ? path : PLAN_DEFAULT_PATH; *dir != '\0'; dir = end) {
		end = dir + strcspn(dir, ":");
		n = snprintf(candidate, sizeof(candidate), "%.*s/%s",
			     end == dir ? 1 : (int)(end - dir),
			     end == dir ? "." : dir, *name);
		if (*end == ':')
			end++;
		if (n < 0 || (size_t)n >= sizeof(candidate) ||
		    stat(candidate, &st) < 0 || !S_ISREG(st.st_mode) ||
		    access(candidate, X_OK) < 0)
			continue;
		found = strdup(candidate);
		if (found == NULL)
			return -1;
		free(*name);
		*name = found;
		return 0;
	}
	return 0;
}

/* Splits text with the service's environment, naming the line on error,
 * and finds its command in the service's PATH. */
static int
split(struct plan_service *svc, const struct unit_item *item, char ***argv,
      char *error, size_t error_len)
{
	char why[256];

	if (unit_split_command(item->text, lookup_env, &svc->env, argv, why,
			       sizeof(why)) == 0) {
		if (find_command(svc, &(*argv)[0]) == 0)
			return 0;
		format_line(error, error_len, "out of memory");
		return -1;
	}
	format_line(error, error_len, "%s: %s",
	    where(&svc->unit, item->line), why);
	return -1;
}

/* The command the service runs: its ExecStart=, or for a Procfile entry
 * the shell running it as foreman does. */
static int
build_argv(struct plan_service *svc, char *error, size_t error_len)
{
	const struct unit *unit = &svc->unit;

	if (!unit->exec_shell)
		return split(svc, &unit->exec_start, &svc->argv, error,
			     error_len);
	svc->argv = calloc(4, sizeof(*svc->argv));
	if (svc->argv == NULL || (svc->argv[0] = strdup("/bin/sh")) == NULL ||
	    (svc->argv[1] = strdup("-c")) == NULL ||
	    (svc->argv[2] = strdup(unit->exec_start.text)) == NULL) {
		format_line(error, error_len, "out of memory");
		return -1;
	}
	return 0;
}

static int
resolve_user(struct plan_service *svc, char *error, size_t error_len)
{
	const struct unit *unit = &svc->unit;
	char why[256];
	int line = unit->user.text ? unit->user.line : unit->group.line;

	if (user_resolve(unit->user.text, unit->group.text, &svc->ids, why,
			 sizeof(why)) == 0)
		return 0;
	format_line(error, error_len, "%s: %s", where(unit, line),
	    why);
	return -1;
}

static int
resolve_cwd(struct plan_service *svc, char *error, size_t error_len)
{
	const char *dir = svc->unit.working_dir.text;

	if (dir == NULL)
		return 0;
	if (strcmp(dir, "~") == 0) {
		dir = svc->ids.home ? svc->ids.home : env_get(&svc->env,
							       "HOME", 4);
		if (dir == NULL) {
			format_line(error, error_len,
			    "%s: WorkingDirectory=~ but the user has no home",
			    where(&svc->unit, svc->unit.working_dir.line));
			return -1;
		}
	}
	svc->cwd = strdup(dir);
	if (svc->cwd == NULL) {
		format_line(error, error_len, "out of memory");
		return -1;
	}
	return 0;
}

static int
resolve_check(struct plan_service *svc, char *error, size_t error_len)
{
	const struct unit *unit = &svc->unit;

	switch (unit->check) {
	case UNIT_CHECK_EXEC:
		return split(svc, &unit->check_target, &svc->check_argv,
			     error, error_len);
	case UNIT_CHECK_TCP:
		if (ready_parse_tcp(unit->check_target.text, &svc->check_addr,
				    &svc->check_addr_len) == 0)
			return 0;
		format_line(error, error_len, "%s: invalid ReadyCheck=tcp:%s",
		    where(unit, unit->check_target.line),
		    unit->check_target.text);
		return -1;
	case UNIT_CHECK_FILE:
	case UNIT_CHECK_NONE:
		break;
	}
	return 0;
}

/* Everything about one service that needs no other service. */
static int
resolve_service(struct plan_service *svc, char *const *base, char *error,
		size_t error_len)
{
	if (resolve_user(svc, error, error_len) < 0 ||
	    build_env(svc, base, error, error_len) < 0 ||
	    build_argv(svc, error, error_len) < 0 ||
	    resolve_cwd(svc, error, error_len) < 0 ||
	    resolve_check(svc, error, error_len) < 0)
		return -1;
	return 0;
}

long
plan_find_service(const struct plan *plan, const char *name)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (strcmp(plan->services[i].unit.name, name) == 0)
			return (long)i;
	return -1;
}

/* Appends index to a set, once. */
static int
add_index(size_t **set, size_t *n, size_t index)
{
	size_t *grown, i;

	for (i = 0; i < *n; i++)
		if ((*set)[i] == index)
			return 0;
	grown = realloc(*set, (*n + 1) * sizeof(**set));
	if (grown == NULL)
		return -1;
	grown[(*n)++] = index;
	*set = grown;
	return 0;
}

/*
 * Turns a list of names into indices: of those it starts after, and of
 * those it requires when requires is set.  A name that is no service is an
 * error, except in Wants=, a weak dependency.
 */
static int
link_list(struct plan *plan, struct plan_service *svc,
	  const struct unit_list *list, const char *key, bool requires,
	  bool weak, char *error, size_t error_len)
{
	size_t i;
	long dep;

	for (i = 0; i < list->n; i++) {
		dep = plan_find_service(plan, list->items[i].text);
		if (dep < 0 && weak)
			continue;
		if (dep < 0) {
			format_line(error, error_len, "%s: %s=%s: no such service",
			    where(&svc->unit, list->items[i].line),
			    key, list->items[i].text);
			return -1;
		}
		if (add_index(&svc->after, &svc->n_after, (size_t)dep) < 0 ||
		    (requires && add_index(&svc->requires, &svc->n_requires,
					   (size_t)dep) < 0)) {
			format_line(error, error_len, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int
link_services(struct plan *plan, char *error, size_t error_len)
{
	struct plan_service *svc;
	size_t i;

	for (i = 0; i < plan->n; i++) {
		svc = &plan->services[i];
		if (link_list(plan, svc, &svc->unit.after, "After", false,
			      false, error, error_len) < 0 ||
		    link_list(plan, svc, &svc->unit.requires, "Requires", true,
			      false, error, error_len) < 0 ||
		    link_list(plan, svc, &svc->unit.wants, "Wants", false,
			      true, error, error_len) < 0)
			return -1;
	}
	return 0;
}

/* The line of the unit's After=, Requires= or Wants= that names name;
 * the unit's own line when none does. */
static int
find_dependency_line(const struct unit *unit, const char *name)
{
	const struct unit_list *lists[] = { &unit->after, &unit->requires,
					    &unit->wants };
	size_t i, j;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (j = 0; j < lists[i]->n; j++)
			if (strcmp(lists[i]->items[j].text, name) == 0)
				return lists[i]->items[j].line;
	return unit->line;
}

/* A dependency of service index that has no level yet, or -1. */
static long
find_unlevelled_dependency(const struct plan *plan, const bool *levelled,
			   size_t index)
{
	const struct plan_service *svc = &plan->services[index];
	size_t i;

	for (i = 0; i < svc->n_after; i++)
		if (!levelled[svc->after[i]])
			return (long)svc->after[i];
	return -1;
}

/*
 * Names a cycle among the services left without a level, each of which
 * waits for another of them: from the first, follows such a dependency
 * until a service comes back; the cycle is the walk from there.  The
 * message is at the line where the cycle's first service names the next.
 */
static void
name_cycle(const struct plan *plan, const bool *levelled, size_t *path,
	   size_t *seen_at, char *error, size_t error_len)
{
	const struct plan_service *first, *next;
	size_t i, depth = 0, start, used, cur = 0;
	int n;

	while (cur < plan->n && levelled[cur])
		cur++;
	for (i = 0; i < plan->n; i++)
		seen_at[i] = SIZE_MAX;
	while (cur < plan->n && seen_at[cur] == SIZE_MAX) {
		seen_at[cur] = depth;
		path[depth++] = cur;
		cur = (size_t)find_unlevelled_dependency(plan, levelled, cur);
	}
	start = seen_at[cur];
	first = &plan->services[path[start]];
	next = start + 1 < depth ? &plan->services[path[start + 1]] : first;
	n = snprintf(error, error_len, "%s: dependency cycle: ",
		     where(&first->unit,
			   find_dependency_line(&first->unit, next->unit.name)));
	used = n < 0 ? 0 : (size_t)n;
	for (i = start; i < depth && used < error_len; i++) {
		n = snprintf(error + used, error_len - used, "%s -> ",
			     plan->services[path[i]].unit.name);
		used += n < 0 ? 0 : (size_t)n;
	}
	if (used < error_len)
		snprintf(error + used, error_len - used, "%s",
			 first->unit.name);
}

/* Levels service index if every service it starts after has a level:
 * one more than the highest of theirs, 0 without any.  Whether it did. */
static bool
level_service(struct plan *plan, bool *levelled, size_t index)
{
	struct plan_service *svc = &plan->services[index];
	unsigned level = 0;
	size_t i;

	if (find_unlevelled_dependency(plan, levelled, index) >= 0)
		return false;
	for (i = 0; i < svc->n_after; i++)
		if (plan->services[svc->after[i]].level + 1 > level)
			level = plan->services[svc->after[i]].level + 1;
	svc->level = level;
	levelled[index] = true;
	if (level + 1 > plan->levels)
		plan->levels = level + 1;
	return true;
}

/* Gives every service its start level, in rounds until none is left; a
 * round that levels none leaves a cycle. */
static int
assign_levels(struct plan *plan, char *error, size_t error_len)
{
	bool *levelled, progress = true;
	size_t *path, *seen_at, i, left = plan->n;
	int rc = 0;

	if (plan->n == 0)
		return 0;	/* a single command allocates nothing */
	levelled = calloc(plan->n + 1, sizeof(*levelled));
	path = calloc(plan->n + 1, sizeof(*path));
	seen_at = calloc(plan->n + 1, sizeof(*seen_at));

	if (levelled == NULL || path == NULL || seen_at == NULL) {
		format_line(error, error_len, "out of memory");
		rc = -1;
	}
	while (rc == 0 && left > 0 && progress) {
		progress = false;
		for (i = 0; i < plan->n; i++) {
			if (!levelled[i] && level_service(plan, levelled, i)) {
				left--;
				progress = true;
			}
		}
	}
	if (rc == 0 && left > 0) {
		name_cycle(plan, levelled, path, seen_at, error, error_len);
		rc = -1;
	}
	free(levelled);
	free(path);
	free(seen_at);
	return rc;
}

static int
check_duplicates(const struct plan *plan, char *error, size_t error_len)
{
	size_t i;
	long first;

	for (i = 0; i < plan->n; i++) {
		first = plan_find_service(plan, plan->services[i].unit.name);
		if ((size_t)first != i) {
			format_line(error, error_len,
			    "%s: a service named %s is already defined in %s",
			    where(&plan->services[i].unit,
				  plan->services[i].unit.line),
			    plan->services[i].unit.name,
			    plan->services[first].unit.source);
			return -1;
		}
	}
	return 0;
}

/* Moves the jobs out of the services, keeping the order of each.  0 or
 * -ENOMEM (then nothing has moved). */
static int
separate_jobs(struct plan *plan)
{
	struct plan_service *jobs;
	size_t i, n = 0, kept = 0;

	for (i = 0; i < plan->n; i++)
		n += plan->services[i].unit.is_job;
	if (n == 0)
		return 0;
	jobs = calloc(n, sizeof(*jobs));
	if (jobs == NULL)
		return -ENOMEM;
	for (i = 0; i < plan->n; i++) {
		if (plan->services[i].unit.is_job)
			jobs[plan->n_jobs++] = plan->services[i];
		else
			plan->services[kept++] = plan->services[i];
	}
	plan->jobs = jobs;
	plan->n = kept;
	return 0;
}

/* The zone called name among those loaded, loading it if it is not:
 * NULL with error if it cannot be. */
static const struct zone *
find_zone(struct plan *plan, const char *name, char *error, size_t error_len)
{
	struct zone **grown, *zone;
	size_t i;

	for (i = 0; i < plan->n_zones; i++)
		if (strcmp(plan->zones[i]->name, name) == 0)
			return plan->zones[i];
	grown = realloc(plan->zones,
			(plan->n_zones + 1) * sizeof(struct zone *));
	if (grown == NULL || (zone = calloc(1, sizeof(*zone))) == NULL) {
		if (grown != NULL)
			plan->zones = grown;
		format_line(error, error_len, "out of memory");
		return NULL;
	}
	plan->zones = grown;
	if (zone_load(zone, name, error, error_len) < 0) {
		zone_free(zone);
		free(zone);
		return NULL;
	}
	/* Its name as asked for, so that the next job finds it. */
	snprintf(zone->name, sizeof(zone->name), "%s", name);
	plan->zones[plan->n_zones++] = zone;
	return zone;
}

/* grace's own zone: TZ, else /etc/localtime, else UTC. */
static const char *
default_zone(char *const *env)
{
	size_t i;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], "TZ=", 3) == 0 && env[i][3] != '\0')
			return env[i] + 3;
	return access("/etc/localtime", R_OK) == 0 ? "/etc/localtime" : "UTC";
}

/* Gives each job its zone (Timezone=, CRON_TZ=, or grace's). */
static int
load_zones(struct plan *plan, char *const *env, char *error, size_t error_len)
{
	struct plan_service *job;
	const char *name;
	char why[256];
	size_t i;

	for (i = 0; i < plan->n_jobs; i++) {
		job = &plan->jobs[i];
		name = job->unit.timezone.text != NULL ? job->unit.timezone.text
						       : default_zone(env);
		job->zone = find_zone(plan, name, why, sizeof(why));
		if (job->zone == NULL) {
			format_line(error, error_len, "%s: %s",
			    where(&job->unit, job->unit.timezone.text != NULL
						  ? job->unit.timezone.line
						  : job->unit.line),
			    why);
			return -1;
		}
	}
	return 0;
}

int
plan_load(struct plan *plan, const struct plan_sources *sources,
	  char *const *env, char *error, size_t error_len)
{
	size_t i;

	memset(plan, 0, sizeof(*plan));
	plan->main_argv = sources->main_argv;
	if (sources->dir != NULL &&
	    load_dir(plan, sources->dir, error, error_len) < 0)
		return -1;
	if (sources->procfile != NULL &&
	    load_entries(plan, sources->procfile, unit_parse_procfile, error,
			 error_len) < 0)
		return -1;
	if (sources->crontab != NULL &&
	    load_entries(plan, sources->crontab, crontab_parse, error,
			 error_len) < 0)
		return -1;
	if (load_oneliners(plan, sources, error, error_len) < 0 ||
	    check_duplicates(plan, error, error_len) < 0)
		return -1;
	for (i = 0; i < plan->n; i++)
		if (resolve_service(&plan->services[i], env, error,
				    error_len) < 0)
			return -1;
	if (separate_jobs(plan) < 0) {
		format_line(error, error_len, "out of memory");
		return -1;
	}
	if (load_zones(plan, env, error, error_len) < 0 ||
	    link_services(plan, error, error_len) < 0 ||
	    assign_levels(plan, error, error_len) < 0)
		return -1;
	return 0;
}

static void
free_specs(struct plan_service *specs, size_t n)
{
	struct plan_service *svc;
	size_t i;

	for (i = 0; i < n; i++) {
		svc = &specs[i];
		unit_free(&svc->unit);
		unit_free_argv(svc->argv);
		unit_free_argv(svc->check_argv);
		env_free(&svc->env);
		user_free(&svc->ids);
		free(svc->cwd);
		free(svc->after);
		free(svc->requires);
	}
	free(specs);
}

void
plan_free(struct plan *plan)
{
	size_t i;

	free_specs(plan->services, plan->n);
	free_specs(plan->jobs, plan->n_jobs);
	for (i = 0; i < plan->n_zones; i++) {
		zone_free(plan->zones[i]);
		free(plan->zones[i]);
	}
	free(plan->zones);
	memset(plan, 0, sizeof(*plan));
}

/* A duration as --check shows it: "100ms", "1.5s", "infinity". */
static const char *
show_ms(long long ms, char *buf, size_t len)
{
	if (ms == UNIT_INFINITY)
		snprintf(buf, len, "infinity");
	else if (ms < 1000 || ms % 100 != 0)
		snprintf(buf, len, "%lldms", ms);
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%llds", ms / 1000);
	else
		snprintf(buf, len, "%lld.%llds", ms / 1000, ms % 1000 / 100);
	return buf;
}

static void
print_readiness(const struct unit *unit, FILE *out)
{
	static const char *const checks[] = {
		[UNIT_CHECK_NONE] = "", [UNIT_CHECK_TCP] = "tcp:",
		[UNIT_CHECK_FILE] = "file:", [UNIT_CHECK_EXEC] = "exec:",
	};
	char t[32];

	if (unit->type == UNIT_NOTIFY)
		fputs("ready: sd_notify READY=1", out);
	else if (unit->type == UNIT_ONESHOT)
		fputs("ready: when it has exited", out);
	else if (unit->type == UNIT_FORKING)
		fprintf(out, "ready: when %s names the daemon",
			unit->pidfile.text);
	else if (unit->ready_fd >= 0)
		fprintf(out, "ready: a newline on fd %d", unit->ready_fd);
	else if (unit->check != UNIT_CHECK_NONE)
		fprintf(out, "ready: check %s%s every %s", checks[unit->check],
			unit->check_target.text,
			show_ms(unit->check_interval_ms, t, sizeof(t)));
	else
		fputs("ready: when started", out);
	if (unit->type != UNIT_ONESHOT || unit->timeout_start_ms != UNIT_INFINITY)
		fprintf(out, " (within %s)",
			show_ms(unit->timeout_start_ms, t, sizeof(t)));
}

static void
print_restart(const struct unit *unit, FILE *out)
{
	char a[32], b[32];

	fprintf(out, "restart: %s", unit_restart_name(unit->restart));
	if (unit->restart == UNIT_RESTART_NO)
		return;
	fprintf(out, " after %s", show_ms(unit->restart_ms, a, sizeof(a)));
	if (service_restart_delay_grows(unit))
		fprintf(out, " growing to %s in %u steps",
			show_ms(unit->restart_max_delay_ms, b, sizeof(b)),
			unit->restart_steps);
	if (unit->start_limit_burst > 0 && unit->start_limit_interval_ms > 0)
		fprintf(out, ", at most %u starts in %s",
			unit->start_limit_burst,
			show_ms(unit->start_limit_interval_ms, a, sizeof(a)));
}

static void
print_service(const struct plan_service *svc, FILE *out)
{
	static const char *const modes[] = {
		[UNIT_KILL_CONTROL_GROUP] = "the group",
		[UNIT_KILL_MIXED] = "the main process, SIGKILL to the group",
		[UNIT_KILL_PROCESS] = "the main process",
	};
	const struct unit *unit = &svc->unit;
	char sig[SIG_NAME_MAX], t[32];

	fprintf(out, "service %s: %s, user ", unit->name,
		unit_type_name(unit->type));
	if (svc->ids.set_user && svc->ids.name)
		fprintf(out, "%s", svc->ids.name);
	else if (svc->ids.set_user)
		fprintf(out, "%d", (int)svc->ids.uid);
	else
		fprintf(out, "(grace's)");
	fputs("; ", out);
	print_readiness(unit, out);
	fputs("; ", out);
	print_restart(unit, out);
	fprintf(out, "; %s; stop: %s to %s, SIGKILL after %s; output: %s\n",
		unit->essential ? "essential" : "not essential",
		sig_name(unit->kill_signal, sig), modes[unit->kill_mode],
		show_ms(unit->timeout_stop_ms, t, sizeof(t)),
		unit->output_inherit ? "grace's stdout and stderr"
				     : "labelled lines");
}

/* A job, then its next five runs, in its zone and in UTC. */
static void
print_job(const struct plan_service *job, int64_t now_ms, FILE *out)
{
	const struct unit *unit = &job->unit;
	char sig[SIG_NAME_MAX], t[32], a[40], b[40];
	int64_t next = now_ms;
	int i;

	fprintf(out, "job %s: '%s' in %s, user ", unit->name,
		unit->schedule_text.text, job->zone->name);
	if (job->ids.set_user && job->ids.name)
		fprintf(out, "%s", job->ids.name);
	else if (job->ids.set_user)
		fprintf(out, "%d", (int)job->ids.uid);
	else
		fprintf(out, "(grace's)");
	fprintf(out, "; overlap: %s; timeout: %s", unit_overlap_name(unit->overlap),
		show_ms(unit->timeout_start_ms, t, sizeof(t)));
	fprintf(out, "; %s; stop: %s, SIGKILL after %s\n",
		unit->essential ? "essential" : "not essential",
		sig_name(unit->kill_signal, sig),
		show_ms(unit->timeout_stop_ms, t, sizeof(t)));
	if (unit->schedule.kind == SCHEDULE_REBOOT) {
		fputs("  runs once, when grace starts\n", out);
		return;
	}
	for (i = 0; i < 5; i++) {
		next = schedule_next(&unit->schedule, job->zone, now_ms, next);
		if (next == SCHEDULE_NEVER) {
			fputs(i == 0 ? "  never runs\n" : "", out);
			return;
		}
		fprintf(out, "  %s  (%s)\n",
			schedule_format(next / 1000, job->zone, a, sizeof(a)),
			schedule_format(next / 1000, NULL, b, sizeof(b)));
	}
}

void
plan_print(const struct plan *plan, int64_t now_ms, FILE *out)
{
	unsigned level;
	size_t i;
	char **arg;

	const char **names = calloc(plan->n + 1, sizeof(*names));
	size_t n;

	for (level = 0; level < plan->levels && names != NULL; level++) {
		n = 0;
		for (i = 0; i < plan->n; i++)
			if (plan->services[i].level == level)
				names[n++] = plan->services[i].unit.name;
		qsort(names, n, sizeof(*names), compare_names);
		fprintf(out, "level %u:", level);
		for (i = 0; i < n; i++)
			fprintf(out, " %s", names[i]);
		fputc('\n', out);
	}
	free(names);
	if (plan->main_argv != NULL) {
		fputs("main:", out);
		for (arg = plan->main_argv; *arg != NULL; arg++)
			fprintf(out, " %s", *arg);
		fputs(plan->n ? " (once every service is ready)\n" : "\n", out);
	}
	for (i = 0; i < plan->n; i++)
		print_service(&plan->services[i], out);
	for (i = 0; i < plan->n_jobs; i++)
		print_job(&plan->jobs[i], now_ms, out);
}
