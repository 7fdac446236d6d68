/* See include/malloc_counter.h. */
#define _GNU_SOURCE
#include "malloc_counter.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);

static _Atomic uint64_t allocations;
static _Atomic uint64_t frees;

/* dlsym itself may allocate before the real functions are known: such requests are served
 * from this zeroed static arena, which is never freed. */
static _Alignas(16) char arena[16384];
static size_t arena_used;
static int resolving;

static void *arena_alloc(size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (n > sizeof arena - arena_used) return NULL;
    void *p = arena + arena_used;
    arena_used += n;
    return p;
}

static int in_arena(const void *p) { return (const char *)p >= arena && (const char *)p < arena + sizeof arena; }

static void resolve(void) {
    if (real_malloc || resolving) return;
    resolving = 1;
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    resolving = 0;
}

__attribute__((constructor)) static void malloc_counter_init(void) { resolve(); }

static inline void count(void) { atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed); }

void *malloc(size_t n) {
    count();
    if (!real_malloc) {
        if (resolving) return arena_alloc(n);
        resolve();
    }
    return real_malloc(n);
}

void *calloc(size_t a, size_t b) {
    count();
    if (!real_calloc) {
        if (resolving) return b && a > (size_t)-1 / b ? NULL : arena_alloc(a * b);
        resolve();
    }
    return real_calloc(a, b);
}

void *realloc(void *p, size_t n) {
    count();
    if (!real_realloc) resolve();
    if (in_arena(p)) {
        void *q = real_malloc(n);
        if (q) memcpy(q, p, n < (size_t)(arena + sizeof arena - (char *)p) ? n : (size_t)(arena + sizeof arena - (char *)p));
        return q;
    }
    return real_realloc(p, n);
}

void free(void *p) {
    if (!p || in_arena(p)) return;
    atomic_fetch_add_explicit(&frees, 1, memory_order_relaxed);
    if (!real_free) resolve();
    real_free(p);
}

int posix_memalign(void **out, size_t alignment, size_t n) {
    count();
    if (!real_posix_memalign) resolve();
    return real_posix_memalign ? real_posix_memalign(out, alignment, n) : ENOMEM;
}

void *aligned_alloc(size_t alignment, size_t n) {
    count();
    if (!real_aligned_alloc) resolve();
    return real_aligned_alloc(alignment, n);
}

void *memalign(size_t alignment, size_t n) {
    count();
    if (!real_memalign) resolve();
    return real_memalign(alignment, n);
}

uint64_t malloc_counter_allocations(void) { return atomic_load_explicit(&allocations, memory_order_relaxed); }

uint64_t malloc_counter_frees(void) { return atomic_load_explicit(&frees, memory_order_relaxed); }
