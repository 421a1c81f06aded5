/* SPDX-License-Identifier: MIT */
/* Services' output: their pipes, read in lines, labelled, and written to
 * grace's stdout and stderr without ever blocking the loop. */
#ifndef GRACE_OUTPUT_H
#define GRACE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deadline.h"
#include "lines.h"
#include "logfmt.h"
#include "loop.h"
#include "sink.h"

/* The default bound of what waits per stream for a slow reader. */
#define OUTPUT_DEFAULT_BUFFER ((size_t)64 * 1024)
/* The most buffers read from one pipe before the loop's next turn. */
#define OUTPUT_READS 16
/* How long a line may wait for its newline before it goes out as is. */
#define OUTPUT_PARTIAL_MS 100
/* At the stop, the least time a reader that takes nothing is given. */
#define OUTPUT_FINISH_MIN_MS 1000
/* How soon a sink whose writability could not be watched tries again. */
#define OUTPUT_RETRY_MS 100

struct output;

/* What waits to be written: formatted lines, [head, len) of data. */
struct output_queue {
	char *data;
	size_t head, len, cap;
};

/* grace's stdout or stderr, and the streams whose lines wait for it. */
struct output_sink {
	struct output *owner;
	struct sink sink;
	bool waiting;		/* for writability, or for a retry */
	bool broken;		/* a write failed for good: lines dropped */
	bool flushing;		/* flush_sink() runs: messages only queue */
	/* Streams with lines queued, in turn; the first may own the sink
	 * (a line of it partly written, which must end before another). */
	struct output_stream *first, *last;
	struct deadline retry_dl;
	unsigned long long dropped;	/* bytes lost to a broken sink */
};

/* One pipe of one source: its stdout or its stderr. */
struct output_stream {
	struct output_source *source;
	struct output_sink *sink;
	bool is_stderr;
	int rd, wr;		/* grace reads rd; the processes write wr */
	bool reading;		/* watched (not held back by a full queue) */
	bool ended;		/* the writer exited: send a partial line */
	bool after_piece;	/* the last line out was cut before its end */
	bool more;		/* the last pump stopped before the pipe's end */
	struct deadline resume_dl;	/* read again, from the loop */
	struct lines lines;
	struct output_queue queue;
	struct output_stream *next;	/* on the sink's list */
	bool listed;
	struct deadline partial_dl;	/* a partial line's 100 ms */
};

/* What one service (or the main process, with --log-main) writes. */
struct output_source {
	char name[72];
	char prefix[72 + 8];	/* "NAME<padding> | ", plain lines' label */
	size_t prefix_len;
	struct output_stream out, err;
	unsigned users;		/* services and jobs writing to it */
};

struct output {
	struct loop *loop;
	struct deadlines *deadlines;
	enum logfmt_format format;
	bool time;		/* --log-time */
	size_t limit;		/* --log-buffer */
	size_t width;		/* the longest name */
	struct output_source **sources;
	size_t n, cap;
	struct output_sink sinks[2];	/* stdout, stderr */
	struct output_sink *err_sink;	/* sinks[1], or [0]: the same file */
	bool sinks_open;
	bool started;		/* output_start() was called */
	bool shared;		/* and the sinks are shared */
	/* grace's own messages, when lines are relayed to stderr */
	struct output_stream grace;
	struct output_source grace_source;
	/* output_finish(): everything is written, or the wait is over */
	bool finishing;
	bool ending_all;	/* output_finish() ends every source */
	void (*finished)(void *ctx);
	void *finished_ctx;
	struct deadline finish_dl;	/* a reader that takes nothing */
	long finish_wait_ms;
};

/* An empty relay: no source, no descriptor. */
void output_init(struct output *output, enum logfmt_format format,
		 bool time, size_t limit);
/* Loop watches and deadlines the relay needs for n sources. */
size_t output_watches_needed(size_t n);
size_t output_deadlines_needed(size_t n);
/* Adds a source named name, with its two pipes (or takes back an unused
 * one of that name); once the relay runs (gracectl reload adds a
 * service), they are read at once.  NULL with errno set when it
 * cannot. */
struct output_source *output_add(struct output *output, const char *name);
/* Opens grace's stdout and stderr for writing without blocking (shared:
 * other processes write to them too, the main command or services with
 * StandardOutput=inherit), and starts reading every source. */
void output_start(struct output *output, struct loop *loop,
		  struct deadlines *deadlines, bool shared);
/* One more user of source (a changed job beside its old self); one
 * fewer (NULL: none).  A source no one uses keeps its pipes, for the next
 * output_add() of its name. */
void output_share(struct output_source *source);
void output_release(struct output_source *source);
/* The descriptors a process of the source gets as stdout and stderr. */
int output_stdout_fd(const struct output_source *source);
int output_stderr_fd(const struct output_source *source);
/* The source's process has exited: what it wrote, up to a partial line,
 * goes out. */
void output_source_ended(struct output_source *source);
/* No process is left: reads what is still in the pipes and writes it
 * all, then calls finished(ctx); gives up on a reader that takes nothing
 * for wait_ms (at least OUTPUT_FINISH_MIN_MS), saying how much was lost.
 * At once when nothing waits. */
void output_finish(struct output *output, long wait_ms,
		   void (*finished)(void *ctx), void *ctx);
/* Closes the pipes and frees the memory; grace's last messages go to its
 * stderr with one attempt each that never blocks (the descriptor stays
 * open for them until grace exits). */
void output_free(struct output *output);

#endif
