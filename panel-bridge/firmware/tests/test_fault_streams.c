/* Streams that fail after N bytes, for every N from 0 to the whole message (nanopb's
 * tests/io_errors): frames torn on the way in, answers torn on the way out, key and config reads
 * and writes torn part way, and the codec given buffers one byte too short. Each run checks
 * that the firmware fails cleanly: nothing half done, a clear error, the door locked. */
#include <stdlib.h>

#include "harness.h"
#include "tests.h"

static fake_t F;
static dw_core_t C;
static const dw_identity_t ID = {.device_id = {4, 4, 4, 4, 4, 4, 4, 4}, .capabilities = 0x3F};
static const uint8_t KEY[DW_KEY_LEN] = {0x5A, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                                        0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                        0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
static const uint8_t HOST_NONCE[DW_NONCE_LEN] = {0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C,
                                                 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C};
static const uint8_t PULSE[2] = {0xE8, 0x03}; /* 1000 ms */
static const uint8_t NO_DELIMITER = 0x00;

static void boot(bool provisioned, uint8_t inputs)
{
    fake_reset(&F);
    if (provisioned) {
        memcpy(F.key, KEY, sizeof(KEY));
        F.key_stored = true;
    }
    F.auto_random = true;
    F.now = 1000;
    F.inputs = inputs;
    CHECK(dw_init(&C, fake_io(&F), &ID));
}

/* HELLO and a CHALLENGE, as the honest host does them. */
static void open_session(host_session_t *hs, uint8_t challenge[DW_CHALLENGE_LEN])
{
    uint8_t scratch[DW_MAX_FRAME];
    dw_frame_t r;
    wire_t w = host_frame(DW_T_COMMAND, 1, DW_CMD_HELLO, HOST_NONCE, sizeof(HOST_NONCE));
    F.out_len = 0;
    CHECK(dw_rx(&C, w.buf, w.len));
    CHECK(find_frame(&F, DW_T_RESPONSE, 0, &r, scratch));
    memcpy(hs->key, KEY, sizeof(KEY));
    memcpy(hs->mcu_nonce, &r.payload[14], DW_NONCE_LEN);
    memcpy(hs->host_nonce, HOST_NONCE, DW_NONCE_LEN);
    host_session_derive(hs);
    w = host_frame(DW_T_COMMAND, 2, DW_CMD_CHALLENGE, NULL, 0);
    F.out_len = 0;
    CHECK(dw_rx(&C, w.buf, w.len));
    CHECK(find_frame(&F, DW_T_RESPONSE, 0, &r, scratch));
    memcpy(challenge, r.payload, DW_CHALLENGE_LEN);
}

/* What a command may change: a torn frame must leave all of it as it was. */
typedef struct {
    bool relay, provisioned, setup_mode, session_open, challenge_live, lockout;
    uint8_t key[DW_KEY_LEN];
    uint8_t challenge[DW_CHALLENGE_LEN];
    dw_config_t cfg;
    uint32_t last_counter;
    bool key_stored, cfg_stored;
    int releases;
} snapshot_t;

static snapshot_t snap(void)
{
    snapshot_t s;
    memset(&s, 0, sizeof(s)); /* padding too: snapshots are compared with memcmp */
    s.relay = C.relay;
    s.provisioned = C.provisioned;
    s.setup_mode = C.setup_mode;
    s.session_open = C.session_open;
    s.challenge_live = C.challenge_live;
    s.lockout = C.lockout;
    memcpy(s.key, C.key, sizeof(s.key));
    memcpy(s.challenge, C.challenge, sizeof(s.challenge));
    s.cfg = C.cfg;
    s.last_counter = C.last_counter;
    s.key_stored = F.key_stored;
    s.cfg_stored = F.cfg_stored;
    s.releases = F.releases;
    return s;
}

static bool same(const snapshot_t *a, const snapshot_t *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

static bool answered_ok(void)
{
    uint8_t scratch[DW_MAX_FRAME];
    dw_frame_t r;
    return find_frame(&F, DW_T_RESPONSE, 0, &r, scratch);
}

/* The first N bytes of a frame, then the link dies: host_link.c ends the torn frame with a 0x00
 * when the link stalls. Then the same frame, whole. */
static int torn_then_whole(const wire_t *w)
{
    snapshot_t before = snap();
    int runs = 0;
    for (size_t n = 0; n + 1 < w->len; n++) { /* w->len - 1 bytes and a 0x00 would be all of it */
        F.out_len = 0;
        CHECK(dw_rx(&C, w->buf, n));
        CHECK(dw_rx(&C, &NO_DELIMITER, 1));
        snapshot_t after = snap();
        CHECK(same(&before, &after));
        CHECK(!answered_ok());
        CHECK(!F.relay);
        runs++;
    }
    F.out_len = 0;
    CHECK(dw_rx(&C, w->buf, w->len));
    CHECK(answered_ok()); /* nothing the torn copies did stands in the way of the real one */
    return runs;
}

static int g_runs; /* fault-stream runs, all tests together */

TEST(torn_unlock_opens_nothing_and_spends_nothing)
{
    uint8_t challenge[DW_CHALLENGE_LEN];
    host_session_t hs;
    wire_t w;
    boot(true, 0);
    open_session(&hs, challenge);
    w = host_signed(3, DW_CMD_UNLOCK, PULSE, sizeof(PULSE), 1, &hs, challenge);
    g_runs += torn_then_whole(&w);
    CHECK(F.relay);
    CHECK_EQ(F.releases, 1);
}

TEST(torn_set_config_changes_no_config)
{
    uint8_t challenge[DW_CHALLENGE_LEN], cfg[DW_CONFIG_LEN];
    dw_config_t want = {.max_pulse_ms = 2500, .fail_mode = DW_FAIL_SECURE, .heartbeat_timeout_ms = 20000,
                        .held_open_ms = 40000};
    host_session_t hs;
    wire_t w;
    boot(true, 0);
    open_session(&hs, challenge);
    dw_config_pack(&want, cfg);
    w = host_signed(3, DW_CMD_SET_CONFIG, cfg, sizeof(cfg), 1, &hs, challenge);
    g_runs += torn_then_whole(&w);
    CHECK_EQ(C.cfg.max_pulse_ms, 2500);
    CHECK(F.cfg_stored && memcmp(F.cfg, cfg, sizeof(cfg)) == 0);
    CHECK(!F.relay);
}

TEST(torn_provision_key_stores_no_part_of_a_key)
{
    wire_t w = host_frame(DW_T_COMMAND, 7, DW_CMD_PROVISION_KEY, KEY, sizeof(KEY));
    boot(false, DW_IN_SETUP_BUTTON);
    g_runs += torn_then_whole(&w);
    CHECK(C.provisioned && !C.setup_mode);
    CHECK(F.key_stored && memcmp(F.key, KEY, sizeof(KEY)) == 0);
    CHECK(!F.relay);
}

/* A torn frame with no stall to end it runs into the next one: the two arrive as one chunk,
 * which is refused; only the frame after that counts. */
TEST(torn_unlock_joined_to_the_next_frame_is_refused)
{
    uint8_t challenge[DW_CHALLENGE_LEN];
    host_session_t hs;
    wire_t w;
    size_t len;
    boot(true, 0);
    open_session(&hs, challenge);
    len = host_signed(3, DW_CMD_UNLOCK, PULSE, sizeof(PULSE), 1, &hs, challenge).len;
    for (size_t n = 1; n + 1 < len; n++) {
        boot(true, 0);
        open_session(&hs, challenge);
        w = host_signed(3, DW_CMD_UNLOCK, PULSE, sizeof(PULSE), 1, &hs, challenge);
        snapshot_t before = snap();
        uint16_t rx_errors = C.counters.rx_errors;
        F.out_len = 0;
        CHECK(dw_rx(&C, w.buf, n));
        CHECK(dw_rx(&C, w.buf, w.len));
        snapshot_t after = snap();
        CHECK(same(&before, &after));
        CHECK(!answered_ok());
        CHECK_EQ(C.counters.rx_errors, rx_errors + 1); /* counted, for STATUS */
        F.out_len = 0;
        CHECK(dw_rx(&C, w.buf, w.len)); /* the host's retry */
        CHECK(answered_ok() && F.relay);
        g_runs++;
    }
}

/* Every frame in F.out from `from` on, split as the host's receiver splits them: the chunks
 * that are not empty, how many, and how many of them decode. */
static void host_reads(size_t from, int *chunks, int *frames)
{
    uint8_t scratch[DW_MAX_FRAME];
    dw_frame_t f;
    size_t begin = from;
    *chunks = 0;
    *frames = 0;
    for (size_t i = from; i < F.out_len; i++) {
        if (F.out[i] != 0) {
            continue;
        }
        if (i > begin) {
            (*chunks)++;
            *frames += dw_frame_decode(&F.out[begin], i - begin, scratch, &f) == DW_OK;
        }
        begin = i + 1;
    }
}

/* The UNLOCK's signed answer torn after N bytes: the call fails and says so, the accepted
 * command stands (one release, ended by its pulse), its bytes sent again release nothing, and
 * the next frame reaches the host whole although the host holds the torn start of the last. */
TEST(torn_answer_fails_cleanly_and_the_link_recovers)
{
    uint8_t challenge[DW_CHALLENGE_LEN], scratch[DW_MAX_FRAME];
    host_session_t hs;
    dw_frame_t r;
    wire_t w;
    size_t answer_len;

    boot(true, 0);
    open_session(&hs, challenge);
    w = host_signed(3, DW_CMD_UNLOCK, PULSE, sizeof(PULSE), 1, &hs, challenge);
    F.out_len = 0;
    CHECK(dw_rx(&C, w.buf, w.len));
    CHECK(find_frame(&F, DW_T_RESPONSE, 0, &r, scratch)); /* the answer comes first */
    answer_len = 0;
    while (answer_len < F.out_len && F.out[answer_len] != 0) {
        answer_len++;
    }
    answer_len++; /* with its delimiter */
    CHECK(answer_len > DW_HEADER_LEN + DW_AUTH_LEN);

    for (size_t n = 0; n < answer_len; n++) {
        int chunks, frames;
        boot(true, 0);
        open_session(&hs, challenge);
        w = host_signed(3, DW_CMD_UNLOCK, PULSE, sizeof(PULSE), 1, &hs, challenge);
        F.out_len = 0;
        fault_arm(&F.write_stream, n);
        CHECK(!dw_rx(&C, w.buf, w.len));
        CHECK(dw_error(&C) != NULL && strcmp(dw_error(&C), "serial write failed") == 0);
        CHECK_EQ(F.out_len, n);
        CHECK_EQ(F.releases, 1);

        F.write_stream = (fault_stream_t){0}; /* the link is back; the host retries */
        CHECK(dw_rx(&C, w.buf, w.len));
        CHECK_EQ(F.releases, 1);
        host_reads(0, &chunks, &frames);
        /* the retry's answer arrives whole after the torn bytes; torn only at its delimiter, the
         * 0x00 completes the first answer too, which is true: the door did open */
        CHECK_EQ(frames, n == answer_len - 1 ? 2 : 1);
        CHECK_EQ(chunks, n > 0 ? 2 : 1);
        CHECK(find_frame(&F, DW_T_NAK, 0, &r, scratch) && r.payload[0] == DW_R_STALE_CHALLENGE);
        for (int t = 0; t < 12; t++) {
            F.now += 100;
            CHECK(dw_tick(&C));
        }
        CHECK(!F.relay); /* locked again at the pulse's end */
        CHECK_EQ(F.releases, 1);
        g_runs++;
    }
}

/* Boot reads the config (11 bytes) then the key (32) through one stream cut after N bytes: the
 * board comes up unprovisioned with the key wiped unless every byte of the key came, with the
 * stored config only when all of it came, and locked. */
TEST(torn_store_reads_at_boot_leave_no_part_of_a_key)
{
    static const uint8_t zero[DW_KEY_LEN] = {0};
    dw_config_t stored = {.max_pulse_ms = 1500, .fail_mode = DW_FAIL_SECURE, .heartbeat_timeout_ms = 5000,
                          .held_open_ms = 9000};
    for (size_t n = 0; n <= DW_CONFIG_LEN + DW_KEY_LEN; n++) {
        fake_reset(&F);
        memcpy(F.key, KEY, sizeof(KEY));
        F.key_stored = true;
        dw_config_pack(&stored, F.cfg);
        F.cfg_stored = true;
        F.auto_random = true;
        fault_arm(&F.store_read_stream, n);
        CHECK(dw_init(&C, fake_io(&F), &ID));
        CHECK_EQ(C.provisioned, n == DW_CONFIG_LEN + DW_KEY_LEN);
        CHECK(C.provisioned ? memcmp(C.key, KEY, DW_KEY_LEN) == 0 : memcmp(C.key, zero, DW_KEY_LEN) == 0);
        CHECK_EQ(C.cfg.max_pulse_ms, n >= DW_CONFIG_LEN ? 1500 : 5000);
        CHECK(!F.relay && !C.relay);
        g_runs++;
    }
}

/* SET_CONFIG and PROVISION_KEY whose store write stops after N bytes: refused with
 * STORAGE_FAILURE, nothing taken into RAM, the door locked; the same change, retried once the
 * store works, takes. */
TEST(torn_store_writes_are_refused_and_change_nothing)
{
    uint8_t challenge[DW_CHALLENGE_LEN], cfg[DW_CONFIG_LEN], scratch[DW_MAX_FRAME];
    dw_config_t want = {.max_pulse_ms = 3000, .fail_mode = DW_FAIL_SAFE, .heartbeat_timeout_ms = 15000,
                        .held_open_ms = 60000};
    host_session_t hs;
    dw_frame_t r;
    wire_t w;

    dw_config_pack(&want, cfg);
    for (size_t n = 0; n < DW_CONFIG_LEN; n++) {
        boot(true, 0);
        open_session(&hs, challenge);
        snapshot_t before = snap();
        fault_arm(&F.store_write_stream, n);
        w = host_signed(3, DW_CMD_SET_CONFIG, cfg, sizeof(cfg), 1, &hs, challenge);
        F.out_len = 0;
        CHECK(dw_rx(&C, w.buf, w.len));
        CHECK(find_frame(&F, DW_T_NAK, 0, &r, scratch) && r.payload[0] == DW_R_STORAGE_FAILURE);
        CHECK(r.hdr.flags & DW_FLAG_AUTH);
        CHECK(memcmp(&C.cfg, &before.cfg, sizeof(C.cfg)) == 0);
        CHECK(!F.relay && F.releases == 0);
        /* the store works again; the genuine tag spent the challenge, so the host asks anew */
        F.store_write_stream = (fault_stream_t){0};
        w = host_frame(DW_T_COMMAND, 4, DW_CMD_CHALLENGE, NULL, 0);
        F.out_len = 0;
        CHECK(dw_rx(&C, w.buf, w.len));
        CHECK(find_frame(&F, DW_T_RESPONSE, 0, &r, scratch));
        memcpy(challenge, r.payload, DW_CHALLENGE_LEN);
        w = host_signed(5, DW_CMD_SET_CONFIG, cfg, sizeof(cfg), 2, &hs, challenge);
        F.out_len = 0;
        CHECK(dw_rx(&C, w.buf, w.len));
        CHECK(answered_ok() && C.cfg.max_pulse_ms == 3000);
        g_runs++;
    }
    for (size_t n = 0; n < DW_KEY_LEN; n++) {
        static const uint8_t zero[DW_KEY_LEN] = {0};
        boot(false, DW_IN_SETUP_BUTTON);
        fault_arm(&F.store_write_stream, n);
        w = host_frame(DW_T_COMMAND, 9, DW_CMD_PROVISION_KEY, KEY, sizeof(KEY));
        F.out_len = 0;
        CHECK(dw_rx(&C, w.buf, w.len));
        CHECK(find_frame(&F, DW_T_NAK, 0, &r, scratch) && r.payload[0] == DW_R_STORAGE_FAILURE);
        CHECK(!C.provisioned && C.setup_mode);
        CHECK(memcmp(C.key, zero, DW_KEY_LEN) == 0);
        CHECK(!F.relay);
        F.store_write_stream = (fault_stream_t){0};
        w = host_frame(DW_T_COMMAND, 10, DW_CMD_PROVISION_KEY, KEY, sizeof(KEY));
        F.out_len = 0;
        CHECK(dw_rx(&C, w.buf, w.len));
        CHECK(answered_ok() && C.provisioned && memcmp(F.key, KEY, DW_KEY_LEN) == 0);
        g_runs++;
    }
}

/* The codec into an output buffer of every size from 0 to what it needs, and from every prefix
 * of its input, each prefix in a heap block of exactly its size (ASan sees any byte read past
 * it): short is refused, nothing is written past the buffer, and only the whole frame decodes. */
TEST(codec_refuses_short_buffers_and_torn_input)
{
    uint8_t payload[DW_MAX_PAYLOAD], scratch[DW_MAX_FRAME], out[DW_MAX_WIRE + 8];
    dw_header_t h = {.version = DW_PROTO_VERSION, .type = DW_T_COMMAND, .seq = 0x1234, .cmd = DW_CMD_UNLOCK};
    size_t need = 0, got = 0;
    dw_frame_t f;

    for (size_t i = 0; i < sizeof(payload); i++) {
        payload[i] = (uint8_t)(i % 7 == 0 ? 0 : i); /* zeros for COBS to encode */
    }
    CHECK(dw_frame_encode(&h, payload, sizeof(payload), out, sizeof(out), &need));
    for (size_t cap = 0; cap <= need; cap++) {
        memset(out, 0xEE, sizeof(out));
        CHECK_EQ(dw_frame_encode(&h, payload, sizeof(payload), out, cap, &got), cap == need);
        for (size_t i = cap; i < sizeof(out); i++) {
            CHECK_EQ(out[i], 0xEE);
        }
        g_runs++;
    }
    CHECK(dw_frame_encode(&h, payload, sizeof(payload), out, sizeof(out), &need));
    for (size_t n = 0; n < need; n++) { /* every prefix, the delimiter excluded */
        uint8_t *chunk = malloc(n > 0 ? n : 1);
        if (chunk == NULL) {
            abort();
        }
        memcpy(chunk, out, n);
        CHECK_EQ(dw_frame_decode(chunk, n, scratch, &f) == DW_OK, n == need - 1);
        free(chunk);
        g_runs++;
    }
    CHECK_EQ(f.hdr.seq, 0x1234);
    CHECK(memcmp(f.payload, payload, sizeof(payload)) == 0);
}

void run_fault_stream_tests(void)
{
    RUN(torn_unlock_opens_nothing_and_spends_nothing);
    RUN(torn_set_config_changes_no_config);
    RUN(torn_provision_key_stores_no_part_of_a_key);
    RUN(torn_unlock_joined_to_the_next_frame_is_refused);
    RUN(torn_answer_fails_cleanly_and_the_link_recovers);
    RUN(torn_store_reads_at_boot_leave_no_part_of_a_key);
    RUN(torn_store_writes_are_refused_and_change_nothing);
    RUN(codec_refuses_short_buffers_and_torn_input);
    printf("fault streams: %d runs, each failing after N bytes\n", g_runs);
}
