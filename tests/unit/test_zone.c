// SPDX-License-Identifier: MIT
/* Unit tests of time zones (src/zone.c): TZif files from the system's
 * tzdata and built by hand, POSIX rules on their own, the civil calendar,
 * and the stretches of one offset around each change. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "zone.h"

#define HOUR 3600
#define DAY  86400

/* UTC seconds of a civil date and time. */
static int64_t
utc(int64_t y, unsigned m, unsigned d, int hh, int mm)
{
	return zone_days_from_civil(y, m, d) * DAY + hh * HOUR + mm * 60;
}

/* The bytes of a zone file from the system's tzdata (malloc'd). */
static unsigned char *
read_tzdata(const char *name, size_t *len)
{
	char path[256];
	unsigned char *data;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", ZONE_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	data = malloc(256 * 1024);
	assert_non_null(data);
	n = read(fd, data, 256 * 1024);
	assert_true(n > 0 && n < 256 * 1024);
	close(fd);
	*len = (size_t)n;
	return data;
}

/* The zone of a system tzdata file, parsed from its bytes. */
static void
parse_tzdata(struct zone *zone, const char *name)
{
	unsigned char *data;
	char error[128];
	size_t len;

	data = read_tzdata(name, &len);
	snprintf(zone->name, sizeof(zone->name), "%s", name);
	assert_int_equal(zone_parse_tzif(zone, data, len, error, sizeof(error)),
			 0);
	free(data);
}

/* A zone of a rule alone, as zone_load() makes of a POSIX string. */
static void
rule_zone(struct zone *zone, const char *text)
{
	zone_init_utc(zone);
	assert_int_equal(zone_parse_rule(&zone->rule, text), 0);
	zone->has_rule = true;
	zone->initial_off = zone->rule.std_off;
}

/* The span at t is [start, end) with off and prev_off, and the offset
 * agrees. */
static void
expect_span(const struct zone *zone, int64_t t, int64_t start, int64_t end,
	    int32_t prev_off, int32_t off)
{
	struct zone_span span;

	zone_span_at(zone, t, &span);
	assert_int_equal(span.start, start);
	assert_int_equal(span.end, end);
	assert_int_equal(span.prev_off, prev_off);
	assert_int_equal(span.off, off);
	assert_int_equal(zone_offset_at(zone, t), off);
}

/*
 * A change at `at` from `before` to `after`, the span before it starting
 * at prev_start and the one after it ending at next_end: checked just
 * before, exactly at (the new span's), and just after.
 */
static void
expect_change(const struct zone *zone, int64_t prev_start, int64_t at,
	      int64_t next_end, int32_t before, int32_t after)
{
	struct zone_span span;

	zone_span_at(zone, at - 1, &span);
	assert_int_equal(span.start, prev_start);
	assert_int_equal(span.end, at);
	assert_int_equal(span.off, before);
	expect_span(zone, at, at, next_end, before, after);
	expect_span(zone, at + 1, at, next_end, before, after);
}

static void
test_civil(void **state)
{
	int64_t day, y;
	unsigned m, d;

	(void)state;
	assert_int_equal(zone_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(zone_days_from_civil(2000, 2, 29), 11016);
	assert_int_equal(zone_days_from_civil(1900, 3, 1), -25508);
	assert_int_equal(zone_days_from_civil(2100, 3, 1), 47541);
	assert_int_equal(zone_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(zone_days_from_civil(1, 1, 1), -719162);
	/* 1900 and 2100 have no February 29: March 1 follows February 28. */
	assert_int_equal(zone_days_from_civil(1900, 2, 28) + 1,
			 zone_days_from_civil(1900, 3, 1));
	assert_int_equal(zone_days_from_civil(2100, 2, 28) + 1,
			 zone_days_from_civil(2100, 3, 1));
	zone_civil_from_days(11016, &y, &m, &d);
	assert_true(y == 2000 && m == 2 && d == 29);
	zone_civil_from_days(-25508, &y, &m, &d);
	assert_true(y == 1900 && m == 3 && d == 1);
	zone_civil_from_days(47541, &y, &m, &d);
	assert_true(y == 2100 && m == 3 && d == 1);
	zone_civil_from_days(-1, &y, &m, &d);
	assert_true(y == 1969 && m == 12 && d == 31);
	zone_civil_from_days(-719162 - 366, &y, &m, &d);
	assert_true(y == 0 && m == 1 && d == 1);
	zone_civil_from_days(zone_days_from_civil(-4713, 11, 24), &y, &m, &d);
	assert_true(y == -4713 && m == 11 && d == 24);

	/* Every day from year -2000 to 6000 goes there and back, and each
	 * is the one after the day before. */
	for (day = zone_days_from_civil(-2000, 1, 1);
	     day < zone_days_from_civil(6000, 1, 1); day++) {
		zone_civil_from_days(day, &y, &m, &d);
		assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		if (zone_days_from_civil(y, m, d) != day)
			fail_msg("day %lld", (long long)day);
	}
}

static void
test_weekday(void **state)
{
	int64_t day;

	(void)state;
	assert_int_equal(zone_weekday(0), 4);
	assert_int_equal(zone_weekday(-1), 3);
	assert_int_equal(zone_weekday(-7), 4);
	assert_int_equal(zone_weekday(-8), 3);
	assert_int_equal(zone_weekday(zone_days_from_civil(2026, 3, 29)), 0);
	assert_int_equal(zone_weekday(zone_days_from_civil(2000, 2, 29)), 2);
	assert_int_equal(zone_weekday(zone_days_from_civil(1900, 3, 1)), 4);
	assert_int_equal(zone_weekday(zone_days_from_civil(2100, 3, 1)), 1);
	assert_int_equal(zone_weekday(zone_days_from_civil(1, 1, 1)), 1);
	for (day = -1000; day < 1000; day++)
		assert_int_equal(zone_weekday(day + 1),
				 (zone_weekday(day) + 1) % 7);
}

static void
test_rule_forms(void **state)
{
	struct zone_rule r;

	(void)state;
	assert_int_equal(zone_parse_rule(&r, "<+03>-3"), 0);
	assert_int_equal(r.std_off, 3 * HOUR);
	assert_false(r.has_dst);
	assert_int_equal(zone_parse_rule(&r, "UTC0"), 0);
	assert_int_equal(r.std_off, 0);
	assert_int_equal(zone_parse_rule(&r, "<-0330>+3:30"), 0);
	assert_int_equal(r.std_off, -(3 * HOUR + 30 * 60));
	assert_int_equal(zone_parse_rule(&r, "XXX-5:45:30"), 0);
	assert_int_equal(r.std_off, 5 * HOUR + 45 * 60 + 30);

	assert_int_equal(zone_parse_rule(&r, "EST5EDT,M3.2.0,M11.1.0"), 0);
	assert_int_equal(r.std_off, -5 * HOUR);
	assert_true(r.has_dst);
	assert_int_equal(r.dst_off, -4 * HOUR);
	assert_int_equal(r.start.kind, ZONE_MWD);
	assert_true(r.start.month == 3 && r.start.week == 2 &&
		    r.start.day == 0 && r.start.time == 2 * HOUR);
	assert_true(r.end.month == 11 && r.end.week == 1 && r.end.day == 0 &&
		    r.end.time == 2 * HOUR);

	/* A DST name with no rule: the US rule. */
	assert_int_equal(zone_parse_rule(&r, "EST5EDT"), 0);
	assert_true(r.has_dst && r.start.kind == ZONE_MWD &&
		    r.start.month == 3 && r.end.month == 11);

	assert_int_equal(zone_parse_rule(&r, "CET-1CEST,M3.5.0,M10.5.0/3"), 0);
	assert_int_equal(r.std_off, HOUR);
	assert_int_equal(r.dst_off, 2 * HOUR);
	assert_int_equal(r.end.time, 3 * HOUR);

	assert_int_equal(zone_parse_rule(&r, "IST-1GMT0,M10.5.0,M3.5.0/1"), 0);
	assert_int_equal(r.std_off, HOUR);
	assert_int_equal(r.dst_off, 0);

	assert_int_equal(zone_parse_rule(&r, "AAA3BBB,J60/25,J300/-20"), 0);
	assert_true(r.start.kind == ZONE_JULIAN1 && r.start.day == 60 &&
		    r.start.time == 25 * HOUR);
	assert_true(r.end.kind == ZONE_JULIAN1 && r.end.day == 300 &&
		    r.end.time == -20 * HOUR);

	assert_int_equal(zone_parse_rule(&r, "<-03>3<-02>2,59,300/167:59:59"),
			 0);
	assert_int_equal(r.dst_off, -2 * HOUR);
	assert_true(r.start.kind == ZONE_JULIAN0 && r.start.day == 59 &&
		    r.start.time == 2 * HOUR);
	assert_true(r.end.kind == ZONE_JULIAN0 && r.end.day == 300 &&
		    r.end.time == 167 * HOUR + 59 * 60 + 59);
	assert_int_equal(zone_parse_rule(&r, "AAA0BBB,0/-167,365/+0:30"), 0);
	assert_int_equal(r.start.time, -167 * HOUR);
	assert_int_equal(r.end.time, 30 * 60);
}

static void
test_rule_bad(void **state)
{
	static const char *const bad[] = {
		"", "E", "ES", "EST", "5", "EST+", "EST-", "ES5", "EST25",
		"EST5:60", "EST5:00:60", "EST5EDT,", "EST5EDT,M3.2.0",
		"EST5EDT,M3.2.0,", "EST5EDT,M13.1.0,M11.1.0",
		"EST5EDT,M0.1.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0",
		"EST5EDT,M3.0.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0",
		"EST5EDT,M3.2,M11.1.0", "EST5EDT,J0,J100", "EST5EDT,J366,J100",
		"EST5EDT,366,100", "EST5EDT,M3.2.0/168,M11.1.0",
		"EST5EDT,M3.2.0/-168,M11.1.0", "EST5EDT,M3.2.0,M11.1.0x",
		"EST5EDT,M3.2.0,M11.1.0,", "EST5EDT4:00:60,M3.2.0,M11.1.0",
		"EST5 EDT", "<+03", "<>3", "<+3>-3", "<+03>", "<+0 3>-3",
		"EST5ED", "EST5EDT25", "EST99999999999999999999",
		"EST5EDT,M3.2.0/2:,M11.1.0",
	};
	struct zone_rule r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (zone_parse_rule(&r, bad[i]) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void
test_rule_new_york(void **state)
{
	int64_t spring = utc(2026, 3, 8, 7, 0), fall = utc(2026, 11, 1, 6, 0);
	struct zone zone;

	(void)state;
	rule_zone(&zone, "EST5EDT,M3.2.0,M11.1.0");
	expect_change(&zone, utc(2025, 11, 2, 6, 0), spring, fall, -5 * HOUR,
		      -4 * HOUR);
	expect_change(&zone, spring, fall, utc(2027, 3, 14, 7, 0), -4 * HOUR,
		      -5 * HOUR);
	expect_span(&zone, utc(2026, 7, 4, 12, 0), spring, fall, -5 * HOUR,
		    -4 * HOUR);
	/* Far from 1970, both ways. */
	expect_span(&zone, utc(2100, 1, 1, 0, 0), utc(2099, 11, 1, 6, 0),
		    utc(2100, 3, 14, 7, 0), -4 * HOUR, -5 * HOUR);
	expect_span(&zone, utc(1900, 6, 1, 0, 0), utc(1900, 3, 11, 7, 0),
		    utc(1900, 11, 4, 6, 0), -5 * HOUR, -4 * HOUR);
	zone_free(&zone);
}

/* Down under, DST starts in October and ends in April: the stretch of
 * January began the year before. */
static void
test_rule_southern(void **state)
{
	int64_t back = utc(2026, 4, 4, 16, 0), fwd = utc(2026, 10, 3, 16, 0);
	struct zone zone;

	(void)state;
	rule_zone(&zone, "AEST-10AEDT,M10.1.0,M4.1.0/3");
	expect_span(&zone, utc(2026, 1, 1, 0, 0), utc(2025, 10, 4, 16, 0), back,
		    10 * HOUR, 11 * HOUR);
	expect_change(&zone, utc(2025, 10, 4, 16, 0), back, fwd, 11 * HOUR,
		      10 * HOUR);
	expect_change(&zone, back, fwd, utc(2027, 4, 3, 16, 0), 10 * HOUR,
		      11 * HOUR);
	expect_span(&zone, utc(2026, 12, 31, 23, 59), fwd,
		    utc(2027, 4, 3, 16, 0), 10 * HOUR, 11 * HOUR);
	zone_free(&zone);

	/* Ireland: standard time in summer, "DST" (an hour less) in
	 * winter. */
	rule_zone(&zone, "IST-1GMT0,M10.5.0,M3.5.0/1");
	expect_change(&zone, utc(2025, 10, 26, 1, 0), utc(2026, 3, 29, 1, 0),
		      utc(2026, 10, 25, 1, 0), 0, HOUR);
	zone_free(&zone);
}

/* Julian days, counted and not, and times below 0 and above 24 h. */
static void
test_rule_days_and_times(void **state)
{
	struct zone zone;

	(void)state;
	/* J60 is March 1 even in a leap year, and 25:00 is 01:00 the day
	 * after (standard time, UTC-3); J300 is October 27, and -20:00 is
	 * 04:00 the day before (DST, UTC-2). */
	rule_zone(&zone, "AAA3BBB,J60/25,J300/-20");
	expect_change(&zone, utc(2023, 10, 26, 6, 0), utc(2024, 3, 2, 4, 0),
		      utc(2024, 10, 26, 6, 0), -3 * HOUR, -2 * HOUR);
	expect_change(&zone, utc(2024, 10, 26, 6, 0), utc(2025, 3, 2, 4, 0),
		      utc(2025, 10, 26, 6, 0), -3 * HOUR, -2 * HOUR);
	zone_free(&zone);

	/* Day 59 counting from 0 is February 29 in a leap year. */
	rule_zone(&zone, "AAA3BBB,59,300");
	assert_int_equal(zone_offset_at(&zone, utc(2024, 2, 29, 5, 0) - 1),
			 -3 * HOUR);
	assert_int_equal(zone_offset_at(&zone, utc(2024, 2, 29, 5, 0)),
			 -2 * HOUR);
	assert_int_equal(zone_offset_at(&zone, utc(2025, 3, 1, 5, 0) - 1),
			 -3 * HOUR);
	assert_int_equal(zone_offset_at(&zone, utc(2025, 3, 1, 5, 0)),
			 -2 * HOUR);
	zone_free(&zone);

	/* Greenland's negative times land at 01:00 UTC, with Europe. */
	rule_zone(&zone, "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1");
	expect_change(&zone, utc(2025, 10, 26, 1, 0), utc(2026, 3, 29, 1, 0),
		      utc(2026, 10, 25, 1, 0), -3 * HOUR, -2 * HOUR);
	zone_free(&zone);

	/* 167 h: DST starts late on January 7 and ends on January 3 of the
	 * next year (a week before the 10th), so it lasts the year round
	 * but for a few days. */
	rule_zone(&zone, "AAA0BBB,J1/167,J10/-167");
	expect_change(&zone, utc(2025, 1, 7, 23, 0), utc(2026, 1, 3, 0, 0),
		      utc(2026, 1, 7, 23, 0), HOUR, 0);
	expect_span(&zone, utc(2026, 6, 1, 0, 0), utc(2026, 1, 7, 23, 0),
		    utc(2027, 1, 3, 0, 0), 0, HOUR);
	zone_free(&zone);

	/* DST the whole year (RFC 8536): one open stretch. */
	rule_zone(&zone, "EST5EDT,0/0,J365/25");
	expect_span(&zone, utc(2026, 1, 1, 0, 0), INT64_MIN, INT64_MAX,
		    -4 * HOUR, -4 * HOUR);
	expect_span(&zone, utc(2024, 12, 31, 23, 59), INT64_MIN, INT64_MAX,
		    -4 * HOUR, -4 * HOUR);
	zone_free(&zone);

	/* DST all year but December 31 of a leap year (day 365 counted
	 * from 0 is January 1 otherwise, 01:00 EDT its midnight EST): a
	 * stretch of four years, of eight across 2100. */
	rule_zone(&zone, "EST5EDT,0/0,365/1");
	expect_span(&zone, utc(2027, 6, 1, 0, 0), utc(2025, 1, 1, 5, 0),
		    utc(2028, 12, 31, 5, 0), -5 * HOUR, -4 * HOUR);
	expect_span(&zone, utc(2100, 6, 1, 0, 0), utc(2097, 1, 1, 5, 0),
		    utc(2104, 12, 31, 5, 0), -5 * HOUR, -4 * HOUR);
	expect_change(&zone, utc(2021, 1, 1, 5, 0), utc(2024, 12, 31, 5, 0),
		      utc(2025, 1, 1, 5, 0), -4 * HOUR, -5 * HOUR);
	zone_free(&zone);

	/* No DST, or a DST that changes nothing: one open stretch. */
	rule_zone(&zone, "<+03>-3");
	expect_span(&zone, 0, INT64_MIN, INT64_MAX, 3 * HOUR, 3 * HOUR);
	expect_span(&zone, INT64_MIN, INT64_MIN, INT64_MAX, 3 * HOUR,
		    3 * HOUR);
	expect_span(&zone, INT64_MAX, INT64_MIN, INT64_MAX, 3 * HOUR,
		    3 * HOUR);
	zone_free(&zone);
	rule_zone(&zone, "AAA0BBB0,M3.2.0,M11.1.0");
	expect_span(&zone, 0, INT64_MIN, INT64_MAX, 0, 0);
	zone_free(&zone);
}

/* Far out, the answers stay within their promises. */
static void
test_rule_extremes(void **state)
{
	static const int64_t ts[] = {
		INT64_MIN, INT64_MIN + 1, -(INT64_C(1) << 50),
		INT64_MAX - 1, INT64_MAX, INT64_C(1) << 50,
	};
	struct zone_span span;
	struct zone zone;
	size_t i;

	(void)state;
	rule_zone(&zone, "CET-1CEST,M3.5.0,M10.5.0/3");
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		zone_span_at(&zone, ts[i], &span);
		assert_true((span.start <= ts[i] && ts[i] < span.end) ||
			    ts[i] == INT64_MAX);
		assert_int_equal(span.off, zone_offset_at(&zone, ts[i]));
	}
	zone_free(&zone);
}

static void
test_berlin(void **state)
{
	int64_t spring = utc(2026, 3, 29, 1, 0), fall = utc(2026, 10, 25, 1, 0);
	struct zone zone;

	(void)state;
	parse_tzdata(&zone, "Europe/Berlin");
	assert_string_equal(zone.name, "Europe/Berlin");
	assert_true(zone.has_rule);
	expect_change(&zone, utc(2025, 10, 26, 1, 0), spring, fall, HOUR,
		      2 * HOUR);
	expect_change(&zone, spring, fall, utc(2027, 3, 28, 1, 0), 2 * HOUR,
		      HOUR);
	/* 1980, from the table: West Germany's first summer time since
	 * 1949, from the standard time that began in 1949. */
	expect_change(&zone, utc(1949, 10, 2, 1, 0), utc(1980, 4, 6, 1, 0),
		      utc(1980, 9, 28, 1, 0), HOUR, 2 * HOUR);
	expect_change(&zone, utc(1980, 4, 6, 1, 0), utc(1980, 9, 28, 1, 0),
		      utc(1981, 3, 29, 1, 0), 2 * HOUR, HOUR);
	/* 2100, past the table: from the footer's rule. */
	assert_true(zone.times[zone.n - 1] < utc(2100, 1, 1, 0, 0));
	expect_change(&zone, utc(2099, 10, 25, 1, 0), utc(2100, 3, 28, 1, 0),
		      utc(2100, 10, 31, 1, 0), HOUR, 2 * HOUR);
	expect_change(&zone, utc(2100, 3, 28, 1, 0), utc(2100, 10, 31, 1, 0),
		      utc(2101, 3, 27, 1, 0), 2 * HOUR, HOUR);
	/* Before the first transition: local mean time, 53:28. */
	expect_span(&zone, INT64_MIN, INT64_MIN, zone.times[0],
		    53 * 60 + 28, 53 * 60 + 28);
	zone_free(&zone);
	assert_null(zone.times);
	assert_int_equal(zone.n, 0);
}

static void
test_new_york(void **state)
{
	int64_t spring = utc(2026, 3, 8, 7, 0), fall = utc(2026, 11, 1, 6, 0);
	struct zone zone;

	(void)state;
	parse_tzdata(&zone, "America/New_York");
	expect_change(&zone, utc(2025, 11, 2, 6, 0), spring, fall, -5 * HOUR,
		      -4 * HOUR);
	expect_change(&zone, spring, fall, utc(2027, 3, 14, 7, 0), -4 * HOUR,
		      -5 * HOUR);
	expect_change(&zone, utc(1979, 10, 28, 6, 0), utc(1980, 4, 27, 7, 0),
		      utc(1980, 10, 26, 6, 0), -5 * HOUR, -4 * HOUR);
	expect_change(&zone, utc(2099, 11, 1, 6, 0), utc(2100, 3, 14, 7, 0),
		      utc(2100, 11, 7, 6, 0), -5 * HOUR, -4 * HOUR);
	zone_free(&zone);
}

static void
test_sydney(void **state)
{
	int64_t back = utc(2026, 4, 4, 16, 0), fwd = utc(2026, 10, 3, 16, 0);
	struct zone zone;

	(void)state;
	parse_tzdata(&zone, "Australia/Sydney");
	expect_change(&zone, utc(2025, 10, 4, 16, 0), back, fwd, 11 * HOUR,
		      10 * HOUR);
	expect_change(&zone, back, fwd, utc(2027, 4, 3, 16, 0), 10 * HOUR,
		      11 * HOUR);
	expect_change(&zone, utc(2099, 10, 3, 16, 0), utc(2100, 4, 3, 16, 0),
		      utc(2100, 10, 2, 16, 0), 11 * HOUR, 10 * HOUR);
	zone_free(&zone);
}

static void
test_utc_file(void **state)
{
	struct zone zone;

	(void)state;
	parse_tzdata(&zone, "UTC");
	assert_int_equal(zone.n, 0);
	expect_span(&zone, 1774746000, INT64_MIN, INT64_MAX, 0, 0);
	zone_free(&zone);
	zone_init_utc(&zone);
	assert_string_equal(zone.name, "UTC");
	expect_span(&zone, -1, INT64_MIN, INT64_MAX, 0, 0);
	zone_free(&zone);
}

/*
 * Where the table ends and the rule begins, in a zone whose last
 * transition (October 2019, Sydney) is followed by one that keeps the
 * offset (January 2020, an abbreviation's change, say): the stretch
 * runs from the table into the rule as one.
 */
static void
test_table_meets_rule(void **state)
{
	int64_t times[] = { utc(2019, 10, 5, 16, 0), utc(2020, 1, 1, 0, 0) };
	int32_t offsets[] = { 11 * HOUR, 11 * HOUR };
	struct zone zone;

	(void)state;
	rule_zone(&zone, "AEST-10AEDT,M10.1.0,M4.1.0/3");
	zone.times = times;
	zone.offsets = offsets;
	zone.n = 2;
	zone.initial_off = 10 * HOUR;
	expect_span(&zone, utc(2019, 12, 1, 0, 0), times[0],
		    utc(2020, 4, 4, 16, 0), 10 * HOUR, 11 * HOUR);
	expect_span(&zone, times[1], times[0], utc(2020, 4, 4, 16, 0),
		    10 * HOUR, 11 * HOUR);
	expect_span(&zone, utc(2020, 2, 1, 0, 0), times[0],
		    utc(2020, 4, 4, 16, 0), 10 * HOUR, 11 * HOUR);
	expect_change(&zone, times[0], utc(2020, 4, 4, 16, 0),
		      utc(2020, 10, 3, 16, 0), 11 * HOUR, 10 * HOUR);
	expect_span(&zone, times[0] - 1, INT64_MIN, times[0], 10 * HOUR,
		    10 * HOUR);

	/* The last transition itself changes the offset: the rule's
	 * stretch starts there. */
	zone.n = 1;
	times[0] = utc(2020, 1, 1, 0, 0);
	expect_change(&zone, INT64_MIN, times[0], utc(2020, 4, 4, 16, 0),
		      10 * HOUR, 11 * HOUR);
}

/* A TZif file made by hand: version (0 for 1), transitions and their
 * types, type offsets, and a footer for version 2 and later. */
struct tzif {
	int version;
	size_t ntimes, ntypes;
	const int64_t *times;
	const unsigned char *idx;
	const int32_t *offs;
	const char *footer;
};

static size_t
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return 4;
}

static size_t
put_header(unsigned char *p, int version, size_t ntimes, size_t ntypes)
{
	memset(p, 0, 44);
	memcpy(p, "TZif", 4);
	p[4] = (unsigned char)version;
	put32(p + 32, (uint32_t)ntimes);
	put32(p + 36, (uint32_t)ntypes);
	put32(p + 40, 4);
	return 44;
}

/* The data block: times of tsize bytes, indices, types, "ABC\0". */
static size_t
put_block(unsigned char *p, const struct tzif *f, size_t tsize)
{
	size_t n = 0, i;

	for (i = 0; i < f->ntimes; i++) {
		if (tsize == 8)
			n += put32(p + n,
				   (uint32_t)((uint64_t)f->times[i] >> 32));
		n += put32(p + n, (uint32_t)f->times[i]);
	}
	memcpy(p + n, f->idx, f->ntimes);
	n += f->ntimes;
	for (i = 0; i < f->ntypes; i++) {
		n += put32(p + n, (uint32_t)f->offs[i]);
		p[n++] = 0;
		p[n++] = 0;
	}
	memcpy(p + n, "ABC", 4);
	return n + 4;
}

static size_t
build_tzif(unsigned char *p, const struct tzif *f)
{
	size_t n;

	n = put_header(p, f->version, f->ntimes, f->ntypes);
	n += put_block(p + n, f, 4);
	if (f->version == 0)
		return n;
	n += put_header(p + n, f->version, f->ntimes, f->ntypes);
	n += put_block(p + n, f, 8);
	n += (size_t)sprintf((char *)p + n, "\n%s\n", f->footer);
	return n;
}

static void
test_tzif_by_hand(void **state)
{
	int64_t times[] = { -(INT64_C(1) << 40), 0, 1000, 2000, 3000 };
	unsigned char idx[] = { 1, 2, 1, 0, 2 };
	int32_t offs[] = { 3600, -7200, -7200 };
	struct tzif f = { '2', 5, 3, times, idx, offs, "" };
	unsigned char buf[1024];
	char error[128];
	struct zone zone;
	size_t len;

	(void)state;
	/* Types 1 and 2 share an offset: only the changes are kept. */
	len = build_tzif(buf, &f);
	assert_int_equal(zone_parse_tzif(&zone, buf, len, error, sizeof(error)),
			 0);
	assert_false(zone.has_rule);
	assert_int_equal(zone.initial_off, 3600);
	assert_int_equal(zone.n, 3);
	assert_true(zone.times[0] == times[0] && zone.times[1] == 2000 &&
		    zone.times[2] == 3000);
	expect_span(&zone, 500, times[0], 2000, 3600, -7200);
	expect_span(&zone, 5000, 3000, INT64_MAX, 3600, -7200);
	zone_free(&zone);

	/* With a rule, the last transition stays, even keeping the offset;
	 * a version 1 file's times are 32-bit, and it has no footer. */
	idx[4] = 0;
	offs[0] = -7200;
	f.footer = "<-02>2";
	len = build_tzif(buf, &f);
	assert_int_equal(zone_parse_tzif(&zone, buf, len, error, sizeof(error)),
			 0);
	assert_true(zone.has_rule && zone.n == 1 && zone.times[0] == 3000);
	expect_span(&zone, 0, INT64_MIN, INT64_MAX, -7200, -7200);
	zone_free(&zone);
	times[0] = -5;
	f.version = 0;
	len = build_tzif(buf, &f);
	assert_int_equal(zone_parse_tzif(&zone, buf, len, error, sizeof(error)),
			 0);
	assert_false(zone.has_rule);
	zone_free(&zone);
	f.version = '4';
	f.footer = "CET-1CEST,M3.5.0,M10.5.0/3";
	len = build_tzif(buf, &f);
	assert_int_equal(zone_parse_tzif(&zone, buf, len, error, sizeof(error)),
			 0);
	assert_true(zone.has_rule && zone.rule.has_dst);
	zone_free(&zone);
}

/* The zone is left freeable, and says why. */
static void
expect_bad(const unsigned char *data, size_t len, const char *why)
{
	struct zone zone;
	char error[128];

	memset(&zone, 0x5a, sizeof(zone));
	assert_int_equal(
		zone_parse_tzif(&zone, data, len, error, sizeof(error)), -1);
	if (why != NULL)
		assert_string_equal(error, why);
	zone_free(&zone);
}

static void
test_tzif_bad(void **state)
{
	int64_t times[] = { 0, 1000, 2000 };
	unsigned char idx[] = { 1, 0, 1 };
	int32_t offs[] = { 3600, 7200 };
	struct tzif f = { '3', 3, 2, times, idx, offs, "CET-1" };
	unsigned char buf[1024], *data;
	size_t len, n;

	(void)state;
	expect_bad((const unsigned char *)"", 0, "not a TZif file");
	expect_bad((const unsigned char *)"TZjf2", 5, "not a TZif file");
	len = build_tzif(buf, &f);
	for (n = 0; n < len; n++)
		expect_bad(buf, n, NULL);

	times[1] = 0;
	len = build_tzif(buf, &f);
	expect_bad(buf, len, "transitions out of order");
	times[1] = 1000;
	idx[2] = 2;
	len = build_tzif(buf, &f);
	expect_bad(buf, len, "bad time type");
	idx[2] = 1;
	offs[1] = INT32_MIN;
	len = build_tzif(buf, &f);
	expect_bad(buf, len, "bad time type");
	offs[1] = 7200;
	f.footer = "CET-1CEST,M3.5.0";
	len = build_tzif(buf, &f);
	expect_bad(buf, len, "bad footer rule");
	f.footer = "CET-1";
	len = build_tzif(buf, &f);
	buf[len - 1] = 'x';
	expect_bad(buf, len, "truncated");
	/* The second header's counts: no types, then too many
	 * transitions. */
	len = build_tzif(buf, &f);
	n = 44 + 3 * 5 + 2 * 6 + 4;
	put32(buf + n + 36, 0);
	expect_bad(buf, len, "bad counts");
	put32(buf + n + 36, 2);
	put32(buf + n + 32, 0xffffffff);
	expect_bad(buf, len, "too many transitions");
	put32(buf + n + 32, 3);
	put32(buf + n + 28, 0xffffffff);
	expect_bad(buf, len, "truncated");
	put32(buf + n + 28, 0);
	put32(buf + n + 20, 1);
	expect_bad(buf, len, "bad counts");
	put32(buf + n + 20, 0);
	put32(buf, 0x545a6966);
	buf[4] = '1';
	expect_bad(buf, len, "not a TZif file");

	/* Every piece of a real file short of the whole is refused. */
	data = read_tzdata("Europe/Berlin", &len);
	for (n = 0; n < len; n++)
		expect_bad(data, n, NULL);
	free(data);
}

static void
test_load(void **state)
{
	char error[256], name[200];
	struct zone zone;

	(void)state;
	unsetenv("TZDIR");
	assert_int_equal(zone_load(&zone, "Europe/Berlin", error,
				   sizeof(error)), 0);
	assert_string_equal(zone.name, "Europe/Berlin");
	assert_int_equal(zone_offset_at(&zone, utc(2026, 7, 1, 0, 0)),
			 2 * HOUR);
	zone_free(&zone);
	assert_int_equal(zone_load(&zone, ":/usr/share/zoneinfo/Asia/Tokyo",
				   error, sizeof(error)), 0);
	assert_string_equal(zone.name, "/usr/share/zoneinfo/Asia/Tokyo");
	assert_int_equal(zone_offset_at(&zone, 0), 9 * HOUR);
	zone_free(&zone);

	assert_int_equal(zone_load(&zone, "Mars/Olympus", error, sizeof(error)),
			 -1);
	assert_string_equal(error, "unknown time zone Mars/Olympus: no "
				   "/usr/share/zoneinfo/Mars/Olympus");
	zone_free(&zone);
	assert_int_equal(zone_load(&zone, "Europe", error, sizeof(error)), -1);
	assert_string_equal(error, "unable to read time zone "
				   "/usr/share/zoneinfo/Europe: not a regular "
				   "file");
	zone_free(&zone);

	/* A POSIX string where no file has its name. */
	assert_int_equal(zone_load(&zone, "CET-1CEST,M3.5.0,M10.5.0/3", error,
				   sizeof(error)), 0);
	assert_true(zone.has_rule && zone.n == 0);
	expect_span(&zone, utc(2026, 7, 1, 0, 0), utc(2026, 3, 29, 1, 0),
		    utc(2026, 10, 25, 1, 0), HOUR, 2 * HOUR);
	zone_free(&zone);

	/* A long name is kept cut, but named whole. */
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(zone_load(&zone, name, error, sizeof(error)), -1);
	assert_int_equal(strlen(zone.name), ZONE_NAME_MAX);
	assert_non_null(strstr(error, name));
	zone_free(&zone);
}

static void
test_load_dot_dot(void **state)
{
	static const char *const bad[] = {
		"..", "../etc/passwd", "Europe/../../etc/passwd",
		"/usr/share/zoneinfo/../zoneinfo/UTC", "Europe/..",
	};
	char error[256];
	struct zone zone;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(zone_load(&zone, bad[i], error, sizeof(error)),
				 -1);
		assert_non_null(strstr(error, "'..'"));
		assert_non_null(strstr(error, bad[i]));
		zone_free(&zone);
	}
	/* Dots within a component are a name like another. */
	assert_int_equal(zone_load(&zone, "a..b", error, sizeof(error)), -1);
	assert_non_null(strstr(error, "unknown time zone a..b"));
	zone_free(&zone);
	assert_int_equal(zone_load(&zone, "", error, sizeof(error)), -1);
	zone_free(&zone);
}

static void
test_load_utc_without_file(void **state)
{
	static const char *const names[] = { "UTC", ":UTC", "Etc/UTC", "GMT",
					     "Etc/GMT" };
	char error[256];
	struct zone zone;
	size_t i;

	(void)state;
	assert_int_equal(setenv("TZDIR", "/nonexistent/zoneinfo", 1), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(zone_load(&zone, names[i], error,
					   sizeof(error)), 0);
		assert_string_equal(zone.name, names[i] + (names[i][0] == ':'));
		expect_span(&zone, 0, INT64_MIN, INT64_MAX, 0, 0);
		zone_free(&zone);
	}
	assert_int_equal(zone_load(&zone, "Europe/Berlin", error,
				   sizeof(error)), -1);
	assert_string_equal(error, "unknown time zone Europe/Berlin: no "
				   "/nonexistent/zoneinfo/Europe/Berlin");
	zone_free(&zone);
	assert_int_equal(unsetenv("TZDIR"), 0);
}

static void
test_load_too_large(void **state)
{
	char path[] = "/tmp/grace-zone-XXXXXX", error[256];
	static char block[64 * 1024];
	struct zone zone;
	int fd, i;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(write(fd, block, sizeof(block)),
				 (ssize_t)sizeof(block));
	assert_int_equal(close(fd), 0);
	assert_int_equal(zone_load(&zone, path, error, sizeof(error)), -1);
	assert_non_null(strstr(error, "larger than 256 KiB"));
	zone_free(&zone);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "TZif", 4), 4);
	assert_int_equal(close(fd), 0);
	assert_int_equal(zone_load(&zone, path, error, sizeof(error)), -1);
	assert_non_null(strstr(error, ": not a TZif file"));
	assert_non_null(strstr(error, path));
	zone_free(&zone);
	assert_int_equal(unlink(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_rule_forms),
		cmocka_unit_test(test_rule_bad),
		cmocka_unit_test(test_rule_new_york),
		cmocka_unit_test(test_rule_southern),
		cmocka_unit_test(test_rule_days_and_times),
		cmocka_unit_test(test_rule_extremes),
		cmocka_unit_test(test_berlin),
		cmocka_unit_test(test_new_york),
		cmocka_unit_test(test_sydney),
		cmocka_unit_test(test_utc_file),
		cmocka_unit_test(test_table_meets_rule),
		cmocka_unit_test(test_tzif_by_hand),
		cmocka_unit_test(test_tzif_bad),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_dot_dot),
		cmocka_unit_test(test_load_utc_without_file),
		cmocka_unit_test(test_load_too_large),
	};

	return cmocka_run_group_tests_name("zone", tests, NULL, NULL);
}
