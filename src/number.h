/* SPDX-License-Identifier: MIT */
/* Decimal numbers in untrusted text. */
#ifndef GRACE_NUMBER_H
#define GRACE_NUMBER_H

#include <stddef.h>

/* Parses len bytes of decimal digits, nothing else (no sign, no blank),
 * into *value no greater than max, without overflow.  0, or -1. */
int number_parse(const char *text, size_t len, unsigned long long max,
		 unsigned long long *value);

#endif
