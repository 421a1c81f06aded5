// SPDX-License-Identifier: MIT
/* Unit tests of /proc/PID/stat, status and cmdline parsing and of signal
 * names in masks (src/procinfo.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "procinfo.h"

/* What a kernel writes, shortened after the fields that are read. */
static const char STATUS[] =
	"Name:\tgrace\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Pid:\t1\n"
	"PPid:\t0\n"
	"Uid:\t1000\t33\t33\t33\n"
	"Gid:\t0\t0\t0\t0\n"
	"Groups:\t \n"
	"SigQ:\t0/96365\n"
	"SigPnd:\t0000000000000100\n"
	"ShdPnd:\t0000000000004000\n"
	"SigBlk:\tfffffffe7ffbfeff\n"
	"SigIgn:\t0000000000001000\n"
	"SigCgt:\t0000000180000000\n"
	"CapInh:\t0000000000000000\n";

static void
test_parse_stat(void **state)
{
	struct procinfo info;

	(void)state;
	memset(&info, 0, sizeof(info));
	assert_int_equal(procinfo_parse_stat(
				 "18925 (cat) R 18921 18920 12041 0 -1 4194304 "
				 "100 0 0",
				 &info),
			 0);
	assert_int_equal(info.pid, 18925);
	assert_int_equal(info.ppid, 18921);
	assert_int_equal(info.pgid, 18920);
	assert_int_equal(info.sid, 12041);
	assert_int_equal(info.state, 'R');
	assert_string_equal(info.comm, "cat");
	assert_false(info.kernel_thread);
	/* comm is the process's to choose: spaces and parentheses. */
	assert_int_equal(procinfo_parse_stat("9 (a) S 3 (b)) Z 5 0 0 0 -1 0 1",
					     &info),
			 0);
	assert_string_equal(info.comm, "a) S 3 (b)");
	assert_int_equal(info.state, 'Z');
	assert_int_equal(info.ppid, 5);
	assert_int_equal(info.pgid, 0);
	/* kthreadd: PF_KTHREAD in the flags. */
	assert_int_equal(procinfo_parse_stat("2 (kthreadd) S 0 0 0 0 -1 2129984 0",
					     &info),
			 0);
	assert_true(info.kernel_thread);
}

static void
test_parse_stat_refuses(void **state)
{
	static const char *const bad[] = {
		"",
		"12 (x",
		"12 (x) S",
		"12 (x) S 1 1 1 0 -1",		/* no flags */
		"12 (x) S -3 1 1 0 -1 0",	/* negative ppid */
		"(x) S 1 1 1 0 -1 0",		/* no pid */
		"-1 (x) S 1 1 1 0 -1 0",
		"12(x) S 1 1 1 0 -1 0",
		"12 (x)S 1 1 1 0 -1 0",
		"12 (x) SS 1 1 1 0 -1 0",
		"12 (x)  1 1 1 0 -1 0",
		"12 (x) S 1 99999999999 1 0 -1 0",	/* above INT_MAX */
		"12 )x( S 1 1 1 0 -1 0",
	};
	struct procinfo info;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&info, 0, sizeof(info));
		if (procinfo_parse_stat(bad[i], &info) != -1)
			fail_msg("took \"%s\"", bad[i]);
	}
}

static void
test_parse_stat_long_comm(void **state)
{
	char text[256];
	struct procinfo info;

	(void)state;
	snprintf(text, sizeof(text), "7 (%0100d) S 1 1 1 0 -1 0", 0);
	assert_int_equal(procinfo_parse_stat(text, &info), 0);
	assert_int_equal(strlen(info.comm), PROCINFO_COMM_MAX - 1);
}

static void
test_parse_status(void **state)
{
	struct procinfo info;

	(void)state;
	memset(&info, 0, sizeof(info));
	assert_int_equal(procinfo_parse_status(STATUS, &info), 0);
	assert_true(info.has_status);
	assert_int_equal(info.uid, 33);		/* the effective uid */
	/* SigPnd and ShdPnd together: SIGSEGV (9 -> bit 8), SIGTERM. */
	assert_int_equal(info.masks[PROCINFO_PENDING], 0x4100);
	assert_true(procinfo_has_signal(info.masks[PROCINFO_PENDING], 9));
	assert_true(procinfo_has_signal(info.masks[PROCINFO_PENDING], 15));
	assert_int_equal(info.masks[PROCINFO_BLOCKED], 0xfffffffe7ffbfeffULL);
	assert_int_equal(info.masks[PROCINFO_IGNORED], 0x1000);
	assert_int_equal(info.masks[PROCINFO_CAUGHT], 0x180000000ULL);
}

/* STATUS with the line that starts with key replaced by line (NULL: left
 * out). */
static char *
status_with(const char *key, const char *line)
{
	char *text = calloc(1, sizeof(STATUS) + 128), *p;
	const char *at = strstr(STATUS, key), *end = strchr(at, '\n') + 1;

	memcpy(text, STATUS, (size_t)(at - STATUS));
	p = text + (at - STATUS);
	if (line != NULL)
		p += sprintf(p, "%s\n", line);
	strcpy(p, end);
	return text;
}

static void
test_parse_status_refuses(void **state)
{
	static const struct {
		const char *key, *line;
	} cases[] = {
		{ "Uid:", NULL },
		{ "SigPnd:", NULL },
		{ "ShdPnd:", NULL },
		{ "SigBlk:", NULL },
		{ "SigIgn:", NULL },
		{ "SigCgt:", NULL },
		{ "SigCgt:", "SigCgt:\t000000018000000" },	 /* 15 digits */
		{ "SigCgt:", "SigCgt:\t00000001800000000" }, /* 17 digits */
		{ "SigCgt:", "SigCgt:\t000000018000000g" },
		{ "SigCgt:", "SigCgt: 0000000180000000" },
		{ "Uid:", "Uid:\t0" },
		{ "Uid:", "Uid:\t0\tx\t0\t0" },
		{ "Uid:", "Uid:\t0\t\t0\t0" },
		{ "Uid:", "Uid:\t0\t4294967295\t0\t0" },
		{ "Gid:", "SigBlk:\t0000000000000000" },	 /* twice */
	};
	struct procinfo info;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = status_with(cases[i].key, cases[i].line);
		memset(&info, 0, sizeof(info));
		if (procinfo_parse_status(text, &info) != -1 ||
		    info.has_status)
			fail_msg("took %s", text);
		free(text);
	}
	/* Upper-case hex and a last line without its newline are fine. */
	text = status_with("SigCgt:", "SigCgt:\t00000001800000AB");
	assert_int_equal(procinfo_parse_status(text, &info), 0);
	assert_int_equal(info.masks[PROCINFO_CAUGHT], 0x1800000abULL);
	free(text);
	assert_int_equal(procinfo_parse_status(
				 "Uid:\t0\t0\t0\t0\nSigPnd:\t0000000000000000\n"
				 "ShdPnd:\t0000000000000000\nSigBlk:\t000000000"
				 "0000000\nSigIgn:\t0000000000000000\nSigCgt:"
				 "\t0000000000000001",
				 &info),
			 0);
}

static void
test_command(void **state)
{
	struct procinfo info;

	(void)state;
	memset(&info, 0, sizeof(info));
	assert_int_equal(procinfo_set_command(&info, "sleep\0" "100\0", 10), 0);
	assert_string_equal(info.command, "sleep 100");
	/* A control byte cannot reach the terminal. */
	assert_int_equal(procinfo_set_command(&info, "a\nb\x1b[2J\x7f", 9), 0);
	assert_string_equal(info.command, "a b [2J");
	/* Empty (a kernel thread, a zombie): no command. */
	assert_int_equal(procinfo_set_command(&info, "\0\0", 2), 0);
	assert_null(info.command);
	assert_int_equal(procinfo_set_command(&info, "", 0), 0);
	assert_null(info.command);
	procinfo_free(&info);
}

static void
test_signal_names(void **state)
{
	char name[SIG_NAME_MAX];

	(void)state;
	assert_string_equal(procinfo_signal_name(SIGTERM, name), "SIGTERM");
	assert_string_equal(procinfo_signal_name(SIGRTMIN, name), "SIGRTMIN");
	assert_string_equal(procinfo_signal_name(SIGRTMIN + 3, name),
			    "SIGRTMIN+3");
	/* Kept by the C library, below its SIGRTMIN: one word. */
	assert_string_equal(procinfo_signal_name(32, name), "SIG32");
	assert_true(procinfo_has_signal(UINT64_C(1) << 63, 64));
	assert_false(procinfo_has_signal(~UINT64_C(0), 0));
	assert_false(procinfo_has_signal(~UINT64_C(0), 65));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_stat),
		cmocka_unit_test(test_parse_stat_refuses),
		cmocka_unit_test(test_parse_stat_long_comm),
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_parse_status_refuses),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_signal_names),
	};

	return cmocka_run_group_tests_name("procinfo", tests, NULL, NULL);
}
