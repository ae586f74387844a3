/* zlib's deflateInit2_, seen first by the dynamic linker (the fundrecon executable exports
   it; see Package.swift), forwarding to the real one with the level the workbook writer asks
   for (fundrecon_deflate_level in CSupport: only while Workbook.close runs, else the caller's
   own). Linked into fundrecon's executables only, never into the FundreconCore library: a
   program that uses the library gets zlib as it is, and workbooks at zlib's default level.
   Linux/ELF only: elsewhere this file is empty. */
#include "CDeflateLevel.h"
#include "CSupport.h"

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
    int asked = fundrecon_deflate_level();
    if (asked >= -1 && asked <= 9) level = asked;
    return real(strm, level, method, windowBits, memLevel, strategy, version, stream_size);
}
#endif
