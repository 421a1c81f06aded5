// SPDX-License-Identifier: MIT
/* Unit tests of the control protocol's request lines and reply framing
 * (src/request.c). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "request.h"

/* request_parse() of a C string; error is left one line and non-empty
 * when it refuses. */
static int
parse(const char *line, struct request *req, char *error, size_t error_len)
{
	return request_parse(line, strlen(line), req, error, error_len);
}

/* The line is refused, with an error that is one non-empty line. */
static void
assert_refused_len(const char *line, size_t len)
{
	struct request req;
	char error[256];

	memset(error, 0, sizeof(error));
	if (request_parse(line, len, &req, error, sizeof(error)) != -1)
		fail_msg("took \"%.*s\"", (int)len, line);
	if (error[0] == '\0')
		fail_msg("no error for \"%.*s\"", (int)len, line);
	if (strchr(error, '\n') != NULL || strchr(error, '\r') != NULL)
		fail_msg("error of \"%.*s\" is not one line: %s", (int)len,
			 line, error);
}

static void
assert_refused(const char *line)
{
	assert_refused_len(line, strlen(line));
}

/* The line is refused with an error that contains part. */
static void
assert_refused_with(const char *line, const char *part)
{
	struct request req;
	char error[256] = "";

	assert_int_equal(parse(line, &req, error, sizeof(error)), -1);
	if (strstr(error, part) == NULL)
		fail_msg("error of \"%s\" lacks \"%s\": %s", line, part, error);
}

static void
test_verbs_without_args(void **state)
{
	static const struct {
		const char *line;
		enum request_verb verb;
	} cases[] = {
		{ "status", REQ_STATUS },
		{ "health", REQ_HEALTH },
		{ "reload", REQ_RELOAD },
		{ "groups", REQ_GROUPS },
	};
	struct request req;
	char error[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&req, 0x5a, sizeof(req));
		assert_int_equal(parse(cases[i].line, &req, error,
				       sizeof(error)),
				 0);
		assert_int_equal(req.verb, cases[i].verb);
		assert_false(req.json);
		assert_string_equal(req.name, "");
		assert_int_equal(req.sig, 0);
	}
}

static void
test_verbs_with_a_name(void **state)
{
	static const struct {
		const char *line;
		enum request_verb verb;
		const char *name;
	} cases[] = {
		{ "start web", REQ_START, "web" },
		{ "stop db", REQ_STOP, "db" },
		{ "restart worker@2", REQ_RESTART, "worker@2" },
		{ "run backup.daily", REQ_RUN, "backup.daily" },
		{ "start a", REQ_START, "a" },
		{ "stop Az09._@:-", REQ_STOP, "Az09._@:-" },
	};
	struct request req;
	char error[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&req, 0x5a, sizeof(req));
		assert_int_equal(parse(cases[i].line, &req, error,
				       sizeof(error)),
				 0);
		assert_int_equal(req.verb, cases[i].verb);
		assert_string_equal(req.name, cases[i].name);
		assert_false(req.json);
		assert_int_equal(req.sig, 0);
	}
}

static void
test_status_json(void **state)
{
	struct request req;
	char error[128];

	(void)state;
	assert_int_equal(parse("status --json", &req, error, sizeof(error)), 0);
	assert_int_equal(req.verb, REQ_STATUS);
	assert_true(req.json);
	assert_string_equal(req.name, "");
	/* Once only, and for status only. */
	assert_refused_with("status --json --json", "unexpected argument");
	assert_refused("health --json");
	assert_refused("groups --json");
	/* An option where a name goes is not a name. */
	assert_refused_with("start --json", "unexpected argument");
	assert_refused("signal --json HUP");
	assert_refused("stop .");
	assert_refused("run -");
	assert_refused("start web --json");
	assert_refused("stop web --json");
	assert_refused("restart web --json");
	assert_refused("run job --json");
	assert_refused("signal web HUP --json");
	assert_refused("signal web --json");
	assert_refused("status --JSON");
	assert_refused("status -json");
	assert_refused("status json");
}

static void
test_signal(void **state)
{
	static const struct {
		const char *line;
		int sig;
	} cases[] = {
		{ "signal web HUP", SIGHUP },
		{ "signal web SIGTERM", SIGTERM },
		{ "signal web term", SIGTERM },
		{ "signal web sigusr1", SIGUSR1 },
		{ "signal web 9", SIGKILL },
		{ "signal web 15", SIGTERM },
		{ "signal web 31", SIGSYS },
		{ "signal web WINCH", SIGWINCH },
		{ "signal web STOP", SIGSTOP },
	};
	struct request req;
	char error[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&req, 0x5a, sizeof(req));
		if (parse(cases[i].line, &req, error, sizeof(error)) != 0)
			fail_msg("refused \"%s\": %s", cases[i].line, error);
		assert_int_equal(req.verb, REQ_SIGNAL);
		assert_string_equal(req.name, "web");
		assert_int_equal(req.sig, cases[i].sig);
		assert_false(req.json);
	}
}

static void
test_signal_realtime(void **state)
{
	struct request req;
	char error[128];

	(void)state;
	assert_int_equal(parse("signal web RTMIN+1", &req, error,
			       sizeof(error)),
			 0);
	assert_int_equal(req.sig, SIGRTMIN + 1);
	assert_int_equal(parse("signal web SIGRTMIN+1", &req, error,
			       sizeof(error)),
			 0);
	assert_int_equal(req.sig, SIGRTMIN + 1);
	assert_int_equal(parse("signal web RTMIN", &req, error, sizeof(error)),
			 0);
	assert_int_equal(req.sig, SIGRTMIN);
	assert_int_equal(parse("signal web RTMAX", &req, error, sizeof(error)),
			 0);
	assert_int_equal(req.sig, SIGRTMAX);
	assert_int_equal(parse("signal web RTMAX-1", &req, error,
			       sizeof(error)),
			 0);
	assert_int_equal(req.sig, SIGRTMAX - 1);
	/* A realtime signal by number. */
	assert_int_equal(parse("signal web 64", &req, error, sizeof(error)), 0);
	assert_int_equal(req.sig, 64);
}

static void
test_signal_refuses(void **state)
{
	static const char *const bad[] = {
		"signal web 0",
		"signal web -1",
		"signal web +9",
		"signal web 65",
		"signal web 32",	/* glibc's own, no name */
		"signal web 99999999999999999999",
		"signal web NOPE",
		"signal web SIG",
		"signal web SIGSIGTERM",
		"signal web SIG15",
		"signal web 9x",
		"signal web RTMIN+",
		"signal web RTMIN-1",
		"signal web RTMAX+1",
		"signal web RTMIN+99",
		"signal web RTMIN+1x",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_refused(bad[i]);
		assert_refused_with(bad[i], "no signal is named");
	}
}

static void
test_wrong_arg_counts(void **state)
{
	static const char *const bad[] = {
		"start",
		"stop",
		"restart",
		"run",
		"signal",
		"signal web",
		"start web db",
		"stop web db",
		"restart web db",
		"run a b",
		"signal web HUP TERM",
		"status web",
		"health web",
		"reload web",
		"groups web",
		"status --json web",
		"signal web HUP TERM INT",
		"start a b c d e",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
	assert_refused_with("start", "start: needs a name");
	assert_refused_with("signal", "signal: needs a name and a signal");
	assert_refused_with("signal web", "signal: needs a name and a signal");
	assert_refused_with("start web db", "start: unexpected argument 'db'");
	assert_refused_with("health web", "health: unexpected argument 'web'");
}

static void
test_unknown_verbs(void **state)
{
	static const char *const bad[] = {
		"STATUS", "Status", "stat", "statuses", "kill web", "restore",
		"-", "--json", "status\x80", "\xff",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
	assert_refused_with("restore", "unknown request 'restore'");
}

static void
test_framing(void **state)
{
	static const char *const bad[] = {
		"",
		" ",
		"  ",
		" status",
		"status ",
		"start  web",
		"signal web  HUP",
		"signal  web HUP",
		"start web ",
		"status\t--json",
		"start\tweb",
		"status\n",
		"status\r",
		"start web\n",
		"start w\x01",
		"start w\x1f",
		"start w\x7f",
		"\x1b[31mstatus",
		"status --json\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
	/* A NUL inside: the line is len bytes, not a C string. */
	assert_refused_len("status\0", 7);
	assert_refused_len("start w\0b", 9);
	assert_refused_len("\0status", 7);
	assert_refused_len("status\0 --json", 14);
}

/* A well-formed line of len bytes: "signal NAME SIGNAL" with a name of
 * 255 characters and "15" padded with leading zeros. */
static void
long_signal_line(char *line, size_t len)
{
	size_t head;

	head = (size_t)sprintf(line, "signal %0*d ", REQUEST_NAME_MAX, 0);
	memset(line + head, '0', len - head - 2);
	memcpy(line + len - 2, "15", 2);
	line[len] = '\0';
}

static void
test_too_long(void **state)
{
	char line[REQUEST_MAX + 16];
	struct request req;
	char error[128] = "";
	size_t len;

	(void)state;
	/* The longest line taken: REQUEST_MAX - 1 bytes, as the newline
	 * makes it REQUEST_MAX. */
	long_signal_line(line, REQUEST_MAX - 1);
	assert_int_equal(request_parse(line, REQUEST_MAX - 1, &req, error,
				       sizeof(error)),
			 0);
	assert_int_equal(req.verb, REQ_SIGNAL);
	assert_int_equal(strlen(req.name), REQUEST_NAME_MAX);
	assert_int_equal(req.sig, SIGTERM);
	/* One byte more, however well formed, is too long. */
	for (len = REQUEST_MAX; len < sizeof(line) - 1; len++) {
		long_signal_line(line, len);
		assert_refused_len(line, len);
		assert_refused_with(line, "too long");
	}
}

static void
test_names(void **state)
{
	char line[300], name[REQUEST_NAME_MAX + 2];
	struct request req;
	char error[128];

	(void)state;
	/* 255 bytes: the longest name. */
	memset(name, 'n', REQUEST_NAME_MAX);
	name[REQUEST_NAME_MAX] = '\0';
	snprintf(line, sizeof(line), "start %s", name);
	assert_int_equal(parse(line, &req, error, sizeof(error)), 0);
	assert_string_equal(req.name, name);
	/* 256: too long. */
	memset(name, 'n', REQUEST_NAME_MAX + 1);
	name[REQUEST_NAME_MAX + 1] = '\0';
	snprintf(line, sizeof(line), "start %s", name);
	assert_refused(line);
	snprintf(line, sizeof(line), "signal %s HUP", name);
	assert_refused(line);
	/* Characters outside [A-Za-z0-9._@:-]. */
	assert_refused("start a/b");
	assert_refused("start /etc/passwd");
	assert_refused("start ../x");
	assert_refused("stop web!");
	assert_refused("stop we$b");
	assert_refused("stop w*");
	assert_refused("run 'x'");
	assert_refused("run \"x\"");
	assert_refused("restart caf\xc3\xa9");
	assert_refused("signal a/b HUP");
	assert_refused("signal a,b HUP");
	/* A space ends the word: "a b" is two words. */
	assert_refused("start a b");
	/* Empty: two spaces or a trailing one. */
	assert_refused("start ");
	assert_refused("signal  HUP");
}

static void
test_error_is_one_line(void **state)
{
	static const char *const bad[] = {
		"nope",
		"start",
		"signal web NOPE",
		"status web",
		"status  ",
		"start a/b",
	};
	char long_verb[300], error[8];
	struct request req;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
	/* A long word is cut in the error, which stays short. */
	memset(long_verb, 'x', sizeof(long_verb) - 1);
	long_verb[sizeof(long_verb) - 1] = '\0';
	assert_refused(long_verb);
	/* A small buffer is filled, terminated, and not overrun. */
	memset(error, 0x5a, sizeof(error));
	assert_int_equal(parse("nope", &req, error, sizeof(error)), -1);
	assert_int_equal(strlen(error), sizeof(error) - 1);
}

static void
test_verb_names(void **state)
{
	int verb;

	(void)state;
	for (verb = 0; verb < REQ_NVERBS; verb++) {
		const char *word = request_verb_name((enum request_verb)verb);

		assert_string_not_equal(word, "?");
		assert_int_equal(request_verb_from_name(word), verb);
	}
	assert_string_equal(request_verb_name(REQ_STATUS), "status");
	assert_string_equal(request_verb_name(REQ_SIGNAL), "signal");
	assert_string_equal(request_verb_name(REQ_GROUPS), "groups");
	assert_string_equal(request_verb_name(REQ_NVERBS), "?");
	assert_string_equal(request_verb_name((enum request_verb)-1), "?");
	assert_int_equal(request_verb_from_name("nope"), -1);
	assert_int_equal(request_verb_from_name(""), -1);
	assert_int_equal(request_verb_from_name("Status"), -1);
	assert_int_equal(request_verb_args(REQ_STATUS), 0);
	assert_int_equal(request_verb_args(REQ_START), 1);
	assert_int_equal(request_verb_args(REQ_STOP), 1);
	assert_int_equal(request_verb_args(REQ_RESTART), 1);
	assert_int_equal(request_verb_args(REQ_SIGNAL), 2);
	assert_int_equal(request_verb_args(REQ_RUN), 1);
	assert_int_equal(request_verb_args(REQ_HEALTH), 0);
	assert_int_equal(request_verb_args(REQ_GROUPS), 0);
	assert_int_equal(request_verb_args(REQ_NVERBS), 0);
}

static void
test_reply(void **state)
{
	static const char ok[] = "0\nNAME KIND\nweb service\n";
	const char *text;
	size_t text_len;
	int code;

	(void)state;
	assert_int_equal(request_parse_reply(ok, sizeof(ok) - 1, &code, &text,
					     &text_len),
			 0);
	assert_int_equal(code, REPLY_OK);
	assert_ptr_equal(text, ok + 2);
	assert_int_equal(text_len, sizeof(ok) - 3);
	assert_memory_equal(text, "NAME KIND\nweb service\n", text_len);
	/* No text. */
	assert_int_equal(request_parse_reply("1\n", 2, &code, &text,
					     &text_len),
			 0);
	assert_int_equal(code, REPLY_NO);
	assert_int_equal(text_len, 0);
	assert_int_equal(request_parse_reply("2\nstart: needs a name\n", 22,
					     &code, &text, &text_len),
			 0);
	assert_int_equal(code, REPLY_USAGE);
	assert_int_equal(text_len, 20);
	assert_int_equal(request_parse_reply("3\nno\n", 5, &code, &text,
					     &text_len),
			 0);
	assert_int_equal(code, REPLY_REFUSED);
	/* Only len bytes count, and the text may hold anything. */
	assert_int_equal(request_parse_reply("0\n\0x", 4, &code, &text,
					     &text_len),
			 0);
	assert_int_equal(text_len, 2);
}

static void
test_reply_refuses(void **state)
{
	static const struct {
		const char *reply;
		size_t len;
	} bad[] = {
		{ "", 0 },
		{ "0", 1 },
		{ "0\n", 1 },		/* cut before the newline */
		{ "4\n", 2 },
		{ "9\n", 2 },
		{ "/\n", 2 },
		{ "a\n", 2 },
		{ "-1\n", 3 },
		{ "00\n", 3 },
		{ "10\n", 3 },
		{ " 0\n", 3 },
		{ "0 \n", 3 },
		{ "0\r\n", 3 },
		{ "\n0\n", 3 },
		{ "ok\n", 3 },
		{ "\0\n", 2 },
	};
	const char *text = NULL;
	size_t i, text_len;
	int code;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (request_parse_reply(bad[i].reply, bad[i].len, &code, &text,
					&text_len) != -1)
			fail_msg("took reply %zu", i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verbs_without_args),
		cmocka_unit_test(test_verbs_with_a_name),
		cmocka_unit_test(test_status_json),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_signal_realtime),
		cmocka_unit_test(test_signal_refuses),
		cmocka_unit_test(test_wrong_arg_counts),
		cmocka_unit_test(test_unknown_verbs),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_error_is_one_line),
		cmocka_unit_test(test_verb_names),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_reply_refuses),
	};

	return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
