// SPDX-License-Identifier: MIT
/* Owns crontabs: the lines of a crontab (environment, settings, jobs) and
 * --cron one-liners, read into job units that the plan resolves like any
 * other.  Pure: the caller reads the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crontab.h"
#include "log.h"

/* What the lines above a job have set for it. */
struct crontab_state {
	const char *path;
	int line;
	struct unit_list env;		/* "KEY=VALUE" */
	char tz[ZONE_NAME_MAX + 1];	/* CRON_TZ=, empty: grace's */
	enum unit_overlap overlap;
	long long timeout_ms;
	bool essential;
	char name[UNIT_NAME_MAX + 1];	/* "# name: NAME" just above */
	char *error;
	size_t error_len;
};

/* "PATH:LINE: problem"; returns -1. */
static int
fail(struct crontab_state *st, const char *problem, const char *what)
{
	format_line(st->error, st->error_len, "%s:%d: %s%s%s%s", st->path,
		    st->line, problem, what ? " '" : "", what ? what : "",
		    what ? "'" : "");
	return -1;
}

/* The length of a variable name at the start of text (letters, digits
 * and '_', not a digit first), or 0. */
static size_t
name_length(const char *text)
{
	size_t n = 0;

	if ((text[0] >= '0' && text[0] <= '9'))
		return 0;
	while ((text[n] >= 'A' && text[n] <= 'Z') ||
	       (text[n] >= 'a' && text[n] <= 'z') ||
	       (text[n] >= '0' && text[n] <= '9') || text[n] == '_')
		n++;
	return n;
}

/* "# name: NAME" names the job on the next line; any other comment does
 * not. */
static int
read_comment(struct crontab_state *st, char *line)
{
	char *p = unit_trim(line + 1);

	st->name[0] = '\0';
	if (strncmp(p, "name:", 5) != 0)
		return 0;
	p = unit_trim(p + 5);
	if (!unit_valid_name(p))
		return fail(st, "invalid job name", p);
	snprintf(st->name, sizeof(st->name), "%s", p);
	return 0;
}

/* A GRACE_ setting or CRON_TZ; 1 when key was one. */
static int
read_setting(struct crontab_state *st, const char *key, char *value)
{
	static const char *const overlaps[] = { "skip", "allow", "replace" };
	long long ms;
	size_t i;

	if (strcmp(key, "CRON_TZ") == 0) {
		if (strlen(value) > ZONE_NAME_MAX)
			return fail(st, "time zone name too long", value);
		snprintf(st->tz, sizeof(st->tz), "%s", value);
		return 1;
	}
	if (strcmp(key, "GRACE_OVERLAP") == 0) {
		for (i = 0; i < 3; i++)
			if (strcmp(value, overlaps[i]) == 0) {
				st->overlap = (enum unit_overlap)i;
				return 1;
			}
		return fail(st, "GRACE_OVERLAP= wants skip, allow or replace, "
				"not", value);
	}
	if (strcmp(key, "GRACE_TIMEOUT") == 0) {
		if (unit_parse_duration(value, &ms) < 0)
			return fail(st, "GRACE_TIMEOUT= wants a time span "
					"(\"30s\", \"1h\", \"infinity\"), not",
				    value);
		st->timeout_ms = ms == 0 ? UNIT_INFINITY : ms;
		return 1;
	}
	if (strcmp(key, "GRACE_ESSENTIAL") == 0) {
		if (unit_parse_bool(value, &st->essential) < 0)
			return fail(st, "GRACE_ESSENTIAL= wants yes or no, not",
				    value);
		return 1;
	}
	return 0;
}

/* "KEY = VALUE": quotes that match around the value are dropped, as cron
 * drops them, to keep blanks at its ends. */
static int
read_assignment(struct crontab_state *st, char *line, size_t name_len)
{
	char *value = unit_trim(strchr(line + name_len, '=') + 1), *entry;
	size_t len = strlen(value);
	int rc;

	line[name_len] = '\0';
	if (len >= 2 && (value[0] == '"' || value[0] == '\'') &&
	    value[len - 1] == value[0]) {
		value[len - 1] = '\0';
		value++;
	}
	rc = read_setting(st, line, value);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	len = name_len + 1 + strlen(value);
	entry = malloc(len + 1);
	if (entry == NULL)
		return fail(st, "out of memory", NULL);
	snprintf(entry, len + 1, "%s=%s", line, value);
	rc = unit_list_add(&st->env, entry, len, st->line);
	free(entry);
	return rc < 0 ? fail(st, "out of memory", NULL) : 0;
}

/* A command as cron reads it: "\%" is a '%'; a bare '%' would start
 * cron's stdin text, which grace does not feed.  A backslash takes the
 * next character with it, as in cron, so "\\%" keeps both backslashes
 * and has a bare '%'.  In place. */
static int
unescape_percents(struct crontab_state *st, char *command)
{
	char *in = command, *out = command;

	for (; *in != '\0'; in++) {
		if (in[0] == '\\' && in[1] != '\0') {
			if (in[1] != '%')
				*out++ = '\\';
			*out++ = *++in;
			continue;
		}
		if (*in == '%')
			return fail(st, "a bare '%' is cron's stdin marker, "
					"which grace does not support (write "
					"\\% for a '%')",
				    NULL);
		*out++ = *in;
	}
	*out = '\0';
	return 0;
}

/* Whether a unit from first on is named name already. */
static const struct unit *
find_unit(const struct unit *units, size_t n, size_t first, const char *name)
{
	size_t i;

	for (i = first; i < n; i++)
		if (strcmp(units[i].name, name) == 0)
			return &units[i];
	return NULL;
}

/* Sets unit up as a job of the crontab's: its schedule (given, and its
 * text), environment and settings.  0 or -1. */
static int
fill_job(struct crontab_state *st, struct unit *unit,
	 const struct schedule *schedule, const char *when, size_t when_len,
	 const char *command)
{
	char *text = malloc(when_len + 1), why[256];
	size_t i;
	int rc;

	if (text == NULL)
		return -1;
	memcpy(text, when, when_len);
	text[when_len] = '\0';
	rc = unit_set_item(&unit->schedule_text, unit_trim(text), st->line);
	free(text);
	if (rc < 0 || unit_set_item(&unit->exec_start, command, st->line) < 0)
		return -1;
	for (i = 0; i < st->env.n; i++)
		if (unit_list_add(&unit->environment, st->env.items[i].text,
				  strlen(st->env.items[i].text),
				  st->env.items[i].line) < 0)
			return -1;
	if (st->tz[0] != '\0' &&
	    unit_set_item(&unit->timezone, st->tz, st->line) < 0)
		return -1;
	unit->line = st->line;
	unit->exec_shell = true;
	unit->is_job = true;
	unit->schedule = *schedule;
	unit->overlap = st->overlap;
	unit->essential = st->essential;
	unit->timeout_start_ms = st->timeout_ms;
	if (unit_check_job(unit, true, true, why, sizeof(why)) < 0)
		return fail(st, why, NULL);
	return 0;
}

/* "SCHEDULE COMMAND": a job, appended to *units. */
static int
read_job(struct crontab_state *st, char *line, struct unit **units,
	 size_t *n, size_t first)
{
	struct schedule schedule;
	const char *rest;
	char why[256], name[UNIT_NAME_MAX + 1];
	const struct unit *same;
	struct unit *grown;

	if (schedule_parse(&schedule, line, &rest, why, sizeof(why)) < 0)
		return fail(st, why, NULL);
	if (unescape_percents(st, (char *)rest) < 0)
		return -1;
	if (st->name[0] != '\0')
		snprintf(name, sizeof(name), "%s", st->name);
	else
		snprintf(name, sizeof(name), "cron.%d", st->line);
	same = find_unit(*units, *n, first, name);
	if (same != NULL) {
		format_line(st->error, st->error_len,
			    "%s:%d: duplicate job name '%s' (first on line %d)",
			    st->path, st->line, name, same->line);
		return -1;
	}
	grown = realloc(*units, (*n + 1) * sizeof(*grown));
	if (grown == NULL)
		return fail(st, "out of memory", NULL);
	*units = grown;
	if (unit_init(&grown[*n], name, st->path) < 0)
		return fail(st, "out of memory", NULL);
	(*n)++;
	if (fill_job(st, &grown[*n - 1], &schedule, line,
		     (size_t)(rest - line), rest) < 0) {
		if (st->error[0] == '\0')
			return fail(st, "out of memory", NULL);
		return -1;
	}
	return 0;
}

/* One line, without its newline. */
static int
read_line(struct crontab_state *st, char *line, struct unit **units,
	  size_t *n, size_t first)
{
	char *p = unit_trim(line);
	size_t len;

	if (*p == '\0') {
		st->name[0] = '\0';
		return 0;
	}
	if (*p == '#')
		return read_comment(st, p);
	len = name_length(p);
	if (len > 0 && p[len + strspn(p + len, " \t")] == '=') {
		st->name[0] = '\0';
		return read_assignment(st, p, len);
	}
	if (*p != '@' && *p != '*' && (*p < '0' || *p > '9'))
		return fail(st, "not a job (SCHEDULE COMMAND) nor a variable "
				"(KEY=VALUE):", p);
	if (read_job(st, p, units, n, first) < 0)
		return -1;
	st->name[0] = '\0';
	return 0;
}

int
crontab_parse(const char *path, const char *text, size_t len,
	      struct unit **units, size_t *n, char *error, size_t error_len)
{
	struct crontab_state st = { .path = path, .error = error,
				    .error_len = error_len,
				    .overlap = UNIT_OVERLAP_SKIP,
				    .timeout_ms = UNIT_INFINITY };
	const char *end;
	char *line;
	size_t pos = 0, line_len, first = *n;
	int r = 0;

	format_line(error, error_len, "%s", "");
	while (r == 0 && pos < len) {
		end = memchr(text + pos, '\n', len - pos);
		line_len = end != NULL ? (size_t)(end - (text + pos))
				       : len - pos;
		st.line++;
		if (memchr(text + pos, '\0', line_len) != NULL) {
			r = fail(&st, "NUL byte in the file", NULL);
			break;
		}
		line = malloc(line_len + 1);
		if (line == NULL) {
			r = fail(&st, "out of memory", NULL);
			break;
		}
		memcpy(line, text + pos, line_len);
		line[line_len] = '\0';
		r = read_line(&st, line, units, n, first);
		free(line);
		pos += line_len + (end != NULL);
	}
	for (pos = 0; pos < st.env.n; pos++)
		free(st.env.items[pos].text);
	free(st.env.items);
	if (r == 0 && *n == first) {
		format_line(error, error_len, "%s: no jobs", path);
		r = -1;
	}
	return r;
}

int
crontab_parse_oneliner(struct unit *unit, const char *text, unsigned index,
		       char *error, size_t error_len)
{
	struct schedule schedule;
	const char *rest;
	char why[256], name[UNIT_NAME_MAX + 1];
	size_t when_len;

	memset(unit, 0, sizeof(*unit));
	if (schedule_parse(&schedule, text, &rest, why, sizeof(why)) < 0 ||
	    unit_check_command(rest, why, sizeof(why)) < 0) {
		format_line(error, error_len, "invalid --cron '%s': %s", text,
			    why);
		return -1;
	}
	snprintf(name, sizeof(name), "cron.arg%u", index);
	if (unit_init(unit, name, "--cron") < 0)
		goto oom;
	unit->line = (int)index;
	when_len = (size_t)(rest - text);
	while (when_len > 0 && (text[when_len - 1] == ' ' ||
				text[when_len - 1] == '\t'))
		when_len--;
	if (unit_set_item(&unit->exec_start, rest, 0) < 0)
		goto oom;
	unit->schedule_text.text = malloc(when_len + 1);
	if (unit->schedule_text.text == NULL)
		goto oom;
	memcpy(unit->schedule_text.text, text, when_len);
	unit->schedule_text.text[when_len] = '\0';
	unit->is_job = true;
	unit->schedule = schedule;
	if (unit_check_job(unit, false, false, error, error_len) == 0)
		return 0;
	unit_free(unit);
	return -1;
oom:
	unit_free(unit);
	format_line(error, error_len, "out of memory");
	return -1;
}
