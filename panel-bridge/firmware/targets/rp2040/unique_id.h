#ifndef DW_RP2040_UNIQUE_ID_H
#define DW_RP2040_UNIQUE_ID_H
#include <stdint.h>
#define FLASH_UNIQUE_ID_LEN 8u
/* The flash chip's 64-bit factory unique id (READ_UNIQUE_ID, 4Bh): different on every board and
 * the same across reboots and reflashing, so it names the board (USB serial number, device id). */
void flash_unique_id(uint8_t out[FLASH_UNIQUE_ID_LEN]);
#endif
