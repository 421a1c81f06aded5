// SPDX-License-Identifier: MIT
/* Owns the relay of services' output: a pipe pair per source, kept for
 * grace's lifetime, read in lines (src/lines.c), labelled (src/logfmt.c)
 * and queued per stream, and grace's stdout and stderr written without
 * ever blocking the loop.  A queue past its bound stops the reading of its
 * pipe, so that a slow reader slows the writer down, as it would with no
 * init, and nothing is dropped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "output.h"

/* The most sources: every service, and the main process. */
#define OUTPUT_MAX_SOURCES 4096

static void pump(struct output_stream *stream);
static void flush_sink(struct output_sink *sink);
static void on_finish_timeout(struct deadline *deadline, void *ctx);

void
output_init(struct output *output, enum logfmt_format format, bool time,
	    size_t limit)
{
	memset(output, 0, sizeof(*output));
	output->format = format;
	output->time = time;
	output->limit = limit > 0 ? limit : OUTPUT_DEFAULT_BUFFER;
	output->sinks[0].fd = output->sinks[1].fd = -1;
	deadline_init(&output->finish_dl, on_finish_timeout, output);
}

size_t
output_watches_needed(size_t n)
{
	/* Two pipes a source, and each sink waiting for writability. */
	return n > 0 ? 2 * n + 2 : 0;
}

size_t
output_deadlines_needed(size_t n)
{
	return n > 0 ? 2 * n + 1 : 0;
}

/* A pipe whose ends are both above stderr (a closed stdio descriptor of
 * grace's would otherwise be taken, and then clobbered in the child). */
static int
open_pipe(int fds[2])
{
	int i, moved;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		if (fds[i] > STDERR_FILENO)
			continue;
		moved = fcntl(fds[i], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
		if (moved < 0) {
			close(fds[0]);
			close(fds[1]);
			return -1;
		}
		close(fds[i]);
		fds[i] = moved;
	}
	return fcntl(fds[0], F_SETFL, O_NONBLOCK);
}

static void on_partial(struct deadline *deadline, void *ctx);

static void
init_stream(struct output_stream *stream, struct output_source *source,
	    bool is_stderr)
{
	stream->source = source;
	stream->is_stderr = is_stderr;
	stream->rd = stream->wr = -1;
	deadline_init(&stream->partial_dl, on_partial, stream);
}

static void
open_stream(struct output_stream *stream, const char *name)
{
	int fds[2];

	if (open_pipe(fds) < 0)
		die_errno("%s: unable to create its %s pipe", name,
			  stream->is_stderr ? "stderr" : "stdout");
	stream->rd = fds[0];
	stream->wr = fds[1];
}

/* A zeroed source; dies when out of memory (before any process). */
static struct output_source *
new_source(const char *name)
{
	struct output_source *source = calloc(1, sizeof(*source));

	if (source != NULL)
		return source;
	die("unable to allocate the output of %s", name);
}

struct output_source *
output_add(struct output *output, const char *name)
{
	struct output_source *source, **grown;
	size_t len = strlen(name);

	if (output->n == output->cap) {
		if (output->n >= OUTPUT_MAX_SOURCES)
			die("unable to relay the output of %s: too many", name);
		grown = realloc(output->sources,
				(output->cap ? output->cap * 2 : 8) *
					sizeof(struct output_source *));
		if (grown == NULL)
			die("unable to allocate the output of %s", name);
		output->sources = grown;
		output->cap = output->cap ? output->cap * 2 : 8;
	}
	source = new_source(name);
	output->sources[output->n++] = source;
	snprintf(source->name, sizeof(source->name), "%s", name);
	init_stream(&source->out, source, false);
	init_stream(&source->err, source, true);
	open_stream(&source->out, name);
	open_stream(&source->err, name);
	if (len > output->width)
		output->width = len < sizeof(source->name) ? len
							 : sizeof(source->name) - 1;
	return source;
}

int
output_stdout_fd(const struct output_source *source)
{
	return source->out.wr;
}

int
output_stderr_fd(const struct output_source *source)
{
	return source->err.wr;
}

/*
 * grace's stdout or stderr, for writes that never block.  O_NONBLOCK on
 * descriptor fd itself would change the open file description the main
 * process and the StandardOutput=inherit services share, and their writes
 * would fail with EAGAIN; so a pipe or a terminal is opened again, through
 * /proc, as a description of grace's own.  A socket is written with
 * MSG_DONTWAIT; a regular file never makes a write wait for a reader.
 * Without /proc, writes may block: said once with -v.
 */
static void
open_sink(struct output *output, struct output_sink *sink, int fd)
{
	char path[32];
	struct stat st;
	int own;

	sink->owner = output;
	sink->fd = fd;
	if (fstat(fd, &st) < 0) {
		/* Closed: nothing can be written, and nothing is waited for. */
		sink->broken = true;
		return;
	}
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		return;
	if (S_ISSOCK(st.st_mode)) {
		sink->is_socket = sink->pollable = true;
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	own = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (own < 0) {
		info("unable to reopen descriptor %d without blocking (%s): "
		     "writes to it may wait", fd, strerror(errno));
		return;
	}
	sink->fd = own;
	sink->own = sink->pollable = true;
}

/* Makes the source's plain label, "NAME<padding> | ". */
static void
make_prefix(struct output_source *source, size_t width)
{
	struct logfmt_line line = {
		.service = source->name,
		.width = width,
		.text = "",
		.len = 0,
	};

	/* The name is shorter than the prefix's room: the label fits. */
	source->prefix_len =
		logfmt_write(LOGFMT_PLAIN, &line, source->prefix) - 1;
}

static void on_grace_message(const char *line, size_t len, void *ctx);

/* Starts reading a stream's pipe. */
static void
watch_stream(struct output_stream *stream);

void
output_start(struct output *output, struct loop *loop,
	     struct deadlines *deadlines)
{
	size_t i;

	output->loop = loop;
	output->deadlines = deadlines;
	if (output->n == 0)
		return;
	open_sink(output, &output->sinks[0], STDOUT_FILENO);
	open_sink(output, &output->sinks[1], STDERR_FILENO);
	output->sinks_open = true;
	snprintf(output->grace_source.name, sizeof(output->grace_source.name),
		 "grace");
	init_stream(&output->grace, &output->grace_source, true);
	output->grace.sink = &output->sinks[1];
	for (i = 0; i < output->n; i++) {
		make_prefix(output->sources[i], output->width);
		output->sources[i]->out.sink = &output->sinks[0];
		output->sources[i]->err.sink = &output->sinks[1];
		watch_stream(&output->sources[i]->out);
		watch_stream(&output->sources[i]->err);
	}
	log_set_writer(on_grace_message, output);
}

/* --- queues ----------------------------------------------------------- */

static size_t
queued(const struct output_queue *queue)
{
	return queue->len - queue->head;
}

/* Room for n more bytes at the end of the queue; NULL when out of
 * memory. */
static char *
queue_room(struct output_queue *queue, size_t n)
{
	size_t cap;
	char *grown;

	if (queue->head > 0 && queue->cap - queue->len < n) {
		memmove(queue->data, queue->data + queue->head,
			queued(queue));
		queue->len -= queue->head;
		queue->head = 0;
	}
	if (queue->cap - queue->len < n) {
		cap = queue->cap ? queue->cap : 4096;
		while (cap - queue->len < n)
			cap *= 2;
		grown = realloc(queue->data, cap);
		if (grown == NULL)
			return NULL;
		queue->data = grown;
		queue->cap = cap;
	}
	return queue->data + queue->len;
}

/* Puts a stream with lines queued in line for its sink. */
static void
list_stream(struct output_stream *stream)
{
	struct output_sink *sink = stream->sink;

	if (stream->listed)
		return;
	stream->listed = true;
	stream->next = NULL;
	if (sink->last != NULL)
		sink->last->next = stream;
	else
		sink->first = stream;
	sink->last = stream;
}

/*
 * Copies n bytes of a line.  A size-optimised memcpy becomes rep movsb,
 * which takes longer to start than a 100-byte line takes to copy: short
 * copies go in 16-byte blocks instead (the last one overlapping), long
 * ones to memcpy.
 */
static void
copy_line(char *dst, const char *src, size_t n)
{
	uint64_t w[2];
	uint32_t h;
	size_t i;

	if (n > 256) {
		memcpy(dst, src, n);
	} else if (n >= 16) {
		for (i = 0; i + 16 < n; i += 16) {
			memcpy(w, src + i, sizeof(w));
			memcpy(dst + i, w, sizeof(w));
		}
		memcpy(w, src + n - 16, sizeof(w));
		memcpy(dst + n - 16, w, sizeof(w));
	} else if (n >= 8) {
		memcpy(w, src, 8);
		memcpy(dst, w, 8);
		memcpy(w, src + n - 8, 8);
		memcpy(dst + n - 8, w, 8);
	} else if (n >= 4) {
		memcpy(&h, src, sizeof(h));
		memcpy(dst, &h, sizeof(h));
		memcpy(&h, src + n - 4, sizeof(h));
		memcpy(dst + n - 4, &h, sizeof(h));
	} else {
		for (i = 0; i < n; i++)
			dst[i] = src[i];
	}
}

/*
 * The common case, plain lines with no time, without a call per line
 * into the formatter: the source's label, made once by logfmt itself
 * (so there is one definition of the format), then the line.
 */
static void
queue_plain(struct output_stream *stream, const char *text, size_t len)
{
	const struct output_source *source = stream->source;
	struct output_queue *queue = &stream->queue;
	size_t need = source->prefix_len + len + 1;
	char *p;

	if (queue->cap - queue->len < need && queue_room(queue, need) == NULL) {
		warn("%s: unable to queue a line of its output: out of memory",
		     source->name);
		return;
	}
	p = queue->data + queue->len;
	copy_line(p, source->prefix, source->prefix_len);
	copy_line(p + source->prefix_len, text, len);
	p[source->prefix_len + len] = '\n';
	queue->len += need;
}

/* Queues one line of a source's stream, labelled. */
static void
queue_line(struct output_stream *stream, const char *text, size_t len,
	   bool partial, const struct timespec *now)
{
	struct output *output = stream->sink->owner;
	struct logfmt_line line = {
		.service = stream->source->name,
		.width = output->width,
		.is_stderr = stream->is_stderr,
		.text = text,
		.len = len,
		.partial = partial,
		.time = output->time || output->format == LOGFMT_JSON ? now
								      : NULL,
	};
	char *room = queue_room(&stream->queue,
				logfmt_size(output->format, &line));

	if (room == NULL) {
		warn("%s: unable to queue a line of its output: out of memory",
		     stream->source->name);
		return;
	}
	stream->queue.len += logfmt_write(output->format, &line, room);
	list_stream(stream);
}

/* --- reading ---------------------------------------------------------- */

static void on_readable(int fd, void *ctx);

static void
watch_stream(struct output_stream *stream)
{
	int rc;

	if (stream->reading || stream->rd < 0)
		return;
	rc = loop_watch(stream->sink->owner->loop, stream->rd, on_readable,
			stream);
	if (rc < 0) {
		errno = -rc;
		warn_errno("%s: unable to watch its output",
			   stream->source->name);
		return;
	}
	stream->reading = true;
}

/* A full queue: the pipe waits (and fills, and its writer blocks). */
static void
hold_stream(struct output_stream *stream)
{
	if (!stream->reading)
		return;
	(void)loop_unwatch(stream->sink->owner->loop, stream->rd);
	stream->reading = false;
}

/* A held stream's queue is back within its bound: its pipe is read
 * again, from the loop; at once if its writer has ended (its pipe may be
 * empty, and its partial line must still go out). */
static void
resume_stream(struct output_stream *stream)
{
	if (stream->ended)
		pump(stream);
	else
		watch_stream(stream);
}

/* The unfinished line goes out as it is. */
static void
send_partial(struct output_stream *stream)
{
	struct timespec now;
	const char *text;
	size_t len;

	deadline_cancel(stream->sink->owner->deadlines, &stream->partial_dl);
	if (lines_take_partial(&stream->lines, &text, &len) == LINES_NONE)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	queue_line(stream, text, len, true, &now);
}

static void
on_partial(struct deadline *deadline, void *ctx)
{
	struct output_stream *stream = ctx;

	(void)deadline;
	send_partial(stream);
	flush_sink(stream->sink);
}

/* Queues the lines of what was read; an unfinished one waits up to
 * OUTPUT_PARTIAL_MS for its newline. */
static void
frame(struct output_stream *stream, const struct timespec *now)
{
	struct output *output = stream->sink->owner;
	bool fast = output->format == LOGFMT_PLAIN && !output->time;
	enum lines_kind kind;
	const char *text;
	size_t len;

	while ((kind = lines_next(&stream->lines, &text, &len)) !=
	       LINES_NONE) {
		/* A line of exactly 64 KiB pieces ends with an empty one: in
		 * json it says where the line ended; plain needs no empty
		 * line the service never wrote. */
		if (kind == LINES_WHOLE && len == 0 && stream->after_piece &&
		    output->format == LOGFMT_PLAIN)
			;
		else if (fast)
			queue_plain(stream, text, len);
		else
			queue_line(stream, text, len, kind != LINES_WHOLE,
				   now);
		stream->after_piece = kind == LINES_PIECE;
	}
	if (queued(&stream->queue) > 0)
		list_stream(stream);
	if (lines_pending(&stream->lines) == 0)
		deadline_cancel(output->deadlines, &stream->partial_dl);
	else if (!deadline_armed(&stream->partial_dl))
		deadline_after(output->deadlines, &stream->partial_dl,
			       OUTPUT_PARTIAL_MS);
}

/*
 * Reads what the pipe holds, a buffer at a time, while the stream's queue
 * is within its bound (holding the pipe once it is not), and at most
 * OUTPUT_READS buffers a call: a writer as fast as grace cannot keep the
 * loop from everything else; the pipe, still readable, is back at the
 * next turn (stream->more says so).  An ended writer's partial line goes
 * out once the pipe is empty.
 */
static void
pump(struct output_stream *stream)
{
	struct output *output = stream->sink->owner;
	struct timespec now;
	unsigned reads = 0;
	size_t room;
	ssize_t n = 0;
	char *space;

	/* The buffer comes with the first output: a quiet service costs no
	 * memory for it. */
	if (stream->lines.buf == NULL &&
	    lines_init(&stream->lines, LINES_MAX) < 0) {
		warn("%s: unable to allocate a buffer for its output",
		     stream->source->name);
		hold_stream(stream);
		return;
	}
	stream->more = false;
	for (;;) {
		if (queued(&stream->queue) >= output->limit) {
			hold_stream(stream);
			return;
		}
		if (reads++ == OUTPUT_READS) {
			stream->more = true;
			break;
		}
		space = lines_space(&stream->lines, &room);
		n = read(stream->rd, space, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		lines_commit(&stream->lines, (size_t)n);
		clock_gettime(CLOCK_REALTIME, &now);
		frame(stream, &now);
	}
	if (n < 0 && errno != EAGAIN)
		warn_errno("%s: unable to read its output",
			   stream->source->name);
	if (stream->ended && !stream->more) {
		stream->ended = false;
		send_partial(stream);
	}
	watch_stream(stream);
}

static void
on_readable(int fd, void *ctx)
{
	struct output_stream *stream = ctx;

	(void)fd;
	pump(stream);
	flush_sink(stream->sink);
}

void
output_source_ended(struct output_source *source)
{
	source->out.ended = source->err.ended = true;
	if (source->out.reading)
		on_readable(source->out.rd, &source->out);
	if (source->err.reading)
		on_readable(source->err.rd, &source->err);
}

/* --- writing ---------------------------------------------------------- */

/* One write of up to len bytes: how many went, 0 when the sink is full
 * (EAGAIN), -errno when it is broken. */
static ssize_t
write_some(const struct output_sink *sink, const char *data, size_t len)
{
	ssize_t n;

	do
		n = sink->is_socket
			    ? send(sink->fd, data, len,
				   MSG_DONTWAIT | MSG_NOSIGNAL)
			    : write(sink->fd, data, len);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	return errno == EAGAIN ? 0 : -errno;
}

static void on_writable(int fd, void *ctx);

/* Wakes up when the sink takes more. */
static void
wait_writable(struct output_sink *sink)
{
	int rc;

	if (sink->waiting)
		return;
	rc = loop_watch_writable(sink->owner->loop, sink->fd, on_writable,
				 sink);
	if (rc < 0) {
		errno = -rc;
		warn_errno("unable to wait for descriptor %d to take output",
			   sink->fd);
		return;
	}
	sink->waiting = true;
}

/* Takes the first stream off the sink's list. */
static void
unlist_first(struct output_sink *sink)
{
	struct output_stream *stream = sink->first;

	sink->first = stream->next;
	if (sink->first == NULL)
		sink->last = NULL;
	stream->next = NULL;
	stream->listed = false;
}

/* A broken sink: what would have gone there is dropped. */
static void
drop_queue(struct output_sink *sink, struct output_stream *stream)
{
	sink->dropped += queued(&stream->queue);
	stream->queue.head = stream->queue.len = 0;
}

static void all_written(struct output *output);

/*
 * Writes the queued lines, stream after stream, each stream's whole queue
 * in one write; a line begun is always finished before another stream's
 * starts.  Stops at EAGAIN (and waits for writability).  A stream whose
 * queue fell within its bound reads its pipe again.
 */
static void
flush_sink(struct output_sink *sink)
{
	struct output_stream *stream;
	ssize_t n;

	while (!sink->waiting && (stream = sink->first) != NULL) {
		if (sink->broken) {
			drop_queue(sink, stream);
			n = 0;
		} else {
			n = write_some(sink, stream->queue.data +
						     stream->queue.head,
				       queued(&stream->queue));
		}
		if (n < 0) {
			errno = (int)-n;
			sink->broken = true;
			if (sink == &sink->owner->sinks[1])
				log_set_writer(NULL, NULL);
			warn_errno("unable to write services' output to "
				   "descriptor %d", sink == sink->owner->sinks
							? STDOUT_FILENO
							: STDERR_FILENO);
			continue;
		}
		stream->queue.head += (size_t)n;
		if (n > 0 && sink->owner->finishing)
			/* The reader takes output: it gets more time. */
			deadline_after(sink->owner->deadlines,
				       &sink->owner->finish_dl,
				       sink->owner->finish_wait_ms);
		if (queued(&stream->queue) == 0) {
			stream->queue.head = stream->queue.len = 0;
			unlist_first(sink);
		} else if (n == 0 || !sink->pollable) {
			if (sink->pollable)
				wait_writable(sink);
			else if (n == 0)
				break;	/* cannot wait: try at the next line */
		} else if (stream->queue.data[stream->queue.head - 1] ==
			   '\n') {
			/* At a line's end: the next stream's turn. */
			unlist_first(sink);
			list_stream(stream);
		}
		if (stream != &sink->owner->grace && !stream->reading &&
		    queued(&stream->queue) < sink->owner->limit)
			resume_stream(stream);
	}
	all_written(sink->owner);
}

static void
on_writable(int fd, void *ctx)
{
	struct output_sink *sink = ctx;

	(void)loop_unwatch(sink->owner->loop, fd);
	sink->waiting = false;
	flush_sink(sink);
}

/* grace's own message lines, formatted: queued behind the relayed ones,
 * so that none cuts into a line. */
static void
on_grace_message(const char *line, size_t len, void *ctx)
{
	struct output *output = ctx;
	struct output_stream *stream = &output->grace;
	char *room;

	if (queued(&stream->queue) >= 16 * output->limit)
		return;		/* a reader that takes nothing: dropped */
	room = queue_room(&stream->queue, len);
	if (room == NULL)
		return;
	memcpy(room, line, len);
	stream->queue.len += len;
	list_stream(stream);
	flush_sink(stream->sink);
}

/* --- the end ---------------------------------------------------------- */

/* Whether anything still waits to be read or written. */
static bool
pending(const struct output *output)
{
	size_t i;

	if (output->sinks[0].first != NULL || output->sinks[1].first != NULL)
		return true;
	for (i = 0; i < output->n; i++)
		if (!output->sources[i]->out.reading ||
		    !output->sources[i]->err.reading ||
		    output->sources[i]->out.more || output->sources[i]->err.more)
			return true;
	return false;
}

static void
finish(struct output *output)
{
	unsigned long long lost = 0;
	size_t i;

	output->finishing = false;
	deadline_cancel(output->deadlines, &output->finish_dl);
	for (i = 0; i < 2; i++) {
		while (output->sinks[i].first != NULL) {
			lost += queued(&output->sinks[i].first->queue);
			unlist_first(&output->sinks[i]);
		}
		lost += output->sinks[i].dropped;
	}
	if (lost > 0) {
		log_set_writer(NULL, NULL);
		warn("%llu bytes of services' output could not be written",
		     lost);
	}
	output->finished(output->finished_ctx);
}

static void
all_written(struct output *output)
{
	if (output->finishing && !pending(output))
		finish(output);
}

static void
on_finish_timeout(struct deadline *deadline, void *ctx)
{
	(void)deadline;
	finish(ctx);
}

void
output_finish(struct output *output, long wait_ms,
	      void (*finished)(void *ctx), void *ctx)
{
	size_t i;

	output->finished = finished;
	output->finished_ctx = ctx;
	if (output->n == 0) {
		finished(ctx);
		return;
	}
	output->finishing = true;
	output->finish_wait_ms = wait_ms;
	deadline_after(output->deadlines, &output->finish_dl, wait_ms);
	for (i = 0; i < output->n && output->finishing; i++)
		output_source_ended(output->sources[i]);
	all_written(output);
}

static void
free_stream(struct output *output, struct output_stream *stream)
{
	if (stream->reading)
		(void)loop_unwatch(output->loop, stream->rd);
	if (output->deadlines != NULL)
		deadline_cancel(output->deadlines, &stream->partial_dl);
	if (stream->rd >= 0)
		close(stream->rd);
	if (stream->wr >= 0)
		close(stream->wr);
	lines_free(&stream->lines);
	free(stream->queue.data);
	memset(&stream->queue, 0, sizeof(stream->queue));
}

void
output_free(struct output *output)
{
	size_t i;

	if (output->sinks_open)
		log_set_writer(NULL, NULL);
	for (i = 0; i < output->n; i++) {
		free_stream(output, &output->sources[i]->out);
		free_stream(output, &output->sources[i]->err);
		free(output->sources[i]);
	}
	free(output->sources);
	output->sources = NULL;
	output->n = output->cap = 0;
	free(output->grace.queue.data);
	output->grace.queue.data = NULL;
	for (i = 0; i < 2; i++) {
		if (output->sinks[i].waiting)
			(void)loop_unwatch(output->loop, output->sinks[i].fd);
		if (output->sinks[i].own)
			close(output->sinks[i].fd);
		output->sinks[i].own = false;
	}
	if (output->deadlines != NULL)
		deadline_cancel(output->deadlines, &output->finish_dl);
}
