// SPDX-License-Identifier: MIT
/* Bench workload: the least an init can do, the start-up floor. */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Usage: floor -- COMMAND [ARG...]
 *
 * Forks, execs COMMAND, waits for it and exits with its status: the
 * physical limit of `init -- true`, against which the benchmark sets
 * every init's start and exit.  No signal handling, no reaping of
 * orphans, no stop: not an init anyone should use.
 */
int
main(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc < 3)
		return 2;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		execv(argv[2], argv + 2);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
