/* libxlsxwriter's lxw_worksheet_assemble_xml_file, seen first by the dynamic linker like
   deflateInit2_ in DeflateLevel.c. In constant-memory mode a sheet's rows go to a temporary
   file while it is filled. When the workbook closes, libxlsxwriter 1.1.4 copies that file,
   8 KiB at a time, into a second temporary file between the sheet's head and foot, then
   reads the second file back to compress it. It ignores a failed write of the copy, so a
   full disk there gives a short sheet in a file reported as written.

   Here the head and foot are assembled around no rows, and the packager is handed a stream
   that reads the head, the rows' own file and the foot in turn. The zip entry gets the same
   bytes in the same 16 KiB reads, the rows go through the page cache once instead of twice,
   and a failed read or an earlier failed write of the rows is recorded
   (fundrecon_note_rows_failure) for the XLSX layer to throw after workbook_close.

   When the workbook's entries are compressed aside (ZipPipeline.c), the stream's first read
   hands the three pieces to the entry's compressing thread instead (fundrecon_zip_take_source)
   and answers an end: the packager closes the entry at once and goes on to the next, and the
   thread reads the pieces itself, in order, and closes them when done.

   Only while the XLSX layer has switched it on (fundrecon_set_rows_in_place in CSupport),
   and only for a constant-memory sheet with rows; every other call goes straight to
   libxlsxwriter. Linux/glibc only (fopencookie): elsewhere this file is empty. */
#if defined(__linux__)
#define _GNU_SOURCE /* fopencookie, RTLD_NEXT: before any header */
#endif
#include "CDeflateLevel.h"
#include "CSupport.h"
#include "ZipSource.h"

#if defined(__linux__)
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <xlsxwriter.h>

typedef void (*assemble_fn)(lxw_worksheet *);

static long sheets_read_in_place = 0;

long fundrecon_sheets_read_in_place(void) { return __atomic_load_n(&sheets_read_in_place, __ATOMIC_RELAXED); }

/* The sheet's XML as three pieces: frame[0, split) is the head up to and with "<sheetData>",
   then every byte of rows, then frame[split, end), "</sheetData>" and the foot. */
struct spliced {
    FILE *frame, *rows;
    long split, at; /* at: how far into the frame the head has been read */
    int piece;      /* 0 head, 1 rows, 2 foot */
    int handed;     /* read by a compressing thread, not through the stream */
    int owners;     /* the stream, and the compressing thread once handed */
};

static ssize_t read_pieces(struct spliced *s, char *buffer, size_t size) {
    size_t done = 0;
    while (done < size) {
        size_t n;
        FILE *from;
        size_t want = size - done;
        if (s->piece == 0) {
            if (s->at >= s->split) {
                s->piece = 1;
                continue;
            }
            if ((long)want > s->split - s->at) want = (size_t)(s->split - s->at);
            from = s->frame;
        } else {
            from = s->piece == 1 ? s->rows : s->frame;
        }
        n = fread(buffer + done, 1, want, from);
        if (n == 0 && ferror(from)) {
            int err = errno ? errno : EIO;
            fundrecon_note_rows_failure(err);
            errno = err;
            return -1;
        }
        if (s->piece == 0) {
            if (n == 0) { /* the frame ended inside its own head: it changed under us */
                fundrecon_note_rows_failure(EIO);
                errno = EIO;
                return -1;
            }
            s->at += (long)n;
        } else if (n == 0) {
            if (s->piece == 2) break;
            s->piece = 2;
        }
        done += n;
    }
    return (ssize_t)done;
}

/* The packager rewinds the stream before it reads it; nothing else moves it. */
static int spliced_seek(void *cookie, off64_t *offset, int whence) {
    struct spliced *s = cookie;
    if (s->handed) return 0; /* the pieces are the compressing thread's */
    if (*offset != 0 || whence != SEEK_SET) {
        errno = EINVAL;
        return -1;
    }
    if (fseek(s->frame, 0, SEEK_SET) != 0 || fseek(s->rows, 0, SEEK_SET) != 0) {
        fundrecon_note_rows_failure(errno ? errno : EIO);
        return -1;
    }
    s->at = 0;
    s->piece = 0;
    return 0;
}

/* Lets go of the pieces once both owners are done with them. */
static int release(struct spliced *s) {
    if (__atomic_sub_fetch(&s->owners, 1, __ATOMIC_ACQ_REL) > 0) return 0;
    int a = fclose(s->frame), b = fclose(s->rows);
    free(s);
    return a == 0 && b == 0 ? 0 : EOF;
}

static long source_read(void *cookie, char *buffer, size_t size) { return read_pieces(cookie, buffer, size); }

static void source_close(void *cookie) { release(cookie); }

static ssize_t spliced_read(void *cookie, char *buffer, size_t size) {
    struct spliced *s = cookie;
    if (s->handed) return 0;
    if (s->piece == 0 && s->at == 0) {
        s->owners = 2;
        if (fundrecon_zip_take_source((struct zip_source){s, source_read, source_close})) {
            s->handed = 1;
            return 0;
        }
        s->owners = 1;
    }
    return read_pieces(s, buffer, size);
}

static int spliced_close(void *cookie) { return release(cookie); }

/* Where "<sheetData></sheetData>" starts in the frame, or -1. The head before it holds no
   text of the cells (they are all in the rows), and an attribute's '<' is escaped, so the
   first "<sheetData>" is the element. */
static long find_empty_sheet_data(FILE *frame) {
    static const char tag[] = "<sheetData></sheetData>";
    const size_t tag_len = sizeof tag - 1;
    char window[8192 + sizeof tag];
    size_t kept = 0;
    long base = 0; /* the frame's offset of window[0] */
    if (fseek(frame, 0, SEEK_SET) != 0) return -1;
    for (;;) {
        size_t n = fread(window + kept, 1, sizeof window - kept, frame);
        if (n == 0) return -1;
        size_t have = kept + n;
        for (size_t i = 0; i + tag_len <= have; i++) {
            if (window[i] == '<' && memcmp(window + i, "<sheetData>", 11) == 0)
                return memcmp(window + i, tag, tag_len) == 0 ? base + (long)i : -1;
        }
        /* Keep the tail that may start the tag across reads. */
        kept = have < tag_len - 1 ? have : tag_len - 1;
        memmove(window, window + have - kept, kept);
        base += (long)(have - kept);
    }
}

void lxw_worksheet_assemble_xml_file(lxw_worksheet *sheet) {
    assemble_fn assemble = (assemble_fn)dlsym(RTLD_NEXT, "lxw_worksheet_assemble_xml_file");
    if (!assemble) {
        fundrecon_note_rows_failure(ENOSYS);
        return;
    }
    FILE *rows = sheet->optimize_tmpfile;
    if (!fundrecon_rows_in_place() || !sheet->optimize || sheet->dim_rowmin == LXW_ROW_MAX || !rows ||
        !sheet->file || rows == sheet->file) {
        assemble(sheet);
        return;
    }
    /* The packager has just written the sheet's last row, after the XLSX layer's own check
       of the rows' file: a failed write of it shows here, or not at all. */
    if (fflush(rows) != 0 || ferror(rows)) fundrecon_note_rows_failure(errno ? errno : EIO);

    /* The rows libxlsxwriter copies: none. It reads this stream to its end and closes it. */
    FILE *none = fopencookie(0, "r", (cookie_io_functions_t){0, 0, 0, 0});
    struct spliced *s = calloc(1, sizeof *s);
    if (!none || !s) {
        if (none) fclose(none);
        free(s);
        assemble(sheet);
        return;
    }
    sheet->optimize_tmpfile = none;
    assemble(sheet);

    FILE *frame = sheet->file;
    long at = fflush(frame) == 0 && !ferror(frame) ? find_empty_sheet_data(frame) : -1;
    if (at >= 0 && (fseek(frame, 0, SEEK_SET) != 0 || fseek(rows, 0, SEEK_SET) != 0)) at = -1;
    s->frame = frame;
    s->rows = rows;
    s->owners = 1;
    s->split = at < 0 ? 0 : at + 11; /* just after "<sheetData>" */
    FILE *stream = at < 0 ? 0 : fopencookie(s, "r", (cookie_io_functions_t){spliced_read, 0, spliced_seek, spliced_close});
    if (!stream) {
        /* The packager zips the frame alone; the close is failed instead. */
        fundrecon_note_rows_failure(at < 0 ? EIO : ENOMEM);
        fclose(rows);
        free(s);
        return;
    }
    /* The packager reads it whole, then closes it, which closes the frame and the rows. */
    sheet->file = stream;
    __atomic_add_fetch(&sheets_read_in_place, 1, __ATOMIC_RELAXED);
}
#else
long fundrecon_sheets_read_in_place(void) { return 0; }
#endif
