#include "dw_proto.h"

#include <string.h>

uint16_t dw_crc16(const uint8_t *data, size_t len)
{
    uint16_t crc = 0xFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)((uint16_t)data[i] << 8);
        for (int bit = 0; bit < 8; bit++) {
            uint32_t shifted = (uint32_t)crc << 1;
            crc = (uint16_t)((crc & 0x8000u) ? (shifted ^ 0x1021u) : shifted);
        }
    }
    return crc;
}

void dw_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void dw_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

uint16_t dw_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t dw_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

bool dw_cobs_encode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t code_at = 0; /* slot reserved for the current block's code byte */
    size_t w = 1;
    uint8_t code = 1;
    bool just_full = false;

    for (size_t i = 0; i < in_len; i++) {
        just_full = false;
        if (in[i] != 0) {
            if (w >= out_cap) {
                return false;
            }
            out[w++] = in[i];
            code++;
            if (code != 0xFF) {
                continue;
            }
            just_full = true;
        }
        if (code_at >= out_cap) {
            return false;
        }
        out[code_at] = code;
        code_at = w++;
        code = 1;
    }
    if (just_full) {
        /* Data ended on a full block: the slot reserved for a next code byte is not needed. */
        w = code_at;
    } else {
        if (code_at >= out_cap) {
            return false;
        }
        out[code_at] = code;
    }
    *out_len = w;
    return true;
}

bool dw_cobs_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t r = 0;
    size_t w = 0;

    if (in_len == 0) {
        return false;
    }
    while (r < in_len) {
        uint8_t code = in[r];
        if (code == 0 || (size_t)code > in_len - r) {
            return false;
        }
        r++;
        for (uint8_t k = 1; k < code; k++) {
            uint8_t b = in[r++];
            if (b == 0 || w >= out_cap) {
                return false;
            }
            out[w++] = b;
        }
        if (code < 0xFF && r < in_len) {
            if (w >= out_cap) {
                return false;
            }
            out[w++] = 0;
        }
    }
    *out_len = w;
    return true;
}

void dw_header_pack(const dw_header_t *hdr, uint8_t out[DW_HEADER_LEN])
{
    out[0] = hdr->version;
    out[1] = hdr->type;
    out[2] = hdr->flags;
    dw_put_u16(&out[3], hdr->seq);
    out[5] = hdr->cmd;
    dw_put_u16(&out[6], hdr->length);
}

bool dw_frame_encode(const dw_header_t *hdr, const uint8_t *payload, size_t payload_len,
                     uint8_t *out, size_t out_cap, size_t *out_len)
{
    uint8_t raw[DW_MAX_FRAME];
    size_t enc_len = 0;
    dw_header_t h = *hdr;

    if (payload_len > DW_MAX_PAYLOAD || (payload_len > 0 && payload == NULL)) {
        return false;
    }
    h.length = (uint16_t)payload_len;
    dw_header_pack(&h, raw);
    if (payload_len > 0) {
        memcpy(&raw[DW_HEADER_LEN], payload, payload_len);
    }
    dw_put_u16(&raw[DW_HEADER_LEN + payload_len], dw_crc16(raw, DW_HEADER_LEN + payload_len));
    if (out_cap < 1 ||
        !dw_cobs_encode(raw, DW_HEADER_LEN + payload_len + DW_CRC_LEN, out, out_cap - 1, &enc_len)) {
        return false;
    }
    out[enc_len] = 0;
    *out_len = enc_len + 1;
    return true;
}

dw_reason_t dw_frame_decode(const uint8_t *chunk, size_t chunk_len, uint8_t *scratch,
                            dw_frame_t *out)
{
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    if (chunk_len > DW_MAX_ENCODED) {
        return DW_R_OVERSIZE;
    }
    if (!dw_cobs_decode(chunk, chunk_len, scratch, DW_MAX_FRAME, &n)) {
        return DW_R_BAD_COBS;
    }
    if (n < DW_HEADER_LEN + DW_CRC_LEN) {
        return DW_R_SHORT;
    }
    out->crc = dw_get_u16(&scratch[n - DW_CRC_LEN]);
    if (dw_crc16(scratch, n - DW_CRC_LEN) != out->crc) {
        return DW_R_BAD_CRC;
    }
    out->header_trusted = true;
    out->raw = scratch;
    out->hdr.version = scratch[0];
    out->hdr.type = scratch[1];
    out->hdr.flags = scratch[2];
    out->hdr.seq = dw_get_u16(&scratch[3]);
    out->hdr.cmd = scratch[5];
    out->hdr.length = dw_get_u16(&scratch[6]);
    out->payload = &scratch[DW_HEADER_LEN];
    if (out->hdr.version != DW_PROTO_VERSION) {
        return DW_R_BAD_VERSION;
    }
    if (out->hdr.type < DW_T_COMMAND || out->hdr.type > DW_T_HEARTBEAT) {
        return DW_R_BAD_TYPE;
    }
    if ((out->hdr.flags & DW_FLAGS_RESERVED) != 0) {
        return DW_R_BAD_FLAGS;
    }
    if (out->hdr.length > DW_MAX_PAYLOAD) {
        return DW_R_OVERSIZE;
    }
    if ((size_t)out->hdr.length + DW_HEADER_LEN + DW_CRC_LEN != n) {
        return DW_R_LENGTH_MISMATCH;
    }
    return DW_OK;
}
