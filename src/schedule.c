// SPDX-License-Identifier: MIT
/* Owns cron schedules: the text of a schedule parsed into one bit set per
 * field, and the next run after an instant, found in local wall-clock
 * time one stretch of constant UTC offset at a time, so that skipped and
 * repeated hours follow one rule.  No system calls and no clock: the
 * caller says what "now" is. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "schedule.h"
#include "unit.h"

#define DAY 86400

/* One field of the five (or six): its name, range and names. */
struct field {
	const char *what;
	unsigned lo, hi;
	const char *const *names;	/* for lo, lo+1, ...; or NULL */
	unsigned n_names;
};

static const char *const month_names[] = { "jan", "feb", "mar", "apr",
					   "may", "jun", "jul", "aug",
					   "sep", "oct", "nov", "dec" };
static const char *const weekday_names[] = { "sun", "mon", "tue", "wed",
					     "thu", "fri", "sat" };

enum { F_SECOND, F_MINUTE, F_HOUR, F_DOM, F_MONTH, F_DOW, F_COUNT };

static const struct field fields[F_COUNT] = {
	[F_SECOND] = { "second", 0, 59, NULL, 0 },
	[F_MINUTE] = { "minute", 0, 59, NULL, 0 },
	[F_HOUR] = { "hour", 0, 23, NULL, 0 },
	[F_DOM] = { "day of month", 1, 31, NULL, 0 },
	[F_MONTH] = { "month", 1, 12, month_names, 12 },
	/* 7 is Sunday too */
	[F_DOW] = { "day of week", 0, 7, weekday_names, 7 },
};

/* The @names that stand for five fields. */
static const struct {
	const char *name, *fields;
} macros[] = {
	{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" }, { "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" },  { "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *
skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

/* The length of the word at p (up to a blank or the end). */
static size_t
word_length(const char *p)
{
	size_t n = 0;

	while (p[n] != '\0' && !is_blank(p[n]))
		n++;
	return n;
}

/* Reads a number or a name of field f at *p into *value, moving *p past
 * it; false when there is neither. */
static bool
read_value(const struct field *f, const char **p, unsigned *value)
{
	const char *s = *p;
	unsigned v = 0, i;

	if (*s >= '0' && *s <= '9') {
		while (*s >= '0' && *s <= '9') {
			if (v > 1000)
				return false;
			v = v * 10 + (unsigned)(*s++ - '0');
		}
		*value = v;
		*p = s;
		return true;
	}
	for (i = 0; i < f->n_names; i++)
		if (strncasecmp(s, f->names[i], 3) == 0) {
			*value = f->lo + i;
			*p = s + 3;
			return true;
		}
	return false;
}

/* Parses one field of n bytes at text into the bits of *set (bit N for
 * value N).  0, or -1 with error. */
static int
parse_field(const struct field *f, const char *text, size_t n, uint64_t *set,
	    char *error, size_t error_len)
{
	const char *p = text, *end = text + n;
	unsigned a, b, step, v;
	bool single;

	*set = 0;
	for (;;) {
		step = 1;
		single = false;
		if (*p == '*') {
			a = f->lo;
			b = f->hi;
			p++;
		} else {
			if (!read_value(f, &p, &a))
				goto bad;
			b = a;
			single = *p != '-';
			if (*p == '-') {
				p++;
				if (!read_value(f, &p, &b))
					goto bad;
			}
		}
		if (*p == '/') {
			p++;
			/* "a/step" runs from a to the end, as most crons
			 * read it */
			if (single)
				b = f->hi;
			if (!read_value(&fields[F_SECOND], &p, &step) ||
			    step == 0)
				goto bad;
		}
		if (a < f->lo || b > f->hi || a > b) {
			snprintf(error, error_len,
				 "%s field '%.*s': out of %u-%u", f->what,
				 (int)n, text, f->lo, f->hi);
			return -1;
		}
		for (v = a; v <= b; v += step)
			*set |= 1ULL << v;
		if (p == end)
			return 0;
		if (*p != ',' || p + 1 == end)
			goto bad;
		p++;
	}
bad:
	snprintf(error, error_len, "bad %s field '%.*s'", f->what, (int)n,
		 text);
	return -1;
}

/* Whether the n bytes at text make a valid day-of-week field. */
static bool
is_weekday_field(const char *text, size_t n)
{
	uint64_t set;
	char error[8];

	return n > 0 && parse_field(&fields[F_DOW], text, n, &set, error,
				    sizeof(error)) == 0;
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned days[] = { 31, 28, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31 };

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return days[m - 1];
}

/* Whether a schedule restricted by day of month alone has a day that
 * exists in one of its months (Feb 30 never comes). */
static bool
has_real_day(const struct schedule *s)
{
	unsigned m, d;

	if (!s->dom_star && !s->dow_star)
		return true;	/* any matching weekday will do */
	for (m = 1; m <= 12; m++)
		for (d = 1; d <= (m == 2 ? 29u : days_in_month(1, m)); d++)
			if ((s->months >> m & 1) && (s->days >> d & 1))
				return true;
	return false;
}

/* Parses the count fields (5 or 6) of words into s. */
static int
parse_fields(struct schedule *s, const char *const *words,
	     const size_t *lens, int count, char *error, size_t error_len)
{
	uint64_t sets[F_COUNT];
	int f, first = count == 6 ? F_SECOND : F_MINUTE;

	sets[F_SECOND] = 1;
	for (f = first; f < F_COUNT; f++)
		if (parse_field(&fields[f], words[f - first], lens[f - first],
				&sets[f], error, error_len) < 0)
			return -1;
	s->kind = SCHEDULE_CRON;
	s->seconds = sets[F_SECOND];
	s->minutes = sets[F_MINUTE];
	s->hours = (uint32_t)sets[F_HOUR];
	s->days = (uint32_t)sets[F_DOM];
	s->months = (uint16_t)sets[F_MONTH];
	s->weekdays = (uint8_t)((sets[F_DOW] | sets[F_DOW] >> 7) & 0x7f);
	s->dom_star = words[F_DOM - first][0] == '*';
	s->dow_star = words[F_DOW - first][0] == '*';
	s->fixed_time = words[F_MINUTE - first][0] != '*' &&
			words[F_HOUR - first][0] != '*';
	if (!has_real_day(s)) {
		snprintf(error, error_len,
			 "the schedule never runs: no month in it has "
			 "that day");
		return -1;
	}
	return 0;
}

/* "@every DURATION": one word, a systemd time span ("90s", "1h30min"). */
static int
parse_every(struct schedule *s, const char *p, const char **rest,
	    char *error, size_t error_len)
{
	char span[64];
	size_t n;
	long long ms;

	p = skip_blanks(p);
	n = word_length(p);
	if (n == 0 || n >= sizeof(span)) {
		snprintf(error, error_len, "@every needs a duration");
		return -1;
	}
	memcpy(span, p, n);
	span[n] = '\0';
	if (unit_parse_duration(span, &ms) < 0 || ms == UNIT_INFINITY ||
	    ms < SCHEDULE_EVERY_MIN_MS) {
		snprintf(error, error_len,
			 "bad duration '%s' for @every (at least 1s)", span);
		return -1;
	}
	s->kind = SCHEDULE_EVERY;
	s->every_ms = ms;
	*rest = skip_blanks(p + n);
	return 0;
}

/* Five or six fields at p; *after points past them.  With a command to
 * follow (command true), a sixth word is a field only if it can be a day
 * of the week. */
static int
parse_words(struct schedule *s, const char *p, bool command,
	    const char **after, char *error, size_t error_len)
{
	const char *words[7], *text = p;
	size_t lens[7];
	int count = 0;

	while (count < 7 && *p != '\0') {
		words[count] = p;
		lens[count] = word_length(p);
		p = skip_blanks(p + lens[count]);
		count++;
	}
	if (command && count >= 6)
		count = is_weekday_field(words[5], lens[5]) ? 6 : 5;
	if (count < 5 || (!command && count > 6)) {
		snprintf(error, error_len, "a schedule has 5 or 6 fields: '%s'",
			 text);
		return -1;
	}
	if (parse_fields(s, words, lens, count, error, error_len) < 0)
		return -1;
	*after = skip_blanks(words[count - 1] + lens[count - 1]);
	return 0;
}

/* An @name: a macro, @reboot or @every. */
static int
parse_at(struct schedule *s, const char *p, const char **rest, char *error,
	 size_t error_len)
{
	size_t n = word_length(p), i;
	const char *end;

	if (n == 6 && strncmp(p, "@every", 6) == 0)
		return parse_every(s, p + n, rest, error, error_len);
	*rest = skip_blanks(p + n);
	if (n == 7 && strncmp(p, "@reboot", 7) == 0) {
		s->kind = SCHEDULE_REBOOT;
		return 0;
	}
	for (i = 0; i < sizeof(macros) / sizeof(macros[0]); i++)
		if (strlen(macros[i].name) == n &&
		    strncmp(p, macros[i].name, n) == 0)
			return parse_words(s, macros[i].fields, false, &end,
					   error, error_len);
	snprintf(error, error_len, "unknown schedule '%.*s'", (int)n, p);
	return -1;
}

int
schedule_parse(struct schedule *schedule, const char *text,
	       const char **rest, char *error, size_t error_len)
{
	const char *p = skip_blanks(text), *after;
	int rc;

	memset(schedule, 0, sizeof(*schedule));
	if (*p == '@')
		rc = parse_at(schedule, p, &after, error, error_len);
	else
		rc = parse_words(schedule, p, rest != NULL, &after, error,
				 error_len);
	if (rc < 0)
		return -1;
	if (rest != NULL) {
		if (*after == '\0') {
			snprintf(error, error_len, "no command after the "
						   "schedule");
			return -1;
		}
		*rest = after;
	} else if (*after != '\0') {
		snprintf(error, error_len, "unexpected '%s' after the schedule",
			 after);
		return -1;
	}
	return 0;
}

/* --- the next run -------------------------------------------------------- */

/* The lowest bit set in mask at or above n, or -1. */
static int
next_bit(uint64_t mask, unsigned n)
{
	if (n >= 64)
		return -1;
	mask >>= n;
	if (mask == 0)
		return -1;
	return (int)n + __builtin_ctzll(mask);
}

/* Whether day (days since the epoch, local) is one the schedule runs on. */
static bool
day_matches(const struct schedule *s, int64_t day)
{
	int64_t y;
	unsigned m, d;
	bool dom, dow;

	zone_civil_from_days(day, &y, &m, &d);
	if (!(s->months >> m & 1))
		return false;
	dom = s->days >> d & 1;
	dow = s->weekdays >> zone_weekday(day) & 1;
	if (s->dom_star || s->dow_star)
		return dom && dow;
	return dom || dow;
}

/* Floor division by a positive divisor. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/*
 * The first local wall-clock time (seconds since the local epoch) at or
 * after local that the fields match, or SCHEDULE_NEVER if none comes
 * before limit.  Whole days that do not match are skipped one at a time;
 * inside a matching day, each field moves on to its next set bit.
 */
static int64_t
next_local(const struct schedule *s, int64_t local, int64_t limit)
{
	int64_t day = floor_div(local, DAY);
	int64_t sod = local - day * DAY;
	int64_t h, m, sec;

	while (day * DAY < limit) {
		if (!day_matches(s, day)) {
			day++;
			sod = 0;
			continue;
		}
		h = next_bit(s->hours, (unsigned)(sod / 3600));
		if (h < 0) {
			day++;
			sod = 0;
			continue;
		}
		if (h > sod / 3600)
			sod = h * 3600;
		m = next_bit(s->minutes, (unsigned)(sod % 3600 / 60));
		if (m < 0) {
			sod = (h + 1) * 3600;
			goto carry;
		}
		if (m > sod % 3600 / 60)
			sod = h * 3600 + m * 60;
		sec = next_bit(s->seconds, (unsigned)(sod % 60));
		if (sec < 0) {
			sod = h * 3600 + (m + 1) * 60;
			goto carry;
		}
		if (day * DAY + h * 3600 + m * 60 + sec >= limit)
			break;
		return day * DAY + h * 3600 + m * 60 + sec;
carry:
		if (sod >= DAY) {
			day++;
			sod = 0;
		}
	}
	return SCHEDULE_NEVER;
}

/*
 * The first run strictly after after (UTC seconds) of fields in zone.
 * Each stretch of one UTC offset maps an interval of local times onto
 * UTC one to one; the stretches are walked in UTC order.  At a forward
 * change, local times [start + prev_off, start + off) never happen: a
 * fixed-time job matching one runs at the change.  At a backward change,
 * local times [start + off, start + prev_off) happen again: a fixed-time
 * job skips them the second time.
 */
static int64_t
next_cron(const struct schedule *s, const struct zone *zone, int64_t after)
{
	int64_t t = after + 1, limit = after + (int64_t)SCHEDULE_HORIZON_DAYS *
						   DAY;
	int64_t lo, hi, local;
	struct zone_span span;

	while (t < limit) {
		zone_span_at(zone, t, &span);
		if (t == span.start && span.off > span.prev_off &&
		    s->fixed_time &&
		    next_local(s, span.start + span.prev_off,
			       span.start + span.off) != SCHEDULE_NEVER)
			return span.start;
		lo = t + span.off;
		if (span.off < span.prev_off && s->fixed_time &&
		    lo < span.start + span.prev_off)
			lo = span.start + span.prev_off;
		hi = span.end >= limit ? limit + span.off : span.end + span.off;
		local = next_local(s, lo, hi);
		if (local != SCHEDULE_NEVER)
			return local - span.off;
		if (span.end >= limit)
			break;
		t = span.end;
	}
	return SCHEDULE_NEVER;
}

int64_t
schedule_next(const struct schedule *schedule, const struct zone *zone,
	      int64_t origin_ms, int64_t after_ms)
{
	struct zone utc;
	int64_t next, k;

	switch (schedule->kind) {
	case SCHEDULE_REBOOT:
		return SCHEDULE_NEVER;
	case SCHEDULE_EVERY:
		if (after_ms < origin_ms)
			return origin_ms + schedule->every_ms;
		k = (after_ms - origin_ms) / schedule->every_ms + 1;
		return origin_ms + k * schedule->every_ms;
	case SCHEDULE_CRON:
		break;
	}
	if (zone == NULL) {
		zone_init_utc(&utc);
		zone = &utc;
	}
	next = next_cron(schedule, zone, floor_div(after_ms, 1000));
	return next == SCHEDULE_NEVER ? SCHEDULE_NEVER : next * 1000;
}

char *
schedule_format(int64_t t, const struct zone *zone, char *buf, size_t len)
{
	int32_t off = zone != NULL ? zone_offset_at(zone, t) : 0;
	int64_t local = t + off, day = floor_div(local, DAY), y;
	int64_t sod = local - day * DAY;
	unsigned m, d, aoff = (unsigned)(off < 0 ? -off : off);

	zone_civil_from_days(day, &y, &m, &d);
	if (zone == NULL)
		snprintf(buf, len, "%04lld-%02u-%02u %02u:%02u:%02u UTC",
			 (long long)y, m, d, (unsigned)(sod / 3600),
			 (unsigned)(sod % 3600 / 60), (unsigned)(sod % 60));
	else
		snprintf(buf, len,
			 "%04lld-%02u-%02u %02u:%02u:%02u %c%02u:%02u",
			 (long long)y, m, d, (unsigned)(sod / 3600),
			 (unsigned)(sod % 3600 / 60), (unsigned)(sod % 60),
			 off < 0 ? '-' : '+', aoff / 3600, aoff % 3600 / 60);
	return buf;
}
