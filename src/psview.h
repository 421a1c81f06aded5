/* SPDX-License-Identifier: MIT */
/* How gracectl ps writes its tree: a table for people, or one JSON
 * object. */
#ifndef GRACE_PSVIEW_H
#define GRACE_PSVIEW_H

#include <stddef.h>
#include <stdio.h>

#include "procinfo.h"

/* One process as it is written, in tree order. */
struct psview_row {
	const struct procinfo *info;
	unsigned depth;		/* 0 for a root */
	unsigned marks;		/* enum pstree_mark bits */
	const char *user;	/* the user's name; NULL: the uid number */
	const char *service;	/* NULL: none known ("-", JSON null) */
};

/*
 * The table: a header, then a line a process, "PID PPID PGID SID S USER
 * SERVICE COMMAND", the command indented under its parent's with "\_ ";
 * under it, one line a mark ("! own session") and one for each non-empty
 * mask ("caught: SIGHUP SIGTERM"; a run of three or more realtime
 * signals as "SIGRTMIN..SIGRTMIN+30").  The command is "[comm]" when
 * there is none (a kernel thread, a zombie).  Write errors are left in
 * out's error flag.
 */
void psview_text(const struct psview_row *rows, size_t n, FILE *out);

/*
 * One JSON object on one line:
 * {"processes":[{"pid":1,"ppid":0,"pgid":1,"sid":1,"state":"S",
 * "user":"root","uid":0,"service":null,"command":"...","signals":
 * {"caught":[...],"ignored":[...],"blocked":[...],"pending":[...]},
 * "marks":[...]},...]} in tree order.  user, uid and signals are null
 * when the process's status could not be read.  Strings are escaped as
 * logfmt escapes a line (valid JSON in valid UTF-8 whatever the bytes).
 * 0, or -1 when out of memory; write errors are left in out's flag.
 */
int psview_json(const struct psview_row *rows, size_t n, FILE *out);

#endif
