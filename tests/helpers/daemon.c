// SPDX-License-Identifier: MIT
/* A service that names itself in a pidfile: forks into the background the
 * classic way, or replaces itself with a new master, as nginx does. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/helper.h"

/*
 * Usage: daemon NAME --pidfile PATH [--fork] [--middle-ms MS] [--late MS]
 *	  [--launcher-exit CODE] [--term-ms MS] [--term-exit CODE]
 *	  [--upgrade-to NEW-NAME]
 *
 *   --fork           daemonize the classic way: the process started (its
 *                    events are named "launcher") forks; the child calls
 *                    setsid(), forks again and exits; the grandchild is the
 *                    daemon NAME.  The launcher exits --launcher-exit CODE
 *                    (default 0) once the daemon has written its pidfile,
 *                    or at once with --late.
 *   --middle-ms MS   the child between them exits MS ms after the fork, not
 *                    at once: until then the daemon is not the init's child
 *   --late MS        write the pidfile MS ms after setup, not at once
 *                    (signals are handled meanwhile)
 *   --upgrade-to NEW-NAME
 *                    nginx's binary upgrade: on SIGUSR2 rename PATH to
 *                    PATH.oldbin and start this program again as NEW-NAME,
 *                    a child in the foreground, which writes PATH; on
 *                    SIGQUIT remove PATH.oldbin and exit 0
 * On SIGTERM: logs "term from=PID", sleeps --term-ms, logs "done init=...",
 * removes the pidfile it wrote and exits --term-exit CODE (default 0).
 * Every other signal is logged as "sig NAME from=PID".
 *
 * Events (the words after "NAME PID"): start ppid= pgid= sid=, ready (its
 * signals are handled from here on), wrote path= (the pidfile names it),
 * upgrade child=, quit from=, term from=, done init=, sig NAME from=,
 * reaped child= code=|signal=, exit code= init=, error.  init= tells what
 * /proc said about the init (as actor.c: alive, exiting, zombie, gone).
 */

/* The pid of the init, for init= (the launcher's parent unless set). */
#define INIT_PID_ENV "ACTOR_INIT_PID"

/* Bit of the flags field of /proc/PID/stat set once a task is exiting. */
#define PF_EXITING 0x4

struct settings {
	const char *name;
	const char *pidfile;
	bool fork;
	long middle_ms;
	long late_ms;	       /* -1: write the pidfile at once */
	int launcher_exit;
	long term_ms;
	int term_exit;
	const char *upgrade_to; /* NULL: no binary upgrade */
};

/* What the daemon is doing. */
static struct {
	const char *own_file;  /* the pidfile that names it, or NULL */
	char oldbin[4096];
	int ready_fd;	       /* closed once the pidfile is written, or -1 */
} state = { NULL, "", -1 };

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: daemon NAME --pidfile PATH [--fork] [--middle-ms MS]\n"
	      "    [--late MS]\n"
	      "    [--launcher-exit CODE] [--term-ms MS] [--term-exit CODE]\n"
	      "    [--upgrade-to NEW-NAME]\n",
	      stderr);
	exit(2);
}

static void
parse_args(int argc, char **argv, struct settings *s)
{
	static const struct option longs[] = {
		{ "pidfile", required_argument, NULL, 'P' },
		{ "fork", no_argument, NULL, 'f' },
		{ "middle-ms", required_argument, NULL, 'M' },
		{ "late", required_argument, NULL, 'l' },
		{ "launcher-exit", required_argument, NULL, 'L' },
		{ "term-ms", required_argument, NULL, 'm' },
		{ "term-exit", required_argument, NULL, 'T' },
		{ "upgrade-to", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	if (argc < 2 || argv[1][0] == '-')
		usage();
	*s = (struct settings){ .name = argv[1], .late_ms = -1 };
	/* NAME takes the place of argv[0]: options start after it. */
	while ((opt = getopt_long(argc - 1, argv + 1, "+", longs, NULL)) != -1) {
		switch (opt) {
		case 'P':
			s->pidfile = optarg;
			break;
		case 'f':
			s->fork = true;
			break;
		case 'M':
			s->middle_ms = num_arg(optarg, usage);
			break;
		case 'l':
			s->late_ms = num_arg(optarg, usage);
			break;
		case 'L':
			s->launcher_exit = (int)num_arg(optarg, usage);
			break;
		case 'm':
			s->term_ms = num_arg(optarg, usage);
			break;
		case 'T':
			s->term_exit = (int)num_arg(optarg, usage);
			break;
		case 'u':
			s->upgrade_to = optarg;
			break;
		default:
			usage();
		}
	}
	if (s->pidfile == NULL || optind != argc - 1)
		usage();
}

/* What /proc says about the init: the same words as actor.c's. */
static const char *
init_state(void)
{
	const char *pid = getenv(INIT_PID_ENV);
	char path[64], buf[1024], state_char;
	unsigned long flags;
	ssize_t n;
	char *paren;
	int fd;

	if (pid == NULL)
		return "none";
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "gone";
	n = read(fd, buf, sizeof(buf) - 1);
	if (close(fd) != 0 || n <= 0)
		return "gone";
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	if (paren == NULL ||
	    sscanf(paren + 1, " %c %*d %*d %*d %*d %*d %lu", &state_char,
		   &flags) != 2)
		return "unknown";
	if (state_char == 'Z' || state_char == 'X' || state_char == 'x')
		return "zombie";
	return flags & PF_EXITING ? "exiting" : "alive";
}

/* Leaves the init's pid (this process's parent, when no one set it) for
 * the daemon and the masters after it. */
static void
export_init_pid(void)
{
	char pid[16];

	if (getenv(INIT_PID_ENV) != NULL)
		return;
	snprintf(pid, sizeof(pid), "%d", (int)getppid());
	if (setenv(INIT_PID_ENV, pid, 1) != 0)
		die_errno("setenv");
}

/* Writes this process's pid to PATH at once (a temporary file renamed
 * over it), so that no reader ever sees it half written. */
static void
write_pidfile(const char *path)
{
	char tmp[4096], text[32];
	int fd, len;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	len = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die_errno("open pidfile");
	if (write(fd, text, (size_t)len) != len || close(fd) != 0)
		die_errno("write pidfile");
	if (rename(tmp, path) != 0)
		die_errno("rename pidfile");
	state.own_file = path;
	ev_log("wrote path=%s", path);
	if (state.ready_fd >= 0) {
		close(state.ready_fd);
		state.ready_fd = -1;
	}
}

/* Ends with CODE, removing the pidfile that names this process, as nginx
 * and most daemons do. */
static void __attribute__((noreturn))
finish(int code)
{
	if (state.own_file != NULL && unlink(state.own_file) != 0)
		die_errno("unlink pidfile");
	ev_log("exit code=%d init=%s", code, init_state());
	exit(code);
}

/* The launcher: forks the daemon's parent and waits, unless told --late,
 * until the daemon has written its pidfile.  Returns in the daemon. */
static void
daemonize(const struct settings *s)
{
	int ready[2];
	char byte;
	pid_t pid;

	ev_open("launcher");
	ev_log("start ppid=%d", (int)getppid());
	if (pipe2(ready, O_CLOEXEC) != 0)
		die_errno("pipe2");
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid > 0) {
		close(ready[1]);
		/* EOF once the middle process (as it exits, unless it
		 * lingers) and the daemon (its pidfile written) closed it. */
		if (s->late_ms < 0)
			while (read(ready[0], &byte, 1) < 0 && errno == EINTR)
				;
		ev_log("exit code=%d", s->launcher_exit);
		exit(s->launcher_exit);
	}
	close(ready[0]);
	if (setsid() < 0)
		die_errno("setsid");
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid > 0) {
		/* Its end of the pipe closes as it exits: the launcher, when
		 * it waits, exits after it, the daemon grace's child by then.
		 * Unless it lingers. */
		if (s->middle_ms > 0) {
			close(ready[1]);
			sleep_ms(s->middle_ms);
		}
		_exit(0);
	}
	if (s->late_ms < 0)
		state.ready_fd = ready[1];
	else
		close(ready[1]);
}

/* Reaps every child that has exited: SIGCHLD coalesces. */
static void
reap_children(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (WIFSIGNALED(status))
			ev_log("reaped child=%d signal=%s", (int)pid,
			       sig_name(WTERMSIG(status)));
		else
			ev_log("reaped child=%d code=%d", (int)pid,
			       WEXITSTATUS(status));
	}
	if (pid < 0 && errno != ECHILD)
		die_errno("waitpid");
}

/* SIGUSR2: as nginx, moves the pidfile aside to PATH.oldbin and starts the
 * new master, which inherits the blocked mask and writes PATH itself. */
static void
upgrade(const struct settings *s)
{
	char term_ms[24], term_exit[24];
	pid_t pid;

	snprintf(state.oldbin, sizeof(state.oldbin), "%s.oldbin", s->pidfile);
	if (rename(s->pidfile, state.oldbin) != 0)
		die_errno("rename pidfile to oldbin");
	state.own_file = state.oldbin;
	snprintf(term_ms, sizeof(term_ms), "%ld", s->term_ms);
	snprintf(term_exit, sizeof(term_exit), "%d", s->term_exit);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		execl("/proc/self/exe", "daemon", s->upgrade_to, "--pidfile",
		      s->pidfile, "--term-ms", term_ms, "--term-exit",
		      term_exit, (char *)NULL);
		die_errno("exec /proc/self/exe");
	}
	ev_log("upgrade child=%d", (int)pid);
}

/* Waits for the next signal of SET until DEADLINE (ns, -1: none); 0 when
 * the deadline passed. */
static int
wait_signal(const sigset_t *set, int64_t deadline, siginfo_t *info)
{
	struct timespec ts, *timeout = NULL;
	int64_t left;
	int sig;

	for (;;) {
		if (deadline >= 0) {
			left = deadline - now_ns();
			if (left <= 0)
				return 0;
			ts.tv_sec = left / 1000000000;
			ts.tv_nsec = left % 1000000000;
			timeout = &ts;
		}
		sig = sigtimedwait(set, info, timeout);
		if (sig > 0)
			return sig;
		if (errno == EAGAIN)
			return 0;
		if (errno != EINTR)
			die_errno("sigtimedwait");
	}
}

static void __attribute__((noreturn))
run(const struct settings *s, const sigset_t *handled)
{
	int64_t write_at = -1;
	siginfo_t info;
	int sig;

	if (s->late_ms >= 0)
		write_at = now_ns() + s->late_ms * 1000000;
	else
		write_pidfile(s->pidfile);
	for (;;) {
		sig = wait_signal(handled, write_at, &info);
		if (sig == 0) {
			write_pidfile(s->pidfile);
			write_at = -1;
		} else if (sig == SIGCHLD) {
			reap_children();
		} else if (sig == SIGTERM) {
			ev_log("term from=%d", (int)info.si_pid);
			sleep_ms(s->term_ms);
			ev_log("done init=%s", init_state());
			finish(s->term_exit);
		} else if (sig == SIGUSR2 && s->upgrade_to != NULL) {
			upgrade(s);
		} else if (sig == SIGQUIT && s->upgrade_to != NULL) {
			ev_log("quit from=%d", (int)info.si_pid);
			finish(0);
		} else {
			ev_log("sig %s from=%d", sig_name(sig),
			       (int)info.si_pid);
		}
	}
}

int
main(int argc, char **argv)
{
	struct settings s;
	sigset_t handled;

	parse_args(argc, argv, &s);
	/* Blocked before any fork: no signal finds a process that cannot
	 * handle it yet. */
	sig_fill_catchable(&handled);
	if (sigprocmask(SIG_BLOCK, &handled, NULL) != 0)
		die_errno("sigprocmask");
	export_init_pid();
	if (s.fork)
		daemonize(&s);
	ev_open(s.name);
	ev_log("start ppid=%d pgid=%d sid=%d", (int)getppid(), (int)getpgid(0),
	       (int)getsid(0));
	ev_log("ready");
	run(&s, &handled);
}
