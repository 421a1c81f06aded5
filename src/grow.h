/* SPDX-License-Identifier: MIT */
/* Arrays that start in room inside their owner and move to the heap only
 * when they outgrow it: a single command never calls malloc. */
#ifndef GRACE_GROW_H
#define GRACE_GROW_H

#include <stddef.h>

/*
 * Makes *items (*cap elements of size bytes; NULL before the first call)
 * hold at least want: first in few (n_few elements, owned by the caller),
 * then on the heap, doubling from 8, its contents kept.  0 or -ENOMEM,
 * with *items and *cap unchanged.
 */
int grow_array(void **items, size_t *cap, size_t want, size_t size,
	       void *few, size_t n_few);
/* Frees what grow_array() took from the heap, if anything. */
void grow_free(void *items, const void *few);

#endif
