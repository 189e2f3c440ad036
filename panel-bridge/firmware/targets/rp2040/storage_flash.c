/* Key and config in the last two 4 KB flash sectors (A and B), through the RP2040 boot ROM's
 * flash routines, with the two-record logic of core/dw_store.c: a write erases and programs only
 * the sector that does not hold the newest record, so a power cut at any point leaves the board
 * with its key and a valid config (old or new). The same module runs in the host tests, where a
 * RAM flash cuts the power at every step of a write.
 *
 * The ROM routines run with XIP off, so the code that calls them lives in RAM (.ramfunc) and
 * interrupts are masked around each call. */
#include <stddef.h>
#include <string.h>

#include "dw_core.h"
#include "dw_store.h"
#include "rp2040_regs.h"
#include "storage_flash.h"
#include "watchdog.h"

#define FLASH_SIZE (2u * 1024u * 1024u)
#define SECTOR 4096u
#define XIP_BASE 0x10000000u
/* Each erase or program gets its own watchdog budget: the main loop's 500 ms would leave only
 * 100 ms over the W25Q16JV's 400 ms maximum sector erase (datasheet 9.7), and a reset there
 * would come back for every SET_CONFIG the panel retries. A chip that never finishes still
 * gets the board rebooted, 1 s on. */
#define FLASH_OP_WATCHDOG_MS 1000u

typedef void *(*rom_lookup_fn)(uint16_t *table, uint32_t code);
typedef void (*rom_void_fn)(void);
typedef void (*rom_erase_fn)(uint32_t addr, size_t count, uint32_t block_size, uint8_t block_cmd);
typedef void (*rom_program_fn)(uint32_t addr, const uint8_t *data, size_t count);

typedef struct {
    rom_void_fn connect_internal_flash;
    rom_void_fn flash_exit_xip;
    rom_erase_fn flash_range_erase;
    rom_program_fn flash_range_program;
    rom_void_fn flash_flush_cache;
    rom_void_fn flash_enter_cmd_xip;
} rom_flash_t;

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

static bool rom_flash(rom_flash_t *rom)
{
    rom->connect_internal_flash = (rom_void_fn)rom_func('I', 'F');
    rom->flash_exit_xip = (rom_void_fn)rom_func('E', 'X');
    rom->flash_range_erase = (rom_erase_fn)rom_func('R', 'E');
    rom->flash_range_program = (rom_program_fn)rom_func('R', 'P');
    rom->flash_flush_cache = (rom_void_fn)rom_func('F', 'C');
    rom->flash_enter_cmd_xip = (rom_void_fn)rom_func('C', 'X');
    return rom->connect_internal_flash && rom->flash_exit_xip && rom->flash_range_erase && rom->flash_range_program &&
           rom->flash_flush_cache && rom->flash_enter_cmd_xip;
}

static uint32_t sector_offset(uint8_t sector)
{
    return FLASH_SIZE - (2u - sector) * SECTOR; /* A = second to last, B = last */
}

/* Erases the sector (page == NULL) or programs its first page; XIP is off meanwhile. */
__attribute__((section(".ramfunc"), noinline)) static void flash_op(const rom_flash_t *rom, uint32_t offset,
                                                                     const uint8_t *page)
{
    rom->connect_internal_flash();
    rom->flash_exit_xip();
    if (page == NULL) {
        rom->flash_range_erase(offset, SECTOR, 1u << 16, 0xD8); /* < one block: 4 KB sector erase */
    } else {
        rom->flash_range_program(offset, page, DW_STORE_PAGE);
    }
    rom->flash_flush_cache();
    rom->flash_enter_cmd_xip();
}

static bool run_op(uint8_t sector, const uint8_t *page)
{
    rom_flash_t rom;
    uint32_t primask;
    if (sector > 1u || !rom_flash(&rom)) {
        return false;
    }
    watchdog_feed_for(FLASH_OP_WATCHDOG_MS);
    __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    flash_op(&rom, sector_offset(sector), page);
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
    return true; /* the ROM routines report nothing: dw_store reads the record back */
}

static bool fl_erase(void *ctx, uint8_t sector)
{
    (void)ctx;
    return run_op(sector, NULL);
}

static bool fl_program(void *ctx, uint8_t sector, const uint8_t page[DW_STORE_PAGE])
{
    (void)ctx;
    return run_op(sector, page);
}

static bool fl_read(void *ctx, uint8_t sector, uint8_t *buf, size_t len)
{
    (void)ctx;
    if (sector > 1u || len > SECTOR) {
        return false;
    }
    memcpy(buf, (const void *)(uintptr_t)(XIP_BASE + sector_offset(sector)), len);
    return true;
}

static const dw_flash_t g_flash = {.erase = fl_erase, .program = fl_program, .read = fl_read};

bool storage_read(dw_slot_t slot, uint8_t *buf, size_t len)
{
    dw_store_t s;
    return dw_store_init(&s, &g_flash) && dw_store_read(&s, slot, buf, len);
}

bool storage_write(dw_slot_t slot, const uint8_t *buf, size_t len)
{
    dw_store_t s;
    return dw_store_init(&s, &g_flash) && dw_store_write(&s, slot, buf, len);
}
