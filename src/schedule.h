/* SPDX-License-Identifier: MIT */
/* Cron schedules: parsed into bit sets, and the next run computed in a
 * time zone, with Vixie cron's rule at daylight-saving changes. */
#ifndef GRACE_SCHEDULE_H
#define GRACE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone.h"

/* No run at all (an @reboot job after its run, or none in ten years). */
#define SCHEDULE_NEVER INT64_MAX
/* The shortest @every. */
#define SCHEDULE_EVERY_MIN_MS 1000LL
/* How far ahead the next run is looked for. */
#define SCHEDULE_HORIZON_DAYS (10 * 366)

enum schedule_kind {
	SCHEDULE_CRON,		/* fields, or an @daily-style name */
	SCHEDULE_REBOOT,	/* @reboot: once, when grace starts */
	SCHEDULE_EVERY,		/* @every DURATION, from grace's start */
};

struct schedule {
	enum schedule_kind kind;
	uint64_t seconds;	/* bit N: second N (only 0 with 5 fields) */
	uint64_t minutes;	/* bit N: minute N */
	uint32_t hours;		/* bit N: hour N */
	uint32_t days;		/* bit N: day of the month N, 1 to 31 */
	uint16_t months;	/* bit N: month N, 1 to 12 */
	uint8_t weekdays;	/* bit N: weekday N, 0 Sunday (7 folded in) */
	/* Vixie cron: a day-of-month or day-of-week field starting with
	 * '*' is unrestricted; when neither is, a day matching either
	 * runs. */
	bool dom_star, dow_star;
	/* Neither the minute nor the hour field starts with '*': the job
	 * runs once when its time is skipped or repeated by a DST change. */
	bool fixed_time;
	long long every_ms;	/* SCHEDULE_EVERY */
};

/*
 * Parses a schedule at the start of text: five fields (minute hour
 * day-of-month month day-of-week), six with a leading seconds field, or
 * @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly,
 * @reboot, @every DURATION.  With rest NULL the whole text must be the
 * schedule (Schedule=); otherwise a command follows (a crontab line,
 * --cron): *rest points at it, past the blanks, and a sixth field is
 * taken as the schedule's only when it is a valid day-of-week field.
 * Pure.  0, or -1 with error holding the problem in one line.
 */
int schedule_parse(struct schedule *schedule, const char *text,
		   const char **rest, char *error, size_t error_len);

/*
 * The first run strictly after after_ms (UTC, ms since the epoch), in
 * zone (NULL: UTC), or SCHEDULE_NEVER.  origin_ms is grace's start, from
 * which @every counts.  At a DST change, as Vixie cron and cronie do: a
 * fixed-time job whose time is skipped runs once at the change; in a
 * repeated hour a fixed-time job runs in the first copy only, other jobs
 * in both.  Pure.
 */
int64_t schedule_next(const struct schedule *schedule,
		      const struct zone *zone, int64_t origin_ms,
		      int64_t after_ms);

/* Writes instant t (UTC seconds) as "2026-12-01 16:00:00 +01:00" in the
 * local time of zone, or "2026-12-01 15:00:00 UTC" with zone NULL;
 * returns buf. */
char *schedule_format(int64_t t, const struct zone *zone, char *buf,
		      size_t len);

#endif
