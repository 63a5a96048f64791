/* bitset.h - a set of small numbers as bits: the filters that turn most
 * candidates away before a hash table is asked (targets.c's ids,
 * maillog.c's queue ids) */
#ifndef FPKIT_BITSET_H
#define FPKIT_BITSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The words an array needs for 'bits' bits. */
#define BITSET_WORDS(bits) (((bits) + 63) / 64)

static inline void
bitset_add(uint64_t *set, size_t bit)
{
	set[bit / 64] |= (uint64_t)1 << (bit % 64);
}

static inline bool
bitset_has(const uint64_t *set, size_t bit)
{
	return (set[bit / 64] >> (bit % 64)) & 1;
}

#endif
