/* libFuzzer target: whole sessions against the controller, by a harness that holds the key.
 *
 * The input is a program: each byte picks an operation (HELLO, CHALLENGE, a command signed over
 * the latest or an older challenge with a chosen counter (delivered, or held back for a later
 * replay), any command well framed but unsigned, a replay of any frame signed so far,
 * raw bytes, heartbeats, ACKs, clock jumps of up to hours, input changes, power cuts during a
 * flash write, reboots) and the next bytes are its arguments. The key store is the real A/B
 * store (dw_store) over a RAM flash. After every operation an oracle that knows only what went
 * over the wire, the inputs and the clock (plus the state byte and config) checks:
 *
 *   I1  the relay is released only by an UNLOCK the MCU accepted, the exit button, or the
 *       fail-safe state; an accepted UNLOCK or SET_CONFIG is one the harness signed, over a
 *       challenge the MCU issued less than DW_CHALLENGE_MS ago in that session and never spent;
 *   I2  no (session, counter) is accepted twice (a cached resend of the same answer is not
 *       an acceptance);
 *   I3  the key changes only in set-up mode (button held at boot, under 120 s since boot);
 *       a key, once stored, survives every power cut;
 *   I4  a release not due to fail-safe ends within its pulse (<= DW_HARD_MAX_PULSE_MS) and
 *       fail-secure is never released;
 *   I5  dw_rx and dw_tick return false only with a message, and only for the one failure this
 *       board can cause (its output buffer full): a flash that dies is a refusal on the wire.
 * Any violation aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dw_core.h"
#include "dw_proto.h"
#include "dw_sha256.h"
#include "dw_store.h"

#define MAX_OUT 8192u
#define MAX_SIGNED 16u
#define MAX_CHALLENGES 16u
#define MAX_ACCEPTED 64u

static const uint8_t KEY[DW_KEY_LEN] = {0x77, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                                        0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                        0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

/* ---- the board around the core: clock, relay, inputs, serial, entropy, flash ---- */

typedef struct {
    uint64_t now; /* absolute ms; the core sees the low 32 bits */
    uint8_t inputs;
    bool relay;
    int releases; /* transitions to released during the current operation */
    uint8_t out[MAX_OUT];
    size_t out_len;
    uint32_t rng;
    uint8_t flash[2][DW_STORE_PAGE];
    int cut_in; /* flash operations left before the power goes (-1: none armed) */
    bool dead;
} board_t;

static board_t B;
static dw_store_t S;

static bool io_write(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    if (B.out_len + len > sizeof(B.out)) {
        return false;
    }
    memcpy(&B.out[B.out_len], buf, len);
    B.out_len += len;
    return true;
}
static bool io_relay(void *ctx, bool released)
{
    (void)ctx;
    if (released && !B.relay) {
        B.releases++;
    }
    B.relay = released;
    return true;
}
static uint32_t io_millis(void *ctx)
{
    (void)ctx;
    return (uint32_t)B.now;
}
static uint8_t io_inputs(void *ctx)
{
    (void)ctx;
    return B.inputs;
}
static bool io_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) {
        B.rng ^= B.rng << 13;
        B.rng ^= B.rng >> 17;
        B.rng ^= B.rng << 5;
        buf[i] = (uint8_t)B.rng;
    }
    return true;
}
static bool power_step(void)
{
    if (B.dead) {
        return false;
    }
    if (B.cut_in == 0) {
        B.dead = true;
        return false;
    }
    if (B.cut_in > 0) {
        B.cut_in--;
    }
    return true;
}
static bool fl_erase(void *ctx, uint8_t sector)
{
    (void)ctx;
    if (!power_step()) {
        memset(B.flash[sector], 0xFF, 16); /* died part way through */
        return false;
    }
    memset(B.flash[sector], 0xFF, DW_STORE_PAGE);
    return true;
}
static bool fl_program(void *ctx, uint8_t sector, const uint8_t page[DW_STORE_PAGE])
{
    size_t n = DW_STORE_PAGE;
    bool ok = power_step();
    (void)ctx;
    if (!ok) {
        n = 20; /* a torn page */
    }
    for (size_t i = 0; i < n; i++) {
        B.flash[sector][i] &= page[i];
    }
    return ok;
}
static bool fl_read(void *ctx, uint8_t sector, uint8_t *buf, size_t len)
{
    (void)ctx;
    if (B.dead || len > DW_STORE_PAGE) {
        return false;
    }
    memcpy(buf, B.flash[sector], len);
    return true;
}
static const dw_flash_t FLASH = {.erase = fl_erase, .program = fl_program, .read = fl_read};
static bool io_store_read(void *ctx, dw_slot_t slot, uint8_t *buf, size_t len)
{
    (void)ctx;
    return dw_store_read(&S, slot, buf, len);
}
static bool io_store_write(void *ctx, dw_slot_t slot, const uint8_t *buf, size_t len)
{
    (void)ctx;
    return dw_store_write(&S, slot, buf, len);
}
static const dw_io_t IO = {
    .write = io_write,
    .set_relay = io_relay,
    .millis = io_millis,
    .read_inputs = io_inputs,
    .random = io_random,
    .store_read = io_store_read,
    .store_write = io_store_write,
};
static const dw_identity_t ID = {{'F', 'U', 'Z', 'Z', 0, 0, 0, 1}, 0x3F};

/* ---- the harness's host and the oracle's memory ---- */

typedef struct {
    uint8_t bytes[DW_CHALLENGE_LEN];
    uint8_t nonce[DW_NONCE_LEN]; /* the session it was issued in */
    uint64_t at;
    bool spent; /* by a command with a genuine tag (accepted, or refused after the tag check) */
} challenge_t;

typedef struct {
    uint8_t wire[DW_MAX_WIRE];
    size_t len;
    uint16_t seq, crc;
    uint8_t cmd;
    uint32_t counter;
    int challenge; /* index into H.ch, -1 when signed over a challenge never issued */
    uint8_t nonce[DW_NONCE_LEN];
} signed_t;

typedef struct {
    uint8_t nonce[DW_NONCE_LEN];
    uint32_t counter;
    uint8_t answer[DW_MAX_WIRE]; /* the answer that accepted it, for telling a cached resend */
    size_t answer_len;
} accepted_t;

static struct {
    bool have_session;
    uint8_t mcu_nonce[DW_NONCE_LEN], host_nonce[DW_NONCE_LEN];
    uint32_t counter;
    uint16_t seq;
    challenge_t ch[MAX_CHALLENGES];
    size_t n_ch;
    signed_t sg[MAX_SIGNED];
    size_t n_sg;
    accepted_t acc[MAX_ACCEPTED];
    size_t n_acc;
    uint64_t pulse_end; /* the relay must be locked from then on (unless fail-safe) */
    uint64_t boot_at;
    bool setup_at_boot;
    bool key_stored;
    uint8_t stored_key[DW_KEY_LEN];
    bool writing_key; /* a PROVISION_KEY whose flash write the power may have cut */
    uint8_t writing[DW_KEY_LEN];
} H;

static dw_core_t C;

typedef struct {
    const uint8_t *p;
    size_t n;
} in_t;

static uint8_t take(in_t *in)
{
    if (in->n == 0) {
        return 0;
    }
    in->n--;
    return *in->p++;
}
static uint16_t take16(in_t *in)
{
    uint16_t lo = take(in);
    return (uint16_t)(lo | (take(in) << 8));
}
static uint32_t take32(in_t *in)
{
    uint32_t lo = take16(in);
    return lo | ((uint32_t)take16(in) << 16);
}

static void sign_command(uint8_t cmd, const uint8_t *body, size_t body_len, uint32_t counter, int chi)
{
    static const uint8_t kind = 0x01;
    uint8_t payload[DW_MAX_PAYLOAD], hdr[DW_HEADER_LEN], mac[DW_SHA256_LEN], zero[DW_CHALLENGE_LEN] = {0};
    signed_t *s = &H.sg[H.n_sg % MAX_SIGNED];
    dw_header_t h = {DW_PROTO_VERSION, DW_T_COMMAND, DW_FLAG_AUTH, ++H.seq, cmd, (uint16_t)(body_len + DW_AUTH_LEN)};
    dw_hmac_t m;
    uint8_t scratch[DW_MAX_FRAME];
    dw_frame_t f;

    dw_header_pack(&h, hdr);
    memcpy(payload, body, body_len);
    dw_put_u32(&payload[body_len], counter);
    dw_hmac_init(&m, KEY, DW_KEY_LEN);
    dw_hmac_update(&m, &kind, 1);
    dw_hmac_update(&m, H.mcu_nonce, DW_NONCE_LEN);
    dw_hmac_update(&m, H.host_nonce, DW_NONCE_LEN);
    dw_hmac_update(&m, chi >= 0 ? H.ch[chi].bytes : zero, DW_CHALLENGE_LEN);
    dw_hmac_update(&m, &payload[body_len], 4);
    dw_hmac_update(&m, hdr, DW_HEADER_LEN);
    dw_hmac_update(&m, payload, body_len);
    dw_hmac_final(&m, mac);
    memcpy(&payload[body_len + 4], mac, DW_TAG_LEN);
    if (!dw_frame_encode(&h, payload, body_len + DW_AUTH_LEN, s->wire, sizeof(s->wire), &s->len) ||
        dw_frame_decode(s->wire, s->len - 1, scratch, &f) != DW_OK) {
        abort();
    }
    s->seq = h.seq;
    s->crc = f.crc;
    s->cmd = cmd;
    s->counter = counter;
    s->challenge = chi;
    memcpy(s->nonce, H.mcu_nonce, DW_NONCE_LEN);
    H.n_sg++;
}

/* The harness's frames delivered in one operation, decoded, so answers can be matched to them. */
typedef struct {
    uint16_t seq, crc;
    uint8_t cmd, type;
    uint8_t body[DW_NONCE_LEN];
    size_t body_len;
    int signed_idx; /* index into H.sg when byte-identical to a frame the harness signed */
} sent_t;

static sent_t SENT[64];
static size_t N_SENT;

static void note_sent(const uint8_t *buf, size_t len)
{
    static uint8_t scratch[DW_MAX_FRAME];
    size_t begin = 0;
    for (size_t i = 0; i < len; i++) {
        dw_frame_t f;
        if (buf[i] != 0) {
            continue;
        }
        if (i > begin && N_SENT < 64 && dw_frame_decode(&buf[begin], i - begin, scratch, &f) == DW_OK) {
            sent_t *s = &SENT[N_SENT++];
            s->seq = f.hdr.seq;
            s->crc = f.crc;
            s->cmd = f.hdr.cmd;
            s->type = f.hdr.type;
            s->body_len = f.hdr.length < DW_NONCE_LEN ? f.hdr.length : DW_NONCE_LEN;
            memcpy(s->body, f.payload, s->body_len);
            s->signed_idx = -1;
            for (size_t k = 0; k < H.n_sg && k < MAX_SIGNED; k++) {
                if (H.sg[k].len == i + 1 - begin && memcmp(H.sg[k].wire, &buf[begin], H.sg[k].len) == 0) {
                    s->signed_idx = (int)k;
                }
            }
        }
        begin = i + 1;
    }
}

/* I5, after a false from the core. */
static void check_failure(void)
{
    const char *e = dw_error(&C);
    if (e == NULL || strcmp(e, "serial write failed") != 0) {
        fprintf(stderr, "unexpected failure: %s\n", e != NULL ? e : "(no message)");
        abort();
    }
    dw_error_noted(&C, "the harness's output buffer is full; the host side reads what fitted");
}

static void deliver(const uint8_t *buf, size_t len)
{
    note_sent(buf, len);
    if (!dw_rx(&C, buf, len)) {
        check_failure();
    }
}

static void deliver_plain(uint8_t type, uint8_t cmd, const uint8_t *payload, size_t len)
{
    uint8_t wire[DW_MAX_WIRE];
    size_t n = 0;
    dw_header_t h = {DW_PROTO_VERSION, type, 0, ++H.seq, cmd, (uint16_t)len};
    if (!dw_frame_encode(&h, payload, len, wire, sizeof(wire), &n)) {
        abort();
    }
    deliver(wire, n);
}

static int find_challenge(const uint8_t bytes[DW_CHALLENGE_LEN])
{
    for (size_t i = 0; i < H.n_ch && i < MAX_CHALLENGES; i++) {
        if (memcmp(H.ch[i].bytes, bytes, DW_CHALLENGE_LEN) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static bool post_tag_refusal(uint8_t reason)
{
    /* refusals the MCU only gives once the tag verified (PROTOCOL.md 2.3 steps 6-7) */
    return reason == DW_R_STALE_COUNTER || reason == DW_R_COUNTER_EXHAUSTED || reason == DW_R_LOCKED_OUT ||
           reason == DW_R_OUT_OF_RANGE || reason == DW_R_TAMPER_ACTIVE || reason == DW_R_STORAGE_FAILURE ||
           reason == DW_R_RELAY_FAILURE;
}

static const sent_t *request_for(const dw_frame_t *f)
{
    for (size_t i = N_SENT; i-- > 0;) {
        if (SENT[i].seq == f->hdr.seq && SENT[i].cmd == f->hdr.cmd && SENT[i].type == DW_T_COMMAND) {
            return &SENT[i];
        }
    }
    return NULL;
}

/* I1 and I2 for one answer the MCU accepted with. Returns how many releases it may explain. */
static int check_accepted(const sent_t *req, const uint8_t *wire, size_t wire_len, const uint8_t nonce_before[DW_NONCE_LEN])
{
    const signed_t *sg;
    challenge_t *ch;
    if (req == NULL || req->signed_idx < 0) {
        abort(); /* I1: an UNLOCK or SET_CONFIG went through that the harness never signed */
    }
    sg = &H.sg[req->signed_idx];
    for (size_t i = 0; i < H.n_acc && i < MAX_ACCEPTED; i++) {
        if (memcmp(H.acc[i].nonce, sg->nonce, DW_NONCE_LEN) == 0 && H.acc[i].counter == sg->counter) {
            if (H.acc[i].answer_len == wire_len && memcmp(H.acc[i].answer, wire, wire_len) == 0) {
                return 0; /* the cached answer resent for a retry: nothing happened again */
            }
            abort(); /* I2: the same (session, counter) accepted twice */
        }
    }
    if (sg->challenge < 0) {
        abort(); /* I1: accepted over a challenge the MCU never issued */
    }
    ch = &H.ch[sg->challenge];
    if (ch->spent || H.ch[sg->challenge].at + DW_CHALLENGE_MS <= B.now ||
        memcmp(ch->nonce, sg->nonce, DW_NONCE_LEN) != 0 ||
        (memcmp(sg->nonce, nonce_before, DW_NONCE_LEN) != 0 && memcmp(sg->nonce, C.nonce, DW_NONCE_LEN) != 0)) {
        abort(); /* I1: spent, stale, or from another session */
    }
    ch->spent = true;
    if (H.n_acc < MAX_ACCEPTED) {
        accepted_t *a = &H.acc[H.n_acc++];
        memcpy(a->nonce, sg->nonce, DW_NONCE_LEN);
        a->counter = sg->counter;
        memcpy(a->answer, wire, wire_len);
        a->answer_len = wire_len;
    }
    return 1;
}

/* Reads what the MCU wrote during one operation: learns sessions and challenges, checks I1/I2. */
static int scan_output(const uint8_t nonce_before[DW_NONCE_LEN])
{
    static uint8_t scratch[DW_MAX_FRAME];
    int may_release = 0;
    size_t begin = 0;
    for (size_t i = 0; i < B.out_len; i++) {
        dw_frame_t f;
        size_t bl;
        const sent_t *req;
        if (B.out[i] != 0) {
            continue;
        }
        if (dw_frame_decode(&B.out[begin], i - begin, scratch, &f) != DW_OK) {
            begin = i + 1;
            continue; /* a refusal in another version's framing */
        }
        bl = (f.hdr.flags & DW_FLAG_AUTH) ? (size_t)f.hdr.length - DW_AUTH_LEN : f.hdr.length;
        req = request_for(&f);
        if (f.hdr.type == DW_T_RESPONSE && f.hdr.cmd == DW_CMD_HELLO && bl == DW_HELLO_LEN && req && req->body_len == DW_NONCE_LEN) {
            memcpy(H.mcu_nonce, &f.payload[14], DW_NONCE_LEN);
            memcpy(H.host_nonce, req->body, DW_NONCE_LEN);
            H.have_session = true;
        } else if (f.hdr.type == DW_T_RESPONSE && f.hdr.cmd == DW_CMD_CHALLENGE && bl == DW_CHALLENGE_RSP_LEN &&
                   find_challenge(f.payload) < 0) {
            challenge_t *c = &H.ch[H.n_ch % MAX_CHALLENGES];
            memcpy(c->bytes, f.payload, DW_CHALLENGE_LEN);
            memcpy(c->nonce, C.nonce, DW_NONCE_LEN);
            c->at = B.now;
            c->spent = false;
            H.n_ch++;
        } else if (f.hdr.type == DW_T_RESPONSE && (f.hdr.cmd == DW_CMD_UNLOCK || f.hdr.cmd == DW_CMD_SET_CONFIG)) {
            int n = check_accepted(req, &B.out[begin], i + 1 - begin, nonce_before);
            if (f.hdr.cmd == DW_CMD_UNLOCK && n > 0) {
                uint16_t pulse = dw_get_u16(f.payload);
                if (pulse == 0 || pulse > C.cfg.max_pulse_ms || pulse > DW_HARD_MAX_PULSE_MS) {
                    abort(); /* I4 */
                }
                H.pulse_end = B.now + pulse;
                may_release += n;
            }
        } else if (f.hdr.type == DW_T_NAK && bl == 1 && req && req->signed_idx >= 0 && post_tag_refusal(f.payload[0])) {
            const signed_t *sg = &H.sg[req->signed_idx];
            if (sg->challenge >= 0) {
                H.ch[sg->challenge].spent = true; /* the MCU spent it even though it refused */
            }
        }
        begin = i + 1;
    }
    return may_release;
}

static void boot(uint8_t inputs)
{
    B.dead = false;
    B.cut_in = -1;
    B.inputs = inputs;
    B.relay = false;
    if (!dw_store_init(&S, &FLASH)) {
        abort(); /* every callback is there */
    }
    if (!dw_init(&C, &IO, &ID)) {
        fprintf(stderr, "dw_init: %s\n", dw_error(&C));
        abort();
    }
    H.boot_at = B.now;
    H.setup_at_boot = (inputs & DW_IN_SETUP_BUTTON) != 0;
    H.have_session = false;
    H.pulse_end = B.now;
    /* I3: a key once stored survives every power cut (old or, if one was being written, new) */
    if (H.key_stored && !(C.provisioned && (memcmp(C.key, H.stored_key, DW_KEY_LEN) == 0 ||
                                           (H.writing_key && memcmp(C.key, H.writing, DW_KEY_LEN) == 0)))) {
        abort();
    }
    if (C.provisioned) {
        H.key_stored = true;
        memcpy(H.stored_key, C.key, DW_KEY_LEN);
    }
    H.writing_key = false;
}

static void tick(void)
{
    if (!dw_tick(&C)) {
        check_failure();
    }
}

/* I3 and I4, after every operation. */
static void check_state(bool was_setup, bool was_provisioned, bool was_fail, const uint8_t key_before[DW_KEY_LEN],
                        int releases, int may_release, uint8_t inputs_before, bool ticked)
{
    uint8_t s = dw_state(&C);
    bool fail_safe = C.fail_active && C.cfg.fail_mode == DW_FAIL_SAFE;
    bool key_changed = C.provisioned != was_provisioned || memcmp(C.key, key_before, DW_KEY_LEN) != 0;
    if (key_changed && !was_setup) {
        abort(); /* I3: a key written outside set-up mode */
    }
    if ((s & DW_S_SETUP) && (!H.setup_at_boot || B.now - H.boot_at >= DW_SETUP_MODE_MS + (ticked ? 0u : 1000000000u))) {
        abort(); /* I3: set-up mode without the button at boot, or past its 120 s */
    }
    if (C.provisioned) {
        H.key_stored = true;
        memcpy(H.stored_key, C.key, DW_KEY_LEN);
    }
    if (ticked) {
        bool exit_edge = (B.inputs & DW_IN_EXIT_BUTTON) && !(inputs_before & DW_IN_EXIT_BUTTON);
        if (exit_edge) {
            H.pulse_end = B.now + C.cfg.max_pulse_ms;
        }
        if (releases > 0 && !exit_edge && !fail_safe) {
            abort(); /* I1: released by a tick with no exit button and no fail-safe */
        }
        if (B.relay && !fail_safe && B.now >= H.pulse_end) {
            abort(); /* I4: a pulse outlived its length */
        }
        if (!was_fail && C.fail_active && C.cfg.fail_mode == DW_FAIL_SECURE && B.relay && !exit_edge) {
            abort(); /* I4: going fail-secure left a running pulse releasing the door */
        }
    } else if (releases > may_release) {
        abort(); /* I1: released by received bytes without an accepted fresh UNLOCK */
    }
    if (H.pulse_end > B.now + DW_HARD_MAX_PULSE_MS) {
        abort(); /* I4 */
    }
}

static void op_signed(in_t *in, uint8_t cmd, const uint8_t *body, size_t len)
{
    uint8_t mode = take(in);
    uint32_t counter;
    int chi = H.n_ch == 0 ? -1 : (int)((H.n_ch - 1) % MAX_CHALLENGES);
    switch (mode & 3u) {
    case 0:
        counter = ++H.counter;
        break;
    case 1:
        counter = H.counter; /* reused */
        break;
    case 2:
        counter = take32(in);
        break;
    default:
        counter = 0xFFFFFFFFu;
        break;
    }
    if ((mode & 4u) && H.n_ch > 1) {
        chi = (int)(take(in) % (H.n_ch < MAX_CHALLENGES ? H.n_ch : MAX_CHALLENGES)); /* an older one */
    }
    sign_command(cmd, body, len, counter, chi);
    if (mode & 8u) {
        return; /* held back on the cable: only a later replay delivers it */
    }
    deliver(H.sg[(H.n_sg - 1) % MAX_SIGNED].wire, H.sg[(H.n_sg - 1) % MAX_SIGNED].len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in_t in = {data, size};
    uint8_t first = take(&in);

    memset(&B, 0, sizeof(B));
    memset(&H, 0, sizeof(H));
    memset(B.flash, 0xFF, sizeof(B.flash));
    B.cut_in = -1;
    B.rng = 0x9E3779B9u ^ take32(&in);
    if (B.rng == 0) {
        B.rng = 1;
    }
    B.now = 1000u + (uint64_t)take16(&in) * 60000u; /* start anywhere in the first 45 days */
    if (first & 1u) {
        if (!dw_store_init(&S, &FLASH) || !dw_store_write(&S, DW_SLOT_KEY, KEY, DW_KEY_LEN)) {
            abort(); /* blank flash with power: provisioning must take */
        }
        H.key_stored = true;
        memcpy(H.stored_key, KEY, DW_KEY_LEN);
    }
    boot((uint8_t)((first >> 1) & 0x0Fu));

    for (int steps = 0; steps < 256 && in.n > 0; steps++) {
        uint8_t op = take(&in);
        uint8_t nonce_before[DW_NONCE_LEN], key_before[DW_KEY_LEN];
        uint8_t inputs_before = B.inputs;
        bool was_setup = (dw_state(&C) & DW_S_SETUP) != 0;
        bool was_provisioned = C.provisioned;
        bool was_fail = C.fail_active;
        bool ticked = false;
        int may_release;

        memcpy(nonce_before, C.nonce, DW_NONCE_LEN);
        memcpy(key_before, C.key, DW_KEY_LEN);
        B.out_len = 0;
        B.releases = 0;
        N_SENT = 0;
        switch (op % 16u) {
        case 0: {
            uint8_t hn[DW_NONCE_LEN];
            memset(hn, take(&in), sizeof(hn));
            deliver_plain(DW_T_COMMAND, DW_CMD_HELLO, hn, sizeof(hn));
            H.counter = 0;
            break;
        }
        case 1:
            deliver_plain(DW_T_COMMAND, DW_CMD_CHALLENGE, NULL, 0);
            break;
        case 2: {
            uint8_t body[2];
            dw_put_u16(body, take16(&in));
            op_signed(&in, DW_CMD_UNLOCK, body, 2);
            break;
        }
        case 3: {
            uint8_t cfg[DW_CONFIG_LEN];
            for (size_t i = 0; i < sizeof(cfg); i++) {
                cfg[i] = take(&in);
            }
            if (cfg[0] & 1u) { /* half the time a valid one, so configs really change */
                dw_config_t c = {(uint16_t)(100u + dw_get_u16(&cfg[1]) % 29901u), (uint8_t)(cfg[3] & 1u),
                                 1000u + dw_get_u32(&cfg[4]) % 599001u, 1000u + dw_get_u16(&cfg[8]) * 50u};
                dw_config_pack(&c, cfg);
            }
            op_signed(&in, DW_CMD_SET_CONFIG, cfg, sizeof(cfg));
            break;
        }
        case 4: {
            uint8_t clear = 1;
            op_signed(&in, DW_CMD_LOCK, &clear, 1);
            break;
        }
        case 5: {
            uint8_t keep = 0;
            deliver_plain(DW_T_COMMAND, DW_CMD_LOCK, &keep, 1);
            break;
        }
        case 6: {
            uint8_t k[DW_KEY_LEN];
            memcpy(k, KEY, sizeof(k));
            if (take(&in) & 1u) {
                memset(k, take(&in), sizeof(k));
            }
            H.writing_key = true;
            memcpy(H.writing, k, sizeof(k));
            deliver_plain(DW_T_COMMAND, DW_CMD_PROVISION_KEY, k, sizeof(k));
            break;
        }
        case 7: {
            static const uint32_t scale[4] = {1u, 50u, 5000u, 600000u};
            uint64_t total = (uint64_t)take16(&in) * scale[take(&in) & 3u];
            /* the main loop ticks every few ms; an hour is as far apart as ticks get here */
            while (total > 0) {
                uint64_t step = total < 3600000u ? total : 3600000u;
                B.now += step;
                total -= step;
                B.releases = 0;
                tick();
                check_state(was_setup, was_provisioned, was_fail, key_before, B.releases, 0, inputs_before, true);
            }
            ticked = true;
            break;
        }
        case 8:
            B.inputs = take(&in) & 0x0Fu;
            B.now += 1;
            tick();
            ticked = true;
            break;
        case 9: {
            uint8_t raw[64];
            size_t n = take(&in) % sizeof(raw);
            for (size_t i = 0; i < n; i++) {
                raw[i] = take(&in);
            }
            deliver(raw, n);
            break;
        }
        case 10:
            if (H.n_sg > 0) {
                const signed_t *s = &H.sg[take(&in) % (H.n_sg < MAX_SIGNED ? H.n_sg : MAX_SIGNED)];
                deliver(s->wire, s->len);
            }
            break;
        case 11:
            deliver_plain(DW_T_HEARTBEAT, DW_CMD_HEARTBEAT, NULL, 0);
            break;
        case 12: {
            uint8_t wire[DW_MAX_WIRE];
            size_t n = 0;
            const dw_event_entry_t *e = &C.evq[C.ev_head];
            dw_header_t h = {DW_PROTO_VERSION, DW_T_ACK, 0, (take(&in) & 1u) ? e->seq : take16(&in), e->id, 0};
            if (dw_frame_encode(&h, NULL, 0, wire, sizeof(wire), &n)) {
                deliver(wire, n);
            }
            break;
        }
        case 13:
            deliver_plain(DW_T_COMMAND, DW_CMD_STATUS, NULL, 0);
            break;
        case 14:
            if (take(&in) & 1u) {
                B.cut_in = take(&in) % 4u; /* the power goes during one of the next flash steps */
            } else {
                boot(take(&in) & 0x0Fu);
                B.out_len = 0;
                continue;
            }
            break;
        default: {
            /* any command id and body, signed or well framed but unsigned */
            uint8_t body[24];
            uint8_t cmd = take(&in);
            uint8_t how = take(&in);
            size_t n = how % sizeof(body);
            for (size_t i = 0; i < n; i++) {
                body[i] = take(&in);
            }
            if (how & 0x80u) {
                deliver_plain(DW_T_COMMAND, cmd, body, n);
            } else {
                op_signed(&in, cmd, body, n);
            }
            break;
        }
        }
        if (B.dead) {
            /* the power went during a flash write: the board reboots with what the flash kept */
            boot(B.inputs);
            B.out_len = 0;
            continue;
        }
        may_release = scan_output(nonce_before);
        check_state(was_setup, was_provisioned, was_fail, key_before, B.releases, may_release, inputs_before, ticked);
        if (!ticked && (op & 0x80u)) {
            /* the real main loop ticks right after every read */
            inputs_before = B.inputs;
            B.releases = 0;
            tick();
            check_state(was_setup, was_provisioned, was_fail, key_before, B.releases, 0, inputs_before, true);
        }
    }
    return 0;
}
