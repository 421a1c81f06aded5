// SPDX-License-Identifier: MIT
/* Owns the rendering of `gracectl status`: rows of plain data into a
 * table or JSON, and the health verdict.  Pure: no clock is read. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "logfmt.h"
#include "status.h"

const char *
status_format_age(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms / 1000;

	if (s < 60)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", s / 60,
			 s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", s / 3600,
			 s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRId64 "d%02" PRId64 "h", s / 86400,
			 s % 86400 / 3600);
	return buf;
}

/* A realtime instant in UTC: "2026-12-01T13:30:00Z". */
static const char *
format_utc(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}

/* The LAST column: "0", "1 failed", "143"; "-" when none ended. */
static const char *
format_last(const struct status_row *row, char *buf, size_t len)
{
	if (!row->ended)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%d%s", row->last_code,
			 row->last_clean ? "" : " failed");
	return buf;
}

/* The NEXT column: "in 42s (2026-12-01T13:30:00Z)"; "-" for none. */
static const char *
format_next(const struct status_row *row, int64_t now_ms, char *buf,
	    size_t len)
{
	char age[32], utc[32];
	int64_t wait = row->next_run_ms - now_ms;

	if (row->next_run_ms < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "in %s (%s)",
			 status_format_age(wait < 0 ? 0 : wait + 999, age,
					   sizeof(age)),
			 format_utc(row->next_run_ms, utc, sizeof(utc)));
	return buf;
}

/* Characters of a name shown in the table, so a long one cannot push
 * the columns out of line without bound. */
#define NAME_WIDTH_MAX 32

void
status_print_text(const struct status_row *rows, size_t n, int64_t now_ms,
		  FILE *out)
{
	char pid[16], up[32], last[32], next[80];
	int width = 4;
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = strlen(rows[i].name);
		if ((int)len > width)
			width = len > NAME_WIDTH_MAX ? NAME_WIDTH_MAX
						     : (int)len;
	}
	fprintf(out, "%-*s  %-7s  %-9s  %-5s  %7s  %7s  %8s  %-9s  %s\n",
		width, "NAME", "KIND", "STATE", "READY", "PID", "UPTIME",
		"RESTARTS", "LAST", "NEXT");
	for (i = 0; i < n; i++) {
		const struct status_row *row = &rows[i];

		if (row->pid > 0)
			snprintf(pid, sizeof(pid), "%d", (int)row->pid);
		else
			snprintf(pid, sizeof(pid), "-");
		if (row->uptime_ms >= 0)
			status_format_age(row->uptime_ms, up, sizeof(up));
		else
			snprintf(up, sizeof(up), "-");
		fprintf(out,
			"%-*.*s  %-7s  %-9s  %-5s  %7s  %7s  %8lu  %-9s  %s\n",
			width, NAME_WIDTH_MAX, row->name,
			row->job ? "job" : "service", row->state,
			row->job ? "-" : row->ready ? "yes" : "no", pid, up,
			row->restarts, format_last(row, last, sizeof(last)),
			format_next(row, now_ms, next, sizeof(next)));
	}
}

/* A JSON string of text, quoted; null when there is no memory for it. */
static void
print_json_string(const char *text, FILE *out)
{
	if (logfmt_put_json_string(text, out) < 0)
		fputs("null", out);
}

static void
print_json_row(const struct status_row *row, FILE *out)
{
	fputs("{\"name\":", out);
	print_json_string(row->name, out);
	fputs(",\"state\":", out);
	print_json_string(row->state, out);
	fprintf(out, ",\"essential\":%s", row->essential ? "true" : "false");
	if (!row->job)
		fprintf(out, ",\"ready\":%s", row->ready ? "true" : "false");
	else
		fprintf(out, ",\"running\":%u", row->running);
	if (row->pid > 0)
		fprintf(out, ",\"pid\":%d", (int)row->pid);
	else
		fputs(",\"pid\":null", out);
	if (row->uptime_ms >= 0)
		fprintf(out, ",\"uptime_ms\":%" PRId64, row->uptime_ms);
	else
		fputs(",\"uptime_ms\":null", out);
	fprintf(out, ",\"%s\":%lu", row->job ? "runs" : "restarts",
		row->restarts);
	if (row->ended)
		fprintf(out, ",\"last_exit\":{\"code\":%d,\"clean\":%s}",
			row->last_code, row->last_clean ? "true" : "false");
	else
		fputs(",\"last_exit\":null", out);
	if (row->job && row->next_run_ms >= 0)
		fprintf(out, ",\"next_run_ms\":%" PRId64, row->next_run_ms);
	else if (row->job)
		fputs(",\"next_run_ms\":null", out);
	fputc('}', out);
}

void
status_print_json(const struct status_row *rows, size_t n, int64_t now_ms,
		  FILE *out)
{
	bool job;
	size_t i, shown;

	fprintf(out, "{\"now_ms\":%" PRId64, now_ms);
	for (job = false;; job = true) {
		fprintf(out, ",\"%s\":[", job ? "jobs" : "services");
		for (i = 0, shown = 0; i < n; i++) {
			if (rows[i].job != job)
				continue;
			if (shown++ > 0)
				fputc(',', out);
			print_json_row(&rows[i], out);
		}
		fputc(']', out);
		if (job)
			break;
	}
	fputs("}\n", out);
}

bool
status_healthy(const struct status_row *rows, size_t n,
	       const struct status_row **culprit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (rows[i].job || !rows[i].essential || rows[i].ready)
			continue;
		*culprit = &rows[i];
		return false;
	}
	*culprit = NULL;
	return true;
}
