// SPDX-License-Identifier: MIT
/* A service that talks: it writes numbered lines, long lines, unfinished
 * lines and raw bytes on its stdout and stderr as its options say, and logs
 * what it wrote, so that a scenario can tell whether every byte arrived. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/helper.h"

/*
 * Usage: chatter NAME [OPTIONS]
 *
 *	chatter felix --stream both --width 80 --lines 100000 --hold
 *
 * The options are steps, run in the order given.  Six of them are
 * settings for the steps after them:
 *   --stream out|err|both  where lines go (default out); with both, the
 *                       numbered lines alternate: odd numbers to stdout,
 *                       even ones to stderr, and the other steps write to
 *                       stdout
 *   --width W           pad numbered lines to W bytes (newline not counted)
 *   --interval MS       pause between numbered lines (default none)
 *   --exit CODE         the status it ends with (default 0)
 *   --chunk BYTES       numbered lines go out BYTES at a time, as stdio's
 *                       buffer writes them: a write may end inside a line,
 *                       whose rest comes with the next; what is left goes
 *                       when the --lines step ends (--stream out or err)
 *   --linger            a stop signal no longer ends chatter: it ends
 *                       --hold, "term from=" is logged, and the steps after
 *                       run whole (pauses, writes) before it exits
 * The others act:
 *   --lines N           N numbered lines, one write(2) each:
 *                       "NAME out|err PID SEQ" (SEQ six digits or more,
 *                       counting on from the last --lines), then, when
 *                       --width asks for more, a blank and the pattern
 *                       (below) up to W bytes
 *   --line TEXT         TEXT and a newline
 *   --big BYTES         one line of BYTES bytes of the pattern and a newline
 *   --partial TEXT      TEXT without a newline
 *   --raw HEX           these bytes (two hex digits each) and a newline
 *   --sleep MS          pause
 *   --touch PATH        create PATH (for a unit's ReadyCheck=file:)
 *   --close-stdout      close descriptor 1
 *   --grandchild        fork; the parent logs "forked kid=PID" and ends
 *                       (with the --exit given so far); the child logs as
 *                       NAME-kid, waits until its parent has exited and
 *                       been reaped, logs "orphaned ppid=", and runs the
 *                       steps after this one
 *   --hold              wait for SIGTERM or SIGINT (with --linger, go on
 *                       with the steps after it)
 * The pattern is "0-9A-Za-z" repeated: byte i of it is ALPHABET[i % 62].
 *
 * Events (after "NAME PID"): start ppid= pgid= stdout= stderr= (what
 * descriptors 1 and 2 are: a path, "pipe:[INODE]", "-" when closed)
 * outsz= errsz= (the capacity of each, when a pipe, else "-"); for
 * each writing step, once it is done, "lines count= first= last=", and
 * "line", "big", "partial", "raw" with bytes=, each with at= and real=,
 * CLOCK_MONOTONIC and CLOCK_REALTIME seconds taken just before its first
 * write (t= is after its last); "closed stdout"; "touched"; "forked
 * kid="; "orphaned ppid="; "term from=PID" on a stop signal; "exit code="
 * just before it exits; "error WHAT" (then it exits 1).  A usage error
 * exits 2.
 *
 * SIGTERM and SIGINT are the stop signals: their handler, installed
 * without SA_RESTART, only notes them, so a write blocked on a full pipe
 * returns.  A line that has begun to go out is finished; then the step
 * logs what it wrote, "term from=" is logged and it exits 0 (unless it
 * lingers: see --linger).  SIGPIPE
 * keeps its default action, as in most programs.
 */

static const char alphabet[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
#define ALPHABET_LEN (sizeof(alphabet) - 1)

enum kind {
	STEP_STREAM,
	STEP_WIDTH,
	STEP_INTERVAL,
	STEP_EXIT,
	STEP_CHUNK,
	STEP_LINGER,
	STEP_LINES,
	STEP_LINE,
	STEP_BIG,
	STEP_PARTIAL,
	STEP_RAW,
	STEP_SLEEP,
	STEP_TOUCH,
	STEP_CLOSE_STDOUT,
	STEP_GRANDCHILD,
	STEP_HOLD,
};

enum stream { OUT, ERR, BOTH };

struct step {
	enum kind kind;
	long num;
	const char *text;	/* --line, --partial, --touch */
	unsigned char *bytes;	/* --raw */
	size_t len;
};

/* What the steps run so far have set, and how far the numbering is. */
static struct {
	const char *name;
	enum stream stream;
	long width;
	long interval_ms;
	int exit_code;
	long chunk;
	bool linger;
	long seq;
} state = { .stream = OUT };

/* Set by the handler of the stop signals. */
static volatile sig_atomic_t stop_sig;
static volatile sig_atomic_t stop_from;

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: chatter NAME [--stream out|err|both] [--width W]\n"
	      "    [--interval MS] [--exit CODE] [--chunk BYTES] [--linger]\n"
	      "    [--lines N] [--line TEXT]\n"
	      "    [--big BYTES] [--partial TEXT] [--raw HEX] [--sleep MS]\n"
	      "    [--touch PATH] [--close-stdout] [--grandchild] [--hold]\n",
	      stderr);
	exit(2);
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes --raw's HEX into STEP's bytes; usage() when it is no hex. */
static void
parse_hex(const char *hex, struct step *step)
{
	size_t n = strlen(hex), i;
	int hi, lo;

	if (n % 2 != 0)
		usage();
	step->len = n / 2;
	step->bytes = malloc(step->len + 1);
	if (step->bytes == NULL)
		die_errno("malloc");
	for (i = 0; i < step->len; i++) {
		hi = hex_digit(hex[2 * i]);
		lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			usage();
		step->bytes[i] = (unsigned char)(hi << 4 | lo);
	}
}

static enum stream
parse_stream(const char *text)
{
	if (strcmp(text, "out") == 0)
		return OUT;
	if (strcmp(text, "err") == 0)
		return ERR;
	if (strcmp(text, "both") == 0)
		return BOTH;
	usage();
}

/* The steps of the command line, in order; *n is set to their number. */
static struct step *
parse_args(int argc, char **argv, size_t *n)
{
	static const struct option longs[] = {
		{ "stream", required_argument, NULL, 's' },
		{ "width", required_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "exit", required_argument, NULL, 'e' },
		{ "chunk", required_argument, NULL, 'C' },
		{ "linger", no_argument, NULL, 'L' },
		{ "lines", required_argument, NULL, 'n' },
		{ "line", required_argument, NULL, 'l' },
		{ "big", required_argument, NULL, 'b' },
		{ "partial", required_argument, NULL, 'p' },
		{ "raw", required_argument, NULL, 'r' },
		{ "sleep", required_argument, NULL, 'S' },
		{ "touch", required_argument, NULL, 't' },
		{ "close-stdout", no_argument, NULL, 'c' },
		{ "grandchild", no_argument, NULL, 'g' },
		{ "hold", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct step *steps, *step;
	int opt;

	if (argc < 2 || argv[1][0] == '-')
		usage();
	state.name = argv[1];
	/* At most one step per argument. */
	steps = calloc((size_t)argc, sizeof(*steps));
	if (steps == NULL)
		die_errno("calloc");
	*n = 0;
	/* NAME takes the place of argv[0]: options start after it. */
	while ((opt = getopt_long(argc - 1, argv + 1, "+", longs, NULL)) !=
	       -1) {
		step = &steps[(*n)++];
		switch (opt) {
		case 's':
			step->kind = STEP_STREAM;
			step->num = parse_stream(optarg);
			break;
		case 'w':
			step->kind = STEP_WIDTH;
			step->num = num_arg(optarg, usage);
			break;
		case 'i':
			step->kind = STEP_INTERVAL;
			step->num = num_arg(optarg, usage);
			break;
		case 'e':
			step->kind = STEP_EXIT;
			step->num = num_arg(optarg, usage);
			if (step->num > 255)
				usage();
			break;
		case 'C':
			step->kind = STEP_CHUNK;
			step->num = num_arg(optarg, usage);
			break;
		case 'L':
			step->kind = STEP_LINGER;
			break;
		case 'n':
			step->kind = STEP_LINES;
			step->num = num_arg(optarg, usage);
			break;
		case 'l':
			step->kind = STEP_LINE;
			step->text = optarg;
			break;
		case 'b':
			step->kind = STEP_BIG;
			step->num = num_arg(optarg, usage);
			break;
		case 'p':
			step->kind = STEP_PARTIAL;
			step->text = optarg;
			break;
		case 'r':
			step->kind = STEP_RAW;
			parse_hex(optarg, step);
			break;
		case 'S':
			step->kind = STEP_SLEEP;
			step->num = num_arg(optarg, usage);
			break;
		case 't':
			step->kind = STEP_TOUCH;
			step->text = optarg;
			break;
		case 'c':
			step->kind = STEP_CLOSE_STDOUT;
			break;
		case 'g':
			step->kind = STEP_GRANDCHILD;
			break;
		case 'h':
			step->kind = STEP_HOLD;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	return steps;
}

/* Only notes the signal: the steps look at stop_sig between writes. */
static void
on_stop(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	stop_from = info->si_pid;
	stop_sig = sig;
}

/* Handles SIGTERM and SIGINT without SA_RESTART, and makes sure they are
 * not blocked; SIGPIPE gets its default action. */
static void
catch_stop_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_stop,
				.sa_flags = SA_SIGINFO };
	sigset_t stops;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0)
		die_errno("sigaction");
	if (signal(SIGPIPE, SIG_DFL) == SIG_ERR)
		die_errno("signal SIGPIPE");
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	if (sigprocmask(SIG_UNBLOCK, &stops, NULL) != 0)
		die_errno("sigprocmask");
}

static void __attribute__((noreturn))
finish(int code)
{
	ev_log("exit code=%d", code);
	exit(code);
}

/* Whether a stop signal has come that cuts the steps short: one has, and
 * chatter does not linger. */
static bool
stopping(void)
{
	return stop_sig != 0 && !state.linger;
}

/* Logs the stop signal, if one has come, and exits 0 -- or, lingering,
 * goes on (logging it once). */
static void
stop_if_asked(void)
{
	static bool told;

	if (stop_sig == 0 || told)
		return;
	ev_log("term from=%d", (int)stop_from);
	if (!state.linger)
		finish(0);
	told = true;
}

/*
 * Writes all of BUF to FD through short writes and EINTR.  A stop signal
 * that interrupts it before the first byte is out makes it give up and
 * return false; once a byte is out the rest follows, so nothing is left
 * cut in two.
 */
static bool
write_whole(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n < 0) {
			if (errno != EINTR)
				die_errno(fd == STDOUT_FILENO
						  ? "write to stdout"
						  : "write to stderr");
			if (done == 0 && stopping())
				return false;
			continue;
		}
		done += (size_t)n;
	}
	return true;
}

/* Sleeps MS milliseconds, or less when a stop signal comes (unless
 * chatter lingers). */
static void
pause_ms(long ms)
{
	struct timespec left = { ms / 1000, (ms % 1000) * 1000000 };

	while (!stopping() && nanosleep(&left, &left) != 0)
		if (errno != EINTR)
			die_errno("nanosleep");
}

/* Waits for a stop signal: blocked while looking at the flag, so that
 * one arriving in between still ends the wait. */
static void
hold(void)
{
	sigset_t stops, old;

	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stops, &old) != 0)
		die_errno("sigprocmask");
	while (stop_sig == 0)
		sigsuspend(&old);
	if (sigprocmask(SIG_SETMASK, &old, NULL) != 0)
		die_errno("sigprocmask");
}

/* "SECONDS.NANOSECONDS" of CLOCK, for the at= and real= fields. */
static void
clock_text(clockid_t clock, char *buf, size_t len)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) != 0)
		die_errno("clock_gettime");
	snprintf(buf, len, "%jd.%09ld", (intmax_t)ts.tv_sec, ts.tv_nsec);
}

/* The time fields of a writing step, taken before its first write. */
struct stamp {
	char at[32];
	char real[32];
};

static void
stamp(struct stamp *s)
{
	clock_text(CLOCK_MONOTONIC, s->at, sizeof(s->at));
	clock_text(CLOCK_REALTIME, s->real, sizeof(s->real));
}

/* Fills BUF with N bytes of the pattern. */
static void
fill_pattern(char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = alphabet[i % ALPHABET_LEN];
}

/* Formats numbered line SEQ for STREAM into BUF (room for the width, the
 * header and a newline); returns its length, newline included. */
static size_t
format_line(char *buf, size_t room, long seq, enum stream stream)
{
	size_t len, width = (size_t)state.width;
	int n;

	n = snprintf(buf, room, "%s %s %d %06ld", state.name,
		     stream == OUT ? "out" : "err", (int)getpid(), seq);
	len = n < 0 ? 0 : (size_t)n;
	if (len >= room - 1)
		len = room - 2;
	if (width > len) {
		buf[len] = ' ';
		fill_pattern(buf + len + 1, width - len - 1);
		len = width;
	}
	buf[len++] = '\n';
	return len;
}

/* How many lines end in the LEN bytes at P. */
static long
count_newlines(const char *p, size_t len)
{
	const char *end = p + len, *nl;
	long n = 0;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p = nl + 1;
	}
	return n;
}

/*
 * --lines N with --chunk: the lines are gathered and written state.chunk
 * bytes at a time, the rest when the step ends.  A stop ends the
 * gathering; the line a chunk left begun is finished, what was gathered
 * after it dropped.  Logs how many lines went out whole.
 */
static void
write_lines_chunked(long count)
{
	size_t chunk = (size_t)state.chunk, held = 0, last;
	size_t room = (size_t)state.width + strlen(state.name) + 64;
	long first = state.seq + 1, made = 0, whole = 0;
	bool begun = false;	/* the last chunk ended inside a line */
	const char *nl;
	struct stamp s;
	char *buf;
	int fd;

	if (state.stream == BOTH)
		die("--chunk takes --stream out or err");
	fd = state.stream == OUT ? STDOUT_FILENO : STDERR_FILENO;
	buf = malloc(chunk + room);
	if (buf == NULL)
		die_errno("malloc");
	stamp(&s);
	for (; made < count && !stopping(); made++) {
		if (made > 0 && state.interval_ms > 0)
			pause_ms(state.interval_ms);
		if (stopping())
			break;
		held += format_line(buf + held, room, first + made,
				    state.stream);
		if (held < chunk)
			continue;
		if (!write_whole(fd, buf, chunk))
			break;
		whole += count_newlines(buf, chunk);
		begun = buf[chunk - 1] != '\n';
		memmove(buf, buf + chunk, held - chunk);
		held -= chunk;
	}
	if (!stopping())
		last = held;
	else if (begun && (nl = memchr(buf, '\n', held)) != NULL)
		last = (size_t)(nl - buf) + 1;	/* the line begun */
	else
		last = 0;
	if (last > 0 && write_whole(fd, buf, last))
		whole += count_newlines(buf, last);
	free(buf);
	state.seq = first - 1 + whole;
	ev_log("lines count=%ld first=%ld last=%ld at=%s real=%s", whole,
	       first, state.seq, s.at, s.real);
}

/* --lines N: logs how many lines went out, also when a stop cut it short. */
static void
write_lines(long count)
{
	size_t room = (size_t)state.width + strlen(state.name) + 64, len;
	long first = state.seq + 1, written = 0;
	enum stream stream;
	struct stamp s;
	char *buf;

	if (state.chunk > 0) {
		write_lines_chunked(count);
		return;
	}
	buf = malloc(room);
	if (buf == NULL)
		die_errno("malloc");
	stamp(&s);
	for (; written < count && !stopping(); written++) {
		if (written > 0 && state.interval_ms > 0)
			pause_ms(state.interval_ms);
		if (stopping())
			break;
		stream = state.stream;
		if (stream == BOTH)
			stream = (state.seq + 1) % 2 == 1 ? OUT : ERR;
		len = format_line(buf, room, state.seq + 1, stream);
		if (!write_whole(stream == OUT ? STDOUT_FILENO : STDERR_FILENO,
				 buf, len))
			break;
		state.seq++;
	}
	free(buf);
	ev_log("lines count=%ld first=%ld last=%ld at=%s real=%s", written,
	       first, state.seq, s.at, s.real);
}

/* One line of LEN bytes of BODY (NULL: the pattern), with a newline
 * unless PARTIAL; to stderr only with --stream err. */
static void
write_one(const char *event, const void *body, size_t len, bool partial)
{
	int fd = state.stream == ERR ? STDERR_FILENO : STDOUT_FILENO;
	struct stamp s;
	char *buf;

	buf = malloc(len + 1);
	if (buf == NULL)
		die_errno("malloc");
	if (body == NULL)
		fill_pattern(buf, len);
	else
		memcpy(buf, body, len);
	if (!partial)
		buf[len++] = '\n';
	stamp(&s);
	/* A stop before the first byte: nothing was written, nothing to log. */
	if (write_whole(fd, buf, len))
		ev_log("%s bytes=%zu at=%s real=%s", event,
		       partial ? len : len - 1, s.at, s.real);
	free(buf);
}

/* --grandchild: the parent ends; the child goes on once the parent has
 * exited and been reaped (kill(pid, 0) finds a zombie still), so that
 * what it writes comes after its service's main process is gone. */
static void
become_grandchild(void)
{
	static char kid_name[256];
	pid_t parent = getpid(), kid;
	int64_t deadline;

	kid = fork();
	if (kid < 0)
		die_errno("fork");
	if (kid > 0) {
		ev_log("forked kid=%d", (int)kid);
		finish(state.exit_code);
	}
	snprintf(kid_name, sizeof(kid_name), "%s-kid", state.name);
	ev_open(kid_name);
	deadline = now_ns() + 10 * (int64_t)1000000000;
	while (kill(parent, 0) == 0 || errno != ESRCH) {
		if (now_ns() > deadline)
			die("the parent %d is still there after 10s",
			    (int)parent);
		sleep_ms(1);
	}
	ev_log("orphaned ppid=%d", (int)getppid());
}

/* The capacity of pipe FD, for "start"; "-" when it is no pipe. */
static void
pipe_size(int fd, char *buf, size_t len)
{
	int size = fcntl(fd, F_GETPIPE_SZ);

	if (size < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%d", size);
}

/* What descriptor FD is, for "start": a path, "pipe:[INODE]", "-". */
static void
describe_fd(int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	size_t i;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, len - 1);
	if (n < 0) {
		snprintf(buf, len, "-");
		return;
	}
	buf[n] = '\0';
	/* One word of the log: blanks and the like become '?'. */
	for (i = 0; i < (size_t)n; i++)
		if (buf[i] <= ' ' || buf[i] >= 0x7f)
			buf[i] = '?';
}

/* --touch PATH: creates PATH, so that a ReadyCheck=file: sees the steps
 * before this one done. */
static void
touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0 || close(fd) != 0)
		die_errno("create the --touch file");
	ev_log("touched");
}

static void
run_step(const struct step *step)
{
	switch (step->kind) {
	case STEP_STREAM:
		state.stream = (enum stream)step->num;
		break;
	case STEP_WIDTH:
		state.width = step->num;
		break;
	case STEP_INTERVAL:
		state.interval_ms = step->num;
		break;
	case STEP_EXIT:
		state.exit_code = (int)step->num;
		break;
	case STEP_CHUNK:
		state.chunk = step->num;
		break;
	case STEP_LINGER:
		state.linger = true;
		break;
	case STEP_LINES:
		write_lines(step->num);
		break;
	case STEP_LINE:
		write_one("line", step->text, strlen(step->text), false);
		break;
	case STEP_BIG:
		write_one("big", NULL, (size_t)step->num, false);
		break;
	case STEP_PARTIAL:
		write_one("partial", step->text, strlen(step->text), true);
		break;
	case STEP_RAW:
		write_one("raw", step->bytes, step->len, false);
		break;
	case STEP_SLEEP:
		pause_ms(step->num);
		break;
	case STEP_TOUCH:
		touch(step->text);
		break;
	case STEP_CLOSE_STDOUT:
		if (close(STDOUT_FILENO) != 0)
			die_errno("close stdout");
		ev_log("closed stdout");
		break;
	case STEP_GRANDCHILD:
		become_grandchild();
		break;
	case STEP_HOLD:
		hold();
		break;
	}
}

int
main(int argc, char **argv)
{
	char out[PATH_MAX], err[PATH_MAX], outsz[16], errsz[16];
	struct step *steps;
	size_t n, i;

	steps = parse_args(argc, argv, &n);
	ev_open(state.name);
	catch_stop_signals();
	describe_fd(STDOUT_FILENO, out, sizeof(out));
	describe_fd(STDERR_FILENO, err, sizeof(err));
	pipe_size(STDOUT_FILENO, outsz, sizeof(outsz));
	pipe_size(STDERR_FILENO, errsz, sizeof(errsz));
	ev_log("start ppid=%d pgid=%d stdout=%s stderr=%s outsz=%s errsz=%s",
	       (int)getppid(), (int)getpgid(0), out, err, outsz, errsz);
	for (i = 0; i < n; i++) {
		stop_if_asked();
		run_step(&steps[i]);
	}
	stop_if_asked();
	finish(state.exit_code);
}
