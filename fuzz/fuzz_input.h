/* SPDX-License-Identifier: MIT */
/* What every fuzz target does with its input first. */
#ifndef GRACE_FUZZ_INPUT_H
#define GRACE_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The input after its first byte (which picks what to fuzz), as a
 * NUL-terminated copy of size - 1 bytes to free; NULL for an empty input
 * or when out of memory. */
static inline char *
fuzz_text(const uint8_t *data, size_t size)
{
	char *text;

	if (size == 0 || (text = malloc(size)) == NULL)
		return NULL;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	return text;
}

#endif
