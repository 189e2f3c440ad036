/* Key and config store that survives a power cut at any point of a write.
 *
 * Two records, each in its own flash sector (A and B), each a full copy of the state: magic,
 * sequence number, key, config and a CRC-32. A write never touches the sector holding the newest
 * valid record: it erases the other one, programs the new record there with the next sequence
 * number and reads it back. Reading picks the valid record with the highest sequence. So a cut
 * during the erase or the program leaves the old record as the newest valid one, and a cut after
 * it leaves the new one: the board always comes up with its key and a valid config, old or new.
 *
 * The flash itself is a dw_flash_t (the RP2040 boot ROM routines on the board, a RAM fake with
 * power-cut injection in the host tests). Record format: panel-bridge/README.md ("The key store");
 * byte-exact examples in vectors.json ("store_records"). */
#ifndef DW_STORE_H
#define DW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dw_check.h"
#include "dw_core.h"

#define DW_STORE_PAGE 256u
#define DW_STORE_RECORD_LEN 56u
#define DW_STORE_MAGIC 0x32535744u /* "DWS2" */

typedef struct {
    void *ctx;
    /* Erases sector 0 or 1 (every byte 0xFF). */
    DW_MUST_CHECK bool (*erase)(void *ctx, uint8_t sector);
    /* Programs the first page of an erased sector (NOR flash: bits only go from 1 to 0). */
    DW_MUST_CHECK bool (*program)(void *ctx, uint8_t sector, const uint8_t page[DW_STORE_PAGE]);
    /* Reads len bytes from the start of a sector. */
    DW_MUST_CHECK bool (*read)(void *ctx, uint8_t sector, uint8_t *buf, size_t len);
} dw_flash_t;

typedef struct {
    const dw_flash_t *flash;
    const char *error; /* the first failure, kept (nanopb style) */
} dw_store_t;

/* One record, decoded. */
typedef struct {
    uint32_t seq;
    bool has_key;
    bool has_cfg;
    uint8_t key[DW_KEY_LEN];
    uint8_t cfg[DW_CONFIG_LEN];
} dw_record_t;

uint32_t dw_crc32(const uint8_t *data, size_t len);

/* Serialises a record into a flash page (DW_STORE_RECORD_LEN bytes, the rest 0xFF). */
void dw_record_encode(const dw_record_t *r, uint8_t page[DW_STORE_PAGE]);
/* False for anything but a whole, valid record (magic, flags, CRC). */
DW_MUST_CHECK bool dw_record_decode(const uint8_t *bytes, size_t len, dw_record_t *r);

DW_MUST_CHECK bool dw_store_init(dw_store_t *s, const dw_flash_t *flash);
/* The slot from the newest valid record; false when no record holds it. */
DW_MUST_CHECK bool dw_store_read(dw_store_t *s, dw_slot_t slot, uint8_t *buf, size_t len);
/* Writes a new record (the newest with this slot replaced) into the other sector. */
DW_MUST_CHECK bool dw_store_write(dw_store_t *s, dw_slot_t slot, const uint8_t *buf, size_t len);
const char *dw_store_error(const dw_store_t *s);

#endif
