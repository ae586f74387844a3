/* minizip's entry calls (open an entry, write into it, close it), seen first by the dynamic
   linker like deflateInit2_ in DeflateLevel.c, taken over while a workbook closes: each
   entry is compressed by one of two threads, two entries at once, and the entries go into
   the zip file in the order they were opened. This file is over 400 lines because the
   queue, the two compressing threads and the in-order writing are one mechanism: split,
   the rule that only the oldest entry writes would be spread over files.

   Why the file stays the same bytes: an entry is compressed here with the deflate stream
   minizip would make (deflateInit2_ with the same level, window, memory level and strategy,
   through DeflateLevel.c like minizip's own call), fed the same bytes, and zlib's output
   does not depend on how its input or output is cut into calls. The compressed bytes go to
   minizip as a raw entry (zipOpenNewFileInZip4_64 with raw = 1, closed with
   zipCloseFileInZipRaw64 and this side's CRC-32 and size), which writes the same headers,
   with one exception minizip itself makes at the close of a compressed entry: a text
   entry's internal attributes say text (Z_ASCII) once deflate has seen text. The raw open
   is given those attributes. An entry minizip would not compress that way (stored, raw
   already, encrypted, without file info) is made by minizip's own calls, in its turn.

   Where the bytes come from: from the closing thread's writes, queued per entry; or, for a
   sheet whose rows are read in place (RowsInPlace.c), from the sheet's files themselves,
   read by the compressing thread (fundrecon_zip_take_source). The closing thread then
   reads nothing and goes on to the next entry at once, so that the two big sheets being
   compressed at a time need not wait on each other.

   Only while the XLSX layer has switched it on (fundrecon_set_zip_pipeline in CSupport) and
   only for the zip file of the first entry opened then; every other call goes straight to
   minizip. A failure on a compressing thread is answered to the next call of the closing
   thread and to zipClose, which libxlsxwriter calls on every path out of its packaging.
   Linux/ELF only: elsewhere this file is empty. */
#include "CDeflateLevel.h"
#include "CSupport.h"
#include "ZipSource.h"

#if defined(__linux__)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* minizip 1.1's types (zlib's contrib/minizip/zip.h), declared here: Debian ships the
   library with libxlsxwriter but not its headers. */
typedef void *zipFile;
typedef struct {
    unsigned int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year;
} tm_zip;
typedef struct {
    tm_zip tmz_date;
    unsigned long dosDate, internal_fa, external_fa;
} zip_fileinfo;

enum { ZIP_OK = 0, ZIP_ERRNO = -1, ZIP_PARAMERROR = -102, ZIP_INTERNALERROR = -104 };

typedef int (*open_fn)(zipFile, const char *, const zip_fileinfo *, const void *, unsigned, const void *,
                       unsigned, const char *, int, int, int, int, int, int, const char *, unsigned long,
                       unsigned long, unsigned long, int);
typedef int (*write_fn)(zipFile, const void *, unsigned);
typedef int (*close_entry_fn)(zipFile);
typedef int (*close_raw_fn)(zipFile, unsigned long long, unsigned long);
typedef int (*close_fn)(zipFile, const char *);

enum {
    /* Threads compressing entries: the machines fundrecon runs on have two cores. */
    WORKERS = 2,
    /* Per entry, at most this many of the closing thread's bytes wait: it blocks beyond. */
    QUEUED_BYTES_LIMIT = 16 << 20,
    /* Compressed bytes of entries waiting for an older one to be written: an entry's
       thread waits beyond this until its entry is the oldest. The biggest sheet of a
       province with the receivers' books compresses to about 64 MB. */
    WAITING_OUTPUT_LIMIT = 128 << 20,
    /* Bytes read from a source, or made by deflate, per call. */
    CHUNK = 256 << 10,
};

enum op_kind { OP_WRITE, OP_CLOSE_ENTRY };

/* One of the closing thread's calls on an entry, its bytes copied. */
struct op {
    struct op *next;
    enum op_kind kind;
    size_t bytes; /* counted against QUEUED_BYTES_LIMIT */
    unsigned len;
    unsigned char data[];
};

/* Every argument of zipOpenNewFileInZip4_64, its pointers' targets copied. */
struct open_args {
    char *filename, *comment, *password;
    zip_fileinfo info;
    int has_info;
    void *extra_local, *extra_global;
    unsigned size_local, size_global;
    int method, level, raw, window_bits, mem_level, strategy, zip64;
    unsigned long crc, version_made_by, flag_base;
};

struct entry {
    struct entry *next;
    struct open_args args;
    /* Compressed here; else made by minizip's own calls when it is the oldest. */
    int aside;
    /* Under the lock: */
    struct op *ops, *ops_tail;
    size_t queued;
    int close_queued, claimed, finished;
    /* The oldest entry not yet in the zip: only its thread writes to the zip. */
    int oldest;
    struct zip_source source;
    int has_source, source_taken;
    /* The thread's own while it compresses; the writer's once finished: */
    z_stream zs;
    int zs_ready, opened, knows_oldest;
    unsigned long crc;
    unsigned long long size;
    unsigned char *out; /* compressed, not yet in the zip */
    size_t out_len, out_cap;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int running, stopping;
    zipFile file;
    pthread_t workers[WORKERS];
    int started;
    struct entry *first; /* the oldest entry not yet in the zip */
    struct entry *last;  /* the newest, which the closing thread writes into */
    size_t waiting_output;
    int error; /* the first failure, or ZIP_OK */
} P = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, {0}, 0, 0, 0, 0, ZIP_OK};

static long entries_compressed_aside = 0;
static long entries_read_aside = 0;

/* Set on the compressing threads: minizip's calls from there go straight to minizip. */
static __thread int on_worker = 0;

long fundrecon_zip_entries_compressed_aside(void) {
    return __atomic_load_n(&entries_compressed_aside, __ATOMIC_RELAXED);
}

long fundrecon_zip_entries_read_aside(void) { return __atomic_load_n(&entries_read_aside, __ATOMIC_RELAXED); }

static void *real(const char *name) { return dlsym(RTLD_NEXT, name); }

static char *copy_text(const char *s) {
    if (!s) return 0;
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

static void *copy_bytes(const void *p, unsigned n) {
    if (!p || n == 0) return 0;
    void *c = malloc(n);
    if (c) memcpy(c, p, n);
    return c;
}

/* Records the first failure and wakes every waiter; under the lock. */
static void fail_locked(int error) {
    if (P.error == ZIP_OK) P.error = error;
    pthread_cond_broadcast(&P.changed);
}

static void fail(int error) {
    pthread_mutex_lock(&P.lock);
    fail_locked(error);
    pthread_mutex_unlock(&P.lock);
}

static int failed(void) {
    pthread_mutex_lock(&P.lock);
    int e = P.error != ZIP_OK;
    pthread_mutex_unlock(&P.lock);
    return e;
}

static void free_entry(struct entry *e) {
    for (struct op *op = e->ops, *next; op; op = next) {
        next = op->next;
        free(op);
    }
    if (e->has_source && !e->source_taken) e->source.close(e->source.cookie);
    if (e->zs_ready) deflateEnd(&e->zs);
    free(e->out);
    free(e->args.filename);
    free(e->args.comment);
    free(e->args.password);
    free(e->args.extra_local);
    free(e->args.extra_global);
    free(e);
}

/* minizip's open of `e`, with raw set for an entry compressed here. */
static int open_in_zip(struct entry *e, int raw) {
    open_fn f = (open_fn)real("zipOpenNewFileInZip4_64");
    if (!f) return ZIP_INTERNALERROR;
    const struct open_args *a = &e->args;
    zip_fileinfo info = a->info;
    /* What minizip's close of a compressed entry writes when deflate found text. */
    if (raw && e->zs.data_type == Z_TEXT) info.internal_fa = Z_TEXT;
    e->opened = 1;
    return f(P.file, a->filename, a->has_info ? &info : 0, a->extra_local, a->size_local, a->extra_global,
             a->size_global, a->comment, a->method, a->level, raw || a->raw, a->window_bits, a->mem_level,
             a->strategy, a->password, a->crc, a->version_made_by, a->flag_base, a->zip64);
}

static int write_in_zip(const void *bytes, size_t len) {
    write_fn f = (write_fn)real("zipWriteInFileInZip");
    if (!f) return ZIP_INTERNALERROR;
    while (len > 0) {
        unsigned n = len > (1u << 30) ? 1u << 30 : (unsigned)len;
        int r = f(P.file, bytes, n);
        if (r < 0) return r;
        bytes = (const unsigned char *)bytes + n;
        len -= n;
    }
    return ZIP_OK;
}

/* Writes what `e` has waiting, opening it first; on the entry's own thread once it is the
   oldest, or on the thread that made it the oldest once it is finished. */
static int write_waiting(struct entry *e) {
    int r = e->opened ? ZIP_OK : open_in_zip(e, 1);
    if (r == ZIP_OK && e->out_len) r = write_in_zip(e->out, e->out_len);
    if (e->out_len) {
        pthread_mutex_lock(&P.lock);
        P.waiting_output -= e->out_len;
        pthread_cond_broadcast(&P.changed);
        pthread_mutex_unlock(&P.lock);
        e->out_len = 0;
    }
    return r;
}

static int close_raw_in_zip(struct entry *e) {
    close_raw_fn f = (close_raw_fn)real("zipCloseFileInZipRaw64");
    return f ? f(P.file, e->size, e->crc) : ZIP_INTERNALERROR;
}

/* `e` is in the zip: the next entry becomes the oldest, and every finished one after it is
   written here, in order. */
static void written(struct entry *e) {
    pthread_mutex_lock(&P.lock);
    for (;;) {
        struct entry *next = e->next;
        P.first = next;
        if (P.last == e) P.last = 0;
        free_entry(e);
        if (!next) break;
        next->oldest = 1;
        pthread_cond_broadcast(&P.changed);
        if (!next->finished || P.error != ZIP_OK) break;
        pthread_mutex_unlock(&P.lock);
        int r = write_waiting(next);
        if (r == ZIP_OK) r = close_raw_in_zip(next);
        pthread_mutex_lock(&P.lock);
        if (r != ZIP_OK) {
            fail_locked(r);
            break;
        }
        e = next;
    }
    pthread_mutex_unlock(&P.lock);
}

static int is_oldest(struct entry *e) {
    if (e->knows_oldest) return 1;
    pthread_mutex_lock(&P.lock);
    e->knows_oldest = e->oldest;
    pthread_mutex_unlock(&P.lock);
    return e->knows_oldest;
}

/* Compressed bytes of `e`: into the zip when it is the oldest, else kept until it is. */
static int emit(struct entry *e, const unsigned char *bytes, size_t len) {
    if (len == 0) return ZIP_OK;
    if (is_oldest(e)) {
        int r = write_waiting(e);
        return r == ZIP_OK ? write_in_zip(bytes, len) : r;
    }
    if (e->out_len + len > e->out_cap) {
        size_t cap = e->out_cap ? e->out_cap * 2 : CHUNK;
        while (cap < e->out_len + len) cap *= 2;
        unsigned char *grown = realloc(e->out, cap);
        if (!grown) return ZIP_INTERNALERROR;
        e->out = grown;
        e->out_cap = cap;
    }
    memcpy(e->out + e->out_len, bytes, len);
    e->out_len += len;
    pthread_mutex_lock(&P.lock);
    P.waiting_output += len;
    while (P.waiting_output > WAITING_OUTPUT_LIMIT && !e->oldest && P.error == ZIP_OK)
        pthread_cond_wait(&P.changed, &P.lock);
    pthread_mutex_unlock(&P.lock);
    return ZIP_OK;
}

/* Deflates `len` bytes of `e`'s data (Z_NO_FLUSH) or its end (Z_FINISH). */
static int deflate_into(struct entry *e, const unsigned char *bytes, size_t len, int flush, unsigned char *out) {
    if (flush == Z_NO_FLUSH) {
        e->crc = crc32_z(e->crc, bytes, len);
        e->size += len;
    }
    e->zs.next_in = (unsigned char *)(uintptr_t)bytes;
    e->zs.avail_in = (uInt)len;
    for (;;) {
        e->zs.next_out = out;
        e->zs.avail_out = CHUNK;
        int z = deflate(&e->zs, flush);
        if (z != Z_OK && z != Z_STREAM_END && z != Z_BUF_ERROR) return ZIP_INTERNALERROR;
        int r = emit(e, out, CHUNK - e->zs.avail_out);
        if (r != ZIP_OK) return r;
        if (flush == Z_FINISH ? z == Z_STREAM_END : e->zs.avail_out != 0) return ZIP_OK;
    }
}

static int feed(struct entry *e, const unsigned char *bytes, size_t len, unsigned char *out) {
    /* zlib counts a call's input in 32 bits. */
    while (len > 0) {
        size_t n = len > (1u << 30) ? 1u << 30 : len;
        int r = deflate_into(e, bytes, n, Z_NO_FLUSH, out);
        if (r != ZIP_OK) return r;
        bytes += n;
        len -= n;
    }
    return ZIP_OK;
}

static int read_source(struct entry *e, unsigned char *in, unsigned char *out) {
    __atomic_add_fetch(&entries_read_aside, 1, __ATOMIC_RELAXED);
    int r = ZIP_OK;
    for (;;) {
        long n = e->source.read(e->source.cookie, (char *)in, CHUNK);
        if (n < 0) r = ZIP_ERRNO;
        if (n <= 0) break;
        r = feed(e, in, (size_t)n, out);
        if (r != ZIP_OK || failed()) break;
    }
    e->source.close(e->source.cookie);
    return r;
}

/* The next of `e`'s calls, with a source to read counted as one: 0 after a failure. */
static struct op *next_op(struct entry *e, int *read_source_now) {
    *read_source_now = 0;
    pthread_mutex_lock(&P.lock);
    while (!e->ops && !(e->has_source && !e->source_taken) && P.error == ZIP_OK)
        pthread_cond_wait(&P.changed, &P.lock);
    struct op *op = 0;
    if (P.error == ZIP_OK) {
        if (e->has_source && !e->source_taken) {
            e->source_taken = 1;
            *read_source_now = 1;
        } else {
            op = e->ops;
            e->ops = op->next;
            if (!e->ops) e->ops_tail = 0;
            e->queued -= op->bytes;
            pthread_cond_broadcast(&P.changed);
        }
    }
    pthread_mutex_unlock(&P.lock);
    return op;
}

/* An entry compressed here, then written as soon as it is the oldest. */
static int compress_entry(struct entry *e, unsigned char *in, unsigned char *out) {
    const struct open_args *a = &e->args;
    int z = deflateInit2(&e->zs, a->level, Z_DEFLATED, a->window_bits > 0 ? -a->window_bits : a->window_bits,
                         a->mem_level, a->strategy);
    if (z != Z_OK) return ZIP_INTERNALERROR;
    e->zs_ready = 1;
    __atomic_add_fetch(&entries_compressed_aside, 1, __ATOMIC_RELAXED);
    for (;;) {
        int source_now;
        struct op *op = next_op(e, &source_now);
        if (source_now) {
            int r = read_source(e, in, out);
            if (r != ZIP_OK) return r;
            continue;
        }
        if (!op) return ZIP_OK; /* failed elsewhere */
        int closing = op->kind == OP_CLOSE_ENTRY;
        int r = closing ? deflate_into(e, 0, 0, Z_FINISH, out) : feed(e, op->data, op->len, out);
        free(op);
        if (r != ZIP_OK) return r;
        if (closing) break;
    }
    deflateEnd(&e->zs);
    e->zs_ready = 0;
    pthread_mutex_lock(&P.lock);
    int oldest = e->oldest;
    if (!oldest) e->finished = 1;
    pthread_mutex_unlock(&P.lock);
    if (!oldest) return ZIP_OK; /* written by the thread that makes it the oldest */
    int r = write_waiting(e);
    if (r == ZIP_OK) r = close_raw_in_zip(e);
    if (r == ZIP_OK) written(e);
    return r;
}

/* An entry made by minizip's own calls, in its turn. */
static int replay(struct entry *e) {
    pthread_mutex_lock(&P.lock);
    while (!e->oldest && P.error == ZIP_OK) pthread_cond_wait(&P.changed, &P.lock);
    pthread_mutex_unlock(&P.lock);
    if (failed()) return ZIP_OK;
    int r = open_in_zip(e, 0);
    while (r == ZIP_OK) {
        int source_now;
        struct op *op = next_op(e, &source_now);
        if (source_now) { /* never handed one: see fundrecon_zip_take_source */
            r = ZIP_INTERNALERROR;
            break;
        }
        if (!op) return ZIP_OK;
        int closing = op->kind == OP_CLOSE_ENTRY;
        if (closing) {
            close_entry_fn f = (close_entry_fn)real("zipCloseFileInZip");
            r = f ? f(P.file) : ZIP_INTERNALERROR;
        } else {
            r = write_in_zip(op->data, op->len);
        }
        free(op);
        if (closing) break;
    }
    if (r == ZIP_OK) written(e);
    return r;
}

static void *work(void *unused) {
    (void)unused;
    on_worker = 1;
    unsigned char *in = malloc(CHUNK), *out = malloc(CHUNK);
    if (!in || !out) fail(ZIP_INTERNALERROR);
    pthread_mutex_lock(&P.lock);
    for (;;) {
        struct entry *e = P.first;
        while (e && e->claimed) e = e->next;
        if (P.error != ZIP_OK || (!e && P.stopping)) break;
        if (!e) {
            pthread_cond_wait(&P.changed, &P.lock);
            continue;
        }
        e->claimed = 1;
        pthread_mutex_unlock(&P.lock);
        int r = e->aside ? compress_entry(e, in, out) : replay(e);
        pthread_mutex_lock(&P.lock);
        if (r != ZIP_OK) fail_locked(r);
    }
    pthread_mutex_unlock(&P.lock);
    free(in);
    free(out);
    return 0;
}

/* Whether a call on `file` is taken over, starting the threads for the first. */
static int taken(zipFile file, int opening) {
    if (on_worker) return 0;
    if (P.running) return P.file == file;
    if (!opening || !fundrecon_zip_pipeline()) return 0;
    P.file = file;
    P.stopping = 0;
    P.error = ZIP_OK;
    P.first = P.last = 0;
    P.waiting_output = 0;
    P.started = 0;
    for (int i = 0; i < WORKERS; i++) {
        if (pthread_create(&P.workers[i], 0, work, 0) != 0) break;
        P.started++;
    }
    if (P.started == 0) return 0;
    P.running = 1;
    return 1;
}

/* Appends op to the newest entry's calls; answers a failure met so far. */
static int enqueue(struct op *op) {
    pthread_mutex_lock(&P.lock);
    struct entry *e = P.last;
    while (e && e->queued > 0 && e->queued + op->bytes > QUEUED_BYTES_LIMIT && P.error == ZIP_OK)
        pthread_cond_wait(&P.changed, &P.lock);
    int error = P.error != ZIP_OK ? P.error : !e || e->close_queued ? ZIP_PARAMERROR : ZIP_OK;
    if (error == ZIP_OK) {
        op->next = 0;
        if (e->ops_tail) e->ops_tail->next = op;
        else e->ops = op;
        e->ops_tail = op;
        e->queued += op->bytes;
        if (op->kind == OP_CLOSE_ENTRY) e->close_queued = 1;
        pthread_cond_broadcast(&P.changed);
    }
    pthread_mutex_unlock(&P.lock);
    if (error != ZIP_OK) free(op);
    return error;
}

int zipCloseFileInZip(zipFile file);

static struct op *new_op(enum op_kind kind, unsigned len) {
    struct op *op = calloc(1, sizeof(struct op) + len);
    if (op) {
        op->kind = kind;
        op->len = len;
        op->bytes = sizeof(struct op) + len;
    }
    return op;
}

int fundrecon_zip_take_source(struct zip_source source) {
    if (on_worker || !P.running) return 0;
    pthread_mutex_lock(&P.lock);
    struct entry *e = P.last;
    int take = P.error == ZIP_OK && e && e->aside && !e->ops && !e->close_queued && !e->has_source;
    if (take) {
        e->source = source;
        e->has_source = 1;
        pthread_cond_broadcast(&P.changed);
    }
    pthread_mutex_unlock(&P.lock);
    return take;
}

int zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                            const void *extrafield_local, unsigned size_extrafield_local,
                            const void *extrafield_global, unsigned size_extrafield_global,
                            const char *comment, int method, int level, int raw, int windowBits,
                            int memLevel, int strategy, const char *password, unsigned long crcForCrypting,
                            unsigned long versionMadeBy, unsigned long flagBase, int zip64) {
    if (!taken(file, 1)) {
        open_fn f = (open_fn)real("zipOpenNewFileInZip4_64");
        if (!f) return ZIP_INTERNALERROR;
        return f(file, filename, zipfi, extrafield_local, size_extrafield_local, extrafield_global,
                 size_extrafield_global, comment, method, level, raw, windowBits, memLevel, strategy,
                 password, crcForCrypting, versionMadeBy, flagBase, zip64);
    }
    /* minizip closes an entry left open before it opens the next. */
    pthread_mutex_lock(&P.lock);
    int open_before = P.last && !P.last->close_queued;
    pthread_mutex_unlock(&P.lock);
    if (open_before) {
        int r = zipCloseFileInZip(file);
        if (r != ZIP_OK) return r;
    }
    struct entry *e = calloc(1, sizeof *e);
    if (!e) return ZIP_INTERNALERROR;
    struct open_args *a = &e->args;
    a->filename = copy_text(filename);
    a->comment = copy_text(comment);
    a->password = copy_text(password);
    a->extra_local = copy_bytes(extrafield_local, size_extrafield_local);
    a->extra_global = copy_bytes(extrafield_global, size_extrafield_global);
    if ((filename && !a->filename) || (comment && !a->comment) || (password && !a->password) ||
        (extrafield_local && size_extrafield_local && !a->extra_local) ||
        (extrafield_global && size_extrafield_global && !a->extra_global)) {
        free_entry(e);
        return ZIP_INTERNALERROR;
    }
    a->size_local = a->extra_local ? size_extrafield_local : 0;
    a->size_global = a->extra_global ? size_extrafield_global : 0;
    if (zipfi) {
        a->info = *zipfi;
        a->has_info = 1;
    }
    a->method = method;
    a->level = level;
    a->raw = raw;
    a->window_bits = windowBits;
    a->mem_level = memLevel;
    a->strategy = strategy;
    a->crc = crcForCrypting;
    a->version_made_by = versionMadeBy;
    a->flag_base = flagBase;
    a->zip64 = zip64;
    /* Without file info minizip dates the entry 0, which a raw open cannot repeat for a text
       entry; the others are not compressed by minizip at all. */
    e->aside = method == Z_DEFLATED && !raw && !password && zipfi;

    pthread_mutex_lock(&P.lock);
    int error = P.error;
    if (error == ZIP_OK) {
        if (P.last) P.last->next = e;
        else P.first = e;
        P.last = e;
        if (P.first == e) e->oldest = 1;
        pthread_cond_broadcast(&P.changed);
    }
    pthread_mutex_unlock(&P.lock);
    if (error != ZIP_OK) free_entry(e);
    return error;
}

int zipWriteInFileInZip(zipFile file, const void *buf, unsigned len) {
    if (!taken(file, 0)) {
        write_fn f = (write_fn)real("zipWriteInFileInZip");
        return f ? f(file, buf, len) : ZIP_INTERNALERROR;
    }
    struct op *op = new_op(OP_WRITE, len);
    if (!op) return ZIP_INTERNALERROR;
    if (len) memcpy(op->data, buf, len);
    return enqueue(op);
}

int zipCloseFileInZip(zipFile file) {
    if (!taken(file, 0)) {
        close_entry_fn f = (close_entry_fn)real("zipCloseFileInZip");
        return f ? f(file) : ZIP_INTERNALERROR;
    }
    struct op *op = new_op(OP_CLOSE_ENTRY, 0);
    return op ? enqueue(op) : ZIP_INTERNALERROR;
}

int zipClose(zipFile file, const char *global_comment) {
    int error = ZIP_OK;
    if (!on_worker && P.running && P.file == file) {
        /* An entry left open is closed first, as minizip's zipClose does. */
        pthread_mutex_lock(&P.lock);
        int open_before = P.last && !P.last->close_queued;
        pthread_mutex_unlock(&P.lock);
        if (open_before) zipCloseFileInZip(file);
        pthread_mutex_lock(&P.lock);
        P.stopping = 1;
        pthread_cond_broadcast(&P.changed);
        pthread_mutex_unlock(&P.lock);
        for (int i = 0; i < P.started; i++) pthread_join(P.workers[i], 0);
        /* After a failure, what is left was never written. */
        for (struct entry *e = P.first, *next; e; e = next) {
            next = e->next;
            free_entry(e);
        }
        P.first = P.last = 0;
        P.waiting_output = 0;
        P.running = 0;
        P.file = 0;
        error = P.error;
        P.error = ZIP_OK;
    }
    close_fn f = (close_fn)real("zipClose");
    int r = f ? f(file, global_comment) : ZIP_INTERNALERROR;
    return error != ZIP_OK ? error : r;
}
#else
long fundrecon_zip_entries_compressed_aside(void) { return 0; }
long fundrecon_zip_entries_read_aside(void) { return 0; }
#endif
