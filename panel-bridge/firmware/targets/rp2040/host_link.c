/* One core, two links. Frames from the two must never interleave inside the core's frame
 * buffer, so a link keeps the floor from a frame's first byte to its 0x00 delimiter; the other
 * is read only at a frame boundary. A link that stops mid-frame (cable pulled) loses the floor
 * after LINK_STALL_MS, and the core gets a 0x00 so the torn frame is dropped as one bad chunk
 * (PROTOCOL.md 1: a leading 0x00 resynchronises a receiver) instead of swallowing the other
 * link's first frame. */
#include "host_link.h"

#include "cdc_acm.h"
#include "uart_link.h"

#define LINK_STALL_MS 100u

typedef enum { LINK_NONE, LINK_USB, LINK_UART } link_t;

static link_t g_floor = LINK_NONE;
static uint32_t g_last_byte_ms;

void host_link_init(const char *usb_serial)
{
    uart_link_init();
    cdc_acm_init(usb_serial);
}

void host_link_poll(void)
{
    cdc_acm_poll();
    uart_link_poll();
}

bool host_link_pending(void)
{
    return cdc_acm_pending();
}

static size_t read_link(link_t link, uint8_t *buf, size_t cap)
{
    return link == LINK_USB ? cdc_acm_read(buf, cap) : uart_link_read(buf, cap);
}

size_t host_link_read(uint8_t *buf, size_t cap, uint32_t now_ms)
{
    size_t n = 0;
    link_t from = g_floor;
    if (cap == 0) {
        return 0;
    }
    if (from != LINK_NONE) {
        n = read_link(from, buf, cap);
        if (n == 0 && now_ms - g_last_byte_ms >= LINK_STALL_MS) {
            g_floor = LINK_NONE;
            buf[0] = 0x00;
            return 1;
        }
    } else {
        from = LINK_USB;
        n = read_link(from, buf, cap);
        if (n == 0) {
            from = LINK_UART;
            n = read_link(from, buf, cap);
        }
    }
    if (n > 0) {
        g_last_byte_ms = now_ms;
        /* the floor is held while the last byte handed over is inside a frame */
        g_floor = buf[n - 1] == 0x00 ? LINK_NONE : from;
    }
    return n;
}

bool host_link_write(const uint8_t *buf, size_t len)
{
    bool usb = cdc_acm_write(buf, len);
    bool uart = uart_link_write(buf, len);
    return usb || uart;
}
