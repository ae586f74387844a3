#ifndef FUNDRECON_CPREFETCH_H
#define FUNDRECON_CPREFETCH_H

/* Asks the CPU to start loading the cache line at p. Swift has no prefetch of its own; the
   hash tables of the per-row path use it to overlap a table's cache miss with the parsing
   of the rest of the row. */
static inline void fundrecon_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
