/* A stand-in for the RP2040 boot ROM, for the rp2040js emulator only (it ships without the
 * real ROM, whose code is Raspberry Pi's; nothing here is copied from it). It does what the
 * datasheet says the real one does on the paths the Doorward image uses:
 *
 *  - flash boot (2.8.1.3): load the first 256 bytes of flash into SRAM at 0x20041f00, check the
 *    CRC-32/MPEG-2 of the first 252 against the last 4, and enter boot2 in Thumb state with
 *    lr = 0; a bad CRC is where the real ROM would start USB boot (BOOTSEL): here it stops at
 *    BKPT 0xB0 so the emulator sees it;
 *  - the flash functions of the public table (2.8.3.1) the key store calls through
 *    rom_table_lookup: connect_internal_flash 'IF', flash_exit_xip 'EX', flash_range_erase
 *    'RE', flash_range_program 'RP', flash_flush_cache 'FC', flash_enter_cmd_xip 'CX'. They
 *    talk to the flash chip over the SSI with the standard 25-series commands (06h write
 *    enable, 20h/D8h erase, 02h page program, 05h status), exactly what the emulator's flash
 *    model answers, so the image's own SSI use (XIP, 4Bh unique id) meets the same chip.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rp2040_regs.h"
#include "ssi_cmd.h"

#define BOOT2_SRAM 0x20041F00u
#define BOOT2_LEN 256u
#define ROM_SSI_BAUDR 8u

#define CMD_PAGE_PROGRAM 0x02u
#define CMD_READ_STATUS 0x05u
#define CMD_WRITE_ENABLE 0x06u
#define CMD_SECTOR_ERASE 0x20u
#define STATUS_BUSY 0x01u
#define SECTOR 4096u
#define PAGE 256u
#define XIP_CTRL_FLUSH 0x04u

void rom_reset(void);
void rom_fault(void);
void *rom_table_lookup(const uint16_t *table, uint32_t code);
void rom_connect_internal_flash(void);
void rom_flash_exit_xip(void);
void rom_flash_range_erase(uint32_t addr, size_t count, uint32_t block_size, uint8_t block_cmd);
void rom_flash_range_program(uint32_t addr, const uint8_t *data, size_t count);
void rom_flash_flush_cache(void);
void rom_flash_enter_cmd_xip(void);

void rom_fault(void)
{
    for (;;) {
    }
}

void *rom_table_lookup(const uint16_t *table, uint32_t code)
{
    for (; table[0] != 0u; table += 2) {
        if (table[0] == code) {
            return (void *)(uintptr_t)table[1];
        }
    }
    return NULL;
}

static void command(const uint8_t *out, size_t n, uint8_t *in, size_t in_n)
{
    flash_chip_select(IO_QSPI_OUTOVER_LOW);
    for (size_t i = 0; i < n; i++) {
        (void)ssi_exchange(out[i]);
    }
    for (size_t i = 0; i < in_n; i++) {
        in[i] = ssi_exchange(0u);
    }
    flash_chip_select(IO_QSPI_OUTOVER_HIGH);
}

static void write_enable(void)
{
    static const uint8_t cmd = CMD_WRITE_ENABLE;
    command(&cmd, 1, NULL, 0);
}

/* Waits for the chip with no timeout, as the real ROM does: a chip that never finishes hangs
 * the caller until the hardware watchdog reboots the board. */
static void wait_ready(void)
{
    static const uint8_t cmd = CMD_READ_STATUS;
    uint8_t status;
    do {
        command(&cmd, 1, &status, 1);
    } while (status & STATUS_BUSY);
}

static void address_command(uint8_t op, uint32_t addr)
{
    uint8_t cmd[4] = {op, (uint8_t)(addr >> 16), (uint8_t)(addr >> 8), (uint8_t)addr};
    command(cmd, sizeof(cmd), NULL, 0);
}

void rom_connect_internal_flash(void)
{
    flash_chip_select(IO_QSPI_OUTOVER_HIGH);
}

void rom_flash_exit_xip(void)
{
    ssi_command_mode(ROM_SSI_BAUDR);
    flash_chip_select(IO_QSPI_OUTOVER_HIGH);
}

void rom_flash_range_erase(uint32_t addr, size_t count, uint32_t block_size, uint8_t block_cmd)
{
    uint32_t end = addr + count;
    while (addr < end) {
        /* block_size is a power of two (64 KB for D8h) */
        bool block = block_size > SECTOR && (addr & (block_size - 1u)) == 0u && end - addr >= block_size;
        write_enable();
        address_command(block ? block_cmd : CMD_SECTOR_ERASE, addr);
        wait_ready();
        addr += block ? block_size : SECTOR;
    }
}

void rom_flash_range_program(uint32_t addr, const uint8_t *data, size_t count)
{
    for (size_t done = 0; done < count; done += PAGE) {
        uint8_t head[4] = {CMD_PAGE_PROGRAM, (uint8_t)((addr + done) >> 16), (uint8_t)((addr + done) >> 8),
                           (uint8_t)(addr + done)};
        size_t n = count - done < PAGE ? count - done : PAGE;
        write_enable();
        flash_chip_select(IO_QSPI_OUTOVER_LOW);
        for (size_t i = 0; i < sizeof(head); i++) {
            (void)ssi_exchange(head[i]);
        }
        for (size_t i = 0; i < n; i++) {
            (void)ssi_exchange(data[done + i]);
        }
        flash_chip_select(IO_QSPI_OUTOVER_HIGH);
        wait_ready();
    }
}

void rom_flash_flush_cache(void)
{
    REG(XIP_CTRL_BASE + XIP_CTRL_FLUSH) = 1u;
    (void)REG(XIP_CTRL_BASE + XIP_CTRL_FLUSH); /* the read completes when the flush has */
    flash_chip_select(IO_QSPI_OUTOVER_NORMAL);
}

/* The slow, universal XIP set-up: standard SPI 03h reads (ssi_cmd.h). */
void rom_flash_enter_cmd_xip(void)
{
    ssi_xip_03h_mode(ROM_SSI_BAUDR);
    flash_chip_select(IO_QSPI_OUTOVER_NORMAL);
}

static uint32_t crc32_mpeg2(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 24;
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
        }
    }
    return crc;
}

void rom_reset(void)
{
    uint8_t *boot2 = (uint8_t *)BOOT2_SRAM;
    const volatile uint8_t *flash = (const volatile uint8_t *)XIP_BASE;
    uint32_t stored;

    rom_connect_internal_flash();
    rom_flash_exit_xip();
    rom_flash_enter_cmd_xip();
    for (uint32_t i = 0; i < BOOT2_LEN; i++) {
        boot2[i] = flash[i];
    }
    stored = (uint32_t)boot2[252] | ((uint32_t)boot2[253] << 8) | ((uint32_t)boot2[254] << 16) |
             ((uint32_t)boot2[255] << 24);
    if (crc32_mpeg2(boot2, 252) != stored) {
        for (;;) {
            __asm__ volatile("bkpt #0xB0");
        }
    }
    __asm__ volatile("movs r0, #0\n\tmov lr, r0\n\tbx %0" : : "r"(BOOT2_SRAM | 1u) : "r0", "memory");
    __builtin_unreachable();
}
