/* The RP2040's key and config store: core/dw_store.c's two records in the last two flash
 * sectors. The glue passes these straight to dw_io_t's store_read/store_write. */
#ifndef DW_RP2040_STORAGE_H
#define DW_RP2040_STORAGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dw_core.h"
DW_MUST_CHECK bool storage_read(dw_slot_t slot, uint8_t *buf, size_t len);
DW_MUST_CHECK bool storage_write(dw_slot_t slot, const uint8_t *buf, size_t len);
#endif
