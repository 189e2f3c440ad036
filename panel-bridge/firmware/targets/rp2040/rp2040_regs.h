/* The few RP2040 registers the bare-metal glue touches (RP2040 datasheet, chapter 2 and 4). */
#ifndef DW_RP2040_REGS_H
#define DW_RP2040_REGS_H
#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define REG_CLR_ALIAS 0x3000u
#define REG_SET_ALIAS 0x2000u

#define RESETS_BASE 0x4000C000u
#define RESETS_RESET 0x0u
#define RESETS_DONE 0x8u
#define RESET_IO_BANK0 (1u << 5)
#define RESET_PADS_BANK0 (1u << 8)
#define RESET_TIMER (1u << 21)
#define RESET_UART0 (1u << 22)

#define CLOCKS_BASE 0x40008000u
#define CLK_REF_CTRL 0x30u
#define CLK_REF_SELECTED 0x38u
#define CLK_SYS_CTRL 0x3Cu
#define CLK_PERI_CTRL 0x48u

#define XOSC_BASE 0x40024000u
#define XOSC_CTRL 0x00u
#define XOSC_STATUS 0x04u
#define XOSC_STARTUP 0x0Cu

#define WATCHDOG_BASE 0x40058000u
#define WATCHDOG_CTRL 0x00u
#define WATCHDOG_LOAD 0x04u
#define WATCHDOG_TICK 0x2Cu

#define ROSC_BASE 0x40060000u
#define ROSC_RANDOMBIT 0x1Cu

#define IO_BANK0_BASE 0x40014000u
#define PADS_BANK0_BASE 0x4001C000u
#define SIO_BASE 0xD0000000u
#define SIO_GPIO_IN 0x04u
#define SIO_GPIO_OUT_SET 0x14u
#define SIO_GPIO_OUT_CLR 0x18u
#define SIO_GPIO_OE_SET 0x24u

#define TIMER_BASE 0x40054000u
#define TIMER_RAWH 0x24u
#define TIMER_RAWL 0x28u

#define UART0_BASE 0x40034000u
#define UART_DR 0x00u
#define UART_FR 0x18u
#define UART_IBRD 0x24u
#define UART_FBRD 0x28u
#define UART_LCR_H 0x2Cu
#define UART_CR 0x30u
#define UART_FR_TXFF (1u << 5)
#define UART_FR_RXFE (1u << 4)

static inline void unreset(uint32_t mask)
{
    REG(RESETS_BASE + REG_CLR_ALIAS + RESETS_RESET) = mask;
    while ((REG(RESETS_BASE + RESETS_DONE) & mask) != mask) {
    }
}
#endif
