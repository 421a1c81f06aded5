/* SPDX-License-Identifier: MIT */
/* Service specs: unit files, Procfile lines and --service one-liners. */
#ifndef GRACE_UNIT_H
#define GRACE_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "schedule.h"

/* A duration that never runs out ("infinity"). */
#define UNIT_INFINITY (-1LL)
/* The longest name a service may have. */
#define UNIT_NAME_MAX 64
/* The most StartLimitBurst= may say: its start times are kept in a ring. */
#define UNIT_MAX_BURST 1000

enum unit_type { UNIT_SIMPLE, UNIT_NOTIFY, UNIT_ONESHOT, UNIT_FORKING };
enum unit_restart {
	UNIT_RESTART_NO,
	UNIT_RESTART_ON_FAILURE,
	UNIT_RESTART_ALWAYS,
};
/* Over the service's process group, as systemd.kill(5) says over its
 * cgroup. */
enum unit_kill_mode {
	UNIT_KILL_CONTROL_GROUP,	/* KillSignal to the whole group */
	UNIT_KILL_MIXED,	/* KillSignal to the main pid, SIGKILL to all */
	UNIT_KILL_PROCESS,	/* the main pid only */
};
/* Overlap=: what a job's due time does while its last run goes on. */
enum unit_overlap { UNIT_OVERLAP_SKIP, UNIT_OVERLAP_ALLOW,
		    UNIT_OVERLAP_REPLACE };

/* ReadyCheck=: a check grace makes from its event loop. */
enum unit_check { UNIT_CHECK_NONE, UNIT_CHECK_TCP, UNIT_CHECK_FILE,
		  UNIT_CHECK_EXEC };

/* A value of a key, with the line it came from (for errors found later,
 * when the plan resolves names, users and files). */
struct unit_item {
	char *text;
	int line;
};

/* A growing list of items. */
struct unit_list {
	struct unit_item *items;
	size_t n, cap;
};

struct unit {
	char name[UNIT_NAME_MAX + 1];	/* "felix" (the file less .service) */
	char *source;		/* the file, "--service" or the Procfile */
	int line;		/* where a one-liner or Procfile entry is */
	char *description;
	struct unit_list after, requires, wants;
	enum unit_type type;
	/* ExecStart= as written, without its prefix; split and expanded by
	 * the plan once the service's environment is known. */
	struct unit_item exec_start;
	bool exec_ignore_failure;	/* the '-' prefix */
	bool exec_shell;	/* Procfile: through /bin/sh -c, unsplit */
	struct unit_item pidfile;
	enum unit_restart restart;
	long long restart_ms;		/* RestartSec=, default 100 */
	unsigned restart_steps;		/* RestartSteps=, default 0 */
	long long restart_max_delay_ms;	/* default UNIT_INFINITY */
	unsigned start_limit_burst;	/* default 5; 0 disables the limit */
	long long start_limit_interval_ms;	/* default 10000; 0 disables */
	bool essential;			/* Essential=, default yes */
	bool success_code[256];		/* SuccessExitStatus= exit codes */
	uint64_t success_signals;	/* and signals: bit N for signal N */
	int kill_signal;		/* KillSignal=, default SIGTERM */
	long long timeout_stop_ms;	/* TimeoutStopSec=, default 10000 */
	enum unit_kill_mode kill_mode;
	long long timeout_start_ms;	/* TimeoutStartSec=, default 90000 */
	int ready_fd;			/* ReadyFd=, -1 for none */
	enum unit_check check;		/* ReadyCheck= */
	struct unit_item check_target;	/* HOST:PORT, PATH or COMMAND */
	long long check_interval_ms;	/* ReadyCheckIntervalSec=, 1000 */
	struct unit_item user, group;	/* text NULL when not set */
	struct unit_item working_dir;	/* text NULL when not set */
	bool working_dir_optional;	/* the '-' prefix */
	struct unit_list environment;	/* "KEY=VALUE", in order */
	/* EnvironmentFile= paths; a leading '-' (optional file) is kept */
	struct unit_list environment_files;
	int umask;			/* UMask=, -1 to inherit grace's */
	bool has_nofile;		/* LimitNOFILE= given */
	struct rlimit nofile;
	bool no_new_privs;		/* NoNewPrivileges= */
	/* StandardOutput=inherit: grace's stdout and stderr, not its
	 * relay of labelled lines */
	bool output_inherit;
	/* Schedule=: the unit is a job, a oneshot run at each due time;
	 * its run's timeout is TimeoutStartSec= (none by default) */
	bool is_job;
	struct schedule schedule;
	struct unit_item schedule_text;	/* as written, for --check */
	struct unit_item timezone;	/* Timezone=, text NULL: grace's */
	enum unit_overlap overlap;	/* Overlap=, default skip */
};

/* Sets every key to its default, with no command; name and source are
 * copied.  0 or -ENOMEM. */
int unit_init(struct unit *unit, const char *name, const char *source);
void unit_free(struct unit *unit);

/*
 * Parses the text of a unit file (len bytes, not NUL-terminated, maybe
 * holding NULs, which are an error) into a unit initialised with
 * unit_init().  Returns 0, or -1 with error holding one line
 * "SOURCE:LINE: problem" (an unknown section or key, a bad value, a
 * missing ExecStart=); the unit must still be freed.
 */
int unit_parse(struct unit *unit, const char *text, size_t len, char *error,
	       size_t error_len);

/* Whether name is a service name: 1 to UNIT_NAME_MAX of [A-Za-z0-9_.@:-],
 * not starting with '.' or '-'. */
bool unit_valid_name(const char *name);

/* "NAME=COMMAND ARGS" (--service): a simple service, essential, not
 * restarted, whose ExecStart= is COMMAND ARGS.  0, or -1 with error. */
int unit_parse_oneliner(struct unit *unit, const char *text, char *error,
			size_t error_len);

/*
 * A Procfile (foreman's "name: command" lines, '#' comments, blank lines):
 * appends one unit per entry to *units (grown with realloc, *n counting
 * them), each run through /bin/sh -c as foreman does.  0, or -1 with
 * error "PATH:LINE: problem"; units appended so far stay for the caller
 * to free.
 */
int unit_parse_procfile(const char *path, const char *text, size_t len,
			struct unit **units, size_t *n, char *error,
			size_t error_len);

/* A systemd time span ("5", "1.5s", "100ms", "2min 30s", "1h", "infinity")
 * in milliseconds (microseconds round up); UNIT_INFINITY for "infinity".
 * At most a year.  0 or -1. */
int unit_parse_duration(const char *text, long long *ms);

/* Looks up a variable for expansion; NULL when it is not set. */
typedef const char *unit_lookup_fn(const char *name, size_t len, void *ctx);

/*
 * Splits a command line as systemd splits ExecStart=: words separated by
 * blanks, "double" and 'single' quotes, C escapes (\n \t \\ \" \' \xNN
 * and a backslash before a blank), "$$" for '$' and "%%" for '%'; $NAME
 * as a whole word becomes the variable's value split at blanks, ${NAME}
 * becomes its value as it is, inside or outside a word; an unset variable
 * is empty.  Writes a NULL-terminated array of malloc'ed words to *argv.
 * 0, or -1 with error (unbalanced quotes, a bad escape, no words).
 */
int unit_split_command(const char *text, unit_lookup_fn *lookup, void *ctx,
		       char ***argv, char *error, size_t error_len);
void unit_free_argv(char **argv);

/* Cuts blanks (and CR, LF) off both ends of text, in place; returns its
 * first non-blank. */
char *unit_trim(char *text);
/* yes/no, true/false, on/off, 1/0 (and y, n, t, f); 0 or -1. */
int unit_parse_bool(const char *value, bool *out);
/* Replaces item's text with a copy of text; 0 or -ENOMEM. */
int unit_set_item(struct unit_item *item, const char *text, int line);
/* Appends a copy of len bytes of text; 0 or -ENOMEM. */
int unit_list_add(struct unit_list *list, const char *text, size_t len,
		  int line);
/* Whether text splits as a command line; -1 with the reason if not. */
int unit_check_command(const char *text, char *error, size_t error_len);
/* The rules a job follows, once its keys are read (Restart=, readiness
 * and dependencies do not apply; it is not essential and has no run
 * timeout unless it says so).  essential_set, timeout_set: whether the
 * unit gave those.  0, or -1 with the problem in error. */
int unit_check_job(struct unit *unit, bool essential_set, bool timeout_set,
		   char *error, size_t error_len);

const char *unit_type_name(enum unit_type type);
const char *unit_overlap_name(enum unit_overlap overlap);
const char *unit_restart_name(enum unit_restart restart);

#endif
