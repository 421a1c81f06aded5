// SPDX-License-Identifier: MIT
/* Owns gracectl's command line: the subcommands, the usage text and the
 * exit codes.  Only ps exists yet; the others wait for grace's control
 * socket.  None of this runs when the binary is started as grace. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "ps.h"

/* The subcommands the documentation promises that need grace's control
 * socket, which grace does not have yet. */
static const char *const socket_commands[] = {
	"status", "start", "stop", "restart", "signal", "run", "reload",
	"health",
};

bool
ctl_invoked(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	return strcmp(base ? base + 1 : argv0, "gracectl") == 0;
}

static void
print_usage(FILE *out)
{
	fputs("Usage: gracectl COMMAND [OPTIONS]\n"
	      "\n"
	      "Looks inside a container that grace runs.\n"
	      "\n"
	      "Commands:\n"
	      "  ps [--json]    every process of the container (or of grace's "
	      "tree, when\n"
	      "                 grace is not PID 1) as a tree: ids, state, "
	      "user, command,\n"
	      "                 the signals each catches, ignores, blocks and "
	      "has pending,\n"
	      "                 and marks: zombie, own group, own session, "
	      "entered from\n"
	      "                 outside, a PID 1 that ignores `kill 1`\n"
	      "  status, start, stop, restart, signal, run, reload, health\n"
	      "                 need grace's control socket (not built yet)\n"
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

/* gracectl ps [--json] */
static int
run_ps(int argc, char **argv)
{
	bool json = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (is_help(argv[i])) {
			print_usage(stdout);
			return fflush(stdout) == 0 ? CTL_OK : CTL_UNREACHABLE;
		} else {
			return usage_error("ps: unknown option", argv[i]);
		}
	}
	return ps_run(json, stdout) == 0 ? CTL_OK : CTL_UNREACHABLE;
}

int
ctl_main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		print_usage(stderr);
		return CTL_USAGE;
	}
	if (is_help(argv[1])) {
		print_usage(stdout);
		return fflush(stdout) == 0 ? CTL_OK : CTL_UNREACHABLE;
	}
	if (strcmp(argv[1], "ps") == 0)
		return run_ps(argc - 1, argv + 1);
	for (i = 0; i < sizeof(socket_commands) / sizeof(socket_commands[0]);
	     i++) {
		if (strcmp(argv[1], socket_commands[i]) != 0)
			continue;
		fprintf(stderr,
			"gracectl: %s needs grace's control socket, which is "
			"not built yet\n",
			argv[1]);
		return CTL_UNREACHABLE;
	}
	return usage_error("unknown command", argv[1]);
}
