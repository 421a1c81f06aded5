// SPDX-License-Identifier: MIT
/* Owns the command line: options -> struct settings, and the help text. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sig.h"

enum {
	OPT_STOP_SIGNALS = 256,
	OPT_GRACE,
};

static const struct option cli_options[] = {
	{ "group", no_argument, NULL, 'g' },
	{ "stop-signals", required_argument, NULL, OPT_STOP_SIGNALS },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void
cli_print_usage(void)
{
	fputs("Usage: grace [OPTIONS] [--] COMMAND [ARG...]\n"
	      "\n"
	      "Runs COMMAND as the main process of a container, as PID 1 or as a\n"
	      "subreaper: forwards signals to it, reaps every zombie and, once it\n"
	      "has exited, stops every process left before exiting with its\n"
	      "status.\n"
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
	      "  -v, --verbose          say what grace does (repeat for more)\n"
	      "  -h, --help             show this help and exit\n"
	      "  -V, --version          show the version and exit\n"
	      "\n"
	      "Exit status: the main process's status, 128+N if it died of\n"
	      "signal N, 126 if COMMAND cannot be executed, 127 if it is not\n"
	      "found, 125 if grace itself failed (bad usage, setup).\n",
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
cli_parse_signal_list(const char *text, sigset_t *set, char *error,
		      size_t error_len)
{
	char item[32];
	const char *end;
	size_t len;
	int sig;

	sigemptyset(set);
	for (;;) {
		end = strchr(text, ',');
		len = end ? (size_t)(end - text) : strlen(text);
		if (len >= sizeof(item))
			len = sizeof(item) - 1;
		memcpy(item, text, len);
		item[len] = '\0';
		sig = sig_from_name(item);
		if (sig < 0 || !sig_is_forwardable(sig)) {
			snprintf(error, error_len,
				 "invalid stop signal: '%s'", item);
			return -1;
		}
		sigaddset(set, sig);
		if (end == NULL)
			return 0;
		text = end + 1;
	}
}

static void
set_defaults(struct settings *settings)
{
	memset(settings, 0, sizeof(*settings));
	sigemptyset(&settings->stop_signals);
	sigaddset(&settings->stop_signals, SIGTERM);
	sigaddset(&settings->stop_signals, SIGINT);
	settings->grace_ms = CLI_DEFAULT_GRACE_MS;
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

enum cli_outcome
cli_parse(int argc, char **argv, struct settings *settings, char *error,
	  size_t error_len)
{
	int opt;

	set_defaults(settings);
	error[0] = '\0';
	optind = 0;	/* glibc: start afresh, as the unit tests parse often */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:gvhV", cli_options, NULL)) !=
	       -1) {
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
		case OPT_STOP_SIGNALS:
			if (cli_parse_signal_list(optarg,
						  &settings->stop_signals,
						  error, error_len) < 0)
				return CLI_ERROR;
			break;
		case OPT_GRACE:
			if (cli_parse_seconds(optarg, &settings->grace_ms) < 0) {
				snprintf(error, error_len,
					 "invalid --grace: '%s' (want seconds, "
					 "such as 5 or 0.5)", optarg);
				return CLI_ERROR;
			}
			break;
		default:
			describe_bad_option(opt, argv, error, error_len);
			return CLI_ERROR;
		}
	}
	if (optind >= argc) {
		snprintf(error, error_len, "no command given");
		return CLI_ERROR;
	}
	settings->command = argv + optind;
	return CLI_RUN;
}
