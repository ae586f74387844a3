#ifndef FUNDRECON_CSUPPORT_H
#define FUNDRECON_CSUPPORT_H

#include <stdint.h>
#include <stddef.h>

/* Asks the CPU to start loading the cache line at p. Swift has no prefetch of its own; the
   hash tables of the per-row path use it to overlap a table's cache miss with the parsing
   of the rest of the row. */
static inline void fundrecon_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/* The CRC-32 of ZIP (and gzip) continued over `count` bytes; start with 0. */
uint32_t fundrecon_crc32(uint32_t crc, const uint8_t *bytes, size_t count);

/* The zlib level for deflate streams started while a workbook closes, or -2 to leave each
   caller's own. libxlsxwriter 1.1.4 always compresses at zlib's default (6) and has no
   setting; level 1 takes a third off the workbook's write for a file about a fifth larger.
   Only the XLSX layer sets it, around workbook_close; only fundrecon's executables read it
   (Sources/CDeflateLevel), so in any other program it changes nothing. */
void fundrecon_set_deflate_level(int level);
int fundrecon_deflate_level(void);

/* Whether minizip's entries are compressed and written on a second thread while a workbook
   closes, beside the thread that hands them over: the same bytes, the close about a fifth
   shorter.
   Set by the XLSX layer around workbook_close, read by fundrecon's executables only
   (Sources/CDeflateLevel/ZipPipeline.c). */
void fundrecon_set_zip_pipeline(int on);
int fundrecon_zip_pipeline(void);

/* Whether a constant-memory sheet's rows are read from their own temporary file when a
   workbook closes, instead of being copied into a second one first: the same bytes, half the
   temporary writes. Setting it forgets any failure noted. Set by the XLSX layer around
   workbook_close, read by fundrecon's executables only (Sources/CDeflateLevel/RowsInPlace.c),
   which note there the first failure (an errno) to read or write a sheet's rows; the XLSX
   layer throws it after workbook_close. */
void fundrecon_set_rows_in_place(int on);
int fundrecon_rows_in_place(void);
void fundrecon_note_rows_failure(int error);
int fundrecon_rows_failure(void);

/* Whether a constant-memory sheet's number and text cells are written by
   Sources/CDeflateLevel/FastCells.c (the same bytes, without fprintf's parsing of its format
   for every cell) rather than by libxlsxwriter's own writers. On unless switched off; tests
   switch it off to compare the two. */
void fundrecon_set_cells_written_directly(int on);
int fundrecon_cells_written_directly(void);

/* Gives the heap's free pages back to the system. glibc keeps what a run's reading phase
   frees (the ledger's growth, the voucher tables' scratch): about 0.8 GB at 10^7 transfer
   rows that would otherwise stay resident through the whole write. No-op off glibc. */
void fundrecon_release_free_memory(void);

#include <stddef.h>

/* Line feeds and double quotes in a buffer: where a second reader may start in a big CSV file
   (a line end outside quotes) and which line that is. */
void fundrecon_count_lines_and_quotes(const unsigned char *p, size_t count,
                                      unsigned long long *lines, unsigned long long *quotes);

/* Splits a record that starts at p[start] and holds no quoted field: stores the offset of
   each comma ending a field, then of the line feed ending the record, in ends (at most cap
   of them), sets *lineEnd and returns how many. Returns -1 when a field starts with a quote
   or there are more than cap fields, -2 when the buffer ends first: the caller then splits
   the record itself. */
long fundrecon_split_unquoted(const unsigned char *p, long start, long end, long *ends, long cap, long *lineEnd);

/* SHA-256 through the system's libcrypto when it can be loaded (see SHA256.c). The context
   is plain bytes (OpenSSL's SHA256_CTX is 112 of them), so copying it copies the state. */
typedef struct { _Alignas(16) unsigned char opaque[256]; } fundrecon_sha256_ctx;
int fundrecon_sha256_available(void);
int fundrecon_sha256_init(fundrecon_sha256_ctx *ctx);
int fundrecon_sha256_update(fundrecon_sha256_ctx *ctx, const void *data, size_t count);
int fundrecon_sha256_final(fundrecon_sha256_ctx *ctx, unsigned char digest[32]);

#endif
