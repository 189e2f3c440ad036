/* READ_UNIQUE_ID (4Bh, then 4 dummy bytes, then the 64-bit id) through the SSI. While the SSI is
 * in command mode the XIP window cannot fetch, so the exchange runs from SRAM (.ramfunc) with
 * interrupts masked, keeps the XIP configuration boot2 left in the SSI and restores it before
 * anything runs from flash again. Chip select is held by hand (ssi_cmd.h): the SSI would let it
 * go whenever its FIFO ran dry in the middle of the 13-byte command. */
#include "unique_id.h"

#include "rp2040_regs.h"
#include "ssi_cmd.h"

#define FLASH_CMD_READ_UNIQUE_ID 0x4Bu
#define UNIQUE_ID_DUMMY_BYTES 4u
#define UNIQUE_ID_SSI_BAUDR 6u /* the same 20.8 MHz as boot2's reads */

__attribute__((section(".ramfunc.unique_id"), noinline)) static void read_unique_id(uint8_t out[FLASH_UNIQUE_ID_LEN])
{
    uint32_t ctrlr0 = REG(XIP_SSI_BASE + SSI_CTRLR0);
    uint32_t ctrlr1 = REG(XIP_SSI_BASE + SSI_CTRLR1);
    uint32_t spi_ctrlr0 = REG(XIP_SSI_BASE + SSI_SPI_CTRLR0);
    uint32_t baudr = REG(XIP_SSI_BASE + SSI_BAUDR);

    ssi_command_mode(UNIQUE_ID_SSI_BAUDR);
    flash_chip_select(IO_QSPI_OUTOVER_LOW);
    (void)ssi_exchange(FLASH_CMD_READ_UNIQUE_ID);
    for (uint32_t i = 0; i < UNIQUE_ID_DUMMY_BYTES; i++) {
        (void)ssi_exchange(0u);
    }
    for (uint32_t i = 0; i < FLASH_UNIQUE_ID_LEN; i++) {
        out[i] = ssi_exchange(0u);
    }
    flash_chip_select(IO_QSPI_OUTOVER_HIGH);
    flash_chip_select(IO_QSPI_OUTOVER_NORMAL);

    REG(XIP_SSI_BASE + SSI_SSIENR) = 0u;
    REG(XIP_SSI_BASE + SSI_CTRLR0) = ctrlr0;
    REG(XIP_SSI_BASE + SSI_CTRLR1) = ctrlr1;
    REG(XIP_SSI_BASE + SSI_SPI_CTRLR0) = spi_ctrlr0;
    REG(XIP_SSI_BASE + SSI_BAUDR) = baudr;
    REG(XIP_SSI_BASE + SSI_SSIENR) = 1u;
}

void flash_unique_id(uint8_t out[FLASH_UNIQUE_ID_LEN])
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    read_unique_id(out);
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}
