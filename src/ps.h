/* SPDX-License-Identifier: MIT */
/* gracectl ps: the processes of the container, read from /proc. */
#ifndef GRACE_PS_H
#define GRACE_PS_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Reads every process from /proc (a process that exits meanwhile is left
 * out), chooses whose tree to show (pstree_choose_root()) and writes it
 * to out as a table or, json, one JSON object.  The service each process
 * belongs to comes from grace at control (NULL: where it listens by
 * default), when it answers; ps needs no grace.  0, or -1 after saying on
 * stderr why /proc could not be read or out not written.
 */
int ps_run(bool json, const char *control, FILE *out);

#endif
