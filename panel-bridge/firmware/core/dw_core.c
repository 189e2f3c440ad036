#include "dw_core.h"

#include <string.h>

#include "dw_sha256.h"

static const dw_config_t DEFAULT_CONFIG = {
    .max_pulse_ms = 5000u,
    .fail_mode = DW_FAIL_SECURE,
    .heartbeat_timeout_ms = 10000u,
    .held_open_ms = 30000u,
};

/* First byte of every MAC input (PROTOCOL.md section 2): no tag of one kind verifies as another. */
#define KIND_COMMAND 0x01u
#define KIND_ANSWER 0x02u
#define KIND_EVENT 0x03u
static const uint8_t MCU_KEY_LABEL[7] = {'d', 'w', '2', '-', 'm', 'c', 'u'};

/* ---- small helpers ------------------------------------------------------------------------ */

/* Keeps the first failure's message and logs it; fail() for the callers that return false. */
static void record(dw_core_t *c, const char *msg)
{
    if (c->error == NULL) {
        c->error = msg;
    }
    if (c->io->log != NULL) {
        c->io->log(c->io->ctx, msg);
    }
}

static bool fail(dw_core_t *c, const char *msg)
{
    record(c, msg);
    return false;
}

/* Wrap-safe "now has reached t". */
static bool reached(uint32_t now, uint32_t t)
{
    return (int32_t)(now - t) >= 0;
}

static void bump(uint16_t *counter)
{
    if (*counter != 0xFFFFu) {
        (*counter)++;
    }
}

static uint32_t now_ms(const dw_core_t *c)
{
    return c->io->millis(c->io->ctx);
}

const char *dw_error(const dw_core_t *c)
{
    return c->error;
}

void dw_error_noted(dw_core_t *c, const char *why)
{
    c->last_noted = c->error != NULL ? c->error : "false without a message";
    bump(&c->errors_noted);
    if (c->io != NULL && c->io->log != NULL) {
        c->io->log(c->io->ctx, why);
    }
    c->error = NULL;
}

uint8_t dw_state(const dw_core_t *c)
{
    uint8_t s = 0;
    s |= c->relay ? DW_S_RELAY : 0u;
    s |= (c->inputs & DW_IN_DOOR_OPEN) ? DW_S_DOOR : 0u;
    s |= (c->inputs & DW_IN_TAMPER) ? DW_S_TAMPER : 0u;
    s |= c->lockout ? DW_S_LOCKOUT : 0u;
    s |= c->fail_active ? DW_S_FAIL : 0u;
    s |= c->provisioned ? DW_S_PROVISIONED : 0u;
    s |= c->setup_mode ? DW_S_SETUP : 0u;
    s |= c->session_open ? DW_S_SESSION : 0u;
    return s;
}

bool dw_config_valid(const dw_config_t *cfg)
{
    return cfg->max_pulse_ms >= 100u && cfg->max_pulse_ms <= DW_HARD_MAX_PULSE_MS &&
           (cfg->fail_mode == DW_FAIL_SECURE || cfg->fail_mode == DW_FAIL_SAFE) &&
           cfg->heartbeat_timeout_ms >= 1000u && cfg->heartbeat_timeout_ms <= 600000u &&
           cfg->held_open_ms >= 1000u && cfg->held_open_ms <= 3600000u;
}

void dw_config_pack(const dw_config_t *cfg, uint8_t out[DW_CONFIG_LEN])
{
    dw_put_u16(&out[0], cfg->max_pulse_ms);
    out[2] = cfg->fail_mode;
    dw_put_u32(&out[3], cfg->heartbeat_timeout_ms);
    dw_put_u32(&out[7], cfg->held_open_ms);
}

void dw_config_unpack(const uint8_t in[DW_CONFIG_LEN], dw_config_t *cfg)
{
    cfg->max_pulse_ms = dw_get_u16(&in[0]);
    cfg->fail_mode = in[2];
    cfg->heartbeat_timeout_ms = dw_get_u32(&in[3]);
    cfg->held_open_ms = dw_get_u32(&in[7]);
}

/* ---- session and signing ---------------------------------------------------------------- */

static void drop_challenge(dw_core_t *c)
{
    c->challenge_live = false;
    dw_wipe(c->challenge, sizeof(c->challenge));
}

static void close_session(dw_core_t *c)
{
    c->session_open = false;
    c->cache_valid = false;
    c->last_counter = 0;
    c->tx_counter = 0;
    c->ev_counter = 0;
    drop_challenge(c);
    dw_wipe(c->nonce, sizeof(c->nonce));
    dw_wipe(c->host_nonce, sizeof(c->host_nonce));
    dw_wipe(&c->mcu_mac, sizeof(c->mcu_mac));
}

/* A keyed session: everything we write is signed with K_mcu (PROTOCOL.md 2.2). */
static bool keyed(const dw_core_t *c)
{
    return c->provisioned && c->session_open;
}

/* K_mcu = HMAC(key, "dw2-mcu" || mcu_nonce || host_nonce); kept as a ready HMAC state. */
static void derive_mcu_key(dw_core_t *c)
{
    uint8_t k[DW_SHA256_LEN];
    dw_hmac_t h = c->key_mac;
    dw_hmac_update(&h, MCU_KEY_LABEL, sizeof(MCU_KEY_LABEL));
    dw_hmac_update(&h, c->nonce, DW_NONCE_LEN);
    dw_hmac_update(&h, c->host_nonce, DW_NONCE_LEN);
    dw_hmac_final(&h, k);
    dw_hmac_init(&c->mcu_mac, k, sizeof(k));
    dw_wipe(k, sizeof(k));
    dw_wipe(&h, sizeof(h));
}

static void mcu_tag(const dw_core_t *c, uint8_t kind, uint32_t counter, uint16_t req_crc,
                    const uint8_t hdr[DW_HEADER_LEN], const uint8_t *body, size_t len, uint8_t tag[DW_TAG_LEN])
{
    uint8_t pre[7];
    uint8_t mac[DW_SHA256_LEN];
    size_t n = 5;
    dw_hmac_t h = c->mcu_mac;

    pre[0] = kind;
    dw_put_u32(&pre[1], counter);
    if (kind == KIND_ANSWER) {
        dw_put_u16(&pre[5], req_crc);
        n = 7;
    }
    dw_hmac_update(&h, pre, n);
    dw_hmac_update(&h, hdr, DW_HEADER_LEN);
    dw_hmac_update(&h, body, len);
    dw_hmac_final(&h, mac);
    memcpy(tag, mac, DW_TAG_LEN);
    dw_wipe(mac, sizeof(mac));
    dw_wipe(&h, sizeof(h));
}

/* ---- output ------------------------------------------------------------------------------- */

/* A write that failed may have left the start of a frame on the wire, which the host's receiver
 * would join to the next frame and drop both. So after a failure the next write starts with a
 * 0x00, which ends the torn frame (PROTOCOL.md 1: receivers skip empty chunks). */
static bool write_wire(dw_core_t *c, const uint8_t *buf, size_t len)
{
    static const uint8_t delimiter = 0x00;
    if (c->tx_torn) {
        if (!c->io->write(c->io->ctx, &delimiter, 1)) {
            return fail(c, "serial write failed");
        }
        c->tx_torn = false;
    }
    if (!c->io->write(c->io->ctx, buf, len)) {
        c->tx_torn = true;
        return fail(c, "serial write failed");
    }
    return true;
}

/* Writes one frame; in a keyed session it carries the MCU auth block, from the answer counter
 * (req_crc names the request answered) or the event counter. */
static bool send_frame(dw_core_t *c, uint8_t type, uint16_t seq, uint8_t cmd, const uint8_t *payload,
                       size_t len, uint8_t kind, uint16_t req_crc, uint8_t *out, size_t *out_len)
{
    uint8_t body[DW_MAX_PAYLOAD];
    uint8_t hdr_bytes[DW_HEADER_LEN];
    dw_header_t hdr = {.version = DW_PROTO_VERSION, .type = type, .seq = seq, .cmd = cmd, .length = (uint16_t)len};
    uint32_t *counter = kind == KIND_EVENT ? &c->ev_counter : &c->tx_counter;

    if (len + DW_AUTH_LEN > sizeof(body)) {
        return fail(c, "frame too long to sign");
    }
    if (len > 0) {
        memcpy(body, payload, len);
    }
    if (keyed(c) && *counter >= 0xFFFFFFFEu) {
        close_session(c); /* the host must HELLO again; this frame goes unsigned */
    }
    if (keyed(c)) {
        (*counter)++;
        hdr.flags = DW_FLAG_AUTH;
        hdr.length = (uint16_t)(len + DW_AUTH_LEN);
        dw_header_pack(&hdr, hdr_bytes);
        dw_put_u32(&body[len], *counter);
        mcu_tag(c, kind, *counter, req_crc, hdr_bytes, body, len, &body[len + 4u]);
        len += DW_AUTH_LEN;
    }
    if (!dw_frame_encode(&hdr, body, len, out, DW_MAX_WIRE, out_len)) {
        return fail(c, "frame encode failed");
    }
    return write_wire(c, out, *out_len);
}

/* An answer that is not cached: NAKs for rejected chunks and heartbeat replies. */
static bool send_once(dw_core_t *c, uint8_t type, uint16_t seq, uint8_t cmd, const uint8_t *payload,
                      size_t len, uint16_t req_crc)
{
    uint8_t wire[DW_MAX_WIRE];
    size_t n = 0;
    return send_frame(c, type, seq, cmd, payload, len, KIND_ANSWER, req_crc, wire, &n);
}

/* A frame of another protocol version: refused in that version's framing, never signed, so an
 * older host can read why (PROTOCOL.md 1.3). */
static bool send_version_nak(dw_core_t *c, const dw_frame_t *f)
{
    uint8_t wire[DW_MAX_WIRE];
    size_t n = 0;
    uint8_t p[2] = {DW_R_BAD_VERSION, DW_PROTO_VERSION};
    dw_header_t hdr = {.version = f->hdr.version, .type = DW_T_NAK, .seq = f->hdr.seq, .cmd = f->hdr.cmd};
    if (!dw_frame_encode(&hdr, p, sizeof(p), wire, sizeof(wire), &n)) {
        return fail(c, "frame encode failed");
    }
    return write_wire(c, wire, n);
}

/* Answers a COMMAND and keeps the bytes so a retry of the same request gets them again. */
static bool answer(dw_core_t *c, const dw_frame_t *req, uint8_t type, const uint8_t *payload, size_t len)
{
    c->cache_valid = false;
    if (!send_frame(c, type, req->hdr.seq, req->hdr.cmd, payload, len, KIND_ANSWER, req->crc, c->cache,
                    &c->cache_len)) {
        return false;
    }
    c->cache_valid = true;
    c->cache_seq = req->hdr.seq;
    c->cache_crc = req->crc;
    return true;
}

static bool nak(dw_core_t *c, const dw_frame_t *req, dw_reason_t reason)
{
    uint8_t r = (uint8_t)reason;
    switch (reason) {
    case DW_R_BAD_TAG:
        bump(&c->counters.bad_tag);
        break;
    case DW_R_STALE_COUNTER:
    case DW_R_COUNTER_EXHAUSTED:
    case DW_R_STALE_CHALLENGE:
        bump(&c->counters.stale_counter);
        break;
    case DW_R_NO_SESSION:
        bump(&c->counters.no_session);
        break;
    default:
        bump(&c->counters.other_naks);
        break;
    }
    return answer(c, req, DW_T_NAK, &r, 1);
}

/* ---- events ------------------------------------------------------------------------------- */

static bool raise_event(dw_core_t *c, uint8_t id, const uint8_t *rest, uint8_t rest_len)
{
    dw_event_entry_t *e;
    uint32_t uptime = now_ms(c) - c->boot_ms;

    if (c->ev_count >= DW_EVENT_QUEUE || rest_len > DW_EVENT_MAX_PAYLOAD - 4u) {
        bump(&c->counters.events_dropped);
        return true; /* a full queue is reported in STATUS, it is not a core failure */
    }
    e = &c->evq[(c->ev_head + c->ev_count) % DW_EVENT_QUEUE];
    c->ev_count++;
    c->ev_seq++;
    e->seq = c->ev_seq;
    e->id = id;
    e->len = (uint8_t)(4u + rest_len);
    dw_put_u32(e->payload, uptime);
    if (rest_len > 0) {
        memcpy(&e->payload[4], rest, rest_len);
    }
    return true;
}

static bool send_head_event(dw_core_t *c, uint32_t now)
{
    const dw_event_entry_t *e = &c->evq[c->ev_head];
    c->ev_in_flight = true;
    c->ev_sent_at = now;
    c->ev_tries++;
    {
        uint8_t wire[DW_MAX_WIRE];
        size_t n = 0;
        return send_frame(c, DW_T_EVENT, e->seq, e->id, e->payload, e->len, KIND_EVENT, 0, wire, &n);
    }
}

static void pop_event(dw_core_t *c)
{
    c->ev_head = (uint8_t)((c->ev_head + 1u) % DW_EVENT_QUEUE);
    c->ev_count--;
    c->ev_in_flight = false;
    c->ev_tries = 0;
}

/* One event in flight; identical bytes resent until ACKed or out of tries. */
static bool pump_events(dw_core_t *c)
{
    uint32_t now = now_ms(c);
    if (c->ev_in_flight && reached(now, c->ev_sent_at + DW_EVENT_RETRY_MS)) {
        if (c->ev_tries < DW_EVENT_MAX_TRIES) {
            return send_head_event(c, now);
        }
        bump(&c->counters.events_dropped);
        pop_event(c);
    }
    if (!c->ev_in_flight && c->ev_count > 0) {
        return send_head_event(c, now);
    }
    return true;
}

/* ---- relay -------------------------------------------------------------------------------- */

/* The relay is a function of pulse and fail state; this applies it and reports a change. */
static bool relay_update(dw_core_t *c, dw_relay_cause_t cause)
{
    bool want = c->pulse_active || (c->fail_active && c->cfg.fail_mode == DW_FAIL_SAFE);
    uint8_t ev[2];
    if (want == c->relay) {
        return true;
    }
    if (!c->io->set_relay(c->io->ctx, want)) {
        return fail(c, "relay drive failed");
    }
    c->relay = want;
    ev[0] = want ? 1u : 0u;
    ev[1] = (uint8_t)cause;
    return raise_event(c, DW_EV_RELAY, ev, 2);
}

static bool start_pulse(dw_core_t *c, uint32_t ms, dw_relay_cause_t cause)
{
    c->pulse_active = true;
    c->pulse_until = now_ms(c) + ms;
    return relay_update(c, cause);
}

static bool fault(dw_core_t *c, dw_fault_t code, uint8_t detail)
{
    uint8_t ev[2] = {(uint8_t)code, detail};
    return raise_event(c, DW_EV_FAULT, ev, 2);
}

/* ---- commands ----------------------------------------------------------------------------- */

static bool cmd_hello(dw_core_t *c, const dw_frame_t *req, const uint8_t *body)
{
    uint8_t p[DW_HELLO_LEN];
    bool ok = true;

    close_session(c);
    if (!c->io->random(c->io->ctx, c->nonce, DW_NONCE_LEN)) {
        record(c, "random source failed"); /* answered with RNG_FAILURE: the call itself succeeds */
        dw_wipe(c->nonce, sizeof(c->nonce));
        return nak(c, req, DW_R_RNG_FAILURE);
    }
    memcpy(c->host_nonce, body, DW_NONCE_LEN);
    c->session_open = true;
    if (c->provisioned) {
        derive_mcu_key(c);
    }
    if (c->fail_active) {
        c->fail_active = false;
        ok = relay_update(c, DW_CAUSE_HELLO);
    }
    p[0] = DW_PROTO_VERSION;
    p[1] = DW_FW_MAJOR;
    p[2] = DW_FW_MINOR;
    p[3] = DW_FW_PATCH;
    memcpy(&p[4], c->identity.device_id, 8);
    dw_put_u16(&p[12], c->identity.capabilities);
    memcpy(&p[14], c->nonce, DW_NONCE_LEN);
    p[30] = dw_state(c);
    p[31] = c->last_fail;
    c->last_fail = 0;
    return answer(c, req, DW_T_RESPONSE, p, sizeof(p)) && ok;
}

/* PROTOCOL.md 4.7: the one live challenge, good for DW_CHALLENGE_MS and one signed command. */
static bool cmd_challenge(dw_core_t *c, const dw_frame_t *req)
{
    uint8_t p[DW_CHALLENGE_RSP_LEN];

    if (!c->provisioned) {
        return nak(c, req, DW_R_NOT_PROVISIONED);
    }
    if (!c->session_open) {
        return nak(c, req, DW_R_NO_SESSION);
    }
    drop_challenge(c);
    if (!c->io->random(c->io->ctx, c->challenge, DW_CHALLENGE_LEN)) {
        record(c, "random source failed");
        drop_challenge(c);
        return nak(c, req, DW_R_RNG_FAILURE);
    }
    c->challenge_live = true;
    c->challenge_at = now_ms(c);
    memcpy(p, c->challenge, DW_CHALLENGE_LEN);
    dw_put_u16(&p[DW_CHALLENGE_LEN], (uint16_t)DW_CHALLENGE_MS);
    return answer(c, req, DW_T_RESPONSE, p, sizeof(p));
}

static bool cmd_status(dw_core_t *c, const dw_frame_t *req)
{
    uint8_t p[DW_STATUS_LEN];
    p[0] = dw_state(c);
    dw_config_pack(&c->cfg, &p[1]);
    dw_put_u16(&p[12], c->counters.rx_errors);
    dw_put_u16(&p[14], c->counters.bad_tag);
    dw_put_u16(&p[16], c->counters.stale_counter);
    dw_put_u16(&p[18], c->counters.no_session);
    dw_put_u16(&p[20], c->counters.other_naks);
    dw_put_u16(&p[22], c->counters.events_dropped);
    dw_put_u32(&p[24], c->last_counter);
    dw_put_u32(&p[28], now_ms(c) - c->boot_ms);
    return answer(c, req, DW_T_RESPONSE, p, sizeof(p));
}

static bool cmd_unlock(dw_core_t *c, const dw_frame_t *req, const uint8_t *body)
{
    uint16_t pulse = dw_get_u16(body);
    uint8_t p[3];
    bool ok;

    if (c->lockout) {
        return nak(c, req, DW_R_LOCKED_OUT);
    }
    if (pulse == 0 || pulse > c->cfg.max_pulse_ms) {
        return nak(c, req, DW_R_OUT_OF_RANGE);
    }
    ok = start_pulse(c, pulse, DW_CAUSE_UNLOCK);
    if (!c->relay) {
        /* The driver would not release: no pulse is left pending for a driver that recovers,
         * and the host is told, so nobody logs a door opened that never did (PROTOCOL.md 4.3). */
        c->pulse_active = false;
        return nak(c, req, DW_R_RELAY_FAILURE) && ok; /* ok is false: relay_update failed */
    }
    dw_put_u16(p, pulse);
    p[2] = dw_state(c);
    return answer(c, req, DW_T_RESPONSE, p, sizeof(p)) && ok;
}

static bool cmd_lock(dw_core_t *c, const dw_frame_t *req, const uint8_t *body)
{
    bool ok;
    uint8_t s;

    if ((body[0] & 0x01u) && (c->inputs & DW_IN_TAMPER)) {
        return nak(c, req, DW_R_TAMPER_ACTIVE);
    }
    c->pulse_active = false;
    ok = relay_update(c, DW_CAUSE_LOCK);
    if (body[0] & 0x01u) {
        c->lockout = false;
    }
    s = dw_state(c);
    return answer(c, req, DW_T_RESPONSE, &s, 1) && ok;
}

static bool cmd_set_config(dw_core_t *c, const dw_frame_t *req, const uint8_t *body)
{
    dw_config_t cfg;
    uint8_t p[DW_CONFIG_LEN];

    dw_config_unpack(body, &cfg);
    if (!dw_config_valid(&cfg)) {
        return nak(c, req, DW_R_OUT_OF_RANGE);
    }
    dw_config_pack(&cfg, p);
    if (!c->io->store_write(c->io->ctx, DW_SLOT_CONFIG, p, sizeof(p))) {
        return nak(c, req, DW_R_STORAGE_FAILURE);
    }
    c->cfg = cfg;
    return answer(c, req, DW_T_RESPONSE, p, sizeof(p));
}

static bool cmd_provision(dw_core_t *c, const dw_frame_t *req, const uint8_t *body)
{
    static const uint8_t zero[DW_KEY_LEN] = {0};
    uint8_t s;

    /* the window is checked here too, not only by the tick that ends it */
    if (!c->setup_mode || reached(now_ms(c), c->boot_ms + DW_SETUP_MODE_MS)) {
        return nak(c, req, DW_R_NOT_IN_SETUP_MODE);
    }
    if (dw_ct_equal(body, zero, DW_KEY_LEN)) {
        return nak(c, req, DW_R_OUT_OF_RANGE);
    }
    if (!c->io->store_write(c->io->ctx, DW_SLOT_KEY, body, DW_KEY_LEN)) {
        return nak(c, req, DW_R_STORAGE_FAILURE);
    }
    memcpy(c->key, body, DW_KEY_LEN);
    dw_hmac_init(&c->key_mac, c->key, DW_KEY_LEN);
    c->provisioned = true;
    c->setup_mode = false;
    close_session(c);
    s = dw_state(c);
    return answer(c, req, DW_T_RESPONSE, &s, 1);
}

/* Body length each command expects (auth block excluded). */
static bool body_len_ok(uint8_t cmd, size_t len, const uint8_t *body)
{
    switch (cmd) {
    case DW_CMD_HELLO:
        return len == DW_NONCE_LEN;
    case DW_CMD_STATUS:
    case DW_CMD_CHALLENGE:
        return len == 0;
    case DW_CMD_UNLOCK:
        return len == 2;
    case DW_CMD_LOCK:
        return len == 1 && (body[0] & 0xFEu) == 0;
    case DW_CMD_SET_CONFIG:
        return len == DW_CONFIG_LEN;
    case DW_CMD_PROVISION_KEY:
        return len == DW_KEY_LEN;
    default:
        return false;
    }
}

static bool needs_auth(uint8_t cmd, const uint8_t *body)
{
    return cmd == DW_CMD_UNLOCK || cmd == DW_CMD_SET_CONFIG || (cmd == DW_CMD_LOCK && (body[0] & 0x01u));
}

/* PROTOCOL.md 2.3 step 6. Returns DW_OK and consumes challenge and counter, or the refusal. */
static dw_reason_t verify_auth(dw_core_t *c, const dw_frame_t *req, size_t body_len)
{
    static const uint8_t kind = KIND_COMMAND;
    const uint8_t *auth = &req->payload[body_len];
    uint32_t counter = dw_get_u32(auth);
    uint8_t mac[DW_SHA256_LEN];
    dw_hmac_t h;
    bool match;

    if (!c->provisioned) {
        return DW_R_NOT_PROVISIONED;
    }
    if (!c->session_open) {
        return DW_R_NO_SESSION;
    }
    if (!c->challenge_live || reached(now_ms(c), c->challenge_at + DW_CHALLENGE_MS)) {
        drop_challenge(c);
        return DW_R_STALE_CHALLENGE;
    }
    h = c->key_mac;
    dw_hmac_update(&h, &kind, 1);
    dw_hmac_update(&h, c->nonce, DW_NONCE_LEN);
    dw_hmac_update(&h, c->host_nonce, DW_NONCE_LEN);
    dw_hmac_update(&h, c->challenge, DW_CHALLENGE_LEN);
    dw_hmac_update(&h, auth, 4); /* the counter, as sent */
    dw_hmac_update(&h, req->raw, DW_HEADER_LEN);
    dw_hmac_update(&h, req->payload, body_len);
    dw_hmac_final(&h, mac);
    match = dw_ct_equal(mac, &auth[4], DW_TAG_LEN);
    dw_wipe(mac, sizeof(mac));
    dw_wipe(&h, sizeof(h));
    if (!match) {
        return DW_R_BAD_TAG;
    }
    drop_challenge(c); /* a genuine tag spends it, whatever follows */
    if (counter == 0xFFFFFFFFu) {
        return DW_R_COUNTER_EXHAUSTED;
    }
    if (counter <= c->last_counter) {
        return DW_R_STALE_COUNTER;
    }
    c->last_counter = counter;
    return DW_OK;
}

static bool handle_command(dw_core_t *c, const dw_frame_t *req)
{
    bool has_auth = (req->hdr.flags & DW_FLAG_AUTH) != 0;
    size_t body_len = req->hdr.length;
    const uint8_t *body = req->payload;
    static const uint8_t no_body[1] = {0};
    dw_reason_t r;

    if (c->cache_valid && req->hdr.seq == c->cache_seq && req->crc == c->cache_crc) {
        return write_wire(c, c->cache, c->cache_len);
    }
    if (req->hdr.cmd < DW_CMD_HELLO || (req->hdr.cmd > DW_CMD_PROVISION_KEY && req->hdr.cmd != DW_CMD_CHALLENGE)) {
        return nak(c, req, DW_R_UNKNOWN_COMMAND);
    }
    if (has_auth) {
        if (body_len < DW_AUTH_LEN) {
            return nak(c, req, DW_R_BAD_PAYLOAD);
        }
        body_len -= DW_AUTH_LEN;
    }
    if (!body_len_ok(req->hdr.cmd, body_len, body)) {
        return nak(c, req, DW_R_BAD_PAYLOAD);
    }
    if (body_len == 0) {
        body = no_body; /* needs_auth reads body[0] only for LOCK, which has one byte */
    }
    if (needs_auth(req->hdr.cmd, body) && !has_auth) {
        return nak(c, req, DW_R_AUTH_REQUIRED);
    }
    if (has_auth) {
        r = verify_auth(c, req, body_len);
        if (r != DW_OK) {
            return nak(c, req, r);
        }
    }
    switch (req->hdr.cmd) {
    case DW_CMD_HELLO:
        return cmd_hello(c, req, body);
    case DW_CMD_CHALLENGE:
        return cmd_challenge(c, req);
    case DW_CMD_STATUS:
        return cmd_status(c, req);
    case DW_CMD_UNLOCK:
        return cmd_unlock(c, req, body);
    case DW_CMD_LOCK:
        return cmd_lock(c, req, body);
    case DW_CMD_SET_CONFIG:
        return cmd_set_config(c, req, body);
    default:
        return cmd_provision(c, req, body);
    }
}

static bool handle_chunk(dw_core_t *c, const uint8_t *chunk, size_t len)
{
    dw_frame_t f;
    dw_reason_t r = dw_frame_decode(chunk, len, c->scratch, &f);
    uint8_t s;

    if (r != DW_OK) {
        bump(&c->counters.rx_errors);
        if (f.header_trusted && (f.hdr.type == DW_T_COMMAND || f.hdr.type == DW_T_HEARTBEAT)) {
            uint8_t reason = (uint8_t)r;
            if (r == DW_R_BAD_VERSION) {
                return send_version_nak(c, &f);
            }
            return send_once(c, DW_T_NAK, f.hdr.seq, f.hdr.cmd, &reason, 1, f.crc);
        }
        return true;
    }
    c->last_rx_ms = now_ms(c);
    switch (f.hdr.type) {
    case DW_T_COMMAND:
        return handle_command(c, &f);
    case DW_T_HEARTBEAT:
        if (f.hdr.cmd != DW_CMD_HEARTBEAT) {
            uint8_t reason = DW_R_UNKNOWN_COMMAND;
            return send_once(c, DW_T_NAK, f.hdr.seq, f.hdr.cmd, &reason, 1, f.crc);
        }
        s = dw_state(c);
        return send_once(c, DW_T_HEARTBEAT, f.hdr.seq, DW_CMD_HEARTBEAT, &s, 1, f.crc);
    case DW_T_ACK:
        if (c->ev_in_flight && c->evq[c->ev_head].seq == f.hdr.seq && c->evq[c->ev_head].id == f.hdr.cmd) {
            pop_event(c);
        }
        return true;
    default:
        return true; /* RESPONSE/EVENT/NAK are MCU-to-host only; ignoring them is safe */
    }
}

/* ---- public entry points ------------------------------------------------------------------ */

bool dw_init(dw_core_t *c, const dw_io_t *io, const dw_identity_t *identity)
{
    uint8_t cfg_bytes[DW_CONFIG_LEN];
    uint8_t boot[4];
    static const uint8_t zero[DW_KEY_LEN] = {0};
    bool ok = true;

    memset(c, 0, sizeof(*c));
    c->io = io;
    if (io == NULL || io->write == NULL || io->set_relay == NULL || io->millis == NULL ||
        io->read_inputs == NULL || io->random == NULL || io->store_read == NULL ||
        io->store_write == NULL) {
        c->io = NULL;
        c->error = "missing io callback";
        return false;
    }
    c->identity = *identity;
    c->boot_ms = now_ms(c);
    c->last_rx_ms = c->boot_ms;
    c->cfg = DEFAULT_CONFIG;
    if (io->store_read(io->ctx, DW_SLOT_CONFIG, cfg_bytes, sizeof(cfg_bytes))) {
        dw_config_t stored;
        dw_config_unpack(cfg_bytes, &stored);
        if (dw_config_valid(&stored)) {
            c->cfg = stored;
        }
    }
    if (io->store_read(io->ctx, DW_SLOT_KEY, c->key, DW_KEY_LEN) && !dw_ct_equal(c->key, zero, DW_KEY_LEN)) {
        c->provisioned = true;
        dw_hmac_init(&c->key_mac, c->key, DW_KEY_LEN);
    } else {
        dw_wipe(c->key, sizeof(c->key));
    }
    /* Drive the relay to a known locked state whatever it was before the reset. */
    if (!io->set_relay(io->ctx, false)) {
        ok = fail(c, "relay drive failed");
    }
    c->inputs = io->read_inputs(io->ctx);
    c->setup_mode = (c->inputs & DW_IN_SETUP_BUTTON) != 0;
    /* A tamper switch already open at power-up is as suspicious as one opening later. */
    c->lockout = (c->inputs & DW_IN_TAMPER) != 0;
    c->door_opened_at = c->boot_ms;
    boot[0] = DW_FW_MAJOR;
    boot[1] = DW_FW_MINOR;
    boot[2] = DW_FW_PATCH;
    boot[3] = dw_state(c);
    ok = raise_event(c, DW_EV_BOOT, boot, sizeof(boot)) && ok;
    ok = pump_events(c) && ok;
    return ok;
}

bool dw_rx(dw_core_t *c, const uint8_t *buf, size_t len)
{
    bool ok = true;
    if (c->io == NULL) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != 0) {
            if (c->rx_len < sizeof(c->rx_buf)) {
                c->rx_buf[c->rx_len++] = buf[i];
            } else {
                c->rx_overflow = true; /* keep discarding until the delimiter */
            }
            continue;
        }
        if (c->rx_overflow) {
            bump(&c->counters.rx_errors);
        } else if (c->rx_len > 0) {
            ok = handle_chunk(c, c->rx_buf, c->rx_len) && ok;
            ok = pump_events(c) && ok;
        }
        c->rx_len = 0;
        c->rx_overflow = false;
    }
    return ok;
}

static bool tick_inputs(dw_core_t *c, uint32_t now)
{
    uint8_t prev = c->inputs;
    uint8_t in = c->io->read_inputs(c->io->ctx);
    uint8_t rose = (uint8_t)(in & ~prev);
    uint8_t fell = (uint8_t)(prev & ~in);
    uint8_t v;
    bool ok = true;

    c->inputs = in;
    if (rose & DW_IN_TAMPER) {
        v = 1;
        ok = raise_event(c, DW_EV_TAMPER, &v, 1) && ok;
        c->lockout = true;
        if (c->pulse_active) {
            c->pulse_active = false;
            ok = relay_update(c, DW_CAUSE_TAMPER) && ok;
        }
    } else if (fell & DW_IN_TAMPER) {
        v = 0;
        ok = raise_event(c, DW_EV_TAMPER, &v, 1) && ok;
    }
    if ((rose & DW_IN_SETUP_BUTTON) && !(in & DW_IN_TAMPER)) {
        c->lockout = false; /* a person on the secure side acknowledged the tamper alarm */
    }
    if (rose & DW_IN_EXIT_BUTTON) {
        ok = raise_event(c, DW_EV_EXIT_BUTTON, NULL, 0) && ok;
        ok = start_pulse(c, c->cfg.max_pulse_ms, DW_CAUSE_EXIT_BUTTON) && ok;
    }
    if (rose & DW_IN_DOOR_OPEN) {
        v = 1;
        ok = raise_event(c, DW_EV_DOOR, &v, 1) && ok;
        c->door_opened_at = now;
        c->held_reported = false;
        if (!c->relay) {
            ok = fault(c, DW_FAULT_FORCED_DOOR, 0) && ok;
        }
    } else if (fell & DW_IN_DOOR_OPEN) {
        v = 0;
        ok = raise_event(c, DW_EV_DOOR, &v, 1) && ok;
    }
    return ok;
}

bool dw_tick(dw_core_t *c)
{
    uint32_t now;
    bool ok = true;

    if (c->io == NULL) {
        return false;
    }
    now = now_ms(c);
    ok = tick_inputs(c, now) && ok;
    if ((c->inputs & DW_IN_DOOR_OPEN) && !c->held_reported &&
        reached(now, c->door_opened_at + c->cfg.held_open_ms)) {
        c->held_reported = true;
        ok = fault(c, DW_FAULT_HELD_OPEN, 0) && ok;
    }
    if (c->pulse_active && reached(now, c->pulse_until)) {
        c->pulse_active = false;
        ok = relay_update(c, DW_CAUSE_TIMER) && ok;
    }
    if (!c->fail_active && reached(now, c->last_rx_ms + c->cfg.heartbeat_timeout_ms)) {
        close_session(c);
        c->pulse_active = false; /* fail-secure must not be left released by a running pulse */
        c->fail_active = true;
        c->last_fail = (uint8_t)(1u + c->cfg.fail_mode);
        ok = fault(c, DW_FAULT_WATCHDOG, c->cfg.fail_mode) && ok;
        ok = relay_update(c, DW_CAUSE_FAIL_SAFE) && ok;
    }
    if (c->challenge_live && reached(now, c->challenge_at + DW_CHALLENGE_MS)) {
        drop_challenge(c); /* expired by the clock, not only when next used: see PROTOCOL.md 2.1 */
    }
    if (c->setup_mode && reached(now, c->boot_ms + DW_SETUP_MODE_MS)) {
        c->setup_mode = false;
    }
    ok = pump_events(c) && ok;
    return ok;
}
