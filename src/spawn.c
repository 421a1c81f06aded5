// SPDX-License-Identifier: MIT
/* Owns starting a process: fork, process group, signal reset, exec, and the
 * close-on-exec pipe that carries an exec failure back to grace. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"

/* What the child reports through the pipe when it cannot exec. */
struct spawn_failure {
	int step;	/* which of the steps below failed */
	int err;	/* its errno */
};

enum { STEP_SETPGID, STEP_SIGNALS, STEP_EXEC };

static const char *const step_names[] = {
	[STEP_SETPGID] = "set the process group of",
	[STEP_SIGNALS] = "reset the signals of",
	[STEP_EXEC] = "exec",
};

int
spawn_exit_code(int err)
{
	return err == ENOENT || err == ENOTDIR ? EXIT_EXEC_NOT_FOUND
					       : EXIT_EXEC_FAILED;
}

/*
 * Runs in the child between fork and exec, so it may only make
 * async-signal-safe calls.  On failure, writes the step and errno to fd
 * (grace reads them) and exits with 126 or 127.
 */
static _Noreturn void
exec_child(char **command, const struct sig_inherited *inherited, int fd)
{
	struct spawn_failure failure = { STEP_SETPGID, 0 };
	int rc;

	if (setpgid(0, 0) < 0) {
		failure.err = errno;
	} else if ((rc = sig_restore_for_child(inherited)) < 0) {
		failure.step = STEP_SIGNALS;
		failure.err = -rc;
	} else {
		execvp(command[0], command);
		failure.step = STEP_EXEC;
		failure.err = errno;
	}
	while (write(fd, &failure, sizeof(failure)) < 0 && errno == EINTR)
		;
	_exit(spawn_exit_code(failure.err));
}

/* Reads the child's report: 0 once the exec closed the pipe, 1 with
 * *failure filled in if the child failed, -errno if the read failed. */
static int
read_failure(int fd, struct spawn_failure *failure)
{
	ssize_t n;

	do
		n = read(fd, failure, sizeof(*failure));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	if ((size_t)n != sizeof(*failure)) {
		failure->step = STEP_EXEC;
		failure->err = EIO;
	}
	return 1;
}

/* Reaps the child that failed to exec.  Signals are blocked, so no
 * handler runs here, but the wait may still see EINTR on a stop/continue. */
static void
reap_failed_child(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

pid_t
spawn_child(char **command, const struct sig_inherited *inherited)
{
	struct spawn_failure failure;
	int pipefd[2], rc;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		die_errno("unable to create a pipe");
	pid = fork();
	if (pid < 0)
		die_errno("unable to fork");
	if (pid == 0) {
		close(pipefd[0]);
		exec_child(command, inherited, pipefd[1]);
	}
	close(pipefd[1]);
	rc = read_failure(pipefd[0], &failure);
	close(pipefd[0]);
	if (rc < 0) {
		/* The exec's outcome is unknown; the child runs or has exited
		 * 126/127: either way the event loop learns its status. */
		errno = -rc;
		warn_errno("unable to read the exec status of %s", command[0]);
		return pid;
	}
	if (rc == 0)
		return pid;
	reap_failed_child(pid);
	errno = failure.err;
	warn_errno("unable to %s %s", step_names[failure.step], command[0]);
	return -failure.err;
}
