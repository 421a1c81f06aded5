// SPDX-License-Identifier: MIT
/* Unit tests of readiness (src/ready.c): sd_notify messages, tcp check
 * targets, and the notify socket read from this same process. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "ready.h"

/* The largest datagram these tests parse. */
#define MAX_TEXT 256

/* Parses a copy of text, without its NUL.  The copy lives in buf, which
 * status points into. */
static struct ready_message
parse(const char *text, char buf[MAX_TEXT])
{
	struct ready_message msg;
	size_t len = strlen(text);

	assert_true(len < MAX_TEXT);
	memcpy(buf, text, len);
	ready_parse_message(buf, len, &msg);
	return msg;
}

/* Whether msg's STATUS= is want. */
static void
expect_status(struct ready_message msg, const char *want)
{
	assert_non_null(msg.status);
	assert_int_equal(msg.status_len, strlen(want));
	assert_memory_equal(msg.status, want, msg.status_len);
}

static void
test_ready(void **state)
{
	char buf[MAX_TEXT];
	struct ready_message msg;

	(void)state;
	msg = parse("READY=1\n", buf);
	assert_true(msg.ready);
	assert_false(msg.stopping);
	assert_int_equal(msg.mainpid, 0);
	assert_null(msg.status);
	/* No trailing newline. */
	assert_true(parse("READY=1", buf).ready);
	/* Only READY=1 says ready. */
	assert_false(parse("READY=0\n", buf).ready);
	assert_false(parse("READY=10\n", buf).ready);
	assert_false(parse("READY=\n", buf).ready);
	assert_false(parse(" READY=1\n", buf).ready);
	assert_false(parse("READY=1 \n", buf).ready);
	assert_false(parse("ready=1\n", buf).ready);
}

static void
test_stopping(void **state)
{
	char buf[MAX_TEXT];
	struct ready_message msg;

	(void)state;
	msg = parse("STOPPING=1\n", buf);
	assert_true(msg.stopping);
	assert_false(msg.ready);
	assert_false(parse("STOPPING=0", buf).stopping);
}

static void
test_status(void **state)
{
	char buf[MAX_TEXT];
	struct ready_message msg;

	(void)state;
	msg = parse("STATUS=Loading data, 42% done\n", buf);
	expect_status(msg, "Loading data, 42% done");
	/* It points into the datagram, cut at its line's end. */
	assert_ptr_equal(msg.status, buf + 7);
	assert_false(msg.ready);
	expect_status(parse("STATUS=a=b", buf), "a=b");
	expect_status(parse("STATUS=\n", buf), "");
}

static void
test_mainpid(void **state)
{
	char buf[MAX_TEXT];

	(void)state;
	assert_int_equal(parse("MAINPID=123\n", buf).mainpid, 123);
	assert_int_equal(parse("MAINPID=1", buf).mainpid, 1);
	assert_int_equal(parse("MAINPID=4194304\n", buf).mainpid, 4194304);
}

/* Anything but a whole positive number is no pid: 0. */
static void
test_mainpid_garbage(void **state)
{
	static const char *const bad[] = {
		"MAINPID=\n", "MAINPID=0\n", "MAINPID=abc\n", "MAINPID=-5\n",
		"MAINPID=+5\n", "MAINPID= 5\n", "MAINPID=5 \n", "MAINPID=12x\n",
		"MAINPID=0x10\n", "MAINPID=1.5\n",
		"MAINPID=99999999999999999999\n", "MAINPID=2147483648\n",
	};
	char buf[MAX_TEXT];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], buf).mainpid, 0);
}

static void
test_several_lines(void **state)
{
	char buf[MAX_TEXT];
	struct ready_message msg;

	(void)state;
	msg = parse("STATUS=serving\nMAINPID=42\nREADY=1\nSTOPPING=1\n", buf);
	assert_true(msg.ready);
	assert_true(msg.stopping);
	assert_int_equal(msg.mainpid, 42);
	expect_status(msg, "serving");
	/* Blank lines are nothing. */
	msg = parse("\n\nREADY=1\n\nSTATUS=x", buf);
	assert_true(msg.ready);
	expect_status(msg, "x");
}

/* Assignments grace does not know are ignored, as systemd ignores them. */
static void
test_unknown_ignored(void **state)
{
	char buf[MAX_TEXT];
	struct ready_message msg;

	(void)state;
	msg = parse("WATCHDOG=1\nERRNO=2\nX_CUSTOM=yes\nREADY=1\nFDSTORE=1\n",
		    buf);
	assert_true(msg.ready);
	assert_false(msg.stopping);
	assert_int_equal(msg.mainpid, 0);
	assert_null(msg.status);
	msg = parse("RELOADING=1\nnonsense without equals\n", buf);
	assert_false(msg.ready);
	assert_false(msg.stopping);
	assert_null(msg.status);
}

static void
test_empty(void **state)
{
	char buf[1] = { '\0' };
	struct ready_message msg = { true, true, 7, "x", 1 };

	(void)state;
	/* Whatever msg held before is reset. */
	ready_parse_message(buf, 0, &msg);
	assert_false(msg.ready);
	assert_false(msg.stopping);
	assert_int_equal(msg.mainpid, 0);
	assert_null(msg.status);
}

/* Only len bytes count, whatever follows them. */
static void
test_length_respected(void **state)
{
	char buf[] = "READY=1\nSTOPPING=1\n";
	struct ready_message msg;

	(void)state;
	ready_parse_message(buf, 8, &msg);
	assert_true(msg.ready);
	assert_false(msg.stopping);
}

/* A datagram whose last line has no newline is read within its bytes. */
static void
test_exact_length_buffer(void **state)
{
	static const char text[] = "STATUS=no newline";
	char *exact;
	struct ready_message msg;

	(void)state;
	exact = malloc(sizeof(text) - 1);
	assert_non_null(exact);
	memcpy(exact, text, sizeof(text) - 1);
	ready_parse_message(exact, sizeof(text) - 1, &msg);
	expect_status(msg, "no newline");
	free(exact);
}

/* Parses target that must be good, of family, address and port. */
static void
expect_tcp(const char *target, int family, const char *address, int port)
{
	struct sockaddr_storage addr;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&addr;
	char shown[INET6_ADDRSTRLEN];
	socklen_t len = 0;

	if (ready_parse_tcp(target, &addr, &len) != 0)
		fail_msg("refused: %s", target);
	assert_int_equal(addr.ss_family, family);
	if (family == AF_INET) {
		assert_int_equal(len, sizeof(*in4));
		assert_int_equal(ntohs(in4->sin_port), port);
		assert_non_null(inet_ntop(AF_INET, &in4->sin_addr, shown,
					  sizeof(shown)));
	} else {
		assert_int_equal(len, sizeof(*in6));
		assert_int_equal(ntohs(in6->sin6_port), port);
		assert_non_null(inet_ntop(AF_INET6, &in6->sin6_addr, shown,
					  sizeof(shown)));
	}
	assert_string_equal(shown, address);
}

static void
expect_bad_tcp(const char *target)
{
	struct sockaddr_storage addr;
	socklen_t len = 0;

	if (ready_parse_tcp(target, &addr, &len) != -1)
		fail_msg("accepted: %s", target);
}

static void
test_tcp_good(void **state)
{
	(void)state;
	expect_tcp("127.0.0.1:80", AF_INET, "127.0.0.1", 80);
	expect_tcp("10.1.2.3:65535", AF_INET, "10.1.2.3", 65535);
	expect_tcp("0.0.0.0:1", AF_INET, "0.0.0.0", 1);
	expect_tcp("[::1]:8080", AF_INET6, "::1", 8080);
	expect_tcp("[fe80::1:2]:443", AF_INET6, "fe80::1:2", 443);
	expect_tcp("[::ffff:127.0.0.1]:80", AF_INET6, "::ffff:127.0.0.1", 80);
	/* localhost needs no look-up. */
	expect_tcp("localhost:80", AF_INET, "127.0.0.1", 80);
	expect_tcp("localhost:5432", AF_INET, "127.0.0.1", 5432);
}

static void
test_tcp_bad_port(void **state)
{
	(void)state;
	expect_bad_tcp("127.0.0.1:0");
	expect_bad_tcp("127.0.0.1:65536");
	expect_bad_tcp("127.0.0.1:99999");
	expect_bad_tcp("127.0.0.1:123456");
	expect_bad_tcp("127.0.0.1:abc");
	expect_bad_tcp("127.0.0.1:80x");
	expect_bad_tcp("127.0.0.1:-1");
	expect_bad_tcp("127.0.0.1:+80");
	expect_bad_tcp("127.0.0.1: 80");
	expect_bad_tcp("127.0.0.1:");
	expect_bad_tcp("[::1]:0");
	expect_bad_tcp("[::1]:");
	expect_bad_tcp("localhost:65536");
}

static void
test_tcp_bad_host(void **state)
{
	(void)state;
	/* No port. */
	expect_bad_tcp("127.0.0.1");
	expect_bad_tcp("[::1]");
	expect_bad_tcp("localhost");
	expect_bad_tcp("");
	expect_bad_tcp(":80");
	/* A name would need DNS, which would block the loop. */
	expect_bad_tcp("example.com:80");
	expect_bad_tcp("db:5432");
	expect_bad_tcp("localhost.localdomain:80");
	/* IPv6 needs its brackets. */
	expect_bad_tcp("::1:8080");
	expect_bad_tcp("fe80::1:443");
	expect_bad_tcp("[::1]8080");
	expect_bad_tcp("[]:80");
	expect_bad_tcp("[127.0.0.1]:80");
	expect_bad_tcp("[localhost]:80");
	expect_bad_tcp("127.0.0:80");
	expect_bad_tcp("256.0.0.1:80");
	expect_bad_tcp("127.0.0.1.5:80");
	expect_bad_tcp("12345678901234567890123456789012345678901234567890"
		       "1234567890123456789:80");
}

/* The abstract address a NOTIFY_SOCKET value "@name" stands for. */
static socklen_t
notify_address(const char *name, struct sockaddr_un *addr)
{
	size_t len = strlen(name);

	assert_int_equal(name[0], '@');
	assert_true(len < sizeof(addr->sun_path));
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path + 1, name + 1, len - 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
}

/* Sends text as one datagram to the notify socket called name. */
static void
notify(int client, const char *name, const char *text)
{
	struct sockaddr_un addr;
	socklen_t len = notify_address(name, &addr);

	assert_int_equal(sendto(client, text, strlen(text), 0,
				(struct sockaddr *)&addr, len),
			 (ssize_t)strlen(text));
}

static void
test_notify_socket(void **state)
{
	char name[108], buf[128];
	pid_t sender = -1;
	ssize_t n;
	int fd, client;

	(void)state;
	fd = ready_notify_open(name, sizeof(name));
	assert_true(fd >= 0);
	assert_memory_equal(name, "@grace/notify/", 14);
	assert_int_equal(strlen(name), 14 + 16);
	client = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(client >= 0);

	notify(client, name, "READY=1\nSTATUS=up");
	n = ready_notify_read(fd, buf, sizeof(buf), &sender);
	assert_int_equal(n, 17);
	assert_string_equal(buf, "READY=1\nSTATUS=up");
	assert_int_equal(sender, getpid());

	/* Nothing left. */
	sender = -1;
	assert_int_equal(ready_notify_read(fd, buf, sizeof(buf), &sender),
			 -EAGAIN);

	/* Two datagrams stay two. */
	notify(client, name, "MAINPID=7");
	notify(client, name, "STOPPING=1\n");
	assert_int_equal(ready_notify_read(fd, buf, sizeof(buf), &sender), 9);
	assert_string_equal(buf, "MAINPID=7");
	assert_int_equal(ready_notify_read(fd, buf, sizeof(buf), &sender), 11);
	assert_string_equal(buf, "STOPPING=1\n");
	assert_int_equal(sender, getpid());

	close(client);
	close(fd);
}

/* A datagram longer than the buffer: its start, NUL-terminated. */
static void
test_notify_truncated(void **state)
{
	char name[108], buf[8];
	pid_t sender = 0;
	int fd, client;

	(void)state;
	fd = ready_notify_open(name, sizeof(name));
	assert_true(fd >= 0);
	client = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(client >= 0);
	notify(client, name, "STATUS=a long status line\n");
	notify(client, name, "READY=1");
	assert_int_equal(ready_notify_read(fd, buf, sizeof(buf), &sender), 7);
	assert_string_equal(buf, "STATUS=");
	/* The rest of it is gone, not read as the next datagram. */
	assert_int_equal(ready_notify_read(fd, buf, sizeof(buf), &sender), 7);
	assert_string_equal(buf, "READY=1");
	close(client);
	close(fd);
}

/* How many descriptors this process has open. */
static int
count_fds(void)
{
	struct dirent *entry;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while ((entry = readdir(d)) != NULL)
		if (entry->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Descriptors sent with a message are not kept. */
static void
test_notify_passed_fd_not_kept(void **state)
{
	union {
		struct cmsghdr header;
		char space[CMSG_SPACE(sizeof(int))];
	} control;
	char name[108], buf[64], text[] = "FDSTORE=1";
	struct iovec iov = { text, sizeof(text) - 1 };
	struct sockaddr_un addr;
	struct msghdr msg = { 0 };
	struct cmsghdr *cmsg;
	pid_t sender = 0;
	int fd, client, pipe_fds[2], before;

	(void)state;
	fd = ready_notify_open(name, sizeof(name));
	assert_true(fd >= 0);
	client = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(client >= 0);
	assert_int_equal(pipe2(pipe_fds, O_CLOEXEC), 0);

	memset(&control, 0, sizeof(control));
	msg.msg_name = &addr;
	msg.msg_namelen = notify_address(name, &addr);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = &control;
	msg.msg_controllen = sizeof(control);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &pipe_fds[0], sizeof(int));
	assert_int_equal(sendmsg(client, &msg, 0), (ssize_t)iov.iov_len);

	before = count_fds();
	assert_int_equal(ready_notify_read(fd, buf, sizeof(buf), &sender), 9);
	assert_string_equal(buf, "FDSTORE=1");
	assert_int_equal(sender, getpid());
	assert_int_equal(count_fds(), before);

	close(pipe_fds[0]);
	close(pipe_fds[1]);
	close(client);
	close(fd);
}

/* Each socket has its own name. */
static void
test_notify_names_differ(void **state)
{
	char a[108], b[108];
	int fa, fb;

	(void)state;
	fa = ready_notify_open(a, sizeof(a));
	fb = ready_notify_open(b, sizeof(b));
	assert_true(fa >= 0);
	assert_true(fb >= 0);
	assert_string_not_equal(a, b);
	close(fa);
	close(fb);
	/* No room for the name. */
	assert_int_equal(ready_notify_open(a, 10), -ENAMETOOLONG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready),
		cmocka_unit_test(test_stopping),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_mainpid),
		cmocka_unit_test(test_mainpid_garbage),
		cmocka_unit_test(test_several_lines),
		cmocka_unit_test(test_unknown_ignored),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_length_respected),
		cmocka_unit_test(test_exact_length_buffer),
		cmocka_unit_test(test_tcp_good),
		cmocka_unit_test(test_tcp_bad_port),
		cmocka_unit_test(test_tcp_bad_host),
		cmocka_unit_test(test_notify_socket),
		cmocka_unit_test(test_notify_truncated),
		cmocka_unit_test(test_notify_passed_fd_not_kept),
		cmocka_unit_test(test_notify_names_differ),
	};

	return cmocka_run_group_tests_name("ready", tests, NULL, NULL);
}
