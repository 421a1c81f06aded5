// SPDX-License-Identifier: MIT
/* grace: a container init.  Orchestration only: options -> plan ->
 * setup -> supervise -> exit; or, started as gracectl, the control tool. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ctl.h"
#include "deadline.h"
#include "log.h"
#include "plan.h"
#include "sig.h"
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

/* Loads the plan: the services the options name, and the main command.
 * A bad plan ends grace here, before anything runs. */
static void
load_plan(const struct settings *settings, struct plan *plan)
{
	struct plan_sources sources;
	static char error[PATH_MAX + 512];

	cli_plan_sources(settings, &sources);
	if (plan_load(plan, &sources, environ, error, sizeof(error)) == 0)
		return;
	plan_free(plan);
	die("%s", error);
}

int
main(int argc, char **argv)
{
	struct sig_inherited inherited;
	struct settings settings;
	enum cli_outcome outcome;
	struct plan plan;
	char error[256];
	int sigfd, code;

	/* Started as gracectl: the control tool, before any of the init. */
	if (argc > 0 && ctl_invoked(argv[0]))
		return ctl_main(argc, argv);
	outcome = cli_parse(argc, argv, environ, &settings, error,
			    sizeof(error));
	if (outcome != CLI_RUN)
		return answer_without_running(outcome, &settings,
					      argc > 0 ? argv[0] : "grace",
					      error);
	log_set_verbosity(settings.verbosity);
	log_set_format(settings.log_json ? LOGFMT_JSON : LOGFMT_PLAIN);
	load_plan(&settings, &plan);
	if (settings.check) {
		plan_print(&plan, (int64_t)deadline_clock_ms(CLOCK_REALTIME),
			   stdout);
		plan_free(&plan);
		return fflush(stdout) == 0 ? 0 : EXIT_GRACE_ERROR;
	}

	/* Signals are blocked before the first fork, so none sent to us
	 * between here and the loop is lost: the signalfd holds it. */
	sigfd = sig_setup(&inherited);
	supervise_setup(&settings, &plan, sigfd, &inherited);
	if (settings.pause)
		info("pause mode: no command; reaping until a stop signal");
	/* From here on grace may not exit until no process is left. */
	code = supervise_run();
	plan_free(&plan);
	return final_exit_code(&settings, code);
}
