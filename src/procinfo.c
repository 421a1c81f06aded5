// SPDX-License-Identifier: MIT
/* Owns reading one process out of the text /proc gives for it: its stat
 * and status lines, its command line, and the names of the signals in its
 * masks.  Pure: the text is given, /proc is never opened here. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "procinfo.h"
#include "sig.h"

/* PF_KTHREAD, in the flags field of /proc/PID/stat (include/linux/sched.h). */
#define PF_KTHREAD 0x00200000UL


/* A whole decimal number in [0, max] ending at a space or the end of the
 * text; advances *text past it.  0, or -1. */
static int
take_number(const char **text, unsigned long long max,
	    unsigned long long *value)
{
	size_t len = strcspn(*text, " ");

	if (number_parse(*text, len, max, value) < 0)
		return -1;
	*text += len;
	if (**text == ' ')
		(*text)++;
	return 0;
}

/* As take_number(), for a pid field that may be negative in one case:
 * tpgid is -1 without a terminal (we skip it, never store it). */
static int
skip_field(const char **text)
{
	size_t len = strcspn(*text, " ");

	if (len == 0)
		return -1;
	*text += len;
	if (**text == ' ')
		(*text)++;
	return 0;
}

int
procinfo_parse_stat(const char *text, struct procinfo *info)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	unsigned long long pid, ppid, pgid, sid, flags;
	size_t comm_len;
	const char *p;

	if (open == NULL || close == NULL || close < open || open == text ||
	    open[-1] != ' ')
		return -1;
	if (number_parse(text, (size_t)(open - 1 - text), INT_MAX, &pid) < 0)
		return -1;
	comm_len = (size_t)(close - open - 1);
	if (comm_len >= sizeof(info->comm))
		comm_len = sizeof(info->comm) - 1;
	/* After the comm: " S PPID PGRP SESSION TTY_NR TPGID FLAGS ...". */
	p = close + 1;
	if (p[0] != ' ' || p[1] == '\0' || p[1] == ' ' || p[2] != ' ')
		return -1;
	info->state = p[1];
	p += 3;
	if (take_number(&p, INT_MAX, &ppid) < 0 ||
	    take_number(&p, INT_MAX, &pgid) < 0 ||
	    take_number(&p, INT_MAX, &sid) < 0 || skip_field(&p) < 0 ||
	    skip_field(&p) < 0 || take_number(&p, ULLONG_MAX, &flags) < 0)
		return -1;
	memcpy(info->comm, open + 1, comm_len);
	info->comm[comm_len] = '\0';
	info->pid = (pid_t)pid;
	info->ppid = (pid_t)ppid;
	info->pgid = (pid_t)pgid;
	info->sid = (pid_t)sid;
	info->kernel_thread = (flags & PF_KTHREAD) != 0;
	return 0;
}

/* Exactly 16 hex digits, as the kernel writes a mask. */
static int
parse_mask(const char *text, size_t len, uint64_t *mask)
{
	uint64_t value = 0;
	size_t i;
	char c;

	if (len != 16)
		return -1;
	for (i = 0; i < len; i++) {
		c = text[i];
		value <<= 4;
		if (c >= '0' && c <= '9')
			value |= (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			value |= (uint64_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			value |= (uint64_t)(c - 'A' + 10);
		else
			return -1;
	}
	*mask = value;
	return 0;
}

/* "real\teffective\tsaved\tfs": the second, the effective uid. */
static int
parse_uid(const char *text, size_t len, uid_t *uid)
{
	const char *tab = memchr(text, '\t', len);
	unsigned long long value;
	size_t rest, n;

	if (tab == NULL)
		return -1;
	rest = len - (size_t)(tab + 1 - text);
	n = strcspn(tab + 1, "\t\n");
	if (n > rest)
		n = rest;
	if (number_parse(tab + 1, n, UINT_MAX - 1, &value) < 0)
		return -1;
	*uid = (uid_t)value;
	return 0;
}

/* The status lines procinfo_parse_status() needs, as bits of "seen". */
enum {
	SEEN_UID = 1 << 0,
	SEEN_PND = 1 << 1,
	SEEN_SHD = 1 << 2,
	SEEN_BLK = 1 << 3,
	SEEN_IGN = 1 << 4,
	SEEN_CGT = 1 << 5,
	SEEN_ALL = (1 << 6) - 1,
};

/* One "Key:\tvalue" line of the status file into info; which one it was
 * as a SEEN_ bit (0: a line we do not need), or -1 when it is one we need
 * and it is malformed. */
static int
take_status_line(const char *line, size_t len, struct procinfo *info)
{
	static const struct {
		const char *key;
		int seen;
		int mask;
	} keys[] = {
		{ "SigPnd:\t", SEEN_PND, PROCINFO_PENDING },
		{ "ShdPnd:\t", SEEN_SHD, PROCINFO_PENDING },
		{ "SigBlk:\t", SEEN_BLK, PROCINFO_BLOCKED },
		{ "SigIgn:\t", SEEN_IGN, PROCINFO_IGNORED },
		{ "SigCgt:\t", SEEN_CGT, PROCINFO_CAUGHT },
	};
	size_t i, klen;
	uint64_t mask;

	if (len > 5 && memcmp(line, "Uid:\t", 5) == 0)
		return parse_uid(line + 5, len - 5, &info->uid) == 0 ? SEEN_UID
								     : -1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		klen = strlen(keys[i].key);
		if (len < klen || memcmp(line, keys[i].key, klen) != 0)
			continue;
		if (parse_mask(line + klen, len - klen, &mask) < 0)
			return -1;
		/* Pending for the thread and for the whole process alike. */
		info->masks[keys[i].mask] |= mask;
		return keys[i].seen;
	}
	return 0;
}

int
procinfo_parse_status(const char *text, struct procinfo *info)
{
	const char *line = text, *end;
	int seen = 0, bit;
	size_t len;

	memset(info->masks, 0, sizeof(info->masks));
	info->has_status = false;
	while (*line != '\0') {
		end = strchr(line, '\n');
		len = end ? (size_t)(end - line) : strlen(line);
		bit = take_status_line(line, len, info);
		if (bit < 0 || (seen & bit) != 0)
			return -1;	/* malformed, or a line twice */
		seen |= bit;
		line += len + (end != NULL);
	}
	if (seen != SEEN_ALL)
		return -1;
	info->has_status = true;
	return 0;
}

int
procinfo_set_command(struct procinfo *info, const char *bytes, size_t len)
{
	size_t i;
	char *command;

	while (len > 0 && ((unsigned char)bytes[len - 1] <= ' ' ||
			   (unsigned char)bytes[len - 1] == 0x7f))
		len--;
	free(info->command);
	info->command = NULL;
	if (len == 0)
		return 0;
	command = malloc(len + 1);
	if (command == NULL)
		return -1;
	for (i = 0; i < len; i++) {
		/* A control byte would move a terminal's cursor; NUL is
		 * the separator between arguments. */
		unsigned char c = (unsigned char)bytes[i];

		if (c < ' ' || c == 0x7f)
			command[i] = ' ';
		else
			command[i] = (char)c;
	}
	command[len] = '\0';
	info->command = command;
	return 0;
}

void
procinfo_free(struct procinfo *info)
{
	free(info->command);
	info->command = NULL;
}

bool
procinfo_has_signal(uint64_t mask, int sig)
{
	return sig >= 1 && sig <= PROCINFO_SIGNALS &&
	       (mask & (UINT64_C(1) << (sig - 1))) != 0;
}

const char *
procinfo_signal_name(int sig, char buf[SIG_NAME_MAX])
{
	/* The numbers between the classic signals and the C library's
	 * SIGRTMIN (32 and 33 under glibc) have no name; one word keeps a
	 * list of names easy to split. */
	if (strncmp(sig_name(sig, buf), "signal ", 7) == 0)
		snprintf(buf, SIG_NAME_MAX, "SIG%d", sig);
	return buf;
}
