#ifndef FUNDRECON_CDEFLATELEVEL_H
#define FUNDRECON_CDEFLATELEVEL_H
/* The target defines zlib's deflateInit2_ (DeflateLevel.c), minizip's entry calls
   (ZipPipeline.c) and libxlsxwriter's lxw_worksheet_assemble_xml_file (RowsInPlace.c) for
   the dynamic linker to find first. */

/* How many zip entries the second thread of ZipPipeline.c has written since the process
   started: tests use it to know the pipeline was reached. */
long fundrecon_zip_entries_compressed_aside(void);
/* How many sheets RowsInPlace.c has handed to the packager as a stream reading their rows
   in place since the process started: tests use it to know it was reached. */
long fundrecon_sheets_read_in_place(void);
#endif
