#ifndef FUNDRECON_CDEFLATELEVEL_H
#define FUNDRECON_CDEFLATELEVEL_H
/* The target defines zlib's deflateInit2_ (DeflateLevel.c), minizip's entry calls
   (ZipPipeline.c), libxlsxwriter's lxw_worksheet_assemble_xml_file (RowsInPlace.c) and its
   number and inline text cell writers (FastCells.c) for the dynamic linker to find first. */

/* How many zip entries ZipPipeline.c's threads have compressed since the process started,
   and how many of them those threads read from a sheet's files themselves: tests use them
   to know the pipeline was reached. */
long fundrecon_zip_entries_compressed_aside(void);
long fundrecon_zip_entries_read_aside(void);
/* How many sheets RowsInPlace.c has handed to the packager as a stream reading their rows
   in place since the process started: tests use it to know it was reached. */
long fundrecon_sheets_read_in_place(void);
/* How many cells FastCells.c has written since the process started: tests use it to know
   it was reached. */
long fundrecon_cells_written_here(void);
/* printf's "%.16G" of v into out (room for 32 bytes), with its length; -1, and nothing
   written, for a value other than zero outside 1e-4 to 1e15 in magnitude (the caller uses
   snprintf). */
int fundrecon_format_g16(double v, char *out);
#endif
