// SPDX-License-Identifier: MIT
/* Unit tests of pidfile parsing (src/pidfile.c): content is untrusted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "pidfile.h"

static char why[160];

static void
test_good(void **state)
{
	pid_t pid = 0;

	(void)state;
	assert_int_equal(pidfile_parse("42", &pid, why, sizeof(why)), 0);
	assert_int_equal(pid, 42);
	assert_int_equal(pidfile_parse("1234\n", &pid, why, sizeof(why)), 0);
	assert_int_equal(pid, 1234);
	assert_int_equal(pidfile_parse("  7 \n", &pid, why, sizeof(why)), 0);
	assert_int_equal(pid, 7);
	assert_int_equal(pidfile_parse("2147483647", &pid, why, sizeof(why)),
			 0);
}

static void
test_bad(void **state)
{
	static const char *const bad[] = {
		"", "\n", "   ", "0", "-5", "+5", "abc", "12abc", "1 2",
		"2147483648", "99999999999999999999999", "0x10", "1.5",
		"\xff\xfe",
	};
	pid_t pid = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pidfile_parse(bad[i], &pid, why, sizeof(why)),
				 -1);
		assert_true(why[0] != '\0');
		assert_null(strchr(why, '\n'));
	}
}

static void
test_read(void **state)
{
	char path[] = "/tmp/grace-pidfile-XXXXXX";
	pid_t pid = 0;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "321\n", 4), 4);
	close(fd);
	assert_int_equal(pidfile_read(path, &pid, why, sizeof(why)), 0);
	assert_int_equal(pid, 321);
	unlink(path);
	assert_int_equal(pidfile_read(path, &pid, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cannot open"));
}

/* A FIFO (or anything but a regular file) is refused at once: opening
 * one to read would wait for a writer, and grace would hang. */
static void
test_read_not_a_file(void **state)
{
	char dir[] = "/tmp/grace-pidfile-XXXXXX", path[64];
	pid_t pid = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(pidfile_read(path, &pid, why, sizeof(why)), -1);
	assert_string_equal(why, "it is not a regular file");
	unlink(path);
	assert_int_equal(pidfile_read(dir, &pid, why, sizeof(why)), -1);
	assert_string_equal(why, "it is not a regular file");
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_not_a_file),
	};

	return cmocka_run_group_tests_name("pidfile", tests, NULL, NULL);
}
