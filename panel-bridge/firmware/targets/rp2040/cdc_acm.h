/* USB CDC-ACM serial device on the RP2040 USB controller: the tablet's host link. */
#ifndef DW_RP2040_CDC_ACM_H
#define DW_RP2040_CDC_ACM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dw_check.h"

#define CDC_SERIAL_MAX 16u

/* serial: the USB serial-number string (Chromium keys its Web Serial grant on vendor id,
 * product id and this), at most CDC_SERIAL_MAX ASCII characters. Starts the USB controller. */
void cdc_acm_init(const char *serial);
void cdc_acm_poll(void);
bool cdc_acm_pending(void);
/* Configured by the host and DTR asserted: a program has the port open. */
bool cdc_acm_connected(void);
size_t cdc_acm_read(uint8_t *buf, size_t cap);
/* Queues all of buf or nothing; false without a listener or when the queue is full. */
DW_MUST_CHECK bool cdc_acm_write(const uint8_t *buf, size_t len);
#endif
