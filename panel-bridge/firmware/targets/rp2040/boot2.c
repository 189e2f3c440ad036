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
#include "ssi_cmd.h"

/* 4.10.13: SCK = clk_sys / BAUDR. clk_sys is the ROSC (~6 MHz) while this runs and 125 MHz
 * afterwards: 125 / 6 = 20.8 MHz, inside every 25-series part's 03h limit (33 MHz or more). */
#define BOOT2_SSI_BAUDR 6u
#define APP_VECTORS (XIP_BASE + 0x100u)

__attribute__((section(".boot2.entry"), used, noreturn)) void boot2_entry(void)
{
    const uint32_t *vectors = (const uint32_t *)APP_VECTORS;

    ssi_xip_03h_mode(BOOT2_SSI_BAUDR);

    /* 2.8.1.3: boot2 hands over to the image: VTOR, MSP and the reset handler from its table */
    REG(M0PLUS_VTOR) = APP_VECTORS;
    __asm__ volatile("msr msp, %0\n\tbx %1" : : "r"(vectors[0]), "r"(vectors[1]) : "memory");
    __builtin_unreachable();
}
