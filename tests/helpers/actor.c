// SPDX-License-Identifier: MIT
/* A process that plays one part of a workload tree and logs what it sees. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/helper.h"

/*
 * Usage: actor NAME [OPTIONS] ['[' CHILD-NAME [CHILD-OPTIONS] ... ']']...
 *
 * Each bracketed group is another actor, started as a child once this one
 * is set up; groups nest, so one command line describes a whole tree:
 *
 *	actor main --exit 3 [ worker --term-ms 1000 ] [ d --double-fork ]
 *
 * Where it stands (applied in this order, before "start" is logged):
 *   --double-fork    fork and let the middle process exit: an orphan
 *   --setsid         a session of its own
 *   --setpgid        a process group of its own
 * What it does with signals: it blocks every signal it handles and reads
 * them with sigtimedwait(), logging "sig NAME from=PID" for each.
 *   --catch SIG,...  handle only these (and CHLD); others keep their
 *                    disposition, so TERM, say, kills it
 * On SIGTERM: logs "term from=PID", sleeps --term-ms, logs "done init=..."
 * and ends with --term-exit CODE or, by default, by re-raising SIGTERM.
 *   --on-term stay   log "term" and go on running (a straggler)
 *   --on-term ignore SIG_IGN for SIGTERM
 *   --spawn-on-term  start the bracketed children on SIGTERM, not at once
 * How it ends on its own: --exit CODE or --raise SIG, when --after MS have
 * passed or --exit-on SIG arrives; at once when neither is given.
 *   --send SIG:PID   send a signal once set up (kill(1, SIGTERM): TERM:1)
 *
 * Events (the words after "NAME PID"): start ppid= pgid= sid= sigblk=
 * sigign= (the masks it was born with), ready, sig NAME from=, term from=,
 * done init=, reaped child= code=|signal=, sent sig= to=, exit code= init=,
 * raise sig= init=, error.  init= tells whether the init was still alive.
 */

/* Where an actor looks for, and leaves for its descendants, the pid of the
 * init it runs under: its parent when the variable is not set yet. */
#define INIT_PID_ENV "ACTOR_INIT_PID"

/* Bit of the flags field of /proc/PID/stat set once a task is exiting. */
#define PF_EXITING 0x4

enum on_term { TERM_EXIT, TERM_STAY, TERM_IGNORE };

struct settings {
	const char *name;
	bool setsid;
	bool setpgid;
	bool double_fork;
	bool spawn_on_term;    /* start the children on SIGTERM, not at once */
	enum on_term on_term;
	long term_ms;
	int term_code;	       /* -1: re-raise SIGTERM */
	long after_ms;	       /* -1: never end on its own */
	int exit_on;	       /* 0: no signal makes it end */
	int exit_code;
	int raise_sig;	       /* 0: end with exit_code instead */
	int send_sig;	       /* 0: send nothing */
	pid_t send_pid;
	sigset_t handled;      /* what it blocks and reads */
	char **children;       /* the bracketed groups, NULL-separated */
	int nchildren_args;
};

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: actor NAME [--double-fork] [--setsid] [--setpgid]\n"
	      "    [--catch SIG,...] [--on-term exit|stay|ignore] [--term-ms MS]\n"
	      "    [--term-exit CODE|raise] [--spawn-on-term]\n"
	      "    [--after MS] [--exit-on SIG] [--exit CODE] [--raise SIG]\n"
	      "    [--send SIG:PID]\n"
	      "    ['[' CHILD-NAME CHILD-OPTIONS... ']']...\n",
	      stderr);
	exit(2);
}

/* "TERM,USR1" -> the set of those signals and SIGCHLD, which the actor
 * always reads to reap its children. */
static void
parse_catch(char *list, sigset_t *set)
{
	char *save = NULL, *word;

	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (word = strtok_r(list, ",", &save); word != NULL;
	     word = strtok_r(NULL, ",", &save))
		sigaddset(set, sig_arg(word, usage));
}

/* "TERM:1" -> signal and pid. */
static void
parse_send(char *text, struct settings *s)
{
	char *colon = strchr(text, ':');

	if (colon == NULL)
		usage();
	*colon = '\0';
	s->send_sig = sig_arg(text, usage);
	s->send_pid = (pid_t)num_arg(colon + 1, usage);
}

static enum on_term
parse_on_term(const char *text)
{
	if (strcmp(text, "exit") == 0)
		return TERM_EXIT;
	if (strcmp(text, "stay") == 0)
		return TERM_STAY;
	if (strcmp(text, "ignore") == 0)
		return TERM_IGNORE;
	usage();
}

/* Checks that the bracketed groups after the options balance. */
static void
check_children(char **args, int n)
{
	int depth = 0, i;

	for (i = 0; i < n; i++) {
		if (strcmp(args[i], "[") == 0)
			depth++;
		else if (strcmp(args[i], "]") == 0)
			depth--;
		else if (depth == 0)
			usage();
		if (depth < 0)
			usage();
	}
	if (depth != 0)
		usage();
}

/* Applies one option; notes whether it said how (ENDS) or when (WHEN) the
 * actor ends on its own. */
static void
apply_option(int opt, struct settings *s, bool *ends, bool *when)
{
	switch (opt) {
	case 's':
		s->setsid = true;
		break;
	case 'p':
		s->setpgid = true;
		break;
	case 'd':
		s->double_fork = true;
		break;
	case 'o':
		s->on_term = parse_on_term(optarg);
		break;
	case 'm':
		s->term_ms = num_arg(optarg, usage);
		break;
	case 'T':
		s->term_code = strcmp(optarg, "raise") == 0
				       ? -1
				       : (int)num_arg(optarg, usage);
		break;
	case 'c':
		parse_catch(optarg, &s->handled);
		break;
	case 'n':
		s->spawn_on_term = true;
		break;
	case 'a':
		s->after_ms = num_arg(optarg, usage);
		*when = true;
		break;
	case 'E':
		s->exit_on = sig_arg(optarg, usage);
		*when = true;
		break;
	case 'e':
		s->exit_code = (int)num_arg(optarg, usage);
		*ends = true;
		break;
	case 'r':
		s->raise_sig = sig_arg(optarg, usage);
		*ends = true;
		break;
	case 'S':
		parse_send(optarg, s);
		break;
	default:
		usage();
	}
}

static void
parse_args(int argc, char **argv, struct settings *s)
{
	static const struct option longs[] = {
		{ "setsid", no_argument, NULL, 's' },
		{ "setpgid", no_argument, NULL, 'p' },
		{ "double-fork", no_argument, NULL, 'd' },
		{ "on-term", required_argument, NULL, 'o' },
		{ "term-ms", required_argument, NULL, 'm' },
		{ "term-exit", required_argument, NULL, 'T' },
		{ "catch", required_argument, NULL, 'c' },
		{ "after", required_argument, NULL, 'a' },
		{ "exit-on", required_argument, NULL, 'E' },
		{ "exit", required_argument, NULL, 'e' },
		{ "raise", required_argument, NULL, 'r' },
		{ "send", required_argument, NULL, 'S' },
		{ "spawn-on-term", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	bool ends = false, when = false;
	int opt;

	if (argc < 2 || argv[1][0] == '-' || argv[1][0] == '[')
		usage();
	*s = (struct settings){ .name = argv[1], .term_code = -1,
				.after_ms = -1 };
	sig_fill_catchable(&s->handled);
	/* NAME takes the place of argv[0]: options start after it. */
	while ((opt = getopt_long(argc - 1, argv + 1, "+", longs, NULL)) != -1)
		apply_option(opt, s, &ends, &when);
	/* --exit or --raise alone: at once. */
	if (ends && !when)
		s->after_ms = 0;
	s->children = argv + 1 + optind;
	s->nchildren_args = argc - 1 - optind;
	check_children(s->children, s->nchildren_args);
}

/* Leaves the pid of the init (this actor's parent, when no actor above set
 * it) in the environment for every actor below. */
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

/*
 * Whether the init still runs, seen from /proc/PID/stat: "alive", "exiting"
 * (it has begun to exit: as PID 1 it is killing the namespace), "zombie",
 * "gone", or "none" (the actor tree runs without an init).  Logged with
 * "done" so a test can tell that the init outlived the handler for certain.
 */
static const char *
init_state(void)
{
	const char *pid = getenv(INIT_PID_ENV);
	char path[64], buf[1024], state;
	unsigned long flags;
	ssize_t n;
	char *paren;
	int fd;

	if (pid == NULL || strcmp(pid, "0") == 0)
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
	    sscanf(paren + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) !=
		    2)
		return "unknown";
	if (state == 'Z' || state == 'X' || state == 'x')
		return "zombie";
	return flags & PF_EXITING ? "exiting" : "alive";
}

/* Forks; the parent leaves at once, so the child is an orphan that the
 * init (or the nearest subreaper) inherits. */
static void
become_orphan(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die_errno("fork");
	if (pid > 0)
		_exit(0);
}

static void
take_place(const struct settings *s)
{
	if (s->double_fork)
		become_orphan();
	if (s->setsid && setsid() < 0)
		die_errno("setsid");
	if (s->setpgid && setpgid(0, 0) != 0)
		die_errno("setpgid");
}

/* Starts one bracketed group as a child actor, with the signal mask this
 * actor was born with, or with its current one when BORN_MASK is NULL. */
static void
spawn_child(char **group, const sigset_t *born_mask)
{
	pid_t pid = fork();

	if (pid < 0)
		die_errno("fork");
	if (pid > 0)
		return;
	if (born_mask != NULL && sigprocmask(SIG_SETMASK, born_mask, NULL) != 0)
		die_errno("sigprocmask");
	group[-1] = "actor";
	execv("/proc/self/exe", group - 1);
	die_errno("exec /proc/self/exe");
}

/* Starts every top-level group in ARGS; the closing "]" of each group is
 * replaced by NULL to end its argv. */
static void
spawn_children(char **args, int n, const sigset_t *born_mask)
{
	int depth = 0, start = 0, i;

	for (i = 0; i < n; i++) {
		if (strcmp(args[i], "[") == 0 && depth++ == 0) {
			start = i + 1;
		} else if (strcmp(args[i], "]") == 0 && --depth == 0) {
			args[i] = NULL;
			spawn_child(args + start, born_mask);
		}
	}
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

/* Ends the actor: by raising SIG with its default action when SIG is not 0,
 * else by exiting with CODE. */
static void __attribute__((noreturn))
finish(int sig, int code)
{
	sigset_t one;

	if (sig == 0) {
		ev_log("exit code=%d init=%s", code, init_state());
		exit(code);
	}
	ev_log("raise sig=%s init=%s", sig_name(sig), init_state());
	sigemptyset(&one);
	sigaddset(&one, sig);
	if (sig != SIGKILL && sig != SIGSTOP && signal(sig, SIG_DFL) == SIG_ERR)
		die_errno("signal");
	if (sigprocmask(SIG_UNBLOCK, &one, NULL) != 0 || raise(sig) != 0)
		die_errno("raise");
	/* Still here: PID 1 of a namespace survives its own signals. */
	ev_log("exit code=%d", 128 + sig);
	exit(128 + sig);
}

/* The SIGTERM handler: takes its time, then ends or stays as asked.  With
 * --spawn-on-term it first starts the children, which inherit the mask of
 * the handler (every signal blocked), so that none is lost before they are
 * ready to read it. */
static void
handle_term(const struct settings *s, const siginfo_t *info)
{
	static bool spawned;

	ev_log("term from=%d", (int)info->si_pid);
	if (s->spawn_on_term && !spawned) {
		spawn_children(s->children, s->nchildren_args, NULL);
		spawned = true;
	}
	if (s->on_term == TERM_STAY)
		return;
	sleep_ms(s->term_ms);
	ev_log("done init=%s", init_state());
	if (s->term_code < 0)
		finish(SIGTERM, 0);
	finish(0, s->term_code);
}

/* Waits for the next handled signal until DEADLINE (ns, -1: none); 0 when
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
run(const struct settings *s)
{
	int64_t deadline = -1;
	siginfo_t info;
	int sig;

	if (s->after_ms >= 0)
		deadline = now_ns() + s->after_ms * 1000000;
	for (;;) {
		sig = wait_signal(&s->handled, deadline, &info);
		if (sig == 0)
			finish(s->raise_sig, s->exit_code);
		if (sig == SIGCHLD)
			reap_children();
		else if (sig == SIGTERM)
			handle_term(s, &info);
		else
			ev_log("sig %s from=%d", sig_name(sig),
			       (int)info.si_pid);
		if (sig == s->exit_on)
			finish(s->raise_sig, s->exit_code);
	}
}

static void
send_signal(int sig, pid_t pid)
{
	if (kill(pid, sig) != 0)
		die_errno("kill");
	ev_log("sent sig=%s to=%d", sig_name(sig), (int)pid);
}

int
main(int argc, char **argv)
{
	struct settings s;
	uint64_t blocked, ignored;
	sigset_t born_mask;

	parse_args(argc, argv, &s);
	ev_open(s.name);
	/* What the init handed over, before this actor changes anything. */
	blocked = status_mask("SigBlk");
	ignored = status_mask("SigIgn");
	export_init_pid();
	take_place(&s);
	ev_log("start ppid=%d pgid=%d sid=%d sigblk=%016" PRIx64
	       " sigign=%016" PRIx64,
	       (int)getppid(), (int)getpgid(0), (int)getsid(0), blocked,
	       ignored);
	if (s.on_term == TERM_IGNORE)
		sigdelset(&s.handled, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &s.handled, &born_mask) != 0)
		die_errno("sigprocmask");
	if (!s.spawn_on_term)
		spawn_children(s.children, s.nchildren_args, &born_mask);
	if (s.on_term == TERM_IGNORE && signal(SIGTERM, SIG_IGN) == SIG_ERR)
		die_errno("signal");
	if (s.send_sig != 0)
		send_signal(s.send_sig, s.send_pid);
	ev_log("ready");
	run(&s);
}
