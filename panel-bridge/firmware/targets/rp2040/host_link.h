/* The controller's host links, USB CDC-ACM and UART0, behind one byte stream for the core. */
#ifndef DW_RP2040_HOST_LINK_H
#define DW_RP2040_HOST_LINK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dw_check.h"
void host_link_init(const char *usb_serial);
void host_link_poll(void);
/* Bytes for dw_rx, from one link at a time (see host_link.c). */
size_t host_link_read(uint8_t *buf, size_t cap, uint32_t now_ms);
/* To every link that can take them: the USB port when a program has it open, and the UART. */
DW_MUST_CHECK bool host_link_write(const uint8_t *buf, size_t len);
/* Work is waiting (USB events): the main loop should not sleep. */
bool host_link_pending(void);
#endif
