/* Fault injection at every boundary (nanopb's tests/io_errors idea): a failing callback must
 * make the call return false, keep the first error message, and never leave the door open. */
#include "harness.h"
#include "tests.h"

static fake_t F;
static dw_core_t C;
static const dw_identity_t ID = {{9, 9, 9, 9, 9, 9, 9, 9}, 0x3F};

static void boot_provisioned(void)
{
    fake_reset(&F);
    memset(F.key, 0x33, sizeof(F.key));
    F.key_stored = true;
    memset(F.nonces[0], 0x44, DW_NONCE_LEN);
    memset(F.nonces[1], 0x55, DW_NONCE_LEN);
    F.n_nonces = 2;
    CHECK(dw_init(&C, fake_io(&F), &ID));
}

static const uint8_t HOST_NONCE[DW_NONCE_LEN] = {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                                 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};

/* HELLO, then a CHALLENGE: the session as the host knows it, and the live challenge. */
static void open_session(host_session_t *hs, uint8_t challenge[DW_CHALLENGE_LEN])
{
    uint8_t scratch[DW_MAX_FRAME];
    dw_frame_t r;
    wire_t w = host_frame(DW_T_COMMAND, 1, DW_CMD_HELLO, HOST_NONCE, sizeof(HOST_NONCE));
    CHECK(dw_rx(&C, w.buf, w.len));
    memset(hs->key, 0x33, sizeof(hs->key));
    memcpy(hs->mcu_nonce, F.nonces[0], DW_NONCE_LEN);
    memcpy(hs->host_nonce, HOST_NONCE, DW_NONCE_LEN);
    host_session_derive(hs);
    F.out_len = 0;
    w = host_frame(DW_T_COMMAND, 2, DW_CMD_CHALLENGE, NULL, 0);
    CHECK(dw_rx(&C, w.buf, w.len));
    CHECK(find_frame(&F, DW_T_RESPONSE, 0, &r, scratch));
    memcpy(challenge, r.payload, DW_CHALLENGE_LEN);
}

TEST(missing_callback_is_refused)
{
    dw_io_t io = *fake_io(&F);
    io.random = NULL;
    CHECK(!dw_init(&C, &io, &ID));
    CHECK(dw_error(&C) != NULL);
    CHECK(!dw_tick(&C));
    CHECK(!dw_rx(&C, (const uint8_t *)"\x01", 1));
}

TEST(write_failure_is_reported_and_first_error_kept)
{
    wire_t w = host_frame(DW_T_COMMAND, 1, DW_CMD_STATUS, NULL, 0);
    boot_provisioned();
    CHECK(dw_error(&C) == NULL);
    F.fail_write = true;
    CHECK(!dw_rx(&C, w.buf, w.len));
    CHECK(dw_error(&C) != NULL && strcmp(dw_error(&C), "serial write failed") == 0);
    F.fail_write = false;
    F.fail_relay = true;
    F.inputs = DW_IN_EXIT_BUTTON;
    F.now += 10;
    CHECK(!dw_tick(&C));
    CHECK(strcmp(dw_error(&C), "serial write failed") == 0); /* first error kept */
    CHECK(F.logs >= 2);
}

/* A provisioned board in session, sent a genuine UNLOCK while its relay driver refuses to move.
 * Returns the UNLOCK's bytes; the board's output since sending it is in F.out. */
static wire_t unlock_with_failing_relay(void)
{
    uint8_t body[2] = {0xE8, 0x03};
    uint8_t challenge[DW_CHALLENGE_LEN];
    host_session_t hs;
    wire_t w;
    boot_provisioned();
    open_session(&hs, challenge);
    F.fail_relay = true;
    F.out_len = 0;
    w = host_signed(3, DW_CMD_UNLOCK, body, 2, 1, &hs, challenge);
    CHECK(!dw_rx(&C, w.buf, w.len));
    return w;
}

TEST(relay_failure_never_reports_released)
{
    uint8_t scratch[DW_MAX_FRAME];
    dw_frame_t r;
    (void)unlock_with_failing_relay();
    CHECK(strcmp(dw_error(&C), "relay drive failed") == 0);
    CHECK(!C.relay);
    /* "done" would have the panel log a door opened that never did: a signed refusal instead */
    CHECK(!find_frame(&F, DW_T_RESPONSE, 0, &r, scratch));
    CHECK(find_frame(&F, DW_T_NAK, 0, &r, scratch));
    CHECK_EQ(r.payload[0], DW_R_RELAY_FAILURE);
    CHECK(r.hdr.flags & DW_FLAG_AUTH);
    CHECK(!C.pulse_active);
}

/* The failed UNLOCK leaves nothing behind: a driver that recovers later does not open the door
 * by itself, and the same bytes retried get the same refusal, not a second try at the relay. */
TEST(relay_failure_leaves_no_pending_release)
{
    uint8_t scratch[DW_MAX_FRAME];
    dw_frame_t r;
    wire_t w = unlock_with_failing_relay();
    int calls;
    F.fail_relay = false;
    calls = F.relay_calls;
    F.out_len = 0;
    CHECK(dw_rx(&C, w.buf, w.len)); /* the host's retry of identical bytes */
    CHECK(find_frame(&F, DW_T_NAK, 0, &r, scratch));
    CHECK_EQ(r.payload[0], DW_R_RELAY_FAILURE);
    CHECK_EQ(F.relay_calls, calls);
    for (int i = 0; i < 30; i++) {
        F.now += 100;
        CHECK(dw_tick(&C)); /* nothing left to fail: the driver works again */
    }
    CHECK(!F.relay);
    CHECK_EQ(F.releases, 0);
}

TEST(random_failure_opens_no_session)
{
    uint8_t scratch[DW_MAX_FRAME];
    dw_frame_t r;
    wire_t w = host_frame(DW_T_COMMAND, 1, DW_CMD_HELLO, HOST_NONCE, sizeof(HOST_NONCE));
    boot_provisioned();
    F.fail_random = true;
    F.out_len = 0;
    CHECK(dw_rx(&C, w.buf, w.len));
    CHECK(find_frame(&F, DW_T_NAK, 0, &r, scratch));
    CHECK_EQ(r.payload[0], DW_R_RNG_FAILURE);
    CHECK(!C.session_open);
    CHECK(strcmp(dw_error(&C), "random source failed") == 0);
}

TEST(random_failure_gives_no_challenge)
{
    uint8_t scratch[DW_MAX_FRAME];
    uint8_t challenge[DW_CHALLENGE_LEN];
    uint8_t body[2] = {0xE8, 0x03};
    host_session_t hs;
    dw_frame_t r;
    wire_t w;
    boot_provisioned();
    open_session(&hs, challenge);
    F.fail_random = true;
    F.out_len = 0;
    w = host_frame(DW_T_COMMAND, 3, DW_CMD_CHALLENGE, NULL, 0);
    CHECK(dw_rx(&C, w.buf, w.len));
    CHECK(find_frame(&F, DW_T_NAK, 0, &r, scratch));
    CHECK_EQ(r.payload[0], DW_R_RNG_FAILURE);
    CHECK(!C.challenge_live);
    /* the failed draw also killed the challenge before it: nothing signed over it is accepted */
    F.out_len = 0;
    w = host_signed(4, DW_CMD_UNLOCK, body, 2, 1, &hs, challenge);
    CHECK(dw_rx(&C, w.buf, w.len));
    CHECK(find_frame(&F, DW_T_NAK, 0, &r, scratch));
    CHECK_EQ(r.payload[0], DW_R_STALE_CHALLENGE);
    CHECK(!F.relay);
    CHECK(strcmp(dw_error(&C), "random source failed") == 0);
}

TEST(storage_read_failure_means_unprovisioned_defaults)
{
    fake_reset(&F);
    memset(F.cfg, 0xFF, sizeof(F.cfg)); /* corrupt config in flash */
    F.cfg_stored = true;
    CHECK(dw_init(&C, fake_io(&F), &ID));
    CHECK(!C.provisioned);
    CHECK_EQ(C.cfg.max_pulse_ms, 5000);
    CHECK_EQ(C.cfg.fail_mode, DW_FAIL_SECURE);
}

void run_io_error_tests(void)
{
    RUN(missing_callback_is_refused);
    RUN(write_failure_is_reported_and_first_error_kept);
    RUN(relay_failure_never_reports_released);
    RUN(relay_failure_leaves_no_pending_release);
    RUN(random_failure_opens_no_session);
    RUN(random_failure_gives_no_challenge);
    RUN(storage_read_failure_means_unprovisioned_defaults);
}
