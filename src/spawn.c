// SPDX-License-Identifier: MIT
/* Owns starting a process: fork (or, where grace waits for the exec, a
 * clone that shares its memory until then), process group, signal reset,
 * exec, and the close-on-exec pipe that carries an exec failure back. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"

/* gcc says ASan with a macro, clang with __has_feature. */
#if defined(__SANITIZE_ADDRESS__)
#define GRACE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GRACE_ASAN 1
#endif
#endif

#ifdef GRACE_ASAN
#include <sanitizer/asan_interface.h>
#define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* What the child reports through the pipe when it cannot exec. */
struct spawn_failure {
	int step;	/* which of the steps below failed */
	int err;	/* its errno */
};

enum {
	STEP_NONE,
	STEP_GROUP,
	STEP_TERMINAL,
	STEP_OUTPUT,
	STEP_READY_FD,
	STEP_LIMIT,
	STEP_CHDIR,
	STEP_USER,
	STEP_NO_NEW_PRIVS,
	STEP_SIGNALS,
	STEP_EXEC,
};

static const char *const step_names[] = {
	[STEP_NONE] = "start",
	[STEP_GROUP] = "set the process group of",
	[STEP_TERMINAL] = "give the terminal to",
	[STEP_OUTPUT] = "pass its output pipes to",
	[STEP_READY_FD] = "pass the ReadyFd= descriptor to",
	[STEP_LIMIT] = "set LimitNOFILE= for",
	[STEP_CHDIR] = "enter the WorkingDirectory= of",
	[STEP_USER] = "take the User= and Group= of",
	[STEP_NO_NEW_PRIVS] = "set NoNewPrivileges= for",
	[STEP_SIGNALS] = "reset the signals of",
	[STEP_EXEC] = "exec",
};

int
spawn_exit_code(int err)
{
	return err == ENOENT || err == ENOTDIR ? EXIT_EXEC_NOT_FOUND
					       : EXIT_EXEC_FAILED;
}

/* Whether a terminal call failed only because there is no terminal. */
static bool
is_no_terminal(int err)
{
	return err == ENOTTY || err == ENXIO || err == EBADF;
}

/*
 * In the child: takes the terminal on stdin, if there is one and grace
 * held it in the foreground (a container's terminal; never a shell's when
 * grace runs as a background job), so that an interactive program reads
 * it without SIGTTIN and Ctrl-C reaches its foreground job.  A process
 * group becomes the terminal's foreground group (tcsetpgrp from the
 * background would raise SIGTTOU, but signals are still blocked here); a
 * new session makes it its controlling terminal, unless another session
 * holds it (EPERM).  Returns 0 or -1 with errno set; no terminal at all is
 * no error.
 */
static int
take_terminal(bool new_session, bool foreground)
{
	int rc;

	if (new_session)
		rc = ioctl(STDIN_FILENO, TIOCSCTTY, 0);
	else if (foreground)
		rc = tcsetpgrp(STDIN_FILENO, getpid());
	else
		return 0;
	if (rc == 0 || is_no_terminal(errno) || (new_session && errno == EPERM))
		return 0;
	return -1;
}

/* In the child: leaves grace's process group (or session) and takes the
 * terminal.  Returns STEP_NONE, or the failed step with *err set. */
static int
place_child(const struct spawn_options *options, int *err)
{
	bool foreground = tcgetpgrp(STDIN_FILENO) == getpgrp();

	if (options->new_session ? setsid() < 0 : setpgid(0, 0) < 0) {
		*err = errno;
		return STEP_GROUP;
	}
	if (!options->service &&
	    take_terminal(options->new_session, foreground) < 0) {
		*err = errno;
		return STEP_TERMINAL;
	}
	return STEP_NONE;
}

/* In the child: hands fd over as number as, without close-on-exec. */
static int
pass_fd(int fd, int as)
{
	if (fd == as)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, as) < 0 ? -1 : 0;
}

/* In the child: stdout and stderr to grace's pipes, when it relays them.
 * Returns STEP_NONE, or STEP_OUTPUT with *err set. */
static int
redirect_output(const struct spawn_options *options, int *err)
{
	if ((options->stdout_fd >= 0 &&
	     pass_fd(options->stdout_fd, STDOUT_FILENO) < 0) ||
	    (options->stderr_fd >= 0 &&
	     pass_fd(options->stderr_fd, STDERR_FILENO) < 0)) {
		*err = errno;
		return STEP_OUTPUT;
	}
	return STEP_NONE;
}

/* In the child: takes the ids of User= and Group=, groups first (they
 * need root), the uid last.  Not root, grace runs services only as itself
 * (the plan checked), and changes nothing. */
static int
take_ids(const struct user_ids *ids)
{
	if (!ids->switch_ids)
		return 0;
	if (ids->set_group &&
	    (setgroups((size_t)ids->ngroups, ids->groups) < 0 ||
	     setgid(ids->gid) < 0))
		return -1;
	if (ids->set_user && setuid(ids->uid) < 0)
		return -1;
	return 0;
}

/* In the child: what a service's unit asks for.  Returns STEP_NONE, or
 * the failed step with *err set. */
static int
set_up_service(const struct spawn_options *options, int *err)
{
	int step = STEP_NONE;

	if (options->ready_fd >= 0 &&
	    pass_fd(options->ready_fd, options->ready_fd_as) < 0)
		step = STEP_READY_FD;
	else if (options->nofile != NULL &&
		 setrlimit(RLIMIT_NOFILE, options->nofile) < 0)
		step = STEP_LIMIT;
	else if (options->cwd != NULL && chdir(options->cwd) < 0 &&
		 !options->cwd_optional)
		step = STEP_CHDIR;
	else if (options->ids != NULL && take_ids(options->ids) < 0)
		step = STEP_USER;
	else if (options->no_new_privs &&
		 prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		step = STEP_NO_NEW_PRIVS;
	if (step != STEP_NONE)
		*err = errno;
	else if (options->umask >= 0)
		umask((mode_t)options->umask);
	return step;
}

/*
 * Runs in the child between fork and exec, so it may only make
 * async-signal-safe calls.  On failure, writes the step and errno to fd
 * (grace reads them) and exits with 126 or 127.
 */
static _Noreturn void
exec_child(char **command, const struct spawn_options *options,
	   const struct sig_inherited *inherited, int fd)
{
	struct spawn_failure failure = { STEP_NONE, 0 };
	int rc;

	failure.step = place_child(options, &failure.err);
	if (failure.step == STEP_NONE)
		failure.step = redirect_output(options, &failure.err);
	if (failure.step == STEP_NONE)
		failure.step = set_up_service(options, &failure.err);
	if (failure.step == STEP_NONE) {
		rc = sig_restore_for_child(inherited);
		if (rc < 0) {
			failure.step = STEP_SIGNALS;
			failure.err = -rc;
		} else {
			if (options->envp != NULL)
				execvpe(command[0], command, options->envp);
			else
				execvp(command[0], command);
			failure.step = STEP_EXEC;
			failure.err = errno;
		}
	}
	while (write(fd, &failure, sizeof(failure)) < 0 && errno == EINTR)
		;
	_exit(spawn_exit_code(failure.err));
}

/*
 * Before a child starts a session of its own: a session leader that holds
 * a controlling terminal gives it up, so that the child's session can take
 * it, as dumb-init does.  The kernel then sends SIGHUP and SIGCONT to the
 * terminal's foreground group, which is grace's own: they are blocked, so
 * they wait as pending signals, and are taken here rather than forwarded.
 */
static void
release_terminal(void)
{
	static const struct timespec now = { 0, 0 };
	sigset_t hangup;

	if (getsid(0) != getpid() || ioctl(STDIN_FILENO, TIOCNOTTY) < 0)
		return;
	sigemptyset(&hangup);
	sigaddset(&hangup, SIGHUP);
	sigaddset(&hangup, SIGCONT);
	while (sigtimedwait(&hangup, NULL, &now) > 0)
		;
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

/* Says in one line what the child could not do; the exit code that
 * stands for it. */
static int
report_failure(char **command, const char *name,
	       const struct spawn_failure *failure)
{
	errno = failure->err;
	if (strcmp(name, command[0]) == 0)
		warn_errno("unable to %s %s", step_names[failure->step],
			   command[0]);
	else
		warn_errno("%s: unable to %s %s", name,
			   step_names[failure->step], command[0]);
	return spawn_exit_code(failure->err);
}

/* Reaps the child that failed to exec.  Signals are blocked, so no
 * handler runs here, but the wait may still see EINTR on a stop/continue. */
static void
reap_failed_child(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * The exec-failure pipe's write end must be neither the number ReadyFd=
 * asks for nor stdout or stderr (a closed one of grace's would have been
 * free), or handing those descriptors over would close it: moves it above.
 * 0 or -1.
 */
static int
keep_clear_of(int *fd, int number)
{
	int moved;

	if (*fd > STDERR_FILENO && *fd != number)
		return 0;
	moved = fcntl(*fd, F_DUPFD_CLOEXEC,
		      number > STDERR_FILENO ? number + 1 : STDERR_FILENO + 1);
	if (moved < 0)
		return -1;
	close(*fd);
	*fd = moved;
	return 0;
}

/* What the child needs, handed to it by pointer. */
struct child_start {
	char **command;
	const struct spawn_options *options;
	const struct sig_inherited *inherited;
	const int *pipefd;
};

/* The child's side.  The pipe's read end is grace's, and closes at the
 * exec like everything of grace's: no call to close it sooner. */
static int
start_child(void *arg)
{
	const struct child_start *start = arg;

	exec_child(start->command, start->options, start->inherited,
		   start->pipefd[1]);
}

/*
 * The child below runs on a 32 KiB array: exec_child() needs about 13 KiB
 * at most, but glibc's execvp, to retry a script without "#!" through
 * /bin/sh, copies argv onto the stack, and below the array is grace's own
 * frame of the clone call.  Commands with more arguments than this are
 * forked instead.
 */
enum { CLONE_STACK = 32768, CLONE_ARGS_MAX = 1024 };

/*
 * Where grace waits for the exec anyway (no status_fd), the child shares
 * grace's memory until it execs or exits, as with vfork, and grace is
 * suspended meanwhile: no page tables copied, no copy-on-write faults on
 * either side, which is most of what a fork costs a single command's
 * start.  The child runs on this frame's array, which grace does not
 * touch until the child is done with it; exec_child() makes only
 * async-signal-safe calls, and writes only to that stack, to errno (the
 * same thread-local one as grace's, which nothing reads after) and to
 * its own task's signal state.  Where memory cannot be shared (valgrind
 * and qemu-user run this as a fork), the pipe still carries the report.
 * Not instrumented by ASan, so that the array is on the real stack, not
 * ASan's fake one, which the child's exec would not recognise.
 */
__attribute__((no_sanitize_address)) static pid_t
clone_waiting(struct child_start *start)
{
	_Alignas(16) char stack[CLONE_STACK];
	pid_t pid;

	pid = clone(start_child, stack + sizeof(stack),
		    CLONE_VM | CLONE_VFORK | SIGCHLD, start);
	/* The child's frames never returned: ASan's marks on them go. */
	UNPOISON(stack, sizeof(stack));
	return pid;
}

/* Starts the child grace waits for: on the shared stack when its
 * arguments fit there and the kernel (or a seccomp filter) allows the
 * clone, forked otherwise.  Services', jobs' and checks' children are
 * always forked, so that the loop never waits on a slow one. */
static pid_t
start_waited(struct child_start *start)
{
	size_t argc = 0;
	pid_t pid;

	while (argc <= CLONE_ARGS_MAX && start->command[argc] != NULL)
		argc++;
	if (argc > CLONE_ARGS_MAX)
		return fork();
	pid = clone_waiting(start);
	if (pid < 0 && (errno == ENOSYS || errno == EPERM || errno == EINVAL))
		pid = fork();
	return pid;
}

pid_t
spawn_child(char **command, const char *name,
	    const struct spawn_options *options,
	    const struct sig_inherited *inherited, int *code)
{
	struct spawn_failure failure;
	struct child_start start;
	int pipefd[2], rc;
	pid_t pid;

	if (options->new_session)
		release_terminal();
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		warn_errno("unable to start %s: unable to create a pipe", name);
		*code = EXIT_SPAWN_FAILED;
		return -1;
	}
	if (keep_clear_of(&pipefd[1], options->ready_fd_as) < 0) {
		warn_errno("unable to start %s: unable to move a pipe", name);
		close(pipefd[0]);
		close(pipefd[1]);
		*code = EXIT_SPAWN_FAILED;
		return -1;
	}
	start = (struct child_start){ command, options, inherited, pipefd };
	pid = options->status_fd != NULL ? fork() : start_waited(&start);
	if (pid < 0) {
		warn_errno("unable to start %s: unable to fork", name);
		close(pipefd[0]);
		close(pipefd[1]);
		*code = EXIT_SPAWN_FAILED;
		return -1;
	}
	if (pid == 0)
		start_child(&start);
	close(pipefd[1]);
	if (options->status_fd != NULL &&
	    fcntl(pipefd[0], F_SETFL, O_NONBLOCK) == 0) {
		*options->status_fd = pipefd[0];
		return pid;
	}
	rc = read_failure(pipefd[0], &failure);
	close(pipefd[0]);
	if (rc < 0) {
		/* The exec's outcome is unknown; the child runs or has exited
		 * 126/127: either way the event loop learns its status. */
		errno = -rc;
		warn_errno("unable to read the exec status of %s", name);
		return pid;
	}
	if (rc == 0)
		return pid;
	reap_failed_child(pid);
	*code = report_failure(command, name, &failure);
	return -1;
}

int
spawn_take_status(int fd, char **command, const char *name, int *code)
{
	struct spawn_failure failure;
	int rc = read_failure(fd, &failure);

	if (rc == 1)
		*code = report_failure(command, name, &failure);
	return rc;
}
