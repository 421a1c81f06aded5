// SPDX-License-Identifier: MIT
/* Prints the next run times of cron schedules (src/schedule.c), one input
 * line at a time, for tests that compare them with another cron's. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "zone.h"

/*
 * Usage: schedule_next < LINES
 *
 * Each line is "SCHEDULE<TAB>AFTER<TAB>COUNT[<TAB>ZONE]": AFTER in seconds
 * since the epoch (also @every's origin), ZONE a name for zone_load()
 * (default UTC).  Each answer is one line: the next COUNT runs after
 * AFTER, in seconds since the epoch, separated by a space, ending early
 * with "never" when there is no further run; or "error: PROBLEM".
 */

/* Answers one line (without its newline) on stdout. */
static void
answer(char *line)
{
	char *fields[4] = { NULL }, *save = NULL, *end, error[256];
	struct schedule schedule;
	struct zone zone;
	long long after, count, i;
	int64_t t, origin;
	int n = 0;

	for (char *f = strtok_r(line, "\t", &save); f != NULL && n < 4;
	     f = strtok_r(NULL, "\t", &save))
		fields[n++] = f;
	if (n < 3) {
		printf("error: want SCHEDULE<TAB>AFTER<TAB>COUNT[<TAB>ZONE]\n");
		return;
	}
	errno = 0;
	after = strtoll(fields[1], &end, 10);
	if (errno != 0 || *end != '\0' || after < -(1LL << 40) ||
	    after > (1LL << 40)) {
		printf("error: bad instant '%s'\n", fields[1]);
		return;
	}
	count = strtoll(fields[2], &end, 10);
	if (*end != '\0' || count < 1 || count > 10000) {
		printf("error: bad count '%s'\n", fields[2]);
		return;
	}
	if (schedule_parse(&schedule, fields[0], NULL, error, sizeof(error)) <
	    0) {
		printf("error: %s\n", error);
		return;
	}
	if (zone_load(&zone, n == 4 ? fields[3] : "UTC", error,
		      sizeof(error)) < 0) {
		printf("error: %s\n", error);
		zone_free(&zone);
		return;
	}
	origin = (int64_t)after * 1000;
	t = origin;
	for (i = 0; i < count; i++) {
		t = schedule_next(&schedule, &zone, origin, t);
		if (t == SCHEDULE_NEVER) {
			printf("%snever", i > 0 ? " " : "");
			break;
		}
		printf("%s%" PRId64, i > 0 ? " " : "", t / 1000);
	}
	printf("\n");
	zone_free(&zone);
}

int
main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		answer(line);
		fflush(stdout);
	}
	free(line);
	return ferror(stdout) ? 1 : 0;
}
