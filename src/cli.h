/* SPDX-License-Identifier: MIT */
/* The command line and environment, turned into one struct of settings. */
#ifndef GRACE_CLI_H
#define GRACE_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define CLI_DEFAULT_GRACE_MS 5000L
#define CLI_DEFAULT_PIDFILE_WAIT_MS 2000L
/* The longest --grace accepted: one day, far beyond any runtime's own. */
#define CLI_MAX_GRACE_MS (24L * 3600 * 1000)
/* The most --service one-liners. */
#define CLI_MAX_ONELINERS 256
/* --log-buffer: at least a line's worth, at most 1 GiB. */
#define CLI_MIN_LOG_BUFFER 1024L
#define CLI_MAX_LOG_BUFFER (1024L * 1024 * 1024)
/* Signal numbers run from 1 to this (SIGRTMAX on Linux). */
#define CLI_MAX_SIGNAL 64

/* Which init grace stands in for, chosen by the name it was started under:
 * its flags' meanings where they collide, its defaults, its --version. */
enum persona {
	PERSONA_GRACE,
	PERSONA_TINI,		/* tini, tini-static, docker-init */
	PERSONA_DUMB_INIT,
	PERSONA_CATATONIT,
};

struct settings {
	enum persona persona;
	bool group;		/* forward to the main child's group */
	bool new_session;	/* child in its own session (dumb-init) */
	bool pause;		/* no child: reap until a stop (catatonit -P) */
	bool warn_on_reap;	/* tini -w */
	sigset_t stop_signals;	/* --stop-signals */
	long grace_ms;		/* --grace, in milliseconds */
	long stop_timeout_ms;	/* --stop-timeout; -1 for none */
	int verbosity;		/* -v, repeatable */
	bool wait_all;		/* --wait-all */
	const char *pidfile;	/* --pidfile, or NULL */
	long pidfile_wait_ms;	/* --pidfile-wait, in milliseconds */
	int parent_death_signal;	/* tini -p; 0 for none */
	/* dumb-init -r: what a received signal is forwarded as; 0 drops it */
	int rewrite[CLI_MAX_SIGNAL + 1];
	bool exit_as_zero[256];	/* tini -e: these exit codes become 0 */
	char **command;		/* NULL-terminated, points into argv; NULL
				 * with services alone, or in pause mode */
	const char *services_dir;	/* --services, GRACE_SERVICES */
	const char *procfile;		/* --procfile */
	char *oneliners[CLI_MAX_ONELINERS];	/* --service */
	size_t n_oneliners;
	const char *crontab;		/* --crontab */
	char *crons[CLI_MAX_ONELINERS];	/* --cron */
	size_t n_crons;
	bool check;		/* --check: print the plan, start nothing */
	bool log_json;		/* --log-format json, GRACE_LOG_FORMAT */
	bool log_time;		/* --log-time */
	long log_buffer;	/* --log-buffer, bytes */
	bool log_main;		/* --log-main: relay the main command too */
	bool control;		/* --control: a socket even for one command */
	/* --control's address, else GRACE_CONTROL's, else NULL: the
	 * default */
	const char *control_address;
	bool no_control;	/* --no-control */
	bool reload_on_hup;	/* --reload-on-hup */
};

enum cli_outcome {
	CLI_RUN,	/* settings are complete: run the command */
	CLI_HELP,	/* --help asked for */
	CLI_VERSION,	/* --version asked for */
	CLI_LICENSE,	/* tini -l, catatonit -L */
	CLI_ERROR,	/* error[] says what is wrong */
};

/* The persona for the name grace was started under (argv[0]). */
enum persona cli_persona(const char *argv0);

/*
 * Parses the environment (tini's and dumb-init's variables) and then argv
 * into *settings; options win over variables.  Stops at the first
 * non-option or at "--", so "grace ls -l" runs "ls -l".  Prints nothing:
 * on CLI_ERROR, error holds one line (without "grace:") to report.
 */
enum cli_outcome cli_parse(int argc, char **argv, char *const *env,
			   struct settings *settings, char *error,
			   size_t error_len);

/* Parses "5", "0.25", "1.5" (seconds, at most millisecond precision, at
 * most CLI_MAX_GRACE_MS) into milliseconds; returns 0 or -1.  Serves
 * --grace and --pidfile-wait. */
int cli_parse_seconds(const char *text, long *ms);
/* Parses "65536", "64K", "64KiB", "1M", "1MiB" into bytes, within
 * CLI_MIN_LOG_BUFFER and CLI_MAX_LOG_BUFFER; returns 0 or -1. */
int cli_parse_size(const char *text, long *bytes);
/* Parses --log-format's "plain" or "json"; returns 0 or -1. */
int cli_parse_log_format(const char *text, bool *json);
/* Parses "TERM,INT" / "15,SIGHUP" into *set; returns 0 or -1 and names the
 * bad item in error. */
int cli_parse_signal_list(const char *text, sigset_t *set, char *error,
			  size_t error_len);
/* Parses dumb-init's "FROM:TO" ("15:3", "TERM:QUIT", "HUP:0") into
 * settings->rewrite; returns 0 or -1. */
int cli_parse_rewrite(const char *text, struct settings *settings);

/* Where the plan comes from, as the settings say: read at the start, and
 * again by gracectl reload. */
struct plan_sources;
void cli_plan_sources(const struct settings *settings,
		      struct plan_sources *sources);

/* Writes the --help, --version and license texts of the persona. */
void cli_print_usage(enum persona persona);
void cli_print_version(enum persona persona);
void cli_print_license(void);

#endif
