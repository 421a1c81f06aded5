// SPDX-License-Identifier: MIT
/* Uses up its descriptors, then hands orphans to the init. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/helper.h"

/*
 * Usage: fdhog SHORT LONG
 *
 * Opens /dev/null until open fails with EMFILE (run it under a small
 * RLIMIT_NOFILE) and logs "emfile opened=N".  Holding every descriptor, it
 * then makes SHORT orphans that exit at once and LONG orphans, each
 * double-forked so that the init (or the nearest subreaper) inherits it.
 * A long orphan gives back one descriptor to open the log as "orphan",
 * logs "ready", and waits for SIGTERM: logs "term from=PID" and exits 0.
 * The hog logs "orphaned short=SHORT long=LONG" and "ready", and waits for
 * SIGTERM too: logs "term from=PID" and dies of it.
 */

/* Opens /dev/null until the limit; returns the last descriptor opened. */
static int
hog_descriptors(void)
{
	int fd, last = -1;
	long n = 0;

	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		last = fd;
		n++;
	}
	if (errno != EMFILE)
		die_errno("open /dev/null");
	ev_log("emfile opened=%ld", n);
	return last;
}

/* Waits for SIGTERM, which the caller blocks; returns its sender. */
static pid_t
wait_for_term(const sigset_t *term)
{
	siginfo_t info;

	sig_wait(term, &info);
	return info.si_pid;
}

static void __attribute__((noreturn))
long_orphan(int spare_fd, const sigset_t *term)
{
	if (spare_fd < 0 || close(spare_fd) != 0)
		die("no descriptor to give back");
	ev_open("orphan");
	ev_log("ready");
	ev_log("term from=%d", (int)wait_for_term(term));
	_exit(0);
}

/* Forks a middle process that forks the orphan and exits at once; the
 * orphan exits at once too, or is a long orphan. */
static void
make_orphan(bool long_lived, int spare_fd, const sigset_t *term)
{
	pid_t middle, orphan;
	int status;

	middle = fork();
	if (middle < 0)
		die_errno("fork");
	if (middle == 0) {
		orphan = fork();
		if (orphan == 0 && long_lived)
			long_orphan(spare_fd, term);
		_exit(orphan < 0 ? 1 : 0);
	}
	while (waitpid(middle, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("the middle process could not fork");
}

int
main(int argc, char **argv)
{
	long n_short, n_long, i;
	sigset_t term;
	int spare;

	ev_open("fdhog");
	if (argc != 3 || (n_short = num_parse(argv[1])) < 0 ||
	    (n_long = num_parse(argv[2])) < 0) {
		fputs("usage: fdhog SHORT LONG\n", stderr);
		return 2;
	}
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	/* Blocked before the first fork: no orphan can miss its SIGTERM. */
	if (sigprocmask(SIG_BLOCK, &term, NULL) != 0)
		die_errno("sigprocmask");
	spare = hog_descriptors();
	for (i = 0; i < n_long; i++)
		make_orphan(true, spare, &term);
	for (i = 0; i < n_short; i++)
		make_orphan(false, spare, &term);
	ev_log("orphaned short=%ld long=%ld", n_short, n_long);
	ev_log("ready");
	ev_log("term from=%d", (int)wait_for_term(&term));
	if (sigprocmask(SIG_UNBLOCK, &term, NULL) != 0 || raise(SIGTERM) != 0)
		die_errno("raise");
	return 128 + SIGTERM;
}
