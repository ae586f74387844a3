#include "CSupport.h"

/* A plain loop the compiler turns into vector compares: several GB/s. */
void fundrecon_count_lines_and_quotes(const unsigned char *p, size_t count,
                                      unsigned long long *lines, unsigned long long *quotes) {
    unsigned long long lf = 0, q = 0;
    for (size_t i = 0; i < count; i++) {
        lf += p[i] == '\n';
        q += p[i] == '"';
    }
    *lines = lf;
    *quotes = q;
}
