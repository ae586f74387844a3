/* What the workbook writer asks for while it writes and closes a workbook: the zlib level,
   whether the compression runs on a second thread, whether a sheet's rows are read in place,
   whether cells are written directly; read by the executable's deflateInit2_, zip calls,
   sheet assembly and cell writers (Sources/CDeflateLevel); without those, nothing reads them. */
#include "CSupport.h"

static int fundrecon_level = -2;

void fundrecon_set_deflate_level(int level) { __atomic_store_n(&fundrecon_level, level, __ATOMIC_RELAXED); }

int fundrecon_deflate_level(void) { return __atomic_load_n(&fundrecon_level, __ATOMIC_RELAXED); }

static int fundrecon_pipeline = 0;

void fundrecon_set_zip_pipeline(int on) { __atomic_store_n(&fundrecon_pipeline, on, __ATOMIC_RELAXED); }

int fundrecon_zip_pipeline(void) { return __atomic_load_n(&fundrecon_pipeline, __ATOMIC_RELAXED); }

static int fundrecon_in_place = 0;
static int fundrecon_rows_error = 0;

void fundrecon_set_rows_in_place(int on) {
    __atomic_store_n(&fundrecon_rows_error, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&fundrecon_in_place, on, __ATOMIC_RELAXED);
}

int fundrecon_rows_in_place(void) { return __atomic_load_n(&fundrecon_in_place, __ATOMIC_RELAXED); }

void fundrecon_note_rows_failure(int error) {
    int none = 0;
    __atomic_compare_exchange_n(&fundrecon_rows_error, &none, error ? error : -1, 0, __ATOMIC_RELAXED,
                                __ATOMIC_RELAXED);
}

int fundrecon_rows_failure(void) { return __atomic_load_n(&fundrecon_rows_error, __ATOMIC_RELAXED); }

static int fundrecon_direct_cells = 1;

void fundrecon_set_cells_written_directly(int on) { __atomic_store_n(&fundrecon_direct_cells, on, __ATOMIC_RELAXED); }

int fundrecon_cells_written_directly(void) { return __atomic_load_n(&fundrecon_direct_cells, __ATOMIC_RELAXED); }
