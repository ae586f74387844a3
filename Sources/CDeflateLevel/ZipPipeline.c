/* minizip's entry calls (open an entry, write into it, close it), seen first by the dynamic
   linker like deflateInit2_ in DeflateLevel.c, queued while a workbook closes and made in
   the same order, with the same arguments and the same chunks, on a second thread. The
   thread closing the workbook (libxlsxwriter's packager: each sheet's XML assembled, read
   back, handed over 16 KiB at a time) then runs beside the compression (CRC-32, deflate and
   the write of the zip file) instead of taking turns with it, and the file is the same
   bytes, as each minizip call sees exactly what it would have seen.

   Only while the XLSX layer has switched it on (fundrecon_set_zip_pipeline in CSupport) and
   only for the zip file of the first entry opened then; every other call goes straight to
   minizip. A failure on the second thread is answered to the next call of the closing
   thread and to zipClose, which libxlsxwriter calls on every path out of its packaging.
   Linux/ELF only: elsewhere this file is empty. */
#include "CDeflateLevel.h"
#include "CSupport.h"

#if defined(__linux__)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

enum { ZIP_OK = 0, ZIP_INTERNALERROR = -104 };

typedef int (*open_fn)(zipFile, const char *, const zip_fileinfo *, const void *, unsigned, const void *,
                       unsigned, const char *, int, int, int, int, int, int, const char *, unsigned long,
                       unsigned long, unsigned long, int);
typedef int (*write_fn)(zipFile, const void *, unsigned);
typedef int (*close_entry_fn)(zipFile);
typedef int (*close_fn)(zipFile, const char *);

/* At most this many bytes wait for the second thread: the closing thread blocks beyond it. */
#define QUEUED_BYTES_LIMIT ((size_t)32 << 20)

enum op_kind { OP_OPEN, OP_WRITE, OP_CLOSE_ENTRY };

struct op {
    struct op *next;
    enum op_kind kind;
    size_t bytes; /* what this op holds, counted against QUEUED_BYTES_LIMIT */
    /* OP_OPEN: every argument of zipOpenNewFileInZip4_64, its pointers' targets copied. */
    char *filename, *comment, *password;
    zip_fileinfo info;
    int has_info;
    void *extra_local, *extra_global;
    unsigned size_local, size_global;
    int method, level, raw, window_bits, mem_level, strategy, zip64;
    unsigned long crc, version_made_by, flag_base;
    /* OP_WRITE */
    unsigned len;
    unsigned char data[];
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int running, stopping;
    zipFile file;
    pthread_t worker;
    struct op *head, *tail;
    size_t queued;
    int error; /* the first failure on the worker, or ZIP_OK */
} P = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0, 0, 0, ZIP_OK};

static long entries_compressed_aside = 0;

/* Set on the second thread: minizip's own calls from there go straight to minizip. */
static __thread int on_worker = 0;

long fundrecon_zip_entries_compressed_aside(void) {
    return __atomic_load_n(&entries_compressed_aside, __ATOMIC_RELAXED);
}

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

static void free_op(struct op *op) {
    free(op->filename);
    free(op->comment);
    free(op->password);
    free(op->extra_local);
    free(op->extra_global);
    free(op);
}

static int run(struct op *op) {
    switch (op->kind) {
    case OP_OPEN: {
        open_fn f = (open_fn)real("zipOpenNewFileInZip4_64");
        if (!f) return ZIP_INTERNALERROR;
        __atomic_add_fetch(&entries_compressed_aside, 1, __ATOMIC_RELAXED);
        return f(P.file, op->filename, op->has_info ? &op->info : 0, op->extra_local, op->size_local,
                 op->extra_global, op->size_global, op->comment, op->method, op->level, op->raw,
                 op->window_bits, op->mem_level, op->strategy, op->password, op->crc, op->version_made_by,
                 op->flag_base, op->zip64);
    }
    case OP_WRITE: {
        write_fn f = (write_fn)real("zipWriteInFileInZip");
        if (!f) return ZIP_INTERNALERROR;
        int r = f(P.file, op->data, op->len);
        return r < 0 ? r : ZIP_OK;
    }
    case OP_CLOSE_ENTRY: {
        close_entry_fn f = (close_entry_fn)real("zipCloseFileInZip");
        return f ? f(P.file) : ZIP_INTERNALERROR;
    }
    }
    return ZIP_INTERNALERROR;
}

static void *work(void *unused) {
    (void)unused;
    on_worker = 1;
    for (;;) {
        pthread_mutex_lock(&P.lock);
        while (!P.head && !P.stopping) pthread_cond_wait(&P.changed, &P.lock);
        struct op *op = P.head;
        if (!op) {
            pthread_mutex_unlock(&P.lock);
            return 0;
        }
        P.head = op->next;
        if (!P.head) P.tail = 0;
        int failed = P.error != ZIP_OK;
        pthread_mutex_unlock(&P.lock);

        /* After a failure nothing more is written: zipClose answers it. */
        int r = failed ? ZIP_OK : run(op);

        pthread_mutex_lock(&P.lock);
        if (r != ZIP_OK && P.error == ZIP_OK) P.error = r;
        P.queued -= op->bytes;
        pthread_cond_broadcast(&P.changed);
        pthread_mutex_unlock(&P.lock);
        free_op(op);
    }
}

/* Whether a call on `file` goes to the queue, starting the second thread for the first. */
static int queues(zipFile file, int opening) {
    if (on_worker) return 0;
    if (P.running) return P.file == file;
    if (!opening || !fundrecon_zip_pipeline()) return 0;
    P.file = file;
    P.stopping = 0;
    P.error = ZIP_OK;
    P.running = 1;
    if (pthread_create(&P.worker, 0, work, 0) != 0) {
        P.running = 0;
        return 0;
    }
    return 1;
}

/* Hands op to the second thread; answers a failure it has met so far. */
static int enqueue(struct op *op) {
    pthread_mutex_lock(&P.lock);
    while (P.queued > 0 && P.queued + op->bytes > QUEUED_BYTES_LIMIT && P.error == ZIP_OK)
        pthread_cond_wait(&P.changed, &P.lock);
    int error = P.error;
    if (error == ZIP_OK) {
        op->next = 0;
        if (P.tail) P.tail->next = op;
        else P.head = op;
        P.tail = op;
        P.queued += op->bytes;
        pthread_cond_broadcast(&P.changed);
    }
    pthread_mutex_unlock(&P.lock);
    if (error != ZIP_OK) free_op(op);
    return error;
}

static struct op *new_op(enum op_kind kind, unsigned len) {
    struct op *op = calloc(1, sizeof(struct op) + len);
    if (op) {
        op->kind = kind;
        op->len = len;
        op->bytes = sizeof(struct op) + len;
    }
    return op;
}

int zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                            const void *extrafield_local, unsigned size_extrafield_local,
                            const void *extrafield_global, unsigned size_extrafield_global,
                            const char *comment, int method, int level, int raw, int windowBits,
                            int memLevel, int strategy, const char *password, unsigned long crcForCrypting,
                            unsigned long versionMadeBy, unsigned long flagBase, int zip64) {
    if (!queues(file, 1)) {
        open_fn f = (open_fn)real("zipOpenNewFileInZip4_64");
        if (!f) return ZIP_INTERNALERROR;
        return f(file, filename, zipfi, extrafield_local, size_extrafield_local, extrafield_global,
                 size_extrafield_global, comment, method, level, raw, windowBits, memLevel, strategy,
                 password, crcForCrypting, versionMadeBy, flagBase, zip64);
    }
    struct op *op = new_op(OP_OPEN, 0);
    if (!op) return ZIP_INTERNALERROR;
    op->filename = copy_text(filename);
    op->comment = copy_text(comment);
    op->password = copy_text(password);
    op->extra_local = copy_bytes(extrafield_local, size_extrafield_local);
    op->extra_global = copy_bytes(extrafield_global, size_extrafield_global);
    if ((filename && !op->filename) || (comment && !op->comment) || (password && !op->password) ||
        (extrafield_local && size_extrafield_local && !op->extra_local) ||
        (extrafield_global && size_extrafield_global && !op->extra_global)) {
        free_op(op);
        return ZIP_INTERNALERROR;
    }
    op->size_local = op->extra_local ? size_extrafield_local : 0;
    op->size_global = op->extra_global ? size_extrafield_global : 0;
    if (zipfi) {
        op->info = *zipfi;
        op->has_info = 1;
    }
    op->method = method;
    op->level = level;
    op->raw = raw;
    op->window_bits = windowBits;
    op->mem_level = memLevel;
    op->strategy = strategy;
    op->crc = crcForCrypting;
    op->version_made_by = versionMadeBy;
    op->flag_base = flagBase;
    op->zip64 = zip64;
    return enqueue(op);
}

int zipWriteInFileInZip(zipFile file, const void *buf, unsigned len) {
    if (!queues(file, 0)) {
        write_fn f = (write_fn)real("zipWriteInFileInZip");
        return f ? f(file, buf, len) : ZIP_INTERNALERROR;
    }
    struct op *op = new_op(OP_WRITE, len);
    if (!op) return ZIP_INTERNALERROR;
    if (len) memcpy(op->data, buf, len);
    return enqueue(op);
}

int zipCloseFileInZip(zipFile file) {
    if (!queues(file, 0)) {
        close_entry_fn f = (close_entry_fn)real("zipCloseFileInZip");
        return f ? f(file) : ZIP_INTERNALERROR;
    }
    struct op *op = new_op(OP_CLOSE_ENTRY, 0);
    return op ? enqueue(op) : ZIP_INTERNALERROR;
}

int zipClose(zipFile file, const char *global_comment) {
    int error = ZIP_OK;
    if (!on_worker && P.running && P.file == file) {
        pthread_mutex_lock(&P.lock);
        P.stopping = 1;
        pthread_cond_broadcast(&P.changed);
        pthread_mutex_unlock(&P.lock);
        pthread_join(P.worker, 0);
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
#endif
