/* A USB CDC-ACM serial device (USB CDC 1.2 and PSTN 1.2), the class every OS and Chromium's Web
 * Serial open without a driver: one communication interface (with its notification endpoint,
 * never used) and one data interface with a bulk OUT and a bulk IN endpoint.
 *
 * Bytes only flow while the host holds DTR (SET_CONTROL_LINE_STATE bit 0): that is how a host
 * says a program has the port open. Bytes written without a listener are refused, and what is
 * queued when the listener goes is dropped, so the next session never starts with stale frames
 * (the controller's event layer resends what matters). The line coding is kept and echoed; it
 * has no meaning on USB. */
#include "cdc_acm.h"

#include <string.h>

#include "ring.h"
#include "usb_dev.h"

/* Raspberry Pi's vendor id and the product id panel-bridge/README.md gives Chromium's
 * SerialAllowUsbDevicesForUrls policy and src/door/web-serial.ts filters on. */
#define CDC_VENDOR_ID 0x2E8Au
#define CDC_PRODUCT_ID 0x000Au
#define CDC_DEVICE_RELEASE 0x0100u

#define EP_NOTIFY 0x81u
#define EP_DATA_OUT 0x02u
#define EP_DATA_IN 0x82u
#define NOTIFY_SIZE 16u
#define DATA_SIZE 64u
/* DPRAM buffers after endpoint 0's (0x100..0x17f) */
#define DPRAM_NOTIFY 0x180u
#define DPRAM_DATA_OUT 0x1C0u
#define DPRAM_DATA_IN 0x200u

/* CDC 1.2 6.2 / PSTN 1.2 6.3 requests */
#define CDC_SET_LINE_CODING 0x20u
#define CDC_GET_LINE_CODING 0x21u
#define CDC_SET_CONTROL_LINE_STATE 0x22u
#define CDC_SEND_BREAK 0x23u
#define CDC_LINE_DTR 0x01u
#define LINE_CODING_LEN 7u

#define LE16(v) (uint8_t)((v) & 0xFFu), (uint8_t)((v) >> 8)

static const uint8_t device_descriptor[18] = {
    18, USB_DT_DEVICE, LE16(0x0200u), /* USB 2.0 */
    0x02, 0x00, 0x00,                 /* a CDC device (class 02h); functions on its interfaces */
    USB_EP0_SIZE, LE16(CDC_VENDOR_ID), LE16(CDC_PRODUCT_ID), LE16(CDC_DEVICE_RELEASE),
    1, 2, 3, /* manufacturer, product, serial number strings */
    1,       /* one configuration */
};

#define CONFIG_TOTAL (9u + 9u + 5u + 5u + 4u + 5u + 7u + 9u + 7u + 7u)
static const uint8_t config_descriptor[CONFIG_TOTAL] = {
    9, USB_DT_CONFIG, LE16(CONFIG_TOTAL), 2, 1, 0, 0x80, 50, /* 2 interfaces, bus powered, 100 mA */
    /* communication interface: CDC, abstract control model, no AT protocol */
    9, USB_DT_INTERFACE, 0, 0, 1, 0x02, 0x02, 0x00, 0,
    5, 0x24, 0x00, LE16(0x0120u), /* header functional descriptor, CDC 1.20 */
    5, 0x24, 0x01, 0x00, 1,       /* call management: none, data on interface 1 */
    4, 0x24, 0x02, 0x02,          /* ACM: line coding and control line state requests */
    5, 0x24, 0x06, 0, 1,          /* union: control interface 0, data interface 1 */
    7, USB_DT_ENDPOINT, EP_NOTIFY, USB_EP_INTERRUPT, LE16(NOTIFY_SIZE), 16,
    /* data interface */
    9, USB_DT_INTERFACE, 1, 0, 2, 0x0A, 0x00, 0x00, 0,
    7, USB_DT_ENDPOINT, EP_DATA_OUT, USB_EP_BULK, LE16(DATA_SIZE), 0,
    7, USB_DT_ENDPOINT, EP_DATA_IN, USB_EP_BULK, LE16(DATA_SIZE), 0,
};

static const char *const strings[] = {NULL, "Doorward", "Doorward door controller", NULL};

static char g_serial[CDC_SERIAL_MAX + 1];
static uint8_t g_line_coding[LINE_CODING_LEN] = {0x00, 0xC2, 0x01, 0x00, 0, 0, 8}; /* 115200 8N1 */
static uint8_t g_line_coding_rx[LINE_CODING_LEN];
static bool g_configured;
static bool g_dtr;
static bool g_last_full; /* the last IN packet was full: end the transfer with a zero-length one */
static bool g_rx_waiting; /* OUT not re-armed: no room for a packet */
static uint32_t g_rx_overruns; /* packets the ring refused (none, while arm_rx keeps its rule) */
static uint8_t g_rx_store[256];
static uint8_t g_tx_store[512];
static ring_t g_rx = RING_INIT(g_rx_store);
static ring_t g_tx = RING_INIT(g_tx_store);

static size_t string_descriptor(uint8_t index, uint8_t *buf, size_t cap)
{
    const char *s = index == 3u ? g_serial : (index < sizeof(strings) / sizeof(strings[0]) ? strings[index] : NULL);
    size_t n;
    if (index == 0u) {
        buf[0] = 4;
        buf[1] = USB_DT_STRING;
        buf[2] = 0x09; /* LANGID 0x0409, English (United States) */
        buf[3] = 0x04;
        return 4;
    }
    if (s == NULL) {
        return 0;
    }
    n = strlen(s);
    if (2u + 2u * n > cap) {
        n = (cap - 2u) / 2u;
    }
    buf[0] = (uint8_t)(2u + 2u * n);
    buf[1] = USB_DT_STRING;
    for (size_t i = 0; i < n; i++) { /* ASCII to UTF-16LE */
        buf[2u + 2u * i] = (uint8_t)s[i];
        buf[3u + 2u * i] = 0;
    }
    return 2u + 2u * n;
}

static void arm_rx(void)
{
    if (!g_configured || usb_ep_busy(EP_DATA_OUT)) {
        return;
    }
    if (ring_free(&g_rx) < DATA_SIZE) {
        g_rx_waiting = true; /* NAK the host until the controller has read some */
        return;
    }
    g_rx_waiting = false;
    usb_ep_receive(EP_DATA_OUT);
}

static void drop_session(void)
{
    ring_clear(&g_tx);
    ring_clear(&g_rx);
    g_last_full = false;
}

static void configured(uint8_t value)
{
    g_configured = value != 0u;
    g_dtr = false;
    drop_session();
    if (g_configured) {
        usb_ep_open(EP_NOTIFY, USB_EP_INTERRUPT, NOTIFY_SIZE, DPRAM_NOTIFY);
        usb_ep_open(EP_DATA_OUT, USB_EP_BULK, DATA_SIZE, DPRAM_DATA_OUT);
        usb_ep_open(EP_DATA_IN, USB_EP_BULK, DATA_SIZE, DPRAM_DATA_IN);
        arm_rx();
    }
}

static void bus_reset(void)
{
    g_configured = false;
    g_dtr = false;
    drop_session();
}

static usb_ctrl_result_t class_request(const usb_setup_t *req, uint8_t **data, uint16_t *len)
{
    /* addressed to the communication interface (hosts differ on interface vs device recipient) */
    if (req->wIndex != 0u) {
        return USB_CTRL_STALL;
    }
    switch (req->bRequest) {
    case CDC_SET_LINE_CODING:
        if (req->wLength != LINE_CODING_LEN) {
            return USB_CTRL_STALL;
        }
        *data = g_line_coding_rx;
        return USB_CTRL_OUT;
    case CDC_GET_LINE_CODING:
        *data = g_line_coding;
        *len = LINE_CODING_LEN;
        return USB_CTRL_IN;
    case CDC_SET_CONTROL_LINE_STATE: {
        bool dtr = (req->wValue & CDC_LINE_DTR) != 0u;
        if (g_dtr && !dtr) {
            drop_session();
        }
        g_dtr = dtr;
        return USB_CTRL_ACK;
    }
    case CDC_SEND_BREAK:
        return USB_CTRL_ACK;
    default:
        return USB_CTRL_STALL;
    }
}

static void class_data_done(const usb_setup_t *req)
{
    if (req->bRequest == CDC_SET_LINE_CODING) {
        memcpy(g_line_coding, g_line_coding_rx, LINE_CODING_LEN);
    }
}

static void pump_tx(void)
{
    uint8_t packet[DATA_SIZE];
    size_t n;
    if (!g_configured || usb_ep_busy(EP_DATA_IN)) {
        return;
    }
    n = ring_get(&g_tx, packet, sizeof(packet));
    if (n == 0 && !g_last_full) {
        return;
    }
    g_last_full = n == DATA_SIZE;
    usb_ep_send(EP_DATA_IN, packet, (uint16_t)n);
}

static void endpoint_done(uint8_t ep, uint16_t len)
{
    if (ep == EP_DATA_OUT) {
        const volatile uint8_t *src = usb_ep_buffer(EP_DATA_OUT);
        uint8_t packet[DATA_SIZE];
        if (len > DATA_SIZE) {
            len = DATA_SIZE;
        }
        for (uint16_t i = 0; i < len; i++) {
            packet[i] = src[i];
        }
        /* a host that sends without DTR (no program has the port open) is not listened to.
         * arm_rx only offers a buffer when a whole packet fits, so the ring cannot refuse it;
         * if it ever did, the packet is lost whole, the core drops the one torn frame as a bad
         * chunk, and the count says it happened */
        if (g_dtr && !ring_put(&g_rx, packet, len)) {
            g_rx_overruns++;
        }
        arm_rx();
    } else if (ep == EP_DATA_IN) {
        pump_tx();
    }
}

static const usb_function_t cdc_function = {
    .device_descriptor = device_descriptor,
    .config_descriptor = config_descriptor,
    .string_descriptor = string_descriptor,
    .configured = configured,
    .class_request = class_request,
    .class_data_done = class_data_done,
    .endpoint_done = endpoint_done,
    .bus_reset = bus_reset,
};

void cdc_acm_init(const char *serial)
{
    size_t n = strlen(serial);
    if (n > CDC_SERIAL_MAX) {
        n = CDC_SERIAL_MAX;
    }
    memcpy(g_serial, serial, n);
    g_serial[n] = '\0';
    usb_dev_init(&cdc_function);
}

void cdc_acm_poll(void)
{
    usb_dev_poll();
    if (g_rx_waiting) {
        arm_rx();
    }
    pump_tx();
}

bool cdc_acm_pending(void)
{
    return usb_dev_pending();
}

bool cdc_acm_connected(void)
{
    return g_configured && g_dtr;
}

size_t cdc_acm_read(uint8_t *buf, size_t cap)
{
    size_t n = ring_get(&g_rx, buf, cap);
    if (n > 0 && g_rx_waiting) {
        arm_rx();
    }
    return n;
}

bool cdc_acm_write(const uint8_t *buf, size_t len)
{
    if (!cdc_acm_connected() || !ring_put(&g_tx, buf, len)) {
        return false;
    }
    pump_tx();
    return true;
}
