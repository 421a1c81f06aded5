// SPDX-License-Identifier: MIT
/* Owns reaping: waitpid draining and wait status -> exit code. */
#include <errno.h>
#include <sys/wait.h>

#include "log.h"
#include "reap.h"

int
reap_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;	/* not a final status: not reported without WUNTRACED */
}

bool
reap_all(reap_fn *fn, void *ctx)
{
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			fn(pid, status, ctx);
			continue;
		}
		if (pid == 0)
			return false;
		if (errno == ECHILD)
			return true;
		if (errno == EINTR)
			continue;
		/* EINVAL cannot happen with these arguments; report it and
		 * let the next SIGCHLD try again rather than spin. */
		warn_errno("unable to wait for children");
		return false;
	}
}
