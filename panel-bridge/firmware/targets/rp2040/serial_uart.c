/* PL011 UART0 on GP0 (TX) / GP1 (RX), 115200 8N1 from the 12 MHz crystal clock. */
#include "rp2040_regs.h"
#include "serial.h"

void serial_init(void)
{
    unreset(RESET_UART0);
    REG(IO_BANK0_BASE + 0x04u + 8u * 0u) = 2u; /* GP0 -> UART0 TX */
    REG(IO_BANK0_BASE + 0x04u + 8u * 1u) = 2u; /* GP1 -> UART0 RX */
    REG(UART0_BASE + UART_IBRD) = 6u;          /* 12e6 / (16 * 115200) = 6.51 */
    REG(UART0_BASE + UART_FBRD) = 33u;
    REG(UART0_BASE + UART_LCR_H) = 0x70u; /* 8 bits, FIFOs on */
    REG(UART0_BASE + UART_CR) = 0x301u;   /* UARTEN, TXE, RXE */
}

bool serial_write(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        while (REG(UART0_BASE + UART_FR) & UART_FR_TXFF) {
        }
        REG(UART0_BASE + UART_DR) = buf[i];
    }
    return true;
}

size_t serial_read(uint8_t *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap && !(REG(UART0_BASE + UART_FR) & UART_FR_RXFE)) {
        buf[n++] = (uint8_t)REG(UART0_BASE + UART_DR);
    }
    return n;
}

void serial_poll(void)
{
}
