// SPDX-License-Identifier: MIT
/* Unit tests of the environment being built and EnvironmentFile= files
 * (src/environ.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "environ.h"

static char error[256];

/* The number of entries before the NULL, which must be at n. */
static size_t
count(const struct env *env)
{
	size_t n = 0;

	while (env->vars[n] != NULL)
		n++;
	assert_int_equal(n, env->n);
	return n;
}

static const char *
get(const struct env *env, const char *key)
{
	return env_get(env, key, strlen(key));
}

static void
test_init(void **state)
{
	char *base[] = { "PATH=/bin", "HOME=/root", "ODD", NULL };
	struct env env;

	(void)state;
	assert_int_equal(env_init(&env, base), 0);
	assert_int_equal(count(&env), 3);
	assert_string_equal(env.vars[0], "PATH=/bin");
	assert_ptr_equal(env.vars[0], base[0]);	/* borrowed, not copied */
	assert_string_equal(get(&env, "HOME"), "/root");
	assert_null(get(&env, "ODD"));
	assert_null(get(&env, "HOM"));
	env_free(&env);
	env_free(&env);

	assert_int_equal(env_init(&env, NULL), 0);
	assert_int_equal(count(&env), 0);
	assert_non_null(env.vars);
	env_free(&env);
}

static void
test_set_put_get(void **state)
{
	struct env env;
	int i;

	(void)state;
	assert_int_equal(env_init(&env, NULL), 0);
	assert_int_equal(env_set(&env, "A=junk", 1, "1"), 0);
	assert_int_equal(env_put(&env, "B=2=3"), 0);
	assert_int_equal(env_put(&env, "C="), 0);
	assert_int_equal(count(&env), 3);
	assert_string_equal(get(&env, "A"), "1");
	assert_string_equal(get(&env, "B"), "2=3");
	assert_string_equal(get(&env, "C"), "");
	/* Replacing keeps the place and the count. */
	assert_int_equal(env_put(&env, "A=again"), 0);
	assert_int_equal(count(&env), 3);
	assert_string_equal(env.vars[0], "A=again");
	/* A key is matched whole. */
	assert_int_equal(env_put(&env, "AB=x"), 0);
	assert_string_equal(get(&env, "A"), "again");
	assert_string_equal(get(&env, "AB"), "x");
	assert_string_equal(env_get(&env, "ABC", 2), "x");
	assert_int_equal(env_put(&env, "novalue"), -EINVAL);
	assert_int_equal(env_put(&env, "=x"), -EINVAL);
	/* Growing past the first allocation. */
	for (i = 0; i < 100; i++) {
		char key[16];

		snprintf(key, sizeof(key), "K%d", i);
		assert_int_equal(env_set(&env, key, strlen(key), key), 0);
	}
	assert_int_equal(count(&env), 104);
	assert_string_equal(get(&env, "K99"), "K99");
	env_free(&env);
}

/* The inherited strings are shared, never copied nor freed: replacing or
 * unsetting one leaves grace's own environment as it was (freeing a
 * string literal here would abort under ASan and valgrind). */
static void
test_inherited_are_borrowed(void **state)
{
	char *base[] = { "A=1", "B=2", "C=3", NULL };
	struct env env;

	(void)state;
	assert_int_equal(env_init(&env, base), 0);
	assert_ptr_equal(env.vars[1], base[1]);
	assert_int_equal(env_put(&env, "A=changed"), 0);
	assert_int_equal(env_unset(&env, "B", 1), 0);
	assert_int_equal(env_put(&env, "D=4"), 0);
	assert_int_equal(count(&env), 3);
	assert_string_equal(get(&env, "A"), "changed");
	assert_null(get(&env, "B"));
	assert_ptr_equal(env.vars[1], base[2]);
	assert_string_equal(base[0], "A=1");
	assert_string_equal(base[1], "B=2");
	/* A set string that replaced an inherited one is freed. */
	assert_int_equal(env_unset(&env, "A", 1), 0);
	env_free(&env);
}

/* Parses text as app.env into a fresh environment holding OLD=1 (the
 * inherited strings must outlive it). */
static int
parse(struct env *env, const char *text)
{
	static char *base[] = { "OLD=1", NULL };

	assert_int_equal(env_init(env, base), 0);
	return env_parse_file(env, "app.env", text, strlen(text), error,
			      sizeof(error));
}

static void
expect_var(const struct env *env, const char *key, const char *value)
{
	const char *got = get(env, key);

	if (got == NULL)
		fail_msg("%s is not set", key);
	if (strcmp(got, value) != 0)
		fail_msg("%s is '%s', not '%s'", key, got, value);
}

static void
test_file_basics(void **state)
{
	struct env env;

	(void)state;
	assert_int_equal(parse(&env, "# comment\n"
				     "; comment\n"
				     "\n"
				     "  A=1\n"
				     "B = two words  \n"
				     "export C=3\n"
				     "export\tD=4\n"
				     "export=5\n"
				     "E=\n"
				     "OLD=2\n"
				     "A=again\n"
				     "F=a#b ;c\n"
				     "\tG=tab\t\n"
				     "LAST=no newline"), 0);
	expect_var(&env, "A", "again");
	expect_var(&env, "B", "two words");
	expect_var(&env, "C", "3");
	expect_var(&env, "D", "4");
	expect_var(&env, "export", "5");
	expect_var(&env, "E", "");
	expect_var(&env, "OLD", "2");
	expect_var(&env, "F", "a#b ;c");
	expect_var(&env, "G", "tab");
	expect_var(&env, "LAST", "no newline");
	assert_int_equal(count(&env), 10);
	assert_string_equal(error, "");
	env_free(&env);

	assert_int_equal(parse(&env, ""), 0);
	assert_int_equal(count(&env), 1);
	env_free(&env);
}

static void
test_file_quotes(void **state)
{
	struct env env;

	(void)state;
	assert_int_equal(parse(&env,
			       "S='single $HOME \\n \"x\"'\n"
			       "D=\"double \\\"q\\\" \\\\ \\$HOME \\` \\n\"\n"
			       "K=\"  kept  \"   \n"
			       "M='line one\n"
			       "line two'\n"
			       "J='a'b\"c\"\n"
			       "J2='a'  \"b\"c\n"
			       "N=\"a\\\n"
			       "b\"\n"
			       "E=''\n"), 0);
	expect_var(&env, "S", "single $HOME \\n \"x\"");
	expect_var(&env, "D", "double \"q\" \\ $HOME ` \\n");
	expect_var(&env, "K", "  kept  ");
	expect_var(&env, "M", "line one\nline two");
	/* As in systemd, a quote opens only where a value starts or just
	 * after a closing quote; text after a closing quote joins on. */
	expect_var(&env, "J", "ab\"c\"");
	expect_var(&env, "J2", "abc");
	expect_var(&env, "N", "ab");
	expect_var(&env, "E", "");
	env_free(&env);
}

static void
test_file_escapes_and_lines(void **state)
{
	struct env env;

	(void)state;
	assert_int_equal(parse(&env,
			       "A=one \\\n"
			       "two\n"
			       "B=x\\ \\ \n"
			       "C=\\\"quoted\\\"\n"
			       "# comment \\\n"
			       "HIDDEN=1\n"
			       "W=a\r\n"
			       "V=b \r\n"
			       "\r\n"
			       "U=c\rT=d\n"), 0);
	expect_var(&env, "A", "one two");
	/* An escaped blank is kept; trailing plain blanks are not. */
	expect_var(&env, "B", "x  ");
	expect_var(&env, "C", "\"quoted\"");
	/* A comment ending in a backslash goes on, as in systemd. */
	assert_null(get(&env, "HIDDEN"));
	expect_var(&env, "W", "a");
	expect_var(&env, "V", "b");
	/* A lone CR ends a line, as in systemd. */
	expect_var(&env, "U", "c");
	expect_var(&env, "T", "d");
	env_free(&env);
}

static void
test_file_errors(void **state)
{
	static const struct {
		const char *text, *message;
	} bad[] = {
		{ "A=1\nNOEQUALS\nB=2\n",
		  "app.env:2: 'NOEQUALS' has no '=' (want KEY=VALUE)" },
		{ "A=1\n\nLAST",
		  "app.env:3: 'LAST' has no '=' (want KEY=VALUE)" },
		{ "A=1\n1A=2\n", "app.env:2: invalid variable name '1A'" },
		{ "A B=2\n", "app.env:1: invalid variable name 'A B'" },
		{ "A-B=2\n", "app.env:1: invalid variable name 'A-B'" },
		{ "=2\n", "app.env:1: invalid variable name ''" },
		{ "A=1\nB=\"open\nstill\n", "app.env:2: unterminated quote" },
		{ "A='open\n", "app.env:1: unterminated quote" },
		{ "A=\"x\\", "app.env:1: unterminated quote" },
		{ "A=1\r\nB C\r\n", "app.env:2: 'B C' has no '=' (want "
				   "KEY=VALUE)" },
	};
	static const char nul[] = "A=1\nB=x\0y\n";
	struct env env;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&env, bad[i].text) != -1)
			fail_msg("'%s' parses", bad[i].text);
		assert_string_equal(error, bad[i].message);
		env_free(&env);
	}
	assert_int_equal(env_init(&env, NULL), 0);
	assert_int_equal(env_parse_file(&env, "app.env", nul, sizeof(nul) - 1,
					error, sizeof(error)), -1);
	assert_string_equal(error, "app.env:2: NUL byte in the file");
	env_free(&env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_set_put_get),
		cmocka_unit_test(test_inherited_are_borrowed),
		cmocka_unit_test(test_file_basics),
		cmocka_unit_test(test_file_quotes),
		cmocka_unit_test(test_file_escapes_and_lines),
		cmocka_unit_test(test_file_errors),
	};

	return cmocka_run_group_tests_name("environ", tests, NULL, NULL);
}
