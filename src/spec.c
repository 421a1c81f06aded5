// SPDX-License-Identifier: MIT
/* Owns the comparison of two loads of a spec, for gracectl reload: a
 * service the same as before runs on untouched.  Pure. */
#include <string.h>

#include "spec.h"

static bool
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
same_item(const struct unit_item *a, const struct unit_item *b)
{
	return same_text(a->text, b->text);
}

static bool
same_list(const struct unit_list *a, const struct unit_list *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!same_item(&a->items[i], &b->items[i]))
			return false;
	return true;
}

/* Two NULL-terminated string arrays, or NULLs. */
static bool
same_argv(char *const *a, char *const *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	for (; *a != NULL && *b != NULL; a++, b++)
		if (strcmp(*a, *b) != 0)
			return false;
	return *a == NULL && *b == NULL;
}

/* The settings that are numbers, flags and enums. */
static bool
same_scalars(const struct unit *a, const struct unit *b)
{
	return a->type == b->type &&
	       a->exec_ignore_failure == b->exec_ignore_failure &&
	       a->exec_shell == b->exec_shell && a->restart == b->restart &&
	       a->restart_ms == b->restart_ms &&
	       a->restart_steps == b->restart_steps &&
	       a->restart_max_delay_ms == b->restart_max_delay_ms &&
	       a->start_limit_burst == b->start_limit_burst &&
	       a->start_limit_interval_ms == b->start_limit_interval_ms &&
	       a->essential == b->essential &&
	       memcmp(a->success_code, b->success_code,
		      sizeof(a->success_code)) == 0 &&
	       a->success_signals == b->success_signals &&
	       a->kill_signal == b->kill_signal &&
	       a->timeout_stop_ms == b->timeout_stop_ms &&
	       a->kill_mode == b->kill_mode &&
	       a->timeout_start_ms == b->timeout_start_ms &&
	       a->ready_fd == b->ready_fd && a->check == b->check &&
	       a->check_interval_ms == b->check_interval_ms &&
	       a->working_dir_optional == b->working_dir_optional &&
	       a->umask == b->umask && a->has_nofile == b->has_nofile &&
	       (!a->has_nofile ||
		(a->nofile.rlim_cur == b->nofile.rlim_cur &&
		 a->nofile.rlim_max == b->nofile.rlim_max)) &&
	       a->no_new_privs == b->no_new_privs &&
	       a->output_inherit == b->output_inherit &&
	       a->is_job == b->is_job && a->overlap == b->overlap;
}

/* The settings that are text, as written. */
static bool
same_texts(const struct unit *a, const struct unit *b)
{
	return same_item(&a->exec_start, &b->exec_start) &&
	       same_item(&a->pidfile, &b->pidfile) &&
	       same_item(&a->check_target, &b->check_target) &&
	       same_item(&a->user, &b->user) &&
	       same_item(&a->group, &b->group) &&
	       same_item(&a->working_dir, &b->working_dir) &&
	       same_list(&a->environment, &b->environment) &&
	       same_list(&a->environment_files, &b->environment_files) &&
	       same_item(&a->schedule_text, &b->schedule_text) &&
	       same_item(&a->timezone, &b->timezone) &&
	       same_list(&a->after, &b->after) &&
	       same_list(&a->requires, &b->requires) &&
	       same_list(&a->wants, &b->wants);
}

/* What the plan resolved: environment files' contents, users' ids. */
static bool
same_resolved(const struct plan_service *a, const struct plan_service *b)
{
	size_t i;

	if (!same_argv(a->argv, b->argv) ||
	    !same_argv(a->check_argv, b->check_argv) ||
	    !same_text(a->cwd, b->cwd) || a->env.n != b->env.n ||
	    a->check_addr_len != b->check_addr_len ||
	    memcmp(&a->check_addr, &b->check_addr, a->check_addr_len) != 0 ||
	    a->ids.set_user != b->ids.set_user ||
	    a->ids.set_group != b->ids.set_group ||
	    a->ids.uid != b->ids.uid || a->ids.gid != b->ids.gid ||
	    a->ids.ngroups != b->ids.ngroups ||
	    memcmp(a->ids.groups, b->ids.groups,
		   (size_t)a->ids.ngroups * sizeof(a->ids.groups[0])) != 0)
		return false;
	for (i = 0; i < a->env.n; i++)
		if (!same_text(a->env.vars[i], b->env.vars[i]))
			return false;
	return true;
}

bool
spec_same(const struct plan_service *a, const struct plan_service *b)
{
	return strcmp(a->unit.name, b->unit.name) == 0 &&
	       same_scalars(&a->unit, &b->unit) &&
	       same_texts(&a->unit, &b->unit) && same_resolved(a, b);
}
