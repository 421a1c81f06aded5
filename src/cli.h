/* SPDX-License-Identifier: MIT */
/* The command line, turned into one struct of settings. */
#ifndef GRACE_CLI_H
#define GRACE_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define CLI_DEFAULT_GRACE_MS 5000L
/* The longest --grace accepted: one day, far beyond any runtime's own. */
#define CLI_MAX_GRACE_MS (24L * 3600 * 1000)

struct settings {
	bool group;		/* -g: forward to the main child's group */
	sigset_t stop_signals;	/* --stop-signals */
	long grace_ms;		/* --grace, in milliseconds */
	int verbosity;		/* -v, repeatable */
	char **command;		/* NULL-terminated, points into argv */
};

enum cli_outcome {
	CLI_RUN,	/* settings are complete: run the command */
	CLI_HELP,	/* --help asked for */
	CLI_VERSION,	/* --version asked for */
	CLI_ERROR,	/* error[] says what is wrong */
};

/*
 * Parses argv into *settings.  Stops at the first non-option or at "--",
 * so "grace ls -l" runs "ls -l".  Prints nothing: on CLI_ERROR, error
 * holds one line (without "grace:") for the caller to report.
 */
enum cli_outcome cli_parse(int argc, char **argv, struct settings *settings,
			   char *error, size_t error_len);

/* Parses "5", "0.25", "1.5" (seconds, at most millisecond precision, at
 * most CLI_MAX_GRACE_MS) into milliseconds; returns 0 or -1. */
int cli_parse_seconds(const char *text, long *ms);
/* Parses "TERM,INT" / "15,SIGHUP" into *set; returns 0 or -1 and names the
 * bad item in error. */
int cli_parse_signal_list(const char *text, sigset_t *set, char *error,
			  size_t error_len);

/* Writes the --help text to stdout. */
void cli_print_usage(void);

#endif
