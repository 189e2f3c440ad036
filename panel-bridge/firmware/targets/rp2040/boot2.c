/* Second-stage boot loader (boot2): a generic 03h-read XIP set-up that works with any 25-series
 * SPI flash, written from the RP2040 datasheet.
 *
 * 2.8.1 flash boot: the boot ROM reads the first 256 bytes of flash into SRAM at 0x20041f00,
 * checks the CRC32 in its last 4 bytes (CRC-32/MPEG-2 over the first 252; the build appends it,
 * tools/boot2_image.py) and enters it in Thumb state. This stage then configures the SSI so that
 * bus reads in the XIP window become standard SPI READ (03h) commands with a 24-bit address,
 * and vectors into the application's table at XIP_BASE + 0x100.
 *
 * 03h is the one read every 25-series chip has (no quad enable bit, no continuous-read mode to
 * leave), so nothing here depends on the board's flash part. It is slow per cache miss; the 16 KB
 * XIP cache holds the hot loop. */
#include "rp2040_regs.h"

/* 4.10.13: SCK = clk_sys / BAUDR. clk_sys is the ROSC (~6 MHz) while this runs and 125 MHz
 * afterwards: 125 / 6 = 20.8 MHz, inside every 25-series part's 03h limit (33 MHz or more). */
#define BOOT2_SSI_BAUDR 6u
#define FLASH_CMD_READ 0x03u
#define APP_VECTORS (XIP_BASE + 0x100u)

__attribute__((section(".boot2.entry"), used, noreturn)) void boot2_entry(void)
{
    const uint32_t *vectors = (const uint32_t *)APP_VECTORS;

    REG(XIP_SSI_BASE + SSI_SSIENR) = 0u; /* registers below only change while disabled */
    REG(XIP_SSI_BASE + SSI_BAUDR) = BOOT2_SSI_BAUDR;
    /* standard SPI frame format (SPI_FRF = 0), 32-bit data frames, EEPROM read: the XIP block
     * pushes command + address, the SSI clocks in one 32-bit frame (CTRLR1.NDF = 0) per access */
    REG(XIP_SSI_BASE + SSI_CTRLR0) = (31u << SSI_CTRLR0_DFS_32_LSB) |
                                     (SSI_CTRLR0_TMOD_EEPROM_READ << SSI_CTRLR0_TMOD_LSB);
    REG(XIP_SSI_BASE + SSI_CTRLR1) = 0u;
    REG(XIP_SSI_BASE + SSI_SPI_CTRLR0) = (FLASH_CMD_READ << SSI_SPI_CTRLR0_XIP_CMD_LSB) |
                                         (SSI_SPI_CTRLR0_INST_L_8B << SSI_SPI_CTRLR0_INST_L_LSB) |
                                         (6u << SSI_SPI_CTRLR0_ADDR_L_LSB); /* 6 x 4 = 24 bits */
    REG(XIP_SSI_BASE + SSI_SER) = 1u;
    REG(XIP_SSI_BASE + SSI_SSIENR) = 1u;

    /* 2.8.1.3: boot2 hands over to the image: VTOR, MSP and the reset handler from its table */
    REG(M0PLUS_VTOR) = APP_VECTORS;
    __asm__ volatile("msr msp, %0\n\tbx %1" : : "r"(vectors[0]), "r"(vectors[1]) : "memory");
    __builtin_unreachable();
}
