// SPDX-License-Identifier: MIT
/* Unit tests of uid -> name from a passwd file's text (src/user.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "user.h"

static const char PASSWD[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"# a comment line is no entry\n"
	"broken\n"
	"nouid:x::1:\n"
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"twin:x:1:1::/:\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	"last:x:4294967294:0";

static void
test_names(void **state)
{
	char name[16];

	(void)state;
	assert_int_equal(user_name_in_passwd(PASSWD, 0, name, sizeof(name)), 0);
	assert_string_equal(name, "root");
	/* The first line with the uid wins. */
	assert_int_equal(user_name_in_passwd(PASSWD, 1, name, sizeof(name)), 0);
	assert_string_equal(name, "daemon");
	assert_int_equal(
		user_name_in_passwd(PASSWD, 65534, name, sizeof(name)), 0);
	assert_string_equal(name, "nobody");
	/* A last line without its newline, or its other fields. */
	assert_int_equal(
		user_name_in_passwd(PASSWD, 4294967294U, name, sizeof(name)),
		0);
	assert_string_equal(name, "last");
}

static void
test_misses(void **state)
{
	char name[5];

	(void)state;
	assert_int_equal(user_name_in_passwd(PASSWD, 1000, name, sizeof(name)),
			 -1);
	/* "daemon" needs 7 bytes. */
	assert_int_equal(user_name_in_passwd(PASSWD, 1, name, sizeof(name)),
			 -1);
	assert_int_equal(user_name_in_passwd("", 0, name, sizeof(name)), -1);
	assert_int_equal(user_name_in_passwd(":x:0:0\n", 0, name, sizeof(name)),
			 -1);
	assert_int_equal(
		user_name_in_passwd("r:x:0x:0\nr:x:-0:0\n", 0, name,
				    sizeof(name)),
		-1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_misses),
	};

	return cmocka_run_group_tests_name("user", tests, NULL, NULL);
}
