// SPDX-License-Identifier: MIT
/* libFuzzer target: service specs (src/unit.c) and EnvironmentFile= files
 * (src/environ.c), with the promises each parser makes checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "environ.h"
#include "fuzz_input.h"
#include "unit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The most a span may be: a year, in milliseconds. */
#define YEAR_MS (365LL * 24 * 3600 * 1000)

/* Variables for command lines: blanks to split at, '$' and quotes that
 * must not be read again. */
static const char *
lookup(const char *name, size_t len, void *ctx)
{
	static const char *const vars[] = {
		"A=x", "B=one two  three", "E=", "D=$A ${B} $$",
		"Q='a b' \"c\"",
	};
	size_t i;

	(void)ctx;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (len == 1 && vars[i][0] == name[0])
			return vars[i] + 2;
	return NULL;
}

/* A split that worked gave 1 to 4096 words, none longer than 64 KiB. */
static void
check_argv(char **argv)
{
	size_t n;

	if (argv == NULL || argv[0] == NULL)
		abort();
	for (n = 0; argv[n] != NULL; n++)
		if (strlen(argv[n]) > 65536)
			abort();
	if (n > 4096)
		abort();
}

/* A unit that parsed has a command that splits, and sane numbers. */
static void
check_unit(const struct unit *unit)
{
	char **argv, error[256];

	if (unit->exec_start.text == NULL)
		abort();
	if (!unit->exec_shell) {
		if (unit_split_command(unit->exec_start.text, lookup, NULL,
				       &argv, error, sizeof(error)) == 0) {
			check_argv(argv);
			unit_free_argv(argv);
		}
	}
	if (unit->restart_ms < 0 || unit->restart_ms > YEAR_MS ||
	    unit->start_limit_burst > UNIT_MAX_BURST ||
	    unit->restart_steps > 1000 || unit->check_interval_ms <= 0 ||
	    (unit->ready_fd != -1 && (unit->ready_fd < 3 ||
				      unit->ready_fd > 1023)) ||
	    unit->umask > 0777 || unit->kill_signal < 1 ||
	    (unit->timeout_stop_ms < 0 &&
	     unit->timeout_stop_ms != UNIT_INFINITY))
		abort();
	if (unit->check != UNIT_CHECK_NONE && unit->check_target.text == NULL)
		abort();
}

static void
fuzz_unit(const char *text, size_t len)
{
	struct unit unit;
	char error[256];

	if (unit_init(&unit, "fuzz", "fuzz.service") < 0)
		return;
	if (unit_parse(&unit, text, len, error, sizeof(error)) == 0)
		check_unit(&unit);
	else if (error[0] == '\0')
		abort();	/* every failure says why */
	unit_free(&unit);
	unit_free(&unit);
}

static void
fuzz_procfile(const char *text, size_t len)
{
	struct unit *units = NULL;
	char error[256];
	size_t n = 0, i;

	if (unit_parse_procfile("Procfile", text, len, &units, &n, error,
				sizeof(error)) == 0) {
		if (n == 0)
			abort();
		for (i = 0; i < n; i++)
			if (!unit_valid_name(units[i].name) ||
			    !units[i].exec_shell)
				abort();
	}
	for (i = 0; i < n; i++)
		unit_free(&units[i]);
	free(units);
}

static void
fuzz_oneliner(const char *text)
{
	struct unit unit;
	char error[256];

	if (unit_parse_oneliner(&unit, text, error, sizeof(error)) == 0)
		check_unit(&unit);
	unit_free(&unit);
}

static void
fuzz_duration(const char *text)
{
	long long ms;

	if (unit_parse_duration(text, &ms) == 0 &&
	    ms != UNIT_INFINITY && (ms < 0 || ms > YEAR_MS))
		abort();
}

static void
fuzz_command(const char *text)
{
	char **argv = (char **)&argv, error[256];

	if (unit_split_command(text, lookup, NULL, &argv, error,
			       sizeof(error)) == 0) {
		check_argv(argv);
		unit_free_argv(argv);
	} else if (argv != NULL || error[0] == '\0') {
		abort();
	}
}

/* What a file sets is KEY=VALUE, KEY a variable name; the array stays
 * NULL-terminated for execve(). */
static void
fuzz_env_file(const char *text, size_t len)
{
	char *base[] = { "PATH=/bin", NULL }, error[256];
	struct env env;
	size_t i, k;

	if (env_init(&env, base) < 0)
		return;
	if (env_parse_file(&env, "app.env", text, len, error, sizeof(error)) ==
	    0) {
		for (i = 0; i < env.n; i++) {
			k = strcspn(env.vars[i], "=");
			if (env.vars[i][k] != '=' || k == 0 ||
			    env_get(&env, env.vars[i], k) !=
				    env.vars[i] + k + 1)
				abort();
		}
		if (env.vars[env.n] != NULL)
			abort();
	}
	env_free(&env);
}

/* The input: a first byte that picks the parser, then its text; the file
 * parsers get the bytes as they are, NULs and all. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	switch (data[0] % 6) {
	case 0:
		fuzz_unit(text, size - 1);
		break;
	case 1:
		fuzz_procfile(text, size - 1);
		break;
	case 2:
		fuzz_oneliner(text);
		break;
	case 3:
		fuzz_duration(text);
		break;
	case 4:
		fuzz_command(text);
		break;
	case 5:
		fuzz_env_file(text, size - 1);
		break;
	}
	free(text);
	return 0;
}
