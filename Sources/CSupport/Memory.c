#include "CSupport.h"
#include <stdlib.h>  /* defines __GLIBC__ */
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void fundrecon_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
