/* libFuzzer target: arbitrary bytes into the frame decoder and into the whole controller.
 * The decoder must never read or write out of bounds; the controller must never release the
 * relay for input that was not signed with its key (the fuzzer cannot know the key), and on a
 * board where nothing fails it must never return false. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dw_core.h"
#include "dw_proto.h"

typedef struct {
    uint32_t now;
    uint8_t inputs;
    bool released;
} fz_t;

static bool fz_write(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    return len <= DW_MAX_WIRE;
}
static bool fz_relay(void *ctx, bool released)
{
    ((fz_t *)ctx)->released = released;
    return true;
}
static uint32_t fz_millis(void *ctx)
{
    return ((fz_t *)ctx)->now;
}
static uint8_t fz_inputs(void *ctx)
{
    return ((fz_t *)ctx)->inputs;
}
static bool fz_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0xA5, len);
    return true;
}
static bool fz_read(void *ctx, dw_slot_t slot, uint8_t *buf, size_t len)
{
    (void)ctx;
    if (slot == DW_SLOT_KEY) {
        memset(buf, 0x77, len);
        return true;
    }
    return false;
}
static bool fz_store(void *ctx, dw_slot_t slot, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)slot;
    (void)buf;
    (void)len;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t scratch[DW_MAX_FRAME];
    static dw_core_t core;
    dw_frame_t f;
    fz_t fz = {1000, 0, false};
    dw_io_t io = {
        .ctx = &fz,
        .write = fz_write,
        .set_relay = fz_relay,
        .millis = fz_millis,
        .read_inputs = fz_inputs,
        .random = fz_random,
        .store_read = fz_read,
        .store_write = fz_store,
    };
    dw_identity_t id = {{0}, 0x3F};
    dw_reason_t r = dw_frame_decode(data, size, scratch, &f);

    if (r == DW_OK && (size_t)f.hdr.length + DW_HEADER_LEN + DW_CRC_LEN > DW_MAX_FRAME) {
        abort();
    }
    if (!dw_init(&core, &io, &id)) {
        abort();
    }
    /* the input is a byte stream; every 64th byte also advances the clock and ticks */
    for (size_t i = 0; i < size; i += 64) {
        size_t n = size - i < 64 ? size - i : 64;
        /* nothing on this board fails, so neither may the core: any input is answered or dropped */
        if (!dw_rx(&core, &data[i], n)) {
            fprintf(stderr, "dw_rx: %s\n", dw_error(&core));
            abort();
        }
        fz.now += data[i];
        if (!dw_tick(&core)) {
            fprintf(stderr, "dw_tick: %s\n", dw_error(&core));
            abort();
        }
        if (fz.released) {
            abort(); /* no unsigned input may open the door */
        }
    }
    return 0;
}
