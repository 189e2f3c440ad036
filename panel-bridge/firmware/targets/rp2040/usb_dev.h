/* The RP2040 USB controller in device mode (datasheet 4.1): bus reset, the endpoint-0 control
 * pipe with the standard (chapter 9) requests, and single-buffered bulk/interrupt endpoints.
 * Polled: usb_dev_poll() from the main loop does all the work; the interrupt only wakes it. */
#ifndef DW_RP2040_USB_DEV_H
#define DW_RP2040_USB_DEV_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USB_EP0_SIZE 64u

typedef struct {
    uint8_t bmRequestType;
    uint8_t bRequest;
    uint16_t wValue;
    uint16_t wIndex;
    uint16_t wLength;
} usb_setup_t;

/* bmRequestType fields (USB 2.0 9.3) */
#define USB_DIR_IN 0x80u
#define USB_TYPE_MASK 0x60u
#define USB_TYPE_STANDARD 0x00u
#define USB_TYPE_CLASS 0x20u
#define USB_RECIP_MASK 0x1Fu
#define USB_RECIP_DEVICE 0x00u
#define USB_RECIP_INTERFACE 0x01u
#define USB_RECIP_ENDPOINT 0x02u

#define USB_DT_DEVICE 1u
#define USB_DT_CONFIG 2u
#define USB_DT_STRING 3u
#define USB_DT_INTERFACE 4u
#define USB_DT_ENDPOINT 5u

#define USB_EP_CONTROL 0u
#define USB_EP_BULK 2u
#define USB_EP_INTERRUPT 3u

typedef enum { USB_CTRL_STALL, USB_CTRL_ACK, USB_CTRL_IN, USB_CTRL_OUT } usb_ctrl_result_t;

/* What the function (CDC-ACM here) gives the controller. */
typedef struct {
    const uint8_t *device_descriptor;   /* 18 bytes */
    const uint8_t *config_descriptor;   /* wTotalLength bytes */
    /* String descriptor by index, built into buf (cap bytes); 0 when there is none. */
    size_t (*string_descriptor)(uint8_t index, uint8_t *buf, size_t cap);
    /* SET_CONFIGURATION: value 0 deconfigures. Endpoints are opened here. */
    void (*configured)(uint8_t value);
    /* Class request. For USB_CTRL_IN fill *data and *len; for USB_CTRL_OUT give a buffer of at
     * least wLength bytes in *data, then data_done() runs when the data stage has arrived. */
    usb_ctrl_result_t (*class_request)(const usb_setup_t *req, uint8_t **data, uint16_t *len);
    void (*class_data_done)(const usb_setup_t *req);
    /* An IN transfer finished (ep has the 0x80 bit) or an OUT packet arrived (len bytes). */
    void (*endpoint_done)(uint8_t ep, uint16_t len);
    /* Bus reset: the host starts over; the function drops its session state. */
    void (*bus_reset)(void);
} usb_function_t;

void usb_dev_init(const usb_function_t *fn);
void usb_dev_poll(void);
/* true while the controller has something for usb_dev_poll (the main loop does not sleep). */
bool usb_dev_pending(void);

/* Endpoints 1..15. dpram_offset is 64-byte aligned, at or above 0x180. */
void usb_ep_open(uint8_t ep, uint8_t type, uint16_t max_packet, uint16_t dpram_offset);
bool usb_ep_busy(uint8_t ep);
/* IN: copies len (<= max packet) bytes to the endpoint's buffer and hands it to the host. */
void usb_ep_send(uint8_t ep, const uint8_t *data, uint16_t len);
/* OUT: offers the endpoint's buffer for the next packet; endpoint_done(ep, len) when it comes. */
void usb_ep_receive(uint8_t ep);
const volatile uint8_t *usb_ep_buffer(uint8_t ep);
#endif
