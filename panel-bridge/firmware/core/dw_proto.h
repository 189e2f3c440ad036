/* Doorward panel-bridge wire format (PROTOCOL.md sections 1 and 5).
 * Pure functions over caller-owned buffers: no allocation, no globals, no HAL. */
#ifndef DW_PROTO_H
#define DW_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dw_check.h"

#define DW_PROTO_VERSION 2u
#define DW_HEADER_LEN 8u
#define DW_CRC_LEN 2u
#define DW_MAX_PAYLOAD 96u
#define DW_MAX_FRAME (DW_HEADER_LEN + DW_MAX_PAYLOAD + DW_CRC_LEN)
#define DW_MAX_ENCODED (DW_MAX_FRAME + 1u)
/* One encoded frame plus its 0x00 delimiter. */
#define DW_MAX_WIRE (DW_MAX_ENCODED + 1u)
#define DW_NONCE_LEN 16u
#define DW_TAG_LEN 16u
#define DW_KEY_LEN 32u
#define DW_AUTH_LEN (4u + DW_TAG_LEN)
#define DW_CHALLENGE_LEN 16u

#define DW_FLAG_AUTH 0x01u
#define DW_FLAGS_RESERVED 0xFEu

typedef enum {
    DW_T_COMMAND = 1,
    DW_T_RESPONSE = 2,
    DW_T_EVENT = 3,
    DW_T_ACK = 4,
    DW_T_NAK = 5,
    DW_T_HEARTBEAT = 6
} dw_type_t;

typedef enum {
    DW_CMD_HELLO = 0x01,
    DW_CMD_STATUS = 0x02,
    DW_CMD_UNLOCK = 0x03,
    DW_CMD_LOCK = 0x04,
    DW_CMD_SET_CONFIG = 0x05,
    DW_CMD_PROVISION_KEY = 0x06,
    DW_CMD_HEARTBEAT = 0x07,
    DW_CMD_CHALLENGE = 0x08
} dw_cmd_t;

typedef enum {
    DW_EV_BOOT = 0x81,
    DW_EV_DOOR = 0x82,
    DW_EV_EXIT_BUTTON = 0x83,
    DW_EV_TAMPER = 0x84,
    DW_EV_RELAY = 0x85,
    DW_EV_FAULT = 0x86
} dw_event_t;

/* Rejection and NAK reason codes; 0 means accepted. */
typedef enum {
    DW_OK = 0x00,
    DW_R_BAD_CRC = 0x01,
    DW_R_SHORT = 0x02,
    DW_R_BAD_VERSION = 0x03,
    DW_R_LENGTH_MISMATCH = 0x04,
    DW_R_OVERSIZE = 0x05,
    DW_R_BAD_COBS = 0x06,
    DW_R_BAD_TYPE = 0x07,
    DW_R_BAD_FLAGS = 0x08,
    DW_R_UNKNOWN_COMMAND = 0x10,
    DW_R_BAD_PAYLOAD = 0x11,
    DW_R_AUTH_REQUIRED = 0x12,
    DW_R_NOT_PROVISIONED = 0x13,
    DW_R_NO_SESSION = 0x14,
    DW_R_BAD_TAG = 0x15,
    DW_R_STALE_COUNTER = 0x16,
    DW_R_COUNTER_EXHAUSTED = 0x17,
    DW_R_LOCKED_OUT = 0x18,
    DW_R_OUT_OF_RANGE = 0x19,
    DW_R_NOT_IN_SETUP_MODE = 0x1A,
    DW_R_TAMPER_ACTIVE = 0x1B,
    DW_R_STORAGE_FAILURE = 0x1C,
    DW_R_RNG_FAILURE = 0x1D,
    DW_R_STALE_CHALLENGE = 0x1E,
    DW_R_RELAY_FAILURE = 0x1F
} dw_reason_t;

typedef struct {
    uint8_t version;
    uint8_t type;
    uint8_t flags;
    uint16_t seq;
    uint8_t cmd;
    uint16_t length;
} dw_header_t;

/* A decoded frame. payload points into the caller's decode buffer. */
typedef struct {
    dw_header_t hdr;
    const uint8_t *raw; /* header bytes as received (the auth tag covers them) */
    const uint8_t *payload;
    uint16_t crc;
    bool header_trusted; /* CRC matched: hdr is usable even when the frame was rejected */
} dw_frame_t;

uint16_t dw_crc16(const uint8_t *data, size_t len);

/* COBS. Both return false (and leave *out_len undefined) when the output would not fit or the
 * input is not valid COBS. */
DW_MUST_CHECK bool dw_cobs_encode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);
DW_MUST_CHECK bool dw_cobs_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);

void dw_put_u16(uint8_t *p, uint16_t v);
void dw_put_u32(uint8_t *p, uint32_t v);
uint16_t dw_get_u16(const uint8_t *p);
uint32_t dw_get_u32(const uint8_t *p);

/* The 8 header bytes as they go on the wire (the auth tags cover them). */
void dw_header_pack(const dw_header_t *hdr, uint8_t out[DW_HEADER_LEN]);

/* Builds header || payload || crc, COBS-encodes it and appends the 0x00 delimiter.
 * hdr->length is taken from payload_len. */
DW_MUST_CHECK bool dw_frame_encode(const dw_header_t *hdr, const uint8_t *payload, size_t payload_len,
                                   uint8_t *out, size_t out_cap, size_t *out_len);

/* Decodes one chunk (no delimiter) in the order of PROTOCOL.md 1.3. scratch must hold
 * DW_MAX_FRAME bytes; out->payload points into it. */
DW_MUST_CHECK dw_reason_t dw_frame_decode(const uint8_t *chunk, size_t chunk_len, uint8_t *scratch,
                                          dw_frame_t *out);

#endif
