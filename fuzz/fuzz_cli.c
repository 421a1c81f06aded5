// SPDX-License-Identifier: MIT
/* libFuzzer target: the whole command line and environment (src/cli.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz_input.h"

#define MAX_WORDS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"grace", "/usr/bin/tini", "docker-init", "dumb-init", "catatonit",
};

/*
 * The input: a first byte that picks the name grace runs under, then
 * NUL-separated words; a word that starts with '%' goes to the
 * environment (without the '%'), every other one to argv.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_WORDS + 2], *env[MAX_WORDS + 1], *text, *word, *end;
	struct settings settings;
	char error[256];
	int argc = 1, envc = 0;

	text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	argv[0] = (char *)names[data[0] % (sizeof(names) / sizeof(names[0]))];
	end = text + size - 1;
	for (word = text; word <= end && argc + envc < MAX_WORDS;
	     word += strlen(word) + 1) {
		if (word[0] == '%')
			env[envc++] = word + 1;
		else
			argv[argc++] = word;
	}
	argv[argc] = NULL;
	env[envc] = NULL;
	cli_parse(argc, argv, env, &settings, error, sizeof(error));
	free(text);
	return 0;
}
