// SPDX-License-Identifier: MIT
/* libFuzzer target: time zones (src/zone.c), TZif bytes and POSIX rules,
 * with the promises of zone_span_at() checked at instants around every
 * change the input leads to. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless ok: a promise broken. */
static void
expect(bool ok)
{
	if (!ok)
		abort();
}

/* A 64-bit LCG, seeded from the input: instants anywhere. */
static uint64_t
next_random(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005u + 1442695040888963407u;
	return *seed;
}

/*
 * The span at t holds t and agrees with zone_offset_at() at t and at its
 * ends; the spans on either side meet it exactly, with the offsets it
 * names, and differ from it.
 */
static void
check_at(const struct zone *zone, int64_t t)
{
	struct zone_span span, next, prev;

	zone_span_at(zone, t, &span);
	expect(span.off == zone_offset_at(zone, t));
	expect(span.start <= t && (t < span.end || span.end == INT64_MAX));
	expect(zone_offset_at(zone, span.start) == span.off);
	expect(zone_offset_at(zone, span.end - 1) == span.off);
	if (span.start == INT64_MIN) {
		expect(span.prev_off == span.off);
	} else {
		expect(span.prev_off != span.off);
		zone_span_at(zone, span.start - 1, &prev);
		expect(prev.end == span.start && prev.off == span.prev_off);
	}
	if (span.end != INT64_MAX) {
		zone_span_at(zone, span.end, &next);
		expect(next.start == span.end && next.prev_off == span.off &&
		       next.off != span.off);
	}
}

/* Fixed instants (the epoch, today, 1900 and 2100, the extremes) and
 * pseudo-random ones near 1970 and anywhere. */
static void
check_instants(const struct zone *zone, uint64_t seed)
{
	static const int64_t fixed[] = {
		0, -1, 1774746000, 1792890000, -2208988800, 4102444800,
		INT64_MIN, INT64_MIN + 1, INT64_MAX - 1, INT64_MAX,
	};
	struct zone_span span;
	size_t i;
	int64_t t;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_at(zone, fixed[i]);
	for (i = 0; i < 8; i++) {
		t = (int64_t)(next_random(&seed) >> 1);
		check_at(zone, i % 2 == 0 ? t % ((int64_t)1 << 36) : t);
	}
	/* Walking a few changes forward from 2020. */
	t = 1577836800;
	for (i = 0; i < 6; i++) {
		zone_span_at(zone, t, &span);
		if (span.end == INT64_MAX)
			break;
		t = span.end;
		check_at(zone, t);
	}
}

/* TZif bytes: parsed or refused, never read past; what is parsed keeps
 * the zone's shape. */
static void
fuzz_tzif(const unsigned char *data, size_t size, uint64_t seed)
{
	struct zone zone;
	char error[128];
	size_t i;

	memset(&zone, 0, sizeof(zone));
	if (zone_parse_tzif(&zone, data, size, error, sizeof(error)) < 0) {
		expect(zone.times == NULL && zone.offsets == NULL &&
		       memchr(error, '\0', sizeof(error)) != NULL);
		zone_free(&zone);
		return;
	}
	expect(zone.n <= 100000);
	for (i = 0; i < zone.n; i++) {
		expect(i == 0 || zone.times[i - 1] < zone.times[i]);
		expect(zone.offsets[i] != (i == 0 ? zone.initial_off
						  : zone.offsets[i - 1]) ||
		       (zone.has_rule && i == zone.n - 1));
	}
	check_instants(&zone, seed);
	for (i = 0; i < zone.n && i < 8; i++) {
		check_at(&zone, zone.times[i]);
		check_at(&zone, zone.times[zone.n - 1 - i]);
	}
	zone_free(&zone);
	zone_free(&zone);
}

/* A POSIX rule, then (after a NUL) instants of 8 bytes each. */
static void
fuzz_rule(const char *text, size_t size, uint64_t seed)
{
	struct zone_rule again;
	struct zone zone;
	size_t len = strlen(text), off;
	int64_t t;

	zone_init_utc(&zone);
	if (zone_parse_rule(&zone.rule, text) < 0)
		return;
	expect(zone_parse_rule(&again, text) == 0 &&
	       memcmp(&again, &zone.rule, sizeof(again)) == 0);
	expect(zone.rule.std_off > -25 * 3600 && zone.rule.std_off < 25 * 3600);
	expect(!zone.rule.has_dst || (zone.rule.start.time >= -168 * 3600 &&
				      zone.rule.start.time < 168 * 3600 &&
				      zone.rule.end.time >= -168 * 3600 &&
				      zone.rule.end.time < 168 * 3600));
	zone.has_rule = true;
	zone.initial_off = zone.rule.std_off;
	check_instants(&zone, seed);
	for (off = len + 1; off + 8 <= size; off += 8) {
		memcpy(&t, text + off, sizeof(t));
		check_at(&zone, t);
	}
	/* The same rule after a transition, as a TZif footer is. */
	zone.times = &t;
	zone.offsets = &zone.initial_off;
	zone.n = 1;
	t = 1000000000;
	check_instants(&zone, seed);
}

/* A day number there and back, and the weekday one after another's. */
static void
fuzz_civil(const char *text, size_t size)
{
	int64_t day = 0, y;
	unsigned m, d;

	memcpy(&day, text, size < sizeof(day) ? size : sizeof(day));
	day %= (int64_t)1 << 40;
	zone_civil_from_days(day, &y, &m, &d);
	expect(m >= 1 && m <= 12 && d >= 1 && d <= 31);
	expect(zone_days_from_civil(y, m, d) == day);
	expect(zone_weekday(day) < 7 &&
	       zone_weekday(day + 1) == (zone_weekday(day) + 1) % 7);
}

/* The input: a first byte that picks TZif bytes, a rule or a day, then
 * what each reads from the rest. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t seed = 1469598103934665603u;
	char *text;
	size_t i;

	text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 1099511628211u;
	switch (data[0] % 3) {
	case 0:
		fuzz_tzif(data + 1, size - 1, seed);
		break;
	case 1:
		fuzz_rule(text, size - 1, seed);
		break;
	case 2:
		fuzz_civil(text, size - 1);
		break;
	}
	free(text);
	return 0;
}
