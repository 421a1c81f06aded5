// SPDX-License-Identifier: MIT
/* Owns how gracectl ps writes the processes it found: the table with the
 * tree, masks and marks under each process, and the same as one JSON
 * object.  Pure: it writes to the stream it is given. */
#include <signal.h>
#include <string.h>

#include "logfmt.h"
#include "psview.h"
#include "pstree.h"

/* The masks in the order they are written, with their names. */
static const struct {
	enum procinfo_mask mask;
	const char *name;
} mask_names[] = {
	{ PROCINFO_CAUGHT, "caught" },
	{ PROCINFO_IGNORED, "ignored" },
	{ PROCINFO_BLOCKED, "blocked" },
	{ PROCINFO_PENDING, "pending" },
};

#define N_MASKS (sizeof(mask_names) / sizeof(mask_names[0]))

/* The decimal digits of a non-negative value. */
static int
digits(long value)
{
	int n = 1;

	while (value >= 10) {
		value /= 10;
		n++;
	}
	return n;
}

/* The user column of a row: the name, or the uid, or "?" when the status
 * was not read. */
static const char *
user_text(const struct psview_row *row, char buf[16])
{
	if (row->user != NULL)
		return row->user;
	if (!row->info->has_status)
		return "?";
	snprintf(buf, 16, "%u", (unsigned)row->info->uid);
	return buf;
}

/* The widths of the table's variable columns. */
struct widths {
	int id, user, service;
};

static struct widths
measure(const struct psview_row *rows, size_t n)
{
	struct widths w = { 4, 4, 7 };
	const struct procinfo *p;
	char buf[16];
	size_t i;
	int len;

	for (i = 0; i < n; i++) {
		p = rows[i].info;
		len = digits(p->pid > p->ppid ? p->pid : p->ppid);
		len = len > digits(p->pgid) ? len : digits(p->pgid);
		len = len > digits(p->sid) ? len : digits(p->sid);
		w.id = w.id > len ? w.id : len;
		len = (int)strlen(user_text(&rows[i], buf));
		w.user = w.user > len ? w.user : len;
		len = rows[i].service ? (int)strlen(rows[i].service) : 1;
		w.service = w.service > len ? w.service : len;
	}
	return w;
}

/* The last signal of the run of consecutive realtime signals in mask that
 * starts at sig (sig itself when there is no such run). */
static int
run_end(uint64_t mask, int sig)
{
	int end = sig;

	if (sig < SIGRTMIN)
		return sig;
	while (end < PROCINFO_SIGNALS && procinfo_has_signal(mask, end + 1))
		end++;
	return end;
}

/* "SIGHUP SIGTERM SIGRTMIN..SIGRTMIN+30": a run of three or more
 * realtime signals shortened, the rest by name. */
static void
write_signal_list(uint64_t mask, FILE *out)
{
	char name[SIG_NAME_MAX];
	const char *space = "";
	int sig, end;

	for (sig = 1; sig <= PROCINFO_SIGNALS; sig++) {
		if (!procinfo_has_signal(mask, sig))
			continue;
		fprintf(out, "%s%s", space, procinfo_signal_name(sig, name));
		space = " ";
		end = run_end(mask, sig);
		if (end - sig >= 2) {
			fprintf(out, "..%s", procinfo_signal_name(end, name));
			sig = end;
		}
	}
}

/* The lines under a process: its marks, then its non-empty masks, each
 * indented by indent spaces. */
static void
write_details(const struct psview_row *row, int indent, FILE *out)
{
	const struct procinfo *p = row->info;
	unsigned bit;
	size_t i;

	for (bit = 0; bit < PSTREE_MARKS; bit++)
		if (row->marks & (1U << bit))
			fprintf(out, "%*s! %s\n", indent, "",
				pstree_mark_text((enum pstree_mark)(1U << bit)));
	if (!p->has_status)
		return;
	for (i = 0; i < N_MASKS; i++) {
		if (p->masks[mask_names[i].mask] == 0)
			continue;
		fprintf(out, "%*s%s: ", indent, "", mask_names[i].name);
		write_signal_list(p->masks[mask_names[i].mask], out);
		fputc('\n', out);
	}
}

void
psview_text(const struct psview_row *rows, size_t n, FILE *out)
{
	struct widths w = measure(rows, n);
	const struct procinfo *p;
	int column, indent;
	char buf[16];
	size_t i;

	/* Where COMMAND starts: four ids, the state, user, service. */
	column = 4 * (w.id + 1) + 2 + (w.user + 1) + (w.service + 1);
	fprintf(out, "%*s %*s %*s %*s S %-*s %-*s COMMAND\n", w.id, "PID",
		w.id, "PPID", w.id, "PGID", w.id, "SID", w.user, "USER",
		w.service, "SERVICE");
	for (i = 0; i < n; i++) {
		p = rows[i].info;
		fprintf(out, "%*d %*d %*d %*d %c %-*s %-*s ", w.id, (int)p->pid,
			w.id, (int)p->ppid, w.id, (int)p->pgid, w.id,
			(int)p->sid, p->state, w.user,
			user_text(&rows[i], buf), w.service,
			rows[i].service ? rows[i].service : "-");
		/* A child's command under its parent's: "\_ " three
		 * columns in a level. */
		if (rows[i].depth > 0)
			fprintf(out, "%*s\\_ ", 3 * (int)(rows[i].depth - 1),
				"");
		if (p->command != NULL)
			fprintf(out, "%s\n", p->command);
		else
			fprintf(out, "[%s]\n", p->comm);
		indent = column + 3 * (int)rows[i].depth + 2;
		write_details(&rows[i], indent, out);
	}
}

/* "caught":[...],...: every mask as a list of names (JSON names never
 * hold anything to escape). */
static void
put_signals(const struct procinfo *p, FILE *out)
{
	char name[SIG_NAME_MAX];
	const char *comma;
	size_t i;
	int sig;

	if (!p->has_status) {
		fputs("null", out);
		return;
	}
	fputc('{', out);
	for (i = 0; i < N_MASKS; i++) {
		fprintf(out, "%s\"%s\":[", i ? "," : "", mask_names[i].name);
		comma = "";
		for (sig = 1; sig <= PROCINFO_SIGNALS; sig++) {
			if (!procinfo_has_signal(p->masks[mask_names[i].mask],
						 sig))
				continue;
			fprintf(out, "%s\"%s\"", comma,
				procinfo_signal_name(sig, name));
			comma = ",";
		}
		fputc(']', out);
	}
	fputc('}', out);
}

/* One process's object. */
static int
put_process(const struct psview_row *row, FILE *out)
{
	const struct procinfo *p = row->info;
	char bracketed[PROCINFO_COMM_MAX + 3];	/* "[comm]" */
	const char *comma = "", *mark;
	unsigned bit;

	fprintf(out, "{\"pid\":%d,\"ppid\":%d,\"pgid\":%d,\"sid\":%d,"
		     "\"state\":",
		(int)p->pid, (int)p->ppid, (int)p->pgid, (int)p->sid);
	bracketed[0] = p->state;
	bracketed[1] = '\0';
	if (logfmt_put_json_string(bracketed, out) < 0)
		return -1;
	fputs(",\"user\":", out);
	if (row->user != NULL) {
		if (logfmt_put_json_string(row->user, out) < 0)
			return -1;
	} else {
		fputs("null", out);
	}
	if (p->has_status)
		fprintf(out, ",\"uid\":%u,\"service\":", (unsigned)p->uid);
	else
		fputs(",\"uid\":null,\"service\":", out);
	if (row->service != NULL) {
		if (logfmt_put_json_string(row->service, out) < 0)
			return -1;
	} else {
		fputs("null", out);
	}
	fputs(",\"command\":", out);
	if (p->command == NULL)
		snprintf(bracketed, sizeof(bracketed), "[%s]", p->comm);
	if (logfmt_put_json_string(p->command ? p->command : bracketed,
				   out) < 0)
		return -1;
	fputs(",\"signals\":", out);
	put_signals(p, out);
	fputs(",\"marks\":[", out);
	for (bit = 0; bit < PSTREE_MARKS; bit++) {
		if (!(row->marks & (1U << bit)))
			continue;
		fprintf(out, "%s", comma);
		mark = pstree_mark_text((enum pstree_mark)(1U << bit));
		if (logfmt_put_json_string(mark, out) < 0)
			return -1;
		comma = ",";
	}
	fputs("]}", out);
	return 0;
}

int
psview_json(const struct psview_row *rows, size_t n, FILE *out)
{
	size_t i;

	fputs("{\"processes\":[", out);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', out);
		if (put_process(&rows[i], out) < 0)
			return -1;
	}
	fputs("]}\n", out);
	return 0;
}
