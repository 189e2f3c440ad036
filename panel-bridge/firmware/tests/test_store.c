/* The A/B key store under power cuts: a RAM flash with NOR semantics loses power during any
 * erase or program call, after any number of bytes of it (a torn byte included), and the board
 * that boots from what is left must have its key and a valid config, old or new, never none. */
#include "dw_store.h"
#include "harness.h"
#include "tests.h"

#define SECTOR 4096u

typedef struct {
    uint8_t mem[2][SECTOR];
    int ops;          /* erase and program calls so far */
    int cut_at;       /* the power goes during call number cut_at (-1: never) ... */
    size_t cut_bytes; /* ... after this many bytes of it are done */
    bool dead;        /* no power: every later call fails, until the "reboot" */
    bool fail_program;
    bool fail_read[2];
    fault_stream_t read_stream[2]; /* a read of the sector that stops after N bytes */
    int erases[2];
} flash_t;

static flash_t FL;

static bool fl_erase(void *ctx, uint8_t sector)
{
    flash_t *f = ctx;
    if (f->dead || sector > 1) {
        return false;
    }
    if (f->ops++ == f->cut_at) {
        memset(f->mem[sector], 0xFF, f->cut_bytes < SECTOR ? f->cut_bytes : SECTOR);
        f->dead = true;
        return false;
    }
    memset(f->mem[sector], 0xFF, SECTOR);
    f->erases[sector]++;
    return true;
}

static bool fl_program(void *ctx, uint8_t sector, const uint8_t page[DW_STORE_PAGE])
{
    flash_t *f = ctx;
    size_t n = DW_STORE_PAGE;
    if (f->dead || sector > 1 || f->fail_program) {
        return false;
    }
    if (f->ops++ == f->cut_at) {
        n = f->cut_bytes < DW_STORE_PAGE ? f->cut_bytes : DW_STORE_PAGE;
        if (n < DW_STORE_PAGE) {
            f->mem[sector][n] &= (uint8_t)(page[n] | 0x0Fu); /* the byte being programmed: half of it */
        }
        f->dead = true;
    }
    for (size_t i = 0; i < n; i++) {
        f->mem[sector][i] &= page[i]; /* NOR: program only clears bits */
    }
    return !f->dead;
}

static bool fl_read(void *ctx, uint8_t sector, uint8_t *buf, size_t len)
{
    flash_t *f = ctx;
    size_t n;
    if (f->dead || sector > 1 || len > SECTOR || f->fail_read[sector]) {
        return false;
    }
    n = fault_pass(&f->read_stream[sector], len);
    memcpy(buf, f->mem[sector], n);
    memset(&buf[n], 0x5A, len - n); /* what a stopped read leaves: not the flash's bytes */
    return n == len;
}

static const dw_flash_t FLASH = {.ctx = &FL, .erase = fl_erase, .program = fl_program, .read = fl_read};

static void flash_blank(void)
{
    memset(&FL, 0, sizeof(FL));
    memset(FL.mem, 0xFF, sizeof(FL.mem));
    FL.cut_at = -1;
}

/* Power comes back: the flash keeps what it had, the store starts from nothing in RAM. */
static void power_on(dw_store_t *s)
{
    FL.dead = false;
    FL.cut_at = -1;
    FL.ops = 0;
    CHECK(dw_store_init(s, &FLASH));
}

static const uint8_t K1[DW_KEY_LEN] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                       0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                       0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11};
static const uint8_t K2[DW_KEY_LEN] = {0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c,
                                       0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
                                       0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41};

static void config_bytes(uint16_t max_pulse, uint8_t out[DW_CONFIG_LEN])
{
    dw_config_t c = {max_pulse, DW_FAIL_SECURE, 10000, 30000};
    dw_config_pack(&c, out);
}

/* Every place a write can be cut: each erase and program call, after 0 .. all of its bytes
 * (every byte of the record, then a few points in the padding and the rest of the sector). */
static const size_t CUT_POINTS_ERASE[] = {0, 1, 4, 8, 9, 40, 52, 55, 56, 57, 255, 256, 2048, SECTOR - 1};
#define N_ERASE_CUTS (sizeof(CUT_POINTS_ERASE) / sizeof(CUT_POINTS_ERASE[0]))
#define N_PROGRAM_CUTS (DW_STORE_RECORD_LEN + 1u + 3u)
static size_t program_cut(size_t i)
{
    static const size_t tail[3] = {100, 255, DW_STORE_PAGE};
    return i <= DW_STORE_RECORD_LEN ? i : tail[i - DW_STORE_RECORD_LEN - 1u];
}

static int g_cuts; /* power cuts injected, all tests together */

typedef struct {
    dw_slot_t slot;
    const uint8_t *value;
    size_t len;
} write_t;

/* Runs `w` against a copy of `before` with the power cut at (op, bytes); then boots and checks
 * that each slot holds its value from before or the new one, and that one more write works. */
static void cut_and_check(const flash_t *before, const write_t *w, int op, size_t bytes)
{
    dw_store_t s;
    uint8_t key_before[DW_KEY_LEN], cfg_before[DW_CONFIG_LEN], got[DW_KEY_LEN];
    bool had_key, had_cfg;

    FL = *before;
    power_on(&s);
    had_key = dw_store_read(&s, DW_SLOT_KEY, key_before, sizeof(key_before));
    had_cfg = dw_store_read(&s, DW_SLOT_CONFIG, cfg_before, sizeof(cfg_before));
    FL.cut_at = op;
    FL.cut_bytes = bytes;
    CHECK(!dw_store_write(&s, w->slot, w->value, w->len)); /* the board died before it could say */
    CHECK(dw_store_error(&s) != NULL);
    g_cuts++;

    power_on(&s);
    if (w->slot == DW_SLOT_KEY) {
        bool has = dw_store_read(&s, DW_SLOT_KEY, got, DW_KEY_LEN);
        CHECK(had_key ? has : true); /* a key that was there is still there ... */
        CHECK(!has || memcmp(got, w->value, DW_KEY_LEN) == 0 || (had_key && memcmp(got, key_before, DW_KEY_LEN) == 0));
        CHECK_EQ(dw_store_read(&s, DW_SLOT_CONFIG, got, DW_CONFIG_LEN), had_cfg);
        CHECK(!had_cfg || memcmp(got, cfg_before, DW_CONFIG_LEN) == 0);
    } else {
        bool has = dw_store_read(&s, DW_SLOT_CONFIG, got, DW_CONFIG_LEN);
        dw_config_t cfg;
        CHECK(had_cfg ? has : true);
        CHECK(!has || memcmp(got, w->value, DW_CONFIG_LEN) == 0 || (had_cfg && memcmp(got, cfg_before, DW_CONFIG_LEN) == 0));
        if (has) {
            dw_config_unpack(got, &cfg);
            CHECK(dw_config_valid(&cfg));
        }
        /* ... and the key is never touched by a config write */
        CHECK_EQ(dw_store_read(&s, DW_SLOT_KEY, got, DW_KEY_LEN), had_key);
        CHECK(!had_key || memcmp(got, key_before, DW_KEY_LEN) == 0);
    }
    /* the board recovers: the same write, with power, takes and survives another boot */
    CHECK(dw_store_write(&s, w->slot, w->value, w->len));
    power_on(&s);
    CHECK(dw_store_read(&s, w->slot, got, w->len));
    CHECK(memcmp(got, w->value, w->len) == 0);
}

static void cut_everywhere(const flash_t *before, const write_t *w)
{
    for (size_t i = 0; i < N_ERASE_CUTS; i++) {
        cut_and_check(before, w, 0, CUT_POINTS_ERASE[i]);
    }
    for (size_t i = 0; i < N_PROGRAM_CUTS; i++) {
        cut_and_check(before, w, 1, program_cut(i));
    }
}

TEST(store_keeps_key_and_config_through_a_power_cut_at_every_step)
{
    static flash_t before;
    dw_store_t s;
    uint8_t cfg[8][DW_CONFIG_LEN];
    write_t w;

    /* first provisioning, on blank flash: afterwards either no key or the new one, never garbage */
    flash_blank();
    before = FL;
    w = (write_t){DW_SLOT_KEY, K1, DW_KEY_LEN};
    cut_everywhere(&before, &w);

    /* a key, then the first config write */
    flash_blank();
    power_on(&s);
    CHECK(dw_store_write(&s, DW_SLOT_KEY, K1, DW_KEY_LEN));
    config_bytes(2000, cfg[0]);
    before = FL;
    w = (write_t){DW_SLOT_CONFIG, cfg[0], DW_CONFIG_LEN};
    cut_everywhere(&before, &w);

    /* SET_CONFIG after SET_CONFIG: the writes alternate between the sectors; cut each of them */
    flash_blank();
    power_on(&s);
    CHECK(dw_store_write(&s, DW_SLOT_KEY, K1, DW_KEY_LEN));
    for (int k = 0; k < 8; k++) {
        config_bytes((uint16_t)(1000 + 100 * k), cfg[k]);
        before = FL;
        w = (write_t){DW_SLOT_CONFIG, cfg[k], DW_CONFIG_LEN};
        cut_everywhere(&before, &w);
        FL = before;
        power_on(&s);
        CHECK(dw_store_write(&s, DW_SLOT_CONFIG, cfg[k], DW_CONFIG_LEN));
    }
    CHECK(FL.erases[0] >= 4 && FL.erases[1] >= 4); /* both sectors took turns */

    /* a new key over the old one (set-up mode): old or new, never none */
    before = FL;
    w = (write_t){DW_SLOT_KEY, K2, DW_KEY_LEN};
    cut_everywhere(&before, &w);
    CHECK(g_cuts > 10 * (int)(N_ERASE_CUTS + N_PROGRAM_CUTS) - 1);
}

TEST(store_never_erases_the_newest_record)
{
    dw_store_t s;
    uint8_t cfg[DW_CONFIG_LEN], got[DW_KEY_LEN];
    dw_record_t r;
    flash_blank();
    power_on(&s);
    CHECK(dw_store_write(&s, DW_SLOT_KEY, K1, DW_KEY_LEN)); /* seq 1 -> sector 0 */
    CHECK_EQ(FL.erases[0], 1);
    CHECK_EQ(FL.erases[1], 0);
    config_bytes(1500, cfg);
    CHECK(dw_store_write(&s, DW_SLOT_CONFIG, cfg, DW_CONFIG_LEN)); /* seq 2 -> sector 1 */
    CHECK_EQ(FL.erases[1], 1);
    CHECK(dw_record_decode(FL.mem[0], DW_STORE_RECORD_LEN, &r) && r.seq == 1 && r.has_key && !r.has_cfg);
    CHECK(dw_record_decode(FL.mem[1], DW_STORE_RECORD_LEN, &r) && r.seq == 2 && r.has_key && r.has_cfg);
    CHECK(dw_store_write(&s, DW_SLOT_CONFIG, cfg, DW_CONFIG_LEN)); /* seq 3 -> sector 0 again */
    CHECK_EQ(FL.erases[0], 2);
    CHECK(dw_record_decode(FL.mem[0], DW_STORE_RECORD_LEN, &r) && r.seq == 3);
    /* the highest sequence wins, wherever it is */
    CHECK(dw_store_read(&s, DW_SLOT_KEY, got, DW_KEY_LEN) && memcmp(got, K1, DW_KEY_LEN) == 0);
}

TEST(store_refuses_a_write_that_did_not_take_and_keeps_the_old)
{
    dw_store_t s;
    uint8_t got[DW_KEY_LEN];
    flash_blank();
    power_on(&s);
    CHECK(dw_store_write(&s, DW_SLOT_KEY, K1, DW_KEY_LEN));
    FL.fail_program = true;
    CHECK(!dw_store_write(&s, DW_SLOT_KEY, K2, DW_KEY_LEN));
    CHECK(strcmp(dw_store_error(&s), "flash program failed") == 0);
    FL.fail_program = false;
    CHECK(dw_store_read(&s, DW_SLOT_KEY, got, DW_KEY_LEN) && memcmp(got, K1, DW_KEY_LEN) == 0);
    /* bad arguments, and a flash without callbacks */
    CHECK(!dw_store_write(&s, DW_SLOT_KEY, K1, 16));
    CHECK(strcmp(dw_store_error(&s), "flash program failed") == 0); /* first error kept */
    {
        dw_flash_t none = {.ctx = NULL}; /* no callbacks */
        dw_store_t t;
        CHECK(!dw_store_init(&t, &none));
        CHECK(!dw_store_read(&t, DW_SLOT_KEY, got, DW_KEY_LEN));
        CHECK(!dw_store_write(&t, DW_SLOT_KEY, K1, DW_KEY_LEN));
    }
}

TEST(store_reads_past_an_unreadable_or_garbage_sector)
{
    dw_store_t s;
    uint8_t got[DW_KEY_LEN];
    flash_blank();
    power_on(&s);
    CHECK(!dw_store_read(&s, DW_SLOT_KEY, got, DW_KEY_LEN)); /* blank flash: unprovisioned */
    memset(FL.mem[0], 0x00, SECTOR);                          /* garbage in A */
    CHECK(!dw_store_read(&s, DW_SLOT_KEY, got, DW_KEY_LEN));
    CHECK(dw_store_write(&s, DW_SLOT_KEY, K1, DW_KEY_LEN));   /* goes to A: B is not newer */
    CHECK(dw_store_write(&s, DW_SLOT_KEY, K2, DW_KEY_LEN));   /* B */
    FL.fail_read[1] = true;
    CHECK(dw_store_read(&s, DW_SLOT_KEY, got, DW_KEY_LEN) && memcmp(got, K1, DW_KEY_LEN) == 0);
    CHECK(strcmp(dw_store_error(&s), "flash read failed") == 0);
}

static bool store_error_is(const dw_store_t *s, const char *msg)
{
    return msg == NULL ? dw_store_error(s) == NULL : dw_store_error(s) != NULL && strcmp(dw_store_error(s), msg) == 0;
}

/* A read of either sector stopping after N bytes, for every N to the record's length: the store
 * reads the other sector's record, never one put together from a torn read, and says why. */
TEST(store_reads_a_torn_sector_as_unreadable)
{
    dw_store_t s;
    uint8_t got[DW_KEY_LEN];
    int runs = 0;
    flash_blank();
    power_on(&s);
    CHECK(dw_store_write(&s, DW_SLOT_KEY, K1, DW_KEY_LEN)); /* seq 1, sector A */
    CHECK(dw_store_write(&s, DW_SLOT_KEY, K2, DW_KEY_LEN)); /* seq 2, sector B: the newest */
    for (uint8_t sector = 0; sector < 2; sector++) {
        for (size_t n = 0; n <= DW_STORE_RECORD_LEN; n++) {
            bool torn = n < DW_STORE_RECORD_LEN;
            power_on(&s);
            fault_arm(&FL.read_stream[sector], n);
            CHECK(dw_store_read(&s, DW_SLOT_KEY, got, DW_KEY_LEN));
            CHECK(memcmp(got, torn && sector == 1 ? K1 : K2, DW_KEY_LEN) == 0);
            CHECK(store_error_is(&s, torn ? "flash read failed" : NULL));
            FL.read_stream[sector] = (fault_stream_t){0};
            runs++;
        }
    }
    CHECK_EQ(runs, 2 * (DW_STORE_RECORD_LEN + 1));
}

/* A write while the newest sector reads torn: not knowing which record is newest, the store
 * must not write at all. Taking the older record for the newest, it would erase the newest
 * and carry the older record's key into the new one: a SET_CONFIG would bring back the key
 * that PROVISION_KEY replaced. */
TEST(store_writes_nothing_while_a_sector_reads_torn)
{
    static flash_t before;
    dw_store_t s;
    uint8_t cfg[DW_CONFIG_LEN], got[DW_KEY_LEN];
    flash_blank();
    power_on(&s);
    CHECK(dw_store_write(&s, DW_SLOT_KEY, K1, DW_KEY_LEN)); /* A */
    CHECK(dw_store_write(&s, DW_SLOT_KEY, K2, DW_KEY_LEN)); /* B: the key now */
    before = FL;
    config_bytes(2200, cfg);
    for (uint8_t sector = 0; sector < 2; sector++) {
        for (size_t n = 0; n < DW_STORE_RECORD_LEN; n++) {
            FL = before;
            power_on(&s);
            fault_arm(&FL.read_stream[sector], n);
            CHECK(!dw_store_write(&s, DW_SLOT_CONFIG, cfg, DW_CONFIG_LEN));
            CHECK(store_error_is(&s, "flash read failed"));
            CHECK_EQ(FL.erases[0], before.erases[0]); /* nothing erased ... */
            CHECK_EQ(FL.erases[1], before.erases[1]);
            CHECK(memcmp(FL.mem, before.mem, sizeof(FL.mem)) == 0); /* ... nothing written */
            FL.read_stream[sector] = (fault_stream_t){0};
            power_on(&s);
            CHECK(dw_store_read(&s, DW_SLOT_KEY, got, DW_KEY_LEN) && memcmp(got, K2, DW_KEY_LEN) == 0);
            CHECK(!dw_store_read(&s, DW_SLOT_CONFIG, cfg, DW_CONFIG_LEN));
        }
    }
    /* read whole again, the same write takes */
    FL = before;
    power_on(&s);
    CHECK(dw_store_write(&s, DW_SLOT_CONFIG, cfg, DW_CONFIG_LEN));
    CHECK(dw_store_read(&s, DW_SLOT_KEY, got, DW_KEY_LEN) && memcmp(got, K2, DW_KEY_LEN) == 0);
}

/* ---- the whole controller on the A/B store ---- */

static dw_store_t g_store;

static bool store_read_cb(void *ctx, dw_slot_t slot, uint8_t *buf, size_t len)
{
    (void)ctx;
    return dw_store_read(&g_store, slot, buf, len);
}

static bool store_write_cb(void *ctx, dw_slot_t slot, const uint8_t *buf, size_t len)
{
    (void)ctx;
    return dw_store_write(&g_store, slot, buf, len);
}

static fake_t F;
static const uint8_t HN[DW_NONCE_LEN] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

/* HELLO and CHALLENGE on a freshly booted core; returns the host's session and the challenge. */
static void session(dw_core_t *c, host_session_t *hs, uint8_t ch[DW_CHALLENGE_LEN], uint16_t seq)
{
    uint8_t scratch[DW_MAX_FRAME];
    dw_frame_t r;
    wire_t w = host_frame(DW_T_COMMAND, seq, DW_CMD_HELLO, HN, sizeof(HN));
    F.out_len = 0;
    CHECK(dw_rx(c, w.buf, w.len));
    CHECK(find_frame(&F, DW_T_RESPONSE, 0, &r, scratch));
    memcpy(hs->key, K1, DW_KEY_LEN);
    memcpy(hs->mcu_nonce, &r.payload[14], DW_NONCE_LEN);
    memcpy(hs->host_nonce, HN, DW_NONCE_LEN);
    host_session_derive(hs);
    w = host_frame(DW_T_COMMAND, (uint16_t)(seq + 1), DW_CMD_CHALLENGE, NULL, 0);
    F.out_len = 0;
    CHECK(dw_rx(c, w.buf, w.len));
    CHECK(find_frame(&F, DW_T_RESPONSE, 0, &r, scratch));
    memcpy(ch, r.payload, DW_CHALLENGE_LEN);
}

/* SET_CONFIG cut by a power failure at every step of its flash write; the board that boots
 * afterwards still opens the door for its key, with the old or the new config. */
TEST(controller_keeps_its_key_through_a_power_cut_in_set_config)
{
    static flash_t provisioned;
    static dw_core_t c;
    const dw_identity_t id = {{5, 5, 5, 5, 5, 5, 5, 5}, 0x3F};
    dw_io_t io;
    uint8_t cfg[DW_CONFIG_LEN], ch[DW_CHALLENGE_LEN], scratch[DW_MAX_FRAME];
    dw_config_t want = {1234, DW_FAIL_SECURE, 20000, 40000};
    host_session_t hs;
    dw_frame_t r;
    int booted_new = 0, booted_old = 0;

    flash_blank();
    power_on(&g_store);
    CHECK(dw_store_write(&g_store, DW_SLOT_KEY, K1, DW_KEY_LEN));
    provisioned = FL;
    dw_config_pack(&want, cfg);
    for (int op = 0; op < 2; op++) {
        for (size_t i = 0; i < (op == 0 ? N_ERASE_CUTS : N_PROGRAM_CUTS); i++) {
            wire_t w;
            uint8_t pulse[2] = {0xE8, 0x03};
            FL = provisioned;
            power_on(&g_store);
            fake_reset(&F);
            F.auto_random = true;
            io = *fake_io(&F);
            io.store_read = store_read_cb;
            io.store_write = store_write_cb;
            CHECK(dw_init(&c, &io, &id));
            CHECK(c.provisioned);
            session(&c, &hs, ch, 10);
            FL.cut_at = op;
            FL.cut_bytes = op == 0 ? CUT_POINTS_ERASE[i] : program_cut(i);
            w = host_signed(12, DW_CMD_SET_CONFIG, cfg, sizeof(cfg), 1, &hs, ch);
            F.out_len = 0;
            CHECK(dw_rx(&c, w.buf, w.len));
            CHECK(find_frame(&F, DW_T_NAK, 0, &r, scratch) && r.payload[0] == DW_R_STORAGE_FAILURE);

            /* power comes back */
            power_on(&g_store);
            fake_reset(&F);
            F.auto_random = true;
            CHECK(dw_init(&c, &io, &id));
            CHECK(c.provisioned);
            CHECK(dw_config_valid(&c.cfg));
            booted_new += c.cfg.max_pulse_ms == want.max_pulse_ms;
            booted_old += c.cfg.max_pulse_ms == 5000;
            CHECK(c.cfg.max_pulse_ms == want.max_pulse_ms || c.cfg.max_pulse_ms == 5000);
            session(&c, &hs, ch, 20);
            w = host_signed(22, DW_CMD_UNLOCK, pulse, sizeof(pulse), 1, &hs, ch);
            F.out_len = 0;
            CHECK(dw_rx(&c, w.buf, w.len));
            CHECK(find_frame(&F, DW_T_RESPONSE, 0, &r, scratch));
            CHECK(F.relay); /* the key survived: a signed UNLOCK still opens the door */
        }
    }
    /* a cut before the new record's CRC is complete boots the old config, one after boots the new */
    CHECK(booted_old > 0 && booted_new > 0);
}

void run_store_tests(void)
{
    RUN(store_keeps_key_and_config_through_a_power_cut_at_every_step);
    RUN(store_never_erases_the_newest_record);
    RUN(store_refuses_a_write_that_did_not_take_and_keeps_the_old);
    RUN(store_reads_past_an_unreadable_or_garbage_sector);
    RUN(store_reads_a_torn_sector_as_unreadable);
    RUN(store_writes_nothing_while_a_sector_reads_torn);
    RUN(controller_keeps_its_key_through_a_power_cut_in_set_config);
    printf("store: %d power cuts injected, each followed by a boot from what was left\n", g_cuts);
}
