// SPDX-License-Identifier: MIT
/* Owns signal names and numbers, grace's signal mask and its signalfd. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>

#include "log.h"
#include "number.h"
#include "sig.h"

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

/* The signals the kernel sends a process for its own faults.  grace leaves
 * them unblocked so that a bug in grace shows as a crash, not a hang. */
static const int sig_faults[] = {
	SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGSYS, SIGTRAP,
};

/* The name of a classic (non-realtime) signal without "SIG", or NULL. */
static const char *
classic_name(int sig)
{
	size_t i;

	for (i = 0; i < sizeof(sig_names) / sizeof(sig_names[0]); i++)
		if (sig_names[i].sig == sig)
			return sig_names[i].name;
	return NULL;
}

/* Parses a whole decimal number in [0, max]; -1 for anything else. */
static int
parse_small_number(const char *text, int max)
{
	unsigned long long value;

	return number_parse(text, strlen(text), (unsigned long long)max,
			    &value) == 0
		       ? (int)value
		       : -1;
}

/* "RTMIN", "RTMIN+3", "RTMAX-1" -> number, or -1. */
static int
parse_realtime(const char *text)
{
	int base, offset = 0, sign;

	if (strncasecmp(text, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		sign = 1;
	} else if (strncasecmp(text, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		sign = -1;
	} else {
		return -1;
	}
	text += 5;
	if (*text != '\0') {
		if ((sign > 0 && *text != '+') || (sign < 0 && *text != '-'))
			return -1;
		offset = parse_small_number(text + 1, SIGRTMAX - SIGRTMIN);
		if (offset < 0)
			return -1;
	}
	return base + sign * offset;
}

int
sig_from_name(const char *text)
{
	int sig;
	size_t i;

	if (isdigit((unsigned char)*text)) {
		sig = parse_small_number(text, SIGRTMAX);
		if (sig <= 0)
			return -1;
		if (sig >= SIGRTMIN || classic_name(sig) != NULL)
			return sig;
		return -1;
	}
	if (strncasecmp(text, "SIG", 3) == 0)
		text += 3;
	for (i = 0; i < sizeof(sig_names) / sizeof(sig_names[0]); i++)
		if (strcasecmp(text, sig_names[i].name) == 0)
			return sig_names[i].sig;
	return parse_realtime(text);
}

const char *
sig_name(int sig, char buf[SIG_NAME_MAX])
{
	const char *name = classic_name(sig);

	if (name != NULL)
		snprintf(buf, SIG_NAME_MAX, "SIG%s", name);
	else if (sig == SIGRTMIN)
		snprintf(buf, SIG_NAME_MAX, "SIGRTMIN");
	else if (sig > SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, SIG_NAME_MAX, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, SIG_NAME_MAX, "signal %d", sig);
	return buf;
}

static bool
is_fault(int sig)
{
	size_t i;

	for (i = 0; i < sizeof(sig_faults) / sizeof(sig_faults[0]); i++)
		if (sig_faults[i] == sig)
			return true;
	return false;
}

/* Signals grace never forwards: those no process can catch, its own
 * SIGCHLD and SIGPIPE, and the faults. */
static bool
is_kept(int sig)
{
	return sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD ||
	       sig == SIGPIPE || is_fault(sig);
}

bool
sig_is_forwardable(int sig)
{
	if (sig <= 0 || sig > SIGRTMAX || is_kept(sig))
		return false;
	/* Numbers between the classic signals and SIGRTMIN belong to the C
	 * library (glibc's thread cancellation); they have no name. */
	return sig >= SIGRTMIN || classic_name(sig) != NULL;
}

/* The set grace blocks and reads: the forwardable signals and SIGCHLD. */
static void
fill_handled(sigset_t *set)
{
	size_t i;
	int sig;

	/* sig_is_forwardable(), walking the named and the realtime signals
	 * once rather than looking each number's name up. */
	sigemptyset(set);
	for (i = 0; i < sizeof(sig_names) / sizeof(sig_names[0]); i++)
		if (!is_kept(sig_names[i].sig))
			sigaddset(set, sig_names[i].sig);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(set, sig);
	sigaddset(set, SIGCHLD);
}

int
sig_setup(struct sig_inherited *inherited)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t handled;
	int fd;

	/* An inherited SIG_IGN for SIGCHLD would make the kernel reap our
	 * children behind our back and hide their exit status. */
	sigemptyset(&dfl.sa_mask);
	sigemptyset(&ign.sa_mask);
	if (sigaction(SIGCHLD, &dfl, &inherited->chld) < 0)
		die_errno("unable to reset SIGCHLD");
	if (sigaction(SIGPIPE, &ign, &inherited->pipe) < 0)
		die_errno("unable to ignore SIGPIPE");
	fill_handled(&handled);
	if (sigprocmask(SIG_BLOCK, &handled, NULL) < 0)
		die_errno("unable to block signals");
	fd = signalfd(-1, &handled, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		die_errno("unable to create signalfd");
	return fd;
}

int
sig_restore_for_child(const struct sig_inherited *inherited)
{
	sigset_t none;

	if (sigaction(SIGCHLD, &inherited->chld, NULL) < 0 ||
	    sigaction(SIGPIPE, &inherited->pipe, NULL) < 0)
		return -errno;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return -errno;
	return 0;
}
