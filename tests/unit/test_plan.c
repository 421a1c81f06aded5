// SPDX-License-Identifier: MIT
/* Unit tests of the plan (src/plan.c): unit files, a Procfile and
 * one-liners loaded from a temporary directory, start levels, cycles,
 * commands and --check's printout.  Nothing is run. */
#include <dirent.h>
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

#include "plan.h"

/* The environment grace would pass on. */
static char *const base_env[] = { "PATH=/usr/bin:/bin", "FROM_GRACE=inherited",
				  "NOTIFY_SOCKET=@grace/notify/test", NULL };

/* A temporary directory of unit files, and what the test loaded from
 * it. */
struct fixture {
	char dir[64];
	struct plan plan;
	struct plan_sources sources;
	char error[1024];
	char *printed;	/* plan_print's output, freed by teardown */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/grace-test-plan-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	f->sources.dir = f->dir;
	*state = f;
	return 0;
}

/* Frees the plan and removes the directory with every file in it. */
static int
teardown(void **state)
{
	struct fixture *f = *state;
	struct dirent *entry;
	char path[4096];
	DIR *d;

	plan_free(&f->plan);
	free(f->printed);
	d = opendir(f->dir);
	if (d != NULL) {
		while ((entry = readdir(d)) != NULL) {
			if (strcmp(entry->d_name, ".") == 0 ||
			    strcmp(entry->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", f->dir,
				 entry->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Writes text to DIR/file. */
static void
write_file(struct fixture *f, const char *file, const char *text)
{
	char path[4096];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s", f->dir, file);
	out = fopen(path, "w");
	assert_non_null(out);
	assert_int_equal(fputs(text, out) >= 0, 1);
	assert_int_equal(fclose(out), 0);
}

/* Writes DIR/NAME.service: a [Unit] section of unit_keys (line 2 on),
 * then a [Service] that runs /bin/true. */
static void
write_unit(struct fixture *f, const char *name, const char *unit_keys)
{
	char file[128], text[1024];

	snprintf(file, sizeof(file), "%s.service", name);
	snprintf(text, sizeof(text),
		 "[Unit]\n%s[Service]\nExecStart=/bin/true\n", unit_keys);
	write_file(f, file, text);
}

static int
load(struct fixture *f)
{
	return plan_load(&f->plan, &f->sources, base_env, f->error,
			 sizeof(f->error));
}

static void
load_ok(struct fixture *f)
{
	if (load(f) != 0)
		fail_msg("unexpected error: %s", f->error);
}

/* Loads a plan that must fail with exactly "DIR/" + message. */
static void
expect_error_in_dir(struct fixture *f, const char *message)
{
	char want[2048];

	assert_int_equal(load(f), -1);
	snprintf(want, sizeof(want), "%s/%s", f->dir, message);
	assert_string_equal(f->error, want);
}

/* The service called name; fails the test if there is none. */
static const struct plan_service *
service(const struct fixture *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->plan.n; i++)
		if (strcmp(f->plan.services[i].unit.name, name) == 0)
			return &f->plan.services[i];
	fail_msg("no service %s", name);
	return NULL;
}

static unsigned
level(const struct fixture *f, const char *name)
{
	return service(f, name)->level;
}

/* Whether the index list holds the service called name. */
static bool
lists(const struct fixture *f, const size_t *set, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(f->plan.services[set[i]].unit.name, name) == 0)
			return true;
	return false;
}

static void
expect_argv(char **argv, const char *const *want)
{
	size_t i;

	assert_non_null(argv);
	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(argv[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
}

static void
test_independent(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = { "/bin/true", NULL };

	write_unit(f, "c", "");
	write_unit(f, "a", "");
	write_unit(f, "b", "Description=bee\n");
	/* Not unit files: ignored. */
	write_file(f, "README", "not a unit\n");
	write_file(f, ".hidden.service", "[Service]\nExecStart=/bin/true\n");
	load_ok(f);
	assert_int_equal(f->plan.n, 3);
	assert_int_equal(f->plan.levels, 1);
	/* In name order. */
	assert_string_equal(f->plan.services[0].unit.name, "a");
	assert_string_equal(f->plan.services[1].unit.name, "b");
	assert_string_equal(f->plan.services[2].unit.name, "c");
	assert_int_equal(level(f, "a"), 0);
	assert_int_equal(level(f, "b"), 0);
	assert_int_equal(level(f, "c"), 0);
	assert_int_equal(service(f, "b")->n_after, 0);
	expect_argv(service(f, "b")->argv, want);
	assert_null(f->plan.main_argv);
}

/* a <- b <- c */
static void
test_chain(void **state)
{
	struct fixture *f = *state;

	write_unit(f, "a", "");
	write_unit(f, "b", "After=a\n");
	write_unit(f, "c", "After=b.service\n");
	load_ok(f);
	assert_int_equal(level(f, "a"), 0);
	assert_int_equal(level(f, "b"), 1);
	assert_int_equal(level(f, "c"), 2);
	assert_int_equal(f->plan.levels, 3);
	assert_int_equal(service(f, "c")->n_after, 1);
	assert_true(lists(f, service(f, "c")->after, 1, "b"));
	assert_int_equal(service(f, "c")->n_requires, 0);
}

/* a <- b, a <- c, b and c <- d; and e after a and d, a longer way. */
static void
test_diamond(void **state)
{
	struct fixture *f = *state;
	const struct plan_service *d;

	write_unit(f, "d", "After=b c\n");
	write_unit(f, "b", "After=a\n");
	write_unit(f, "c", "After=a\n");
	write_unit(f, "a", "");
	write_unit(f, "e", "After=a\nAfter=d\n");
	load_ok(f);
	assert_int_equal(level(f, "a"), 0);
	assert_int_equal(level(f, "b"), 1);
	assert_int_equal(level(f, "c"), 1);
	assert_int_equal(level(f, "d"), 2);
	assert_int_equal(level(f, "e"), 3);
	assert_int_equal(f->plan.levels, 4);
	d = service(f, "d");
	assert_int_equal(d->n_after, 2);
	assert_true(lists(f, d->after, d->n_after, "b"));
	assert_true(lists(f, d->after, d->n_after, "c"));
}

/* Requires= orders too, and fills requires[]; Wants= only orders. */
static void
test_requires_and_wants(void **state)
{
	struct fixture *f = *state;
	const struct plan_service *b, *c;

	write_unit(f, "a", "");
	write_unit(f, "b", "Requires=a\n");
	write_unit(f, "c", "Wants=b\nAfter=a\n");
	load_ok(f);
	b = service(f, "b");
	assert_int_equal(b->level, 1);
	assert_int_equal(b->n_after, 1);
	assert_true(lists(f, b->after, b->n_after, "a"));
	assert_int_equal(b->n_requires, 1);
	assert_true(lists(f, b->requires, b->n_requires, "a"));
	c = service(f, "c");
	assert_int_equal(c->level, 2);
	assert_int_equal(c->n_after, 2);
	assert_true(lists(f, c->after, c->n_after, "b"));
	assert_int_equal(c->n_requires, 0);
	assert_int_equal(service(f, "a")->n_requires, 0);
}

/* After= and Requires= naming the same service: one entry each. */
static void
test_dependency_once(void **state)
{
	struct fixture *f = *state;
	const struct plan_service *b;

	write_unit(f, "a", "");
	write_unit(f, "b", "After=a a.service\nRequires=a\n");
	load_ok(f);
	b = service(f, "b");
	assert_int_equal(b->n_after, 1);
	assert_int_equal(b->n_requires, 1);
}

/* Wants= a service that is not there: a weak dependency, ignored. */
static void
test_wants_missing(void **state)
{
	struct fixture *f = *state;

	write_unit(f, "a", "Wants=ghost\n");
	load_ok(f);
	assert_int_equal(level(f, "a"), 0);
	assert_int_equal(service(f, "a")->n_after, 0);
	assert_int_equal(f->plan.levels, 1);
}

static void
test_after_missing(void **state)
{
	struct fixture *f = *state;

	write_unit(f, "a", "");
	write_unit(f, "b", "Description=x\nAfter=a ghost\n");
	expect_error_in_dir(f, "b.service:3: After=ghost: no such service");
}

static void
test_requires_missing(void **state)
{
	struct fixture *f = *state;

	write_unit(f, "a", "Requires=ghost.service\n");
	expect_error_in_dir(f, "a.service:2: Requires=ghost: no such service");
}

/* One link of a dependency cycle: from names to on line. */
struct link {
	const char *from, *to;
	int line;
};

/*
 * Checks a cycle error: "DIR/X.service:LINE: dependency cycle: X -> Y ->
 * ... -> X", where every step is one of links (and each link is used once:
 * every service of the cycle is named) and LINE is where X names Y.  Which
 * service the message starts from is the walk's business.
 */
static void
expect_cycle(struct fixture *f, const struct link *links, size_t n)
{
	static const char marker[] = ": dependency cycle: ";
	char *chain, *at, prefix[256], names[16][UNIT_NAME_MAX + 1];
	size_t count = 0, i, j, len;
	bool used[16] = { false };
	int line = -1;

	assert_int_equal(load(f), -1);
	at = strstr(f->error, marker);
	if (at == NULL)
		fail_msg("not a cycle: %s", f->error);
	/* The chain of names. */
	chain = at + strlen(marker);
	while (count < 16) {
		len = strcspn(chain, " ");
		assert_true(len > 0 && len <= UNIT_NAME_MAX);
		memcpy(names[count], chain, len);
		names[count++][len] = '\0';
		chain += len;
		if (*chain == '\0')
			break;
		assert_memory_equal(chain, " -> ", 4);
		chain += 4;
	}
	assert_int_equal(count, n + 1);
	assert_string_equal(names[0], names[n]);
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++)
			if (!used[j] && strcmp(links[j].from, names[i]) == 0 &&
			    strcmp(links[j].to, names[i + 1]) == 0)
				break;
		if (j == n)
			fail_msg("%s -> %s is no link: %s", names[i],
				 names[i + 1], f->error);
		used[j] = true;
		if (i == 0)
			line = links[j].line;
	}
	snprintf(prefix, sizeof(prefix), "%s/%s.service:%d", f->dir, names[0],
		 line);
	assert_int_equal(strlen(prefix), (size_t)(at - f->error));
	assert_memory_equal(f->error, prefix, strlen(prefix));
}

static void
test_cycle_two(void **state)
{
	static const struct link links[] = { { "a", "b", 3 }, { "b", "a", 2 } };
	struct fixture *f = *state;

	write_unit(f, "a", "Description=x\nAfter=b\n");
	write_unit(f, "b", "After=a\n");
	expect_cycle(f, links, 2);
}

/* Requires= and Wants= close cycles too. */
static void
test_cycle_two_requires_wants(void **state)
{
	static const struct link links[] = { { "a", "b", 4 }, { "b", "a", 2 } };
	struct fixture *f = *state;

	write_unit(f, "a", "Description=x\nAfter=\nWants=b\n");
	write_unit(f, "b", "Requires=a\n");
	expect_cycle(f, links, 2);
}

static void
test_cycle_three(void **state)
{
	static const struct link links[] = {
		{ "a", "b", 3 }, { "b", "c", 2 }, { "c", "a", 4 },
	};
	struct fixture *f = *state;

	write_unit(f, "a", "Description=x\nRequires=b\n");
	write_unit(f, "b", "After=c\n");
	write_unit(f, "c", "Description=x\nDescription=y\nWants=a\n");
	expect_cycle(f, links, 3);
}

/* A cycle among links that are none of its own: to a service outside it,
 * a Wants= emptied again, a Wants= of a service that is not there. */
static void
test_cycle_among_other_links(void **state)
{
	static const struct link links[] = {
		{ "x", "y", 3 }, { "y", "z", 4 }, { "z", "x", 5 },
	};
	struct fixture *f = *state;

	write_unit(f, "x", "After=w\nRequires=y\n");
	write_unit(f, "y", "Wants=w\nWants=\nAfter=w z\n");
	write_unit(f, "z", "After=w\nWants=ghost\nDescription=z\nAfter=x\n");
	write_unit(f, "w", "");
	expect_cycle(f, links, 3);
}

/* A cycle reached from a service outside it names only the cycle. */
static void
test_cycle_entered_from_outside(void **state)
{
	static const struct link links[] = { { "b", "c", 2 }, { "c", "b", 3 } };
	struct fixture *f = *state;

	write_unit(f, "a", "After=b\n");
	write_unit(f, "b", "After=c\n");
	write_unit(f, "c", "Description=x\nAfter=b\n");
	expect_cycle(f, links, 2);
	assert_null(strstr(f->error, "a ->"));
	assert_null(strstr(f->error, "a.service"));
}

static void
test_cycle_self(void **state)
{
	static const struct link links[] = { { "a", "a", 4 } };
	struct fixture *f = *state;

	write_unit(f, "a", "Description=x\nAfter=\nAfter=a\n");
	expect_cycle(f, links, 1);
	plan_free(&f->plan);
	expect_error_in_dir(f, "a.service:4: dependency cycle: a -> a");
}

/* A unit file's own error reaches the caller as it is. */
static void
test_unit_error(void **state)
{
	struct fixture *f = *state;

	write_unit(f, "a", "");
	write_file(f, "b.service", "[Service]\nExecStart=/bin/true\nBogus=1\n");
	assert_int_equal(load(f), -1);
	assert_non_null(strstr(f->error, "b.service:3"));
	assert_non_null(strstr(f->error, "Bogus"));
}

static void
test_no_directory(void **state)
{
	struct fixture *f = *state;
	char missing[128], want[256];

	snprintf(missing, sizeof(missing), "%s/none", f->dir);
	f->sources.dir = missing;
	assert_int_equal(load(f), -1);
	snprintf(want, sizeof(want), "unable to read %s: No such file or "
		 "directory", missing);
	assert_string_equal(f->error, want);
}

/* --service NAME=COMMAND: split into argv as ExecStart= is. */
static void
test_oneliners(void **state)
{
	static const char *const want_api[] = { "/bin/echo", "hello",
						"big world", NULL };
	static const char *const want_w[] = { "/bin/true", NULL };
	char *const oneliners[] = { "api=/bin/echo hello 'big world'",
				    "w=/bin/true" };
	struct fixture *f = *state;
	const struct plan_service *api;

	f->sources.dir = NULL;
	f->sources.oneliners = oneliners;
	f->sources.n_oneliners = 2;
	load_ok(f);
	assert_int_equal(f->plan.n, 2);
	api = service(f, "api");
	expect_argv(api->argv, want_api);
	assert_string_equal(api->unit.source, "--service");
	assert_int_equal(api->unit.type, UNIT_SIMPLE);
	assert_true(api->unit.essential);
	assert_int_equal(api->unit.restart, UNIT_RESTART_NO);
	assert_int_equal(api->level, 0);
	expect_argv(service(f, "w")->argv, want_w);
	assert_int_equal(f->plan.levels, 1);
}

static void
test_oneliner_bad(void **state)
{
	char *const oneliners[] = { "no equals sign" };
	struct fixture *f = *state;

	f->sources.dir = NULL;
	f->sources.oneliners = oneliners;
	f->sources.n_oneliners = 1;
	assert_int_equal(load(f), -1);
	assert_string_equal(f->error, "invalid --service 'no equals sign': "
				      "want NAME=COMMAND");
}

/* A one-liner may not take the name of a unit file's service, nor of
 * another one-liner's. */
static void
test_duplicate_names(void **state)
{
	char *const oneliners[] = { "web=/bin/true" };
	char *const twice[] = { "w=/bin/true", "w=/bin/false" };
	struct fixture *f = *state;
	char want[256];

	write_unit(f, "web", "");
	f->sources.oneliners = oneliners;
	f->sources.n_oneliners = 1;
	assert_int_equal(load(f), -1);
	snprintf(want, sizeof(want),
		 "--service: a service named web is already defined in "
		 "%s/web.service", f->dir);
	assert_string_equal(f->error, want);
	plan_free(&f->plan);

	f->sources.dir = NULL;
	f->sources.oneliners = twice;
	f->sources.n_oneliners = 2;
	assert_int_equal(load(f), -1);
	assert_string_equal(f->error, "--service: a service named w is "
				      "already defined in --service");
}

/* Procfile entries run through /bin/sh -c, as foreman runs them. */
static void
test_procfile(void **state)
{
	static const char *const want_web[] = {
		"/bin/sh", "-c", "echo $PORT && exec app", NULL
	};
	static const char *const want_worker[] = {
		"/bin/sh", "-c", "/bin/true --x 'a b'", NULL
	};
	struct fixture *f = *state;
	char path[128];
	const struct plan_service *web;

	snprintf(path, sizeof(path), "%s/Procfile", f->dir);
	write_file(f, "Procfile", "# services\nweb: echo $PORT && exec app\n"
				  "\nworker:   /bin/true --x 'a b'\n");
	f->sources.dir = NULL;
	f->sources.procfile = path;
	load_ok(f);
	assert_int_equal(f->plan.n, 2);
	web = service(f, "web");
	/* Unsplit and unexpanded: the shell does that. */
	expect_argv(web->argv, want_web);
	assert_string_equal(web->unit.source, path);
	assert_int_equal(web->unit.line, 2);
	expect_argv(service(f, "worker")->argv, want_worker);
	assert_int_equal(service(f, "worker")->unit.line, 4);
	assert_int_equal(f->plan.levels, 1);
}

/* A Procfile entry may not take a unit file's name either. */
static void
test_procfile_duplicate(void **state)
{
	struct fixture *f = *state;
	char path[128], want[512];

	snprintf(path, sizeof(path), "%s/Procfile", f->dir);
	write_file(f, "Procfile", "web: /bin/true\n");
	write_unit(f, "web", "");
	f->sources.procfile = path;
	assert_int_equal(load(f), -1);
	snprintf(want, sizeof(want),
		 "%s:1: a service named web is already defined in "
		 "%s/web.service", path, f->dir);
	assert_string_equal(f->error, want);
}

/* Unit files, a Procfile and one-liners together, depending across. */
static void
test_all_sources(void **state)
{
	char *const oneliners[] = { "api=/bin/true" };
	struct fixture *f = *state;
	char path[128];

	snprintf(path, sizeof(path), "%s/Procfile", f->dir);
	write_file(f, "Procfile", "worker: /bin/true\n");
	write_unit(f, "db", "After=api worker\n");
	f->sources.procfile = path;
	f->sources.oneliners = oneliners;
	f->sources.n_oneliners = 1;
	load_ok(f);
	assert_int_equal(f->plan.n, 3);
	assert_int_equal(level(f, "db"), 1);
	assert_int_equal(level(f, "api"), 0);
	assert_int_equal(level(f, "worker"), 0);
}

/* The main command is the caller's, kept as it is. */
static void
test_main_argv(void **state)
{
	char *main_argv[] = { "/bin/app", "--flag", NULL };
	struct fixture *f = *state;

	f->sources.dir = NULL;
	f->sources.main_argv = main_argv;
	load_ok(f);
	assert_ptr_equal(f->plan.main_argv, main_argv);
	assert_int_equal(f->plan.n, 0);
	assert_int_equal(f->plan.levels, 0);
	plan_free(&f->plan);
	/* Freeing the plan leaves the caller's argv alone. */
	assert_string_equal(main_argv[0], "/bin/app");
}

/* Environment= and grace's environment expand into the command; only a
 * Type=notify service keeps NOTIFY_SOCKET. */
static void
test_environment_expansion(void **state)
{
	static const char *const want[] = { "/bin/echo", "8080", "hello world",
					    "hello", "world", "inherited",
					    "x8080y", NULL };
	struct fixture *f = *state;
	const struct plan_service *svc;

	write_file(f, "a.service",
		   "[Service]\n"
		   "Environment=PORT=8080 \"GREETING=hello world\"\n"
		   "ExecStart=/bin/echo $PORT ${GREETING} $GREETING "
		   "$FROM_GRACE x${PORT}y\n");
	write_file(f, "n.service", "[Service]\nType=notify\n"
				   "ExecStart=/bin/true\n");
	load_ok(f);
	svc = service(f, "a");
	expect_argv(svc->argv, want);
	assert_string_equal(env_get(&svc->env, "PORT", 4), "8080");
	assert_string_equal(env_get(&svc->env, "PATH", 4), "/usr/bin:/bin");
	assert_null(env_get(&svc->env, "NOTIFY_SOCKET", 13));
	assert_string_equal(env_get(&service(f, "n")->env, "NOTIFY_SOCKET",
				    13),
			    "@grace/notify/test");
}

/* Environment= overrides what grace passes on. */
static void
test_environment_override(void **state)
{
	static const char *const want[] = { "/bin/echo", "mine", NULL };
	struct fixture *f = *state;

	write_file(f, "a.service", "[Service]\nEnvironment=FROM_GRACE=mine\n"
				   "ExecStart=/bin/echo $FROM_GRACE\n");
	load_ok(f);
	expect_argv(service(f, "a")->argv, want);
}

/* A oneshot has no start timeout unless it sets one, as in systemd. */
static void
test_oneshot_timeout(void **state)
{
	struct fixture *f = *state;

	write_file(f, "a.service", "[Service]\nType=oneshot\n"
				   "ExecStart=/bin/true\n");
	write_file(f, "b.service", "[Service]\nType=oneshot\n"
				   "TimeoutStartSec=5s\nExecStart=/bin/true\n");
	write_file(f, "c.service", "[Service]\nExecStart=/bin/true\n");
	load_ok(f);
	assert_int_equal(service(f, "a")->unit.timeout_start_ms, UNIT_INFINITY);
	assert_int_equal(service(f, "b")->unit.timeout_start_ms, 5000);
	assert_int_equal(service(f, "c")->unit.timeout_start_ms, 90000);
}

/* A oneshot that sets TimeoutStartSec=, even to the default, has it. */
static void
test_oneshot_explicit_default_timeout(void **state)
{
	struct fixture *f = *state;

	write_file(f, "a.service",
		   "[Service]\nType=oneshot\nTimeoutStartSec=90s\n"
		   "ExecStart=/bin/true\n");
	load_ok(f);
	assert_int_equal(service(f, "a")->unit.timeout_start_ms, 90000);
}

/* Prints the fixture's plan to a string, which teardown frees. */
static const char *
print(struct fixture *f)
{
	size_t len = 0;
	FILE *out;

	free(f->printed);
	f->printed = NULL;
	out = open_memstream(&f->printed, &len);
	assert_non_null(out);
	plan_print(&f->plan, 0, out);
	assert_int_equal(fclose(out), 0);
	assert_non_null(f->printed);
	return f->printed;
}

static void
expect_in(const char *text, const char *part)
{
	if (strstr(text, part) == NULL)
		fail_msg("'%s' not in:\n%s", part, text);
}

static void
test_print(void **state)
{
	char *main_argv[] = { "/bin/app", "--port", "80", NULL };
	struct fixture *f = *state;
	const char *text;

	write_unit(f, "db", "");
	write_file(f, "cache.service",
		   "[Service]\nExecStart=/bin/true\nStandardOutput=inherit\n");
	write_file(f, "web.service",
		   "[Unit]\nAfter=db cache\n[Service]\nExecStart=/bin/true\n"
		   "Restart=on-failure\nRestartSec=1.5s\n");
	f->sources.main_argv = main_argv;
	load_ok(f);
	text = print(f);
	/* Each level's names sorted. */
	expect_in(text, "level 0: cache db\n");
	expect_in(text, "level 1: web\n");
	assert_null(strstr(text, "level 2"));
	expect_in(text, "main: /bin/app --port 80 (once every service is "
			"ready)\n");
	expect_in(text, "service db: simple, user (grace's); ready: when "
			"started (within 90s); restart: no; essential; stop: "
			"SIGTERM to the group, SIGKILL after 10s; output: "
			"labelled lines\n");
	expect_in(text, "service cache: simple");
	expect_in(text, "; output: grace's stdout and stderr\n");
	expect_in(text, "service web: simple");
	expect_in(text, "restart: on-failure after 1.5s, at most 5 starts in "
			"10s;");
	/* Levels first, then main, then the services. */
	assert_true(strstr(text, "level 0:") < strstr(text, "main:"));
	assert_true(strstr(text, "main:") < strstr(text, "service "));
}

/* With no service the main command is all there is. */
static void
test_print_main_only(void **state)
{
	char *main_argv[] = { "/bin/app", NULL };
	struct fixture *f = *state;
	const char *text;

	f->sources.dir = NULL;
	f->sources.main_argv = main_argv;
	load_ok(f);
	text = print(f);
	assert_string_equal(text, "main: /bin/app\n");
}

/* A command without a '/' is found in the service's own PATH (set by
 * Environment=), not grace's; one found nowhere is left as written. */
static void
test_command_in_service_path(void **state)
{
	struct fixture *f = *state;
	char unit[512], tool[128];

	snprintf(tool, sizeof(tool), "%s/mytool", f->dir);
	write_file(f, "mytool", "#!/bin/sh\n");
	assert_int_equal(chmod(tool, 0755), 0);
	snprintf(unit, sizeof(unit),
		 "[Service]\nEnvironment=PATH=/nonexistent:%s\n"
		 "ExecStart=mytool --flag\n",
		 f->dir);
	write_file(f, "a.service", unit);
	write_file(f, "b.service",
		   "[Service]\nExecStart=no-such-command-anywhere\n");
	load_ok(f);
	assert_string_equal(service(f, "a")->argv[0], tool);
	assert_string_equal(service(f, "a")->argv[1], "--flag");
	assert_string_equal(service(f, "b")->argv[0],
			    "no-such-command-anywhere");
}

/* The job called name; fails the test if there is none. */
static const struct plan_service *
job(const struct fixture *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->plan.n_jobs; i++)
		if (strcmp(f->plan.jobs[i].unit.name, name) == 0)
			return &f->plan.jobs[i];
	fail_msg("no job %s", name);
	return NULL;
}

/* Jobs from a unit file, a crontab and --cron are apart from the
 * services: no level, each zone loaded once, the crontab's environment
 * in each job's, a shell for a crontab line, the --cron line split. */
static void
test_jobs_apart(void **state)
{
	char *crons[] = { "@every 90s /bin/echo 'a b'", NULL };
	char crontab[128];
	struct fixture *f = *state;

	write_unit(f, "db", "");
	write_file(f, "nightly.service",
		   "[Service]\nExecStart=/bin/true\nSchedule=@daily\n"
		   "Timezone=Europe/Berlin\n");
	snprintf(crontab, sizeof(crontab), "%s/crontab", f->dir);
	write_file(f, "crontab",
		   "CRON_TZ=Europe/Berlin\nGREETING=hi\n0 2 * * * echo $GREETING\n");
	f->sources.crontab = crontab;
	f->sources.crons = crons;
	f->sources.n_crons = 1;
	load_ok(f);
	assert_int_equal(f->plan.n, 1);
	assert_string_equal(f->plan.services[0].unit.name, "db");
	assert_int_equal(f->plan.levels, 1);
	assert_int_equal(f->plan.n_jobs, 3);
	assert_ptr_equal(job(f, "nightly")->zone, job(f, "cron.3")->zone);
	assert_int_equal(f->plan.n_zones, 2);	/* Berlin, grace's own */
	assert_string_equal(job(f, "cron.3")->argv[0], "/bin/sh");
	assert_string_equal(job(f, "cron.3")->argv[2], "echo $GREETING");
	assert_string_equal(env_get(&job(f, "cron.3")->env, "GREETING", 8),
			    "hi");
	assert_string_equal(job(f, "cron.arg1")->argv[1], "a b");
	assert_false(job(f, "nightly")->unit.essential);
}

/* A job's zone that is not installed: the error names the line that set
 * it. */
static void
test_job_zone_missing(void **state)
{
	struct fixture *f = *state;

	write_file(f, "j.service",
		   "[Service]\nExecStart=/bin/true\nSchedule=@daily\n"
		   "Timezone=Mars/Olympus\n");
	expect_error_in_dir(f, "j.service:4: unknown time zone Mars/Olympus: "
			       "no /usr/share/zoneinfo/Mars/Olympus");
}

/* A service cannot start after a job. */
static void
test_after_job(void **state)
{
	struct fixture *f = *state;

	write_file(f, "j.service",
		   "[Service]\nExecStart=/bin/true\nSchedule=@hourly\n");
	write_unit(f, "a", "After=j\n");
	assert_int_equal(load(f), -1);
	expect_in(f->error, "j");
}

/* --check's job lines: the schedule, its zone, and the next five runs
 * after the injected now, in the zone and in UTC. */
static void
test_print_jobs(void **state)
{
	struct fixture *f = *state;
	const char *text;
	size_t len = 0;
	FILE *out;

	write_file(f, "nightly.service",
		   "[Service]\nExecStart=/bin/true\nSchedule=30 2 * * *\n"
		   "Timezone=Europe/Berlin\nOverlap=replace\nTimeoutSec=1h\n");
	load_ok(f);
	free(f->printed);
	f->printed = NULL;
	out = open_memstream(&f->printed, &len);
	assert_non_null(out);
	/* 2027-03-27 12:00:00 UTC: the next night skips 02:30 */
	plan_print(&f->plan, 1806148800000LL, out);
	assert_int_equal(fclose(out), 0);
	text = f->printed;
	expect_in(text, "job nightly: '30 2 * * *' in Europe/Berlin, user "
			"(grace's); overlap: replace; timeout: 3600s; not "
			"essential; stop: SIGTERM, SIGKILL after 3600s\n");
	expect_in(text, "  2027-03-28 03:00:00 +02:00  (2027-03-28 01:00:00 "
			"UTC)\n");
	expect_in(text, "  2027-03-29 02:30:00 +02:00  (2027-03-29 00:30:00 "
			"UTC)\n");
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_independent),
		TEST(test_command_in_service_path),
		TEST(test_chain),
		TEST(test_diamond),
		TEST(test_requires_and_wants),
		TEST(test_dependency_once),
		TEST(test_wants_missing),
		TEST(test_after_missing),
		TEST(test_requires_missing),
		TEST(test_cycle_two),
		TEST(test_cycle_two_requires_wants),
		TEST(test_cycle_three),
		TEST(test_cycle_among_other_links),
		TEST(test_cycle_entered_from_outside),
		TEST(test_cycle_self),
		TEST(test_unit_error),
		TEST(test_no_directory),
		TEST(test_oneliners),
		TEST(test_oneliner_bad),
		TEST(test_duplicate_names),
		TEST(test_procfile),
		TEST(test_procfile_duplicate),
		TEST(test_all_sources),
		TEST(test_main_argv),
		TEST(test_environment_expansion),
		TEST(test_environment_override),
		TEST(test_oneshot_timeout),
		TEST(test_oneshot_explicit_default_timeout),
		TEST(test_print),
		TEST(test_print_main_only),
		TEST(test_jobs_apart),
		TEST(test_job_zone_missing),
		TEST(test_after_job),
		TEST(test_print_jobs),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
