// SPDX-License-Identifier: MIT
/* Owns reading pidfiles.  Their content comes from the workload, so it is
 * checked, never trusted: a pid, and nothing else. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pidfile.h"

int
pidfile_parse(const char *text, pid_t *pid, char *why, size_t why_len)
{
	const char *p = text;
	long value = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0') {
		snprintf(why, why_len, "it is empty");
		return -1;
	}
	for (; isdigit((unsigned char)*p); p++) {
		value = value * 10 + (*p - '0');
		if (value > INT_MAX)
			break;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0' || value <= 0 || value > INT_MAX) {
		snprintf(why, why_len, "it holds no pid: '%.*s'",
			 (int)strcspn(text, "\n"), text);
		return -1;
	}
	*pid = (pid_t)value;
	return 0;
}

int
pidfile_read(const char *path, pid_t *pid, char *why, size_t why_len)
{
	struct stat st;
	char text[64];
	ssize_t n;
	int fd;

	/* Non-blocking, and a regular file only: the workload may have put a
	 * FIFO there, whose open or read would block grace for good. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(why, why_len, "cannot open it: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, why_len, "it is not a regular file");
		return -1;
	}
	do
		n = read(fd, text, sizeof(text) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0) {
		snprintf(why, why_len, "cannot read it: %s", strerror(errno));
		return -1;
	}
	text[n] = '\0';
	if ((size_t)n == sizeof(text) - 1) {
		snprintf(why, why_len, "it is too long for a pid");
		return -1;
	}
	if (memchr(text, '\0', (size_t)n) != NULL) {
		snprintf(why, why_len, "it holds a NUL byte");
		return -1;
	}
	return pidfile_parse(text, pid, why, why_len);
}
