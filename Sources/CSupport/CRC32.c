/* zlib's CRC-32 (table-driven in C, several bytes a step), for checking the parts of a
   workbook read back: ZIPFoundation's own, in Swift, costs a third of the read. */
#include <limits.h>
#include <zlib.h>
#include "CSupport.h"

uint32_t fundrecon_crc32(uint32_t crc, const uint8_t *bytes, size_t count) {
    while (count > 0) {
        uInt n = count > UINT_MAX ? UINT_MAX : (uInt)count;
        crc = (uint32_t)crc32(crc, bytes, n);
        bytes += n;
        count -= n;
    }
    return crc;
}
