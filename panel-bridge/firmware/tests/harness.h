/* Test harness shared by the host tests: assertion macros, hex helpers, and the one fake of
 * every dw_io_t boundary (clock, serial, relay, inputs, random, storage), with switches that
 * make each boundary fail on demand. */
#ifndef DW_HARNESS_H
#define DW_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dw_core.h"
#include "dw_proto.h"
#include "dw_sha256.h"
#include "fault_stream.h"

extern int g_checks;
extern int g_failures;
extern const char *g_test;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        g_checks++;                                                                                \
        if (!(cond)) {                                                                             \
            g_failures++;                                                                          \
            fprintf(stderr, "%s:%d: [%s] CHECK failed: %s\n", __FILE__, __LINE__, g_test, #cond);  \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        g_checks++;                                                                                \
        if (va_ != vb_) {                                                                          \
            g_failures++;                                                                          \
            fprintf(stderr, "%s:%d: [%s] %s == %lld, expected %s == %lld\n", __FILE__, __LINE__,    \
                    g_test, #a, va_, #b, vb_);                                                     \
        }                                                                                          \
    } while (0)

#define TEST(name) static void name(void)
#define RUN(name)                                                                                  \
    do {                                                                                           \
        g_test = #name;                                                                            \
        name();                                                                                    \
    } while (0)

/* Decodes a hex string into buf; returns its length. Aborts the test on malformed hex. */
size_t hex_decode(const char *hex, uint8_t *buf, size_t cap);
/* Compares bytes to a hex string and prints both on mismatch. */
bool bytes_eq_hex(const uint8_t *b, size_t len, const char *hex, const char *what);

#define FAKE_OUT_CAP 8192u
#define FAKE_MAX_FRAMES 32u
#define FAKE_MAX_RANDOM 16

typedef struct {
    uint32_t now;
    uint8_t inputs;
    uint8_t out[FAKE_OUT_CAP];
    size_t out_len;
    bool relay;
    int releases;
    int relay_calls;
    /* random draws (session nonces and challenges), in order; past the script, auto_random makes
     * distinct ones and otherwise the source fails */
    uint8_t nonces[FAKE_MAX_RANDOM][DW_NONCE_LEN];
    int n_nonces;
    int next_nonce;
    bool auto_random;
    uint8_t key[DW_KEY_LEN];
    bool key_stored;
    uint8_t cfg[DW_CONFIG_LEN];
    bool cfg_stored;
    /* fault injection: streams that fail after N bytes (serial out, store reads and writes) ... */
    fault_stream_t write_stream;
    fault_stream_t store_read_stream;
    fault_stream_t store_write_stream;
    /* ... and switches that fail a boundary outright */
    bool fail_write;
    bool fail_relay;
    bool fail_random;
    bool fail_store_write;
    int logs;
} fake_t;

void fake_reset(fake_t *f);
const dw_io_t *fake_io(fake_t *f);

/* Splits f->out into wire frames (each including its 0x00); returns how many. */
size_t fake_frames(const fake_t *f, const uint8_t *starts[], size_t lens[], size_t max);
void fake_clear_out(fake_t *f);

/* Host side of the protocol for the behaviour tests. */
typedef struct {
    uint8_t buf[DW_MAX_WIRE];
    size_t len;
} wire_t;

/* What the host knows of one session (PROTOCOL.md section 2). */
typedef struct {
    uint8_t key[DW_KEY_LEN];
    uint8_t mcu_nonce[DW_NONCE_LEN];
    uint8_t host_nonce[DW_NONCE_LEN];
    uint8_t mcu_key[DW_SHA256_LEN];
} host_session_t;

wire_t host_frame(uint8_t type, uint16_t seq, uint8_t cmd, const uint8_t *payload, size_t len);
wire_t host_signed(uint16_t seq, uint8_t cmd, const uint8_t *body, size_t body_len, uint32_t counter,
                   const host_session_t *s, const uint8_t challenge[DW_CHALLENGE_LEN]);
/* Fills s->mcu_key from key and both nonces. */
void host_session_derive(host_session_t *s);
/* An MCU frame's auth block (PROTOCOL.md 2.2) checked with K_mcu: request_crc for answers,
 * ignored for events. False when unsigned or the tag does not verify; *counter gets its counter. */
bool host_verify(const host_session_t *s, const dw_frame_t *f, uint16_t request_crc, uint32_t *counter);
/* The frame's payload length without its auth block. */
size_t body_len(const dw_frame_t *f);

/* Decodes the last frame the fake saw; returns false when there is none. */
bool last_frame(const fake_t *f, dw_frame_t *out, uint8_t scratch[DW_MAX_FRAME]);
/* Finds the n-th (0-based) frame of the given type in the output. */
bool find_frame(const fake_t *f, uint8_t type, size_t nth, dw_frame_t *out, uint8_t scratch[DW_MAX_FRAME]);

#endif
