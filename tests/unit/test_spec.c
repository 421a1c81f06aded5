// SPDX-License-Identifier: MIT
/* Unit tests of src/spec.c: whether a service's spec changed between two
 * loads of the plan, as gracectl reload decides what to restart.  Plans
 * are loaded from unit files in a temporary directory; nothing runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "plan.h"
#include "spec.h"

static char *const base_env[] = { "PATH=/usr/bin:/bin", NULL };

struct fixture {
	char dir[64];
	char path[128];		/* DIR/web.service */
	char envfile[128];	/* DIR/web.env */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/grace-test-spec-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/web.service", f->dir);
	snprintf(f->envfile, sizeof(f->envfile), "%s/web.env", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	unlink(f->envfile);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
write_text(const char *path, const char *text)
{
	FILE *out = fopen(path, "w");

	assert_non_null(out);
	assert_true(fputs(text, out) >= 0);
	assert_int_equal(fclose(out), 0);
}

/* Loads the directory into plan; the test fails on an error. */
static void
load(struct fixture *f, struct plan *plan)
{
	struct plan_sources sources = { .dir = f->dir };
	char error[512];

	memset(plan, 0, sizeof(*plan));
	if (plan_load(plan, &sources, base_env, error, sizeof(error)) != 0)
		fail_msg("unexpected error: %s", error);
}

/* The service web (or the job, for a unit with Schedule=) of plan. */
static const struct plan_service *
web(const struct plan *plan)
{
	assert_int_equal(plan->n + plan->n_jobs, 1);
	return plan->n == 1 ? &plan->services[0] : &plan->jobs[0];
}

/* Whether web.service written as before and then as after loads to the
 * same spec. */
static bool
same(struct fixture *f, const char *before, const char *after)
{
	struct plan a, b;
	bool result;

	write_text(f->path, before);
	load(f, &a);
	write_text(f->path, after);
	load(f, &b);
	result = spec_same(web(&a), web(&b));
	assert_int_equal(result, spec_same(web(&b), web(&a)));
	plan_free(&a);
	plan_free(&b);
	return result;
}

#define SERVICE "[Service]\nExecStart=/bin/sleep 100\n"

static void
test_unchanged(void **state)
{
	struct fixture *f = *state;

	assert_true(same(f, SERVICE, SERVICE));
	/* What only describes is no change. */
	assert_true(same(f, SERVICE, "# a comment\n\n" SERVICE));
	assert_true(same(f, SERVICE,
			 "[Unit]\nDescription=the web server\n" SERVICE));
	/* Nor is a default written out. */
	assert_true(same(f, SERVICE, SERVICE "KillSignal=SIGTERM\n"));
}

static void
test_changed(void **state)
{
	static const char *const changes[] = {
		"[Service]\nExecStart=/bin/sleep 200\n",
		SERVICE "Environment=A=1\n",
		SERVICE "Restart=always\n",
		SERVICE "RestartSec=5\n",
		SERVICE "KillSignal=SIGINT\n",
		SERVICE "TimeoutStopSec=3\n",
		SERVICE "Type=notify\n",
		SERVICE "WorkingDirectory=/tmp\n",
		SERVICE "User=1000\n",
		SERVICE "Essential=no\n",
		SERVICE "SuccessExitStatus=3\n",
		SERVICE "StandardOutput=inherit\n",
		SERVICE "ReadyCheck=exec:/bin/true\n",
		SERVICE "LimitNOFILE=1024\n",
		"[Unit]\nWants=db.service\n" SERVICE,
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
		if (same(f, SERVICE, changes[i]))
			fail_msg("not seen as a change: %s", changes[i]);
}

static void
test_environment_file_contents(void **state)
{
	struct fixture *f = *state;
	char unit[512];
	struct plan a, b;

	snprintf(unit, sizeof(unit), SERVICE "EnvironmentFile=%s\n",
		 f->envfile);
	write_text(f->path, unit);
	write_text(f->envfile, "LEVEL=1\n");
	load(f, &a);
	load(f, &b);
	assert_true(spec_same(web(&a), web(&b)));
	plan_free(&b);
	/* The same unit file; what it reads changed. */
	write_text(f->envfile, "LEVEL=2\n");
	load(f, &b);
	assert_false(spec_same(web(&a), web(&b)));
	plan_free(&a);
	plan_free(&b);
}

static void
test_job_schedule(void **state)
{
	struct fixture *f = *state;

	assert_true(same(f, SERVICE "Schedule=*/5 * * * *\n",
			 SERVICE "Schedule=*/5 * * * *\n"));
	assert_false(same(f, SERVICE "Schedule=*/5 * * * *\n",
			  SERVICE "Schedule=*/10 * * * *\n"));
	assert_false(same(f, SERVICE "Schedule=@daily\n",
			  SERVICE "Schedule=@daily\nTimezone=UTC\n"));
	assert_false(same(f, SERVICE "Schedule=@daily\n",
			  SERVICE "Schedule=@daily\nOverlap=allow\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unchanged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment_file_contents,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_schedule, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
