/* USB CDC transport for the pico-sdk build (TinyUSB device stack). This file is a documented
 * skeleton: `make arm` compiles it (against the prototypes below) to keep it honest, but only
 * the pico-sdk build links it, together with a tusb_config.h and the descriptors.
 *
 * Chromium remembers a Web Serial grant per (vendor id, product id, serial number), so the USB
 * serial-number string descriptor must be unique per board and stable across reboots: it is
 * the flash chip's 64-bit unique id (pico_get_unique_board_id_string in the pico-sdk). Use the
 * Raspberry Pi vendor id 0x2E8A with a product id allocated for Doorward, and filter on both in
 * navigator.serial.requestPort({ filters: [{ usbVendorId, usbProductId }] }). */
#include "serial.h"

#ifdef DW_PICO_SDK
#include "pico/unique_id.h"
#include "tusb.h"
#else
/* The subset of TinyUSB / pico-sdk used here, as declared by those projects. */
typedef struct {
    uint8_t id[8];
} pico_unique_board_id_t;
void tusb_init(void);
void tud_task(void);
bool tud_cdc_n_connected(uint8_t itf);
uint32_t tud_cdc_n_available(uint8_t itf);
uint32_t tud_cdc_n_read(uint8_t itf, void *buffer, uint32_t bufsize);
uint32_t tud_cdc_n_write(uint8_t itf, const void *buffer, uint32_t bufsize);
uint32_t tud_cdc_n_write_available(uint8_t itf);
uint32_t tud_cdc_n_write_flush(uint8_t itf);
void pico_get_unique_board_id_string(char *id_out, unsigned len);
#endif

/* Serial-number string for the USB string descriptor (index 3 in the descriptor table). */
char dw_usb_serial[2 * 8 + 1];

void serial_init(void)
{
    pico_get_unique_board_id_string(dw_usb_serial, sizeof(dw_usb_serial));
    tusb_init();
}

bool serial_write(const uint8_t *buf, size_t len)
{
    size_t off = 0;
    /* Bounded: a host that stopped reading must not stall the safety loop for more than a few
     * USB frames; the event layer resends what was lost. */
    for (int spins = 0; off < len && spins < 1000; spins++) {
        uint32_t room = tud_cdc_n_write_available(0);
        if (room == 0) {
            tud_task();
            continue;
        }
        if (room > len - off) {
            room = (uint32_t)(len - off);
        }
        off += tud_cdc_n_write(0, &buf[off], room);
    }
    (void)tud_cdc_n_write_flush(0);
    return off == len;
}

size_t serial_read(uint8_t *buf, size_t cap)
{
    if (!tud_cdc_n_connected(0) || tud_cdc_n_available(0) == 0) {
        return 0;
    }
    return tud_cdc_n_read(0, buf, (uint32_t)cap);
}

void serial_poll(void)
{
    tud_task();
}
