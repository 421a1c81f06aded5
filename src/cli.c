// SPDX-License-Identifier: MIT
/* Owns the command line and environment: options -> struct settings, the
 * personas grace takes under other inits' names, and the help texts. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plan.h"
#include "sig.h"

enum {
	OPT_STOP_SIGNALS = 256,
	OPT_GRACE,
	OPT_PIDFILE,
	OPT_PIDFILE_WAIT,
	OPT_WAIT_ALL,
	OPT_STOP_TIMEOUT,
	OPT_SERVICES,
	OPT_SERVICE,
	OPT_PROCFILE,
	OPT_CRONTAB,
	OPT_CRON,
	OPT_CHECK,
	OPT_LOG_FORMAT,
	OPT_LOG_TIME,
	OPT_LOG_BUFFER,
	OPT_LOG_MAIN,
	OPT_CONTROL,
	OPT_NO_CONTROL,
	OPT_RELOAD_ON_HUP,
};

/*
 * One option set for every persona: grace's own, tini 0.19's (-s -p -e -w
 * -l -g -v), dumb-init 1.2's (-c -r -v -V) and catatonit's (-g -P -L -V).
 * Their meanings agree where letters are shared; what differs by persona
 * is the defaults and the help and version texts.  The leading '+' stops
 * at the first non-option, ':' reports a missing value apart.
 */
static const char cli_short[] = "+:ghvVslLwcPp:e:r:";

static const struct option cli_long[] = {
	{ "group", no_argument, NULL, 'g' },
	{ "stop-signals", required_argument, NULL, OPT_STOP_SIGNALS },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "pidfile-wait", required_argument, NULL, OPT_PIDFILE_WAIT },
	{ "wait-all", no_argument, NULL, OPT_WAIT_ALL },
	{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
	{ "services", required_argument, NULL, OPT_SERVICES },
	{ "service", required_argument, NULL, OPT_SERVICE },
	{ "procfile", required_argument, NULL, OPT_PROCFILE },
	{ "crontab", required_argument, NULL, OPT_CRONTAB },
	{ "cron", required_argument, NULL, OPT_CRON },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "log-time", no_argument, NULL, OPT_LOG_TIME },
	{ "log-buffer", required_argument, NULL, OPT_LOG_BUFFER },
	{ "log-main", no_argument, NULL, OPT_LOG_MAIN },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "no-control", no_argument, NULL, OPT_NO_CONTROL },
	{ "reload-on-hup", no_argument, NULL, OPT_RELOAD_ON_HUP },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "single-child", no_argument, NULL, 'c' },
	{ "rewrite", required_argument, NULL, 'r' },
	{ "pause", no_argument, NULL, 'P' },
	{ "subreaper", no_argument, NULL, 's' },
	{ "license", no_argument, NULL, 'l' },
	{ NULL, 0, NULL, 0 },
};

static const char *const persona_names[] = {
	[PERSONA_GRACE] = "grace",
	[PERSONA_TINI] = "tini",
	[PERSONA_DUMB_INIT] = "dumb-init",
	[PERSONA_CATATONIT] = "catatonit",
};

enum persona
cli_persona(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	if (strcmp(base, "tini") == 0 || strcmp(base, "tini-static") == 0 ||
	    strcmp(base, "docker-init") == 0)
		return PERSONA_TINI;
	if (strcmp(base, "dumb-init") == 0)
		return PERSONA_DUMB_INIT;
	if (strcmp(base, "catatonit") == 0)
		return PERSONA_CATATONIT;
	return PERSONA_GRACE;
}

void
cli_print_usage(enum persona persona)
{
	printf("Usage: %s [OPTIONS] [--] COMMAND [ARG...]\n"
	       "       %s --services DIR [OPTIONS] [--] [COMMAND [ARG...]]\n",
	       persona_names[persona], persona_names[persona]);
	fputs("\n"
	      "Runs COMMAND as the main process of a container, as PID 1 or as a\n"
	      "subreaper: forwards signals to it, reaps every zombie and, once it\n"
	      "has exited, stops every process left before exiting with its\n"
	      "status.  With services, starts them in dependency order first,\n"
	      "restarts them as their units say, and stops them in reverse order.\n"
	      "\n"
	      "Services:\n"
	      "      --services DIR     run every DIR/NAME.service (systemd unit\n"
	      "                         syntax; see grace(1)); also GRACE_SERVICES\n"
	      "      --service 'NAME=COMMAND ARGS'\n"
	      "                         run COMMAND as service NAME (repeatable)\n"
	      "      --procfile FILE    run each 'name: command' line of FILE\n"
	      "                         through /bin/sh -c, as foreman does\n"
	      "      --check            check everything, print the plan (start\n"
	      "                         levels, users, readiness, restarts, each\n"
	      "                         job's next runs), exit\n"
	      "\n"
	      "Scheduled jobs (each run in its own process group, its output\n"
	      "labelled with its name):\n"
	      "      --crontab FILE     run the jobs of a crontab (cron(5) syntax,\n"
	      "                         5 or 6 fields, @daily, @reboot, @every 90s;\n"
	      "                         CRON_TZ=, GRACE_OVERLAP=, GRACE_TIMEOUT=,\n"
	      "                         GRACE_ESSENTIAL= lines); Schedule= in a\n"
	      "                         unit makes it a job too\n"
	      "      --cron 'SCHEDULE COMMAND ARGS'\n"
	      "                         run COMMAND (no shell) on SCHEDULE\n"
	      "                         (repeatable)\n"
	      "\n"
	      "Services' output (each line as 'NAME | line', stdout and stderr\n"
	      "apart):\n"
	      "      --log-format plain|json\n"
	      "                         json: one object a line, grace's own\n"
	      "                         messages too; also GRACE_LOG_FORMAT\n"
	      "      --log-time         start plain lines with the time\n"
	      "      --log-buffer SIZE  what waits per stream for a slow reader\n"
	      "                         before the service's pipe is held\n"
	      "                         (default: 64K; K and M suffixes)\n"
	      "      --log-main         relay the main command's output too,\n"
	      "                         named after it\n"
	      "\n"
	      "Control (gracectl status, start, stop, restart, signal, run,\n"
	      "reload, health):\n"
	      "      --control PATH|@NAME\n"
	      "                         listen there (default, with services or\n"
	      "                         jobs: /run/grace/control, else the\n"
	      "                         abstract @grace-control-UID; also\n"
	      "                         GRACE_CONTROL, which sets where only)\n"
	      "      --no-control       no control socket\n"
	      "      --reload-on-hup    SIGHUP to grace reloads, as gracectl\n"
	      "                         reload does, rather than being passed on\n"
	      "\n"
	      "Options:\n"
	      "  -g, --group            forward signals to the main process's\n"
	      "                         process group, not the process alone\n"
	      "      --stop-signals LIST\n"
	      "                         comma-separated signals that ask for a\n"
	      "                         stop (default: TERM,INT)\n"
	      "      --grace SECONDS    once the main process has exited, how long\n"
	      "                         the others get between SIGTERM and SIGKILL\n"
	      "                         (default: 5; 0 kills at once)\n"
	      "      --stop-timeout SECONDS\n"
	      "                         SIGKILL the main process if it is still\n"
	      "                         running this long after a stop signal\n"
	      "                         (default: never; the runtime decides)\n"
	      "      --pidfile PATH     the main process is whichever pid PATH\n"
	      "                         names: follow a daemon that forks into the\n"
	      "                         background, or a live binary upgrade\n"
	      "      --pidfile-wait SECONDS\n"
	      "                         how long to wait for PATH to name a new\n"
	      "                         live process (default: 2)\n"
	      "      --wait-all         the main process's exit stops nothing: run\n"
	      "                         until no process is left or a stop signal\n"
	      "                         comes; signals go to its group, then to\n"
	      "                         every process\n"
	      "  -v, --verbose          say what grace does (repeat for more)\n"
	      "  -h, --help             show this help and exit\n"
	      "  -V, --version          show the version and exit\n"
	      "\n"
	      "Accepted for tini, dumb-init and catatonit compatibility:\n"
	      "  -s, --subreaper        be a child subreaper (grace always is\n"
	      "                         when it is not PID 1)\n"
	      "  -p SIGNAL              get SIGNAL when grace's parent dies\n"
	      "  -e CODE                exit 0 when the main process exits CODE\n"
	      "                         (repeatable)\n"
	      "  -w                     warn about every orphan reaped\n"
	      "  -c, --single-child     run COMMAND in its own process group and\n"
	      "                         signal it alone (grace's default)\n"
	      "  -r, --rewrite FROM:TO  forward signal FROM as TO; TO 0 drops it\n"
	      "                         (repeatable; names or numbers)\n"
	      "  -P, --pause            run no command: reap until a stop signal,\n"
	      "                         stop every process, exit 0\n"
	      "  -l, -L, --license      show the license and exit\n"
	      "\n"
	      "Environment: TINI_SUBREAPER, TINI_KILL_PROCESS_GROUP,\n"
	      "TINI_VERBOSITY, DUMB_INIT_SETSID, DUMB_INIT_DEBUG, as those tools\n"
	      "read them.  Started as tini, docker-init, dumb-init or catatonit\n"
	      "(a symlink), grace takes that tool's defaults and version text.\n"
	      "\n"
	      "Exit status: the main process's status, 128+N if it died of\n"
	      "signal N, 126 if COMMAND cannot be executed, 127 if it is not\n"
	      "found, 125 if grace itself failed (bad usage, a bad unit, setup).\n"
	      "Without COMMAND: the status of the essential service whose end\n"
	      "stopped the container; after a stop signal, 0 if every service\n"
	      "ended cleanly, else the first unclean status.\n",
	      stdout);
}

/* In each tool's format: docker reads `docker-init --version` in tini's
 * format, which catatonit imitates for the same reason. */
void
cli_print_version(enum persona persona)
{
	switch (persona) {
	case PERSONA_TINI:
	case PERSONA_CATATONIT:
		printf("tini version %s_grace\n", GRACE_VERSION);
		break;
	case PERSONA_DUMB_INIT:
		/* dumb-init writes its version on stderr. */
		fprintf(stderr, "dumb-init v%s_grace\n", GRACE_VERSION);
		break;
	case PERSONA_GRACE:
		printf("grace %s\n", GRACE_VERSION);
		break;
	}
}

void
cli_print_license(void)
{
	fputs("grace " GRACE_VERSION ": MIT License\n"
	      "\n"
	      "Permission is hereby granted, free of charge, to any person\n"
	      "obtaining a copy of this software, to deal in it without\n"
	      "restriction, subject to the conditions in the LICENSE file that\n"
	      "comes with it.  THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT\n"
	      "WARRANTY OF ANY KIND.\n",
	      stdout);
}

int
cli_parse_seconds(const char *text, long *ms)
{
	long whole = 0, frac = 0, scale = 100;

	if (!isdigit((unsigned char)*text))
		return -1;
	for (; isdigit((unsigned char)*text); text++) {
		whole = whole * 10 + (*text - '0');
		if (whole > CLI_MAX_GRACE_MS / 1000)
			return -1;
	}
	if (*text == '.') {
		text++;
		if (!isdigit((unsigned char)*text))
			return -1;
		for (; isdigit((unsigned char)*text); text++) {
			if (scale == 0)
				return -1;	/* finer than a millisecond */
			frac += (*text - '0') * scale;
			scale /= 10;
		}
	}
	if (*text != '\0')
		return -1;
	*ms = whole * 1000 + frac;
	if (*ms > CLI_MAX_GRACE_MS)
		return -1;
	return 0;
}

int
cli_parse_size(const char *text, long *bytes)
{
	long value = 0, scale = 1;

	if (!isdigit((unsigned char)*text))
		return -1;
	for (; isdigit((unsigned char)*text); text++) {
		value = value * 10 + (*text - '0');
		if (value > CLI_MAX_LOG_BUFFER)
			return -1;
	}
	if (*text == 'K' || *text == 'k')
		scale = 1024;
	else if (*text == 'M' || *text == 'm')
		scale = 1024L * 1024;
	if (scale > 1) {
		text++;
		if (strcmp(text, "iB") == 0 || strcmp(text, "B") == 0)
			text += strlen(text);
	}
	if (*text != '\0' || value > CLI_MAX_LOG_BUFFER / scale)
		return -1;
	value *= scale;
	if (value < CLI_MIN_LOG_BUFFER)
		return -1;
	*bytes = value;
	return 0;
}

int
cli_parse_log_format(const char *text, bool *json)
{
	if (strcmp(text, "plain") == 0)
		*json = false;
	else if (strcmp(text, "json") == 0)
		*json = true;
	else
		return -1;
	return 0;
}

/* Copies the item of text up to the next ',' (or the end) into item;
 * returns where the next item starts, or NULL after the last. */
static const char *
next_item(const char *text, char *item, size_t item_len)
{
	const char *end = strchr(text, ',');
	size_t len = end ? (size_t)(end - text) : strlen(text);

	if (len >= item_len)
		len = item_len - 1;
	memcpy(item, text, len);
	item[len] = '\0';
	return end ? end + 1 : NULL;
}

int
cli_parse_signal_list(const char *text, sigset_t *set, char *error,
		      size_t error_len)
{
	char item[32];
	int sig;

	sigemptyset(set);
	while (text != NULL) {
		text = next_item(text, item, sizeof(item));
		sig = sig_from_name(item);
		if (sig < 0 || !sig_is_forwardable(sig)) {
			snprintf(error, error_len,
				 "invalid stop signal: '%s'", item);
			return -1;
		}
		sigaddset(set, sig);
	}
	return 0;
}

int
cli_parse_rewrite(const char *text, struct settings *settings)
{
	const char *colon = strchr(text, ':');
	char from_text[32];
	size_t len;
	int from, to;

	if (colon == NULL || (len = (size_t)(colon - text)) >= sizeof(from_text))
		return -1;
	memcpy(from_text, text, len);
	from_text[len] = '\0';
	from = sig_from_name(from_text);
	to = strcmp(colon + 1, "0") == 0 ? 0 : sig_from_name(colon + 1);
	if (from < 0 || !sig_is_forwardable(from) || to < 0 ||
	    (to != 0 && !sig_is_forwardable(to) && to != SIGKILL &&
	     to != SIGSTOP) || from > CLI_MAX_SIGNAL)
		return -1;
	settings->rewrite[from] = to;
	return 0;
}

static void
set_defaults(struct settings *settings, enum persona persona)
{
	int sig;

	memset(settings, 0, sizeof(*settings));
	settings->persona = persona;
	sigemptyset(&settings->stop_signals);
	sigaddset(&settings->stop_signals, SIGTERM);
	sigaddset(&settings->stop_signals, SIGINT);
	settings->grace_ms = CLI_DEFAULT_GRACE_MS;
	settings->pidfile_wait_ms = CLI_DEFAULT_PIDFILE_WAIT_MS;
	settings->stop_timeout_ms = -1;
	settings->log_buffer = 64L * 1024;
	for (sig = 0; sig <= CLI_MAX_SIGNAL; sig++)
		settings->rewrite[sig] = sig;
	/* dumb-init starts its child in a new session and signals the
	 * whole session's group, unless told -c. */
	if (persona == PERSONA_DUMB_INIT) {
		settings->new_session = true;
		settings->group = true;
	}
}

/* The value of variable name in env, or NULL. */
static const char *
find_env(char *const *env, const char *name)
{
	size_t len = strlen(name);

	/* The first byte first: every start reads a few names in a whole
	 * environment. */
	for (; env != NULL && *env != NULL; env++)
		if (**env == *name && strncmp(*env, name, len) == 0 &&
		    (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

static void
set_single_child(struct settings *settings)
{
	settings->new_session = false;
	settings->group = false;
}

/* Reads tini's and dumb-init's variables, as those tools do; -1 and an
 * error for a TINI_VERBOSITY that is not a small number. */
static int
apply_env(char *const *env, struct settings *settings, char *error,
	  size_t error_len)
{
	const char *value;

	/* TINI_SUBREAPER: grace is a subreaper whenever it is not PID 1. */
	if (find_env(env, "TINI_KILL_PROCESS_GROUP") != NULL)
		settings->group = true;
	value = find_env(env, "TINI_VERBOSITY");
	if (value != NULL) {
		/* tini's level 1 (warnings) is grace's default 0. */
		if (value[0] < '0' || value[0] > '9' || value[1] != '\0') {
			snprintf(error, error_len,
				 "invalid TINI_VERBOSITY: '%s'", value);
			return -1;
		}
		settings->verbosity = value[0] > '0' ? value[0] - '1' : 0;
	}
	value = find_env(env, "DUMB_INIT_SETSID");
	if (value != NULL && strcmp(value, "0") == 0)
		set_single_child(settings);
	else if (value != NULL && strcmp(value, "1") == 0)
		settings->new_session = settings->group = true;
	value = find_env(env, "GRACE_SERVICES");
	if (value != NULL && *value != '\0')
		settings->services_dir = value;
	value = find_env(env, "GRACE_CONTROL");
	if (value != NULL && *value != '\0')
		settings->control_address = value;
	value = find_env(env, "GRACE_LOG_FORMAT");
	if (value != NULL && *value != '\0' &&
	    cli_parse_log_format(value, &settings->log_json) < 0) {
		snprintf(error, error_len,
			 "invalid GRACE_LOG_FORMAT: '%s' (want plain or json)",
			 value);
		return -1;
	}
	value = find_env(env, "DUMB_INIT_DEBUG");
	if (value != NULL && strcmp(value, "1") == 0 && settings->verbosity < 2)
		settings->verbosity = 2;
	return 0;
}

/* Says which option getopt refused: an unknown one ('?') or one whose
 * value is missing (':').  getopt has left optind just past it. */
static void
describe_bad_option(int opt, char **argv, char *error, size_t error_len)
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		snprintf(error, error_len, "option '%s' requires a value", arg);
	else if (optopt != 0)
		snprintf(error, error_len, "unrecognized option '-%c'", optopt);
	else
		snprintf(error, error_len, "unrecognized option '%s'", arg);
}

/* tini's -e CODE: a whole number from 0 to 255. */
static int
parse_exit_code(const char *text)
{
	int code = 0;

	if (*text == '\0' || strlen(text) > 3)
		return -1;
	for (; *text != '\0'; text++) {
		if (!isdigit((unsigned char)*text))
			return -1;
		code = code * 10 + (*text - '0');
	}
	return code <= 255 ? code : -1;
}

/* Parses the seconds of option --name into *ms. */
static enum cli_outcome
parse_duration(const char *name, const char *value, long *ms, char *error,
	       size_t error_len)
{
	if (cli_parse_seconds(value, ms) == 0)
		return CLI_RUN;
	snprintf(error, error_len,
		 "invalid --%s: '%s' (want seconds, such as 5 or 0.5)", name,
		 value);
	return CLI_ERROR;
}

/* Applies one option with its value; returns an outcome, CLI_RUN meaning
 * "carry on parsing". */
static enum cli_outcome
apply_option(int opt, const char *value, struct settings *settings,
	     char *error, size_t error_len)
{
	int n;

	switch (opt) {
	case 'g':
		settings->group = true;
		break;
	case 'v':
		settings->verbosity++;
		break;
	case 'h':
		return CLI_HELP;
	case 'V':
		return CLI_VERSION;
	case 'l':
	case 'L':
		return CLI_LICENSE;
	case 's':	/* subreaper: grace is one whenever not PID 1 */
		break;
	case 'w':
		settings->warn_on_reap = true;
		break;
	case 'c':
		set_single_child(settings);
		break;
	case 'P':
		settings->pause = true;
		break;
	case 'p':
		n = sig_from_name(value);
		if (n < 0) {
			snprintf(error, error_len, "invalid signal for -p: '%s'",
				 value);
			return CLI_ERROR;
		}
		settings->parent_death_signal = n;
		break;
	case 'e':
		n = parse_exit_code(value);
		if (n < 0) {
			snprintf(error, error_len,
				 "invalid exit code for -e: '%s' (want 0-255)",
				 value);
			return CLI_ERROR;
		}
		settings->exit_as_zero[n] = true;
		break;
	case 'r':
		if (cli_parse_rewrite(value, settings) < 0) {
			snprintf(error, error_len,
				 "invalid rewrite: '%s' (want FROM:TO, such as "
				 "TERM:QUIT or 15:3; TO 0 drops FROM)", value);
			return CLI_ERROR;
		}
		break;
	case OPT_STOP_SIGNALS:
		if (cli_parse_signal_list(value, &settings->stop_signals, error,
					  error_len) < 0)
			return CLI_ERROR;
		break;
	case OPT_GRACE:
		return parse_duration("grace", value, &settings->grace_ms, error,
				      error_len);
	case OPT_PIDFILE_WAIT:
		return parse_duration("pidfile-wait", value,
				      &settings->pidfile_wait_ms, error,
				      error_len);
	case OPT_STOP_TIMEOUT:
		return parse_duration("stop-timeout", value,
				      &settings->stop_timeout_ms, error,
				      error_len);
	case OPT_PIDFILE:
		if (*value == '\0') {
			snprintf(error, error_len, "invalid --pidfile: empty");
			return CLI_ERROR;
		}
		settings->pidfile = value;
		break;
	case OPT_SERVICES:
	case OPT_PROCFILE:
	case OPT_CRONTAB:
		if (*value == '\0') {
			snprintf(error, error_len, "invalid --%s: empty",
				 opt == OPT_SERVICES   ? "services"
				 : opt == OPT_PROCFILE ? "procfile"
						       : "crontab");
			return CLI_ERROR;
		}
		if (opt == OPT_SERVICES)
			settings->services_dir = value;
		else if (opt == OPT_PROCFILE)
			settings->procfile = value;
		else
			settings->crontab = value;
		break;
	case OPT_CRON:
		if (settings->n_crons == CLI_MAX_ONELINERS) {
			snprintf(error, error_len,
				 "too many --cron options (at most %d)",
				 CLI_MAX_ONELINERS);
			return CLI_ERROR;
		}
		settings->crons[settings->n_crons++] = (char *)value;
		break;
	case OPT_SERVICE:
		if (settings->n_oneliners == CLI_MAX_ONELINERS) {
			snprintf(error, error_len,
				 "too many --service options (at most %d)",
				 CLI_MAX_ONELINERS);
			return CLI_ERROR;
		}
		/* getopt's optarg points into argv, which outlives us */
		settings->oneliners[settings->n_oneliners++] = (char *)value;
		break;
	case OPT_CHECK:
		settings->check = true;
		break;
	case OPT_LOG_FORMAT:
		if (cli_parse_log_format(value, &settings->log_json) < 0) {
			snprintf(error, error_len,
				 "invalid --log-format: '%s' (want plain or "
				 "json)", value);
			return CLI_ERROR;
		}
		break;
	case OPT_LOG_TIME:
		settings->log_time = true;
		break;
	case OPT_LOG_BUFFER:
		if (cli_parse_size(value, &settings->log_buffer) < 0) {
			snprintf(error, error_len,
				 "invalid --log-buffer: '%s' (want a size from "
				 "1K to 1024M, such as 65536 or 64K)", value);
			return CLI_ERROR;
		}
		break;
	case OPT_LOG_MAIN:
		settings->log_main = true;
		break;
	case OPT_CONTROL:
		if (*value == '\0') {
			snprintf(error, error_len, "invalid --control: empty");
			return CLI_ERROR;
		}
		settings->control = true;
		settings->control_address = value;
		settings->no_control = false;
		break;
	case OPT_NO_CONTROL:
		settings->control = false;
		settings->no_control = true;
		break;
	case OPT_RELOAD_ON_HUP:
		settings->reload_on_hup = true;
		break;
	case OPT_WAIT_ALL:
		/* While the main process runs, its whole group is the
		 * service; once it has gone, every process is. */
		settings->wait_all = true;
		settings->group = true;
		break;
	}
	return CLI_RUN;
}

enum cli_outcome
cli_parse(int argc, char **argv, char *const *env, struct settings *settings,
	  char *error, size_t error_len)
{
	enum cli_outcome outcome;
	int opt;

	set_defaults(settings, cli_persona(argc > 0 ? argv[0] : "grace"));
	error[0] = '\0';
	if (apply_env(env, settings, error, error_len) < 0)
		return CLI_ERROR;
	optind = 0;	/* glibc and musl: start afresh (the unit tests parse
			 * many command lines in one process) */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, cli_short, cli_long, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			describe_bad_option(opt, argv, error, error_len);
			return CLI_ERROR;
		}
		outcome = apply_option(opt, optarg, settings, error, error_len);
		if (outcome != CLI_RUN)
			return outcome;
	}
	if (settings->pause) {
		if (optind < argc) {
			snprintf(error, error_len, "pause mode takes no command");
			return CLI_ERROR;
		}
		return CLI_RUN;
	}
	/* Services may run alone, with no main process. */
	if (optind >= argc && (settings->services_dir != NULL ||
			       settings->procfile != NULL ||
			       settings->n_oneliners > 0 ||
			       settings->crontab != NULL ||
			       settings->n_crons > 0))
		return CLI_RUN;
	if (optind >= argc) {
		snprintf(error, error_len, "no command given");
		return CLI_ERROR;
	}
	settings->command = argv + optind;
	return CLI_RUN;
}

void
cli_plan_sources(const struct settings *settings,
		 struct plan_sources *sources)
{
	*sources = (struct plan_sources){
		.dir = settings->services_dir,
		.procfile = settings->procfile,
		.oneliners = settings->oneliners,
		.n_oneliners = settings->n_oneliners,
		.crontab = settings->crontab,
		.crons = settings->crons,
		.n_crons = settings->n_crons,
		.main_argv = settings->command,
	};
}
