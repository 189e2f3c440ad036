/* RP2040 USB device controller (datasheet 4.1) and the USB 2.0 chapter 9 requests on endpoint 0.
 *
 * The controller keeps 4 KB of dual-port RAM (4.1.2): the last SETUP packet at 0x000,
 * endpoint control words from 0x008, buffer control words from 0x080, endpoint 0's buffer at
 * 0x100 (shared by IN and OUT, since a control transfer only goes one way at a time), and the
 * other endpoints' buffers wherever their endpoint control word points. Everything is single
 * buffered. A buffer is handed to the controller by setting AVAILABLE in its buffer control
 * word, and handed back with the matching BUFF_STATUS bit. */
#include "usb_dev.h"

#include <string.h>

#include "rp2040_regs.h"

/* 4.1 (list of registers): offsets from USBCTRL_REGS_BASE */
#define USB_ADDR_ENDP 0x00u
#define USB_MAIN_CTRL 0x40u
#define USB_SIE_CTRL 0x4Cu
#define USB_SIE_STATUS 0x50u
#define USB_BUFF_STATUS 0x58u
#define USB_EP_STALL_ARM 0x68u
#define USB_USB_MUXING 0x74u
#define USB_USB_PWR 0x78u
#define USB_INTE 0x90u
#define USB_INTS 0x98u

#define MAIN_CTRL_CONTROLLER_EN (1u << 0)
#define SIE_CTRL_PULLUP_EN (1u << 16)
#define SIE_CTRL_EP0_INT_1BUF (1u << 29)
#define SIE_STATUS_SETUP_REC (1u << 17)
#define SIE_STATUS_BUS_RESET (1u << 19)
#define USB_MUXING_TO_PHY (1u << 0)
#define USB_MUXING_SOFTCON (1u << 3)
/* The Pico routes VBUS to a GPIO divider, not to the controller: tell it VBUS is present. */
#define USB_PWR_VBUS_DETECT (1u << 2)
#define USB_PWR_VBUS_DETECT_OVERRIDE_EN (1u << 3)
#define INT_BUFF_STATUS (1u << 4)
#define INT_BUS_RESET (1u << 12)
#define INT_SETUP_REQ (1u << 16)
#define EP_STALL_ARM_EP0_IN (1u << 0)
#define EP_STALL_ARM_EP0_OUT (1u << 1)

/* 4.1.2 DPRAM layout */
#define DPRAM_EP_CTRL(ep, out) (8u * (ep) + ((out) ? 4u : 0u)) /* ep 1..15 */
#define DPRAM_BUF_CTRL(ep, out) (0x80u + 8u * (ep) + ((out) ? 4u : 0u))
#define DPRAM_EP0_BUF 0x100u
#define DPRAM_SIZE 0x1000u
#define EP_CTRL_ENABLE (1u << 31)
#define EP_CTRL_INTERRUPT_PER_BUFF (1u << 29)
#define EP_CTRL_TYPE_LSB 26u
#define BUF_CTRL_FULL (1u << 15)
#define BUF_CTRL_LAST (1u << 14)
#define BUF_CTRL_DATA1 (1u << 13)
#define BUF_CTRL_STALL (1u << 11)
#define BUF_CTRL_AVAILABLE (1u << 10)
#define BUF_CTRL_LEN_MASK 0x3FFu

/* USB 2.0 9.4 standard requests and feature selectors */
#define REQ_GET_STATUS 0u
#define REQ_CLEAR_FEATURE 1u
#define REQ_SET_FEATURE 3u
#define REQ_SET_ADDRESS 5u
#define REQ_GET_DESCRIPTOR 6u
#define REQ_GET_CONFIGURATION 8u
#define REQ_SET_CONFIGURATION 9u
#define REQ_GET_INTERFACE 10u
#define REQ_SET_INTERFACE 11u
#define FEATURE_ENDPOINT_HALT 0u

#define DPRAM8(off) ((volatile uint8_t *)(uintptr_t)(USBCTRL_DPRAM_BASE + (off)))
#define DPRAM32(off) REG(USBCTRL_DPRAM_BASE + (off))
#define USBREG(off) REG(USBCTRL_REGS_BASE + (off))

typedef struct {
    uint16_t max_packet;
    uint16_t buffer;
    bool open;
    bool busy;
    bool data1;
    bool halted;
} endpoint_t;

typedef enum { CTRL_IDLE, CTRL_DATA_IN, CTRL_STATUS_OUT, CTRL_DATA_OUT, CTRL_STATUS_IN } ctrl_stage_t;

static const usb_function_t *g_fn;
static endpoint_t g_in[16];
static endpoint_t g_out[16];
static uint8_t g_config;
static bool g_address_pending;
static uint8_t g_address;

static usb_setup_t g_req;
static ctrl_stage_t g_stage;
static bool g_class_out; /* the data stage belongs to a class request */
static const uint8_t *g_in_next;
static uint16_t g_in_left;
static bool g_in_zlp; /* a full last packet shorter than wLength is followed by a zero-length one */
static uint8_t *g_out_buf;
static uint16_t g_out_got;
static uint8_t g_scratch[128]; /* string descriptors and 1-2 byte answers */

static endpoint_t *endpoint(uint8_t ep)
{
    return (ep & USB_DIR_IN) ? &g_in[ep & 0x0Fu] : &g_out[ep & 0x0Fu];
}

/* 4.1.2: the controller runs on clk_usb (48 MHz), slower than clk_sys (125 MHz), and may
 * sample the buffer control word mid-update: write everything else first, let a clk_usb cycle
 * (3 clk_sys cycles) pass, then set AVAILABLE. */
static void buffer_control(uint32_t offset, uint32_t value)
{
    DPRAM32(offset) = value;
    __asm__ volatile("nop\n\tnop\n\tnop" ::: "memory");
    DPRAM32(offset) = value | BUF_CTRL_AVAILABLE;
}

static void start_in(uint8_t num, uint32_t buffer, const uint8_t *data, uint16_t len)
{
    endpoint_t *e = &g_in[num];
    volatile uint8_t *dst = DPRAM8(buffer);
    for (uint16_t i = 0; i < len; i++) {
        dst[i] = data[i];
    }
    e->busy = true;
    buffer_control(DPRAM_BUF_CTRL(num, false), len | BUF_CTRL_FULL | (e->data1 ? BUF_CTRL_DATA1 : 0u));
    e->data1 = !e->data1;
}

static void start_out(uint8_t num, uint16_t len)
{
    endpoint_t *e = &g_out[num];
    e->busy = true;
    buffer_control(DPRAM_BUF_CTRL(num, true), len | (e->data1 ? BUF_CTRL_DATA1 : 0u));
    e->data1 = !e->data1;
}

/* ---- endpoint 0 ---------------------------------------------------------------------------- */

static void ep0_stall(void)
{
    /* 4.1.2: EP_STALL_ARM and the STALL bit together; the next SETUP clears both */
    USBREG(USB_EP_STALL_ARM) = EP_STALL_ARM_EP0_IN | EP_STALL_ARM_EP0_OUT;
    DPRAM32(DPRAM_BUF_CTRL(0, false)) = BUF_CTRL_STALL;
    DPRAM32(DPRAM_BUF_CTRL(0, true)) = BUF_CTRL_STALL;
    g_stage = CTRL_IDLE;
}

static void ep0_in_packet(void)
{
    uint16_t n = g_in_left < USB_EP0_SIZE ? g_in_left : USB_EP0_SIZE;
    start_in(0, DPRAM_EP0_BUF, g_in_next, n);
    g_in_next += n;
    g_in_left = (uint16_t)(g_in_left - n);
}

static void ep0_reply(const uint8_t *data, uint16_t len)
{
    if (len > g_req.wLength) {
        len = g_req.wLength;
    }
    g_in_next = data;
    g_in_left = len;
    /* USB 2.0 8.5.3.2: a reply shorter than asked for that ends on a full packet needs a ZLP */
    g_in_zlp = len < g_req.wLength && (len % USB_EP0_SIZE) == 0u;
    g_stage = CTRL_DATA_IN;
    ep0_in_packet();
}

static void ep0_status_in(void)
{
    g_stage = CTRL_STATUS_IN;
    start_in(0, DPRAM_EP0_BUF, NULL, 0);
}

static void ep0_in_done(void)
{
    if (g_stage == CTRL_DATA_IN) {
        if (g_in_left > 0) {
            ep0_in_packet();
        } else if (g_in_zlp) {
            g_in_zlp = false;
            start_in(0, DPRAM_EP0_BUF, NULL, 0);
        } else {
            g_stage = CTRL_STATUS_OUT;
            start_out(0, USB_EP0_SIZE); /* the host's zero-length status packet */
        }
    } else if (g_stage == CTRL_STATUS_IN) {
        /* USB 2.0 9.4.6: the new address takes effect after the status stage */
        if (g_address_pending) {
            USBREG(USB_ADDR_ENDP) = g_address;
            g_address_pending = false;
        }
        g_stage = CTRL_IDLE;
    }
}

static void ep0_out_done(uint16_t len)
{
    if (g_stage == CTRL_DATA_OUT) {
        volatile uint8_t *src = DPRAM8(DPRAM_EP0_BUF);
        for (uint16_t i = 0; i < len && g_out_got < g_req.wLength; i++) {
            g_out_buf[g_out_got++] = src[i];
        }
        if (g_out_got < g_req.wLength && len == USB_EP0_SIZE) {
            start_out(0, USB_EP0_SIZE);
            return;
        }
        if (g_class_out && g_fn->class_data_done != NULL) {
            g_fn->class_data_done(&g_req);
        }
        ep0_status_in();
    } else if (g_stage == CTRL_STATUS_OUT) {
        g_stage = CTRL_IDLE;
    }
}

static uint16_t descriptor_total_length(const uint8_t *config)
{
    return (uint16_t)(config[2] | (config[3] << 8));
}

static usb_ctrl_result_t get_descriptor(const uint8_t **data, uint16_t *len)
{
    uint8_t type = (uint8_t)(g_req.wValue >> 8);
    uint8_t index = (uint8_t)g_req.wValue;
    switch (type) {
    case USB_DT_DEVICE:
        *data = g_fn->device_descriptor;
        *len = g_fn->device_descriptor[0];
        return USB_CTRL_IN;
    case USB_DT_CONFIG:
        *data = g_fn->config_descriptor;
        *len = descriptor_total_length(g_fn->config_descriptor);
        return USB_CTRL_IN;
    case USB_DT_STRING:
        *len = (uint16_t)g_fn->string_descriptor(index, g_scratch, sizeof(g_scratch));
        *data = g_scratch;
        return *len > 0 ? USB_CTRL_IN : USB_CTRL_STALL;
    default:
        /* device qualifier and other-speed configuration too: a full-speed-only device stalls
         * them (USB 2.0 9.6.2) */
        return USB_CTRL_STALL;
    }
}

static void close_endpoints(void)
{
    for (uint8_t n = 1; n < 16; n++) {
        DPRAM32(DPRAM_EP_CTRL(n, false)) = 0u;
        DPRAM32(DPRAM_EP_CTRL(n, true)) = 0u;
        DPRAM32(DPRAM_BUF_CTRL(n, false)) = 0u;
        DPRAM32(DPRAM_BUF_CTRL(n, true)) = 0u;
    }
    memset(&g_in[1], 0, sizeof(g_in) - sizeof(g_in[0]));
    memset(&g_out[1], 0, sizeof(g_out) - sizeof(g_out[0]));
}

static void set_halt(uint8_t ep, bool halt)
{
    endpoint_t *e = endpoint(ep);
    uint8_t num = ep & 0x0Fu;
    bool out = (ep & USB_DIR_IN) == 0u;
    e->halted = halt;
    if (halt) {
        DPRAM32(DPRAM_BUF_CTRL(num, out)) = BUF_CTRL_STALL;
        e->busy = false;
    } else {
        /* 9.4.5: clearing a halt also resets the data toggle; the function re-arms its buffers */
        DPRAM32(DPRAM_BUF_CTRL(num, out)) = 0u;
        e->data1 = false;
        e->busy = false;
    }
}

static usb_ctrl_result_t standard_request(const uint8_t **data, uint16_t *len)
{
    uint8_t recipient = g_req.bmRequestType & USB_RECIP_MASK;
    uint8_t ep = (uint8_t)g_req.wIndex;
    bool valid_ep = recipient == USB_RECIP_ENDPOINT && (ep & 0x0Fu) != 0u && endpoint(ep)->open;

    switch (g_req.bRequest) {
    case REQ_GET_STATUS:
        g_scratch[0] = (uint8_t)(valid_ep && endpoint(ep)->halted ? 1u : 0u); /* bus powered, no wakeup */
        g_scratch[1] = 0u;
        *data = g_scratch;
        *len = 2u;
        return USB_CTRL_IN;
    case REQ_CLEAR_FEATURE:
    case REQ_SET_FEATURE:
        if (!valid_ep || g_req.wValue != FEATURE_ENDPOINT_HALT) {
            return USB_CTRL_STALL; /* no remote wakeup, no test modes */
        }
        set_halt(ep, g_req.bRequest == REQ_SET_FEATURE);
        if (g_req.bRequest == REQ_CLEAR_FEATURE && g_fn->endpoint_done != NULL) {
            g_fn->endpoint_done(ep, 0u); /* lets the function re-arm or refill the endpoint */
        }
        return USB_CTRL_ACK;
    case REQ_SET_ADDRESS:
        g_address = (uint8_t)(g_req.wValue & 0x7Fu);
        g_address_pending = true;
        return USB_CTRL_ACK;
    case REQ_GET_DESCRIPTOR:
        return get_descriptor(data, len);
    case REQ_GET_CONFIGURATION:
        g_scratch[0] = g_config;
        *data = g_scratch;
        *len = 1u;
        return USB_CTRL_IN;
    case REQ_SET_CONFIGURATION:
        if (g_req.wValue > 1u) {
            return USB_CTRL_STALL;
        }
        close_endpoints();
        g_config = (uint8_t)g_req.wValue;
        g_fn->configured(g_config);
        return USB_CTRL_ACK;
    case REQ_GET_INTERFACE:
        g_scratch[0] = 0u;
        *data = g_scratch;
        *len = 1u;
        return g_config ? USB_CTRL_IN : USB_CTRL_STALL;
    case REQ_SET_INTERFACE:
        return g_config && g_req.wValue == 0u ? USB_CTRL_ACK : USB_CTRL_STALL;
    default:
        return USB_CTRL_STALL;
    }
}

static void handle_setup(void)
{
    uint32_t w0 = DPRAM32(0x0u);
    uint32_t w1 = DPRAM32(0x4u);
    const uint8_t *in_data = NULL;
    uint8_t *out_data = NULL;
    uint16_t len = 0;
    usb_ctrl_result_t r;

    USBREG(USB_SIE_STATUS) = SIE_STATUS_SETUP_REC; /* write 1 to clear */
    g_req.bmRequestType = (uint8_t)w0;
    g_req.bRequest = (uint8_t)(w0 >> 8);
    g_req.wValue = (uint16_t)(w0 >> 16);
    g_req.wIndex = (uint16_t)w1;
    g_req.wLength = (uint16_t)(w1 >> 16);
    /* USB 2.0 8.5.3: the data and status stages of a control transfer start with DATA1 */
    g_in[0].data1 = true;
    g_out[0].data1 = true;
    g_stage = CTRL_IDLE;
    g_class_out = false;

    if ((g_req.bmRequestType & USB_TYPE_MASK) == USB_TYPE_STANDARD) {
        r = standard_request(&in_data, &len);
    } else if ((g_req.bmRequestType & USB_TYPE_MASK) == USB_TYPE_CLASS && g_fn->class_request != NULL) {
        r = g_fn->class_request(&g_req, &out_data, &len);
        in_data = out_data;
        g_class_out = true;
    } else {
        r = USB_CTRL_STALL;
    }

    bool dir_in = (g_req.bmRequestType & USB_DIR_IN) != 0u;
    if (r == USB_CTRL_IN && dir_in) {
        ep0_reply(in_data, len);
    } else if (r == USB_CTRL_OUT && !dir_in && g_req.wLength > 0u && out_data != NULL) {
        g_out_buf = out_data;
        g_out_got = 0;
        g_stage = CTRL_DATA_OUT;
        start_out(0, USB_EP0_SIZE);
    } else if (r == USB_CTRL_ACK && g_req.wLength == 0u) {
        ep0_status_in();
    } else {
        ep0_stall();
    }
}

static void handle_bus_reset(void)
{
    USBREG(USB_SIE_STATUS) = SIE_STATUS_BUS_RESET;
    USBREG(USB_ADDR_ENDP) = 0u;
    g_address_pending = false;
    g_config = 0;
    g_stage = CTRL_IDLE;
    close_endpoints();
    memset(&g_in[0], 0, sizeof(g_in[0]));
    memset(&g_out[0], 0, sizeof(g_out[0]));
    if (g_fn->bus_reset != NULL) {
        g_fn->bus_reset();
    }
}

static void handle_buffers(void)
{
    uint32_t status = USBREG(USB_BUFF_STATUS);
    USBREG(USB_BUFF_STATUS) = status; /* write 1 to clear, before handling: a re-armed buffer may complete again */
    for (uint8_t bit = 0; bit < 32u; bit++) {
        if (!(status & (1u << bit))) {
            continue;
        }
        uint8_t num = bit >> 1;
        bool out = (bit & 1u) != 0u;
        uint16_t len = (uint16_t)(DPRAM32(DPRAM_BUF_CTRL(num, out)) & BUF_CTRL_LEN_MASK);
        endpoint_t *e = out ? &g_out[num] : &g_in[num];
        e->busy = false;
        if (num == 0u) {
            if (out) {
                ep0_out_done(len);
            } else {
                ep0_in_done();
            }
        } else if (e->open && g_fn->endpoint_done != NULL) {
            g_fn->endpoint_done(out ? num : (uint8_t)(num | USB_DIR_IN), len);
        }
    }
}

/* ---- public ------------------------------------------------------------------------------ */

void usb_dev_init(const usb_function_t *fn)
{
    g_fn = fn;
    reset_block(RESET_USBCTRL);
    unreset(RESET_USBCTRL);
    for (uint32_t off = 0; off < DPRAM_SIZE; off += 4u) {
        DPRAM32(off) = 0u;
    }
    memset(g_in, 0, sizeof(g_in));
    memset(g_out, 0, sizeof(g_out));
    USBREG(USB_USB_MUXING) = USB_MUXING_TO_PHY | USB_MUXING_SOFTCON;
    USBREG(USB_USB_PWR) = USB_PWR_VBUS_DETECT | USB_PWR_VBUS_DETECT_OVERRIDE_EN;
    USBREG(USB_MAIN_CTRL) = MAIN_CTRL_CONTROLLER_EN;
    USBREG(USB_SIE_CTRL) = SIE_CTRL_EP0_INT_1BUF;
    USBREG(USB_INTE) = INT_BUFF_STATUS | INT_BUS_RESET | INT_SETUP_REQ;
    /* the pull-up on D+ tells the host a full-speed device is there */
    USBREG(REG_SET_ALIAS + USB_SIE_CTRL) = SIE_CTRL_PULLUP_EN;
    REG(M0PLUS_NVIC_ISER) = 1u << IRQ_USBCTRL;
}

bool usb_dev_pending(void)
{
    return USBREG(USB_INTS) != 0u;
}

void usb_dev_poll(void)
{
    uint32_t ints = USBREG(USB_INTS);
    if (ints & INT_BUS_RESET) {
        handle_bus_reset();
    }
    if (ints & INT_BUFF_STATUS) {
        handle_buffers();
    }
    /* after the buffers: a finished status stage must not be taken for the new transfer's */
    if (ints & INT_SETUP_REQ) {
        handle_setup();
    }
    /* the interrupt handler masked the line to wake us; everything it signalled is handled */
    REG(M0PLUS_NVIC_ISER) = 1u << IRQ_USBCTRL;
}

void usb_ep_open(uint8_t ep, uint8_t type, uint16_t max_packet, uint16_t dpram_offset)
{
    endpoint_t *e = endpoint(ep);
    uint8_t num = ep & 0x0Fu;
    bool out = (ep & USB_DIR_IN) == 0u;
    e->max_packet = max_packet;
    e->buffer = dpram_offset;
    e->open = true;
    e->busy = false;
    e->data1 = false;
    e->halted = false;
    DPRAM32(DPRAM_EP_CTRL(num, out)) = EP_CTRL_ENABLE | EP_CTRL_INTERRUPT_PER_BUFF |
                                       ((uint32_t)type << EP_CTRL_TYPE_LSB) | dpram_offset;
}

bool usb_ep_busy(uint8_t ep)
{
    const endpoint_t *e = endpoint(ep);
    return !e->open || e->busy || e->halted;
}

void usb_ep_send(uint8_t ep, const uint8_t *data, uint16_t len)
{
    endpoint_t *e = endpoint(ep);
    start_in(ep & 0x0Fu, e->buffer, data, len <= e->max_packet ? len : e->max_packet);
}

void usb_ep_receive(uint8_t ep)
{
    start_out(ep & 0x0Fu, endpoint(ep)->max_packet);
}

const volatile uint8_t *usb_ep_buffer(uint8_t ep)
{
    return DPRAM8(endpoint(ep)->buffer);
}
