// SPDX-License-Identifier: MIT
/* Owns gracectl's command line: the subcommands, the usage text and the
 * exit codes.  ps reads /proc itself; the others are requests to grace's
 * control socket.  None of this runs when the binary is started as
 * grace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask.h"
#include "ctl.h"
#include "ps.h"
#include "request.h"

bool
ctl_invoked(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	return strcmp(base ? base + 1 : argv0, "gracectl") == 0;
}

static void
print_usage(FILE *out)
{
	fputs("Usage: gracectl [--control PATH|@NAME] COMMAND [ARGS]\n"
	      "\n"
	      "Looks inside a container that grace runs, and controls its\n"
	      "services and jobs.\n"
	      "\n"
	      "Commands:\n"
	      "  ps [--json]        every process of the container (or of "
	      "grace's tree,\n"
	      "                     when grace is not PID 1) as a tree: ids, "
	      "state, user,\n"
	      "                     service, command, the signals each "
	      "catches, ignores,\n"
	      "                     blocks and has pending, and marks: zombie, "
	      "own group,\n"
	      "                     own session, entered from outside, a PID 1 "
	      "that ignores\n"
	      "                     `kill 1`; needs no grace\n"
	      "  status [--json]    each service and job: state, readiness, "
	      "pid, uptime,\n"
	      "                     restarts, last exit, next run\n"
	      "  start NAME         start a service that has ended (a job: run "
	      "it)\n"
	      "  stop NAME          stop a service (not restarted; those that "
	      "require it\n"
	      "                     stop too) or a job's runs\n"
	      "  restart NAME       stop a service and start it again; the "
	      "others run on\n"
	      "  signal NAME SIG    send SIG to the service's process group "
	      "(a job's runs)\n"
	      "  run JOB            run a scheduled job now\n"
	      "  reload             read the unit files and crontab again; "
	      "start added\n"
	      "                     services, stop removed ones, restart "
	      "changed ones\n"
	      "                     (an invalid config changes nothing and "
	      "says why)\n"
	      "  health             exit 0 when every essential service is "
	      "ready, else 1\n"
	      "\n"
	      "--control: grace's control socket (default: $GRACE_CONTROL, else\n"
	      "/run/grace/control, else @grace-control-UID for this user, then "
	      "for\n"
	      "PID 1's).\n"
	      "\n"
	      "Exit codes: 0 ok, 1 the answer is no, 2 usage, 3 cannot reach "
	      "grace\n"
	      "(ps: cannot read /proc).  See grace(1).\n",
	      out);
}

/* A usage error: one line saying what is wrong, a pointer to --help. */
static int
usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "gracectl: %s: '%s'\n"
			"Try 'gracectl --help' for more information.\n",
		what, arg);
	return CTL_USAGE;
}

static bool
is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static int
run_ps(const char *control, bool json)
{
	return ps_run(json, control, stdout) == 0 ? CTL_OK : CTL_UNREACHABLE;
}

/* Sends the request line to grace and shows its reply: the text on
 * stdout when it is yes, else on stderr. */
static int
run_request(const char *control, const char *line)
{
	struct reply reply;
	int code;

	if (ask_grace(control, line, false, &reply) < 0)
		return CTL_UNREACHABLE;
	code = reply.code;
	if (code == REPLY_OK)
		fwrite(reply.text, 1, reply.text_len, stdout);
	else
		fprintf(stderr, "gracectl: %.*s", (int)reply.text_len,
			reply.text);
	reply_free(&reply);
	if (code == REPLY_OK && fflush(stdout) != 0)
		return CTL_UNREACHABLE;
	return code;
}

/* Joins words into line with single spaces; -1 when it is too long. */
static int
join_words(char **words, int n, char *line, size_t len)
{
	size_t used = 0, w;
	int i;

	line[0] = '\0';
	for (i = 0; i < n; i++) {
		w = strlen(words[i]);
		if (used + w + 2 > len)
			return -1;
		if (i > 0)
			line[used++] = ' ';
		memcpy(line + used, words[i], w + 1);
		used += w;
	}
	return 0;
}

int
ctl_main(int argc, char **argv)
{
	char line[REQUEST_MAX], error[128], *words[8];
	const char *control = NULL;
	struct request req;
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			print_usage(stdout);
			return fflush(stdout) == 0 ? CTL_OK : CTL_UNREACHABLE;
		}
		if (strcmp(argv[i], "--control") == 0) {
			if (++i == argc)
				return usage_error("missing argument",
						   "--control");
			control = argv[i];
		} else if (strncmp(argv[i], "--control=", 10) == 0) {
			control = argv[i] + 10;
		} else if (n == (int)(sizeof(words) / sizeof(words[0]))) {
			return usage_error("too many arguments", argv[i]);
		} else {
			words[n++] = argv[i];
		}
	}
	if (n == 0) {
		print_usage(stderr);
		return CTL_USAGE;
	}
	if (control == NULL)
		control = getenv("GRACE_CONTROL");
	if (control != NULL && *control == '\0')
		control = NULL;
	if (strcmp(words[0], "ps") == 0) {
		if (n > 2 || (n == 2 && strcmp(words[1], "--json") != 0))
			return usage_error("ps: unknown option", words[n - 1]);
		return run_ps(control, n == 2);
	}
	if (request_verb_from_name(words[0]) < 0 ||
	    strcmp(words[0], "groups") == 0)
		return usage_error("unknown command", words[0]);
	if (join_words(words, n, line, sizeof(line)) < 0)
		return usage_error("too long", words[0]);
	if (request_parse(line, strlen(line), &req, error, sizeof(error)) <
	    0) {
		fprintf(stderr, "gracectl: %s\n"
				"Try 'gracectl --help' for more "
				"information.\n",
			error);
		return CTL_USAGE;
	}
	return run_request(control, line);
}
