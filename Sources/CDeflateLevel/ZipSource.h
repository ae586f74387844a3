#ifndef FUNDRECON_ZIPSOURCE_H
#define FUNDRECON_ZIPSOURCE_H
/* Between RowsInPlace.c and ZipPipeline.c: a sheet's bytes, which a compressing thread
   reads itself instead of the closing thread reading them and handing them over. */
#include <stddef.h>

struct zip_source {
    void *cookie;
    /* Up to size bytes into buffer: how many, 0 at the end, -1 on a failure. */
    long (*read)(void *cookie, char *buffer, size_t size);
    /* Done with it, read to its end or not. */
    void (*close)(void *cookie);
};

/* Whether the zip entry just opened, with nothing written into it yet, takes its bytes from
   `source`: 1, and the source is the compressing thread's to read and close, when the
   entries are compressed aside (ZipPipeline.c) and this is the closing thread; else 0. */
int fundrecon_zip_take_source(struct zip_source source);
#endif
