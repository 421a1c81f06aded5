// SPDX-License-Identifier: MIT
/* libFuzzer target: the /proc/PID/stat and status parsers and the command
 * line of gracectl ps, and the tree and table made of what they took. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "procinfo.h"
#include "pstree.h"
#include "psview.h"
#include "user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each line of text a stat line: the processes it makes, as a tree, in a
 * table and in JSON, written nowhere. */
static void
tree_of_lines(char *text)
{
	struct procinfo procs[16];
	struct pstree_row order[16];
	struct psview_row rows[16];
	size_t n = 0, count, i;
	char *line, *save = NULL;
	FILE *null;

	for (line = strtok_r(text, "\n", &save); line != NULL && n < 16;
	     line = strtok_r(NULL, "\n", &save)) {
		memset(&procs[n], 0, sizeof(procs[n]));
		if (procinfo_parse_stat(line, &procs[n]) == 0)
			n++;
	}
	if (pstree_order(procs, n, 0, order, &count) < 0)
		return;
	if (count > n)
		abort();
	for (i = 0; i < count; i++)
		rows[i] = (struct psview_row){ &procs[order[i].index],
					       order[i].depth, order[i].marks,
					       NULL, NULL };
	null = fopen("/dev/null", "we");
	if (null == NULL)
		return;
	psview_text(rows, count, null);
	psview_json(rows, count, null);
	fclose(null);
}

/* The input: a first byte that picks the parser, then its text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procinfo info;
	char name[32];
	char *text;

	text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	memset(&info, 0, sizeof(info));
	switch (data[0] % 4) {
	case 0:
		if (procinfo_parse_stat(text, &info) == 0 &&
		    (info.pid < 0 || info.ppid < 0 || info.pgid < 0 ||
		     info.sid < 0 || strlen(info.comm) >= PROCINFO_COMM_MAX))
			abort();
		break;
	case 1:
		if (procinfo_parse_status(text, &info) == 0 && !info.has_status)
			abort();
		break;
	case 2:
		if (procinfo_set_command(&info, text, size - 1) == 0 &&
		    info.command != NULL &&
		    strlen(info.command) > size - 1)
			abort();
		procinfo_free(&info);
		user_name_in_passwd(text, 0, name, sizeof(name));
		break;
	case 3:
		tree_of_lines(text);
		break;
	}
	free(text);
	return 0;
}
