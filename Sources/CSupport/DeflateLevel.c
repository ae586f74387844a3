/* The zlib level the workbook writer asks for while it closes a workbook, read by the
   executable's deflateInit2_ (Sources/CDeflateLevel); without that, nothing reads it. */
#include "CSupport.h"

static int fundrecon_level = -2;

void fundrecon_set_deflate_level(int level) { __atomic_store_n(&fundrecon_level, level, __ATOMIC_RELAXED); }

int fundrecon_deflate_level(void) { return __atomic_load_n(&fundrecon_level, __ATOMIC_RELAXED); }
