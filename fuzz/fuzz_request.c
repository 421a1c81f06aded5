// SPDX-License-Identifier: MIT
/* libFuzzer target: the control protocol's request lines and replies, and
 * the control socket's address, each checked against what it promises. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "fuzz_input.h"
#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char NAME_CHARS[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@:-";

/* What request_parse() took is a request it may take: a known verb, a
 * name of the right characters when the verb takes one, a signal only
 * for signal, --json only for status; and written out again in its
 * plainest words, it parses to the same request. */
static void
check_request(const char *line, size_t len, const struct request *req)
{
	struct request again;
	char plain[REQUEST_MAX * 2], error[128];
	size_t name_len = strnlen(req->name, sizeof(req->name)), i;
	unsigned args;
	int n;

	if (len == 0 || len >= REQUEST_MAX)
		abort();
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] == 0x7f)
			abort();
	if ((unsigned)req->verb >= REQ_NVERBS)
		abort();
	args = request_verb_args(req->verb);
	if (name_len >= sizeof(req->name))
		abort();
	if (args > 0 && (name_len == 0 || name_len > REQUEST_NAME_MAX ||
			 strspn(req->name, NAME_CHARS) != name_len))
		abort();
	if (args == 0 && name_len != 0)
		abort();
	if (req->verb == REQ_SIGNAL ? req->sig < 1 || req->sig > SIGRTMAX
				    : req->sig != 0)
		abort();
	if (req->json && req->verb != REQ_STATUS)
		abort();
	n = snprintf(plain, sizeof(plain), "%s%s%s%s%.0d%s",
		     request_verb_name(req->verb), args > 0 ? " " : "",
		     req->name, req->sig > 0 ? " " : "", req->sig,
		     req->json ? " --json" : "");
	if (n < 0 || (size_t)n >= sizeof(plain))
		abort();
	if (request_parse(plain, (size_t)n, &again, error, sizeof(error)) !=
		    0 ||
	    again.verb != req->verb || again.json != req->json ||
	    again.sig != req->sig || strcmp(again.name, req->name) != 0)
		abort();
}

/* An error is one line, not empty, and inside its buffer. */
static void
check_error(const char *error, size_t error_len)
{
	size_t len = strnlen(error, error_len);

	if (len == 0 || len == error_len || memchr(error, '\n', len) != NULL)
		abort();
}

/* The whole input, NULs and all, as a request line; and the same again
 * with an error buffer too small for any message. */
static void
fuzz_request(const char *line, size_t len)
{
	struct request req;
	char error[128], tiny[4];

	memset(error, 0, sizeof(error));
	if (request_parse(line, len, &req, error, sizeof(error)) == 0)
		check_request(line, len, &req);
	else
		check_error(error, sizeof(error));
	memset(tiny, 0x5a, sizeof(tiny));
	if (request_parse(line, len, &req, tiny, sizeof(tiny)) != 0)
		check_error(tiny, sizeof(tiny));
}

static void
fuzz_reply(const char *reply, size_t len)
{
	const char *text;
	size_t text_len;
	int code;

	if (request_parse_reply(reply, len, &code, &text, &text_len) != 0)
		return;
	if (code < REPLY_OK || code > REPLY_REFUSED || len < 2 ||
	    reply[1] != '\n' || text != reply + 2 || text_len != len - 2)
		abort();
}

/* What endpoint_parse() took fits a sockaddr_un and reads back as the
 * text it came from; what it refused is empty, "@" or too long. */
static void
fuzz_endpoint(const char *text)
{
	struct endpoint ep;
	char back[ENDPOINT_TEXT_MAX];
	size_t len = strlen(text);

	if (endpoint_parse(text, &ep) != 0) {
		if (len != 0 && strcmp(text, "@") != 0 &&
		    len < sizeof(ep.addr.sun_path))
			abort();
		return;
	}
	if (ep.addr.sun_family != AF_UNIX || ep.len > sizeof(ep.addr) ||
	    ep.abstract != (text[0] == '@') ||
	    (ep.abstract && ep.addr.sun_path[0] != '\0'))
		abort();
	endpoint_text(&ep, back, sizeof(back));
	if (strcmp(back, text) != 0)
		abort();
}

/* The input: a first byte that picks what to fuzz, then its bytes. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	/* Lines and replies are not C strings: given as libFuzzer's own
	 * bytes, so that reading one past them is caught. */
	switch (data[0] % 3) {
	case 0:
		fuzz_request((const char *)data + 1, size - 1);
		break;
	case 1:
		fuzz_reply((const char *)data + 1, size - 1);
		break;
	case 2:
		fuzz_endpoint(text);
		break;
	}
	free(text);
	return 0;
}
