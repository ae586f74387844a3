#include "CSupport.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void fundrecon_count_lines_and_quotes(const unsigned char *p, size_t count,
                                      unsigned long long *lines, unsigned long long *quotes) {
    unsigned long long lf = 0, q = 0;
    size_t i = 0;
#if defined(__SSE2__)
    /* 16 bytes at a time: each compare adds one to a byte-wide counter per match, and the
       counters are summed (sad against zero) before any of them can pass 255. */
    const __m128i newline = _mm_set1_epi8('\n'), quote = _mm_set1_epi8('"'), zero = _mm_setzero_si128();
    while (i + 16 <= count) {
        __m128i lfCounts = zero, quoteCounts = zero;
        for (int k = 0; k < 255 && i + 16 <= count; k++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
            lfCounts = _mm_sub_epi8(lfCounts, _mm_cmpeq_epi8(v, newline));
            quoteCounts = _mm_sub_epi8(quoteCounts, _mm_cmpeq_epi8(v, quote));
        }
        __m128i lfSums = _mm_sad_epu8(lfCounts, zero), quoteSums = _mm_sad_epu8(quoteCounts, zero);
        lf += (unsigned long long)_mm_cvtsi128_si64(lfSums) + (unsigned long long)_mm_cvtsi128_si64(_mm_unpackhi_epi64(lfSums, lfSums));
        q += (unsigned long long)_mm_cvtsi128_si64(quoteSums) + (unsigned long long)_mm_cvtsi128_si64(_mm_unpackhi_epi64(quoteSums, quoteSums));
    }
#endif
    for (; i < count; i++) {
        lf += p[i] == '\n';
        q += p[i] == '"';
    }
    *lines = lf;
    *quotes = q;
}
