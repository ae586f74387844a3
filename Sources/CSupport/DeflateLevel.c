/* zlib's deflateInit2_, seen first by the dynamic linker (the executable exports it; see
   Package.swift), forwarding to the real one with the level fundrecon_deflate_level asks
   for. Linux/ELF only: elsewhere this file is empty and the level is zlib's default. */
#include "CSupport.h"

static int fundrecon_deflate_level = -2;

void fundrecon_set_deflate_level(int level) { __atomic_store_n(&fundrecon_deflate_level, level, __ATOMIC_RELAXED); }

#if defined(__linux__)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <zlib.h>

typedef int (*deflate_init2_fn)(z_streamp, int, int, int, int, int, const char *, int);

int deflateInit2_(z_streamp strm, int level, int method, int windowBits, int memLevel, int strategy,
                  const char *version, int stream_size) {
    static deflate_init2_fn real = 0;
    if (!real) real = (deflate_init2_fn)dlsym(RTLD_NEXT, "deflateInit2_");
    if (!real) return Z_VERSION_ERROR;
    int asked = __atomic_load_n(&fundrecon_deflate_level, __ATOMIC_RELAXED);
    if (asked >= -1 && asked <= 9) level = asked;
    return real(strm, level, method, windowBits, memLevel, strategy, version, stream_size);
}
#endif
