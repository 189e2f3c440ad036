/* PL011 UART0 on GP0 (TX) / GP1 (RX), 115200 8N1: the second host link, for a USB-serial
 * adapter. Non-blocking: frames queue in a ring that uart_link_poll() feeds to the FIFO. */
#ifndef DW_RP2040_UART_LINK_H
#define DW_RP2040_UART_LINK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dw_check.h"
#define UART_LINK_BAUD 115200u
void uart_link_init(void);
void uart_link_poll(void);
size_t uart_link_read(uint8_t *buf, size_t cap);
DW_MUST_CHECK bool uart_link_write(const uint8_t *buf, size_t len);
#endif
