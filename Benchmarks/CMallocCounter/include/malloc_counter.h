/*
 * Counts heap allocations of the process it is linked into.
 *
 * The benchmark executable defines malloc, calloc, realloc, free, posix_memalign,
 * aligned_alloc and memalign itself; the dynamic linker resolves every caller (the Swift
 * runtime, Foundation, libc's own users) to these definitions, which count and forward to
 * the C library's (found with dlsym(RTLD_NEXT)).
 */
#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H

#include <stdint.h>

/* Calls to malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign so far. */
uint64_t malloc_counter_allocations(void);

/* Calls to free with a non-null pointer so far. */
uint64_t malloc_counter_frees(void);

#endif /* MALLOC_COUNTER_H */
