/* SPI flash commands through the SSI with chip select held by hand (RP2040 datasheet 4.10 and
 * 2.19.6.2), and the XIP set-up. Used by code that runs from SRAM while XIP is off: boot2, the
 * unique-id read, and the emulator's stand-in boot ROM (tests/rp2040_rom). Header-only and always
 * inlined, so nothing is fetched from flash while the SSI is out of XIP mode. */
#ifndef DW_RP2040_SSI_CMD_H
#define DW_RP2040_SSI_CMD_H
#include "rp2040_regs.h"

#define SSI_INLINE static inline __attribute__((always_inline))

/* TX-and-RX mode, 8-bit frames, standard SPI: one byte out and one in per DR0 write. */
SSI_INLINE void ssi_command_mode(uint32_t baudr)
{
    REG(XIP_SSI_BASE + SSI_SSIENR) = 0u;
    REG(XIP_SSI_BASE + SSI_BAUDR) = baudr;
    REG(XIP_SSI_BASE + SSI_CTRLR0) = (7u << SSI_CTRLR0_DFS_32_LSB) |
                                     (SSI_CTRLR0_TMOD_TX_AND_RX << SSI_CTRLR0_TMOD_LSB);
    REG(XIP_SSI_BASE + SSI_SER) = 1u;
    REG(XIP_SSI_BASE + SSI_SSIENR) = 1u;
}

/* XIP by standard SPI READ (03h), 24-bit address, one 32-bit frame per access: the set-up any
 * 25-series flash answers (boot2 and the ROM's flash_enter_cmd_xip). The XIP block pushes
 * command and address (SPI_CTRLR0.XIP_CMD, INST_L, ADDR_L); EEPROM-read mode clocks the data in. */
SSI_INLINE void ssi_xip_03h_mode(uint32_t baudr)
{
    REG(XIP_SSI_BASE + SSI_SSIENR) = 0u; /* the configuration only changes while disabled */
    REG(XIP_SSI_BASE + SSI_BAUDR) = baudr;
    REG(XIP_SSI_BASE + SSI_CTRLR0) = (31u << SSI_CTRLR0_DFS_32_LSB) |
                                     (SSI_CTRLR0_TMOD_EEPROM_READ << SSI_CTRLR0_TMOD_LSB);
    REG(XIP_SSI_BASE + SSI_CTRLR1) = 0u; /* NDF: one data frame */
    REG(XIP_SSI_BASE + SSI_SPI_CTRLR0) = (0x03u << SSI_SPI_CTRLR0_XIP_CMD_LSB) |
                                         (SSI_SPI_CTRLR0_INST_L_8B << SSI_SPI_CTRLR0_INST_L_LSB) |
                                         (6u << SSI_SPI_CTRLR0_ADDR_L_LSB); /* 6 x 4 = 24 bits */
    REG(XIP_SSI_BASE + SSI_SER) = 1u;
    REG(XIP_SSI_BASE + SSI_SSIENR) = 1u;
}

/* IO_QSPI_OUTOVER_LOW selects the chip for a whole command; HIGH ends it; NORMAL gives chip
 * select back to the SSI (XIP). */
SSI_INLINE void flash_chip_select(uint32_t outover)
{
    REG(IO_QSPI_BASE + IO_QSPI_SS_CTRL) = outover << IO_QSPI_OUTOVER_LSB;
}

SSI_INLINE uint8_t ssi_exchange(uint8_t out)
{
    while (!(REG(XIP_SSI_BASE + SSI_SR) & SSI_SR_TFNF)) {
    }
    REG(XIP_SSI_BASE + SSI_DR0) = out;
    while (!(REG(XIP_SSI_BASE + SSI_SR) & SSI_SR_RFNE)) {
    }
    return (uint8_t)REG(XIP_SSI_BASE + SSI_DR0);
}
#endif
