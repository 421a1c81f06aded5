// SPDX-License-Identifier: MIT
/* grace: a container init.  Orchestration only: options -> setup ->
 * spawn -> supervise -> exit. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "log.h"
#include "sig.h"
#include "spawn.h"
#include "supervise.h"

int
main(int argc, char **argv)
{
	struct sig_inherited inherited;
	struct settings settings;
	char error[256];
	pid_t pid;
	int sigfd;

	switch (cli_parse(argc, argv, &settings, error, sizeof(error))) {
	case CLI_HELP:
		cli_print_usage();
		return 0;
	case CLI_VERSION:
		printf("grace %s\n", GRACE_VERSION);
		return 0;
	case CLI_ERROR:
		warn("%s", error);
		fputs("Try 'grace --help' for more information.\n", stderr);
		return EXIT_GRACE_ERROR;
	case CLI_RUN:
		break;
	}
	log_set_verbosity(settings.verbosity);

	/* Signals are blocked before the fork, so none sent to us between
	 * here and the loop is lost: the signalfd holds it. */
	sigfd = sig_setup(&inherited);
	supervise_setup(&settings, sigfd);
	pid = spawn_child(settings.command, &inherited);
	if (pid < 0)
		return spawn_exit_code((int)-pid);
	info("started %s as pid %d", settings.command[0], (int)pid);
	/* From here on grace may not exit until no process is left. */
	return supervise_run(pid, settings.command[0]);
}
