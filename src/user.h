/* SPDX-License-Identifier: MIT */
/* User= and Group=: names or numbers -> the ids a service runs as. */
#ifndef GRACE_USER_H
#define GRACE_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Room for the supplementary groups of one user. */
#define USER_MAX_GROUPS 64

struct user_ids {
	bool set_user;		/* User= given: setuid, HOME... */
	bool set_group;		/* User= or Group= given: setgid */
	bool switch_ids;	/* and grace, root, must change to them (not
				 * root, it already has them) */
	uid_t uid;
	gid_t gid;
	gid_t groups[USER_MAX_GROUPS];	/* supplementary, for setgroups */
	int ngroups;
	/* From the user database; NULL for a number it does not know. */
	char *name, *home, *shell;
};

/*
 * Looks user (a name or a number, or NULL) and group (likewise, or NULL:
 * the user's primary group) up in the user database, with the user's
 * supplementary groups.  Refuses, when grace does not run as root, ids
 * other than its own: it could not take them.  0, or -1 with error
 * saying what is wrong (without a file or line).
 */
int user_resolve(const char *user, const char *group, struct user_ids *ids,
		 char *error, size_t error_len);
void user_free(struct user_ids *ids);

/*
 * The name of uid in text, the content of a passwd(5) file
 * ("name:x:uid:gid:..." lines): the first line with that uid, copied to
 * name (room for len bytes).  0, or -1 when no well-formed line has it or
 * its name does not fit.  For gracectl ps, which names the users of other
 * processes without NSS: a container's /etc/passwd is the database.
 */
int user_name_in_passwd(const char *text, uid_t uid, char *name,
			size_t len);

#endif
