/* SPDX-License-Identifier: MIT */
/* A process environment being built: inherited, then assigned, then read
 * from EnvironmentFile= files. */
#ifndef GRACE_ENVIRON_H
#define GRACE_ENVIRON_H

#include <stddef.h>

/* "KEY=VALUE" strings, NULL-terminated (vars[n] == NULL) so that vars can
 * be given to execve() as it is.  Those inherited from base are borrowed,
 * not copied (ten services share grace's environment instead of holding
 * ten copies); every other one is malloc'ed. */
struct env {
	char **vars;
	size_t n, cap;
	char *const *base;	/* the inherited strings, kept as they are */
};

/* Starts from base (NULL-terminated, may be NULL), whose strings must
 * outlive env; 0 or -ENOMEM. */
int env_init(struct env *env, char *const *base);
void env_free(struct env *env);

/* Sets KEY (keylen bytes) to value, replacing an earlier one; 0 or
 * -ENOMEM. */
int env_set(struct env *env, const char *key, size_t keylen,
	    const char *value);
/* Removes KEY if it is set; 0. */
int env_unset(struct env *env, const char *key, size_t keylen);
/* Sets from "KEY=VALUE"; -EINVAL when there is no '=' or the key is
 * empty. */
int env_put(struct env *env, const char *assignment);
/* The value of KEY, or NULL. */
const char *env_get(const struct env *env, const char *key, size_t keylen);

/*
 * Parses the text of an EnvironmentFile= (len bytes) as systemd does:
 * KEY=VALUE lines, '#' and ';' comments, blank lines, an optional
 * "export " before the key, values in "double" (with \ escapes) or
 * 'single' quotes, a backslash at the end of a line continuing it, and
 * trailing blanks of an unquoted value dropped.  Sets each into env.
 * 0, or -1 with error "PATH:LINE: problem".
 */
int env_parse_file(struct env *env, const char *path, const char *text,
		   size_t len, char *error, size_t error_len);

#endif
