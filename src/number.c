// SPDX-License-Identifier: MIT
/* Owns parsing decimal numbers out of untrusted text: unit files, user
 * and signal names, notify messages. */
#include "number.h"

int
number_parse(const char *text, size_t len, unsigned long long max,
	     unsigned long long *value)
{
	unsigned long long n = 0;
	unsigned digit;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		digit = (unsigned)(text[i] - '0');
		if (n > max / 10 || max - n * 10 < digit)
			return -1;
		n = n * 10 + digit;
	}
	*value = n;
	return 0;
}
