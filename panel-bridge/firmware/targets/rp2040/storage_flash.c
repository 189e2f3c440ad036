/* Key and config in the last 4 KB flash sector, through the RP2040 boot ROM's flash routines.
 * Those run with XIP off, so the writer lives in RAM (.ramfunc) and interrupts are masked.
 * Record: magic, key, config, CRC-16 over all of it. A torn write fails the CRC and reads as
 * "unprovisioned, default config": the controller then refuses every signed command, which is
 * the safe direction. */
#include <stddef.h>
#include <string.h>

#include "dw_core.h"
#include "dw_sha256.h"
#include "rp2040_regs.h"
#include "storage_flash.h"

#define FLASH_SIZE (2u * 1024u * 1024u)
#define SECTOR 4096u
#define PAGE 256u
#define STORE_OFFSET (FLASH_SIZE - SECTOR)
#define XIP_BASE 0x10000000u
#define MAGIC 0x3157444Bu /* "KDW1" */

typedef struct {
    uint32_t magic;
    uint8_t has_key;
    uint8_t has_cfg;
    uint8_t key[DW_KEY_LEN];
    uint8_t cfg[DW_CONFIG_LEN];
    uint8_t crc[2];
} record_t;

typedef void *(*rom_lookup_fn)(uint16_t *table, uint32_t code);
typedef void (*rom_void_fn)(void);
typedef void (*rom_erase_fn)(uint32_t addr, size_t count, uint32_t block_size, uint8_t block_cmd);
typedef void (*rom_program_fn)(uint32_t addr, const uint8_t *data, size_t count);

static void *rom_func(char c1, char c2)
{
    /* The boot ROM keeps 16-bit pointers to its function table and lookup routine at 0x14/0x18. */
    uintptr_t at = 0x14u;
    uint16_t table, lookup;
    /* hide the low constant address from GCC, which otherwise takes it for a null dereference */
    __asm__("" : "+r"(at));
    table = *(volatile uint16_t *)at;
    lookup = *(volatile uint16_t *)(at + 4u);
    rom_lookup_fn fn = (rom_lookup_fn)(uintptr_t)lookup;
    return fn((uint16_t *)(uintptr_t)table, (uint32_t)c1 | ((uint32_t)c2 << 8));
}

static void load(record_t *r)
{
    memcpy(r, (const void *)(uintptr_t)(XIP_BASE + STORE_OFFSET), sizeof(*r));
    if (r->magic != MAGIC || dw_get_u16(r->crc) != dw_crc16((const uint8_t *)r, offsetof(record_t, crc))) {
        memset(r, 0, sizeof(*r));
    }
}

__attribute__((section(".ramfunc"), noinline)) static void program_sector(const uint8_t page[PAGE], void *fns[6])
{
    ((rom_void_fn)fns[0])(); /* connect_internal_flash */
    ((rom_void_fn)fns[1])(); /* flash_exit_xip */
    ((rom_erase_fn)fns[2])(STORE_OFFSET, SECTOR, 1u << 16, 0xD8);
    ((rom_program_fn)fns[3])(STORE_OFFSET, page, PAGE);
    ((rom_void_fn)fns[4])(); /* flash_flush_cache */
    ((rom_void_fn)fns[5])(); /* flash_enter_cmd_xip */
}

bool storage_read(dw_slot_t slot, uint8_t *buf, size_t len)
{
    record_t r;
    bool found = false;
    load(&r);
    if (slot == DW_SLOT_KEY && r.has_key && len == DW_KEY_LEN) {
        memcpy(buf, r.key, len);
        found = true;
    } else if (slot == DW_SLOT_CONFIG && r.has_cfg && len == DW_CONFIG_LEN) {
        memcpy(buf, r.cfg, len);
        found = true;
    }
    dw_wipe(&r, sizeof(r));
    return found;
}

bool storage_write(dw_slot_t slot, const uint8_t *buf, size_t len)
{
    uint8_t page[PAGE];
    record_t r;
    void *fns[6];
    uint32_t primask;

    load(&r);
    r.magic = MAGIC;
    if (slot == DW_SLOT_KEY && len == DW_KEY_LEN) {
        memcpy(r.key, buf, len);
        r.has_key = 1;
    } else if (slot == DW_SLOT_CONFIG && len == DW_CONFIG_LEN) {
        memcpy(r.cfg, buf, len);
        r.has_cfg = 1;
    } else {
        return false;
    }
    dw_put_u16(r.crc, dw_crc16((const uint8_t *)&r, offsetof(record_t, crc)));
    memset(page, 0xFF, sizeof(page));
    memcpy(page, &r, sizeof(r));
    fns[0] = rom_func('I', 'F');
    fns[1] = rom_func('E', 'X');
    fns[2] = rom_func('R', 'E');
    fns[3] = rom_func('R', 'P');
    fns[4] = rom_func('F', 'C');
    fns[5] = rom_func('C', 'X');
    __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    program_sector(page, fns);
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
    dw_wipe(page, sizeof(page));
    dw_wipe(&r, sizeof(r));
    /* read back: a failed program must not be reported as stored */
    load(&r);
    return slot == DW_SLOT_KEY ? (r.has_key && memcmp(r.key, buf, len) == 0)
                               : (r.has_cfg && memcmp(r.cfg, buf, len) == 0);
}
