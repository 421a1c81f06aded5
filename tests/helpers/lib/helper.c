// SPDX-License-Identifier: MIT
/* The code every test helper shares: event log, signal names, time, /proc. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"

static struct {
	const char *name;
	int fd;
} ev = { "helper", STDERR_FILENO };

static const struct {
	int sig;
	const char *name;
} sig_names[] = {
	{ SIGHUP, "HUP" },	 { SIGINT, "INT" },	  { SIGQUIT, "QUIT" },
	{ SIGILL, "ILL" },	 { SIGTRAP, "TRAP" },	  { SIGABRT, "ABRT" },
	{ SIGBUS, "BUS" },	 { SIGFPE, "FPE" },	  { SIGKILL, "KILL" },
	{ SIGUSR1, "USR1" },	 { SIGSEGV, "SEGV" },	  { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" },	 { SIGALRM, "ALRM" },	  { SIGTERM, "TERM" },
	{ SIGSTKFLT, "STKFLT" }, { SIGCHLD, "CHLD" },	  { SIGCONT, "CONT" },
	{ SIGSTOP, "STOP" },	 { SIGTSTP, "TSTP" },	  { SIGTTIN, "TTIN" },
	{ SIGTTOU, "TTOU" },	 { SIGURG, "URG" },	  { SIGXCPU, "XCPU" },
	{ SIGXFSZ, "XFSZ" },	 { SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" },
	{ SIGWINCH, "WINCH" },	 { SIGIO, "IO" },	  { SIGPWR, "PWR" },
	{ SIGSYS, "SYS" },
};

#define N_SIG_NAMES (sizeof(sig_names) / sizeof(sig_names[0]))

void
ev_open(const char *name)
{
	const char *path = getenv(EVENT_LOG_ENV);
	int fd;

	ev.name = name;
	if (path == NULL || *path == '\0')
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		fprintf(stderr, "%s: unable to open %s: %s\n", name, path,
			strerror(errno));
		exit(1);
	}
	ev.fd = fd;
}

/* Appends " t=SECONDS" and the newline, and writes the line at once.  The
 * caller leaves at least 64 bytes of LINE free after LEN. */
static void
ev_write(char *line, size_t len)
{
	int64_t t = now_ns();
	int n;

	n = snprintf(line + len, 64, " t=%" PRId64 ".%09" PRId64 "\n",
		     t / 1000000000, t % 1000000000);
	if (n > 0)
		len += (size_t)n;
	while (write(ev.fd, line, len) < 0 && errno == EINTR)
		;
}

void
ev_log(const char *fmt, ...)
{
	char line[1024];
	int saved = errno;
	size_t len;
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "%s %d ", ev.name, (int)getpid());
	len = n < 0 ? 0 : (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - 64 - len, fmt, ap);
	va_end(ap);
	if (n > 0)
		len += (size_t)n;
	if (len > sizeof(line) - 64 - 1)
		len = sizeof(line) - 64 - 1;
	ev_write(line, len);
	errno = saved;
}

void
die_errno(const char *what)
{
	const char *reason = strerror(errno);

	fprintf(stderr, "%s: %s: %s\n", ev.name, what, reason);
	ev_log("error %s: %s", what, reason);
	exit(1);
}

void
die(const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", ev.name, message);
	ev_log("error %s", message);
	exit(1);
}

const char *
sig_name(int sig)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < N_SIG_NAMES; i++)
		if (sig_names[i].sig == sig)
			return sig_names[i].name;
	if (sig == SIGRTMIN)
		return "RTMIN";
	if (sig > SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, sizeof(buf), "RTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, sizeof(buf), "%d", sig);
	return buf;
}

long
num_parse(const char *text)
{
	char *end;
	long value;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return value;
}

long
num_arg(const char *text, usage_fn *usage)
{
	long value = num_parse(text);

	if (value < 0)
		usage();
	return value;
}

int
sig_arg(const char *text, usage_fn *usage)
{
	int sig = sig_parse(text);

	if (sig < 0)
		usage();
	return sig;
}

int
sig_parse(const char *text)
{
	long offset;
	size_t i;

	if (strncasecmp(text, "SIG", 3) == 0)
		text += 3;
	if (strncasecmp(text, "RTMIN+", 6) == 0) {
		offset = num_parse(text + 6);
		return offset < 0 || offset > SIGRTMAX - SIGRTMIN
			       ? -1
			       : SIGRTMIN + (int)offset;
	}
	if (strcasecmp(text, "RTMIN") == 0)
		return SIGRTMIN;
	if (strcasecmp(text, "RTMAX") == 0)
		return SIGRTMAX;
	for (i = 0; i < N_SIG_NAMES; i++)
		if (strcasecmp(text, sig_names[i].name) == 0)
			return sig_names[i].sig;
	offset = num_parse(text);
	return offset > 0 && offset < NSIG ? (int)offset : -1;
}

uint64_t
status_mask(const char *field)
{
	size_t flen = strlen(field);
	char line[256];
	uint64_t mask = 0;
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (f == NULL)
		die_errno("open /proc/self/status");
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			mask = strtoull(line + flen + 1, NULL, 16);
			found = true;
		}
	}
	if (fclose(f) != 0)
		die_errno("close /proc/self/status");
	if (!found)
		die("no %s in /proc/self/status", field);
	return mask;
}

int64_t
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die_errno("clock_gettime");
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
sleep_ms(long ms)
{
	struct timespec left = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&left, &left) != 0)
		if (errno != EINTR)
			die_errno("nanosleep");
}

void
sig_fill_catchable(sigset_t *set)
{
	if (sigfillset(set) != 0 || sigdelset(set, SIGKILL) != 0 ||
	    sigdelset(set, SIGSTOP) != 0)
		die_errno("sigfillset");
}

int
sig_wait(const sigset_t *set, siginfo_t *info)
{
	int sig;

	while ((sig = sigwaitinfo(set, info)) < 0)
		if (errno != EINTR)
			die_errno("sigwaitinfo");
	return sig;
}

pid_t
sig_wait_sender(const sigset_t *set)
{
	siginfo_t info;

	sig_wait(set, &info);
	return info.si_pid;
}

void
make_orphan(orphan_fn *fn, void *ctx)
{
	pid_t middle, orphan;
	int status;

	middle = fork();
	if (middle < 0)
		die_errno("fork");
	if (middle == 0) {
		middle = getpid();
		orphan = fork();
		if (orphan == 0 && fn != NULL)
			fn(middle, ctx);
		/* Whether the fork failed or not, the middle one leaves. */
		_exit(orphan < 0 ? 1 : 0);
	}
	while (waitpid(middle, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("the middle process could not fork");
}
