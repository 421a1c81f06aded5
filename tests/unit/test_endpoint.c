// SPDX-License-Identifier: MIT
/* Unit tests of the control socket's address: a path or an abstract name
 * into a sockaddr_un, and back (src/endpoint.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "endpoint.h"

#define SUN_PATH_LEN sizeof(((struct sockaddr_un *)0)->sun_path)
#define SUN_PATH_AT offsetof(struct sockaddr_un, sun_path)

static void
test_path(void **state)
{
	struct endpoint ep;

	(void)state;
	memset(&ep, 0x5a, sizeof(ep));
	assert_int_equal(endpoint_parse("/run/grace/control", &ep), 0);
	assert_false(ep.abstract);
	assert_int_equal(ep.addr.sun_family, AF_UNIX);
	assert_string_equal(ep.addr.sun_path, "/run/grace/control");
	/* A path's length counts its NUL. */
	assert_int_equal(ep.len,
			 SUN_PATH_AT + strlen("/run/grace/control") + 1);
	/* A relative path is a path too. */
	assert_int_equal(endpoint_parse("x.sock", &ep), 0);
	assert_false(ep.abstract);
	assert_string_equal(ep.addr.sun_path, "x.sock");
	assert_int_equal(ep.len, SUN_PATH_AT + 7);
	/* An '@' not at the start is part of a path. */
	assert_int_equal(endpoint_parse("/tmp/a@b", &ep), 0);
	assert_false(ep.abstract);
	assert_string_equal(ep.addr.sun_path, "/tmp/a@b");
	assert_int_equal(endpoint_parse(ENDPOINT_DEFAULT_PATH, &ep), 0);
	assert_string_equal(ep.addr.sun_path, "/run/grace/control");
}

static void
test_abstract(void **state)
{
	struct endpoint ep;

	(void)state;
	memset(&ep, 0x5a, sizeof(ep));
	assert_int_equal(endpoint_parse("@grace-control-0", &ep), 0);
	assert_true(ep.abstract);
	assert_int_equal(ep.addr.sun_family, AF_UNIX);
	assert_int_equal(ep.addr.sun_path[0], '\0');
	assert_memory_equal(ep.addr.sun_path + 1, "grace-control-0", 15);
	/* The leading NUL and the name, no NUL after it. */
	assert_int_equal(ep.len, SUN_PATH_AT + 1 + 15);
	/* The rest of the address is zero. */
	assert_int_equal(ep.addr.sun_path[16], '\0');
	/* One character. */
	assert_int_equal(endpoint_parse("@x", &ep), 0);
	assert_true(ep.abstract);
	assert_int_equal(ep.len, SUN_PATH_AT + 2);
	assert_int_equal(ep.addr.sun_path[0], '\0');
	assert_int_equal(ep.addr.sun_path[1], 'x');
	/* A name that looks like a path. */
	assert_int_equal(endpoint_parse("@/run/x", &ep), 0);
	assert_true(ep.abstract);
	assert_memory_equal(ep.addr.sun_path, "\0/run/x", 7);
	assert_int_equal(ep.len, SUN_PATH_AT + 7);
}

static void
test_lengths(void **state)
{
	char text[SUN_PATH_LEN + 8];
	struct endpoint ep;

	(void)state;
	/* The longest path: sun_path less its NUL. */
	memset(text, 'p', sizeof(text));
	text[0] = '/';
	text[SUN_PATH_LEN - 1] = '\0';
	assert_int_equal(endpoint_parse(text, &ep), 0);
	assert_false(ep.abstract);
	assert_int_equal(strlen(ep.addr.sun_path), SUN_PATH_LEN - 1);
	assert_int_equal(ep.len, sizeof(struct sockaddr_un));
	/* One more does not fit. */
	text[SUN_PATH_LEN - 1] = 'p';
	text[SUN_PATH_LEN] = '\0';
	assert_int_equal(endpoint_parse(text, &ep), -1);
	text[SUN_PATH_LEN + 1] = '\0';
	text[SUN_PATH_LEN] = 'p';
	assert_int_equal(endpoint_parse(text, &ep), -1);
	/* An abstract name: the same length of text. */
	text[0] = '@';
	text[SUN_PATH_LEN - 1] = '\0';
	assert_int_equal(endpoint_parse(text, &ep), 0);
	assert_true(ep.abstract);
	assert_int_equal(ep.len, sizeof(struct sockaddr_un) - 1);
	text[SUN_PATH_LEN - 1] = 'p';
	assert_int_equal(endpoint_parse(text, &ep), -1);
}

static void
test_refuses(void **state)
{
	struct endpoint ep;

	(void)state;
	assert_int_equal(endpoint_parse("", &ep), -1);
	assert_int_equal(endpoint_parse("@", &ep), -1);
}

/* text parsed and written back is text. */
static void
assert_round_trip(const char *text)
{
	char buf[ENDPOINT_TEXT_MAX];
	struct endpoint ep;

	assert_int_equal(endpoint_parse(text, &ep), 0);
	assert_ptr_equal(endpoint_text(&ep, buf, sizeof(buf)), buf);
	assert_string_equal(buf, text);
}

static void
test_text(void **state)
{
	char text[SUN_PATH_LEN];

	(void)state;
	assert_round_trip("/run/grace/control");
	assert_round_trip("rel/x.sock");
	assert_round_trip("@grace-control-1000");
	assert_round_trip("@x");
	assert_round_trip("@/looks/like/a/path");
	/* The longest of each fits ENDPOINT_TEXT_MAX. */
	memset(text, 'q', sizeof(text));
	text[0] = '/';
	text[sizeof(text) - 1] = '\0';
	assert_round_trip(text);
	text[0] = '@';
	assert_round_trip(text);
}

static void
test_abstract_name(void **state)
{
	char buf[ENDPOINT_TEXT_MAX];
	struct endpoint ep;

	(void)state;
	assert_ptr_equal(endpoint_abstract_name(1000, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "@grace-control-1000");
	assert_string_equal(endpoint_abstract_name(0, buf, sizeof(buf)),
			    "@grace-control-0");
	/* The largest uid fits, and parses as an abstract name. */
	assert_string_equal(endpoint_abstract_name((uid_t)-1, buf,
						   sizeof(buf)),
			    "@grace-control-4294967295");
	assert_int_equal(endpoint_parse(buf, &ep), 0);
	assert_true(ep.abstract);
	assert_int_equal(ep.len, SUN_PATH_AT + strlen(buf));
	/* A short buffer is cut, not overrun. */
	assert_string_equal(endpoint_abstract_name(1000, buf, 6), "@grac");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_abstract),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_abstract_name),
	};

	return cmocka_run_group_tests_name("endpoint", tests, NULL, NULL);
}
