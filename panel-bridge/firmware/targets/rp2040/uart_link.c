/* PL011 UART0 (RP2040 datasheet 4.2) as a host link. */
#include "uart_link.h"

#include "clocks.h"
#include "rp2040_regs.h"
#include "ring.h"

#define PIN_UART_TX 0u
#define PIN_UART_RX 1u
/* 4.2: divisor = clk_peri / (16 * baud), as 16.6 fixed point: 125e6 / 1843200 = 67 + 52/64 */
#define UART_DIV_X64 ((4u * CLK_PERI_HZ + UART_LINK_BAUD / 2u) / UART_LINK_BAUD)

static uint8_t g_tx_store[512];
static ring_t g_tx = RING_INIT(g_tx_store);

void uart_link_init(void)
{
    unreset(RESET_UART0);
    REG(IO_BANK0_GPIO_CTRL(PIN_UART_TX)) = GPIO_FUNC_UART;
    REG(IO_BANK0_GPIO_CTRL(PIN_UART_RX)) = GPIO_FUNC_UART;
    REG(PADS_BANK0_GPIO(PIN_UART_RX)) = PADS_IE | PADS_PUE | PADS_SCHMITT; /* idle high, unplugged too */
    REG(UART0_BASE + UART_IBRD) = UART_DIV_X64 >> 6;
    REG(UART0_BASE + UART_FBRD) = UART_DIV_X64 & 63u;
    /* the divisor latches on the LCR_H write (4.2), so LCR_H comes after IBRD/FBRD */
    REG(UART0_BASE + UART_LCR_H) = UART_LCR_H_WLEN_8 | UART_LCR_H_FEN;
    REG(UART0_BASE + UART_CR) = UART_CR_UARTEN | UART_CR_TXE | UART_CR_RXE;
}

void uart_link_poll(void)
{
    uint8_t b;
    while (!(REG(UART0_BASE + UART_FR) & UART_FR_TXFF) && ring_get(&g_tx, &b, 1) == 1) {
        REG(UART0_BASE + UART_DR) = b;
    }
}

size_t uart_link_read(uint8_t *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap && !(REG(UART0_BASE + UART_FR) & UART_FR_RXFE)) {
        /* DR bits 11:8 are the error flags; a byte with a framing or parity error is noise */
        uint32_t dr = REG(UART0_BASE + UART_DR);
        if ((dr & 0xF00u) == 0u) {
            buf[n++] = (uint8_t)dr;
        }
    }
    return n;
}

bool uart_link_write(const uint8_t *buf, size_t len)
{
    if (!ring_put(&g_tx, buf, len)) {
        return false;
    }
    uart_link_poll();
    return true;
}
