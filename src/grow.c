// SPDX-License-Identifier: MIT
/* Owns growing arrays that start in their owner's own room (grow.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

int
grow_array(void **items, size_t *cap, size_t want, size_t size, void *few,
	   size_t n_few)
{
	size_t next = *cap > 8 ? *cap : 8;
	void *grown;

	if (want <= *cap)
		return 0;
	if (*items == NULL && want <= n_few) {
		*items = few;
		*cap = n_few;
		return 0;
	}
	while (next < want) {
		if (next > SIZE_MAX / 2 / size)
			return -ENOMEM;
		next *= 2;
	}
	if (*items != NULL && *items == few) {
		grown = malloc(next * size);
		if (grown != NULL)
			memcpy(grown, few, *cap * size);
	} else {
		grown = realloc(*items, next * size);
	}
	if (grown == NULL)
		return -ENOMEM;
	*items = grown;
	*cap = next;
	return 0;
}

void
grow_free(void *items, const void *few)
{
	if (items != few)
		free(items);
}
