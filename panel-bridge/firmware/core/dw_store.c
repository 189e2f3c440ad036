#include "dw_store.h"

#include <string.h>

#include "dw_sha256.h"

#define FLAG_KEY 0x01u
#define FLAG_CFG 0x02u

/* Keeps the first failure's message; fail() for the callers that return false. */
static void record(dw_store_t *s, const char *msg)
{
    if (s->error == NULL) {
        s->error = msg;
    }
}

static bool fail(dw_store_t *s, const char *msg)
{
    record(s, msg);
    return false;
}

uint32_t dw_crc32(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
    }
    return crc ^ 0xFFFFFFFFu;
}

void dw_record_encode(const dw_record_t *r, uint8_t page[DW_STORE_PAGE])
{
    memset(page, 0xFF, DW_STORE_PAGE);
    dw_put_u32(&page[0], DW_STORE_MAGIC);
    dw_put_u32(&page[4], r->seq);
    page[8] = (uint8_t)((r->has_key ? FLAG_KEY : 0u) | (r->has_cfg ? FLAG_CFG : 0u));
    memset(&page[9], 0, DW_KEY_LEN + DW_CONFIG_LEN);
    if (r->has_key) {
        memcpy(&page[9], r->key, DW_KEY_LEN);
    }
    if (r->has_cfg) {
        memcpy(&page[9 + DW_KEY_LEN], r->cfg, DW_CONFIG_LEN);
    }
    dw_put_u32(&page[DW_STORE_RECORD_LEN - 4u], dw_crc32(page, DW_STORE_RECORD_LEN - 4u));
}

bool dw_record_decode(const uint8_t *b, size_t len, dw_record_t *r)
{
    memset(r, 0, sizeof(*r));
    if (len < DW_STORE_RECORD_LEN || dw_get_u32(&b[0]) != DW_STORE_MAGIC || (b[8] & ~(FLAG_KEY | FLAG_CFG)) != 0 ||
        dw_get_u32(&b[DW_STORE_RECORD_LEN - 4u]) != dw_crc32(b, DW_STORE_RECORD_LEN - 4u)) {
        return false;
    }
    r->seq = dw_get_u32(&b[4]);
    r->has_key = (b[8] & FLAG_KEY) != 0;
    r->has_cfg = (b[8] & FLAG_CFG) != 0;
    memcpy(r->key, &b[9], DW_KEY_LEN);
    memcpy(r->cfg, &b[9 + DW_KEY_LEN], DW_CONFIG_LEN);
    return true;
}

bool dw_store_init(dw_store_t *s, const dw_flash_t *flash)
{
    s->flash = flash;
    s->error = NULL;
    if (flash == NULL || flash->erase == NULL || flash->program == NULL || flash->read == NULL) {
        s->flash = NULL;
        return fail(s, "missing flash callback");
    }
    return true;
}

const char *dw_store_error(const dw_store_t *s)
{
    return s->error;
}

/* The newest valid record and its sector; false (and *sector = -1) when neither is valid.
 * *all_read says whether both sectors could be read: only then is "newest" certain. */
static bool newest(dw_store_t *s, dw_record_t *best, int *sector, bool *all_read)
{
    uint8_t buf[DW_STORE_RECORD_LEN];
    dw_record_t r;
    *sector = -1;
    *all_read = true;
    for (uint8_t i = 0; i < 2; i++) {
        if (!s->flash->read(s->flash->ctx, i, buf, sizeof(buf))) {
            record(s, "flash read failed");
            *all_read = false;
            continue; /* for a read, the other sector may still hold a good record */
        }
        if (dw_record_decode(buf, sizeof(buf), &r) && (*sector < 0 || r.seq > best->seq)) {
            *best = r;
            *sector = i;
        }
    }
    dw_wipe(buf, sizeof(buf));
    dw_wipe(&r, sizeof(r));
    return *sector >= 0;
}

bool dw_store_read(dw_store_t *s, dw_slot_t slot, uint8_t *buf, size_t len)
{
    dw_record_t r;
    int sector;
    bool all_read;
    bool found = false;

    if (s->flash == NULL) {
        return fail(s, "store not initialised");
    }
    if (newest(s, &r, &sector, &all_read)) {
        if (slot == DW_SLOT_KEY && r.has_key && len == DW_KEY_LEN) {
            memcpy(buf, r.key, len);
            found = true;
        } else if (slot == DW_SLOT_CONFIG && r.has_cfg && len == DW_CONFIG_LEN) {
            memcpy(buf, r.cfg, len);
            found = true;
        }
    }
    dw_wipe(&r, sizeof(r));
    return found;
}

bool dw_store_write(dw_store_t *s, dw_slot_t slot, const uint8_t *buf, size_t len)
{
    uint8_t page[DW_STORE_PAGE];
    dw_record_t r;
    dw_record_t back;
    int sector;
    bool all_read;
    bool found;
    uint8_t target;
    bool ok;

    if (s->flash == NULL) {
        return fail(s, "store not initialised");
    }
    if (!(slot == DW_SLOT_KEY && len == DW_KEY_LEN) && !(slot == DW_SLOT_CONFIG && len == DW_CONFIG_LEN)) {
        return fail(s, "bad slot or length");
    }
    found = newest(s, &r, &sector, &all_read);
    if (!all_read) {
        /* Which record is newest is not known: a write now could erase the newest and carry an
         * older key into the new record. Nothing is written. */
        dw_wipe(&r, sizeof(r));
        return fail(s, "flash read failed");
    }
    if (!found) {
        memset(&r, 0, sizeof(r));
    } else if (r.seq == 0xFFFFFFFFu) {
        dw_wipe(&r, sizeof(r));
        return fail(s, "store sequence exhausted"); /* 4e9 writes: far past the flash's endurance */
    }
    /* Never the sector with the newest valid record: that one is the fallback if power goes now. */
    target = sector == 0 ? 1u : 0u;
    r.seq = sector < 0 ? 1u : r.seq + 1u;
    if (slot == DW_SLOT_KEY) {
        memcpy(r.key, buf, len);
        r.has_key = true;
    } else {
        memcpy(r.cfg, buf, len);
        r.has_cfg = true;
    }
    dw_record_encode(&r, page);
    ok = s->flash->erase(s->flash->ctx, target) || fail(s, "flash erase failed");
    ok = ok && (s->flash->program(s->flash->ctx, target, page) || fail(s, "flash program failed"));
    /* Read back: a program that did not take must not be reported as stored. */
    ok = ok && (s->flash->read(s->flash->ctx, target, page, DW_STORE_RECORD_LEN) || fail(s, "flash read failed"));
    ok = ok && (dw_record_decode(page, DW_STORE_RECORD_LEN, &back) || fail(s, "flash verify failed"));
    ok = ok && ((back.seq == r.seq && back.has_key == r.has_key && back.has_cfg == r.has_cfg &&
                 memcmp(back.key, r.key, DW_KEY_LEN) == 0 && memcmp(back.cfg, r.cfg, DW_CONFIG_LEN) == 0) ||
                fail(s, "flash verify failed"));
    dw_wipe(page, sizeof(page));
    dw_wipe(&r, sizeof(r));
    dw_wipe(&back, sizeof(back));
    return ok;
}
