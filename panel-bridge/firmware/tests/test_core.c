/* Behaviour of the controller core: every command, every refusal, and the local safety rules. */
#include "harness.h"
#include "tests.h"

static const uint8_t KEY[DW_KEY_LEN] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                                        0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                        0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

typedef struct {
    fake_t f;
    dw_core_t c;
    uint16_t seq;
    host_session_t hs; /* the honest host's view of the session */
    bool keyed;        /* the last HELLO answer was signed and verified */
    uint8_t next_host_nonce;
    uint8_t challenge[DW_CHALLENGE_LEN];
    uint8_t scratch[DW_MAX_FRAME];
    dw_frame_t last;
} rig_t;

static rig_t R; /* static: the fake's output buffer is too big for a comfortable stack */

static void boot(bool provisioned, uint8_t inputs, uint32_t at)
{
    dw_identity_t id = {{1, 2, 3, 4, 5, 6, 7, 8}, 0x3F};
    fake_reset(&R.f);
    if (provisioned) {
        memcpy(R.f.key, KEY, sizeof(KEY));
        R.f.key_stored = true;
    }
    R.f.auto_random = true;
    R.f.now = at;
    R.f.inputs = inputs;
    R.seq = 100;
    R.keyed = false;
    memcpy(R.hs.key, KEY, sizeof(KEY));
    CHECK(dw_init(&R.c, fake_io(&R.f), &id));
}

static void advance(uint32_t ms)
{
    R.f.now += ms;
    CHECK(dw_tick(&R.c));
}

static void deliver(const wire_t *w)
{
    fake_clear_out(&R.f);
    CHECK(dw_rx(&R.c, w->buf, w->len));
}

static uint16_t wire_crc(const wire_t *w)
{
    uint8_t scratch[DW_MAX_FRAME];
    dw_frame_t f;
    CHECK_EQ(dw_frame_decode(w->buf, w->len - 1, scratch, &f), DW_OK);
    return f.crc;
}

/* Sends a frame and returns the controller's answer to it (RESPONSE, NAK or HEARTBEAT). In a
 * keyed session every answer must carry a tag that verifies for exactly this request. */
static const dw_frame_t *exchange(const wire_t *w)
{
    uint32_t counter = 0;
    deliver(w);
    if (find_frame(&R.f, DW_T_RESPONSE, 0, &R.last, R.scratch) || find_frame(&R.f, DW_T_NAK, 0, &R.last, R.scratch) ||
        find_frame(&R.f, DW_T_HEARTBEAT, 0, &R.last, R.scratch)) {
        if (R.keyed && R.c.session_open) {
            CHECK(host_verify(&R.hs, &R.last, wire_crc(w), &counter));
        }
        return &R.last;
    }
    memset(&R.last, 0, sizeof(R.last));
    return &R.last;
}

static const dw_frame_t *command(uint8_t cmd, const uint8_t *body, size_t len)
{
    wire_t w = host_frame(DW_T_COMMAND, ++R.seq, cmd, body, len);
    return exchange(&w);
}

/* Asks for a challenge; R.challenge holds it when the answer was a RESPONSE. */
static const dw_frame_t *challenge(void)
{
    const dw_frame_t *r = command(DW_CMD_CHALLENGE, NULL, 0);
    if (r->hdr.type == DW_T_RESPONSE) {
        CHECK_EQ(body_len(r), DW_CHALLENGE_RSP_LEN);
        CHECK_EQ(dw_get_u16(&r->payload[DW_CHALLENGE_LEN]), DW_CHALLENGE_MS);
        memcpy(R.challenge, r->payload, DW_CHALLENGE_LEN);
    }
    return r;
}

/* A command signed over the given challenge, as an attacker with a captured or stale one would. */
static wire_t signed_over(uint8_t cmd, const uint8_t *body, size_t len, uint32_t counter, const uint8_t ch[DW_CHALLENGE_LEN])
{
    return host_signed(++R.seq, cmd, body, len, counter, &R.hs, ch);
}

/* What the honest host does: a fresh challenge, then the command signed over it. */
static const dw_frame_t *signed_cmd(uint8_t cmd, const uint8_t *body, size_t len, uint32_t counter)
{
    wire_t w;
    (void)challenge();
    w = signed_over(cmd, body, len, counter, R.challenge);
    return exchange(&w);
}

static void hello(void)
{
    const dw_frame_t *r;
    uint32_t counter = 0;
    wire_t w;
    memset(R.hs.host_nonce, 0x61 + R.next_host_nonce++, DW_NONCE_LEN);
    w = host_frame(DW_T_COMMAND, ++R.seq, DW_CMD_HELLO, R.hs.host_nonce, DW_NONCE_LEN);
    R.keyed = false;
    r = exchange(&w);
    CHECK_EQ(r->hdr.type, DW_T_RESPONSE);
    CHECK_EQ(body_len(r), DW_HELLO_LEN);
    memcpy(R.hs.mcu_nonce, &r->payload[14], DW_NONCE_LEN);
    host_session_derive(&R.hs);
    R.keyed = (r->hdr.flags & DW_FLAG_AUTH) != 0;
    if (R.keyed) {
        CHECK(host_verify(&R.hs, r, wire_crc(&w), &counter));
        CHECK_EQ(counter, 1); /* the HELLO answer is answer 1 of the session */
    }
}

static const dw_frame_t *unlock(uint16_t pulse, uint32_t counter)
{
    uint8_t body[2];
    dw_put_u16(body, pulse);
    return signed_cmd(DW_CMD_UNLOCK, body, 2, counter);
}

static uint8_t nak_reason(const dw_frame_t *r)
{
    return r->hdr.type == DW_T_NAK && body_len(r) == 1 ? r->payload[0] : 0xFF;
}

/* ACKs whatever event is in flight until the queue is empty; returns how many there were. */
static int ack_events(void)
{
    int n = 0;
    while (R.c.ev_in_flight && n < 32) {
        wire_t a = host_frame(DW_T_ACK, R.c.evq[R.c.ev_head].seq, R.c.evq[R.c.ev_head].id, NULL, 0);
        deliver(&a);
        n++;
    }
    return n;
}

/* True when an event with this id (and first detail byte, if detail >= 0) is queued or in flight. */
static bool event_pending(uint8_t id, int detail)
{
    for (uint8_t i = 0; i < R.c.ev_count; i++) {
        const dw_event_entry_t *e = &R.c.evq[(R.c.ev_head + i) % DW_EVENT_QUEUE];
        if (e->id == id && (detail < 0 || (e->len > 4 && e->payload[4] == detail))) {
            return true;
        }
    }
    return false;
}

static uint16_t status_u16(size_t off)
{
    const dw_frame_t *r = command(DW_CMD_STATUS, NULL, 0);
    CHECK_EQ(body_len(r), DW_STATUS_LEN);
    return dw_get_u16(&r->payload[off]);
}

/* ---- tests ---- */

TEST(boot_is_locked_and_reports)
{
    boot(true, 0, 5);
    CHECK(!R.f.relay);
    CHECK_EQ(R.f.relay_calls, 1); /* driven locked explicitly at boot */
    CHECK(event_pending(DW_EV_BOOT, DW_FW_MAJOR));
    CHECK(R.c.ev_in_flight);
    CHECK_EQ(dw_state(&R.c), DW_S_PROVISIONED);
}

TEST(hello_gives_fresh_nonce_each_session)
{
    uint8_t first[DW_NONCE_LEN];
    const dw_frame_t *r;
    boot(true, 0, 0);
    hello();
    memcpy(first, R.hs.mcu_nonce, sizeof(first));
    CHECK(R.keyed);
    CHECK_EQ(R.last.payload[0], DW_PROTO_VERSION);
    CHECK_EQ(R.last.payload[4], 1);
    CHECK_EQ(dw_get_u16(&R.last.payload[12]), 0x3F);
    CHECK_EQ(R.last.payload[30], DW_S_PROVISIONED | DW_S_SESSION);
    {
        host_session_t old = R.hs;
        wire_t w;
        hello();
        CHECK(memcmp(first, R.hs.mcu_nonce, sizeof(first)) != 0);
        CHECK(memcmp(old.mcu_key, R.hs.mcu_key, sizeof(old.mcu_key)) != 0);
        /* the old session's nonces no longer authenticate, even over a live challenge */
        CHECK_EQ(challenge()->hdr.type, DW_T_RESPONSE);
        w = host_signed(++R.seq, DW_CMD_UNLOCK, (const uint8_t *)"\xe8\x03", 2, 1, &old, R.challenge);
        r = exchange(&w);
        CHECK_EQ(nak_reason(r), DW_R_BAD_TAG);
        CHECK(!R.f.relay);
    }
}

TEST(unlock_pulses_and_relocks_by_itself)
{
    const dw_frame_t *r;
    boot(true, 0, 0);
    hello();
    r = unlock(1500, 1);
    CHECK_EQ(r->hdr.type, DW_T_RESPONSE);
    CHECK_EQ(dw_get_u16(r->payload), 1500);
    CHECK(R.f.relay);
    advance(1499);
    CHECK(R.f.relay);
    advance(1);
    CHECK(!R.f.relay);
    CHECK(event_pending(DW_EV_RELAY, 0));
    CHECK_EQ(R.f.releases, 1);
}

TEST(retried_unlock_pulses_once)
{
    uint8_t body[2];
    wire_t w;
    uint8_t first[DW_MAX_WIRE];
    size_t first_len;
    boot(true, 0, 0);
    hello();
    dw_put_u16(body, 2000);
    CHECK_EQ(challenge()->hdr.type, DW_T_RESPONSE);
    w = signed_over(DW_CMD_UNLOCK, body, 2, 1, R.challenge);
    deliver(&w);
    memcpy(first, R.f.out, R.f.out_len);
    first_len = R.f.out_len;
    advance(1000);
    ack_events();
    deliver(&w); /* the host did not see our answer and retries the identical bytes */
    CHECK(R.f.out_len > 0);
    CHECK(find_frame(&R.f, DW_T_RESPONSE, 0, &R.last, R.scratch));
    CHECK(memcmp(R.f.out, first, R.f.out_len < first_len ? R.f.out_len : first_len) == 0);
    CHECK_EQ(R.f.releases, 1);
    /* the retry did not restart the pulse: it still ends 2000 ms after the first */
    advance(1000);
    CHECK(!R.f.relay);
    CHECK_EQ(R.c.last_counter, 1);
}

TEST(unlock_refusals_keep_door_locked_and_count)
{
    uint8_t body[2] = {0xE8, 0x03};
    uint8_t other_key[DW_KEY_LEN];
    wire_t w;
    boot(true, 0, 0);

    /* no session yet */
    w = signed_over(DW_CMD_UNLOCK, body, 2, 1, R.challenge);
    CHECK_EQ(nak_reason(exchange(&w)), DW_R_NO_SESSION);
    hello();
    /* unsigned UNLOCK */
    CHECK_EQ(nak_reason(command(DW_CMD_UNLOCK, body, 2)), DW_R_AUTH_REQUIRED);
    /* AUTH flag but too short for an auth block */
    {
        uint8_t p[10] = {0};
        dw_header_t h = {DW_PROTO_VERSION, DW_T_COMMAND, DW_FLAG_AUTH, ++R.seq, DW_CMD_UNLOCK, 10};
        CHECK(dw_frame_encode(&h, p, sizeof(p), w.buf, sizeof(w.buf), &w.len));
        CHECK_EQ(nak_reason(exchange(&w)), DW_R_BAD_PAYLOAD);
    }
    /* wrong body length under a valid tag */
    CHECK_EQ(nak_reason(signed_cmd(DW_CMD_UNLOCK, body, 1, 1)), DW_R_BAD_PAYLOAD);
    /* forged: signed with another key */
    memset(other_key, 0x5A, sizeof(other_key));
    {
        host_session_t forger = R.hs;
        memcpy(forger.key, other_key, sizeof(other_key));
        CHECK_EQ(challenge()->hdr.type, DW_T_RESPONSE);
        w = host_signed(++R.seq, DW_CMD_UNLOCK, body, 2, 1, &forger, R.challenge);
        CHECK_EQ(nak_reason(exchange(&w)), DW_R_BAD_TAG);
    }
    /* pulse bounds */
    CHECK_EQ(nak_reason(unlock(0, 1)), DW_R_OUT_OF_RANGE);
    CHECK_EQ(nak_reason(unlock(5001, 2)), DW_R_OUT_OF_RANGE);
    /* counters consumed by the refused commands above cannot be reused */
    CHECK_EQ(nak_reason(unlock(1000, 2)), DW_R_STALE_COUNTER);
    CHECK(!R.f.relay);
    CHECK_EQ(R.f.releases, 0);
    CHECK_EQ(status_u16(14), 1); /* bad_tag */
    CHECK_EQ(status_u16(16), 1); /* stale_counter */
    CHECK_EQ(status_u16(18), 1); /* no_session */
    CHECK_EQ(status_u16(20), 5); /* auth required, 2 bad payload, 2 out of range */
    /* a valid one still works afterwards */
    CHECK_EQ(unlock(1000, 3)->hdr.type, DW_T_RESPONSE);
    CHECK(R.f.relay);
}

TEST(tampered_bytes_under_tag_are_refused)
{
    uint8_t body[2] = {0xE8, 0x03};
    uint8_t raw[DW_MAX_FRAME];
    size_t raw_len = 0;
    wire_t w;
    boot(true, 0, 0);
    hello();
    CHECK_EQ(challenge()->hdr.type, DW_T_RESPONSE);
    w = signed_over(DW_CMD_UNLOCK, body, 2, 1, R.challenge);
    /* change the pulse to 5000 and fix up the CRC: only the tag can catch it */
    CHECK(dw_cobs_decode(w.buf, w.len - 1, raw, sizeof(raw), &raw_len));
    dw_put_u16(&raw[DW_HEADER_LEN], 5000);
    dw_put_u16(&raw[raw_len - 2], dw_crc16(raw, raw_len - 2));
    CHECK(dw_cobs_encode(raw, raw_len, w.buf, sizeof(w.buf), &w.len));
    w.buf[w.len++] = 0;
    CHECK_EQ(nak_reason(exchange(&w)), DW_R_BAD_TAG);
    CHECK(!R.f.relay);
}

TEST(counter_rollover_requires_new_hello)
{
    boot(true, 0, 0);
    hello();
    CHECK_EQ(unlock(100, 0xFFFFFFFEu)->hdr.type, DW_T_RESPONSE);
    CHECK_EQ(nak_reason(unlock(100, 0xFFFFFFFFu)), DW_R_COUNTER_EXHAUSTED);
    CHECK_EQ(nak_reason(unlock(100, 5)), DW_R_STALE_COUNTER);
    CHECK_EQ(status_u16(16), 2);
    hello();
    CHECK_EQ(unlock(100, 1)->hdr.type, DW_T_RESPONSE);
}

TEST(lock_and_clear_tamper)
{
    uint8_t opt = 0;
    const dw_frame_t *r;
    boot(true, 0, 0);
    hello();
    CHECK_EQ(unlock(4000, 1)->hdr.type, DW_T_RESPONSE);
    CHECK(R.f.relay);
    r = command(DW_CMD_LOCK, &opt, 1); /* locking needs no tag */
    CHECK_EQ(r->hdr.type, DW_T_RESPONSE);
    CHECK(!R.f.relay);
    opt = 0x02;
    CHECK_EQ(nak_reason(command(DW_CMD_LOCK, &opt, 1)), DW_R_BAD_PAYLOAD);
    opt = 0x01;
    CHECK_EQ(nak_reason(command(DW_CMD_LOCK, &opt, 1)), DW_R_AUTH_REQUIRED);
    /* tamper: lockout latches, survives the input clearing, refuses UNLOCK */
    R.f.inputs = DW_IN_TAMPER;
    advance(10);
    CHECK(R.c.lockout);
    CHECK(event_pending(DW_EV_TAMPER, 1));
    CHECK_EQ(nak_reason(signed_cmd(DW_CMD_LOCK, &opt, 1, 2)), DW_R_TAMPER_ACTIVE);
    R.f.inputs = 0;
    advance(10);
    CHECK(R.c.lockout);
    CHECK_EQ(nak_reason(unlock(1000, 3)), DW_R_LOCKED_OUT);
    CHECK(!R.f.relay);
    r = signed_cmd(DW_CMD_LOCK, &opt, 1, 4);
    CHECK_EQ(r->hdr.type, DW_T_RESPONSE);
    CHECK(!(r->payload[0] & DW_S_LOCKOUT));
    CHECK_EQ(unlock(1000, 5)->hdr.type, DW_T_RESPONSE);
}

TEST(tamper_cancels_pulse_and_local_button_clears)
{
    boot(true, 0, 0);
    hello();
    CHECK_EQ(unlock(3000, 1)->hdr.type, DW_T_RESPONSE);
    R.f.inputs = DW_IN_TAMPER;
    advance(10);
    CHECK(!R.f.relay);
    CHECK(event_pending(DW_EV_RELAY, 0));
    /* the set-up button does nothing while the tamper switch is still open */
    R.f.inputs = DW_IN_TAMPER | DW_IN_SETUP_BUTTON;
    advance(10);
    CHECK(R.c.lockout);
    R.f.inputs = 0;
    advance(10);
    R.f.inputs = DW_IN_SETUP_BUTTON;
    advance(10);
    CHECK(!R.c.lockout);
    CHECK(!R.c.setup_mode); /* a runtime press never enters set-up mode */
}

TEST(tamper_open_at_boot_latches)
{
    boot(true, DW_IN_TAMPER, 0);
    CHECK(R.c.lockout);
    hello();
    CHECK_EQ(nak_reason(unlock(1000, 1)), DW_R_LOCKED_OUT);
}

TEST(set_config_validates_stores_applies)
{
    uint8_t cfg[DW_CONFIG_LEN];
    dw_config_t good = {2000, DW_FAIL_SAFE, 3000, 4000};
    dw_config_t bad[] = {{99, 0, 3000, 4000},     {30001, 0, 3000, 4000}, {2000, 2, 3000, 4000},
                         {2000, 0, 999, 4000},    {2000, 0, 600001, 4000}, {2000, 0, 3000, 999},
                         {2000, 0, 3000, 3600001}};
    uint32_t counter = 1;
    boot(true, 0, 0);
    hello();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        dw_config_pack(&bad[i], cfg);
        CHECK_EQ(nak_reason(signed_cmd(DW_CMD_SET_CONFIG, cfg, sizeof(cfg), counter++)), DW_R_OUT_OF_RANGE);
    }
    dw_config_pack(&good, cfg);
    CHECK_EQ(nak_reason(command(DW_CMD_SET_CONFIG, cfg, sizeof(cfg))), DW_R_AUTH_REQUIRED);
    R.f.fail_store_write = true;
    CHECK_EQ(nak_reason(signed_cmd(DW_CMD_SET_CONFIG, cfg, sizeof(cfg), counter++)), DW_R_STORAGE_FAILURE);
    CHECK_EQ(R.c.cfg.max_pulse_ms, 5000);
    R.f.fail_store_write = false;
    CHECK_EQ(signed_cmd(DW_CMD_SET_CONFIG, cfg, sizeof(cfg), counter++)->hdr.type, DW_T_RESPONSE);
    CHECK(bytes_eq_hex(R.last.payload, DW_CONFIG_LEN, "d00701b80b0000a00f0000", "config echo"));
    CHECK(R.f.cfg_stored);
    CHECK_EQ(nak_reason(unlock(2001, counter++)), DW_R_OUT_OF_RANGE);
    CHECK_EQ(unlock(2000, counter++)->hdr.type, DW_T_RESPONSE);
    /* persisted: a reboot with the same storage comes up with it */
    {
        dw_identity_t id = {{1, 2, 3, 4, 5, 6, 7, 8}, 0x3F};
        CHECK(dw_init(&R.c, fake_io(&R.f), &id));
        CHECK_EQ(R.c.cfg.max_pulse_ms, 2000);
        CHECK_EQ(R.c.cfg.fail_mode, DW_FAIL_SAFE);
    }
}

TEST(provisioning_only_in_setup_mode)
{
    uint8_t zero[DW_KEY_LEN] = {0};
    const dw_frame_t *r;
    boot(false, DW_IN_SETUP_BUTTON, 0);
    CHECK(R.c.setup_mode);
    hello();
    CHECK_EQ(R.last.payload[30], DW_S_SETUP | DW_S_SESSION);
    /* no key: signed commands are refused whatever the tag */
    CHECK_EQ(nak_reason(unlock(1000, 1)), DW_R_NOT_PROVISIONED);
    CHECK_EQ(nak_reason(command(DW_CMD_PROVISION_KEY, zero, sizeof(zero))), DW_R_OUT_OF_RANGE);
    R.f.fail_store_write = true;
    CHECK_EQ(nak_reason(command(DW_CMD_PROVISION_KEY, KEY, sizeof(KEY))), DW_R_STORAGE_FAILURE);
    CHECK(!R.c.provisioned);
    R.f.fail_store_write = false;
    r = command(DW_CMD_PROVISION_KEY, KEY, sizeof(KEY));
    CHECK_EQ(r->hdr.type, DW_T_RESPONSE);
    CHECK_EQ(r->payload[0], DW_S_PROVISIONED);
    CHECK(R.f.key_stored && memcmp(R.f.key, KEY, sizeof(KEY)) == 0);
    CHECK_EQ(nak_reason(command(DW_CMD_PROVISION_KEY, KEY, sizeof(KEY))), DW_R_NOT_IN_SETUP_MODE);
    hello();
    CHECK_EQ(unlock(1000, 1)->hdr.type, DW_T_RESPONSE);
}

TEST(setup_mode_ends_by_itself)
{
    boot(false, DW_IN_SETUP_BUTTON, 0);
    R.f.inputs = 0;
    for (int i = 0; i < 119; i++) {
        /* keep the link alive so only the set-up timer matters */
        wire_t hb = host_frame(DW_T_HEARTBEAT, ++R.seq, DW_CMD_HEARTBEAT, NULL, 0);
        deliver(&hb);
        advance(1000);
    }
    CHECK(R.c.setup_mode);
    advance(1000);
    CHECK(!R.c.setup_mode);
    hello();
    CHECK_EQ(nak_reason(command(DW_CMD_PROVISION_KEY, KEY, sizeof(KEY))), DW_R_NOT_IN_SETUP_MODE);
    CHECK(!R.c.provisioned);
}

TEST(unprovisioned_never_unlocks_on_command)
{
    uint8_t body[2] = {0xE8, 0x03};
    boot(false, 0, 0);
    hello();
    CHECK_EQ(nak_reason(command(DW_CMD_UNLOCK, body, 2)), DW_R_AUTH_REQUIRED);
    CHECK_EQ(nak_reason(unlock(1000, 1)), DW_R_NOT_PROVISIONED);
    CHECK_EQ(nak_reason(command(DW_CMD_PROVISION_KEY, KEY, sizeof(KEY))), DW_R_NOT_IN_SETUP_MODE);
    CHECK_EQ(R.f.releases, 0);
}

TEST(watchdog_fail_secure)
{
    boot(true, 0, 0);
    hello();
    CHECK_EQ(unlock(5000, 1)->hdr.type, DW_T_RESPONSE);
    advance(9999);
    CHECK(!R.c.fail_active);
    advance(1);
    CHECK(R.c.fail_active);
    CHECK(!R.f.relay); /* the pulse still running was cut: fail-secure means locked */
    CHECK(!R.c.session_open);
    CHECK(event_pending(DW_EV_FAULT, DW_FAULT_WATCHDOG));
    /* a late retry of the old session's UNLOCK cannot open the door */
    CHECK_EQ(nak_reason(unlock(1000, 2)), DW_R_NO_SESSION);
    CHECK(R.c.fail_active); /* only HELLO leaves the fail state */
    hello();
    CHECK_EQ(R.last.payload[31], 1);
    CHECK(!R.c.fail_active);
    hello();
    CHECK_EQ(R.last.payload[31], 0); /* reported once */
}

TEST(watchdog_fail_safe_releases_then_hello_relocks)
{
    uint8_t cfg[DW_CONFIG_LEN];
    dw_config_t safe = {5000, DW_FAIL_SAFE, 2000, 30000};
    boot(true, 0, 0);
    hello();
    dw_config_pack(&safe, cfg);
    CHECK_EQ(signed_cmd(DW_CMD_SET_CONFIG, cfg, sizeof(cfg), 1)->hdr.type, DW_T_RESPONSE);
    advance(2000);
    CHECK(R.f.relay);
    CHECK(R.c.fail_active);
    /* a LOCK does not end a fail-safe release; HELLO does */
    {
        uint8_t opt = 0;
        CHECK_EQ(command(DW_CMD_LOCK, &opt, 1)->hdr.type, DW_T_RESPONSE);
        CHECK(R.f.relay);
    }
    hello();
    CHECK_EQ(R.last.payload[31], 2);
    CHECK(!R.f.relay);
}

TEST(heartbeat_keeps_link_and_reports_state)
{
    boot(true, 0, 0);
    hello();
    for (int i = 0; i < 30; i++) {
        wire_t hb = host_frame(DW_T_HEARTBEAT, ++R.seq, DW_CMD_HEARTBEAT, NULL, 0);
        const dw_frame_t *r = exchange(&hb);
        CHECK_EQ(r->hdr.type, DW_T_HEARTBEAT);
        CHECK_EQ(r->hdr.seq, R.seq);
        CHECK_EQ(r->payload[0], DW_S_PROVISIONED | DW_S_SESSION);
        advance(1000);
    }
    CHECK(!R.c.fail_active);
    {
        wire_t bad = host_frame(DW_T_HEARTBEAT, ++R.seq, DW_CMD_STATUS, NULL, 0);
        CHECK_EQ(nak_reason(exchange(&bad)), DW_R_UNKNOWN_COMMAND);
    }
}

TEST(exit_button_needs_no_host)
{
    /* unprovisioned, no session, link dead (fail state), tamper lockout: egress still works */
    boot(false, DW_IN_TAMPER, 0);
    R.f.inputs = 0;
    advance(20000);
    CHECK(R.c.fail_active);
    CHECK(R.c.lockout);
    R.f.inputs = DW_IN_EXIT_BUTTON;
    advance(10);
    CHECK(R.f.relay);
    CHECK(event_pending(DW_EV_EXIT_BUTTON, -1));
    R.f.inputs = 0;
    advance(4999);
    CHECK(R.f.relay);
    advance(1);
    CHECK(!R.f.relay);
}

TEST(forced_door_and_held_open)
{
    boot(true, 0, 0);
    hello();
    R.f.inputs = DW_IN_DOOR_OPEN;
    advance(10);
    CHECK(event_pending(DW_EV_DOOR, 1));
    CHECK(event_pending(DW_EV_FAULT, DW_FAULT_FORCED_DOOR));
    ack_events();
    /* held open: reported once per opening */
    for (int i = 0; i < 29; i++) {
        wire_t hb = host_frame(DW_T_HEARTBEAT, ++R.seq, DW_CMD_HEARTBEAT, NULL, 0);
        deliver(&hb);
        advance(1000);
    }
    CHECK(!event_pending(DW_EV_FAULT, DW_FAULT_HELD_OPEN));
    advance(1000);
    CHECK(event_pending(DW_EV_FAULT, DW_FAULT_HELD_OPEN));
    ack_events();
    advance(5000);
    CHECK(!event_pending(DW_EV_FAULT, DW_FAULT_HELD_OPEN));
    R.f.inputs = 0;
    advance(10);
    CHECK(event_pending(DW_EV_DOOR, 0));
    ack_events();
    /* an authorised opening is not forced */
    hello();
    CHECK_EQ(unlock(3000, 1)->hdr.type, DW_T_RESPONSE);
    ack_events();
    R.f.inputs = DW_IN_DOOR_OPEN;
    advance(10);
    CHECK(event_pending(DW_EV_DOOR, 1));
    CHECK(!event_pending(DW_EV_FAULT, DW_FAULT_FORCED_DOOR));
}

TEST(events_retry_then_drop_and_queue_bound)
{
    boot(true, 0, 0);
    CHECK_EQ(R.c.ev_tries, 1);
    advance(250);
    CHECK_EQ(R.c.ev_tries, 2);
    advance(250);
    advance(250);
    CHECK_EQ(R.c.ev_tries, 4);
    advance(250);
    CHECK_EQ(R.c.ev_count, 0);
    CHECK_EQ(R.c.counters.events_dropped, 1);
    /* a wrong ACK does not pop the event in flight */
    R.f.inputs = DW_IN_EXIT_BUTTON;
    advance(1);
    {
        wire_t a = host_frame(DW_T_ACK, (uint16_t)(R.c.evq[R.c.ev_head].seq + 1), DW_EV_EXIT_BUTTON, NULL, 0);
        deliver(&a);
        CHECK(R.c.ev_in_flight);
        CHECK_EQ(R.c.ev_count, 2);
    }
    /* flood: door toggles far faster than the host ACKs */
    for (int i = 0; i < 20; i++) {
        R.f.inputs = (i % 2) ? 0 : DW_IN_DOOR_OPEN;
        advance(1);
    }
    CHECK_EQ(R.c.ev_count, DW_EVENT_QUEUE);
    CHECK(R.c.counters.events_dropped > 1);
}

TEST(stream_resync_and_byte_at_a_time)
{
    uint8_t junk[300];
    wire_t w;
    const uint8_t zero = 0;
    boot(true, 0, 0);
    memset(junk, 0x41, sizeof(junk));
    fake_clear_out(&R.f);
    CHECK(dw_rx(&R.c, junk, sizeof(junk))); /* longer than any frame: discarded to the delimiter */
    CHECK(dw_rx(&R.c, &zero, 1));
    CHECK_EQ(R.c.counters.rx_errors, 1);
    w = host_frame(DW_T_COMMAND, 7, DW_CMD_HELLO, junk, DW_NONCE_LEN);
    for (size_t i = 0; i < w.len; i++) {
        CHECK(dw_rx(&R.c, &w.buf[i], 1));
    }
    CHECK(find_frame(&R.f, DW_T_RESPONSE, 0, &R.last, R.scratch));
    CHECK_EQ(R.last.hdr.seq, 7);
    /* unknown command ids, including HEARTBEAT sent as a COMMAND */
    CHECK_EQ(nak_reason(command(0x7F, NULL, 0)), DW_R_UNKNOWN_COMMAND);
    CHECK_EQ(nak_reason(command(DW_CMD_HEARTBEAT, NULL, 0)), DW_R_UNKNOWN_COMMAND);
    CHECK_EQ(nak_reason(command(DW_CMD_STATUS, junk, 3)), DW_R_BAD_PAYLOAD);
}

TEST(clock_wraparound)
{
    boot(true, 0, 0xFFFFF000u);
    hello();
    CHECK_EQ(unlock(5000, 1)->hdr.type, DW_T_RESPONSE);
    advance(4999); /* crosses 2^32 */
    CHECK(R.f.relay);
    advance(1);
    CHECK(!R.f.relay);
    CHECK(!R.c.fail_active);
}

/* ---- issue #12: the link, hardened ---- */

/* Keeps the session alive the way v1 let anyone do: unsigned heartbeats, every `every` ms,
 * for `total` ms of the MCU's clock. */
static void heartbeats_for(uint64_t total, uint32_t every)
{
    while (total > 0) {
        wire_t hb = host_frame(DW_T_HEARTBEAT, ++R.seq, DW_CMD_HEARTBEAT, NULL, 0);
        uint32_t step = total < every ? (uint32_t)total : every;
        deliver(&hb);
        advance(step);
        total -= step;
    }
}

static void heartbeats_until(uint32_t until, uint32_t every)
{
    heartbeats_for(until - R.f.now, every);
}

/* The review's attack: a signed command captured at t = 10 s and held back on the cable while
 * unsigned heartbeats keep the session open, then let through at t = 8 h. In v1 the UNLOCK
 * released the relay (its counter was still above the last); now its challenge is long dead. */
TEST(withheld_signed_commands_are_refused_hours_later)
{
    static const uint8_t pulse[2] = {0xE8, 0x03};
    static const uint8_t clear = 0x01;
    uint8_t cfg[DW_CONFIG_LEN];
    dw_config_t wide = {30000, DW_FAIL_SAFE, 600000, 3600000};
    struct {
        uint8_t cmd;
        const uint8_t *body;
        size_t len;
    } held[3] = {{DW_CMD_UNLOCK, pulse, 2}, {DW_CMD_SET_CONFIG, cfg, DW_CONFIG_LEN}, {DW_CMD_LOCK, &clear, 1}};
    dw_config_pack(&wide, cfg);
    for (int i = 0; i < 3; i++) {
        wire_t w;
        boot(true, 0, 0);
        hello();
        heartbeats_until(10000, 5000);
        CHECK_EQ(challenge()->hdr.type, DW_T_RESPONSE);
        w = signed_over(held[i].cmd, held[i].body, held[i].len, 1, R.challenge); /* captured, withheld */
        heartbeats_until(8u * 3600u * 1000u, 5000);
        CHECK(R.c.session_open); /* the session is still the one the command was signed in */
        CHECK_EQ(nak_reason(exchange(&w)), DW_R_STALE_CHALLENGE);
        CHECK(!R.f.relay);
        CHECK_EQ(R.f.releases, 0);
        CHECK_EQ(R.c.cfg.max_pulse_ms, 5000); /* the withheld SET_CONFIG changed nothing */
        CHECK_EQ(R.c.last_counter, 0);
    }
}

/* The same frame released 49.7 days later, when the 32-bit millisecond clock has come round to
 * the minute it was signed in: only expiry by the tick (not by comparing times) stops it. */
TEST(withheld_unlock_is_refused_after_the_clock_wraps)
{
    static const uint8_t pulse[2] = {0xE8, 0x03};
    uint8_t cfg[DW_CONFIG_LEN];
    dw_config_t slow = {5000, DW_FAIL_SECURE, 600000, 30000};
    uint32_t signed_at;
    wire_t w;
    boot(true, 0, 1000);
    hello();
    dw_config_pack(&slow, cfg);
    CHECK_EQ(signed_cmd(DW_CMD_SET_CONFIG, cfg, sizeof(cfg), 1)->hdr.type, DW_T_RESPONSE);
    CHECK_EQ(challenge()->hdr.type, DW_T_RESPONSE);
    signed_at = R.f.now;
    w = signed_over(DW_CMD_UNLOCK, pulse, 2, 2, R.challenge);
    advance(DW_CHALLENGE_MS);
    CHECK(!R.c.challenge_live); /* gone at once, by the clock */
    /* 2^32 ms later, plus one second, by 599 s steps: the times compare as if 1 s had passed */
    heartbeats_for((1ull << 32) + 1000u - DW_CHALLENGE_MS, 599000);
    CHECK_EQ(R.f.now, signed_at + 1000u);
    CHECK(R.c.session_open);
    CHECK_EQ(nak_reason(exchange(&w)), DW_R_STALE_CHALLENGE);
    CHECK(!R.f.relay);
}

/* The tablet believed forged replies: now, in a keyed session, every answer and event carries a
 * tag under K_mcu, counters only go up, an answer is bound to the request it answers, and an
 * event retry is signed afresh. Outside a keyed session nothing is signed. */
TEST(keyed_session_signs_every_frame_the_mcu_writes)
{
    const uint8_t *starts[FAKE_MAX_FRAMES];
    size_t lens[FAKE_MAX_FRAMES];
    uint8_t scratch[DW_MAX_FRAME];
    uint32_t last_answer = 1, last_event = 0, counter = 0, first_try = 0;
    dw_frame_t f;
    wire_t w;
    boot(true, 0, 0);
    /* before HELLO: BOOT and its retries are unsigned */
    CHECK(find_frame(&R.f, DW_T_EVENT, 0, &f, scratch));
    CHECK_EQ(f.hdr.flags, 0);
    hello();
    CHECK(R.keyed);
    for (int i = 0; i < 6; i++) {
        w = host_frame(DW_T_HEARTBEAT, ++R.seq, DW_CMD_HEARTBEAT, NULL, 0);
        deliver(&w);
        for (size_t k = 0, n = fake_frames(&R.f, starts, lens, FAKE_MAX_FRAMES); k < n; k++) {
            CHECK_EQ(dw_frame_decode(starts[k], lens[k] - 1, scratch, &f), DW_OK);
            CHECK(host_verify(&R.hs, &f, wire_crc(&w), &counter));
            if (f.hdr.type == DW_T_EVENT) {
                CHECK(counter > last_event);
                last_event = counter;
            } else {
                CHECK(counter > last_answer);
                last_answer = counter;
                /* the same answer does not verify for any other request */
                CHECK(!host_verify(&R.hs, &f, (uint16_t)(wire_crc(&w) + 1), &counter));
            }
        }
        advance(250); /* the BOOT event is retried: each try a new counter and tag */
        if (find_frame(&R.f, DW_T_EVENT, 0, &f, scratch)) {
            CHECK(host_verify(&R.hs, &f, 0, &counter));
            CHECK(counter > last_event);
            first_try = first_try == 0 ? counter : first_try;
            last_event = counter;
        }
    }
    CHECK(first_try > 0 && last_event > first_try);
    /* a NAK and a RESPONSE with cmd/seq of the request, signed */
    CHECK_EQ(nak_reason(command(DW_CMD_STATUS, (const uint8_t *)"x", 1)), DW_R_BAD_PAYLOAD);
    CHECK(R.last.hdr.flags & DW_FLAG_AUTH);
    /* the watchdog closes the session: from then on nothing is signed */
    advance(10000);
    CHECK(!R.c.session_open);
    w = host_frame(DW_T_HEARTBEAT, ++R.seq, DW_CMD_HEARTBEAT, NULL, 0);
    deliver(&w);
    CHECK(find_frame(&R.f, DW_T_HEARTBEAT, 0, &f, scratch));
    CHECK_EQ(f.hdr.flags, 0);
    CHECK_EQ(f.payload[0] & DW_S_SESSION, 0);
}

TEST(challenge_needs_key_and_session_and_is_good_once)
{
    static const uint8_t pulse[2] = {0xE8, 0x03};
    uint8_t first[DW_CHALLENGE_LEN];
    wire_t w, again;
    boot(false, DW_IN_SETUP_BUTTON, 0);
    CHECK_EQ(nak_reason(challenge()), DW_R_NOT_PROVISIONED);
    boot(true, 0, 0);
    CHECK_EQ(nak_reason(challenge()), DW_R_NO_SESSION);
    hello();
    /* no challenge asked for yet */
    w = signed_over(DW_CMD_UNLOCK, pulse, 2, 1, R.challenge);
    CHECK_EQ(nak_reason(exchange(&w)), DW_R_STALE_CHALLENGE);
    /* a retried CHALLENGE gets the same one (cached answer); a new CHALLENGE a new one */
    w = host_frame(DW_T_COMMAND, ++R.seq, DW_CMD_CHALLENGE, NULL, 0);
    CHECK_EQ(exchange(&w)->hdr.type, DW_T_RESPONSE);
    memcpy(first, R.last.payload, DW_CHALLENGE_LEN);
    CHECK_EQ(exchange(&w)->hdr.type, DW_T_RESPONSE);
    CHECK(memcmp(first, R.last.payload, DW_CHALLENGE_LEN) == 0);
    CHECK_EQ(challenge()->hdr.type, DW_T_RESPONSE);
    CHECK(memcmp(first, R.challenge, DW_CHALLENGE_LEN) != 0);
    /* used once: a second command over it, with a fresh counter, finds it spent */
    w = signed_over(DW_CMD_UNLOCK, pulse, 2, 1, R.challenge);
    again = signed_over(DW_CMD_UNLOCK, pulse, 2, 2, R.challenge);
    CHECK_EQ(exchange(&w)->hdr.type, DW_T_RESPONSE);
    CHECK_EQ(nak_reason(exchange(&again)), DW_R_STALE_CHALLENGE);
    CHECK_EQ(R.f.releases, 1);
    /* HELLO ends the challenge with the session */
    CHECK_EQ(challenge()->hdr.type, DW_T_RESPONSE);
    hello();
    CHECK(!R.c.challenge_live);
}

void run_core_tests(void)
{
    RUN(boot_is_locked_and_reports);
    RUN(hello_gives_fresh_nonce_each_session);
    RUN(unlock_pulses_and_relocks_by_itself);
    RUN(retried_unlock_pulses_once);
    RUN(unlock_refusals_keep_door_locked_and_count);
    RUN(tampered_bytes_under_tag_are_refused);
    RUN(counter_rollover_requires_new_hello);
    RUN(lock_and_clear_tamper);
    RUN(tamper_cancels_pulse_and_local_button_clears);
    RUN(tamper_open_at_boot_latches);
    RUN(set_config_validates_stores_applies);
    RUN(provisioning_only_in_setup_mode);
    RUN(setup_mode_ends_by_itself);
    RUN(unprovisioned_never_unlocks_on_command);
    RUN(watchdog_fail_secure);
    RUN(watchdog_fail_safe_releases_then_hello_relocks);
    RUN(heartbeat_keeps_link_and_reports_state);
    RUN(exit_button_needs_no_host);
    RUN(forced_door_and_held_open);
    RUN(events_retry_then_drop_and_queue_bound);
    RUN(stream_resync_and_byte_at_a_time);
    RUN(clock_wraparound);
    RUN(withheld_signed_commands_are_refused_hours_later);
    RUN(withheld_unlock_is_refused_after_the_clock_wraps);
    RUN(keyed_session_signs_every_frame_the_mcu_writes);
    RUN(challenge_needs_key_and_session_and_is_good_once);
}
