/* Byte transport under the RP2040 glue: PL011 UART0 in the bare-metal build (serial_uart.c),
 * USB CDC via TinyUSB in the pico-sdk build (serial_usb_cdc.c). */
#ifndef DW_RP2040_SERIAL_H
#define DW_RP2040_SERIAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
void serial_init(void);
bool serial_write(const uint8_t *buf, size_t len);
/* Returns the number of bytes placed in buf (0 when none are waiting). */
size_t serial_read(uint8_t *buf, size_t cap);
/* Called every loop iteration (USB stack service); a no-op for the UART. */
void serial_poll(void);
#endif
