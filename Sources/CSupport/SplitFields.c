#include "CSupport.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The field ends of a record with no quoted field: every comma up to the line feed. The
   common record; the reader splits any other one itself, byte by byte. */
long fundrecon_split_unquoted(const unsigned char *p, long start, long end, long *ends, long cap, long *lineEnd) {
    long n = 0;
    if (start >= end) return -2;
    if (p[start] == '"') return -1;
    long i = start;
#if defined(__SSE2__)
    const __m128i comma = _mm_set1_epi8(','), newline = _mm_set1_epi8('\n');
    while (i + 16 <= end) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, newline)));
        while (mask) {
            long at = i + __builtin_ctz(mask);
            if (n == cap) return -1;
            ends[n++] = at;
            if (p[at] == '\n') { *lineEnd = at; return n; }
            if (at + 1 >= end) return -2;
            if (p[at + 1] == '"') return -1;
            mask &= mask - 1;
        }
        i += 16;
    }
#endif
    for (; i < end; i++) {
        unsigned char c = p[i];
        if (c != ',' && c != '\n') continue;
        if (n == cap) return -1;
        ends[n++] = i;
        if (c == '\n') { *lineEnd = i; return n; }
        if (i + 1 >= end) return -2;
        if (p[i + 1] == '"') return -1;
    }
    return -2;
}
