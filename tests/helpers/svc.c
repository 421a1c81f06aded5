// SPDX-License-Identifier: MIT
/* A service under grace's supervision: it starts, becomes ready the way its
 * unit asks (sd_notify, a ready fd, a port, a file), ends on its own or when
 * told, and logs what it saw. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "lib/helper.h"

/*
 * Usage: svc NAME [OPTIONS]
 *
 *	svc db --ready-after 300 --notify --status "accepting connections"
 *
 * At start it logs "start" with where it stands: ppid= pgid= sid= uid=
 * gid= groups= (supplementary, comma-separated, "-" for none) cwd=
 * umask= (octal) nofile=SOFT:HARD ("infinity" for no limit) nnp= (the
 * NoNewPrivs field of /proc/self/status) notify= ($NOTIFY_SOCKET, "-" when
 * unset) sigblk= sigign= (the masks it was born with, in hex) real= (the
 * CLOCK_REALTIME time, SECONDS.NANOSECONDS).  Then:
 *   --print-env VAR,...  logs "env VAR=VALUE" for each, "env VAR" (no '=')
 *                        when it is not set
 *   --echo WORD          logs "echo WORD" (repeatable): how the service's
 *                        command line was split
 *   --fork-daemon        leaves a daemon behind: forks a grandchild that
 *                        calls setsid() and logs "daemon-start ppid= pgid=
 *                        sid="; it logs "daemon-sig NAME from=" for each
 *                        signal, and on SIGTERM "daemon-term from=PID" and
 *                        exits 0.  The service itself goes on as told.
 * Readiness, --ready-after MS (default 0) after "start": it logs
 * "readying" and then does every one of these that is given, then logs
 * "ready" (so whatever its readiness caused happened after "readying"):
 *   --notify             sends "READY=1" ("READY=1\nSTATUS=TEXT" with
 *                        --status TEXT) as one datagram to $NOTIFY_SOCKET
 *                        (a path, or an abstract name when it starts with
 *                        '@'), as sd_notify(3) does
 *   --notify-to ADDR     the same to ADDR instead: an intruder
 *   --ready-fd N         writes "\n" to descriptor N and closes it
 *   --listen PORT        binds and listens on 127.0.0.1:PORT (never
 *                        accepts: the kernel completes the handshakes)
 *   --touch PATH         creates PATH
 * How it ends on its own: --exit CODE ("exit code=CODE") or --raise SIG
 * ("raise sig=NAME", then dies of SIG), --after MS after "start" (at
 * once without --after).  Otherwise it runs until signalled.
 * Signals: it blocks every catchable signal and reads them with
 * sigtimedwait(), logging "sig NAME from=PID" for each (SIGCHLD only reaps
 * its children).  The stop signal, --term-on SIG (default TERM), also logs
 * "term from=PID"; it then keeps reading signals for --term-ms MS (default
 * 0), logs "stopped" and ends with --term-exit CODE (default 0) or, given
 * "raise", dies of the stop signal itself.
 *   --ignore-term        log "term from=PID" and carry on
 * Every other event: error WHAT (then it exits 1).  A usage error exits 2.
 * Values that could hold blanks (cwd=, notify=, env, echo) are written with
 * every byte outside '!'..'~' and every '\' as \xNN.
 */

/* The longest escaped value: four bytes per byte of a path. */
#define ESCAPED_MAX (4 * 256 + 1)

struct settings {
	const char *name;
	long ready_after_ms;
	bool notify;
	const char *status;    /* NULL: READY=1 alone */
	const char *notify_to; /* NULL: $NOTIFY_SOCKET */
	int ready_fd;	       /* -1: none */
	int listen_port;       /* -1: none */
	const char *touch;     /* NULL: none */
	bool ends;	       /* --exit or --raise given */
	long after_ms;
	int exit_code;
	int raise_sig;	       /* 0: end with exit_code */
	int term_sig;
	long term_ms;
	int term_exit;	       /* -1: die of term_sig */
	bool ignore_term;
	bool fork_daemon;
	char *print_env;       /* "VAR,VAR", or NULL */
	char **echo;	       /* --echo words, in order */
	int necho;
};

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: svc NAME [--ready-after MS] [--notify] [--status TEXT]\n"
	      "    [--notify-to ADDR] [--ready-fd N] [--listen PORT]\n"
	      "    [--touch PATH] [--exit CODE] [--raise SIG] [--after MS]\n"
	      "    [--term-on SIG] [--term-ms MS] [--term-exit CODE|raise]\n"
	      "    [--ignore-term] [--fork-daemon] [--print-env VAR,...]\n"
	      "    [--echo WORD]...\n",
	      stderr);
	exit(2);
}

/* Applies one option to S. */
static void
apply_option(int opt, struct settings *s)
{
	switch (opt) {
	case 'R':
		s->ready_after_ms = num_arg(optarg, usage);
		break;
	case 'n':
		s->notify = true;
		break;
	case 'S':
		s->status = optarg;
		break;
	case 'N':
		s->notify_to = optarg;
		break;
	case 'F':
		s->ready_fd = (int)num_arg(optarg, usage);
		break;
	case 'l':
		s->listen_port = (int)num_arg(optarg, usage);
		if (s->listen_port < 1 || s->listen_port > 65535)
			usage();
		break;
	case 't':
		s->touch = optarg;
		break;
	case 'e':
		s->exit_code = (int)num_arg(optarg, usage);
		s->ends = true;
		break;
	case 'r':
		s->raise_sig = sig_arg(optarg, usage);
		s->ends = true;
		break;
	case 'a':
		s->after_ms = num_arg(optarg, usage);
		break;
	case 'o':
		s->term_sig = sig_arg(optarg, usage);
		if (s->term_sig == SIGKILL || s->term_sig == SIGSTOP ||
		    s->term_sig == SIGCHLD)
			usage();
		break;
	case 'm':
		s->term_ms = num_arg(optarg, usage);
		break;
	case 'T':
		s->term_exit = strcmp(optarg, "raise") == 0
				       ? -1
				       : (int)num_arg(optarg, usage);
		break;
	case 'i':
		s->ignore_term = true;
		break;
	case 'd':
		s->fork_daemon = true;
		break;
	case 'p':
		s->print_env = optarg;
		break;
	case 'E':
		s->echo[s->necho++] = optarg;
		break;
	default:
		usage();
	}
}

static void
parse_args(int argc, char **argv, struct settings *s)
{
	static const struct option longs[] = {
		{ "ready-after", required_argument, NULL, 'R' },
		{ "notify", no_argument, NULL, 'n' },
		{ "status", required_argument, NULL, 'S' },
		{ "notify-to", required_argument, NULL, 'N' },
		{ "ready-fd", required_argument, NULL, 'F' },
		{ "listen", required_argument, NULL, 'l' },
		{ "touch", required_argument, NULL, 't' },
		{ "exit", required_argument, NULL, 'e' },
		{ "raise", required_argument, NULL, 'r' },
		{ "after", required_argument, NULL, 'a' },
		{ "term-on", required_argument, NULL, 'o' },
		{ "term-ms", required_argument, NULL, 'm' },
		{ "term-exit", required_argument, NULL, 'T' },
		{ "ignore-term", no_argument, NULL, 'i' },
		{ "fork-daemon", no_argument, NULL, 'd' },
		{ "print-env", required_argument, NULL, 'p' },
		{ "echo", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	if (argc < 2 || argv[1][0] == '-')
		usage();
	*s = (struct settings){ .name = argv[1], .ready_fd = -1,
				.listen_port = -1, .term_sig = SIGTERM };
	/* At most one --echo per argument. */
	s->echo = calloc((size_t)argc, sizeof(*s->echo));
	if (s->echo == NULL)
		die_errno("calloc");
	/* NAME takes the place of argv[0]: options start after it. */
	while ((opt = getopt_long(argc - 1, argv + 1, "+", longs, NULL)) != -1)
		apply_option(opt, s);
	if (optind != argc - 1)
		usage();
}

/* Copies TEXT to BUF (ESCAPED_MAX bytes) with every byte outside '!'..'~'
 * and every backslash as \xNN, so that the value is one word of the log;
 * cut short if it is longer.  Returns BUF. */
static const char *
escape(const char *text, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	unsigned char c;

	for (; *text != '\0' && n + 5 < ESCAPED_MAX; text++) {
		c = (unsigned char)*text;
		if (c > ' ' && c < 0x7f && c != '\\') {
			buf[n++] = (char)c;
		} else {
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 0xf];
		}
	}
	buf[n] = '\0';
	return buf;
}

/* The supplementary groups as "1,2,3", "-" for none. */
static void
format_groups(char *buf, size_t len)
{
	gid_t groups[256];
	size_t used = 0;
	int n, i;

	n = getgroups(256, groups);
	if (n < 0)
		die_errno("getgroups");
	snprintf(buf, len, "-");
	for (i = 0; i < n && used + 16 < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u",
					 i > 0 ? "," : "", (unsigned)groups[i]);
}

static void
format_limit(rlim_t limit, char *buf, size_t len)
{
	if (limit == RLIM_INFINITY)
		snprintf(buf, len, "infinity");
	else
		snprintf(buf, len, "%ju", (uintmax_t)limit);
}

/* The NoNewPrivs field of /proc/self/status: "0" or "1" ("?" when the
 * kernel has none). */
static void
read_nnp(char *buf, size_t len)
{
	char line[256];
	FILE *f;

	snprintf(buf, len, "?");
	f = fopen("/proc/self/status", "re");
	if (f == NULL)
		die_errno("open /proc/self/status");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "NoNewPrivs:", 11) == 0) {
			snprintf(buf, len, "%ld", strtol(line + 11, NULL, 10));
			break;
		}
	}
	fclose(f);
}

/* Logs "start" with what the service was given: ids, directory, umask,
 * limits, privileges, notify socket and signal masks. */
static void
log_start(uint64_t blocked, uint64_t ignored)
{
	char groups[2048], cwd[4096], cwd_esc[ESCAPED_MAX];
	char notify_esc[ESCAPED_MAX], soft[32], hard[32], nnp[8];
	const char *notify = getenv("NOTIFY_SOCKET");
	struct rlimit nofile;
	struct timespec real;
	mode_t mask;

	if (clock_gettime(CLOCK_REALTIME, &real) != 0)
		die_errno("clock_gettime");
	format_groups(groups, sizeof(groups));
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(cwd, sizeof(cwd), "?");
	mask = umask(0);
	umask(mask);
	if (getrlimit(RLIMIT_NOFILE, &nofile) != 0)
		die_errno("getrlimit");
	format_limit(nofile.rlim_cur, soft, sizeof(soft));
	format_limit(nofile.rlim_max, hard, sizeof(hard));
	read_nnp(nnp, sizeof(nnp));
	ev_log("start ppid=%d pgid=%d sid=%d uid=%u gid=%u groups=%s cwd=%s "
	       "umask=%04o nofile=%s:%s nnp=%s notify=%s sigblk=%016" PRIx64
	       " sigign=%016" PRIx64 " real=%jd.%09ld",
	       (int)getppid(), (int)getpgid(0), (int)getsid(0),
	       (unsigned)getuid(), (unsigned)getgid(), groups,
	       escape(cwd, cwd_esc), (unsigned)mask, soft, hard, nnp,
	       notify == NULL ? "-" : escape(notify, notify_esc), blocked,
	       ignored, (intmax_t)real.tv_sec, real.tv_nsec);
}

/* Logs "env VAR=VALUE" for each variable of LIST ("A,B"). */
static void
print_env(char *list)
{
	char esc[ESCAPED_MAX], *save = NULL, *var;
	const char *value;

	for (var = strtok_r(list, ",", &save); var != NULL;
	     var = strtok_r(NULL, ",", &save)) {
		value = getenv(var);
		if (value == NULL)
			ev_log("env %s", var);
		else
			ev_log("env %s=%s", var, escape(value, esc));
	}
}

/* The daemon left behind by --fork-daemon: in a session of its own, it
 * waits for SIGTERM (every signal is blocked: it inherited the mask). */
static void __attribute__((noreturn))
run_daemon(pid_t middle, void *ctx)
{
	sigset_t handled;
	siginfo_t info;
	int sig;

	(void)middle;
	(void)ctx;
	if (setsid() < 0)
		die_errno("setsid");
	ev_log("daemon-start ppid=%d pgid=%d sid=%d", (int)getppid(),
	       (int)getpgid(0), (int)getsid(0));
	sig_fill_catchable(&handled);
	for (;;) {
		sig = sig_wait(&handled, &info);
		if (sig == SIGTERM) {
			ev_log("daemon-term from=%d", (int)info.si_pid);
			exit(0);
		}
		ev_log("daemon-sig %s from=%d", sig_name(sig),
		       (int)info.si_pid);
	}
}

/* sd_notify(3) by hand: MESSAGE as one datagram to ADDR, a path or, with
 * a leading '@', an abstract name.  The kernel adds our credentials when
 * the receiver asked for them (SO_PASSCRED). */
static void
notify_send(const char *addr, const char *message)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(addr);
	socklen_t sun_len;
	int fd;

	if (len == 0 || len >= sizeof(sun.sun_path))
		die("bad notify address '%s'", addr);
	memcpy(sun.sun_path, addr, len);
	sun_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (addr[0] == '@')
		sun.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("socket AF_UNIX");
	if (sendto(fd, message, strlen(message), MSG_NOSIGNAL,
		   (struct sockaddr *)&sun, sun_len) < 0)
		die_errno("sendto notify socket");
	close(fd);
}

/* Binds and listens on 127.0.0.1:PORT; the socket stays open for good. */
static void
listen_on(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port) };
	int fd, one = 1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("socket AF_INET");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		die_errno("setsockopt SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		die_errno("bind");
	if (listen(fd, 64) != 0)
		die_errno("listen");
}

/* Becomes ready every way asked, between "readying" and "ready". */
static void
become_ready(const struct settings *s)
{
	char message[1024];
	const char *socket_path;
	int fd;

	ev_log("readying");
	if (s->notify || s->notify_to != NULL) {
		if (s->status != NULL)
			snprintf(message, sizeof(message),
				 "READY=1\nSTATUS=%s", s->status);
		else
			snprintf(message, sizeof(message), "READY=1");
	}
	if (s->notify) {
		socket_path = getenv("NOTIFY_SOCKET");
		if (socket_path == NULL)
			die("--notify: NOTIFY_SOCKET is not set");
		notify_send(socket_path, message);
	}
	if (s->notify_to != NULL)
		notify_send(s->notify_to, message);
	if (s->ready_fd >= 0) {
		while (write(s->ready_fd, "\n", 1) < 0)
			if (errno != EINTR)
				die_errno("write to the ready fd");
		if (close(s->ready_fd) != 0)
			die_errno("close the ready fd");
	}
	if (s->listen_port > 0)
		listen_on(s->listen_port);
	if (s->touch != NULL) {
		fd = open(s->touch, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || close(fd) != 0)
			die_errno("create the --touch file");
	}
	ev_log("ready");
}

/* Ends: by dying of SIG with its default action when SIG is not 0, else
 * by exiting with CODE. */
static void __attribute__((noreturn))
finish(int sig, int code)
{
	sigset_t one;

	if (sig == 0) {
		ev_log("exit code=%d", code);
		exit(code);
	}
	ev_log("raise sig=%s", sig_name(sig));
	sigemptyset(&one);
	sigaddset(&one, sig);
	if (sig != SIGKILL && sig != SIGSTOP && signal(sig, SIG_DFL) == SIG_ERR)
		die_errno("signal");
	if (sigprocmask(SIG_UNBLOCK, &one, NULL) != 0 || raise(sig) != 0)
		die_errno("raise");
	/* Still here: a signal whose default action is to be ignored. */
	ev_log("exit code=%d", 128 + sig);
	exit(128 + sig);
}

/* Reaps every child that has exited (the middle process of
 * --fork-daemon): SIGCHLD coalesces. */
static void
reap_children(void)
{
	int status;

	while (waitpid(-1, &status, WNOHANG) > 0)
		;
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

/* The earliest of the deadlines that are set (-1 each when not). */
static int64_t
earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/*
 * The service's life: three deadlines (readiness, its own end, the end of
 * the stop) and the signals in between.  A stop overrides the other two:
 * a service being stopped neither becomes ready nor ends on its own.
 */
static void __attribute__((noreturn))
run(const struct settings *s, const sigset_t *handled, int64_t started)
{
	int64_t ready_at = started + s->ready_after_ms * 1000000;
	int64_t end_at = -1, stop_at = -1, now;
	siginfo_t info;
	int sig;

	if (s->ends)
		end_at = started + s->after_ms * 1000000;
	for (;;) {
		sig = wait_signal(handled,
				  stop_at >= 0 ? stop_at
					       : earliest(ready_at, end_at),
				  &info);
		if (sig == 0) {
			now = now_ns();
			if (stop_at >= 0) {
				ev_log("stopped");
				finish(s->term_exit < 0 ? s->term_sig : 0,
				       s->term_exit);
			}
			/* Ready first when both are due. */
			if (ready_at >= 0 && now >= ready_at) {
				become_ready(s);
				ready_at = -1;
			} else if (end_at >= 0 && now >= end_at) {
				finish(s->raise_sig, s->exit_code);
			}
			continue;
		}
		if (sig == SIGCHLD) {
			reap_children();
			continue;
		}
		ev_log("sig %s from=%d", sig_name(sig), (int)info.si_pid);
		if (sig != s->term_sig || stop_at >= 0)
			continue;
		ev_log("term from=%d", (int)info.si_pid);
		if (!s->ignore_term)
			stop_at = now_ns() + s->term_ms * 1000000;
	}
}

int
main(int argc, char **argv)
{
	char esc[ESCAPED_MAX];
	struct settings s;
	uint64_t blocked, ignored;
	sigset_t handled;
	int64_t started;
	int i;

	parse_args(argc, argv, &s);
	ev_open(s.name);
	/* What grace handed over, before this service changes anything. */
	blocked = status_mask("SigBlk");
	ignored = status_mask("SigIgn");
	/* Blocked before any fork: no signal finds the daemon unready. */
	sig_fill_catchable(&handled);
	if (sigprocmask(SIG_BLOCK, &handled, NULL) != 0)
		die_errno("sigprocmask");
	log_start(blocked, ignored);
	/* After "start" is logged: its t= plus MS is a lower bound for
	 * whatever --ready-after or --after MS brings. */
	started = now_ns();
	if (s.print_env != NULL)
		print_env(s.print_env);
	for (i = 0; i < s.necho; i++)
		ev_log("echo %s", escape(s.echo[i], esc));
	if (s.fork_daemon)
		make_orphan(run_daemon, NULL);
	run(&s, &handled, started);
}
