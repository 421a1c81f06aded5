// SPDX-License-Identifier: MIT
/* libFuzzer target: cron schedules (src/schedule.c) and crontabs
 * (src/crontab.c), with the promises each makes checked: a schedule that
 * parsed has sane fields, its runs come strictly one after the other and
 * match its fields, and its times format within their buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crontab.h"
#include "fuzz_input.h"
#include "schedule.h"
#include "zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DAY_MS (86400LL * 1000)

/* Instants the runs are looked for after, in ms: the epoch, 2026, just
 * before and at Berlin's changes of 2027, 1900, the end of 2099. */
static const int64_t instants[] = {
	0,
	1767225600000,
	1806195599999,
	1824944400000,
	-2208988800000,
	4102444799000,
};

/* Berlin's rule, built without reading a file. */
static const struct zone *
berlin(void)
{
	static struct zone zone;
	static int state;	/* 0 not built, 1 built, -1 unusable */

	if (state == 0) {
		zone_init_utc(&zone);
		if (zone_parse_rule(&zone.rule, "CET-1CEST,M3.5.0,M10.5.0/3") ==
		    0) {
			zone.has_rule = true;
			zone.initial_off = zone.rule.std_off;
			state = 1;
		} else {
			state = -1;
		}
	}
	return state == 1 ? &zone : NULL;
}

/* A parsed schedule's fields stay within their ranges, and none is
 * empty. */
static void
check_fields(const struct schedule *s)
{
	switch (s->kind) {
	case SCHEDULE_REBOOT:
		return;
	case SCHEDULE_EVERY:
		if (s->every_ms < SCHEDULE_EVERY_MIN_MS)
			abort();
		return;
	case SCHEDULE_CRON:
		break;
	default:
		abort();
	}
	if (s->seconds == 0 || s->seconds >> 60 != 0 || s->minutes == 0 ||
	    s->minutes >> 60 != 0 || s->hours == 0 || s->hours >> 24 != 0 ||
	    (s->days & ~0xfffffffeu) != 0 || s->days == 0 ||
	    (s->months & ~0x1ffeu) != 0 || s->months == 0 ||
	    s->weekdays == 0 || s->weekdays >> 7 != 0)
		abort();
}

/* Whether a run at t (UTC ms) matches the fields, read in UTC. */
static void
check_match(const struct schedule *s, int64_t t)
{
	int64_t secs = t / 1000, day, sod, y;
	unsigned m, d;
	bool dom, dow;

	if (t % 1000 != 0)
		abort();
	day = secs / 86400 - (secs % 86400 < 0);
	sod = secs - day * 86400;
	zone_civil_from_days(day, &y, &m, &d);
	dom = s->days >> d & 1;
	dow = s->weekdays >> zone_weekday(day) & 1;
	if (!(s->seconds >> (sod % 60) & 1) ||
	    !(s->minutes >> (sod / 60 % 60) & 1) ||
	    !(s->hours >> (sod / 3600) & 1) || !(s->months >> m & 1) ||
	    !(s->dom_star || s->dow_star ? dom && dow : dom || dow))
		abort();
}

/* Runs from each instant: strictly later each time, or never again. */
static void
check_runs(const struct schedule *s, const struct zone *zone, bool utc)
{
	int64_t t, next, origin = instants[1];
	size_t i, k;

	for (i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		t = instants[i];
		for (k = 0; k < 4; k++) {
			next = schedule_next(s, zone, origin, t);
			if (next == SCHEDULE_NEVER)
				break;
			if (next <= t)
				abort();
			if (s->kind == SCHEDULE_REBOOT)
				abort();
			if (s->kind == SCHEDULE_CRON) {
				if (next - t > (int64_t)(SCHEDULE_HORIZON_DAYS +
							 1) * DAY_MS)
					abort();
				if (utc)
					check_match(s, next);
			}
			t = next;
		}
	}
}

/* Formats t within exactly len bytes, which ASan guards. */
static void
check_format(int64_t t, const struct zone *zone, size_t len)
{
	char *buf = malloc(len);

	if (buf == NULL)
		return;
	if (schedule_format(t, zone, buf, len) != buf ||
	    (len > 0 && strlen(buf) >= len))
		abort();
	free(buf);
}

static void
fuzz_schedule(const char *text, bool with_rest, size_t format_len)
{
	struct schedule s;
	struct zone utc;
	const char *rest = NULL;
	char error[256];
	size_t i;

	error[0] = '\0';
	if (schedule_parse(&s, text, with_rest ? &rest : NULL, error,
			   sizeof(error)) != 0) {
		if (error[0] == '\0')
			abort();	/* every failure says why */
		return;
	}
	if (with_rest && (rest == NULL || rest < text ||
			  rest >= text + strlen(text) || *rest == ' ' ||
			  *rest == '\t'))
		abort();
	check_fields(&s);
	zone_init_utc(&utc);
	check_runs(&s, &utc, true);
	check_runs(&s, NULL, true);
	if (berlin() != NULL)
		check_runs(&s, berlin(), false);
	for (i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		check_format(instants[i] / 1000, NULL, format_len);
		check_format(instants[i] / 1000, &utc, format_len);
		if (berlin() != NULL)
			check_format(instants[i] / 1000, berlin(), format_len);
	}
}

/* A crontab that parsed has jobs, each a shell job with its schedule. */
static void
fuzz_crontab(const char *text, size_t len)
{
	struct unit *units = NULL;
	char error[256];
	size_t n = 0, i;

	error[0] = '\0';
	if (crontab_parse("crontab", text, len, &units, &n, error,
			  sizeof(error)) == 0) {
		if (n == 0)
			abort();
		for (i = 0; i < n; i++) {
			if (!unit_valid_name(units[i].name) ||
			    !units[i].exec_shell || !units[i].is_job ||
			    units[i].exec_start.text == NULL ||
			    units[i].schedule_text.text == NULL ||
			    units[i].type != UNIT_ONESHOT)
				abort();
			check_fields(&units[i].schedule);
		}
	} else if (strncmp(error, "crontab", 7) != 0) {
		abort();	/* every failure says where */
	}
	for (i = 0; i < n; i++)
		unit_free(&units[i]);
	free(units);
}

/* The input: a first byte that picks the parser (and a length for the
 * formatted times), then its text; the crontab gets the bytes as they
 * are, NULs and all. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_schedule(text, false, data[0] / 3 % 40);
		break;
	case 1:
		fuzz_schedule(text, true, data[0] / 3 % 40);
		break;
	case 2:
		fuzz_crontab(text, size - 1);
		break;
	}
	free(text);
	return 0;
}
