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
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "output.h"

/* The most sources: every service, and the main process. */
#define OUTPUT_MAX_SOURCES 4096

static void pump(struct output_stream *stream);
static void flush_sink(struct output_sink *sink);
static void on_finish_timeout(struct deadline *deadline, void *ctx);
static void on_retry(struct deadline *deadline, void *ctx);

void
output_init(struct output *output, enum logfmt_format format, bool time,
	    size_t limit)
{
	size_t i;

	memset(output, 0, sizeof(*output));
	output->format = format;
	output->time = time;
	output->limit = limit > 0 ? limit : OUTPUT_DEFAULT_BUFFER;
	for (i = 0; i < 2; i++) {
		output->sinks[i].owner = output;
		output->sinks[i].sink.fd = -1;
		output->sinks[i].sink.restore_flags = -1;
		deadline_init(&output->sinks[i].retry_dl, on_retry,
			      &output->sinks[i]);
	}
	output->err_sink = &output->sinks[1];
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
	/* A partial line's and a resume's a stream, each sink's retry, and
	 * the wait at the stop. */
	return n > 0 ? 4 * n + 3 : 0;
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
static void on_resume(struct deadline *deadline, void *ctx);

static void
init_stream(struct output_stream *stream, struct output_source *source,
	    bool is_stderr)
{
	stream->source = source;
	stream->is_stderr = is_stderr;
	stream->rd = stream->wr = -1;
	deadline_init(&stream->partial_dl, on_partial, stream);
	deadline_init(&stream->resume_dl, on_resume, stream);
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

/* Opens grace's stdout and stderr for the relay, and takes grace's own
 * messages into it. */
static void
open_sinks(struct output *output)
{
	sink_open(&output->sinks[0].sink, STDOUT_FILENO, output->shared);
	/* One file behind both (2>&1, a terminal): one sink, one turn, so
	 * that a stderr line never cuts into a stdout line. */
	if (sink_same_file(STDOUT_FILENO, STDERR_FILENO))
		output->err_sink = &output->sinks[0];
	else
		sink_open(&output->sinks[1].sink, STDERR_FILENO,
			  output->shared);
	output->sinks_open = true;
	snprintf(output->grace_source.name, sizeof(output->grace_source.name),
		 "grace");
	init_stream(&output->grace, &output->grace_source, true);
	output->grace.sink = output->err_sink;
	log_set_writer(on_grace_message, output);
}

/* Starts relaying what the source's process writes. */
static void
start_source(struct output *output, struct output_source *source)
{
	make_prefix(source, output->width);
	source->out.sink = &output->sinks[0];
	source->err.sink = output->err_sink;
	watch_stream(&source->out);
	watch_stream(&source->err);
}

void
output_start(struct output *output, struct loop *loop,
	     struct deadlines *deadlines, bool shared)
{
	size_t i;

	output->loop = loop;
	output->deadlines = deadlines;
	output->shared = shared;
	output->started = true;
	if (output->n == 0)
		return;
	open_sinks(output);
	for (i = 0; i < output->n; i++)
		start_source(output, output->sources[i]);
}

/* A source named name that nothing uses any more, or NULL. */
static struct output_source *
find_unused(const struct output *output, const char *name)
{
	size_t i;

	for (i = 0; i < output->n; i++)
		if (output->sources[i]->users == 0 &&
		    strncmp(output->sources[i]->name, name,
			    sizeof(output->sources[i]->name) - 1) == 0)
			return output->sources[i];
	return NULL;
}

void
output_share(struct output_source *source)
{
	source->users++;
}

void
output_release(struct output_source *source)
{
	if (source != NULL && source->users > 0)
		source->users--;
}

struct output_source *
output_add(struct output *output, const char *name)
{
	struct output_source *source, **grown;
	size_t len = strlen(name), i, cap;
	int fds[4];

	/* A reload that brings a name back gets its pipes again, so that
	 * reloads never add up to more sources than names. */
	source = find_unused(output, name);
	if (source != NULL) {
		source->users = 1;
		return source;
	}
	if (output->n >= OUTPUT_MAX_SOURCES) {
		errno = ENOSPC;
		return NULL;
	}
	if (output->n == output->cap) {
		cap = output->cap ? output->cap * 2 : 8;
		grown = realloc(output->sources,
				cap * sizeof(struct output_source *));
		if (grown == NULL)
			return NULL;
		output->sources = grown;
		output->cap = cap;
	}
	source = calloc(1, sizeof(*source));
	if (source == NULL)
		return NULL;
	if (open_pipe(fds) < 0) {
		free(source);
		return NULL;
	}
	if (open_pipe(fds + 2) < 0) {
		close(fds[0]);
		close(fds[1]);
		free(source);
		return NULL;
	}
	snprintf(source->name, sizeof(source->name), "%s", name);
	source->users = 1;
	init_stream(&source->out, source, false);
	init_stream(&source->err, source, true);
	source->out.rd = fds[0];
	source->out.wr = fds[1];
	source->err.rd = fds[2];
	source->err.wr = fds[3];
	output->sources[output->n++] = source;
	if (len > output->width)
		output->width = len < sizeof(source->name)
					? len
					: sizeof(source->name) - 1;
	if (!output->started)
		return source;
	/* Added while the relay runs (gracectl reload): a longer name
	 * widens every label, as if it had been there from the start. */
	if (!output->sinks_open)
		open_sinks(output);
	for (i = 0; i + 1 < output->n; i++)
		make_prefix(output->sources[i], output->width);
	start_source(output, source);
	return source;
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

/* A held stream's queue is back within its bound: it is read again at
 * the loop's next turn (its pipe may be empty while its buffer still
 * holds lines, or its ended writer's partial line), never from inside a
 * flush, which a writer as fast as the reader could then keep going. */
static void
resume_stream(struct output_stream *stream)
{
	if (!deadline_armed(&stream->resume_dl))
		deadline_after(stream->sink->owner->deadlines,
			       &stream->resume_dl, 0);
}

static void
on_resume(struct deadline *deadline, void *ctx)
{
	struct output_stream *stream = ctx;

	(void)deadline;
	if (stream->reading)
		return;
	pump(stream);
	flush_sink(stream->sink);
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
	stream->after_piece = true;
}

/* Whether the pipe holds bytes not read yet. */
static bool
pipe_holds_more(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

/* A line without its newline for OUTPUT_PARTIAL_MS goes out as it is --
 * unless its rest may be waiting in the pipe (held by backpressure, or
 * not read yet): then it gets as long again. */
static void
on_partial(struct deadline *deadline, void *ctx)
{
	struct output_stream *stream = ctx;
	struct output *output = stream->sink->owner;

	if (!stream->reading || pipe_holds_more(stream->rd)) {
		deadline_after(output->deadlines, deadline, OUTPUT_PARTIAL_MS);
		return;
	}
	send_partial(stream);
	flush_sink(stream->sink);
}

/*
 * Queues the lines of what was read while the queue is within its bound;
 * false when it stopped at the bound, with lines left in the buffer (so a
 * stalled reader holds at most a buffer and a bound per stream).  Once all
 * are out, an unfinished one waits up to OUTPUT_PARTIAL_MS for its
 * newline.
 */
static bool
frame(struct output_stream *stream)
{
	struct output *output = stream->sink->owner;
	bool fast = output->format == LOGFMT_PLAIN && !output->time;
	enum lines_kind kind = LINES_NONE;
	bool ended_one = false;
	struct timespec now;
	const char *text;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &now);
	while (queued(&stream->queue) < output->limit &&
	       (kind = lines_next(&stream->lines, &text, &len)) !=
		       LINES_NONE) {
		/* A line cut before its newline (64 KiB pieces, or gone out
		 * after its 100 ms) may end with an empty one: in json it
		 * says where the line ended; plain needs no empty line the
		 * service never wrote. */
		if (kind == LINES_WHOLE && len == 0 && stream->after_piece &&
		    output->format == LOGFMT_PLAIN)
			;
		else if (fast)
			queue_plain(stream, text, len);
		else
			queue_line(stream, text, len, kind != LINES_WHOLE,
				   &now);
		stream->after_piece = kind == LINES_PIECE;
		ended_one = true;
	}
	if (queued(&stream->queue) > 0)
		list_stream(stream);
	if (kind != LINES_NONE)
		return false;
	/* The 100 ms run from the unfinished line's first byte: they start
	 * again when a line before it ended in this read. */
	if (lines_pending(&stream->lines) == 0)
		deadline_cancel(output->deadlines, &stream->partial_dl);
	else if (ended_one || !deadline_armed(&stream->partial_dl))
		deadline_after(output->deadlines, &stream->partial_dl,
			       OUTPUT_PARTIAL_MS);
	return true;
}

/* Whether the stream's queue is within its bound, once the sink has taken
 * what it takes now: a reader that keeps up never holds a pipe. */
static bool
make_room(struct output_stream *stream)
{
	if (queued(&stream->queue) < stream->sink->owner->limit)
		return true;
	flush_sink(stream->sink);
	return queued(&stream->queue) < stream->sink->owner->limit;
}

/*
 * Frames what the buffer still holds, then reads what the pipe holds, a
 * buffer at a time, while the stream's queue is within its bound (holding
 * the pipe once it is not), and at most OUTPUT_READS buffers a call: a
 * writer as fast as grace cannot keep the loop from everything else; the
 * pipe, still readable, is back at the next turn (stream->more says so).
 * At the stop no writer is left, and the pipe is read to its end.  An
 * ended writer's partial line goes out once the pipe is empty.
 */
static void
pump(struct output_stream *stream)
{
	struct output *output = stream->sink->owner;
	unsigned reads = 0;
	size_t room;
	ssize_t n = 0;
	char *space;

	/* The buffer comes with the first output: a quiet service costs no
	 * memory for it.  Without one, the pipe waits and is tried again. */
	if (stream->lines.buf == NULL &&
	    lines_init(&stream->lines, LINES_MAX) < 0) {
		warn("%s: unable to allocate a buffer for its output",
		     stream->source->name);
		hold_stream(stream);
		deadline_after(output->deadlines, &stream->resume_dl,
			       OUTPUT_RETRY_MS);
		return;
	}
	stream->more = false;
	while (!frame(stream))
		if (!make_room(stream)) {
			hold_stream(stream);
			return;
		}
	for (;;) {
		if (!make_room(stream)) {
			hold_stream(stream);
			return;
		}
		if (!output->finishing && reads++ == OUTPUT_READS) {
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
		while (!frame(stream))
			if (!make_room(stream)) {
				hold_stream(stream);
				return;
			}
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

static void on_writable(int fd, void *ctx);

/* Wakes up when the sink takes more; where its writability cannot be
 * watched (epoll refused it), tries again after OUTPUT_RETRY_MS. */
static void
wait_writable(struct output_sink *sink)
{
	if (sink->waiting)
		return;
	sink->waiting = true;
	if (loop_watch_writable(sink->owner->loop, sink->sink.fd, on_writable,
				sink) == 0)
		return;
	deadline_after(sink->owner->deadlines, &sink->retry_dl,
		       OUTPUT_RETRY_MS);
}

static void
on_retry(struct deadline *deadline, void *ctx)
{
	struct output_sink *sink = ctx;

	(void)deadline;
	sink->waiting = false;
	flush_sink(sink);
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

static void all_written(struct output *output);

/*
 * Writes the queued lines, stream after stream, as much of each stream's
 * queue as a write takes; a line begun is always finished before another
 * stream's starts.  Stops when the sink has no room (and waits for it).
 * A stream whose queue fell within its bound is read again.  Not
 * re-entered: a message grace logs meanwhile is only queued.
 */
static void
flush_sink(struct output_sink *sink)
{
	struct output *output = sink->owner;
	struct output_stream *stream;
	ssize_t n;

	if (sink->flushing)
		return;
	sink->flushing = true;
	while (!sink->waiting && (stream = sink->first) != NULL) {
		n = sink->broken ? (ssize_t)queued(&stream->queue)
				 : sink_write(&sink->sink,
					      stream->queue.data +
						      stream->queue.head,
					      queued(&stream->queue));
		if (n < 0) {
			sink->broken = true;
			errno = (int)-n;
			warn_errno("unable to write services' output to "
				   "descriptor %d", sink == output->sinks
							? STDOUT_FILENO
							: STDERR_FILENO);
			continue;
		}
		if (sink->broken)
			sink->dropped += (unsigned long long)n;
		else if (n > 0 && output->finishing)
			/* The reader takes output: it gets more time. */
			deadline_after(output->deadlines, &output->finish_dl,
				       output->finish_wait_ms);
		stream->queue.head += (size_t)n;
		if (queued(&stream->queue) == 0) {
			stream->queue.head = stream->queue.len = 0;
			unlist_first(sink);
		} else if (n == 0) {
			wait_writable(sink);
		} else if (stream->queue.data[stream->queue.head - 1] == '\n') {
			/* At a line's end: the next stream's turn. */
			unlist_first(sink);
			list_stream(stream);
		}
		if (stream != &output->grace && !stream->reading &&
		    queued(&stream->queue) < output->limit)
			resume_stream(stream);
	}
	sink->flushing = false;
	all_written(output);
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
 * so that none cuts into a line.  A reader that takes nothing makes grace
 * drop its own messages past a bound, never block on them. */
static void
on_grace_message(const char *line, size_t len, void *ctx)
{
	struct output *output = ctx;
	struct output_stream *stream = &output->grace;
	char *room;

	if (queued(&stream->queue) >= 16 * output->limit ||
	    (room = queue_room(&stream->queue, len)) == NULL) {
		stream->sink->dropped += len;
		return;
	}
	memcpy(room, line, len);
	stream->queue.len += len;
	list_stream(stream);
	flush_sink(stream->sink);
}

/* After the relay: grace's last messages, one attempt each that never
 * blocks, whole or not at all where the descriptor allows. */
static void
on_last_message(const char *line, size_t len, void *ctx)
{
	struct output *output = ctx;

	(void)sink_write(&output->err_sink->sink, line, len);
}

/* --- the end ------------------------------------------------------------ */

/* Whether a stream still has something to read or frame. */
static bool
stream_pending(const struct output_stream *stream)
{
	return !stream->reading || stream->more ||
	       deadline_armed(&stream->resume_dl) ||
	       lines_pending(&stream->lines) > 0;
}

/* Whether anything still waits to be read or written. */
static bool
pending(const struct output *output)
{
	size_t i;

	if (output->sinks[0].first != NULL || output->sinks[1].first != NULL)
		return true;
	for (i = 0; i < output->n; i++)
		if (stream_pending(&output->sources[i]->out) ||
		    stream_pending(&output->sources[i]->err))
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
		log_set_writer(on_last_message, output);
		warn("%llu bytes of services' output could not be written",
		     lost);
	}
	output->finished(output->finished_ctx);
}

static void
all_written(struct output *output)
{
	if (output->finishing && !output->ending_all && !pending(output))
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
	output->finish_wait_ms = wait_ms > OUTPUT_FINISH_MIN_MS
					 ? wait_ms
					 : OUTPUT_FINISH_MIN_MS;
	deadline_after(output->deadlines, &output->finish_dl,
		       output->finish_wait_ms);
	/* Every source first: the first's flush must not find the relay
	 * done while the others' pipes still hold lines. */
	output->ending_all = true;
	for (i = 0; i < output->n; i++)
		output_source_ended(output->sources[i]);
	output->ending_all = false;
	all_written(output);
}

static void
free_stream(struct output *output, struct output_stream *stream)
{
	if (stream->reading)
		(void)loop_unwatch(output->loop, stream->rd);
	if (output->deadlines != NULL) {
		deadline_cancel(output->deadlines, &stream->partial_dl);
		deadline_cancel(output->deadlines, &stream->resume_dl);
	}
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

	for (i = 0; i < output->n; i++) {
		free_stream(output, &output->sources[i]->out);
		free_stream(output, &output->sources[i]->err);
		free(output->sources[i]);
	}
	free(output->sources);
	output->sources = NULL;
	output->n = output->cap = 0;
	free(output->grace.queue.data);
	memset(&output->grace.queue, 0, sizeof(output->grace.queue));
	for (i = 0; i < 2; i++) {
		if (output->sinks[i].waiting && output->loop != NULL)
			(void)loop_unwatch(output->loop,
					   output->sinks[i].sink.fd);
		if (output->deadlines != NULL)
			deadline_cancel(output->deadlines,
					&output->sinks[i].retry_dl);
	}
	if (output->deadlines != NULL)
		deadline_cancel(output->deadlines, &output->finish_dl);
	/* The sinks stay open for grace's last lines, until it exits. */
	if (output->sinks_open)
		log_set_writer(on_last_message, output);
}
