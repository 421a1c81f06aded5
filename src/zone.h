/* SPDX-License-Identifier: MIT */
/* Time zones: TZif files and POSIX TZ rules, read without libc's tz code,
 * so that each job may have its own zone in one process. */
#ifndef GRACE_ZONE_H
#define GRACE_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where zone files are, unless TZDIR says otherwise. */
#define ZONE_DIR "/usr/share/zoneinfo"
/* The longest zone name kept. */
#define ZONE_NAME_MAX 64

/* When a POSIX rule's change happens in a year: "Jn" (1..365, Feb 29
 * never counted), "n" (0..365, counted), or "Mm.w.d" (day d, 0 Sunday, of
 * week w, 5 the last, of month m), at time seconds after local midnight
 * (may be negative or above 24 h, as RFC 8536 allows). */
struct zone_when {
	enum { ZONE_JULIAN1, ZONE_JULIAN0, ZONE_MWD } kind;
	int day;		/* n for the two Julian forms, d for MWD */
	int week, month;	/* MWD only */
	int32_t time;		/* default 7200 (02:00) */
};

/* A POSIX TZ string: "CET-1CEST,M3.5.0,M10.5.0/3", "UTC0", "<+03>-3". */
struct zone_rule {
	int32_t std_off;	/* seconds east of UTC (the sign of POSIX's
				 * offset flipped) */
	bool has_dst;
	int32_t dst_off;	/* default std_off + 3600 */
	struct zone_when start, end;	/* DST starts (in standard time),
					 * ends (in DST) */
};

/* A zone: its transitions, then its rule for every instant after the
 * last of them. */
struct zone {
	char name[ZONE_NAME_MAX + 1];
	int64_t *times;		/* transition instants, UTC, ascending */
	int32_t *offsets;	/* the offset in force from times[i] on */
	size_t n;
	int32_t initial_off;	/* before times[0] (or always, with none) */
	bool has_rule;		/* after times[n-1]: the rule decides */
	struct zone_rule rule;
};

/* A stretch of time with one offset: [start, end), start INT64_MIN or end
 * INT64_MAX when open; prev_off the offset before start (off when start
 * is open).  Neighbouring stretches always differ in offset. */
struct zone_span {
	int64_t start, end;
	int32_t off, prev_off;
};

/* UTC: no transition, offset 0. */
void zone_init_utc(struct zone *zone);
void zone_free(struct zone *zone);

/*
 * Parses the bytes of a TZif file (RFC 8536, versions 1 to 4; the 64-bit
 * data of version 2 and later, and its footer rule) into zone (whose name
 * the caller sets).  Pure.  0, or -1 with error holding the problem
 * ("not a TZif file", "truncated", "bad footer rule").  Leaves zone
 * freeable either way.
 */
int zone_parse_tzif(struct zone *zone, const unsigned char *data, size_t len,
		    char *error, size_t error_len);

/* Parses a POSIX TZ string (the footer's form) into rule.  Pure.  0 or -1. */
int zone_parse_rule(struct zone_rule *rule, const char *text);

/*
 * Loads the zone called name: the file ZONE_DIR/name (or $TZDIR/name, or
 * name itself when it starts with '/'), else, for "UTC", "Etc/UTC", "GMT"
 * and "Etc/GMT", UTC without a file, else a POSIX TZ string such as
 * "CET-1CEST,M3.5.0,M10.5.0/3".  A leading ':' is ignored.  0, or -1 with
 * error ("unknown time zone Mars/Olympus: no /usr/share/zoneinfo/Mars/
 * Olympus", or the file's problem).
 */
int zone_load(struct zone *zone, const char *name, char *error,
	      size_t error_len);

/* The stretch of one offset that holds instant t (UTC seconds).  Pure. */
void zone_span_at(const struct zone *zone, int64_t t, struct zone_span *span);
/* The offset in force at t, in seconds east of UTC.  Pure. */
int32_t zone_offset_at(const struct zone *zone, int64_t t);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back; the day
 * of the week (0 Sunday) of a day number.  Pure, for any year that fits
 * in an int. */
int64_t zone_days_from_civil(int64_t y, unsigned m, unsigned d);
void zone_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
unsigned zone_weekday(int64_t days);

#endif
