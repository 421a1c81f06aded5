// SPDX-License-Identifier: MIT
/* Owns the control protocol's words: a request line into plain data, and
 * a reply's code split from its text.  Pure: no system call. */
#include <stdio.h>
#include <string.h>

#include "request.h"
#include "sig.h"

static const struct {
	const char *word;
	unsigned args;
	bool json;		/* takes --json */
} verbs[REQ_NVERBS] = {
	[REQ_STATUS] = { "status", 0, true },
	[REQ_START] = { "start", 1, false },
	[REQ_STOP] = { "stop", 1, false },
	[REQ_RESTART] = { "restart", 1, false },
	[REQ_SIGNAL] = { "signal", 2, false },
	[REQ_RUN] = { "run", 1, false },
	[REQ_HEALTH] = { "health", 0, false },
	[REQ_RELOAD] = { "reload", 0, false },
	[REQ_GROUPS] = { "groups", 0, false },
};

/* The most words a request has: a verb, two arguments and --json. */
#define MAX_WORDS 4

const char *
request_verb_name(enum request_verb verb)
{
	return (unsigned)verb < REQ_NVERBS ? verbs[verb].word : "?";
}

int
request_verb_from_name(const char *word)
{
	int i;

	for (i = 0; i < REQ_NVERBS; i++)
		if (strcmp(verbs[i].word, word) == 0)
			return i;
	return -1;
}

unsigned
request_verb_args(enum request_verb verb)
{
	return (unsigned)verb < REQ_NVERBS ? verbs[verb].args : 0;
}

/* A name as units and crontabs make them: letters, digits and ._@:-,
 * not starting with '-' (an option) or '.'. */
static bool
is_name(const char *word)
{
	size_t len = strlen(word);

	if (len == 0 || len > REQUEST_NAME_MAX || word[0] == '-' ||
	    word[0] == '.')
		return false;
	return strspn(word, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@:-") == len;
}

/* Splits line into at most MAX_WORDS words in buf, separated by single
 * spaces; returns how many, or -1 for an empty word, a control byte or
 * too many words. */
static int
split_words(const char *line, size_t len, char *buf, char *words[MAX_WORDS])
{
	size_t i;
	int n = 0;

	if (len == 0)
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	words[n++] = buf;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x20 || c == 0x7f)
			return -1;
		if (c != ' ')
			continue;
		buf[i] = '\0';
		if (n == MAX_WORDS)
			return -1;
		words[n++] = buf + i + 1;
	}
	for (i = 0; i < (size_t)n; i++)
		if (words[i][0] == '\0')
			return -1;
	return n;
}

int
request_parse(const char *line, size_t len, struct request *req,
	      char *error, size_t error_len)
{
	char buf[REQUEST_MAX + 1], *words[MAX_WORDS];
	int n, verb, i, arg = 0;

	memset(req, 0, sizeof(*req));
	if (len >= REQUEST_MAX) {
		snprintf(error, error_len, "the request is too long");
		return -1;
	}
	n = split_words(line, len, buf, words);
	if (n < 0) {
		snprintf(error, error_len, "the request is not a line of "
					   "words separated by spaces");
		return -1;
	}
	verb = request_verb_from_name(words[0]);
	if (verb < 0) {
		snprintf(error, error_len, "unknown request '%.32s'", words[0]);
		return -1;
	}
	req->verb = (enum request_verb)verb;
	for (i = 1; i < n; i++) {
		if (strcmp(words[i], "--json") == 0 && verbs[verb].json &&
		    !req->json) {
			req->json = true;
		} else if (arg == 0 && verbs[verb].args > 0 &&
			   is_name(words[i])) {
			memcpy(req->name, words[i], strlen(words[i]) + 1);
			arg++;
		} else if (arg == 1 && verbs[verb].args > 1) {
			req->sig = sig_from_name(words[i]);
			if (req->sig <= 0) {
				snprintf(error, error_len,
					 "no signal is named '%.32s'",
					 words[i]);
				return -1;
			}
			arg++;
		} else {
			snprintf(error, error_len,
				 "%s: unexpected argument '%.32s'",
				 verbs[verb].word, words[i]);
			return -1;
		}
	}
	if (arg < (int)verbs[verb].args) {
		snprintf(error, error_len, "%s: needs %s", verbs[verb].word,
			 verbs[verb].args == 2 ? "a name and a signal"
					       : "a name");
		return -1;
	}
	return 0;
}

int
request_parse_reply(const char *reply, size_t len, int *code,
		    const char **text, size_t *text_len)
{
	if (len < 2 || reply[0] < '0' || reply[0] > '3' || reply[1] != '\n')
		return -1;
	*code = reply[0] - '0';
	*text = reply + 2;
	*text_len = len - 2;
	return 0;
}
