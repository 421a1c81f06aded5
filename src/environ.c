// SPDX-License-Identifier: MIT
/* Owns a process environment being built ("KEY=VALUE" strings ready for
 * execve()) and the format of EnvironmentFile= files. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "environ.h"
#include "log.h"

/* The states of env_parse_file(), those of systemd's env-file.c. */
enum env_state {
	ENV_PRE_KEY,		/* blanks before a key */
	ENV_KEY,
	ENV_PRE_VALUE,		/* after '=' or a closing quote */
	ENV_VALUE,		/* unquoted */
	ENV_VALUE_ESCAPE,	/* after a backslash, unquoted */
	ENV_SINGLE_QUOTE,
	ENV_DOUBLE_QUOTE,
	ENV_DOUBLE_ESCAPE,	/* after a backslash in double quotes */
	ENV_COMMENT,
	ENV_COMMENT_ESCAPE,	/* a backslash continues a comment too */
};

/* A growing NUL-terminated string. */
struct env_buf {
	char *text;
	size_t len, cap;
};

/* One EnvironmentFile= being read. */
struct env_reader {
	struct env *env;
	const char *path;
	char *error;
	size_t error_len;
	struct env_buf key, value;
	size_t value_blanks;	/* where trailing unquoted blanks start */
	int line;		/* the line being read */
	int start;		/* the line the assignment started on */
};


/* Makes room for more entries and the terminating NULL. */
static int
env_reserve(struct env *env, size_t more)
{
	size_t cap = env->cap ? env->cap : 16;
	char **grown;

	if (more > SIZE_MAX / 4 / sizeof(char *) - env->n)
		return -ENOMEM;
	while (cap < env->n + more + 1)
		cap *= 2;
	if (cap == env->cap)
		return 0;
	grown = realloc(env->vars, cap * sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	env->vars = grown;
	env->cap = cap;
	return 0;
}

int
env_init(struct env *env, char *const *base)
{
	size_t i;

	memset(env, 0, sizeof(*env));
	for (i = 0; base != NULL && base[i] != NULL; i++)
		;
	if (env_reserve(env, i) < 0)
		return -ENOMEM;
	if (i > 0)
		memcpy(env->vars, base, i * sizeof(*base));
	env->n = i;
	env->vars[env->n] = NULL;
	env->base = base;
	return 0;
}

/* Frees an entry unless it is one of the inherited strings. */
static void
env_release(const struct env *env, char *var)
{
	size_t i;

	for (i = 0; env->base != NULL && env->base[i] != NULL; i++)
		if (env->base[i] == var)
			return;
	free(var);
}

void
env_free(struct env *env)
{
	size_t i;

	for (i = 0; i < env->n; i++)
		env_release(env, env->vars[i]);
	free(env->vars);
	memset(env, 0, sizeof(*env));
}

/* The slot of KEY, or NULL. */
static char **
env_find(const struct env *env, const char *key, size_t keylen)
{
	size_t i;

	for (i = 0; i < env->n; i++)
		if (strncmp(env->vars[i], key, keylen) == 0 &&
		    env->vars[i][keylen] == '=')
			return &env->vars[i];
	return NULL;
}

int
env_set(struct env *env, const char *key, size_t keylen, const char *value)
{
	size_t value_len = strlen(value);
	char *assignment, **slot;

	assignment = malloc(keylen + value_len + 2);
	if (assignment == NULL)
		return -ENOMEM;
	memcpy(assignment, key, keylen);
	assignment[keylen] = '=';
	memcpy(assignment + keylen + 1, value, value_len + 1);
	slot = env_find(env, key, keylen);
	if (slot != NULL) {
		env_release(env, *slot);
		*slot = assignment;
		return 0;
	}
	if (env_reserve(env, 1) < 0) {
		free(assignment);
		return -ENOMEM;
	}
	env->vars[env->n++] = assignment;
	env->vars[env->n] = NULL;
	return 0;
}

int
env_unset(struct env *env, const char *key, size_t keylen)
{
	char **slot = env_find(env, key, keylen);

	if (slot == NULL)
		return 0;
	env_release(env, *slot);
	/* Keeps the order of the rest, and the terminating NULL. */
	memmove(slot, slot + 1,
		(size_t)(env->vars + env->n - slot) * sizeof(*slot));
	env->n--;
	return 0;
}

int
env_put(struct env *env, const char *assignment)
{
	const char *eq = strchr(assignment, '=');

	if (eq == NULL || eq == assignment)
		return -EINVAL;
	return env_set(env, assignment, (size_t)(eq - assignment), eq + 1);
}

const char *
env_get(const struct env *env, const char *key, size_t keylen)
{
	char **slot = env_find(env, key, keylen);

	return slot != NULL ? *slot + keylen + 1 : NULL;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* [A-Za-z_][A-Za-z0-9_]* */
static bool
valid_name(const char *name, size_t len)
{
	size_t i;
	char c;

	if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (i = 0; i < len; i++) {
		c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static int
buf_push(struct env_buf *buf, char c)
{
	size_t cap;
	char *grown;

	if (buf->len + 2 > buf->cap) {
		cap = buf->cap ? buf->cap * 2 : 64;
		grown = realloc(buf->text, cap);
		if (grown == NULL)
			return -ENOMEM;
		buf->text = grown;
		buf->cap = cap;
	}
	buf->text[buf->len++] = c;
	buf->text[buf->len] = '\0';
	return 0;
}

static int
push_key(struct env_reader *r, char c)
{
	if (buf_push(&r->key, c) < 0) {
		format_line(r->error, r->error_len, "%s:%d: out of memory",
			  r->path, r->line);
		return -1;
	}
	return 0;
}

static int
push_value(struct env_reader *r, char c)
{
	if (buf_push(&r->value, c) < 0) {
		format_line(r->error, r->error_len, "%s:%d: out of memory",
			  r->path, r->line);
		return -1;
	}
	return 0;
}

/* At '=': the key, less trailing blanks, must be a variable name. */
static int
end_key(struct env_reader *r)
{
	while (r->key.len > 0 && is_blank(r->key.text[r->key.len - 1]))
		r->key.len--;
	if (!valid_name(r->key.text, r->key.len)) {
		format_line(r->error, r->error_len,
			  "%s:%d: invalid variable name '%.*s'", r->path,
			  r->start, (int)r->key.len,
			  r->key.text != NULL ? r->key.text : "");
		return -1;
	}
	r->value.len = 0;
	r->value_blanks = SIZE_MAX;
	return 0;
}

/* Sets the assignment read, trailing unquoted blanks dropped. */
static int
end_value(struct env_reader *r)
{
	if (r->value_blanks != SIZE_MAX)
		r->value.len = r->value_blanks;
	if (buf_push(&r->value, '\0') < 0 ||
	    env_set(r->env, r->key.text, r->key.len, r->value.text) < 0) {
		format_line(r->error, r->error_len, "%s:%d: out of memory",
			  r->path, r->start);
		return -1;
	}
	return 0;
}

/* How long "export" and the blanks after it are at text, if they are
 * there (and are not "export=..."); 0 if not. */
static size_t
export_prefix(const char *text, size_t len)
{
	size_t n = 6;

	if (len <= n || memcmp(text, "export", n) != 0 || !is_blank(text[n]))
		return 0;
	while (n < len && is_blank(text[n]))
		n++;
	return n;
}

/*
 * One character in the state machine.  A lone CR ends a line as LF does,
 * as in systemd; the caller drops the CR of a CRLF.  Returns the next
 * state, or -1 with the error set.
 */
static int
step(struct env_reader *r, enum env_state state, char c)
{
	bool newline = c == '\n' || c == '\r';

	switch (state) {
	case ENV_PRE_KEY:
		if (c == '#' || c == ';')
			return ENV_COMMENT;
		if (newline || is_blank(c))
			return ENV_PRE_KEY;
		r->start = r->line;
		r->key.len = 0;
		if (c == '=')
			return end_key(r) < 0 ? -1 : ENV_PRE_VALUE;
		return push_key(r, c) < 0 ? -1 : ENV_KEY;
	case ENV_KEY:
		if (newline) {
			format_line(r->error, r->error_len,
				  "%s:%d: '%.*s' has no '=' (want KEY=VALUE)",
				  r->path, r->start, (int)r->key.len,
				  r->key.text);
			return -1;
		}
		if (c == '=')
			return end_key(r) < 0 ? -1 : ENV_PRE_VALUE;
		return push_key(r, c) < 0 ? -1 : ENV_KEY;
	case ENV_PRE_VALUE:
		if (newline)
			return end_value(r) < 0 ? -1 : ENV_PRE_KEY;
		if (is_blank(c))
			return ENV_PRE_VALUE;
		if (c == '\'')
			return ENV_SINGLE_QUOTE;
		if (c == '"')
			return ENV_DOUBLE_QUOTE;
		if (c == '\\')
			return ENV_VALUE_ESCAPE;
		r->value_blanks = SIZE_MAX;
		return push_value(r, c) < 0 ? -1 : ENV_VALUE;
	case ENV_VALUE:
		if (newline)
			return end_value(r) < 0 ? -1 : ENV_PRE_KEY;
		if (c == '\\') {
			r->value_blanks = SIZE_MAX;
			return ENV_VALUE_ESCAPE;
		}
		if (!is_blank(c))
			r->value_blanks = SIZE_MAX;
		else if (r->value_blanks == SIZE_MAX)
			r->value_blanks = r->value.len;
		return push_value(r, c) < 0 ? -1 : ENV_VALUE;
	case ENV_VALUE_ESCAPE:
		/* A backslash before a newline joins the lines. */
		if (newline)
			return ENV_VALUE;
		r->value_blanks = SIZE_MAX;
		return push_value(r, c) < 0 ? -1 : ENV_VALUE;
	case ENV_SINGLE_QUOTE:
		if (c == '\'')
			return ENV_PRE_VALUE;
		return push_value(r, c) < 0 ? -1 : ENV_SINGLE_QUOTE;
	case ENV_DOUBLE_QUOTE:
		if (c == '"')
			return ENV_PRE_VALUE;
		if (c == '\\')
			return ENV_DOUBLE_ESCAPE;
		return push_value(r, c) < 0 ? -1 : ENV_DOUBLE_QUOTE;
	case ENV_DOUBLE_ESCAPE:
		/* As in a shell: \" \\ \` \$ and backslash-newline; any
		 * other backslash stays. */
		if (newline)
			return ENV_DOUBLE_QUOTE;
		if (strchr("\"\\`$", c) == NULL && push_value(r, '\\') < 0)
			return -1;
		return push_value(r, c) < 0 ? -1 : ENV_DOUBLE_QUOTE;
	case ENV_COMMENT:
		if (c == '\\')
			return ENV_COMMENT_ESCAPE;
		return newline ? ENV_PRE_KEY : ENV_COMMENT;
	case ENV_COMMENT_ESCAPE:
		return ENV_COMMENT;
	}
	return -1;
}

/*
 * The format is systemd's (src/basic/env-file.c), down to its quirks: text
 * after a closing quote joins the value ('a'b is "ab"), and a comment
 * ending in a backslash goes on over the next line.  Where systemd would
 * skip a bad line with a warning, grace says which line is wrong: a key
 * that is not a variable name, a line with no '=', a quote left open at
 * the end, a NUL byte.
 */
int
env_parse_file(struct env *env, const char *path, const char *text,
	       size_t len, char *error, size_t error_len)
{
	struct env_reader r = {
		.env = env, .path = path, .error = error,
		.error_len = error_len, .line = 1, .start = 1,
		.value_blanks = SIZE_MAX,
	};
	int state = ENV_PRE_KEY;
	size_t i, skip;
	char c;

	format_line(error, error_len, "%s", "");
	for (i = 0; i < len && state >= 0; i++) {
		c = text[i];
		if (c == '\0') {
			format_line(error, error_len,
				  "%s:%d: NUL byte in the file", path, r.line);
			state = -1;
			break;
		}
		if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;	/* CRLF is one newline */
		if (state == ENV_PRE_KEY) {
			skip = export_prefix(text + i, len - i);
			if (skip > 0) {
				i += skip - 1;
				continue;
			}
		}
		state = step(&r, (enum env_state)state, c);
		if (c == '\n')
			r.line++;
	}
	if (state == ENV_KEY) {
		format_line(error, error_len,
			  "%s:%d: '%.*s' has no '=' (want KEY=VALUE)", path,
			  r.start, (int)r.key.len, r.key.text);
		state = -1;
	} else if (state == ENV_SINGLE_QUOTE || state == ENV_DOUBLE_QUOTE ||
		   state == ENV_DOUBLE_ESCAPE) {
		format_line(error, error_len, "%s:%d: unterminated quote", path,
			  r.start);
		state = -1;
	} else if (state == ENV_PRE_VALUE || state == ENV_VALUE ||
		   state == ENV_VALUE_ESCAPE) {
		if (end_value(&r) < 0)
			state = -1;
	}
	free(r.key.text);
	free(r.value.text);
	return state < 0 ? -1 : 0;
}
