// SPDX-License-Identifier: MIT
/* libFuzzer target: every parser of untrusted or user text on its own:
 * durations, signal names and lists, rewrite rules, pidfile content. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz_input.h"
#include "pidfile.h"
#include "sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input: a first byte that picks the parser, then its text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[SIG_NAME_MAX], why[160], error[256];
	struct settings settings;
	sigset_t set;
	char *text;
	pid_t pid;
	long ms;
	int sig;

	text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	switch (data[0] % 5) {
	case 0:
		if (cli_parse_seconds(text, &ms) == 0 &&
		    (ms < 0 || ms > CLI_MAX_GRACE_MS))
			abort();
		break;
	case 1:
		sig = sig_from_name(text);
		if (sig != -1 && (sig < 1 || sig > SIGRTMAX ||
				  sig_from_name(sig_name(sig, name)) != sig))
			abort();
		break;
	case 2:
		cli_parse_signal_list(text, &set, error, sizeof(error));
		break;
	case 3:
		memset(&settings, 0, sizeof(settings));
		cli_parse_rewrite(text, &settings);
		break;
	case 4:
		if (pidfile_parse(text, &pid, why, sizeof(why)) == 0 &&
		    pid <= 0)
			abort();
		break;
	}
	free(text);
	return 0;
}
