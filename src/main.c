// SPDX-License-Identifier: MIT
/* grace: a container init.  Orchestration only: options -> setup ->
 * spawn -> supervise -> exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "sig.h"
#include "spawn.h"
#include "supervise.h"

/* Handles everything but CLI_RUN: prints what was asked and returns the
 * exit code. */
static int
answer_without_running(enum cli_outcome outcome, const struct settings *s,
		       const char *argv0, const char *error)
{
	const char *base;

	switch (outcome) {
	case CLI_HELP:
		cli_print_usage(s->persona);
		return 0;
	case CLI_VERSION:
		cli_print_version(s->persona);
		return 0;
	case CLI_LICENSE:
		cli_print_license();
		return 0;
	case CLI_ERROR:
	case CLI_RUN:
		break;
	}
	warn("%s", error);
	base = strrchr(argv0, '/');
	fprintf(stderr, "Try '%s --help' for more information.\n",
		base ? base + 1 : argv0);
	return EXIT_GRACE_ERROR;
}

/* tini -e: listed exit codes of the main process count as success. */
static int
final_exit_code(const struct settings *settings, int code)
{
	return settings->exit_as_zero[code & 0xff] ? 0 : code;
}

int
main(int argc, char **argv)
{
	struct spawn_options options = { false };
	struct sig_inherited inherited;
	struct settings settings;
	enum cli_outcome outcome;
	char error[256];
	pid_t pid = 0;
	int sigfd;

	outcome = cli_parse(argc, argv, environ, &settings, error,
			    sizeof(error));
	if (outcome != CLI_RUN)
		return answer_without_running(outcome, &settings,
					      argc > 0 ? argv[0] : "grace",
					      error);
	log_set_verbosity(settings.verbosity);

	/* Signals are blocked before the fork, so none sent to us between
	 * here and the loop is lost: the signalfd holds it. */
	sigfd = sig_setup(&inherited);
	supervise_setup(&settings, sigfd);
	if (settings.pause) {
		info("pause mode: no command; reaping until a stop signal");
	} else {
		options.new_session = settings.new_session;
		pid = spawn_child(settings.command, &options, &inherited);
		if (pid < 0)
			return final_exit_code(&settings,
					       spawn_exit_code((int)-pid));
		info("started %s as pid %d", settings.command[0], (int)pid);
	}
	/* From here on grace may not exit until no process is left. */
	return final_exit_code(&settings,
			       supervise_run(pid, settings.command
							  ? settings.command[0]
							  : NULL));
}
