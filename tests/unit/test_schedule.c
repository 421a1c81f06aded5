// SPDX-License-Identifier: MIT
/* Unit tests of cron schedules (src/schedule.c): every syntax and every
 * error, and the next runs from given instants (never the clock), in UTC
 * and across the DST changes of Europe/Berlin and America/New_York, read
 * both from tzdata's files and from POSIX rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "schedule.h"
#include "zone.h"

#define UTC	 "UTC"
#define BERLIN	 "Europe/Berlin"
#define NEW_YORK "America/New_York"
/* The same two zones as POSIX rules: the same answers are due. */
#define BERLIN_RULE   "CET-1CEST,M3.5.0,M10.5.0/3"
#define NEW_YORK_RULE "EST5EDT,M3.2.0,M11.1.0"

/* Bits lo to hi of a field's set. */
#define BITS(lo, hi) ((~0ULL >> (63 - (hi))) & ~((1ULL << (lo)) - 1))

/* Every step-th bit from lo to hi. */
static uint64_t
steps(unsigned lo, unsigned hi, unsigned step)
{
	uint64_t set = 0;

	for (; lo <= hi; lo += step)
		set |= 1ULL << lo;
	return set;
}

/* "2026-01-01T00:00:00Z" in seconds since the epoch, by libc (timegm
 * reads no clock and no zone), not by the code under test. */
static int64_t
iso(const char *text)
{
	struct tm tm = { 0 };
	const char *end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);

	assert_non_null(end);
	assert_int_equal(*end, '\0');
	return (int64_t)timegm(&tm);
}

/* text, a whole schedule (rest NULL), which must parse. */
static struct schedule
parse(const char *text)
{
	struct schedule s;
	char error[256] = "";

	if (schedule_parse(&s, text, NULL, error, sizeof(error)) != 0)
		fail_msg("'%s' does not parse: %s", text, error);
	return s;
}

/* text, a schedule and a command, which must parse; returns the command. */
static const char *
parse_rest(const char *text, struct schedule *s)
{
	const char *rest = NULL;
	char error[256] = "";

	if (schedule_parse(s, text, &rest, error, sizeof(error)) != 0)
		fail_msg("'%s' does not parse: %s", text, error);
	assert_non_null(rest);
	return rest;
}

/* text fails, as a whole schedule or before a command, with an error
 * that holds want. */
static void
expect_error(const char *text, bool with_rest, const char *want)
{
	struct schedule s;
	const char *rest = NULL;
	char error[256] = "";

	if (schedule_parse(&s, text, with_rest ? &rest : NULL, error,
			   sizeof(error)) != -1)
		fail_msg("'%s' parses%s", text,
			 with_rest ? " before a command" : "");
	if (strstr(error, want) == NULL)
		fail_msg("'%s': error '%s' does not say '%s'", text, error,
			 want);
}

static void
load(struct zone *zone, const char *name)
{
	char error[256] = "";

	if (zone_load(zone, name, error, sizeof(error)) != 0)
		fail_msg("zone %s: %s", name, error);
}

/* --- syntax --------------------------------------------------------------- */

/* Five fields: seconds is 0 alone; '*' is the whole range. */
static void
test_five_fields(void **state)
{
	struct schedule s = parse("0 16 * * *");

	(void)state;
	assert_int_equal(s.kind, SCHEDULE_CRON);
	assert_true(s.seconds == 1);
	assert_true(s.minutes == 1);
	assert_true(s.hours == 1u << 16);
	assert_true(s.days == BITS(1, 31));
	assert_true(s.months == BITS(1, 12));
	assert_true(s.weekdays == BITS(0, 6));
	assert_true(s.dom_star && s.dow_star && s.fixed_time);

	s = parse("* * * * *");
	assert_true(s.seconds == 1);
	assert_true(s.minutes == BITS(0, 59));
	assert_true(s.hours == BITS(0, 23));
}

/* Six fields: a leading seconds field. */
static void
test_six_fields(void **state)
{
	struct schedule s = parse("*/20 0 16 * * *");

	(void)state;
	assert_true(s.seconds == (1ULL | 1ULL << 20 | 1ULL << 40));
	assert_true(s.minutes == 1);
	assert_true(s.hours == 1u << 16);
	s = parse("59 59 23 31 12 6");
	assert_true(s.seconds == 1ULL << 59);
	assert_true(s.minutes == 1ULL << 59);
	assert_true(s.hours == 1u << 23);
	assert_true(s.days == 1u << 31);
	assert_true(s.months == 1u << 12);
	assert_true(s.weekdays == 1u << 6);
	s = parse("* * * * * *");
	assert_true(s.seconds == BITS(0, 59));
}

/* Lists, ranges, steps over '*' and over ranges, and "a/step" (from a to
 * the end of the range). */
static void
test_lists_ranges_steps(void **state)
{
	struct schedule s;

	(void)state;
	s = parse("1,2,5-7,10-20/5,50/4 * * * *");
	assert_true(s.minutes == (1ULL << 1 | 1ULL << 2 | BITS(5, 7) |
				  1ULL << 10 | 1ULL << 15 | 1ULL << 20 |
				  1ULL << 50 | 1ULL << 54 | 1ULL << 58));
	s = parse("*/15 */6 */10 */5 *");
	assert_true(s.minutes == (1ULL | 1ULL << 15 | 1ULL << 30 |
				  1ULL << 45));
	assert_true(s.hours == (1u | 1u << 6 | 1u << 12 | 1u << 18));
	/* Day of month counts from 1, month from 1. */
	assert_true(s.days == (1u << 1 | 1u << 11 | 1u << 21 | 1u << 31));
	assert_true(s.months == (1u << 1 | 1u << 6 | 1u << 11));
	s = parse("0 5/6 * * *");
	assert_true(s.hours == (1u << 5 | 1u << 11 | 1u << 17 | 1u << 23));
	s = parse("0 0 3-3 * *");
	assert_true(s.days == 1u << 3);
	/* A step beyond the range keeps its first value. */
	s = parse("*/100 0 * * *");
	assert_true(s.minutes == 1);
	s = parse("7/60 0 * * *");
	assert_true(s.minutes == 1ULL << 7);
	/* The same value twice is one bit. */
	s = parse("5,5,1-5 * * * *");
	assert_true(s.minutes == BITS(1, 5));
}

/* Month and weekday names, in any case, alone, in lists and ranges. */
static void
test_names(void **state)
{
	static const char *const months[] = { "jan", "FEB", "Mar", "apr",
					      "MAY", "jun", "jul", "aug",
					      "sep", "oct", "nov", "dEc" };
	static const char *const days[] = { "sun", "MON", "Tue", "wed",
					    "thu", "FRI", "sat" };
	struct schedule s;
	char text[64];
	unsigned i;

	(void)state;
	for (i = 0; i < 12; i++) {
		snprintf(text, sizeof(text), "0 0 1 %s *", months[i]);
		s = parse(text);
		assert_true(s.months == 1u << (i + 1));
	}
	for (i = 0; i < 7; i++) {
		snprintf(text, sizeof(text), "0 0 * * %s", days[i]);
		s = parse(text);
		assert_true(s.weekdays == 1u << i);
	}
	s = parse("0 0 * JAN-mar,Dec Mon,wed-FRI");
	assert_true(s.months == (BITS(1, 3) | 1u << 12));
	assert_true(s.weekdays == (1u << 1 | BITS(3, 5)));
	s = parse("0 0 * jan-dec/3 sun-sat/2");
	assert_true(s.months == (1u << 1 | 1u << 4 | 1u << 7 | 1u << 10));
	assert_true(s.weekdays == (1u | 1u << 2 | 1u << 4 | 1u << 6));
	/* Names and numbers mix. */
	s = parse("0 0 * 1-mar 1-fri");
	assert_true(s.months == BITS(1, 3));
	assert_true(s.weekdays == BITS(1, 5));
}

/* Weekday 7 is Sunday, as 0 is. */
static void
test_weekday_seven(void **state)
{
	(void)state;
	assert_true(parse("0 0 * * 7").weekdays == 1);
	assert_true(parse("0 0 * * 0,7").weekdays == 1);
	assert_true(parse("0 0 * * 5-7").weekdays == (1u | BITS(5, 6)));
	assert_true(parse("0 0 * * 0-7").weekdays == BITS(0, 6));
	assert_true(parse("0 0 * * */7").weekdays == 1);
	assert_true(parse("0 0 * * *").weekdays == BITS(0, 6));
}

/* The @names are their five fields. */
static void
test_macros(void **state)
{
	static const struct {
		const char *name, *fields;
	} pairs[] = {
		{ "@yearly", "0 0 1 1 *" },   { "@annually", "0 0 1 1 *" },
		{ "@monthly", "0 0 1 * *" },  { "@weekly", "0 0 * * 0" },
		{ "@daily", "0 0 * * *" },    { "@midnight", "0 0 * * *" },
		{ "@hourly", "0 * * * *" },
	};
	struct schedule a, b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		a = parse(pairs[i].name);
		b = parse(pairs[i].fields);
		assert_int_equal(a.kind, SCHEDULE_CRON);
		assert_true(a.seconds == b.seconds);
		assert_true(a.minutes == b.minutes);
		assert_true(a.hours == b.hours);
		assert_true(a.days == b.days);
		assert_true(a.months == b.months);
		assert_true(a.weekdays == b.weekdays);
		assert_int_equal(a.dom_star, b.dom_star);
		assert_int_equal(a.dow_star, b.dow_star);
		assert_int_equal(a.fixed_time, b.fixed_time);
	}
	/* Blanks around the name are fine. */
	assert_int_equal(parse("  @daily\t").kind, SCHEDULE_CRON);
	assert_int_equal(parse("@reboot").kind, SCHEDULE_REBOOT);
}

/* @every takes a systemd time span of at least SCHEDULE_EVERY_MIN_MS. */
static void
test_every(void **state)
{
	struct schedule s;

	(void)state;
	s = parse("@every 90s");
	assert_int_equal(s.kind, SCHEDULE_EVERY);
	assert_int_equal(s.every_ms, 90000);
	assert_int_equal(parse("@every 1h30min").every_ms, 5400000);
	assert_int_equal(parse("@every 5").every_ms, 5000);
	assert_int_equal(parse("@every\t2d ").every_ms, 2LL * 86400 * 1000);
	assert_int_equal(parse("@every 1s").every_ms, SCHEDULE_EVERY_MIN_MS);
	assert_int_equal(parse("@every 1000ms").every_ms,
			 SCHEDULE_EVERY_MIN_MS);
	expect_error("@every 999ms", false, "bad duration '999ms' for @every");
}

/* fixed_time: neither minute nor hour starts with '*' (cronie's rule;
 * the seconds field does not count); dom_star and dow_star: the day
 * field starts with '*', even as a step. */
static void
test_flags(void **state)
{
	static const struct {
		const char *text;
		bool fixed, dom_star, dow_star;
	} cases[] = {
		{ "30 2 * * *", true, true, true },
		{ "0,30 2 * * *", true, true, true },
		{ "0 2-4 * * *", true, true, true },
		{ "* 2 * * *", false, true, true },
		{ "30 * * * *", false, true, true },
		{ "*/30 2 * * *", false, true, true },
		{ "0 */2 * * *", false, true, true },
		{ "* 30 2 * * *", true, true, true },
		{ "0 0 1 * *", true, false, true },
		{ "0 0 * * 1", true, true, false },
		{ "0 0 */2 * 1", true, true, false },
		{ "0 0 1 * */2", true, false, true },
		/* Every day, written out, is still a restriction. */
		{ "0 0 1-31 * 0-6", true, false, false },
		{ "@hourly", false, true, true },
		{ "@daily", true, true, true },
		{ "@weekly", true, true, false },
		{ "@monthly", true, false, true },
		{ "@yearly", true, false, true },
	};
	struct schedule s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = parse(cases[i].text);
		if (s.fixed_time != cases[i].fixed ||
		    s.dom_star != cases[i].dom_star ||
		    s.dow_star != cases[i].dow_star)
			fail_msg("'%s': fixed %d dom_star %d dow_star %d",
				 cases[i].text, s.fixed_time, s.dom_star,
				 s.dow_star);
	}
}

/* Before a command, *rest is the command, past the blanks. */
static void
test_rest(void **state)
{
	struct schedule s;

	(void)state;
	assert_string_equal(parse_rest("0 16 * * * /usr/bin/x", &s),
			    "/usr/bin/x");
	assert_string_equal(parse_rest("  0\t16 * *  *   cmd  arg ", &s),
			    "cmd  arg ");
	assert_string_equal(parse_rest("@daily   cmd", &s), "cmd");
	assert_string_equal(parse_rest("@reboot\tcmd x", &s), "cmd x");
	assert_int_equal(s.kind, SCHEDULE_REBOOT);
	assert_string_equal(parse_rest("@every 90s cmd", &s), "cmd");
	assert_int_equal(s.every_ms, 90000);
}

/*
 * Before a command, a sixth word is a seconds-first sixth field only when
 * it is a valid day-of-week field; otherwise it starts the command.  So
 * "0 0 * * * mon echo" is Mondays at every hour's minute 0 second 0, and
 * "0 0 * * * mon" alone has no command.
 */
static void
test_sixth_field(void **state)
{
	struct schedule s;

	(void)state;
	assert_string_equal(parse_rest("0 16 * * * /usr/bin/x", &s),
			    "/usr/bin/x");
	assert_true(s.seconds == 1 && s.minutes == 1 && s.hours == 1u << 16);

	assert_string_equal(parse_rest("*/5 * * * * * cmd", &s), "cmd");
	assert_true(s.seconds == steps(0, 59, 5));
	assert_true(s.minutes == BITS(0, 59));

	assert_string_equal(parse_rest("0 0 * * * mon echo hi", &s),
			    "echo hi");
	assert_true(s.seconds == 1 && s.minutes == 1);
	assert_true(s.hours == BITS(0, 23));
	assert_true(s.weekdays == 1u << 1);
	expect_error("0 0 * * * mon", true, "no command after the schedule");
	assert_string_equal(parse_rest("0 0 * * * 1-5 x", &s), "x");
	assert_true(s.weekdays == BITS(1, 5));
	assert_string_equal(parse_rest("0 0 * * * */2 x", &s), "x");
	/* Not a weekday: 8, a name with more letters, a path. */
	assert_string_equal(parse_rest("0 0 * * * 8 cmd", &s), "8 cmd");
	assert_true(s.hours == 1);
	assert_string_equal(parse_rest("0 0 * * * monday", &s), "monday");
	assert_string_equal(parse_rest("0 0 * * * 7z x a.7z", &s),
			    "7z x a.7z");
	/* As a whole schedule, six words are six fields. */
	s = parse("0 0 * * * mon");
	assert_true(s.hours == BITS(0, 23) && s.weekdays == 1u << 1);
	expect_error("0 0 * * * monday", false, "bad day of week field");
}

/* --- errors --------------------------------------------------------------- */

/* Values out of their field's range. */
static void
test_out_of_range(void **state)
{
	(void)state;
	expect_error("60 * * * *", false, "minute field '60': out of 0-59");
	expect_error("* 24 * * *", false, "hour field '24': out of 0-23");
	expect_error("* * 0 * *", false, "day of month field '0': out of 1-31");
	expect_error("* * 32 * *", false, "day of month field '32'");
	expect_error("* * * 0 *", false, "month field '0': out of 1-12");
	expect_error("* * * 13 *", false, "month field '13'");
	expect_error("* * * * 8", false, "day of week field '8': out of 0-7");
	expect_error("60 * * * * *", false, "second field '60': out of 0-59");
	expect_error("1,2,99 * * * *", false, "minute field '1,2,99'");
	expect_error("0-60 * * * *", false, "out of 0-59");
	expect_error("99999999999 * * * *", false, "bad minute field");
	/* a > b */
	expect_error("5-1 * * * *", false, "minute field '5-1': out of 0-59");
	expect_error("0 0 * * sat-sun", false, "day of week field");
	expect_error("0 0 * dec-jan *", false, "month field");
}

/* Steps of 0 and malformed fields. */
static void
test_bad_fields(void **state)
{
	static const char *const bad[] = {
		"*/0", "1-5/0", "5/0", "*/", "1/", "/5", "1,", ",1", "1,,2",
		"1-", "-1", "*-3", "**", "1-2-3", "a", "1x", "*/a", "*/-1",
		"*/1/2", "+1", "1.5",
	};
	char text[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s * * * *", bad[i]);
		expect_error(text, false, "bad minute field");
	}
}

/* Names that are not, or are in the wrong field. */
static void
test_bad_names(void **state)
{
	(void)state;
	expect_error("0 0 * foo *", false, "bad month field 'foo'");
	expect_error("0 0 * january *", false, "bad month field 'january'");
	expect_error("0 0 * ja *", false, "bad month field 'ja'");
	expect_error("0 0 * * funday", false, "bad day of week field");
	expect_error("0 0 * * jan", false, "bad day of week field 'jan'");
	expect_error("0 0 * mon *", false, "bad month field 'mon'");
	expect_error("0 0 jan * *", false, "bad day of month field 'jan'");
	expect_error("0 mon * * *", false, "bad hour field 'mon'");
	expect_error("* * * * */mon", false, "bad day of week field");
}

/* Five or six fields, nothing else after a whole schedule, a command
 * after a schedule that wants one. */
static void
test_field_count(void **state)
{
	(void)state;
	expect_error("", false, "a schedule has 5 or 6 fields");
	expect_error("   ", false, "a schedule has 5 or 6 fields");
	expect_error("* * * *", false, "a schedule has 5 or 6 fields");
	expect_error("* * * * * * *", false, "a schedule has 5 or 6 fields");
	expect_error("0 0 * * * * now", false, "a schedule has 5 or 6 fields");
	expect_error("* * * * cmd", true, "bad day of week field 'cmd'");
	expect_error("* * * *", true, "a schedule has 5 or 6 fields");
	expect_error("@daily now", false,
		     "unexpected 'now' after the schedule");
	expect_error("@every 90s now", false, "unexpected 'now'");
	expect_error("@reboot now", false, "unexpected 'now'");
	expect_error("0 0 * * *", true, "no command after the schedule");
	expect_error("0 0 * * *   ", true, "no command after the schedule");
	expect_error("@daily", true, "no command after the schedule");
	expect_error("@reboot ", true, "no command after the schedule");
	expect_error("@every 5m", true, "no command after the schedule");
	expect_error("", true, "a schedule has 5 or 6 fields");
}

/* A day that no month in the schedule has never comes. */
static void
test_never_runs(void **state)
{
	(void)state;
	expect_error("0 0 30 2 *", false, "the schedule never runs");
	expect_error("0 0 30,31 feb *", false, "the schedule never runs");
	expect_error("0 0 31 4,6,9,11 *", false, "the schedule never runs");
	expect_error("0 0 0 30 2 *", false, "the schedule never runs");
	expect_error("0 0 31 2 * cmd", true, "the schedule never runs");
	/* Feb 29 comes in leap years; a weekday rescues a day that does
	 * not come (either may match); a '*' weekday does not. */
	parse("0 0 29 2 *");
	parse("0 0 31 2 mon");
	expect_error("0 0 31 2 */2", false, "the schedule never runs");
	/* One real day is enough. */
	parse("0 0 30,31 2,3 *");
}

/* @every wants a span of at least a second; unknown @names fail. */
static void
test_bad_at(void **state)
{
	(void)state;
	expect_error("@every 500ms", false, "bad duration '500ms' for @every");
	expect_error("@every 0", false, "bad duration '0' for @every");
	expect_error("@every infinity", false, "bad duration 'infinity'");
	expect_error("@every soon", false, "bad duration 'soon'");
	expect_error("@every -5s", false, "bad duration '-5s'");
	expect_error("@every", false, "@every needs a duration");
	expect_error("@every  \t", false, "@every needs a duration");
	expect_error("@every90s", false, "unknown schedule '@every90s'");
	expect_error("@fortnightly", false, "unknown schedule '@fortnightly'");
	expect_error("@Daily", false, "unknown schedule '@Daily'");
	expect_error("@ daily", false, "unknown schedule '@'");
	expect_error("@", false, "unknown schedule '@'");
	expect_error("@dailyx cmd", true, "unknown schedule '@dailyx'");
}

/* The error fits the buffer, however short, and always ends. */
static void
test_error_buffer(void **state)
{
	struct schedule s;
	char error[16];

	(void)state;
	memset(error, 'x', sizeof(error));
	assert_int_equal(schedule_parse(&s, "99 * * * *", NULL, error, 8), -1);
	assert_int_equal(error[7], '\0');
	assert_int_equal(strlen(error), 7);
	assert_int_equal(error[8], 'x');
	memset(error, 'x', sizeof(error));
	assert_int_equal(schedule_parse(&s, "@every 1ms", NULL, error, 1), -1);
	assert_int_equal(error[0], '\0');
	assert_int_equal(error[1], 'x');
}

/* --- the next run --------------------------------------------------------- */

/* From after (UTC), in zone, the next runs one after the other; the
 * comments give them in UTC. */
struct next_row {
	const char *schedule, *zone, *after;
	int64_t next[4];	/* seconds since the epoch; 0 ends */
};

static const struct next_row next_rows[] = {
	/* Fields, lists, ranges, steps, names, both day fields, seconds and
	 * @names. */
	{ "* * * * *", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-01 00:01, 00:02 */
	  { 1767225660, 1767225720 } },
	{ "* * * * *", UTC, "2026-01-01T00:00:30Z",
	  /* 2026-01-01 00:01 */
	  { 1767225660 } },
	{ "*/15 * * * *", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-01 00:15, 00:30, 00:45, 01:00 */
	  { 1767226500, 1767227400, 1767228300, 1767229200 } },
	{ "5/15 * * * *", UTC, "2026-01-01T00:50:00Z",
	  /* 2026-01-01 01:05, 01:20, 01:35, 01:50 */
	  { 1767229500, 1767230400, 1767231300, 1767232200 } },
	{ "10-20/5 8 * * *", UTC, "2026-01-01T08:12:00Z",
	  /* 2026-01-01 08:15, 08:20, 2026-01-02 08:10 */
	  { 1767255300, 1767255600, 1767341400 } },
	{ "0 9-17/4 * * *", UTC, "2026-01-01T09:00:00Z",
	  /* 2026-01-01 13:00, 17:00, 2026-01-02 09:00 */
	  { 1767272400, 1767286800, 1767344400 } },
	{ "0 0 1,15 * *", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-15 00:00, 2026-02-01 00:00, 2026-02-15 00:00 */
	  { 1768435200, 1769904000, 1771113600 } },
	{ "0 12 31 * *", UTC, "2026-01-31T12:00:00Z",
	  /* 2026-03-31 12:00, 2026-05-31 12:00,
	   * 2026-07-31 12:00, 2026-08-31 12:00 */
	  { 1774958400, 1780228800, 1785499200, 1788177600 } },
	{ "0 0 30 * *", UTC, "2026-01-30T00:00:00Z",
	  /* 2026-03-30 00:00, 2026-04-30 00:00 */
	  { 1774828800, 1777507200 } },
	{ "0 0 1 1 *", UTC, "2026-06-01T00:00:00Z",
	  /* 2027-01-01 00:00, 2028-01-01 00:00 */
	  { 1798761600, 1830297600 } },
	{ "59 23 31 12 *", UTC, "2026-12-31T23:59:00Z",
	  /* 2027-12-31 23:59 */
	  { 1830297540 } },
	{ "59 23 31 12 *", UTC, "2026-12-31T23:58:59Z",
	  /* 2026-12-31 23:59 */
	  { 1798761540 } },
	{ "0 0 29 2 *", UTC, "2027-01-01T00:00:00Z",
	  /* 2028-02-29 00:00, 2032-02-29 00:00 */
	  { 1835395200, 1961625600 } },
	{ "0 0 29 2 *", UTC, "2096-03-01T00:00:00Z",
	  /* 2104-02-29 00:00 */
	  { 4233686400 } },
	{ "0 0 * * sun", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-04 00:00, 2026-01-11 00:00 */
	  { 1767484800, 1768089600 } },
	{ "0 0 * * 7", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-04 00:00, 2026-01-11 00:00 */
	  { 1767484800, 1768089600 } },
	{ "0 0 * * MON-fri", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-02 00:00, 2026-01-05 00:00, 2026-01-06 00:00 */
	  { 1767312000, 1767571200, 1767657600 } },
	{ "0 0 * * 5-7", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-02 00:00, 2026-01-03 00:00,
	   * 2026-01-04 00:00, 2026-01-09 00:00 */
	  { 1767312000, 1767398400, 1767484800, 1767916800 } },
	{ "0 0 1 JAN,jul *", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-07-01 00:00, 2027-01-01 00:00 */
	  { 1782864000, 1798761600 } },
	{ "0 0 13 * 5", UTC, "2026-01-09T00:00:00Z",
	  /* 2026-01-13 00:00, 2026-01-16 00:00, 2026-01-23 00:00 */
	  { 1768262400, 1768521600, 1769126400 } },
	{ "0 0 13 * fri", UTC, "2026-02-12T00:00:00Z",
	  /* 2026-02-13 00:00, 2026-02-20 00:00 */
	  { 1770940800, 1771545600 } },
	{ "0 0 1 * mon", UTC, "2026-01-27T00:00:00Z",
	  /* 2026-02-01 00:00, 2026-02-02 00:00, 2026-02-09 00:00 */
	  { 1769904000, 1769990400, 1770595200 } },
	{ "0 0 1-31 * 1", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-02 00:00, 2026-01-03 00:00 */
	  { 1767312000, 1767398400 } },
	{ "0 0 */2 * 5", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-09 00:00, 2026-01-23 00:00, 2026-02-13 00:00 */
	  { 1767916800, 1769126400, 1770940800 } },
	{ "0 0 13 * */2", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-13 00:00, 2026-06-13 00:00 */
	  { 1768262400, 1781308800 } },
	{ "0 0 * * *", UTC, "2026-02-28T00:00:00Z",
	  /* 2026-03-01 00:00 */
	  { 1772323200 } },
	{ "0 0 * feb *", UTC, "2026-02-27T00:00:00Z",
	  /* 2026-02-28 00:00, 2027-02-01 00:00 */
	  { 1772236800, 1801440000 } },
	{ "*/20 * * * * *", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-01 00:00:20, 00:00:40, 00:01 */
	  { 1767225620, 1767225640, 1767225660 } },
	{ "30 0 12 * * *", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-01 12:00:30, 2026-01-02 12:00:30 */
	  { 1767268830, 1767355230 } },
	{ "59 59 23 31 12 *", UTC, "2026-06-01T00:00:00Z",
	  /* 2026-12-31 23:59:59, 2027-12-31 23:59:59 */
	  { 1798761599, 1830297599 } },
	{ "0 6 1 * *", UTC, "1969-10-15T00:00:00Z",
	  /* 1969-11-01 06:00, 1969-12-01 06:00, 1970-01-01 06:00 */
	  { -5248800, -2656800, 21600 } },
	{ "0 12 1 1 *", UTC, "1969-06-01T00:00:00Z",
	  /* 1970-01-01 12:00, 1971-01-01 12:00 */
	  { 43200, 31579200 } },
	{ "@yearly", UTC, "2026-01-01T00:00:00Z",
	  /* 2027-01-01 00:00 */
	  { 1798761600 } },
	{ "@annually", UTC, "2026-05-01T00:00:00Z",
	  /* 2027-01-01 00:00 */
	  { 1798761600 } },
	{ "@monthly", UTC, "2026-01-31T00:00:00Z",
	  /* 2026-02-01 00:00, 2026-03-01 00:00 */
	  { 1769904000, 1772323200 } },
	{ "@weekly", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-04 00:00, 2026-01-11 00:00 */
	  { 1767484800, 1768089600 } },
	{ "@daily", UTC, "2026-01-01T00:00:00Z",
	  /* 2026-01-02 00:00 */
	  { 1767312000 } },
	{ "@midnight", UTC, "2026-01-01T12:00:00Z",
	  /* 2026-01-02 00:00 */
	  { 1767312000 } },
	{ "@hourly", UTC, "2026-01-01T23:00:00Z",
	  /* 2026-01-02 00:00, 01:00 */
	  { 1767312000, 1767315600 } },
	/* A zone's offset: 16:00 in Berlin is 15:00 UTC in winter, 14:00 in
	 * summer; in New York 21:00 UTC in winter. */
	{ "0 16 * * *", BERLIN, "2026-01-01T00:00:00Z",
	  /* 2026-01-01 15:00, 2026-01-02 15:00 */
	  { 1767279600, 1767366000 } },
	{ "0 16 * * *", BERLIN, "2026-07-01T00:00:00Z",
	  /* 2026-07-01 14:00 */
	  { 1782914400 } },
	{ "0 16 * * *", NEW_YORK, "2026-01-01T00:00:00Z",
	  /* 2026-01-01 21:00 */
	  { 1767301200 } },
	/* Berlin 2026.  At 03-29 01:00Z, 02:00 CET becomes 03:00 CEST: 02:xx
	 * never comes; a fixed-time job in it runs at the change, others
	 * skip it.  At 10-25 01:00Z, 03:00 CEST becomes 02:00 CET: 02:xx
	 * comes twice, at 00:xx and 01:xx UTC; a fixed-time job runs in the
	 * first only, others in both. */
	{ "30 2 * * *", BERLIN, "2026-03-28T12:00:00Z",
	  /* 2026-03-29 01:00, 2026-03-30 00:30 */
	  { 1774746000, 1774830600 } },
	{ "0,30 2 * * *", BERLIN, "2026-03-28T12:00:00Z",
	  /* 2026-03-29 01:00, 2026-03-30 00:00, 00:30 */
	  { 1774746000, 1774828800, 1774830600 } },
	{ "0 * * * *", BERLIN, "2026-03-28T23:30:00Z",
	  /* 2026-03-29 00:00, 01:00, 02:00 */
	  { 1774742400, 1774746000, 1774749600 } },
	{ "30 * * * *", BERLIN, "2026-03-28T23:45:00Z",
	  /* 2026-03-29 00:30, 01:30 */
	  { 1774744200, 1774747800 } },
	{ "* 2 * * *", BERLIN, "2026-03-28T12:00:00Z",
	  /* 2026-03-30 00:00 */
	  { 1774828800 } },
	{ "30 3 * * *", BERLIN, "2026-03-28T12:00:00Z",
	  /* 2026-03-29 01:30 */
	  { 1774747800 } },
	{ "30 2 * * 1", BERLIN, "2026-03-28T12:00:00Z",
	  /* 2026-03-30 00:30 */
	  { 1774830600 } },
	{ "30 2 * * *", BERLIN, "2026-10-24T12:00:00Z",
	  /* 2026-10-25 00:30, 2026-10-26 01:30 */
	  { 1792888200, 1792978200 } },
	{ "30 2 * * *", BERLIN, "2026-10-25T01:10:00Z",
	  /* 2026-10-26 01:30 */
	  { 1792978200 } },
	{ "*/30 * * * *", BERLIN, "2026-10-24T23:45:00Z",
	  /* 2026-10-25 00:00, 00:30, 01:00, 01:30 */
	  { 1792886400, 1792888200, 1792890000, 1792891800 } },
	{ "* 2 * * *", BERLIN, "2026-10-25T00:58:00Z",
	  /* 2026-10-25 00:59, 01:00, 01:01 */
	  { 1792889940, 1792890000, 1792890060 } },
	{ "* 2 * * *", BERLIN, "2026-10-25T01:59:00Z",
	  /* 2026-10-26 01:00 */
	  { 1792976400 } },
	/* Berlin 2027: 02:xx is skipped on 03-28 (the change at 01:00Z) and
	 * repeated on 10-31 (00:xx and 01:xx UTC). */
	{ "30 2 * * *", BERLIN, "2027-03-27T12:00:00Z",
	  /* 2027-03-28 01:00, 2027-03-29 00:30 */
	  { 1806195600, 1806280200 } },
	{ "0,30 2 * * *", BERLIN, "2027-03-27T12:00:00Z",
	  /* 2027-03-28 01:00, 2027-03-29 00:00 */
	  { 1806195600, 1806278400 } },
	{ "30 2 * * *", BERLIN, "2027-03-28T00:59:59Z",
	  /* 2027-03-28 01:00 */
	  { 1806195600 } },
	{ "30 2 * * *", BERLIN, "2027-03-28T01:00:00Z",
	  /* 2027-03-29 00:30 */
	  { 1806280200 } },
	{ "0 * * * *", BERLIN, "2027-03-28T00:00:00Z",
	  /* 2027-03-28 01:00, 02:00 */
	  { 1806195600, 1806199200 } },
	{ "30 2 * * *", BERLIN, "2027-10-30T12:00:00Z",
	  /* 2027-10-31 00:30, 2027-11-01 01:30 */
	  { 1824942600, 1825032600 } },
	{ "*/30 * * * *", BERLIN, "2027-10-30T23:45:00Z",
	  /* 2027-10-31 00:00, 00:30, 01:00, 01:30 */
	  { 1824940800, 1824942600, 1824944400, 1824946200 } },
	{ "* 2 * * *", BERLIN, "2027-10-30T23:59:00Z",
	  /* 2027-10-31 00:00 */
	  { 1824940800 } },
	{ "* 2 * * *", BERLIN, "2027-10-31T00:59:00Z",
	  /* 2027-10-31 01:00 */
	  { 1824944400 } },
	/* New York 2026: 02:xx is skipped on 03-08 (the change at 07:00Z);
	 * 01:xx is repeated on 11-01 (05:xx EDT and 06:xx EST, UTC). */
	{ "30 2 * * *", NEW_YORK, "2026-03-07T12:00:00Z",
	  /* 2026-03-08 07:00, 2026-03-09 06:30 */
	  { 1772953200, 1773037800 } },
	{ "0,30 2 * * *", NEW_YORK, "2026-03-07T12:00:00Z",
	  /* 2026-03-08 07:00, 2026-03-09 06:00 */
	  { 1772953200, 1773036000 } },
	{ "0 * * * *", NEW_YORK, "2026-03-08T05:30:00Z",
	  /* 2026-03-08 06:00, 07:00, 08:00 */
	  { 1772949600, 1772953200, 1772956800 } },
	{ "30 1 * * *", NEW_YORK, "2026-10-31T12:00:00Z",
	  /* 2026-11-01 05:30, 2026-11-02 06:30 */
	  { 1793511000, 1793601000 } },
	{ "*/30 * * * *", NEW_YORK, "2026-11-01T04:45:00Z",
	  /* 2026-11-01 05:00, 05:30, 06:00, 06:30 */
	  { 1793509200, 1793511000, 1793512800, 1793514600 } },
	{ "* 1 * * *", NEW_YORK, "2026-11-01T05:59:00Z",
	  /* 2026-11-01 06:00 */
	  { 1793512800 } },
	/* New York 2027: 02:xx is skipped on 03-14 (the change at 07:00Z);
	 * 01:xx is repeated on 11-07 (05:xx and 06:xx UTC). */
	{ "30 2 * * *", NEW_YORK, "2027-03-13T12:00:00Z",
	  /* 2027-03-14 07:00, 2027-03-15 06:30 */
	  { 1805007600, 1805092200 } },
	{ "0,30 2 * * *", NEW_YORK, "2027-03-13T12:00:00Z",
	  /* 2027-03-14 07:00, 2027-03-15 06:00 */
	  { 1805007600, 1805090400 } },
	{ "0 * * * *", NEW_YORK, "2027-03-14T06:00:00Z",
	  /* 2027-03-14 07:00, 08:00 */
	  { 1805007600, 1805011200 } },
	{ "30 1 * * *", NEW_YORK, "2027-11-06T12:00:00Z",
	  /* 2027-11-07 05:30, 2027-11-08 06:30 */
	  { 1825565400, 1825655400 } },
	{ "*/30 * * * *", NEW_YORK, "2027-11-07T04:45:00Z",
	  /* 2027-11-07 05:00, 05:30, 06:00, 06:30 */
	  { 1825563600, 1825565400, 1825567200, 1825569000 } },
	{ "* 1 * * *", NEW_YORK, "2027-11-07T05:59:00Z",
	  /* 2027-11-07 06:00 */
	  { 1825567200 } },
};

/* Runs row in zone_name (the row's zone, or the same one as a rule). */
static void
check_row(const struct next_row *row, const char *zone_name)
{
	struct schedule s = parse(row->schedule);
	struct zone zone;
	int64_t t;
	size_t i;

	load(&zone, zone_name);
	t = iso(row->after) * 1000;
	for (i = 0; i < 4 && row->next[i] != 0; i++) {
		t = schedule_next(&s, &zone, 0, t);
		if (t != row->next[i] * 1000)
			fail_msg("'%s' in %s after %s: run %zu at %lld, not "
				 "%lld",
				 row->schedule, zone_name, row->after, i + 1,
				 (long long)(t / 1000),
				 (long long)row->next[i]);
	}
	zone_free(&zone);
}

static void
test_next_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(next_rows) / sizeof(next_rows[0]); i++)
		check_row(&next_rows[i], next_rows[i].zone);
}

/* The POSIX rules of the two zones give the same answers as their
 * files. */
static void
test_next_table_rules(void **state)
{
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < sizeof(next_rows) / sizeof(next_rows[0]); i++) {
		if (strcmp(next_rows[i].zone, BERLIN) == 0)
			check_row(&next_rows[i], BERLIN_RULE);
		else if (strcmp(next_rows[i].zone, NEW_YORK) == 0)
			check_row(&next_rows[i], NEW_YORK_RULE);
		else
			continue;
		n++;
	}
	assert_true(n >= 30);
}

/* A NULL zone is UTC. */
static void
test_next_null_zone(void **state)
{
	const struct next_row *row;
	struct schedule s;
	int64_t t;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(next_rows) / sizeof(next_rows[0]); i++) {
		row = &next_rows[i];
		if (strcmp(row->zone, UTC) != 0)
			continue;
		s = parse(row->schedule);
		t = iso(row->after) * 1000;
		for (k = 0; k < 4 && row->next[k] != 0; k++) {
			t = schedule_next(&s, NULL, 0, t);
			assert_true(t == row->next[k] * 1000);
		}
	}
}

/* Instants are milliseconds: a run comes strictly after, on a whole
 * second. */
static void
test_next_milliseconds(void **state)
{
	struct schedule s = parse("* * * * *");
	int64_t minute = iso("2026-01-01T00:01:00Z") * 1000;

	(void)state;
	assert_true(schedule_next(&s, NULL, 0, minute - 60000) == minute);
	assert_true(schedule_next(&s, NULL, 0, minute - 1) == minute);
	assert_true(schedule_next(&s, NULL, 0, minute) == minute + 60000);
	assert_true(schedule_next(&s, NULL, 0, minute + 999) ==
		    minute + 60000);
	/* Before the epoch, a second still ends where it should. */
	assert_true(schedule_next(&s, NULL, 0, -1) == 0);
	assert_true(schedule_next(&s, NULL, 0, -60001) == -60000);
	s = parse("* * * * * *");
	assert_true(schedule_next(&s, NULL, 0, minute + 1) == minute + 1000);
	assert_true(schedule_next(&s, NULL, 0, minute + 1000) ==
		    minute + 2000);
}

/* @every counts from origin: the first origin + k * every (k >= 1)
 * strictly after after; before origin, the first is origin + every. */
static void
test_next_every(void **state)
{
	struct schedule s = parse("@every 90s");
	const int64_t origin = iso("2026-01-01T00:00:00Z") * 1000 + 123;

	(void)state;
	assert_true(schedule_next(&s, NULL, origin, origin) == origin + 90000);
	assert_true(schedule_next(&s, NULL, origin, origin + 1) ==
		    origin + 90000);
	assert_true(schedule_next(&s, NULL, origin, origin + 89999) ==
		    origin + 90000);
	assert_true(schedule_next(&s, NULL, origin, origin + 90000) ==
		    origin + 180000);
	assert_true(schedule_next(&s, NULL, origin, origin + 90001) ==
		    origin + 180000);
	assert_true(schedule_next(&s, NULL, origin, origin + 900000) ==
		    origin + 990000);
	assert_true(schedule_next(&s, NULL, origin, origin - 1) ==
		    origin + 90000);
	assert_true(schedule_next(&s, NULL, origin, origin - 3600000) ==
		    origin + 90000);
	/* The zone does not matter. */
	s = parse("@every 1h30min");
	assert_true(schedule_next(&s, NULL, origin, origin + 5400000 * 3LL) ==
		    origin + 5400000 * 4LL);
	s = parse("@every 1s");
	assert_true(schedule_next(&s, NULL, 0, 0) == 1000);
	assert_true(schedule_next(&s, NULL, 0, 1500) == 2000);
}

static void
test_next_every_zone(void **state)
{
	struct schedule s = parse("@every 1h");
	struct zone zone;
	/* Across Berlin's change on 2027-03-28 01:00 UTC: one hour apart
	 * all the same. */
	int64_t origin = iso("2027-03-28T00:30:00Z") * 1000;

	(void)state;
	load(&zone, BERLIN);
	assert_true(schedule_next(&s, &zone, origin, origin) ==
		    origin + 3600000);
	assert_true(schedule_next(&s, &zone, origin, origin + 3600000) ==
		    origin + 7200000);
	zone_free(&zone);
}

/* @reboot runs when grace starts only: never again. */
static void
test_next_reboot(void **state)
{
	struct schedule s = parse("@reboot");

	(void)state;
	assert_true(schedule_next(&s, NULL, 0, 0) == SCHEDULE_NEVER);
	assert_true(schedule_next(&s, NULL, 1000, -5000) == SCHEDULE_NEVER);
	assert_true(schedule_next(&s, NULL, 0, iso("2027-01-01T00:00:00Z") *
						       1000) == SCHEDULE_NEVER);
}

/* Each run is after the last, and the next of a run is the one after it,
 * whatever the starting second: walking a whole year minute by minute
 * through Berlin's changes finds the same runs as walking run to run. */
static void
test_next_walk(void **state)
{
	static const char *const schedules[] = {
		"30 2 * * *", "*/30 * * * *", "* 2 * * *", "0,30 2 * * *",
		"15 1-3 * * *", "0 0 29 2 *", "0 0 13 * 5",
	};
	struct zone zone;
	struct schedule s;
	int64_t from = iso("2026-03-01T00:00:00Z") * 1000;
	int64_t to = iso("2026-11-01T00:00:00Z") * 1000;
	int64_t t, run, expect;
	size_t i;

	(void)state;
	load(&zone, BERLIN);
	for (i = 0; i < sizeof(schedules) / sizeof(schedules[0]); i++) {
		s = parse(schedules[i]);
		run = schedule_next(&s, &zone, 0, from);
		for (t = from; t < to && run < to; t += 17 * 60000) {
			while (run <= t) {
				expect = schedule_next(&s, &zone, 0, run);
				assert_true(expect > run);
				run = expect;
			}
			if (schedule_next(&s, &zone, 0, t) != run)
				fail_msg("'%s' after %lld: %lld, not %lld",
					 schedules[i], (long long)t,
					 (long long)schedule_next(&s, &zone, 0,
								  t),
					 (long long)run);
		}
	}
	zone_free(&zone);
}

/* --- formatting ----------------------------------------------------------- */

static void
test_format(void **state)
{
	struct zone zone;
	char buf[64];

	(void)state;
	/* 2027-03-28 01:00:00 UTC, Berlin's change to summer time */
	assert_string_equal(schedule_format(1806195600, NULL, buf, sizeof(buf)),
			    "2027-03-28 01:00:00 UTC");
	load(&zone, BERLIN);
	assert_string_equal(schedule_format(1806195600, &zone, buf,
					    sizeof(buf)),
			    "2027-03-28 03:00:00 +02:00");
	assert_string_equal(schedule_format(1806195599, &zone, buf,
					    sizeof(buf)),
			    "2027-03-28 01:59:59 +01:00");
	zone_free(&zone);
	load(&zone, NEW_YORK);
	assert_string_equal(schedule_format(1806195600, &zone, buf,
					    sizeof(buf)),
			    "2027-03-27 21:00:00 -04:00");
	zone_free(&zone);
	/* 2026-01-01 00:00:00 UTC, in zones with odd minutes */
	load(&zone, "America/St_Johns");
	assert_string_equal(schedule_format(1767225600, &zone, buf,
					    sizeof(buf)),
			    "2025-12-31 20:30:00 -03:30");
	zone_free(&zone);
	load(&zone, "Asia/Kolkata");
	assert_string_equal(schedule_format(1767225600, &zone, buf,
					    sizeof(buf)),
			    "2026-01-01 05:30:00 +05:30");
	zone_free(&zone);
	/* UTC loaded is "+00:00"; before the epoch works too. */
	load(&zone, UTC);
	assert_string_equal(schedule_format(-1, &zone, buf, sizeof(buf)),
			    "1969-12-31 23:59:59 +00:00");
	zone_free(&zone);
	assert_string_equal(schedule_format(0, NULL, buf, sizeof(buf)),
			    "1970-01-01 00:00:00 UTC");
}

/* A short buffer gets the start of the text, ended, and nothing past. */
static void
test_format_short(void **state)
{
	struct zone zone;
	char buf[32];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_ptr_equal(schedule_format(1806195600, NULL, buf, 11), buf);
	assert_string_equal(buf, "2027-03-28");
	assert_int_equal(buf[11], 'x');
	load(&zone, BERLIN);
	memset(buf, 'x', sizeof(buf));
	schedule_format(1806195600, &zone, buf, 20);
	assert_string_equal(buf, "2027-03-28 03:00:00");
	assert_int_equal(buf[20], 'x');
	memset(buf, 'x', sizeof(buf));
	schedule_format(1806195600, &zone, buf, 1);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');
	zone_free(&zone);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_five_fields),
		cmocka_unit_test(test_six_fields),
		cmocka_unit_test(test_lists_ranges_steps),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_weekday_seven),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_every),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_rest),
		cmocka_unit_test(test_sixth_field),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_field_count),
		cmocka_unit_test(test_never_runs),
		cmocka_unit_test(test_bad_at),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_next_table),
		cmocka_unit_test(test_next_table_rules),
		cmocka_unit_test(test_next_null_zone),
		cmocka_unit_test(test_next_milliseconds),
		cmocka_unit_test(test_next_every),
		cmocka_unit_test(test_next_every_zone),
		cmocka_unit_test(test_next_reboot),
		cmocka_unit_test(test_next_walk),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_short),
	};

	return cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
}
