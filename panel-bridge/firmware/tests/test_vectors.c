/* Every entry of panel-bridge/vectors/vectors.json, through the C code. */
#include "harness.h"
#include "tests.h"
#include "dw_store.h"
#include "vectors.h"

TEST(crc_vectors)
{
    uint8_t buf[512];
    uint8_t want[2];
    for (size_t i = 0; i < VEC_COUNT(CRC_VECTORS); i++) {
        size_t n = hex_decode(CRC_VECTORS[i].input, buf, sizeof(buf));
        hex_decode(CRC_VECTORS[i].crc, want, sizeof(want));
        CHECK_EQ(dw_crc16(buf, n), (want[0] << 8) | want[1]);
    }
}

TEST(cobs_vectors)
{
    uint8_t dec[512], enc[512], out[512];
    size_t out_len = 0;
    for (size_t i = 0; i < VEC_COUNT(COBS_VECTORS); i++) {
        size_t dn = hex_decode(COBS_VECTORS[i].decoded, dec, sizeof(dec));
        size_t en = hex_decode(COBS_VECTORS[i].encoded, enc, sizeof(enc));
        CHECK(dw_cobs_encode(dec, dn, out, sizeof(out), &out_len));
        CHECK(bytes_eq_hex(out, out_len, COBS_VECTORS[i].encoded, COBS_VECTORS[i].name));
        /* exact-size buffer must be enough, one byte less must be refused */
        CHECK(dw_cobs_encode(dec, dn, out, en, &out_len));
        CHECK(!dw_cobs_encode(dec, dn, out, en - 1, &out_len));
        CHECK(dw_cobs_decode(enc, en, out, sizeof(out), &out_len));
        CHECK(bytes_eq_hex(out, out_len, COBS_VECTORS[i].decoded, COBS_VECTORS[i].name));
        if (dn > 0) {
            CHECK(!dw_cobs_decode(enc, en, out, dn - 1, &out_len));
        }
    }
    for (size_t i = 0; i < VEC_COUNT(COBS_INVALID); i++) {
        size_t en = hex_decode(COBS_INVALID[i].encoded, enc, sizeof(enc));
        CHECK(!dw_cobs_decode(enc, en, out, sizeof(out), &out_len));
    }
}

TEST(hmac_vectors)
{
    uint8_t key[256], data[512], mac[DW_SHA256_LEN];
    for (size_t i = 0; i < VEC_COUNT(HMAC_VECTORS); i++) {
        size_t kn = hex_decode(HMAC_VECTORS[i].key, key, sizeof(key));
        size_t dn = hex_decode(HMAC_VECTORS[i].data, data, sizeof(data));
        dw_hmac_t h;
        dw_hmac_init(&h, key, kn);
        /* feed in two uneven pieces to exercise block buffering */
        dw_hmac_update(&h, data, dn / 3);
        dw_hmac_update(&h, &data[dn / 3], dn - dn / 3);
        dw_hmac_final(&h, mac);
        CHECK(bytes_eq_hex(mac, sizeof(mac), HMAC_VECTORS[i].mac, HMAC_VECTORS[i].name));
    }
}

TEST(session_key_vectors)
{
    for (size_t i = 0; i < VEC_COUNT(SESSION_KEYS); i++) {
        host_session_t hs;
        hex_decode(SESSION_KEYS[i].key, hs.key, sizeof(hs.key));
        hex_decode(SESSION_KEYS[i].mcu_nonce, hs.mcu_nonce, sizeof(hs.mcu_nonce));
        hex_decode(SESSION_KEYS[i].host_nonce, hs.host_nonce, sizeof(hs.host_nonce));
        host_session_derive(&hs);
        CHECK(bytes_eq_hex(hs.mcu_key, sizeof(hs.mcu_key), SESSION_KEYS[i].mcu_key, SESSION_KEYS[i].name));
    }
}

/* A command tag as the core checks it: the whole frame through dw_rx would need a live
 * challenge, so the exchanges cover that; here the MAC input itself, byte for byte. */
TEST(command_tag_vectors)
{
    uint8_t hdr[DW_HEADER_LEN], body[64], challenge[DW_CHALLENGE_LEN], scratch[DW_MAX_FRAME];
    for (size_t i = 0; i < VEC_COUNT(COMMAND_TAGS); i++) {
        host_session_t hs;
        dw_frame_t f;
        dw_header_t h;
        wire_t w;
        hex_decode(COMMAND_TAGS[i].key, hs.key, sizeof(hs.key));
        hex_decode(COMMAND_TAGS[i].mcu_nonce, hs.mcu_nonce, sizeof(hs.mcu_nonce));
        hex_decode(COMMAND_TAGS[i].host_nonce, hs.host_nonce, sizeof(hs.host_nonce));
        hex_decode(COMMAND_TAGS[i].challenge, challenge, sizeof(challenge));
        hex_decode(COMMAND_TAGS[i].header, hdr, sizeof(hdr));
        size_t bn = hex_decode(COMMAND_TAGS[i].body, body, sizeof(body));
        h = (dw_header_t){hdr[0], hdr[1], hdr[2], dw_get_u16(&hdr[3]), hdr[5], dw_get_u16(&hdr[6])};
        w = host_signed(h.seq, h.cmd, body, bn, (uint32_t)COMMAND_TAGS[i].counter, &hs, challenge);
        CHECK_EQ(dw_frame_decode(w.buf, w.len - 1, scratch, &f), DW_OK);
        CHECK(bytes_eq_hex(f.raw, DW_HEADER_LEN, COMMAND_TAGS[i].header, COMMAND_TAGS[i].name));
        CHECK(bytes_eq_hex(&f.payload[bn + 4], DW_TAG_LEN, COMMAND_TAGS[i].tag, COMMAND_TAGS[i].name));
    }
}

TEST(mcu_tag_vectors)
{
    uint8_t raw[DW_MAX_FRAME], scratch[DW_MAX_FRAME], tag[DW_TAG_LEN];
    for (size_t i = 0; i < VEC_COUNT(MCU_TAGS); i++) {
        host_session_t hs;
        dw_frame_t f;
        uint32_t counter = 0;
        size_t hn = hex_decode(MCU_TAGS[i].header, raw, sizeof(raw));
        size_t bn = hex_decode(MCU_TAGS[i].body, &raw[hn], sizeof(raw) - hn);
        size_t enc = 0;
        uint8_t wirebuf[DW_MAX_WIRE];
        hex_decode(MCU_TAGS[i].mcu_key, hs.mcu_key, sizeof(hs.mcu_key));
        hex_decode(MCU_TAGS[i].tag, tag, sizeof(tag));
        dw_put_u32(&raw[hn + bn], (uint32_t)MCU_TAGS[i].counter);
        memcpy(&raw[hn + bn + 4], tag, DW_TAG_LEN);
        dw_put_u16(&raw[hn + bn + DW_AUTH_LEN], dw_crc16(raw, hn + bn + DW_AUTH_LEN));
        CHECK(dw_cobs_encode(raw, hn + bn + DW_AUTH_LEN + 2, wirebuf, sizeof(wirebuf), &enc));
        CHECK_EQ(dw_frame_decode(wirebuf, enc, scratch, &f), DW_OK);
        CHECK_EQ(f.hdr.type == DW_T_EVENT ? 3 : 2, MCU_TAGS[i].kind);
        CHECK(host_verify(&hs, &f, (uint16_t)(MCU_TAGS[i].request_crc < 0 ? 0 : MCU_TAGS[i].request_crc), &counter));
        CHECK_EQ(counter, MCU_TAGS[i].counter);
        if (MCU_TAGS[i].request_crc >= 0) {
            /* an answer is bound to its request: another request CRC does not verify */
            CHECK(!host_verify(&hs, &f, (uint16_t)(MCU_TAGS[i].request_crc ^ 1), &counter));
        }
    }
}

TEST(store_record_vectors)
{
    uint8_t page[DW_STORE_PAGE];
    for (size_t i = 0; i < VEC_COUNT(STORE_RECORDS); i++) {
        dw_record_t r, back;
        memset(&r, 0, sizeof(r));
        r.seq = (uint32_t)STORE_RECORDS[i].seq;
        r.has_key = STORE_RECORDS[i].key != NULL;
        r.has_cfg = STORE_RECORDS[i].config != NULL;
        if (r.has_key) {
            hex_decode(STORE_RECORDS[i].key, r.key, sizeof(r.key));
        }
        if (r.has_cfg) {
            hex_decode(STORE_RECORDS[i].config, r.cfg, sizeof(r.cfg));
        }
        dw_record_encode(&r, page);
        CHECK(bytes_eq_hex(page, sizeof(page), STORE_RECORDS[i].page, STORE_RECORDS[i].name));
        CHECK(dw_record_decode(page, sizeof(page), &back));
        CHECK_EQ(back.seq, r.seq);
        CHECK_EQ(back.has_key, r.has_key);
        CHECK_EQ(back.has_cfg, r.has_cfg);
        page[20] ^= 0x01; /* one flipped bit anywhere in the record: refused */
        CHECK(!dw_record_decode(page, sizeof(page), &back));
    }
    CHECK_EQ(dw_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
}

TEST(frame_vectors)
{
    uint8_t payload[DW_MAX_PAYLOAD], wire[DW_MAX_WIRE], scratch[DW_MAX_FRAME];
    size_t wire_len = 0;
    for (size_t i = 0; i < VEC_COUNT(FRAME_VECTORS); i++) {
        dw_frame_t f;
        size_t pn = hex_decode(FRAME_VECTORS[i].payload, payload, sizeof(payload));
        dw_header_t h = {DW_PROTO_VERSION, (uint8_t)FRAME_VECTORS[i].type, (uint8_t)FRAME_VECTORS[i].flags,
                         (uint16_t)FRAME_VECTORS[i].seq, (uint8_t)FRAME_VECTORS[i].cmd, 0};
        CHECK(dw_frame_encode(&h, payload, pn, wire, sizeof(wire), &wire_len));
        CHECK(bytes_eq_hex(wire, wire_len, FRAME_VECTORS[i].wire, FRAME_VECTORS[i].name));
        CHECK_EQ(dw_frame_decode(wire, wire_len - 1, scratch, &f), DW_OK);
        CHECK(bytes_eq_hex(scratch, DW_HEADER_LEN + pn + DW_CRC_LEN, FRAME_VECTORS[i].raw, FRAME_VECTORS[i].name));
        CHECK_EQ(f.hdr.type, FRAME_VECTORS[i].type);
        CHECK_EQ(f.hdr.seq, FRAME_VECTORS[i].seq);
        CHECK_EQ(f.hdr.cmd, FRAME_VECTORS[i].cmd);
        CHECK_EQ(f.hdr.length, pn);
    }
}

TEST(malformed_vectors)
{
    uint8_t chunk[256], scratch[DW_MAX_FRAME];
    for (size_t i = 0; i < VEC_COUNT(MALFORMED_VECTORS); i++) {
        dw_frame_t f;
        size_t n = hex_decode(MALFORMED_VECTORS[i].chunk, chunk, sizeof(chunk));
        dw_reason_t r = dw_frame_decode(chunk, n, scratch, &f);
        if ((int)r != MALFORMED_VECTORS[i].code) {
            fprintf(stderr, "  malformed vector %s\n", MALFORMED_VECTORS[i].name);
        }
        CHECK_EQ(r, MALFORMED_VECTORS[i].code);
    }
}

/* The controller's reply (or silence) to each malformed chunk, delivered through the stream. */
TEST(malformed_replies)
{
    static fake_t f;
    uint8_t chunk[256];
    for (size_t i = 0; i < VEC_COUNT(MALFORMED_VECTORS); i++) {
        dw_core_t c;
        dw_identity_t id = {{0x44, 0x57, 0x52, 0x44, 0, 0, 0, 1}, 0x3F};
        uint8_t zero = 0;
        size_t n = hex_decode(MALFORMED_VECTORS[i].chunk, chunk, sizeof(chunk));
        fake_reset(&f);
        CHECK(dw_init(&c, fake_io(&f), &id));
        fake_clear_out(&f);
        CHECK(dw_rx(&c, chunk, n));
        CHECK(dw_rx(&c, &zero, 1));
        if (MALFORMED_VECTORS[i].mcu_reply == NULL) {
            CHECK_EQ(f.out_len, 0);
        } else {
            CHECK(bytes_eq_hex(f.out, f.out_len, MALFORMED_VECTORS[i].mcu_reply, MALFORMED_VECTORS[i].name));
        }
        /* on the stream a 0x00 inside a chunk is a delimiter, so it makes two bad chunks; an
         * empty chunk is resynchronisation, not an error */
        {
            int pieces = 0;
            for (size_t k = 0; k < n; k++) {
                pieces += (chunk[k] != 0 && (k == 0 || chunk[k - 1] == 0)) ? 1 : 0;
            }
            CHECK_EQ(c.counters.rx_errors, pieces);
        }
    }
}

static void run_exchange(const vec_exchange_t *ex)
{
    static fake_t f;
    dw_core_t c;
    dw_identity_t id = {{0x44, 0x57, 0x52, 0x44, 0, 0, 0, 1}, 0x3F};

    fake_reset(&f);
    if (ex->key != NULL && ex->provisioned) {
        hex_decode(ex->key, f.key, sizeof(f.key));
        f.key_stored = true;
    }
    for (int i = 0; i < MAX_RANDOM && ex->random[i] != NULL; i++) {
        hex_decode(ex->random[i], f.nonces[i], DW_NONCE_LEN);
        f.n_nonces++;
    }
    f.now = (uint32_t)ex->boot_ms;
    f.inputs = (uint8_t)ex->inputs;
    for (size_t s = 0; s < ex->n_steps; s++) {
        const vec_step_t *st = &ex->steps[s];
        const uint8_t *starts[FAKE_MAX_FRAMES];
        size_t lens[FAKE_MAX_FRAMES];
        size_t n;

        fake_clear_out(&f);
        f.now = (uint32_t)st->at_ms;
        if (st->inputs >= 0) {
            f.inputs = (uint8_t)st->inputs;
        }
        if (s == 0) {
            CHECK(dw_init(&c, fake_io(&f), &id));
        } else {
            if (st->host != NULL) {
                uint8_t wire[DW_MAX_WIRE];
                size_t wn = hex_decode(st->host, wire, sizeof(wire));
                CHECK(dw_rx(&c, wire, wn));
            }
            CHECK(dw_tick(&c));
        }
        n = fake_frames(&f, starts, lens, FAKE_MAX_FRAMES);
        if ((int)n != st->n_expect) {
            fprintf(stderr, "  exchange %s step %zu (t=%lu): %zu frames, expected %d\n", ex->name, s, st->at_ms, n,
                    st->n_expect);
        }
        CHECK_EQ(n, st->n_expect);
        for (size_t k = 0; k < n && (int)k < st->n_expect; k++) {
            char what[96];
            snprintf(what, sizeof(what), "%s step %zu frame %zu", ex->name, s, k);
            CHECK(bytes_eq_hex(starts[k], lens[k], st->expect[k], what));
        }
        CHECK_EQ(f.relay, st->relay);
        CHECK_EQ(c.relay, st->relay);
    }
    CHECK_EQ(f.releases, ex->releases);
    CHECK(dw_error(&c) == NULL);
}

TEST(exchange_vectors)
{
    for (size_t i = 0; i < VEC_COUNT(EXCHANGES); i++) {
        run_exchange(&EXCHANGES[i]);
    }
}

void run_vector_tests(void)
{
    RUN(crc_vectors);
    RUN(cobs_vectors);
    RUN(hmac_vectors);
    RUN(session_key_vectors);
    RUN(command_tag_vectors);
    RUN(mcu_tag_vectors);
    RUN(store_record_vectors);
    RUN(frame_vectors);
    RUN(malformed_vectors);
    RUN(malformed_replies);
    RUN(exchange_vectors);
}
