/* The zlib level the workbook writer asks for while it closes a workbook, and whether the
   compression runs on a second thread then, read by the executable's deflateInit2_ and zip
   calls (Sources/CDeflateLevel); without those, nothing reads them. */
#include "CSupport.h"

static int fundrecon_level = -2;

void fundrecon_set_deflate_level(int level) { __atomic_store_n(&fundrecon_level, level, __ATOMIC_RELAXED); }

int fundrecon_deflate_level(void) { return __atomic_load_n(&fundrecon_level, __ATOMIC_RELAXED); }

static int fundrecon_pipeline = 0;

void fundrecon_set_zip_pipeline(int on) { __atomic_store_n(&fundrecon_pipeline, on, __ATOMIC_RELAXED); }

int fundrecon_zip_pipeline(void) { return __atomic_load_n(&fundrecon_pipeline, __ATOMIC_RELAXED); }
