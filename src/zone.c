// SPDX-License-Identifier: MIT
/* Owns time zones: TZif files and POSIX TZ rules read into plain data, and
 * the stretches of one UTC offset that the schedules walk through. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zone.h"

#define DAY		86400
/* The largest file zone_load() reads, and the most transitions kept. */
#define ZONE_FILE_MAX	((size_t)256 * 1024)
#define ZONE_TRANS_MAX	100000
/* A year's rule changes fall within this much of the year: a day within
 * it, at most 167 h from its midnight, at an offset under 26 h. */
#define MARGIN		((int64_t)9 * DAY)
/* Rule changes are computed within 400,000 years of 1970 only, where
 * every sum below fits: the offset at -LIMIT holds before, at LIMIT
 * after. */
#define LIMIT		((int64_t)146097 * DAY * 1000)
/* The Gregorian calendar repeats every 400 years, and so do a rule's
 * changes: none within more than that means none at all. */
#define SEARCH		((int64_t)(146097 + 2 * 366) * DAY)
/* The years of changes computed at once when searching. */
#define WINDOW		6

/* One change of a rule: from at on, off. */
struct change {
	int64_t at;
	int32_t off;
};

/* Floor division: the day of a negative instant is the one before. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/* Hinnant's days_from_civil: eras of 400 years, each year begun on March 1
 * so that the leap day comes last. */
int64_t
zone_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Hinnant's civil_from_days, the inverse of the above. */
void
zone_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

unsigned
zone_weekday(int64_t days)
{
	return (unsigned)(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

/* The first second of January 1 of year y, UTC. */
static int64_t
year_start(int64_t y)
{
	return zone_days_from_civil(y, 1, 1) * DAY;
}

static int64_t
year_of(int64_t t)
{
	int64_t y;
	unsigned m, d;

	zone_civil_from_days(floor_div(t, DAY), &y, &m, &d);
	return y;
}

/* The day (since 1970) on which a rule's change falls in year y. */
static int64_t
when_day(const struct zone_when *w, int64_t y)
{
	bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	int64_t first, last;

	switch (w->kind) {
	case ZONE_JULIAN1:
		return zone_days_from_civil(y, 1, 1) + w->day - 1 +
		       (leap && w->day >= 60);
	case ZONE_JULIAN0:
		return zone_days_from_civil(y, 1, 1) + w->day;
	default:
		first = zone_days_from_civil(y, (unsigned)w->month, 1);
		if (w->week < 5)
			return first + (w->day + 7 - zone_weekday(first)) % 7 +
			       7 * (int64_t)(w->week - 1);
		/* Month 13 is the next year's January. */
		last = zone_days_from_civil(y, (unsigned)w->month + 1, 1) - 1;
		return last - (zone_weekday(last) + 7 - w->day) % 7;
	}
}

/* A rule whose offset ever changes. */
static bool
rule_changes_offset(const struct zone_rule *rule)
{
	return rule->has_dst && rule->dst_off != rule->std_off;
}

/*
 * The changes of years y0 to y1, in order: by instant, and for one instant
 * by year, then start before end, so that the last of equal instants
 * wins.  A change may fall up to MARGIN outside its year, so only those
 * within [year_start(y0) + MARGIN, year_start(y1 + 1) - MARGIN] are sure
 * to be all there are.  Gives their number, 2 * (y1 - y0 + 1).
 */
static size_t
rule_changes(const struct zone_rule *rule, int64_t y0, int64_t y1,
	     struct change *out)
{
	struct change c;
	size_t n = 0, i, j;
	int64_t y;

	for (y = y0; y <= y1; y++) {
		out[n].at = when_day(&rule->start, y) * DAY + rule->start.time -
			    rule->std_off;
		out[n++].off = rule->dst_off;
		out[n].at = when_day(&rule->end, y) * DAY + rule->end.time -
			    rule->dst_off;
		out[n++].off = rule->std_off;
	}
	for (i = 1; i < n; i++) {
		c = out[i];
		for (j = i; j > 0 && out[j - 1].at > c.at; j--)
			out[j] = out[j - 1];
		out[j] = c;
	}
	return n;
}

static int64_t
clamp(int64_t t)
{
	return t < -LIMIT ? -LIMIT : t > LIMIT ? LIMIT : t;
}

/* The offset a rule gives at t: that of its last change at or before t.
 * Changes of the year two before t's are all before t, so nothing earlier
 * than three years before can come last. */
static int32_t
rule_offset(const struct zone_rule *rule, int64_t t)
{
	struct change ch[10];
	int32_t off = rule->std_off;
	size_t n, i;
	int64_t y;

	if (!rule_changes_offset(rule))
		return rule->std_off;
	t = clamp(t);
	y = year_of(t);
	n = rule_changes(rule, y - 3, y + 1, ch);
	for (i = 0; i < n && ch[i].at <= t; i++)
		off = ch[i].off;
	return off;
}

/*
 * The changes of the rule's offset in (from, to], in order, a window of
 * years at a time (see rule_changes()): the first (first) or the last,
 * with the offset before it in *prev.  Equal instants count as one
 * change, the last one's.  Instants are clamped to within LIMIT.
 */
static bool
rule_scan(const struct zone_rule *rule, int64_t from, int64_t to, bool first,
	  int64_t *at, int32_t *prev)
{
	struct change ch[2 * (WINDOW + 2)];
	bool found = false;
	int64_t sure, y;
	size_t n, i, j;
	int32_t off;

	if (!rule_changes_offset(rule))
		return false;
	from = clamp(from);
	to = clamp(to);
	off = rule_offset(rule, from);
	while (from < to) {
		y = year_of(from);
		n = rule_changes(rule, y - 1, y + WINDOW, ch);
		sure = year_start(y + WINDOW + 1) - MARGIN;
		if (sure > to)
			sure = to;
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && ch[j].at == ch[i].at; j++)
				;
			if (ch[i].at <= from || ch[i].at > sure ||
			    ch[j - 1].off == off)
				continue;
			*at = ch[i].at;
			*prev = off;
			off = ch[j - 1].off;
			found = true;
			if (first)
				return true;
		}
		from = sure;
	}
	return found;
}

/* Where the rule's stretch holding t ends: INT64_MAX if it changes
 * nothing within SEARCH. */
static int64_t
rule_end(const struct zone_rule *rule, int64_t t)
{
	int32_t prev;
	int64_t at;

	t = clamp(t);
	return rule_scan(rule, t, t + SEARCH, true, &at, &prev) ? at
								  : INT64_MAX;
}

/* Where the rule's stretch holding t starts, after floor: the last two
 * years first, where nearly every rule changes, then back to SEARCH. */
static bool
rule_start(const struct zone_rule *rule, int64_t t, int64_t floor,
	   struct zone_span *span)
{
	int64_t hi = clamp(t), lo = floor > -LIMIT ? floor : -LIMIT;
	int64_t mid = hi - (int64_t)2 * 366 * DAY;

	if (rule_scan(rule, mid > lo ? mid : lo, hi, false, &span->start,
		      &span->prev_off))
		return true;
	return mid > lo && rule_scan(rule, hi - SEARCH > lo ? hi - SEARCH : lo,
				     mid, false, &span->start, &span->prev_off);
}

void
zone_init_utc(struct zone *zone)
{
	*zone = (struct zone){ .name = "UTC" };
}

void
zone_free(struct zone *zone)
{
	free(zone->times);
	free(zone->offsets);
	*zone = (struct zone){ .name = "" };
}

/* The number of transitions at or before t. */
static size_t
transitions_upto(const struct zone *zone, int64_t t)
{
	size_t lo = 0, hi = zone->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (zone->times[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* From the last transition on (from the start with none), the rule. */
static bool
in_rule(const struct zone *zone, int64_t t)
{
	return zone->has_rule &&
	       (zone->n == 0 || t >= zone->times[zone->n - 1]);
}

int32_t
zone_offset_at(const struct zone *zone, int64_t t)
{
	size_t k;

	if (in_rule(zone, t))
		return rule_offset(&zone->rule, t);
	k = transitions_upto(zone, t);
	return k == 0 ? zone->initial_off : zone->offsets[k - 1];
}

/* span->off holds from transition k - 1 (from the start when k is 0):
 * where its stretch starts, going back over transitions that kept it. */
static void
span_back(const struct zone *zone, size_t k, struct zone_span *span)
{
	int32_t before;

	for (; k > 0; k--) {
		before = k >= 2 ? zone->offsets[k - 2] : zone->initial_off;
		if (before != span->off) {
			span->start = zone->times[k - 1];
			span->prev_off = before;
			return;
		}
	}
	span->start = INT64_MIN;
	span->prev_off = span->off;
}

/* span->off holds before transition k: where its stretch ends, going on
 * into the rule from the last transition. */
static void
span_forward(const struct zone *zone, size_t k, struct zone_span *span)
{
	const struct zone_rule *rule = &zone->rule;
	int64_t last;

	for (; k < zone->n; k++) {
		if (zone->has_rule && k == zone->n - 1) {
			last = zone->times[k];
			span->end = rule_offset(rule, last) != span->off
					    ? last
					    : rule_end(rule, last);
			return;
		}
		if (zone->offsets[k] != span->off) {
			span->end = zone->times[k];
			return;
		}
	}
	span->end = INT64_MAX;
}

/* The table before the last transition, the rule from it on; each side
 * merges what does not change the offset, and they meet at the last
 * transition. */
void
zone_span_at(const struct zone *zone, int64_t t, struct zone_span *span)
{
	int64_t floor;
	size_t k;

	span->off = zone_offset_at(zone, t);
	if (in_rule(zone, t)) {
		span->end = rule_end(&zone->rule, t);
		floor = zone->n > 0 ? zone->times[zone->n - 1] : INT64_MIN;
		if (rule_start(&zone->rule, t, floor, span))
			return;
		span_back(zone, zone->n, span);
		return;
	}
	k = transitions_upto(zone, t);
	span_back(zone, k, span);
	span_forward(zone, k, span);
}

/* A number of at most max at *p, digits only; -1 if none or too big. */
static long
parse_number(const char **p, long max)
{
	long v = 0;

	if (**p < '0' || **p > '9')
		return -1;
	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (*(*p)++ - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* A zone abbreviation: three letters or more, or <...> of letters, digits
 * and signs. */
static int
parse_name(const char **p)
{
	const char *s = *p;

	if (*s == '<') {
		for (s++; *s == '+' || *s == '-' || (*s >= '0' && *s <= '9') ||
			  ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z');
		     s++)
			;
		if (*s != '>' || s - *p < 4)
			return -1;
		*p = s + 1;
		return 0;
	}
	while ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')
		s++;
	if (s - *p < 3)
		return -1;
	*p = s;
	return 0;
}

/* [+-]hh[:mm[:ss]] with hours up to max_hours, in seconds. */
static int
parse_hms(const char **p, long max_hours, int32_t *secs)
{
	long h, m = 0, s = 0, sign = 1;

	if (**p == '+' || **p == '-')
		sign = *(*p)++ == '-' ? -1 : 1;
	if ((h = parse_number(p, max_hours)) < 0)
		return -1;
	if (**p == ':') {
		(*p)++;
		if ((m = parse_number(p, 59)) < 0)
			return -1;
		if (**p == ':') {
			(*p)++;
			if ((s = parse_number(p, 59)) < 0)
				return -1;
		}
	}
	*secs = (int32_t)(sign * (h * 3600 + m * 60 + s));
	return 0;
}

/* Jn, n or Mm.w.d, then /time (-167 to 167 hours, RFC 8536). */
static int
parse_when(const char **p, struct zone_when *w)
{
	long v;

	*w = (struct zone_when){ .kind = ZONE_JULIAN0, .time = 7200 };
	if (**p == 'J') {
		(*p)++;
		w->kind = ZONE_JULIAN1;
		if ((v = parse_number(p, 365)) < 1)
			return -1;
		w->day = (int)v;
	} else if (**p == 'M') {
		(*p)++;
		w->kind = ZONE_MWD;
		if ((v = parse_number(p, 12)) < 1)
			return -1;
		w->month = (int)v;
		if (*(*p)++ != '.' || (v = parse_number(p, 5)) < 1)
			return -1;
		w->week = (int)v;
		if (*(*p)++ != '.' || (v = parse_number(p, 6)) < 0)
			return -1;
		w->day = (int)v;
	} else {
		if ((v = parse_number(p, 365)) < 0)
			return -1;
		w->day = (int)v;
	}
	if (**p != '/')
		return 0;
	(*p)++;
	return parse_hms(p, 167, &w->time);
}

/* POSIX offsets are hours west, up to 24; ours are seconds east.  A DST
 * name with no rule gets the US rule, as in tzcode and glibc. */
int
zone_parse_rule(struct zone_rule *rule, const char *text)
{
	const char *p = text;
	int32_t west;

	*rule = (struct zone_rule){ .has_dst = false };
	if (parse_name(&p) < 0 || parse_hms(&p, 24, &west) < 0)
		return -1;
	rule->std_off = -west;
	rule->dst_off = rule->std_off;
	if (*p == '\0')
		return 0;
	if (parse_name(&p) < 0)
		return -1;
	rule->has_dst = true;
	rule->dst_off = rule->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if (parse_hms(&p, 24, &west) < 0)
			return -1;
		rule->dst_off = -west;
	}
	if (*p == '\0')
		p = ",M3.2.0,M11.1.0";
	if (*p++ != ',' || parse_when(&p, &rule->start) < 0 || *p++ != ',' ||
	    parse_when(&p, &rule->end) < 0 || *p != '\0')
		return -1;
	return 0;
}

/* The counts of a TZif header, in its order. */
struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Two's complement, without an implementation-defined conversion. */
static int32_t
get_int32(const unsigned char *p)
{
	uint32_t v = get32(p);

	return v <= INT32_MAX ? (int32_t)v : -(int32_t)~v - 1;
}

static int64_t
get_int64(const unsigned char *p)
{
	uint64_t v = (uint64_t)get32(p) << 32 | get32(p + 4);

	return v <= INT64_MAX ? (int64_t)v : -(int64_t)~v - 1;
}

/* The 44-byte header at p (len bytes left): its version (0 for 1, else
 * '2' or later) and counts; -1 if there is none. */
static int
read_header(const unsigned char *p, size_t len, struct tzif_counts *c,
	    int *version)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0 ||
	    (p[4] != 0 && p[4] < '2'))
		return -1;
	*version = p[4];
	*c = (struct tzif_counts){ get32(p + 20), get32(p + 24),
				   get32(p + 28), get32(p + 32),
				   get32(p + 36), get32(p + 40) };
	return 0;
}

/* The bytes of a data block whose times take tsize bytes: at most about
 * 2^38, so no sum can wrap. */
static uint64_t
block_size(const struct tzif_counts *c, unsigned tsize)
{
	return (uint64_t)c->time * (tsize + 1) + (uint64_t)c->type * 6 +
	       c->chars + (uint64_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

/* The footer of a version 2+ file, "\nTZ\n", at p (len bytes left) into
 * the zone's rule; an empty one is no rule.  NULL, or the problem. */
static const char *
read_footer(struct zone *zone, const unsigned char *p, size_t len)
{
	const unsigned char *end;
	char text[256];
	size_t n;

	if (len < 2 || p[0] != '\n' ||
	    (end = memchr(p + 1, '\n', len - 1)) == NULL)
		return "truncated";
	n = (size_t)(end - p - 1);
	if (n == 0)
		return NULL;
	if (n >= sizeof(text) || memchr(p + 1, '\0', n) != NULL)
		return "bad footer rule";
	memcpy(text, p + 1, n);
	text[n] = '\0';
	if (zone_parse_rule(&zone->rule, text) < 0)
		return "bad footer rule";
	zone->has_rule = true;
	return NULL;
}

/*
 * Every count is checked against the bytes left before anything is read,
 * in 64-bit sums.  Leap-second records are skipped: schedules count civil
 * seconds.  Transitions that keep the offset are dropped, except the last
 * when a rule follows it (the rule starts there).
 */
int
zone_parse_tzif(struct zone *zone, const unsigned char *data, size_t len,
		char *error, size_t error_len)
{
	const unsigned char *p = data, *idx, *types;
	size_t left = len, i, tsize = 4;
	struct tzif_counts c;
	const char *why;
	int32_t off, prev;
	int64_t t, last = 0;
	uint64_t skip;
	int version;

	zone->times = NULL;
	zone->offsets = NULL;
	zone->n = 0;
	zone->initial_off = 0;
	zone->has_rule = false;
	zone->rule = (struct zone_rule){ .has_dst = false };
	why = "not a TZif file";
	if (read_header(p, left, &c, &version) < 0)
		goto fail;
	if (version != 0) {
		why = "truncated";
		skip = 44 + block_size(&c, 4);
		if (skip > left || left - skip < 44)
			goto fail;
		p += skip;
		left -= skip;
		why = "not a TZif file";
		if (read_header(p, left, &c, &version) < 0 || version == 0)
			goto fail;
		tsize = 8;
	}
	p += 44;
	left -= 44;
	why = "bad counts";
	if (c.type == 0 || c.type > 256 || c.chars == 0 ||
	    (c.isut != 0 && c.isut != c.type) ||
	    (c.isstd != 0 && c.isstd != c.type))
		goto fail;
	why = "too many transitions";
	if (c.time > ZONE_TRANS_MAX)
		goto fail;
	why = "truncated";
	if (block_size(&c, (unsigned)tsize) > left)
		goto fail;
	idx = p + c.time * tsize;
	types = idx + c.time;
	why = "bad time type";
	for (i = 0; i < c.type; i++)
		if (get_int32(types + 6 * i) == INT32_MIN ||
		    types[6 * i + 4] > 1 || types[6 * i + 5] >= c.chars)
			goto fail;
	if (version != 0) {
		skip = block_size(&c, 8);
		why = read_footer(zone, p + skip, left - (size_t)skip);
		if (why != NULL)
			goto fail;
	}
	zone->initial_off = prev = get_int32(types);
	if (c.time == 0)
		return 0;
	why = "out of memory";
	if ((zone->times = malloc(c.time * sizeof(int64_t))) == NULL ||
	    (zone->offsets = malloc(c.time * sizeof(int32_t))) == NULL)
		goto fail;
	for (i = 0; i < c.time; i++) {
		t = tsize == 8 ? get_int64(p + 8 * i) : get_int32(p + 4 * i);
		why = "bad time type";
		if (idx[i] >= c.type)
			goto fail;
		why = "transitions out of order";
		if (i > 0 && t <= last)
			goto fail;
		off = get_int32(types + 6 * (size_t)idx[i]);
		if (off != prev || (zone->has_rule && i == c.time - 1)) {
			zone->times[zone->n] = t;
			zone->offsets[zone->n++] = off;
		}
		prev = off;
		last = t;
	}
	return 0;
fail:
	free(zone->times);
	free(zone->offsets);
	zone->times = NULL;
	zone->offsets = NULL;
	zone->n = 0;
	zone->has_rule = false;
	snprintf(error, error_len, "%s", why);
	return -1;
}

/* A ".." anywhere as a whole path component. */
static bool
has_dot_dot(const char *name)
{
	const char *s = name;

	for (;;) {
		if (s[0] == '.' && s[1] == '.' && (s[2] == '/' || s[2] == '\0'))
			return true;
		s = strchr(s, '/');
		if (s == NULL)
			return false;
		s++;
	}
}

/* Reads fd, a regular file of at most ZONE_FILE_MAX bytes: the bytes
 * (malloc'd), or NULL with *why (NULL for errno's reason). */
static unsigned char *
read_zone_file(int fd, size_t *len, const char **why)
{
	unsigned char *buf;
	struct stat st;
	ssize_t r = -1;

	*why = NULL;
	*len = 0;
	if (fstat(fd, &st) < 0)
		return NULL;
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return NULL;
	}
	if ((buf = malloc(ZONE_FILE_MAX + 1)) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	while (*len <= ZONE_FILE_MAX &&
	       (r = read(fd, buf + *len, ZONE_FILE_MAX + 1 - *len)) != 0) {
		if (r > 0)
			*len += (size_t)r;
		else if (errno != EINTR)
			break;
	}
	if (*len <= ZONE_FILE_MAX && r == 0)
		return buf;
	if (*len > ZONE_FILE_MAX)
		*why = "larger than 256 KiB";
	free(buf);
	return NULL;
}

/* No such file: UTC by name, else a POSIX TZ string, else unknown. */
static int
load_no_file(struct zone *zone, const char *name, const char *path,
	     char *error, size_t error_len)
{
	if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 ||
	    strcmp(name, "GMT") == 0 || strcmp(name, "Etc/GMT") == 0)
		return 0;
	if (zone_parse_rule(&zone->rule, name) == 0) {
		zone->has_rule = true;
		zone->initial_off = zone->rule.std_off;
		return 0;
	}
	snprintf(error, error_len, "unknown time zone %s: no %s", name, path);
	return -1;
}

/* The file first, so that a name that is both (EST5EDT) means the file. */
int
zone_load(struct zone *zone, const char *name, char *error, size_t error_len)
{
	char buf[PATH_MAX], why[128];
	const char *dir, *path, *reason;
	unsigned char *data;
	int fd, rc, saved;
	size_t len;

	zone_init_utc(zone);
	if (*name == ':')
		name++;
	path = name;
	snprintf(zone->name, sizeof(zone->name), "%s", name);
	if (*name == '\0' || has_dot_dot(name)) {
		snprintf(error, error_len, "bad time zone name '%s'%s", name,
			 *name == '\0' ? "" : ": no '..' allowed");
		return -1;
	}
	if (*name != '/') {
		dir = getenv("TZDIR");
		if (dir == NULL || *dir == '\0')
			dir = ZONE_DIR;
		rc = snprintf(buf, sizeof(buf), "%s/%s", dir, name);
		if (rc < 0 || (size_t)rc >= sizeof(buf))
			return load_no_file(zone, name, dir, error, error_len);
		path = buf;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR ||
		       errno == ENAMETOOLONG))
		return load_no_file(zone, name, path, error, error_len);
	if (fd < 0) {
		snprintf(error, error_len, "unable to open time zone %s: %s",
			 path, strerror(errno));
		return -1;
	}
	data = read_zone_file(fd, &len, &reason);
	saved = errno;
	if (close(fd) < 0 && data != NULL) {
		saved = errno;
		free(data);
		data = NULL;
	}
	if (data == NULL) {
		snprintf(error, error_len, "unable to read time zone %s: %s",
			 path, reason != NULL ? reason : strerror(saved));
		return -1;
	}
	rc = zone_parse_tzif(zone, data, len, why, sizeof(why));
	free(data);
	if (rc < 0) {
		if (strcmp(why, "out of memory") == 0)
			snprintf(error, error_len, "out of memory");
		else
			snprintf(error, error_len, "bad time zone file %s: %s",
				 path, why);
	}
	return rc;
}
