#include "harness.h"

#include <stdlib.h>

int g_checks;
int g_failures;
const char *g_test = "?";

static int nibble(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

size_t hex_decode(const char *hex, uint8_t *buf, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > cap) {
        fprintf(stderr, "[%s] bad hex vector (%zu chars, cap %zu)\n", g_test, n, cap);
        exit(2);
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = nibble(hex[2 * i]);
        int lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "[%s] bad hex digit\n", g_test);
            exit(2);
        }
        buf[i] = (uint8_t)(hi * 16 + lo);
    }
    return n / 2;
}

static void print_hex(const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        fprintf(stderr, "%02x", b[i]);
    }
    fprintf(stderr, "\n");
}

bool bytes_eq_hex(const uint8_t *b, size_t len, const char *hex, const char *what)
{
    uint8_t want[1024];
    size_t n = hex_decode(hex, want, sizeof(want));
    if (n == len && (n == 0 || memcmp(b, want, n) == 0)) {
        return true;
    }
    fprintf(stderr, "[%s] %s mismatch\n  got:  ", g_test, what);
    print_hex(b, len);
    fprintf(stderr, "  want: %s\n", hex);
    return false;
}

/* ---- fake io ---- */

static bool f_write(void *ctx, const uint8_t *buf, size_t len)
{
    fake_t *f = ctx;
    size_t n;
    if (f->fail_write || f->out_len + len > sizeof(f->out)) {
        return false;
    }
    n = fault_pass(&f->write_stream, len); /* a torn write leaves its first n bytes on the wire */
    memcpy(&f->out[f->out_len], buf, n);
    f->out_len += n;
    return n == len;
}

static bool f_set_relay(void *ctx, bool released)
{
    fake_t *f = ctx;
    f->relay_calls++;
    if (f->fail_relay) {
        return false;
    }
    if (released && !f->relay) {
        f->releases++;
    }
    f->relay = released;
    return true;
}

static uint32_t f_millis(void *ctx)
{
    return ((fake_t *)ctx)->now;
}

static uint8_t f_inputs(void *ctx)
{
    return ((fake_t *)ctx)->inputs;
}

static bool f_random(void *ctx, uint8_t *buf, size_t len)
{
    fake_t *f = ctx;
    if (f->fail_random || len != DW_NONCE_LEN) {
        return false;
    }
    if (f->next_nonce < f->n_nonces) {
        memcpy(buf, f->nonces[f->next_nonce++], len);
        return true;
    }
    if (!f->auto_random) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(0xC0u + (unsigned)f->next_nonce * 7u + i);
    }
    f->next_nonce++;
    return true;
}

/* A read cut short by its stream hands over the bytes that came and garbage after them. */
static bool f_store_read(void *ctx, dw_slot_t slot, uint8_t *buf, size_t len)
{
    fake_t *f = ctx;
    const uint8_t *from = NULL;
    size_t n;
    if (slot == DW_SLOT_KEY && f->key_stored && len == DW_KEY_LEN) {
        from = f->key;
    } else if (slot == DW_SLOT_CONFIG && f->cfg_stored && len == DW_CONFIG_LEN) {
        from = f->cfg;
    }
    if (from == NULL) {
        return false;
    }
    n = fault_pass(&f->store_read_stream, len);
    memcpy(buf, from, n);
    memset(&buf[n], 0xA5, len - n);
    return n == len;
}

/* A write cut short by its stream leaves the slot torn: its first n bytes new, the rest old. */
static bool f_store_write(void *ctx, dw_slot_t slot, const uint8_t *buf, size_t len)
{
    fake_t *f = ctx;
    uint8_t *to;
    bool *stored;
    size_t n;
    if (f->fail_store_write) {
        return false;
    }
    if (slot == DW_SLOT_KEY && len == DW_KEY_LEN) {
        to = f->key;
        stored = &f->key_stored;
    } else if (slot == DW_SLOT_CONFIG && len == DW_CONFIG_LEN) {
        to = f->cfg;
        stored = &f->cfg_stored;
    } else {
        return false;
    }
    n = fault_pass(&f->store_write_stream, len);
    memcpy(to, buf, n);
    *stored = *stored || n == len;
    return n == len;
}

static void f_log(void *ctx, const char *msg)
{
    (void)msg;
    ((fake_t *)ctx)->logs++;
}

static dw_io_t g_io;

void fake_reset(fake_t *f)
{
    memset(f, 0, sizeof(*f));
}

const dw_io_t *fake_io(fake_t *f)
{
    g_io = (dw_io_t){
        .ctx = f,
        .write = f_write,
        .set_relay = f_set_relay,
        .millis = f_millis,
        .read_inputs = f_inputs,
        .random = f_random,
        .store_read = f_store_read,
        .store_write = f_store_write,
        .log = f_log,
    };
    return &g_io;
}

void fake_clear_out(fake_t *f)
{
    f->out_len = 0;
}

size_t fake_frames(const fake_t *f, const uint8_t *starts[], size_t lens[], size_t max)
{
    size_t n = 0;
    size_t begin = 0;
    for (size_t i = 0; i < f->out_len && n < max; i++) {
        if (f->out[i] == 0) {
            starts[n] = &f->out[begin];
            lens[n] = i + 1 - begin;
            n++;
            begin = i + 1;
        }
    }
    return n;
}

wire_t host_frame(uint8_t type, uint16_t seq, uint8_t cmd, const uint8_t *payload, size_t len)
{
    wire_t w;
    dw_header_t h = {DW_PROTO_VERSION, type, 0, seq, cmd, (uint16_t)len};
    if (!dw_frame_encode(&h, payload, len, w.buf, sizeof(w.buf), &w.len)) {
        fprintf(stderr, "[%s] host_frame encode failed\n", g_test);
        exit(2);
    }
    return w;
}

void host_session_derive(host_session_t *s)
{
    static const uint8_t label[7] = {'d', 'w', '2', '-', 'm', 'c', 'u'};
    dw_hmac_t h;
    dw_hmac_init(&h, s->key, DW_KEY_LEN);
    dw_hmac_update(&h, label, sizeof(label));
    dw_hmac_update(&h, s->mcu_nonce, DW_NONCE_LEN);
    dw_hmac_update(&h, s->host_nonce, DW_NONCE_LEN);
    dw_hmac_final(&h, s->mcu_key);
}

wire_t host_signed(uint16_t seq, uint8_t cmd, const uint8_t *body, size_t body_len_, uint32_t counter,
                   const host_session_t *s, const uint8_t challenge[DW_CHALLENGE_LEN])
{
    static const uint8_t kind = 0x01;
    uint8_t payload[DW_MAX_PAYLOAD];
    uint8_t hdr[DW_HEADER_LEN];
    uint8_t mac[DW_SHA256_LEN];
    dw_hmac_t h;
    wire_t w;
    size_t len = body_len_ + DW_AUTH_LEN;
    dw_header_t hd = {DW_PROTO_VERSION, DW_T_COMMAND, DW_FLAG_AUTH, seq, cmd, (uint16_t)len};

    dw_header_pack(&hd, hdr);
    if (body_len_ > 0) {
        memcpy(payload, body, body_len_);
    }
    dw_put_u32(&payload[body_len_], counter);
    dw_hmac_init(&h, s->key, DW_KEY_LEN);
    dw_hmac_update(&h, &kind, 1);
    dw_hmac_update(&h, s->mcu_nonce, DW_NONCE_LEN);
    dw_hmac_update(&h, s->host_nonce, DW_NONCE_LEN);
    dw_hmac_update(&h, challenge, DW_CHALLENGE_LEN);
    dw_hmac_update(&h, &payload[body_len_], 4);
    dw_hmac_update(&h, hdr, sizeof(hdr));
    dw_hmac_update(&h, payload, body_len_);
    dw_hmac_final(&h, mac);
    memcpy(&payload[body_len_ + 4], mac, DW_TAG_LEN);
    if (!dw_frame_encode(&hd, payload, len, w.buf, sizeof(w.buf), &w.len)) {
        fprintf(stderr, "[%s] host_signed encode failed\n", g_test);
        exit(2);
    }
    return w;
}

size_t body_len(const dw_frame_t *f)
{
    return (f->hdr.flags & DW_FLAG_AUTH) && f->hdr.length >= DW_AUTH_LEN ? f->hdr.length - DW_AUTH_LEN : f->hdr.length;
}

bool host_verify(const host_session_t *s, const dw_frame_t *f, uint16_t request_crc, uint32_t *counter)
{
    uint8_t pre[7];
    uint8_t mac[DW_SHA256_LEN];
    size_t n = 5;
    size_t bl = body_len(f);
    dw_hmac_t h;

    if (!(f->hdr.flags & DW_FLAG_AUTH) || f->hdr.length < DW_AUTH_LEN) {
        return false;
    }
    pre[0] = f->hdr.type == DW_T_EVENT ? 0x03 : 0x02;
    memcpy(&pre[1], &f->payload[bl], 4);
    if (pre[0] == 0x02) {
        dw_put_u16(&pre[5], request_crc);
        n = 7;
    }
    dw_hmac_init(&h, s->mcu_key, sizeof(s->mcu_key));
    dw_hmac_update(&h, pre, n);
    dw_hmac_update(&h, f->raw, DW_HEADER_LEN);
    dw_hmac_update(&h, f->payload, bl);
    dw_hmac_final(&h, mac);
    *counter = dw_get_u32(&f->payload[bl]);
    return memcmp(mac, &f->payload[bl + 4], DW_TAG_LEN) == 0;
}

bool find_frame(const fake_t *f, uint8_t type, size_t nth, dw_frame_t *out, uint8_t scratch[DW_MAX_FRAME])
{
    const uint8_t *starts[FAKE_MAX_FRAMES];
    size_t lens[FAKE_MAX_FRAMES];
    size_t n = fake_frames(f, starts, lens, FAKE_MAX_FRAMES);
    for (size_t i = 0; i < n; i++) {
        if (dw_frame_decode(starts[i], lens[i] - 1, scratch, out) == DW_OK && out->hdr.type == type) {
            if (nth == 0) {
                return true;
            }
            nth--;
        }
    }
    return false;
}

bool last_frame(const fake_t *f, dw_frame_t *out, uint8_t scratch[DW_MAX_FRAME])
{
    const uint8_t *starts[FAKE_MAX_FRAMES];
    size_t lens[FAKE_MAX_FRAMES];
    size_t n = fake_frames(f, starts, lens, FAKE_MAX_FRAMES);
    if (n == 0) {
        return false;
    }
    return dw_frame_decode(starts[n - 1], lens[n - 1] - 1, scratch, out) == DW_OK;
}
