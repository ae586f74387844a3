#ifndef FUNDRECON_CDEFLATELEVEL_H
#define FUNDRECON_CDEFLATELEVEL_H
/* The target defines zlib's deflateInit2_ (DeflateLevel.c) and minizip's entry calls
   (ZipPipeline.c) for the dynamic linker to find first. */

/* How many zip entries the second thread of ZipPipeline.c has written since the process
   started: tests use it to know the pipeline was reached. */
long fundrecon_zip_entries_compressed_aside(void);
#endif
