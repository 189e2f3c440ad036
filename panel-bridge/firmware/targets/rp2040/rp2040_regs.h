/* The RP2040 registers the glue touches, named as in the RP2040 datasheet (section numbers of
 * the edition where the boot ROM is 2.8 and the SSI 4.10). Only what is used is here; every
 * value written elsewhere is built from these names. */
#ifndef DW_RP2040_REGS_H
#define DW_RP2040_REGS_H
#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
/* 2.1.2 atomic register access: +0x1000 XOR, +0x2000 set, +0x3000 clear (APB/AHB peripherals) */
#define REG_XOR_ALIAS 0x1000u
#define REG_SET_ALIAS 0x2000u
#define REG_CLR_ALIAS 0x3000u

/* 2.2 address map */
#define XIP_BASE 0x10000000u
#define XIP_CTRL_BASE 0x14000000u
#define XIP_SSI_BASE 0x18000000u
#define SRAM_BASE 0x20000000u
#define USBCTRL_DPRAM_BASE 0x50100000u
#define USBCTRL_REGS_BASE 0x50110000u
#define SIO_BASE 0xD0000000u
#define PPB_BASE 0xE0000000u

/* 2.14 resets */
#define RESETS_BASE 0x4000C000u
#define RESETS_RESET 0x0u
#define RESETS_RESET_DONE 0x8u
#define RESET_IO_BANK0 (1u << 5)
#define RESET_PADS_BANK0 (1u << 8)
#define RESET_PLL_SYS (1u << 12)
#define RESET_PLL_USB (1u << 13)
#define RESET_TIMER (1u << 21)
#define RESET_UART0 (1u << 22)
#define RESET_USBCTRL (1u << 24)

/* 2.13 power-on state machine: which blocks the watchdog resets (none at power-up) */
#define PSM_BASE 0x40010000u
#define PSM_WDSEL 0x8u
#define PSM_ROSC (1u << 0)
#define PSM_XOSC (1u << 1)
#define PSM_ALL 0x1FFFFu /* ROSC .. PROC1, bits 0-16 */

/* 2.15 clocks */
#define CLOCKS_BASE 0x40008000u
#define CLK_REF_CTRL 0x30u
#define CLK_REF_DIV 0x34u
#define CLK_REF_SELECTED 0x38u
#define CLK_SYS_CTRL 0x3Cu
#define CLK_SYS_DIV 0x40u
#define CLK_SYS_SELECTED 0x44u
#define CLK_PERI_CTRL 0x48u
#define CLK_USB_CTRL 0x54u
#define CLK_USB_DIV 0x58u
#define CLK_CTRL_ENABLE (1u << 11)
#define CLK_CTRL_AUXSRC_LSB 5u
#define CLK_DIV_INT_LSB 8u
#define CLK_REF_SRC_XOSC 0x2u      /* CLK_REF_CTRL.SRC: xosc_clksrc */
#define CLK_SYS_SRC_AUX 0x1u       /* CLK_SYS_CTRL.SRC: clksrc_clk_sys_aux */
#define CLK_SYS_AUX_PLL_SYS 0x0u   /* CLK_SYS_CTRL.AUXSRC: clksrc_pll_sys */
#define CLK_PERI_AUX_CLK_SYS 0x0u  /* CLK_PERI_CTRL.AUXSRC: clk_sys */
#define CLK_USB_AUX_PLL_USB 0x0u   /* CLK_USB_CTRL.AUXSRC: clksrc_pll_usb */

/* 2.16 crystal oscillator */
#define XOSC_BASE 0x40024000u
#define XOSC_CTRL 0x00u
#define XOSC_STATUS 0x04u
#define XOSC_STARTUP 0x0Cu
#define XOSC_CTRL_FREQ_RANGE_1_15MHZ 0xAA0u
#define XOSC_CTRL_ENABLE (0xFABu << 12)
#define XOSC_STATUS_STABLE (1u << 31)

/* 2.17 ring oscillator */
#define ROSC_BASE 0x40060000u
#define ROSC_RANDOMBIT 0x1Cu

/* 2.18 PLLs */
#define PLL_SYS_BASE 0x40028000u
#define PLL_USB_BASE 0x4002C000u
#define PLL_CS 0x0u
#define PLL_PWR 0x4u
#define PLL_FBDIV_INT 0x8u
#define PLL_PRIM 0xCu
#define PLL_CS_LOCK (1u << 31)
#define PLL_PWR_PD (1u << 0)
#define PLL_PWR_POSTDIVPD (1u << 3)
#define PLL_PWR_VCOPD (1u << 5)
#define PLL_PRIM_POSTDIV1_LSB 16u
#define PLL_PRIM_POSTDIV2_LSB 12u

/* 2.19 GPIO: IO_BANK0 GPIOn_CTRL at 8n + 4, PADS_BANK0 GPIOn at 4n + 4 */
#define IO_BANK0_BASE 0x40014000u
#define IO_BANK0_GPIO_CTRL(n) (IO_BANK0_BASE + 8u * (n) + 4u)
#define GPIO_FUNC_UART 2u
#define GPIO_FUNC_SIO 5u
#define PADS_BANK0_BASE 0x4001C000u
#define PADS_BANK0_GPIO(n) (PADS_BANK0_BASE + 4u * (n) + 4u)
#define PADS_IE (1u << 6)
#define PADS_DRIVE_4MA (1u << 4)
#define PADS_PUE (1u << 3)
#define PADS_PDE (1u << 2)
#define PADS_SCHMITT (1u << 1)
/* IO_QSPI GPIO_QSPI_SS_CTRL: OUTOVER (bits 9:8) drives the flash chip select by hand */
#define IO_QSPI_BASE 0x40018000u
#define IO_QSPI_SS_CTRL 0x0Cu
#define IO_QSPI_OUTOVER_LSB 8u
#define IO_QSPI_OUTOVER_NORMAL 0x0u
#define IO_QSPI_OUTOVER_LOW 0x2u
#define IO_QSPI_OUTOVER_HIGH 0x3u

/* 2.3.1 SIO */
#define SIO_GPIO_IN 0x04u
#define SIO_GPIO_OUT_SET 0x14u
#define SIO_GPIO_OUT_CLR 0x18u
#define SIO_GPIO_OE_SET 0x24u

/* 4.6 timer (1 us ticks from the watchdog tick generator) */
#define TIMER_BASE 0x40054000u
#define TIMER_ALARM0 0x10u
#define TIMER_TIMERAWH 0x24u
#define TIMER_TIMERAWL 0x28u
#define TIMER_INTR 0x34u
#define TIMER_INTE 0x38u
#define TIMER_ALARM_0 (1u << 0)

/* 4.7 watchdog */
#define WATCHDOG_BASE 0x40058000u
#define WATCHDOG_CTRL 0x00u
#define WATCHDOG_LOAD 0x04u
#define WATCHDOG_TICK 0x2Cu
#define WATCHDOG_CTRL_ENABLE (1u << 30)
#define WATCHDOG_CTRL_PAUSE_DBG0 (1u << 25)
#define WATCHDOG_CTRL_PAUSE_DBG1 (1u << 26)
#define WATCHDOG_CTRL_PAUSE_JTAG (1u << 24)
#define WATCHDOG_TICK_ENABLE (1u << 9)

/* 4.2 UART (PL011) */
#define UART0_BASE 0x40034000u
#define UART_DR 0x00u
#define UART_FR 0x18u
#define UART_IBRD 0x24u
#define UART_FBRD 0x28u
#define UART_LCR_H 0x2Cu
#define UART_CR 0x30u
#define UART_FR_TXFF (1u << 5)
#define UART_FR_RXFE (1u << 4)
#define UART_LCR_H_WLEN_8 (3u << 5)
#define UART_LCR_H_FEN (1u << 4)
#define UART_CR_UARTEN (1u << 0)
#define UART_CR_TXE (1u << 8)
#define UART_CR_RXE (1u << 9)

/* 4.10 SSI (the XIP flash interface; DW_apb_ssi) */
#define SSI_CTRLR0 0x00u
#define SSI_CTRLR1 0x04u
#define SSI_SSIENR 0x08u
#define SSI_SER 0x10u
#define SSI_BAUDR 0x14u
#define SSI_SR 0x28u
#define SSI_DR0 0x60u
#define SSI_SPI_CTRLR0 0xF4u
#define SSI_CTRLR0_DFS_32_LSB 16u
#define SSI_CTRLR0_TMOD_LSB 8u
#define SSI_CTRLR0_TMOD_TX_AND_RX 0x0u
#define SSI_CTRLR0_TMOD_EEPROM_READ 0x3u
#define SSI_SR_TFNF (1u << 1)
#define SSI_SR_RFNE (1u << 3)
#define SSI_SPI_CTRLR0_XIP_CMD_LSB 24u
#define SSI_SPI_CTRLR0_INST_L_LSB 8u
#define SSI_SPI_CTRLR0_INST_L_8B 0x2u
#define SSI_SPI_CTRLR0_ADDR_L_LSB 2u

/* 2.4.8 Cortex-M0+ system registers */
#define M0PLUS_NVIC_ISER (PPB_BASE + 0xE100u)
#define M0PLUS_NVIC_ICER (PPB_BASE + 0xE180u)
#define M0PLUS_VTOR (PPB_BASE + 0xED08u)
/* 2.3.2 interrupt numbers */
#define IRQ_TIMER_0 0u
#define IRQ_USBCTRL 5u

static inline void unreset(uint32_t mask)
{
    REG(RESETS_BASE + REG_CLR_ALIAS + RESETS_RESET) = mask;
    while ((REG(RESETS_BASE + RESETS_RESET_DONE) & mask) != mask) {
    }
}

static inline void reset_block(uint32_t mask)
{
    REG(RESETS_BASE + REG_SET_ALIAS + RESETS_RESET) = mask;
}
#endif
