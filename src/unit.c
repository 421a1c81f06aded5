// SPDX-License-Identifier: MIT
/* Owns service specs: unit files, Procfile entries and --service one-liners
 * parsed into struct unit, with their time spans and command lines. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "number.h"
#include "sig.h"
#include "unit.h"

/* Bounds that keep a broken or hostile file from exhausting memory: the
 * words of one command line, the bytes of one word, one logical line. */
#define UNIT_WORDS_MAX 4096
#define UNIT_WORD_MAX  65536
#define UNIT_LINE_MAX  1048576
/* unit_parse_duration() counts in microseconds, up to a year. */
#define UNIT_SPAN_MAX_US (365LL * 24 * 3600 * 1000 * 1000)

/* The sections a key may appear in. */
#define SECTION_UNIT	0x1u
#define SECTION_SERVICE 0x2u
#define SECTION_INSTALL 0x4u
#define SECTION_IGNORED 0x8u	/* [X-...]: every key ignored */

/* What split_words() does beyond quotes and C escapes. */
#define SPLIT_EXPAND 0x1u	/* "%%" specifiers, $ expansion, lone ';' */

/* A growing NUL-terminated string. */
struct unit_buf {
	char *text;
	size_t len, cap;
};

/* A growing NULL-terminated array of malloc'ed words. */
struct unit_argv {
	char **words;
	size_t n, cap;
};

/* One command line being split (see unit_split_command()). */
struct unit_splitter {
	unsigned flags;
	unit_lookup_fn *lookup;
	void *ctx;
	struct unit_buf word;		/* unquoted and unescaped */
	struct unit_buf expanded;	/* the same after ${NAME} and $$ */
	struct unit_argv out;
	char *error;
	size_t error_len;
};

/* One unit file being parsed: where we are, and the lines of the keys the
 * checks after parsing talk about. */
struct unit_parser {
	struct unit *unit;
	const char *source;
	char *error;
	size_t error_len;
	unsigned section;		/* SECTION_*, 0 before the first */
	const char *section_name;
	int line;			/* where the assignment starts */
	int type_line, restart_line, ready_fd_line, check_line;
	int exec_start_line;		/* the last ExecStart=, even empty */
	bool timeout_start_set;		/* TimeoutStartSec= or TimeoutSec= */
	bool essential_set;
	int overlap_line, timezone_line;
	int last_line;			/* the file's last line */
};


static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* [A-Za-z_][A-Za-z0-9_]*: a variable name as a shell takes it. */
static bool
valid_var_name(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || is_digit(name[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!is_alpha(name[i]) && !is_digit(name[i]) && name[i] != '_')
			return false;
	return true;
}


/* Cuts the blanks off both ends of text, in place. */
char *
unit_trim(char *text)
{
	size_t len;

	while (is_blank(*text))
		text++;
	len = strlen(text);
	while (len > 0 && is_blank(text[len - 1]))
		len--;
	text[len] = '\0';
	return text;
}

/* Appends len bytes; -ENOMEM leaves buf as it was. */
static int
buf_push(struct unit_buf *buf, const char *text, size_t len)
{
	size_t cap = buf->cap ? buf->cap : 64;
	char *grown;

	if (len > SIZE_MAX / 4 - buf->len)
		return -ENOMEM;
	while (cap < buf->len + len + 1)
		cap *= 2;
	if (cap != buf->cap) {
		grown = realloc(buf->text, cap);
		if (grown == NULL)
			return -ENOMEM;
		buf->text = grown;
		buf->cap = cap;
	}
	if (len > 0)
		memcpy(buf->text + buf->len, text, len);
	buf->len += len;
	buf->text[buf->len] = '\0';
	return 0;
}

static char *
copy_text(const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return NULL;
	if (len > 0)
		memcpy(copy, text, len);
	copy[len] = '\0';
	return copy;
}

/* Replaces item's text with a copy of text; -ENOMEM leaves it as it was. */
static int
item_set(struct unit_item *item, const char *text, int line)
{
	char *copy = copy_text(text, strlen(text));

	if (copy == NULL)
		return -ENOMEM;
	free(item->text);
	item->text = copy;
	item->line = line;
	return 0;
}

static void
item_clear(struct unit_item *item)
{
	free(item->text);
	item->text = NULL;
	item->line = 0;
}

static int
list_append(struct unit_list *list, const char *text, size_t len, int line)
{
	struct unit_item *grown;
	size_t cap;

	if (list->n == list->cap) {
		cap = list->cap ? list->cap * 2 : 4;
		grown = realloc(list->items, cap * sizeof(*grown));
		if (grown == NULL)
			return -ENOMEM;
		list->items = grown;
		list->cap = cap;
	}
	list->items[list->n].text = copy_text(text, len);
	if (list->items[list->n].text == NULL)
		return -ENOMEM;
	list->items[list->n++].line = line;
	return 0;
}

static void
list_free(struct unit_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->items[i].text);
	free(list->items);
	list->items = NULL;
	list->n = list->cap = 0;
}

void
unit_free_argv(char **argv)
{
	char **word;

	if (argv == NULL)
		return;
	for (word = argv; *word != NULL; word++)
		free(*word);
	free(argv);
}

/* Adds a copy of a word, keeping the array NULL-terminated; -1 with the
 * error set past UNIT_WORDS_MAX words or without memory. */
static int
argv_push(struct unit_splitter *s, const char *text, size_t len)
{
	struct unit_argv *out = &s->out;
	char **grown;
	size_t cap;

	if (out->n >= UNIT_WORDS_MAX) {
		format_line(s->error, s->error_len, "more than %d arguments",
			  UNIT_WORDS_MAX);
		return -1;
	}
	if (out->n + 1 >= out->cap) {
		cap = out->cap ? out->cap * 2 : 8;
		grown = realloc(out->words, cap * sizeof(*grown));
		if (grown == NULL)
			goto oom;
		out->words = grown;
		out->cap = cap;
	}
	out->words[out->n] = copy_text(text, len);
	if (out->words[out->n] == NULL)
		goto oom;
	out->words[++out->n] = NULL;
	return 0;
oom:
	format_line(s->error, s->error_len, "out of memory");
	return -1;
}

/* Adds len bytes to a word being built, up to UNIT_WORD_MAX. */
static int
word_push(struct unit_splitter *s, struct unit_buf *word, const char *text,
	  size_t len)
{
	if (word->len + len > UNIT_WORD_MAX) {
		format_line(s->error, s->error_len,
			  "an argument is longer than %d bytes", UNIT_WORD_MAX);
		return -1;
	}
	if (buf_push(word, text, len) < 0) {
		format_line(s->error, s->error_len, "out of memory");
		return -1;
	}
	return 0;
}

static int
hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The one-letter escapes, and what each stands for.  "\;" is systemd's
 * way of writing a semicolon that is not a command separator. */
static const char unit_escapes[][2] = {
	{ 'a', '\a' }, { 'b', '\b' }, { 'f', '\f' }, { 'n', '\n' },
	{ 'r', '\r' }, { 't', '\t' }, { 'v', '\v' }, { '\\', '\\' },
	{ '"', '"' },  { '\'', '\'' }, { 's', ' ' }, { ' ', ' ' },
	{ '\t', '\t' }, { ';', ';' },
};

/*
 * Reads the escape just past a backslash into *c: a letter of
 * unit_escapes, \xNN or \NNN (octal).  Returns how many characters it
 * took, or -1 with the error set; a NUL byte cannot be in an argument, so
 * \x00 is an error too.
 */
static int
read_escape(struct unit_splitter *s, const char *text, char *c)
{
	const char *hint = "";
	size_t i;
	int value, hi, lo;

	for (i = 0; i < sizeof(unit_escapes) / sizeof(unit_escapes[0]); i++) {
		if (text[0] == unit_escapes[i][0]) {
			*c = unit_escapes[i][1];
			return 1;
		}
	}
	if (text[0] == 'x') {
		hi = hex_digit(text[1]);
		lo = hi < 0 ? -1 : hex_digit(text[2]);
		if (lo < 0) {
			format_line(s->error, s->error_len,
				  "\\x wants two hex digits");
			return -1;
		}
		value = hi * 16 + lo;
	} else if (text[0] >= '0' && text[0] <= '7') {
		if (text[1] < '0' || text[1] > '7' || text[2] < '0' ||
		    text[2] > '7') {
			format_line(s->error, s->error_len,
				  "an octal escape wants three digits");
			return -1;
		}
		value = (text[0] - '0') * 64 + (text[1] - '0') * 8 +
			(text[2] - '0');
		if (value > 0xff) {
			format_line(s->error, s->error_len,
				  "octal escape \\%.3s is past \\377", text);
			return -1;
		}
	} else if (text[0] == '\0') {
		format_line(s->error, s->error_len, "a backslash ends the text");
		return -1;
	} else {
		if (text[0] == '$' && (s->flags & SPLIT_EXPAND))
			hint = " (write $$ for a dollar sign)";
		else if (text[0] == '%' && (s->flags & SPLIT_EXPAND))
			hint = " (write %% for a percent sign)";
		format_line(s->error, s->error_len, "unknown escape \\%c%s",
			  text[0], hint);
		return -1;
	}
	if (value == 0) {
		format_line(s->error, s->error_len,
			  "\\%.3s would put a NUL byte in an argument", text);
		return -1;
	}
	*c = (char)value;
	return 3;
}

/* Pushes the value of a whole-word $NAME, split at blanks: zero or more
 * words. */
static int
push_split_value(struct unit_splitter *s, const char *value)
{
	size_t len;

	for (;;) {
		while (is_blank(*value))
			value++;
		if (*value == '\0')
			return 0;
		for (len = 0; value[len] != '\0' && !is_blank(value[len]);
		     len++)
			;
		if (len > UNIT_WORD_MAX) {
			format_line(s->error, s->error_len,
				  "an argument is longer than %d bytes",
				  UNIT_WORD_MAX);
			return -1;
		}
		if (argv_push(s, value, len) < 0)
			return -1;
		value += len;
	}
}

static const char *
lookup(struct unit_splitter *s, const char *name, size_t len)
{
	return s->lookup != NULL ? s->lookup(name, len, s->ctx) : NULL;
}

/*
 * The second pass over a word, once quotes and escapes are gone, as
 * systemd does it when it runs the command: a word that is exactly $NAME
 * becomes the value split at blanks; ${NAME} anywhere becomes the value as
 * it is; "$$" becomes '$'.  Any other '$' (a lone one, "$1", a $NAME inside
 * a longer word) stays as written.  An unterminated "${" or one whose name
 * is not a variable name is an error rather than a silent empty value, so
 * that a shell snippet's ${#x} is noticed (write $${#x}).
 */
static int
expand_word(struct unit_splitter *s)
{
	const char *w = s->word.text, *end, *value, *dollar;
	size_t len = s->word.len, i = 0;

	if (len >= 2 && w[0] == '$' && valid_var_name(w + 1, len - 1)) {
		value = lookup(s, w + 1, len - 1);
		return value != NULL ? push_split_value(s, value) : 0;
	}
	s->expanded.len = 0;
	if (word_push(s, &s->expanded, "", 0) < 0)
		return -1;
	while (i < len) {
		dollar = memchr(w + i, '$', len - i);
		if (dollar == NULL || dollar != w + i) {
			end = dollar != NULL ? dollar : w + len;
			if (word_push(s, &s->expanded, w + i,
				      (size_t)(end - (w + i))) < 0)
				return -1;
			i = (size_t)(end - w);
			continue;
		}
		if (i + 1 < len && w[i + 1] == '{') {
			end = memchr(w + i + 2, '}', len - i - 2);
			if (end == NULL) {
				format_line(s->error, s->error_len,
					  "unterminated ${ (write $$ for a "
					  "dollar sign)");
				return -1;
			}
			if (!valid_var_name(w + i + 2,
					    (size_t)(end - (w + i + 2)))) {
				format_line(s->error, s->error_len,
					  "invalid variable name in '%.*s' "
					  "(write $$ for a dollar sign)",
					  (int)(end - (w + i) + 1), w + i);
				return -1;
			}
			value = lookup(s, w + i + 2,
				       (size_t)(end - (w + i + 2)));
			if (value != NULL && word_push(s, &s->expanded, value,
						       strlen(value)) < 0)
				return -1;
			i = (size_t)(end - w) + 1;
			continue;
		}
		if (word_push(s, &s->expanded, "$", 1) < 0)
			return -1;
		/* "$$" is one '$'; any other '$' is itself. */
		i += (i + 1 < len && w[i + 1] == '$') ? 2 : 1;
	}
	return argv_push(s, s->expanded.text, s->expanded.len);
}

/* The text of a '%' specifier is an error unless it is "%%": grace has no
 * unit instances or hosts to put in its place. */
static int
read_specifier(struct unit_splitter *s, const char *text)
{
	if (text[1] == '%')
		return 0;
	if (text[1] == '\0')
		format_line(s->error, s->error_len,
			  "a lone %% ends the text (write %%%% for a percent "
			  "sign)");
	else
		format_line(s->error, s->error_len,
			  "unknown specifier %%%c (write %%%% for a percent "
			  "sign)", text[1]);
	return -1;
}

/*
 * The first pass: cuts text into words at blanks, drops quotes (which may
 * start anywhere in a word and, as in systemd, do not stop escapes) and
 * reads escapes; with SPLIT_EXPAND also "%%" and then expand_word().
 *
 * systemd reads a lone ';' as the end of one command and the start of the
 * next; grace runs one command per service, so there it is an error
 * rather than a literal argument that would surprise someone moving a
 * unit over.  "\;" or ";" in quotes is a semicolon.
 */
static int
split_words(struct unit_splitter *s, const char *text)
{
	const char *p = text;
	char quote, c;
	bool lone_semicolon;
	int n;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			return 0;
		lone_semicolon = p[0] == ';' &&
				 (p[1] == '\0' || is_blank(p[1]));
		s->word.len = 0;
		if (word_push(s, &s->word, "", 0) < 0)
			return -1;
		quote = '\0';
		while (*p != '\0' && (quote != '\0' || !is_blank(*p))) {
			c = *p;
			if (quote == '\0' && (c == '"' || c == '\'')) {
				quote = c;
				p++;
				continue;
			}
			if (c == quote) {
				quote = '\0';
				p++;
				continue;
			}
			if (c == '\\') {
				n = read_escape(s, p + 1, &c);
				if (n < 0)
					return -1;
				p += 1 + n;
			} else if (c == '%' && (s->flags & SPLIT_EXPAND)) {
				if (read_specifier(s, p) < 0)
					return -1;
				p += 2;
			} else {
				p++;
			}
			if (word_push(s, &s->word, &c, 1) < 0)
				return -1;
		}
		if (quote != '\0') {
			format_line(s->error, s->error_len,
				  "missing closing %c quote", quote);
			return -1;
		}
		if (!(s->flags & SPLIT_EXPAND)) {
			if (argv_push(s, s->word.text, s->word.len) < 0)
				return -1;
			continue;
		}
		if (lone_semicolon) {
			format_line(s->error, s->error_len,
				  "';' separates commands, and grace runs one "
				  "per service (write \\; for a semicolon)");
			return -1;
		}
		if (expand_word(s) < 0)
			return -1;
	}
}

/* Runs split_words() and hands over its words; *argv is NULL on error.
 * An empty command is an error only with SPLIT_EXPAND. */
static int
split_text(const char *text, unsigned flags, unit_lookup_fn *lookup_fn,
	   void *ctx, char ***argv, char *error, size_t error_len)
{
	struct unit_splitter s = {
		.flags = flags, .lookup = lookup_fn, .ctx = ctx,
		.error = error, .error_len = error_len,
	};
	int r;

	*argv = NULL;
	r = split_words(&s, text);
	free(s.word.text);
	free(s.expanded.text);
	if (r == 0 && s.out.n == 0 && (flags & SPLIT_EXPAND)) {
		format_line(error, error_len, "no command");
		r = -1;
	}
	if (r == 0 && s.out.words == NULL) {
		s.out.words = calloc(1, sizeof(char *));
		if (s.out.words == NULL) {
			format_line(error, error_len, "out of memory");
			r = -1;
		}
	}
	if (r < 0) {
		unit_free_argv(s.out.words);
		/* cppcheck does not see unit_free_argv() free s.out. */
		// cppcheck-suppress memleak
		return -1;
	}
	*argv = s.out.words;
	return 0;
}

int
unit_split_command(const char *text, unit_lookup_fn *lookup_fn, void *ctx,
		   char ***argv, char *error, size_t error_len)
{
	return split_text(text, SPLIT_EXPAND, lookup_fn, ctx, argv, error,
			  error_len);
}

/* While parsing, every variable is set and empty: what splits then splits
 * whatever the environment turns out to be, quoting errors included. */
static const char *
lookup_empty(const char *name, size_t len, void *ctx)
{
	(void)name;
	(void)len;
	(void)ctx;
	return "";
}

/* Whether a command line splits; -1 with the reason in error if not. */
static int
check_command(const char *text, char *error, size_t error_len)
{
	char **argv;

	if (unit_split_command(text, lookup_empty, NULL, &argv, error,
			       error_len) < 0)
		return -1;
	unit_free_argv(argv);
	return 0;
}

/* The units of a time span, as systemd.time(7) spells them, in
 * microseconds. */
static const struct {
	const char *name;
	long long us;
} unit_spans[] = {
	{ "us", 1 },
	{ "usec", 1 },
	{ "ms", 1000 },
	{ "msec", 1000 },
	{ "s", 1000000 },
	{ "sec", 1000000 },
	{ "second", 1000000 },
	{ "seconds", 1000000 },
	{ "m", 60LL * 1000000 },
	{ "min", 60LL * 1000000 },
	{ "minute", 60LL * 1000000 },
	{ "minutes", 60LL * 1000000 },
	{ "h", 3600LL * 1000000 },
	{ "hr", 3600LL * 1000000 },
	{ "hour", 3600LL * 1000000 },
	{ "hours", 3600LL * 1000000 },
	{ "d", 86400LL * 1000000 },
	{ "day", 86400LL * 1000000 },
	{ "days", 86400LL * 1000000 },
	{ "w", 7 * 86400LL * 1000000 },
	{ "week", 7 * 86400LL * 1000000 },
	{ "weeks", 7 * 86400LL * 1000000 },
};

/* The microseconds of a unit name of len letters; 0 when unknown. */
static long long
span_unit(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(unit_spans) / sizeof(unit_spans[0]); i++)
		if (strlen(unit_spans[i].name) == len &&
		    memcmp(unit_spans[i].name, name, len) == 0)
			return unit_spans[i].us;
	return 0;
}

/*
 * Parts such as "1.5h", "30 s" or "250" (seconds) add up; a part without
 * a unit must end at a blank or the end of the text.  Fractions finer than
 * a microsecond are dropped, as systemd drops them; the total in
 * microseconds rounds up to a whole millisecond.
 */
int
unit_parse_duration(const char *text, long long *ms)
{
	long long total = 0, whole, part, scale, us;
	const char *p = text, *frac, *number_end;
	size_t n, frac_len;

	while (is_blank(*p))
		p++;
	for (n = strlen(p); n > 0 && is_blank(p[n - 1]); n--)
		;
	if (n == 8 && memcmp(p, "infinity", 8) == 0) {
		*ms = UNIT_INFINITY;
		return 0;
	}
	if (n == 0)
		return -1;
	while (*p != '\0') {
		for (whole = 0, n = 0; is_digit(*p); p++, n++) {
			whole = whole * 10 + (*p - '0');
			if (whole > UNIT_SPAN_MAX_US)
				return -1;
		}
		frac = p;
		frac_len = 0;
		if (*p == '.') {
			for (frac = ++p; is_digit(*p); p++)
				frac_len++;
		}
		if (n == 0 && frac_len == 0)
			return -1;
		number_end = p;
		while (is_blank(*p))
			p++;
		for (n = 0; is_alpha(p[n]); n++)
			;
		if (n == 0 && p == number_end && *p != '\0')
			return -1;	/* "1.5.3", "5-" */
		us = n == 0 ? 1000000 : span_unit(p, n);
		if (us == 0 || whole > UNIT_SPAN_MAX_US / us)
			return -1;
		part = whole * us;
		for (scale = us / 10; frac_len > 0; frac++, frac_len--) {
			part += (*frac - '0') * scale;
			scale /= 10;
		}
		total += part;
		if (total > UNIT_SPAN_MAX_US)
			return -1;
		p += n;
		while (is_blank(*p))
			p++;
	}
	*ms = (total + 999) / 1000;
	return 0;
}

bool
unit_valid_name(const char *name)
{
	size_t len = strlen(name), i;
	char c;

	if (len == 0 || len > UNIT_NAME_MAX || name[0] == '.' ||
	    name[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		c = name[i];
		if (!is_alpha(c) && !is_digit(c) && strchr("_.@:-", c) == NULL)
			return false;
	}
	return true;
}

const char *
unit_overlap_name(enum unit_overlap overlap)
{
	switch (overlap) {
	case UNIT_OVERLAP_SKIP:
		return "skip";
	case UNIT_OVERLAP_ALLOW:
		return "allow";
	case UNIT_OVERLAP_REPLACE:
		return "replace";
	}
	return "unknown";
}

const char *
unit_type_name(enum unit_type type)
{
	switch (type) {
	case UNIT_SIMPLE:
		return "simple";
	case UNIT_NOTIFY:
		return "notify";
	case UNIT_ONESHOT:
		return "oneshot";
	case UNIT_FORKING:
		return "forking";
	}
	return "unknown";
}

const char *
unit_restart_name(enum unit_restart restart)
{
	switch (restart) {
	case UNIT_RESTART_NO:
		return "no";
	case UNIT_RESTART_ON_FAILURE:
		return "on-failure";
	case UNIT_RESTART_ALWAYS:
		return "always";
	}
	return "unknown";
}

int
unit_init(struct unit *unit, const char *name, const char *source)
{
	size_t len = name != NULL ? strnlen(name, UNIT_NAME_MAX) : 0;

	memset(unit, 0, sizeof(*unit));
	if (len > 0)
		memcpy(unit->name, name, len);
	unit->name[len] = '\0';
	unit->source = copy_text(source != NULL ? source : "",
				 source != NULL ? strlen(source) : 0);
	if (unit->source == NULL)
		return -ENOMEM;
	unit->type = UNIT_SIMPLE;
	unit->restart = UNIT_RESTART_NO;
	unit->restart_ms = 100;
	unit->restart_steps = 0;
	unit->restart_max_delay_ms = UNIT_INFINITY;
	unit->start_limit_burst = 5;
	unit->start_limit_interval_ms = 10000;
	unit->essential = true;
	unit->success_signals = 0;
	unit->kill_signal = SIGTERM;
	unit->timeout_stop_ms = 10000;
	unit->kill_mode = UNIT_KILL_CONTROL_GROUP;
	unit->timeout_start_ms = 90000;
	unit->ready_fd = -1;
	unit->check = UNIT_CHECK_NONE;
	unit->check_interval_ms = 1000;
	unit->umask = -1;
	unit->no_new_privs = false;
	return 0;
}

void
unit_free(struct unit *unit)
{
	free(unit->source);
	unit->source = NULL;
	free(unit->description);
	unit->description = NULL;
	list_free(&unit->after);
	list_free(&unit->requires);
	list_free(&unit->wants);
	item_clear(&unit->exec_start);
	item_clear(&unit->pidfile);
	item_clear(&unit->check_target);
	item_clear(&unit->user);
	item_clear(&unit->group);
	item_clear(&unit->working_dir);
	list_free(&unit->environment);
	list_free(&unit->environment_files);
	item_clear(&unit->schedule_text);
	item_clear(&unit->timezone);
}

int
unit_set_item(struct unit_item *item, const char *text, int line)
{
	return item_set(item, text, line);
}

int
unit_list_add(struct unit_list *list, const char *text, size_t len, int line)
{
	return list_append(list, text, len, line);
}

int
unit_check_command(const char *text, char *error, size_t error_len)
{
	return check_command(text, error, error_len);
}

/* "SOURCE:LINE: invalid Key= 'value' (what is wanted)"; returns -1. */
static int
bad_value(struct unit_parser *p, const char *key, const char *value,
	  const char *want)
{
	format_line(p->error, p->error_len, "%s:%d: invalid %s= '%s' (%s)",
		  p->source, p->line, key, value, want);
	return -1;
}

static int
out_of_memory(struct unit_parser *p)
{
	format_line(p->error, p->error_len, "%s:%d: out of memory", p->source,
		  p->line);
	return -1;
}

/* Parses a span for key; infinity only when allowed.  0, or -1. */
static int
parse_span(struct unit_parser *p, const char *key, const char *value,
	   bool infinity, long long *ms)
{
	long long parsed;

	if (unit_parse_duration(value, &parsed) < 0 ||
	    (!infinity && parsed == UNIT_INFINITY))
		return bad_value(p, key, value,
				 infinity ? "want a time span such as 5s, "
					    "100ms or infinity"
					  : "want a time span such as 5s or "
					    "100ms");
	*ms = parsed;
	return 0;
}

/* systemd's booleans, any case. */
int
unit_parse_bool(const char *value, bool *out)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
	static const char *const no[] = { "0", "no", "n", "false", "f", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int
parse_bool(struct unit_parser *p, const char *key, const char *value,
	   bool *out)
{
	if (unit_parse_bool(value, out) == 0)
		return 0;
	return bad_value(p, key, value, "want yes or no");
}

/* The index of value in names (NULL-terminated), or -1. */
static int
find_word(const char *const *names, const char *value)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], value) == 0)
			return i;
	return -1;
}

static int
parse_description(struct unit_parser *p, const char *key, char *value)
{
	char *copy = NULL;

	(void)key;
	if (*value != '\0') {
		copy = copy_text(value, strlen(value));
		if (copy == NULL)
			return out_of_memory(p);
	}
	free(p->unit->description);
	p->unit->description = copy;
	return 0;
}

/* After=, Requires=, Wants=: service names, a ".service" suffix dropped;
 * each assignment adds to the list, an empty one empties it. */
static int
parse_names(struct unit_parser *p, const char *key, char *value)
{
	static const char suffix[] = ".service";
	struct unit_list *list = strcmp(key, "After") == 0 ? &p->unit->after
				 : strcmp(key, "Requires") == 0
					 ? &p->unit->requires
					 : &p->unit->wants;
	char *name, *save = NULL;
	size_t len;

	if (*value == '\0') {
		list_free(list);
		return 0;
	}
	for (name = strtok_r(value, " \t", &save); name != NULL;
	     name = strtok_r(NULL, " \t", &save)) {
		len = strlen(name);
		if (len > sizeof(suffix) - 1 &&
		    strcmp(name + len - (sizeof(suffix) - 1), suffix) == 0)
			name[len - (sizeof(suffix) - 1)] = '\0';
		if (!unit_valid_name(name))
			return bad_value(p, key, name,
					 "want service names such as web or "
					 "web.service");
		if (list_append(list, name, strlen(name), p->line) < 0)
			return out_of_memory(p);
	}
	return 0;
}

static int
parse_start_limit_burst(struct unit_parser *p, const char *key, char *value)
{
	unsigned long long n;

	if (number_parse(value, strlen(value), UNIT_MAX_BURST, &n) < 0)
		return bad_value(p, key, value,
				 "want a number from 0 to 1000; 0 disables "
				 "the limit");
	p->unit->start_limit_burst = (unsigned)n;
	return 0;
}

/* 0 and infinity both switch the start limit off. */
static int
parse_start_limit_interval(struct unit_parser *p, const char *key,
			   char *value)
{
	long long ms;

	if (parse_span(p, key, value, true, &ms) < 0)
		return -1;
	p->unit->start_limit_interval_ms = ms == UNIT_INFINITY ? 0 : ms;
	return 0;
}

static int
parse_type(struct unit_parser *p, const char *key, char *value)
{
	static const char *const names[] = { "simple", "notify", "oneshot",
					     "forking", NULL };
	int i = find_word(names, value);

	if (i < 0)
		return bad_value(p, key, value,
				 "grace accepts simple, notify, oneshot or "
				 "forking");
	p->unit->type = (enum unit_type)i;
	p->type_line = p->line;
	return 0;
}

/*
 * ExecStart=: kept as written, less a '-' prefix (a failure counts as
 * success), and checked to split so that a quoting error names this line;
 * the plan splits it again once the environment is known.  An empty
 * assignment forgets an earlier one, as in a systemd drop-in.
 */
static int
parse_exec_start(struct unit_parser *p, const char *key, char *value)
{
	struct unit *unit = p->unit;
	bool ignore_failure = false;
	char why[256];

	(void)key;
	p->exec_start_line = p->line;
	if (*value == '\0') {
		item_clear(&unit->exec_start);
		unit->exec_ignore_failure = false;
		return 0;
	}
	for (; *value != '\0' && strchr("-@:+!|", *value) != NULL; value++) {
		if (*value != '-') {
			format_line(p->error, p->error_len,
				  "%s:%d: ExecStart= prefix %c is not "
				  "supported", p->source, p->line, *value);
			return -1;
		}
		ignore_failure = true;
	}
	if (unit->exec_start.text != NULL) {
		format_line(p->error, p->error_len,
			  "%s:%d: ExecStart= given twice: grace runs one "
			  "command per service", p->source, p->line);
		return -1;
	}
	if (check_command(value, why, sizeof(why)) < 0) {
		format_line(p->error, p->error_len,
			  "%s:%d: invalid ExecStart=: %s", p->source, p->line,
			  why);
		return -1;
	}
	if (item_set(&unit->exec_start, value, p->line) < 0)
		return out_of_memory(p);
	unit->exec_ignore_failure = ignore_failure;
	return 0;
}

/* A relative PIDFile= is under /run, as systemd.service(5) says. */
static int
parse_pidfile(struct unit_parser *p, const char *key, char *value)
{
	struct unit_buf path = { 0 };
	int r;

	(void)key;
	if (*value == '\0') {
		item_clear(&p->unit->pidfile);
		return 0;
	}
	if ((value[0] != '/' && buf_push(&path, "/run/", 5) < 0) ||
	    buf_push(&path, value, strlen(value)) < 0) {
		free(path.text);
		return out_of_memory(p);
	}
	r = item_set(&p->unit->pidfile, path.text, p->line);
	free(path.text);
	return r < 0 ? out_of_memory(p) : 0;
}

static int
parse_restart(struct unit_parser *p, const char *key, char *value)
{
	static const char *const names[] = { "no", "on-failure", "always",
					     NULL };
	int i = find_word(names, value);

	if (i < 0)
		return bad_value(p, key, value,
				 "grace accepts no, on-failure or always");
	p->unit->restart = (enum unit_restart)i;
	p->restart_line = p->line;
	return 0;
}

static int
parse_restart_sec(struct unit_parser *p, const char *key, char *value)
{
	return parse_span(p, key, value, false, &p->unit->restart_ms);
}

static int
parse_restart_max_delay(struct unit_parser *p, const char *key, char *value)
{
	return parse_span(p, key, value, true,
			  &p->unit->restart_max_delay_ms);
}

static int
parse_restart_steps(struct unit_parser *p, const char *key, char *value)
{
	unsigned long long n;

	if (number_parse(value, strlen(value), 1000, &n) < 0)
		return bad_value(p, key, value, "want a number from 0 to 1000");
	p->unit->restart_steps = (unsigned)n;
	return 0;
}

static int
parse_essential(struct unit_parser *p, const char *key, char *value)
{
	p->essential_set = true;
	return parse_bool(p, key, value, &p->unit->essential);
}

/* Schedule=: cron's fields, an @name or @every; makes the unit a job. */
static int
parse_schedule(struct unit_parser *p, const char *key, char *value)
{
	char why[256];

	if (schedule_parse(&p->unit->schedule, value, NULL, why,
			   sizeof(why)) < 0)
		return bad_value(p, key, value, why);
	if (item_set(&p->unit->schedule_text, value, p->line) < 0)
		return out_of_memory(p);
	p->unit->is_job = true;
	return 0;
}

/* Timezone=: a zone name, loaded (and checked) with the plan. */
static int
parse_timezone(struct unit_parser *p, const char *key, char *value)
{
	if (*value == '\0') {
		item_clear(&p->unit->timezone);
		return 0;
	}
	if (strlen(value) > 64)
		return bad_value(p, key, value, "a zone name is shorter");
	p->timezone_line = p->line;
	if (item_set(&p->unit->timezone, value, p->line) < 0)
		return out_of_memory(p);
	return 0;
}

static int
parse_overlap(struct unit_parser *p, const char *key, char *value)
{
	static const char *const names[] = { "skip", "allow", "replace",
					     NULL };
	int i = find_word(names, value);

	if (i < 0)
		return bad_value(p, key, value,
				 "grace accepts skip, allow or replace");
	p->overlap_line = p->line;
	p->unit->overlap = (enum unit_overlap)i;
	return 0;
}

/*
 * SuccessExitStatus=: numbers are exit codes, names are signals ("TERM",
 * "SIGKILL"); each assignment adds, an empty one empties.  Checked whole
 * before anything is set.  success_signals holds bits 1 to 63, so
 * SIGRTMAX (64) cannot be named.
 */
static int
parse_success_status(struct unit_parser *p, const char *key, char *value)
{
	static const char want[] =
		"want exit codes from 0 to 255 or signal names such as "
		"SIGTERM";
	struct unit *unit = p->unit;
	char *word, *save = NULL;
	unsigned long long code;
	int sig;

	if (*value == '\0') {
		memset(unit->success_code, 0, sizeof(unit->success_code));
		unit->success_signals = 0;
		return 0;
	}
	for (word = strtok_r(value, " \t", &save); word != NULL;
	     word = strtok_r(NULL, " \t", &save)) {
		if (is_digit(word[0])) {
			if (number_parse(word, strlen(word), 255, &code) < 0)
				return bad_value(p, key, word, want);
			unit->success_code[code] = true;
			continue;
		}
		sig = sig_from_name(word);
		if (sig < 1 || sig > 63)
			return bad_value(p, key, word, want);
		unit->success_signals |= UINT64_C(1) << sig;
	}
	return 0;
}

static int
parse_kill_signal(struct unit_parser *p, const char *key, char *value)
{
	int sig = sig_from_name(value);

	if (sig < 1 || sig > SIGRTMAX)
		return bad_value(p, key, value,
				 "want a signal such as SIGTERM or 15");
	p->unit->kill_signal = sig;
	return 0;
}

/* TimeoutStartSec=, TimeoutStopSec= and TimeoutSec= (both): 0 means no
 * timeout, as it does in systemd. */
static int
parse_timeout(struct unit_parser *p, const char *key, char *value)
{
	long long ms;

	if (parse_span(p, key, value, true, &ms) < 0)
		return -1;
	if (ms == 0)
		ms = UNIT_INFINITY;
	if (strcmp(key, "TimeoutStopSec") != 0) {
		p->unit->timeout_start_ms = ms;
		p->timeout_start_set = true;
	}
	if (strcmp(key, "TimeoutStartSec") != 0)
		p->unit->timeout_stop_ms = ms;
	return 0;
}

static int
parse_kill_mode(struct unit_parser *p, const char *key, char *value)
{
	static const char *const names[] = { "control-group", "mixed",
					     "process", NULL };
	int i = find_word(names, value);

	if (i < 0)
		return bad_value(p, key, value,
				 "grace accepts control-group, mixed or "
				 "process");
	p->unit->kill_mode = (enum unit_kill_mode)i;
	return 0;
}

/* StandardOutput=: journal (systemd's default: here, grace's relay of
 * labelled lines) or inherit (grace's own stdout and stderr). */
static int
parse_standard_output(struct unit_parser *p, const char *key, char *value)
{
	static const char *const names[] = { "journal", "inherit", NULL };
	int i = find_word(names, value);

	if (i < 0)
		return bad_value(p, key, value,
				 "grace accepts journal (its labelled log) "
				 "or inherit");
	p->unit->output_inherit = i == 1;
	return 0;
}

/* ReadyFd=: 0, 1 and 2 are the service's stdio; empty means none. */
static int
parse_ready_fd(struct unit_parser *p, const char *key, char *value)
{
	unsigned long long fd;

	if (*value == '\0') {
		p->unit->ready_fd = -1;
		return 0;
	}
	if (number_parse(value, strlen(value), 1023, &fd) < 0 || fd < 3)
		return bad_value(p, key, value,
				 "want a descriptor from 3 to 1023");
	p->unit->ready_fd = (int)fd;
	p->ready_fd_line = p->line;
	return 0;
}

/* "HOST:PORT" of a tcp: check: an IPv4 address, an [IPv6] address or
 * localhost, and a port from 1 to 65535. */
static bool
valid_tcp_target(const char *text)
{
	char host[64];
	const char *end, *port;
	unsigned long long n;
	unsigned char addr[sizeof(struct in6_addr)];
	size_t len;
	int family = AF_INET;

	if (text[0] == '[') {
		end = strchr(text, ']');
		if (end == NULL || end[1] != ':')
			return false;
		text++;
		port = end + 2;
		family = AF_INET6;
	} else {
		end = strchr(text, ':');
		if (end == NULL)
			return false;
		port = end + 1;
	}
	len = (size_t)(end - text);
	if (len == 0 || len >= sizeof(host))
		return false;
	memcpy(host, text, len);
	host[len] = '\0';
	if (number_parse(port, strlen(port), 65535, &n) < 0 || n == 0)
		return false;
	if (family == AF_INET && strcmp(host, "localhost") == 0)
		return true;
	return inet_pton(family, host, addr) == 1;
}

/* ReadyCheck=: tcp:HOST:PORT, file:/PATH or exec:COMMAND; the text after
 * the prefix is kept.  Empty means none. */
static int
parse_ready_check(struct unit_parser *p, const char *key, char *value)
{
	struct unit *unit = p->unit;
	enum unit_check check;
	const char *target;
	char why[256];

	if (*value == '\0') {
		unit->check = UNIT_CHECK_NONE;
		item_clear(&unit->check_target);
		return 0;
	}
	if (strncmp(value, "tcp:", 4) == 0) {
		check = UNIT_CHECK_TCP;
		target = value + 4;
		if (!valid_tcp_target(target))
			return bad_value(p, key, value,
					 "want tcp:HOST:PORT, HOST an IP "
					 "address, [IPv6] or localhost");
	} else if (strncmp(value, "file:", 5) == 0) {
		check = UNIT_CHECK_FILE;
		target = value + 5;
		if (target[0] != '/')
			return bad_value(p, key, value,
					 "want file:/ABSOLUTE/PATH");
	} else if (strncmp(value, "exec:", 5) == 0) {
		check = UNIT_CHECK_EXEC;
		target = value + 5;
		if (check_command(target, why, sizeof(why)) < 0) {
			format_line(p->error, p->error_len,
				  "%s:%d: invalid ReadyCheck= exec: %s",
				  p->source, p->line, why);
			return -1;
		}
	} else {
		return bad_value(p, key, value,
				 "want tcp:HOST:PORT, file:PATH or "
				 "exec:COMMAND");
	}
	if (item_set(&unit->check_target, target, p->line) < 0)
		return out_of_memory(p);
	unit->check = check;
	p->check_line = p->line;
	return 0;
}

static int
parse_check_interval(struct unit_parser *p, const char *key, char *value)
{
	long long ms;

	if (unit_parse_duration(value, &ms) < 0 || ms <= 0)
		return bad_value(p, key, value,
				 "want a time span above 0 such as 1s or "
				 "500ms");
	p->unit->check_interval_ms = ms;
	return 0;
}

/* User= and Group=: a name or a number, resolved by the plan. */
static int
parse_user(struct unit_parser *p, const char *key, char *value)
{
	struct unit_item *item = strcmp(key, "User") == 0 ? &p->unit->user
							   : &p->unit->group;

	if (*value == '\0')
		return bad_value(p, key, value, "want a name or a number");
	return item_set(item, value, p->line) < 0 ? out_of_memory(p) : 0;
}

/* WorkingDirectory=: an absolute path or "~" (the user's home), a '-'
 * before it making a missing directory no error.  Empty means none. */
static int
parse_working_dir(struct unit_parser *p, const char *key, char *value)
{
	struct unit *unit = p->unit;
	bool optional = value[0] == '-';
	const char *path = optional ? value + 1 : value;

	if (*value == '\0') {
		item_clear(&unit->working_dir);
		unit->working_dir_optional = false;
		return 0;
	}
	if (path[0] != '/' && strcmp(path, "~") != 0)
		return bad_value(p, key, value, "want an absolute path or ~");
	if (item_set(&unit->working_dir, path, p->line) < 0)
		return out_of_memory(p);
	unit->working_dir_optional = optional;
	return 0;
}

/*
 * Environment=: words as in a command line (quotes, escapes), each
 * KEY=VALUE; no $ or % is read, as systemd.exec(5) says for $.  Checked
 * whole before any is added; an empty assignment empties the list.
 */
static int
parse_environment(struct unit_parser *p, const char *key, char *value)
{
	struct unit_list *list = &p->unit->environment;
	char why[256], **argv, **word;
	const char *eq;
	int r = 0;

	if (*value == '\0') {
		list_free(list);
		return 0;
	}
	if (split_text(value, 0, NULL, NULL, &argv, why, sizeof(why)) < 0) {
		format_line(p->error, p->error_len, "%s:%d: invalid %s=: %s",
			  p->source, p->line, key, why);
		return -1;
	}
	for (word = argv; r == 0 && *word != NULL; word++) {
		eq = strchr(*word, '=');
		if (eq == NULL || !valid_var_name(*word, (size_t)(eq - *word)))
			r = bad_value(p, key, *word,
				      "want KEY=VALUE, KEY of letters, digits "
				      "and _");
	}
	for (word = argv; r == 0 && *word != NULL; word++)
		if (list_append(list, *word, strlen(*word), p->line) < 0)
			r = out_of_memory(p);
	unit_free_argv(argv);
	return r;
}

static int
parse_environment_file(struct unit_parser *p, const char *key, char *value)
{
	struct unit_list *list = &p->unit->environment_files;

	if (*value == '\0') {
		list_free(list);
		return 0;
	}
	if ((value[0] == '-' ? value[1] : value[0]) != '/')
		return bad_value(p, key, value,
				 "want an absolute path, maybe after '-'");
	if (list_append(list, value, strlen(value), p->line) < 0)
		return out_of_memory(p);
	return 0;
}

static int
parse_umask(struct unit_parser *p, const char *key, char *value)
{
	unsigned mask = 0;
	size_t i;

	for (i = 0; value[i] >= '0' && value[i] <= '7' && mask <= 0777; i++)
		mask = mask * 8 + (unsigned)(value[i] - '0');
	if (i == 0 || value[i] != '\0' || mask > 0777)
		return bad_value(p, key, value, "want octal from 0 to 0777");
	p->unit->umask = (int)mask;
	return 0;
}

/* One side of LimitNOFILE=: a number or infinity. */
static int
parse_rlim(const char *text, size_t len, rlim_t *value)
{
	unsigned long long n;

	if (len == 8 && memcmp(text, "infinity", 8) == 0) {
		*value = RLIM_INFINITY;
		return 0;
	}
	if (number_parse(text, len, (unsigned long long)RLIM_INFINITY - 1,
			 &n) < 0)
		return -1;
	*value = (rlim_t)n;
	return 0;
}

/* LimitNOFILE=: N (soft and hard), SOFT:HARD or infinity; empty means
 * inherit grace's. */
static int
parse_limit_nofile(struct unit_parser *p, const char *key, char *value)
{
	const char *colon = strchr(value, ':');
	struct rlimit limit;
	size_t len = strlen(value);

	if (*value == '\0') {
		p->unit->has_nofile = false;
		return 0;
	}
	if (colon == NULL) {
		if (parse_rlim(value, len, &limit.rlim_cur) < 0)
			goto bad;
		limit.rlim_max = limit.rlim_cur;
	} else if (parse_rlim(value, (size_t)(colon - value),
			      &limit.rlim_cur) < 0 ||
		   parse_rlim(colon + 1, strlen(colon + 1),
			      &limit.rlim_max) < 0 ||
		   limit.rlim_cur > limit.rlim_max) {
		goto bad;
	}
	p->unit->nofile = limit;
	p->unit->has_nofile = true;
	return 0;
bad:
	return bad_value(p, key, value,
			 "want N, SOFT:HARD with SOFT <= HARD, or infinity");
}

static int
parse_no_new_privs(struct unit_parser *p, const char *key, char *value)
{
	return parse_bool(p, key, value, &p->unit->no_new_privs);
}

/* [Install] is systemctl enable's business: accepted so that a unit
 * copied from a systemd system loads, and ignored. */
static int
parse_ignored(struct unit_parser *p, const char *key, char *value)
{
	(void)p;
	(void)key;
	(void)value;
	return 0;
}

static const struct {
	const char *name;
	unsigned sections;
	int (*parse)(struct unit_parser *p, const char *key, char *value);
} unit_keys[] = {
	{ "Description", SECTION_UNIT, parse_description },
	{ "After", SECTION_UNIT, parse_names },
	{ "Requires", SECTION_UNIT, parse_names },
	{ "Wants", SECTION_UNIT, parse_names },
	/* In [Service] too, where systemd before 230 had them. */
	{ "StartLimitBurst", SECTION_UNIT | SECTION_SERVICE,
	  parse_start_limit_burst },
	{ "StartLimitIntervalSec", SECTION_UNIT | SECTION_SERVICE,
	  parse_start_limit_interval },
	{ "Type", SECTION_SERVICE, parse_type },
	{ "ExecStart", SECTION_SERVICE, parse_exec_start },
	{ "PIDFile", SECTION_SERVICE, parse_pidfile },
	{ "Restart", SECTION_SERVICE, parse_restart },
	{ "RestartSec", SECTION_SERVICE, parse_restart_sec },
	{ "RestartMaxDelaySec", SECTION_SERVICE, parse_restart_max_delay },
	{ "RestartSteps", SECTION_SERVICE, parse_restart_steps },
	{ "Essential", SECTION_SERVICE, parse_essential },
	{ "SuccessExitStatus", SECTION_SERVICE, parse_success_status },
	{ "KillSignal", SECTION_SERVICE, parse_kill_signal },
	{ "TimeoutStopSec", SECTION_SERVICE, parse_timeout },
	{ "TimeoutStartSec", SECTION_SERVICE, parse_timeout },
	{ "TimeoutSec", SECTION_SERVICE, parse_timeout },
	{ "KillMode", SECTION_SERVICE, parse_kill_mode },
	{ "StandardOutput", SECTION_SERVICE, parse_standard_output },
	{ "ReadyFd", SECTION_SERVICE, parse_ready_fd },
	{ "ReadyCheck", SECTION_SERVICE, parse_ready_check },
	{ "ReadyCheckIntervalSec", SECTION_SERVICE, parse_check_interval },
	{ "User", SECTION_SERVICE, parse_user },
	{ "Group", SECTION_SERVICE, parse_user },
	{ "WorkingDirectory", SECTION_SERVICE, parse_working_dir },
	{ "Environment", SECTION_SERVICE, parse_environment },
	{ "EnvironmentFile", SECTION_SERVICE, parse_environment_file },
	{ "UMask", SECTION_SERVICE, parse_umask },
	{ "LimitNOFILE", SECTION_SERVICE, parse_limit_nofile },
	{ "NoNewPrivileges", SECTION_SERVICE, parse_no_new_privs },
	{ "Schedule", SECTION_SERVICE, parse_schedule },
	{ "Timezone", SECTION_SERVICE, parse_timezone },
	{ "Overlap", SECTION_SERVICE, parse_overlap },
	{ "WantedBy", SECTION_INSTALL, parse_ignored },
	{ "RequiredBy", SECTION_INSTALL, parse_ignored },
	{ "UpheldBy", SECTION_INSTALL, parse_ignored },
	{ "Alias", SECTION_INSTALL, parse_ignored },
	{ "Also", SECTION_INSTALL, parse_ignored },
	{ "DefaultInstance", SECTION_INSTALL, parse_ignored },
};

/* "[Name]": one of grace's sections, or an [X-...] one whose keys are
 * ignored, as systemd ignores them. */
static int
parse_section(struct unit_parser *p, char *line)
{
	static const struct {
		const char *name;
		unsigned section;
	} sections[] = {
		{ "Unit", SECTION_UNIT },
		{ "Service", SECTION_SERVICE },
		{ "Install", SECTION_INSTALL },
	};
	size_t len = strlen(line), i;
	char *name = line + 1;

	if (len < 2 || line[len - 1] != ']') {
		format_line(p->error, p->error_len,
			  "%s:%d: invalid section header '%s'", p->source,
			  p->line, line);
		return -1;
	}
	line[len - 1] = '\0';
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (strcmp(name, sections[i].name) == 0) {
			p->section = sections[i].section;
			p->section_name = sections[i].name;
			return 0;
		}
	}
	if (strncmp(name, "X-", 2) == 0) {
		p->section = SECTION_IGNORED;
		return 0;
	}
	format_line(p->error, p->error_len, "%s:%d: unknown section [%s]",
		  p->source, p->line, name);
	return -1;
}

/* One logical line (continuations joined), NUL-terminated and ours to
 * change. */
static int
parse_line(struct unit_parser *p, char *line)
{
	char *eq, *key, *value;
	size_t i;

	line = unit_trim(line);
	if (*line == '\0')
		return 0;
	if (*line == '[')
		return parse_section(p, line);
	eq = strchr(line, '=');
	if (eq == NULL) {
		format_line(p->error, p->error_len,
			  "%s:%d: '%s' is not a Key=Value assignment",
			  p->source, p->line, line);
		return -1;
	}
	*eq = '\0';
	key = unit_trim(line);
	value = unit_trim(eq + 1);
	if (*key == '\0') {
		format_line(p->error, p->error_len, "%s:%d: no key before '='",
			  p->source, p->line);
		return -1;
	}
	if (p->section == 0) {
		format_line(p->error, p->error_len,
			  "%s:%d: %s= comes before any [Section]", p->source,
			  p->line, key);
		return -1;
	}
	if (p->section == SECTION_IGNORED || strncmp(key, "X-", 2) == 0)
		return 0;
	for (i = 0; i < sizeof(unit_keys) / sizeof(unit_keys[0]); i++)
		if ((unit_keys[i].sections & p->section) &&
		    strcmp(unit_keys[i].name, key) == 0)
			return unit_keys[i].parse(p, key, value);
	format_line(p->error, p->error_len, "%s:%d: unknown key '%s' in [%s]",
		  p->source, p->line, key, p->section_name);
	return -1;
}

int
unit_check_job(struct unit *unit, bool essential_set, bool timeout_set,
	       char *error, size_t error_len)
{
	const char *problem = NULL;

	if (unit->type != UNIT_SIMPLE && unit->type != UNIT_ONESHOT)
		problem = "a job (Schedule=) is a oneshot: Type= may only be "
			  "oneshot";
	else if (unit->restart != UNIT_RESTART_NO)
		problem = "a job (Schedule=) runs again at its next due time: "
			  "no Restart=";
	else if (unit->ready_fd >= 0 || unit->check != UNIT_CHECK_NONE)
		problem = "a job (Schedule=) has no readiness: no ReadyFd= or "
			  "ReadyCheck=";
	else if (unit->after.n > 0 || unit->requires.n > 0 ||
		 unit->wants.n > 0)
		problem = "a job (Schedule=) has no start order: no After=, "
			  "Requires= or Wants=";
	if (problem != NULL) {
		format_line(error, error_len, "%s", problem);
		return -1;
	}
	unit->type = UNIT_ONESHOT;
	if (!essential_set)
		unit->essential = false;
	/* As a oneshot in systemd: no time limit unless given. */
	if (!timeout_set)
		unit->timeout_start_ms = UNIT_INFINITY;
	return 0;
}

/* A unit with Schedule=: the rules a job follows. */
static int
check_job(struct unit_parser *p)
{
	char why[200];

	if (unit_check_job(p->unit, p->essential_set, p->timeout_start_set,
			   why, sizeof(why)) == 0)
		return 0;
	format_line(p->error, p->error_len, "%s:%d: %s", p->source,
		  p->unit->schedule_text.line, why);
	return -1;
}

/* The rules between keys, once the whole file is read. */
static int
check_unit(struct unit_parser *p)
{
	const struct unit *unit = p->unit;
	const char *problem = NULL;
	int line = 0;

	if (unit->exec_start.text == NULL) {
		/* At the empty ExecStart= that left none, or the file's end. */
		format_line(p->error, p->error_len, "%s:%d: no ExecStart=",
			  p->source,
			  p->exec_start_line > 0 ? p->exec_start_line
						 : p->last_line > 0 ? p->last_line
								    : 1);
		return -1;
	}
	if (unit->is_job)
		return check_job(p);
	if (p->timezone_line > 0 || p->overlap_line > 0) {
		format_line(p->error, p->error_len,
			  "%s:%d: %s= applies to jobs (Schedule=) only",
			  p->source,
			  p->timezone_line > 0 ? p->timezone_line
					       : p->overlap_line,
			  p->timezone_line > 0 ? "Timezone" : "Overlap");
		return -1;
	}
	/* A oneshot has no start timeout unless it sets one, as in
	 * systemd. */
	if (unit->type == UNIT_ONESHOT && !p->timeout_start_set)
		p->unit->timeout_start_ms = UNIT_INFINITY;
	if (unit->ready_fd >= 0 && unit->type == UNIT_NOTIFY) {
		problem = "ReadyFd= and Type=notify: one readiness way per "
			  "service";
		line = p->ready_fd_line;
	} else if (unit->ready_fd >= 0 && unit->check != UNIT_CHECK_NONE) {
		problem = "ReadyFd= and ReadyCheck=: one readiness way per "
			  "service";
		line = p->ready_fd_line;
	} else if (unit->check != UNIT_CHECK_NONE &&
		   unit->type == UNIT_NOTIFY) {
		problem = "ReadyCheck= and Type=notify: one readiness way per "
			  "service";
		line = p->check_line;
	} else if ((unit->type == UNIT_FORKING ||
		    unit->type == UNIT_ONESHOT) &&
		   (unit->ready_fd >= 0 || unit->check != UNIT_CHECK_NONE)) {
		problem = unit->type == UNIT_FORKING
				  ? "Type=forking is ready when its pidfile "
				    "names the daemon: no ReadyFd= or "
				    "ReadyCheck="
				  : "Type=oneshot is ready when it has run: no "
				    "ReadyFd= or ReadyCheck=";
		line = unit->ready_fd >= 0 ? p->ready_fd_line : p->check_line;
	} else if (unit->pidfile.text != NULL && unit->type != UNIT_FORKING) {
		problem = "PIDFile= applies to Type=forking only";
		line = unit->pidfile.line;
	} else if (unit->pidfile.text == NULL && unit->type == UNIT_FORKING) {
		problem = "Type=forking needs PIDFile= (grace follows the "
			  "daemon through its pidfile)";
		line = p->type_line;
	} else if (unit->restart != UNIT_RESTART_NO &&
		   unit->type == UNIT_ONESHOT) {
		problem = "Restart= does not apply to Type=oneshot";
		line = p->restart_line;
	}
	if (problem == NULL)
		return 0;
	format_line(p->error, p->error_len, "%s:%d: %s", p->source, line,
		  problem);
	return -1;
}

/* The number of the line holding text[offset]. */
static int
line_of(const char *text, size_t offset)
{
	int line = 1;
	size_t i;

	for (i = 0; i < offset; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/*
 * Reads physical lines (LF or CRLF), skips comments and blank lines, and
 * joins a line ending in an odd number of backslashes with the next, the
 * last backslash turned into a space; comment lines inside such a run are
 * skipped, as systemd skips them.  Each logical line goes to parse_line()
 * with the number of the line it started on.
 */
int
unit_parse(struct unit *unit, const char *text, size_t len, char *error,
	   size_t error_len)
{
	struct unit_parser p = {
		.unit = unit, .error = error, .error_len = error_len,
		.source = unit->source != NULL ? unit->source : "unit",
	};
	struct unit_buf logical = { 0 };
	const char *line, *nul, *end;
	size_t pos = 0, line_len, first, slashes;
	bool continued = false;
	int lineno = 0, r = 0;

	format_line(error, error_len, "%s", "");
	nul = len > 0 ? memchr(text, '\0', len) : NULL;
	if (nul != NULL) {
		format_line(error, error_len, "%s:%d: NUL byte in the file",
			  p.source, line_of(text, (size_t)(nul - text)));
		return -1;
	}
	while (r == 0 && pos < len) {
		line = text + pos;
		end = memchr(line, '\n', len - pos);
		line_len = end != NULL ? (size_t)(end - line) : len - pos;
		pos += line_len + (end != NULL);
		lineno++;
		if (line_len > 0 && line[line_len - 1] == '\r')
			line_len--;
		for (first = 0; first < line_len && is_blank(line[first]);
		     first++)
			;
		if (first < line_len &&
		    (line[first] == '#' || line[first] == ';'))
			continue;
		if (first == line_len && !continued)
			continue;
		if (!continued)
			p.line = lineno;
		if (logical.len + line_len > UNIT_LINE_MAX) {
			format_line(error, error_len,
				  "%s:%d: line longer than %d bytes", p.source,
				  p.line, UNIT_LINE_MAX);
			r = -1;
			break;
		}
		if (buf_push(&logical, line, line_len) < 0) {
			r = out_of_memory(&p);
			break;
		}
		for (slashes = 0; slashes < line_len &&
				  line[line_len - 1 - slashes] == '\\';
		     slashes++)
			;
		continued = slashes % 2 == 1;
		if (continued) {
			logical.text[logical.len - 1] = ' ';
			continue;
		}
		r = parse_line(&p, logical.text);
		logical.len = 0;
	}
	if (r == 0 && continued)
		r = parse_line(&p, logical.text);
	free(logical.text);
	p.last_line = lineno;
	return r == 0 ? check_unit(&p) : r;
}

/*
 * The unit need not be initialised: it is set afresh here.  On error it
 * holds nothing to free (unit_free() is still safe); on success the caller
 * owns it.
 */
int
unit_parse_oneliner(struct unit *unit, const char *text, char *error,
		    size_t error_len)
{
	const char *eq = strchr(text, '=');
	char name[UNIT_NAME_MAX + 1], why[256];
	size_t len = eq != NULL ? (size_t)(eq - text) : 0;

	memset(unit, 0, sizeof(*unit));
	if (eq == NULL || len == 0) {
		format_line(error, error_len,
			  "invalid --service '%s': want NAME=COMMAND", text);
		return -1;
	}
	if (len > UNIT_NAME_MAX) {
		format_line(error, error_len,
			  "invalid --service '%s': the name is longer than %d",
			  text, UNIT_NAME_MAX);
		return -1;
	}
	memcpy(name, text, len);
	name[len] = '\0';
	if (!unit_valid_name(name)) {
		format_line(error, error_len,
			  "invalid --service '%s': '%s' is not a service name "
			  "(letters, digits and _.@:-)", text, name);
		return -1;
	}
	if (check_command(eq + 1, why, sizeof(why)) < 0) {
		format_line(error, error_len, "invalid --service '%s': %s", text,
			  why);
		return -1;
	}
	if (unit_init(unit, name, "--service") < 0 ||
	    item_set(&unit->exec_start, eq + 1, 0) < 0) {
		unit_free(unit);
		format_line(error, error_len, "out of memory");
		return -1;
	}
	return 0;
}

/* Adds a room at the end of *units; -ENOMEM leaves it as it was. */
static int
grow_units(struct unit **units, size_t n)
{
	struct unit *grown = realloc(*units, (n + 1) * sizeof(*grown));

	if (grown == NULL)
		return -ENOMEM;
	*units = grown;
	return 0;
}

/* One Procfile line, CR and all dropped: foreman's ^([A-Za-z0-9_-]+):\s*(.+)$
 * cut into name and command; -1 when it is not an entry. */
static int
procfile_entry(char *line, char **name, char **command)
{
	size_t len = 0;
	char *p;

	while (is_alpha(line[len]) || is_digit(line[len]) || line[len] == '_' ||
	       line[len] == '-')
		len++;
	if (len == 0 || line[len] != ':')
		return -1;
	line[len] = '\0';
	p = unit_trim(line + len + 1);
	if (*p == '\0')
		return -1;
	*name = line;
	*command = p;
	return 0;
}

/* Checks one entry against the units this file added (from first on) and
 * appends it. */
static int
procfile_add(const char *path, int lineno, const char *name,
	     const char *command, struct unit **units, size_t *n, size_t first,
	     char *error, size_t error_len)
{
	struct unit *unit;
	size_t i;

	if (!unit_valid_name(name)) {
		format_line(error, error_len,
			  "%s:%d: invalid name '%s' (at most %d of letters, "
			  "digits, _ and -, not first)", path, lineno, name,
			  UNIT_NAME_MAX);
		return -1;
	}
	for (i = first; i < *n; i++) {
		if (strcmp((*units)[i].name, name) == 0) {
			format_line(error, error_len,
				  "%s:%d: duplicate entry '%s' (first on line "
				  "%d)", path, lineno, name, (*units)[i].line);
			return -1;
		}
	}
	if (grow_units(units, *n) < 0)
		goto oom;
	unit = &(*units)[*n];
	if (unit_init(unit, name, path) < 0 ||
	    item_set(&unit->exec_start, command, lineno) < 0) {
		unit_free(unit);
		goto oom;
	}
	unit->line = lineno;
	unit->exec_shell = true;
	(*n)++;
	return 0;
oom:
	format_line(error, error_len, "%s:%d: out of memory", path, lineno);
	return -1;
}

int
unit_parse_procfile(const char *path, const char *text, size_t len,
		    struct unit **units, size_t *n, char *error,
		    size_t error_len)
{
	struct unit_buf line = { 0 };
	const char *end;
	char *name, *command, *first_char;
	size_t pos = 0, line_len, first = *n;
	int lineno = 0, r = 0;

	format_line(error, error_len, "%s", "");
	while (r == 0 && pos < len) {
		end = memchr(text + pos, '\n', len - pos);
		line_len = end != NULL ? (size_t)(end - (text + pos))
				       : len - pos;
		lineno++;
		line.len = 0;
		if (memchr(text + pos, '\0', line_len) != NULL) {
			format_line(error, error_len,
				  "%s:%d: NUL byte in the file", path, lineno);
			r = -1;
			break;
		}
		if (buf_push(&line, text + pos, line_len) < 0) {
			format_line(error, error_len, "%s:%d: out of memory",
				  path, lineno);
			r = -1;
			break;
		}
		pos += line_len + (end != NULL);
		first_char = unit_trim(line.text);
		if (*first_char == '\0' || *first_char == '#')
			continue;
		if (first_char != line.text ||
		    procfile_entry(line.text, &name, &command) < 0) {
			format_line(error, error_len,
				  "%s:%d: not a Procfile entry (want NAME: "
				  "COMMAND)", path, lineno);
			r = -1;
			break;
		}
		r = procfile_add(path, lineno, name, command, units, n, first,
				 error, error_len);
	}
	free(line.text);
	if (r == 0 && *n == first) {
		format_line(error, error_len, "%s: no entries", path);
		r = -1;
	}
	return r;
}
