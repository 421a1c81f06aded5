// SPDX-License-Identifier: MIT
/* Unit tests of gracectl status's table, JSON and health verdict
 * (src/status.c).  Time is given, never read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "status.h"

/* 2026-12-01T13:29:18Z, 42 s before a job's next run. */
#define NOW_MS INT64_C(1796131758000)
#define NEXT_MS INT64_C(1796131800000)

/* What a writer wrote, as one string to free. */
static char *
rendered(const struct status_row *rows, size_t n, int64_t now_ms, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	if (json)
		status_print_json(rows, n, now_ms, out);
	else
		status_print_text(rows, n, now_ms, out);
	assert_int_equal(fclose(out), 0);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	return text;
}

/* A service that is running and ready, nothing ended. */
static struct status_row
service(const char *name)
{
	return (struct status_row){
		.name = name,
		.state = "running",
		.essential = false,
		.ready = true,
		.pid = 42,
		.uptime_ms = 125000,
		.restarts = 0,
		.next_run_ms = -1,
	};
}

/* A job waiting for its next run. */
static struct status_row
job(const char *name)
{
	return (struct status_row){
		.name = name,
		.job = true,
		.state = "waiting",
		.pid = 0,
		.uptime_ms = -1,
		.next_run_ms = NEXT_MS,
	};
}

/* The lines of text, cut in place; returns how many (at most max). */
static size_t
split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *p = text, *nl;

	while (*p != '\0' && n < max) {
		nl = strchr(p, '\n');
		assert_non_null(nl);		/* every line ends */
		*nl = '\0';
		lines[n++] = p;
		p = nl + 1;
	}
	assert_true(*p == '\0');
	return n;
}

/* The whitespace-separated fields of line, cut in place. */
static size_t
split_fields(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *save = NULL, *field;

	for (field = strtok_r(line, " ", &save); field != NULL && n < max;
	     field = strtok_r(NULL, " ", &save))
		fields[n++] = field;
	return n;
}

static void
assert_contains(const char *text, const char *part)
{
	if (strstr(text, part) == NULL)
		fail_msg("\"%s\" not in:\n%s", part, text);
}

static void
assert_lacks(const char *text, const char *part)
{
	if (strstr(text, part) != NULL)
		fail_msg("\"%s\" in:\n%s", part, text);
}

static void
test_format_age(void **state)
{
	static const struct {
		int64_t ms;
		const char *text;
	} cases[] = {
		{ 0, "0s" },
		{ 999, "0s" },
		{ 1000, "1s" },
		{ 59999, "59s" },
		{ 60000, "1m00s" },
		{ 61000, "1m01s" },
		{ 192000, "3m12s" },
		{ 3599000, "59m59s" },
		{ 3599999, "59m59s" },
		{ 3600000, "1h00m" },
		{ 7500000, "2h05m" },
		{ 86399000, "23h59m" },
		{ 86400000, "1d00h" },
		{ 3 * 86400000 + 4 * 3600000, "3d04h" },
		{ INT64_C(1000) * 86400 * 400, "400d00h" },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_ptr_equal(status_format_age(cases[i].ms, buf,
						   sizeof(buf)),
				 buf);
		assert_string_equal(buf, cases[i].text);
	}
	/* A short buffer is cut, not overrun. */
	assert_string_equal(status_format_age(3600000, buf, 3), "1h");
}

static void
test_text_header_and_rows(void **state)
{
	struct status_row rows[3];
	char *text, *lines[8], *fields[16];
	size_t n;

	(void)state;
	rows[0] = service("web");
	rows[1] = service("db");
	rows[2] = job("backup");
	text = rendered(rows, 3, NOW_MS, false);
	n = split_lines(text, lines, 8);
	assert_int_equal(n, 4);
	assert_int_equal(split_fields(lines[0], fields, 16), 9);
	assert_string_equal(fields[0], "NAME");
	assert_string_equal(fields[1], "KIND");
	assert_string_equal(fields[2], "STATE");
	assert_string_equal(fields[3], "READY");
	assert_string_equal(fields[4], "PID");
	assert_string_equal(fields[5], "UPTIME");
	assert_string_equal(fields[6], "RESTARTS");
	assert_string_equal(fields[7], "LAST");
	assert_string_equal(fields[8], "NEXT");
	assert_int_equal(split_fields(lines[1], fields, 16), 9);
	assert_string_equal(fields[0], "web");
	assert_string_equal(fields[1], "service");
	assert_string_equal(fields[2], "running");
	assert_string_equal(fields[3], "yes");
	assert_string_equal(fields[4], "42");
	assert_string_equal(fields[5], "2m05s");
	assert_string_equal(fields[6], "0");
	assert_string_equal(fields[7], "-");
	assert_string_equal(fields[8], "-");
	assert_int_equal(split_fields(lines[2], fields, 16), 9);
	assert_string_equal(fields[0], "db");
	free(text);
}

static void
test_text_columns_line_up(void **state)
{
	struct status_row rows[2];
	static const char *const kinds[] = { "KIND", "service", "job" };
	static const char name[] = "a-rather-long-daemon-name";
	char *text, *lines[4], *kind;
	size_t i;

	(void)state;
	rows[0] = service(name);
	rows[1] = job("j");
	text = rendered(rows, 2, NOW_MS, false);
	assert_int_equal(split_lines(text, lines, 4), 3);
	/* KIND starts at the same column in every line, after the longest
	 * name. */
	for (i = 0; i < 3; i++) {
		kind = strstr(lines[i], kinds[i]);
		assert_non_null(kind);
		assert_int_equal(kind - lines[i], strlen(name) + 2);
	}
	free(text);
}

static void
test_text_dashes(void **state)
{
	struct status_row rows[1];
	char *text, *lines[4], *fields[16];

	(void)state;
	rows[0] = service("idle");
	rows[0].state = "stopped";
	rows[0].ready = false;
	rows[0].pid = 0;
	rows[0].uptime_ms = -1;
	rows[0].ended = false;
	text = rendered(rows, 1, NOW_MS, false);
	assert_int_equal(split_lines(text, lines, 4), 2);
	assert_int_equal(split_fields(lines[1], fields, 16), 9);
	assert_string_equal(fields[0], "idle");
	assert_string_equal(fields[2], "stopped");
	assert_string_equal(fields[3], "no");
	assert_string_equal(fields[4], "-");	/* pid */
	assert_string_equal(fields[5], "-");	/* uptime */
	assert_string_equal(fields[6], "0");
	assert_string_equal(fields[7], "-");	/* last */
	assert_string_equal(fields[8], "-");	/* next */
	free(text);
}

static void
test_text_job(void **state)
{
	struct status_row rows[2];
	char *text, *lines[4], *fields[16];

	(void)state;
	rows[0] = job("backup");
	rows[0].restarts = 3;
	rows[0].ended = true;
	rows[0].last_code = 0;
	rows[0].last_clean = true;
	rows[1] = job("report");
	rows[1].state = "running";
	rows[1].pid = 77;
	rows[1].running = 1;
	rows[1].uptime_ms = 5000;
	rows[1].next_run_ms = -1;
	text = rendered(rows, 2, NOW_MS, false);
	assert_contains(text, "in 42s (2026-12-01T13:30:00Z)\n");
	assert_int_equal(split_lines(text, lines, 4), 3);
	assert_int_equal(split_fields(lines[1], fields, 16), 11);
	assert_string_equal(fields[0], "backup");
	assert_string_equal(fields[1], "job");
	assert_string_equal(fields[2], "waiting");
	assert_string_equal(fields[3], "-");	/* ready: not for jobs */
	assert_string_equal(fields[4], "-");
	assert_string_equal(fields[5], "-");
	assert_string_equal(fields[6], "3");
	assert_string_equal(fields[7], "0");
	assert_string_equal(fields[8], "in");
	assert_string_equal(fields[9], "42s");
	assert_string_equal(fields[10], "(2026-12-01T13:30:00Z)");
	assert_int_equal(split_fields(lines[2], fields, 16), 9);
	assert_string_equal(fields[0], "report");
	assert_string_equal(fields[3], "-");
	assert_string_equal(fields[4], "77");
	assert_string_equal(fields[5], "5s");
	assert_string_equal(fields[8], "-");
	free(text);
}

static void
test_text_next_rounding(void **state)
{
	struct status_row rows[1];
	char *text;

	(void)state;
	rows[0] = job("j");
	/* Part of a second to wait shows as the whole second. */
	text = rendered(rows, 1, NEXT_MS - 41500, false);
	assert_contains(text, "in 42s (2026-12-01T13:30:00Z)");
	free(text);
	/* Due now, or overdue: in 0s. */
	text = rendered(rows, 1, NEXT_MS, false);
	assert_contains(text, "in 0s (2026-12-01T13:30:00Z)");
	free(text);
	text = rendered(rows, 1, NEXT_MS + 5000, false);
	assert_contains(text, "in 0s (2026-12-01T13:30:00Z)");
	free(text);
	/* An hour and more. */
	text = rendered(rows, 1, NEXT_MS - 3600000, false);
	assert_contains(text, "in 1h00m (2026-12-01T13:30:00Z)");
	free(text);
	text = rendered(rows, 1, NEXT_MS - 86400000, false);
	assert_contains(text, "in 1d00h (2026-12-01T13:30:00Z)");
	free(text);
}

static void
test_text_last(void **state)
{
	struct status_row rows[3];
	char *text, *lines[5];

	(void)state;
	rows[0] = service("a");
	rows[0].ended = true;
	rows[0].last_code = 1;
	rows[0].last_clean = false;
	rows[0].restarts = 4;
	rows[1] = service("b");
	rows[1].ended = true;
	rows[1].last_code = 143;
	rows[1].last_clean = true;
	rows[2] = service("c");
	rows[2].ended = true;
	rows[2].last_code = 137;
	rows[2].last_clean = false;
	text = rendered(rows, 3, NOW_MS, false);
	assert_int_equal(split_lines(text, lines, 5), 4);
	assert_contains(lines[1], " 4  1 failed  ");
	assert_contains(lines[2], " 143 ");
	assert_lacks(lines[2], "failed");
	assert_contains(lines[3], " 137 failed ");
	free(text);
}

static void
test_text_long_name_cut(void **state)
{
	static const char name[] =
		"a-name-of-forty-characters-is-too-long-x";
	struct status_row rows[1];
	char *text, *lines[3], *fields[16];

	(void)state;
	rows[0] = service(name);
	text = rendered(rows, 1, NOW_MS, false);
	assert_int_equal(split_lines(text, lines, 3), 2);
	assert_int_equal(split_fields(lines[1], fields, 16), 9);
	assert_int_equal(strlen(fields[0]), 32);
	assert_memory_equal(fields[0], name, 32);
	free(text);
}

static void
test_text_empty(void **state)
{
	char *text, *lines[2], *fields[16];

	(void)state;
	text = rendered(NULL, 0, NOW_MS, false);
	assert_int_equal(split_lines(text, lines, 2), 1);
	assert_int_equal(split_fields(lines[0], fields, 16), 9);
	free(text);
}

static void
test_json(void **state)
{
	struct status_row rows[3];
	char *text;

	(void)state;
	rows[0] = service("web");
	rows[0].essential = true;
	rows[1] = job("backup");
	rows[1].restarts = 2;
	rows[1].ended = true;
	rows[1].last_code = 3;
	rows[1].last_clean = false;
	rows[2] = service("db");
	rows[2].ready = false;
	rows[2].pid = 0;
	rows[2].uptime_ms = -1;
	text = rendered(rows, 3, NOW_MS, true);
	assert_string_equal(
		text,
		"{\"now_ms\":1796131758000,"
		"\"services\":["
		"{\"name\":\"web\",\"state\":\"running\",\"essential\":true,"
		"\"ready\":true,\"pid\":42,\"uptime_ms\":125000,"
		"\"restarts\":0,\"last_exit\":null},"
		"{\"name\":\"db\",\"state\":\"running\",\"essential\":false,"
		"\"ready\":false,\"pid\":null,\"uptime_ms\":null,"
		"\"restarts\":0,\"last_exit\":null}"
		"],\"jobs\":["
		"{\"name\":\"backup\",\"state\":\"waiting\","
		"\"essential\":false,"
		"\"running\":0,\"pid\":null,\"uptime_ms\":null,\"runs\":2,"
		"\"last_exit\":{\"code\":3,\"clean\":false},"
		"\"next_run_ms\":1796131800000}"
		"]}\n");
	free(text);
}

/* Brackets and braces balance outside strings, and strings close: the
 * JSON has the shape of JSON. */
static void
assert_balanced(const char *text)
{
	char stack[64];
	size_t depth = 0;
	bool in_string = false;
	const char *p;

	for (p = text; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (in_string) {
			if (c < 0x20)
				fail_msg("raw control byte in a string: %s",
					 text);
			if (c == '\\')
				p++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			assert_true(depth < sizeof(stack));
			stack[depth++] = (char)c;
		} else if (c == '}' || c == ']') {
			assert_true(depth > 0);
			assert_int_equal(stack[--depth], c == '}' ? '{' : '[');
		}
	}
	assert_false(in_string);
	assert_int_equal(depth, 0);
}

static void
test_json_fragments(void **state)
{
	struct status_row rows[4];
	char *text;

	(void)state;
	rows[0] = service("web");
	rows[1] = service("db");
	rows[1].ended = true;
	rows[1].last_code = 0;
	rows[1].last_clean = true;
	rows[2] = job("a");
	rows[3] = job("b");
	rows[3].state = "running";
	rows[3].running = 2;
	rows[3].pid = 9;
	rows[3].uptime_ms = 0;
	rows[3].next_run_ms = -1;
	text = rendered(rows, 4, NOW_MS, true);
	assert_balanced(text);
	assert_contains(text, "\"services\":[{");
	assert_contains(text, "\"jobs\":[{");
	assert_contains(text, "\"last_exit\":null");
	assert_contains(text, "\"last_exit\":{\"code\":0,\"clean\":true}");
	assert_contains(text, "\"ready\":true");
	assert_contains(text, "\"running\":2");
	assert_contains(text, "\"pid\":9,\"uptime_ms\":0,");
	assert_contains(text, "\"next_run_ms\":null");
	assert_contains(text, "\"next_run_ms\":1796131800000");
	assert_contains(text, "},{");		/* rows separated */
	assert_lacks(text, ",]");
	assert_lacks(text, ",}");
	assert_lacks(text, "[,");
	/* A service has no next run, a job no readiness. */
	assert_lacks(strstr(text, "\"jobs\""), "\"ready\"");
	*strstr(text, "\"jobs\"") = '\0';
	assert_lacks(text, "\"next_run_ms\"");
	assert_lacks(text, "\"running\":");
	free(text);
}

static void
test_json_empty(void **state)
{
	char *text;
	struct status_row rows[1];

	(void)state;
	text = rendered(NULL, 0, 5, true);
	assert_string_equal(text,
			    "{\"now_ms\":5,\"services\":[],\"jobs\":[]}\n");
	free(text);
	/* Only jobs, only services. */
	rows[0] = job("j");
	text = rendered(rows, 1, 5, true);
	assert_contains(text, "\"services\":[],\"jobs\":[{");
	assert_balanced(text);
	free(text);
	rows[0] = service("s");
	text = rendered(rows, 1, 5, true);
	assert_contains(text, "\"services\":[{");
	assert_contains(text, "\"jobs\":[]}\n");
	assert_balanced(text);
	free(text);
}

static void
test_json_escapes(void **state)
{
	struct status_row rows[1];
	char *text;

	(void)state;
	rows[0] = service("we\"b\\x");
	rows[0].state = "odd\nstate\t";
	text = rendered(rows, 1, NOW_MS, true);
	assert_balanced(text);
	assert_contains(text, "\"name\":\"we\\\"b\\\\x\"");
	assert_contains(text, "\"state\":\"odd\\nstate\\t\"");
	assert_lacks(text, "odd\n");
	/* One line: the newline at the end only. */
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
	free(text);
	rows[0].name = "";
	text = rendered(rows, 1, NOW_MS, true);
	assert_contains(text, "\"name\":\"\"");
	free(text);
}

static void
test_healthy(void **state)
{
	struct status_row rows[5];
	const struct status_row *culprit = rows;

	(void)state;
	/* Nothing at all is healthy. */
	assert_true(status_healthy(NULL, 0, &culprit));
	assert_null(culprit);
	rows[0] = service("web");
	rows[0].essential = true;
	rows[1] = service("cache");	/* not essential, not ready */
	rows[1].ready = false;
	rows[2] = job("backup");		/* jobs do not count */
	rows[2].essential = true;
	rows[2].ready = false;
	rows[3] = service("db");
	rows[3].essential = true;
	culprit = rows;
	assert_true(status_healthy(rows, 4, &culprit));
	assert_null(culprit);
	/* The first essential service that is not ready. */
	rows[3].ready = false;
	assert_false(status_healthy(rows, 4, &culprit));
	assert_ptr_equal(culprit, &rows[3]);
	rows[0].ready = false;
	assert_false(status_healthy(rows, 4, &culprit));
	assert_ptr_equal(culprit, &rows[0]);
	rows[4] = service("later");
	rows[4].essential = true;
	rows[4].ready = false;
	rows[0].ready = true;
	rows[3].ready = true;
	assert_false(status_healthy(rows, 5, &culprit));
	assert_ptr_equal(culprit, &rows[4]);
	assert_string_equal(culprit->name, "later");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_age),
		cmocka_unit_test(test_text_header_and_rows),
		cmocka_unit_test(test_text_columns_line_up),
		cmocka_unit_test(test_text_dashes),
		cmocka_unit_test(test_text_job),
		cmocka_unit_test(test_text_next_rounding),
		cmocka_unit_test(test_text_last),
		cmocka_unit_test(test_text_long_name_cut),
		cmocka_unit_test(test_text_empty),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_fragments),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_healthy),
	};

	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
