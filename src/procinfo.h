/* SPDX-License-Identifier: MIT */
/* One process as /proc describes it: parsing its stat and status text,
 * and naming the signals of its masks. */
#ifndef GRACE_PROCINFO_H
#define GRACE_PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sig.h"

/* The longest comm the kernel keeps is 15 bytes (TASK_COMM_LEN - 1); room
 * for more, in case that grows. */
#define PROCINFO_COMM_MAX 64

/* The masks of /proc/PID/status, one bit per signal: bit N-1 is signal N. */
enum procinfo_mask {
	PROCINFO_CAUGHT,	/* SigCgt: a handler is installed */
	PROCINFO_IGNORED,	/* SigIgn: SIG_IGN */
	PROCINFO_BLOCKED,	/* SigBlk: the (main thread's) signal mask */
	PROCINFO_PENDING,	/* SigPnd | ShdPnd: sent, not yet taken */
	PROCINFO_MASKS,
};

struct procinfo {
	/* From /proc/PID/stat. */
	pid_t pid, ppid, pgid, sid;
	char state;			/* 'R', 'S', 'Z'... */
	bool kernel_thread;		/* PF_KTHREAD in the flags */
	char comm[PROCINFO_COMM_MAX];
	/* From /proc/PID/status; has_status false when it was not read. */
	bool has_status;
	uid_t uid;			/* the effective uid, as ps's USER */
	uint64_t masks[PROCINFO_MASKS];
	/* The command line, NULs turned to spaces; NULL when empty (a
	 * kernel thread, a zombie). Owned: procinfo_free(). */
	char *command;
};

/*
 * Parses the text of /proc/PID/stat ("PID (COMM) S PPID PGRP SESSION TTY
 * TPGID FLAGS ..."): pid, comm, state, ppid, pgid, sid and whether it is
 * a kernel thread.  comm is chosen by the process and may hold spaces and
 * parentheses: it ends at the last ')'.  0, or -1 for text that is not a
 * stat line (nothing in *info is to be trusted then).
 */
int procinfo_parse_stat(const char *text, struct procinfo *info);

/*
 * Parses the text of /proc/PID/status: the effective uid from "Uid:" and
 * the masks from SigPnd, ShdPnd (both pending), SigBlk, SigIgn and SigCgt.
 * Every one of those lines must be there, well-formed; 0 (has_status set),
 * or -1.  Other lines are skipped.
 */
int procinfo_parse_status(const char *text, struct procinfo *info);

/*
 * Takes len bytes of /proc/PID/cmdline as the command: the NULs between
 * arguments (and any other control byte) become spaces, trailing ones are
 * dropped.  0, or -1 when out of memory; an empty command stays NULL.
 */
int procinfo_set_command(struct procinfo *info, const char *bytes,
			 size_t len);
void procinfo_free(struct procinfo *info);

/* The signals a mask can hold: 1 to PROCINFO_SIGNALS. */
#define PROCINFO_SIGNALS 64

/* The name of signal sig in a list of a mask's signals: "SIGTERM",
 * "SIGRTMIN+3" as sig_name() writes them, "SIG32" for a number the C
 * library keeps for itself; always one word.  Returns buf. */
const char *procinfo_signal_name(int sig, char buf[SIG_NAME_MAX]);

/* Whether signal sig is in mask. */
bool procinfo_has_signal(uint64_t mask, int sig);

#endif
