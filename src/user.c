// SPDX-License-Identifier: MIT
/* Owns the user database look-ups for User= and Group=: done once, when
 * the plan is loaded, so that a service's child only makes system calls;
 * and, for gracectl ps, uid -> name from /etc/passwd's text. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "number.h"
#include "user.h"

/* A whole decimal id, or -1. */
static long
parse_id(const char *text)
{
	unsigned long long value;

	return number_parse(text, strlen(text), 0x7fffffff, &value) == 0
		       ? (long)value
		       : -1;
}

/* Copies the passwd entry's name, home and shell; 0 or -1. */
static int
keep_passwd(struct user_ids *ids, const struct passwd *pw)
{
	ids->uid = pw->pw_uid;
	ids->gid = pw->pw_gid;
	ids->name = strdup(pw->pw_name);
	ids->home = strdup(pw->pw_dir);
	ids->shell = strdup(pw->pw_shell);
	return ids->name && ids->home && ids->shell ? 0 : -1;
}

static int
find_user(const char *user, struct user_ids *ids, char *error,
	  size_t error_len)
{
	const struct passwd *pw;
	long id = parse_id(user);

	errno = 0;
	pw = id >= 0 ? getpwuid((uid_t)id) : getpwnam(user);
	if (pw != NULL) {
		if (keep_passwd(ids, pw) == 0)
			return 0;
		snprintf(error, error_len, "out of memory");
		return -1;
	}
	if (id >= 0) {
		/* A number the database does not know: as systemd, run
		 * with it, its own group, and no name. */
		ids->uid = (uid_t)id;
		ids->gid = (gid_t)id;
		return 0;
	}
	if (errno != 0 && errno != ENOENT && errno != ESRCH)
		snprintf(error, error_len, "unable to look up user '%s': %s",
			 user, strerror(errno));
	else
		snprintf(error, error_len, "no such user: '%s'", user);
	return -1;
}

static int
find_group(const char *group, gid_t *gid, char *error, size_t error_len)
{
	const struct group *gr;
	long id = parse_id(group);

	if (id >= 0) {
		*gid = (gid_t)id;
		return 0;
	}
	errno = 0;
	gr = getgrnam(group);
	if (gr != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (errno != 0 && errno != ENOENT && errno != ESRCH)
		snprintf(error, error_len, "unable to look up group '%s': %s",
			 group, strerror(errno));
	else
		snprintf(error, error_len, "no such group: '%s'", group);
	return -1;
}

/* The supplementary groups of a named user, with gid among them. */
static void
find_groups(struct user_ids *ids)
{
	int n = USER_MAX_GROUPS;

	if (ids->name == NULL ||
	    getgrouplist(ids->name, ids->gid, ids->groups, &n) < 0) {
		/* Unknown, or more than we keep: the primary group alone
		 * is the safe choice (never more rights than asked). */
		ids->groups[0] = ids->gid;
		ids->ngroups = 1;
		return;
	}
	ids->ngroups = n;
}

/* Without root, grace can only run a service as itself. */
static int
check_privilege(const struct user_ids *ids, const char *user,
		const char *group, char *error, size_t error_len)
{
	if (geteuid() == 0)
		return 0;
	if (ids->set_user && ids->uid != geteuid()) {
		snprintf(error, error_len,
			 "User=%s needs grace to run as root (it runs as uid "
			 "%d)", user, (int)geteuid());
		return -1;
	}
	if (ids->set_group && ids->gid != getegid()) {
		snprintf(error, error_len,
			 "Group=%s needs grace to run as root (it runs as gid "
			 "%d)", group ? group : user, (int)getegid());
		return -1;
	}
	return 0;
}

int
user_resolve(const char *user, const char *group, struct user_ids *ids,
	     char *error, size_t error_len)
{
	memset(ids, 0, sizeof(*ids));
	if (user != NULL) {
		if (find_user(user, ids, error, error_len) < 0)
			return -1;
		ids->set_user = ids->set_group = true;
	} else {
		ids->uid = geteuid();
		ids->gid = getegid();
	}
	if (group != NULL) {
		if (find_group(group, &ids->gid, error, error_len) < 0)
			return -1;
		ids->set_group = true;
	}
	if (ids->set_user)
		find_groups(ids);
	else if (ids->set_group) {
		ids->groups[0] = ids->gid;
		ids->ngroups = 1;
	}
	if (check_privilege(ids, user, group, error, error_len) < 0)
		return -1;
	ids->switch_ids = geteuid() == 0 && (ids->set_user || ids->set_group);
	return 0;
}

void
user_free(struct user_ids *ids)
{
	free(ids->name);
	free(ids->home);
	free(ids->shell);
	ids->name = ids->home = ids->shell = NULL;
}

int
user_name_in_passwd(const char *text, uid_t uid, char *name, size_t len)
{
	const char *line = text, *end, *colon1, *colon2, *colon3;
	unsigned long long value;
	size_t line_len;

	for (; *line != '\0'; line = end ? end + 1 : line + line_len) {
		end = strchr(line, '\n');
		line_len = end ? (size_t)(end - line) : strlen(line);
		/* name:password:uid:... within this line */
		colon1 = memchr(line, ':', line_len);
		if (colon1 == NULL || colon1 == line)
			continue;
		colon2 = memchr(colon1 + 1, ':',
				line_len - (size_t)(colon1 + 1 - line));
		if (colon2 == NULL)
			continue;
		colon3 = memchr(colon2 + 1, ':',
				line_len - (size_t)(colon2 + 1 - line));
		if (colon3 == NULL ||
		    number_parse(colon2 + 1, (size_t)(colon3 - colon2 - 1),
				 0xffffffffULL, &value) < 0 ||
		    value != (unsigned long long)uid)
			continue;
		if ((size_t)(colon1 - line) >= len)
			return -1;
		memcpy(name, line, (size_t)(colon1 - line));
		name[colon1 - line] = '\0';
		return 0;
	}
	return -1;
}
