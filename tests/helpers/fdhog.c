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

/* What a long orphan needs from the hog. */
struct long_orphan {
	int spare_fd;		/* a descriptor to give back for the log */
	const sigset_t *term;	/* SIGTERM, blocked */
};

static void __attribute__((noreturn))
long_orphan(pid_t middle, void *ctx)
{
	const struct long_orphan *lo = ctx;

	(void)middle;
	if (lo->spare_fd < 0 || close(lo->spare_fd) != 0)
		die("no descriptor to give back");
	ev_open("orphan");
	ev_log("ready");
	ev_log("term from=%d", (int)sig_wait_sender(lo->term));
	_exit(0);
}

int
main(int argc, char **argv)
{
	long n_short, n_long, i;
	struct long_orphan lo;
	sigset_t term;

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
	lo.spare_fd = hog_descriptors();
	lo.term = &term;
	for (i = 0; i < n_long; i++)
		make_orphan(long_orphan, &lo);
	for (i = 0; i < n_short; i++)
		make_orphan(NULL, NULL);
	ev_log("orphaned short=%ld long=%ld", n_short, n_long);
	ev_log("ready");
	ev_log("term from=%d", (int)sig_wait_sender(&term));
	if (sigprocmask(SIG_UNBLOCK, &term, NULL) != 0 || raise(SIGTERM) != 0)
		die_errno("raise");
	return 128 + SIGTERM;
}
