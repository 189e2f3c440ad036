/* RP2040 glue: pins, entropy, debouncing, the hardware watchdog and the main loop around the
 * portable core. Clocks (clocks.c), host links (host_link.c: USB CDC-ACM and UART0) and the
 * board's identity (unique_id.c) have their own files. Pin map (see panel-bridge/README.md):
 *   GP0/GP1 UART0 TX/RX, the second host link (USB is the first)
 *   GP2  relay driver output, high = released (through a transistor/driver, never directly)
 *   GP3  door contact, input with pull-up: high = open (reed switch closes to GND when shut)
 *   GP4  exit button, pull-up, low = pressed
 *   GP5  tamper loop, pull-up, high = loop broken (tamper)
 *   GP6  set-up button, pull-up, low = pressed (held at power-up enters set-up mode) */
#include <string.h>

#include "clocks.h"
#include "dw_core.h"
#include "dw_sha256.h"
#include "host_link.h"
#include "idle.h"
#include "rp2040_regs.h"
#include "storage_flash.h"
#include "unique_id.h"
#include "watchdog.h"

#define PIN_RELAY 2u
#define PIN_DOOR 3u
#define PIN_EXIT 4u
#define PIN_TAMPER 5u
#define PIN_SETUP 6u
#define DEBOUNCE_MS 20u

typedef struct {
    uint8_t stable;
    uint8_t candidate;
    uint32_t since;
} debounce_t;

static debounce_t g_db;
static dw_core_t g_core;

void dw_systick_handler(void)
{
}

static void gpio_init(void)
{
    static const uint8_t inputs[] = {PIN_DOOR, PIN_EXIT, PIN_TAMPER, PIN_SETUP};
    unreset(RESET_IO_BANK0 | RESET_PADS_BANK0 | RESET_TIMER);
    REG(SIO_BASE + SIO_GPIO_OUT_CLR) = 1u << PIN_RELAY; /* locked before the pin is driven */
    /* input enabled for the read-back in io_relay; the pull-down holds the driver off while the
     * pin floats (reset, boot) - set here rather than trusted from reset values */
    REG(PADS_BANK0_GPIO(PIN_RELAY)) = PADS_IE | PADS_DRIVE_4MA | PADS_PDE | PADS_SCHMITT;
    REG(IO_BANK0_GPIO_CTRL(PIN_RELAY)) = GPIO_FUNC_SIO;
    REG(SIO_BASE + SIO_GPIO_OE_SET) = 1u << PIN_RELAY;
    for (size_t i = 0; i < sizeof(inputs); i++) {
        REG(PADS_BANK0_GPIO(inputs[i])) = PADS_IE | PADS_PUE | PADS_SCHMITT;
        REG(IO_BANK0_GPIO_CTRL(inputs[i])) = GPIO_FUNC_SIO;
    }
}

static uint32_t io_millis(void *ctx)
{
    uint32_t hi, lo, hi2;
    (void)ctx;
    do {
        hi = REG(TIMER_BASE + TIMER_TIMERAWH);
        lo = REG(TIMER_BASE + TIMER_TIMERAWL);
        hi2 = REG(TIMER_BASE + TIMER_TIMERAWH);
    } while (hi != hi2);
    return (uint32_t)((((uint64_t)hi << 32) | lo) / 1000u);
}

static uint8_t sample_inputs(void)
{
    uint32_t in = REG(SIO_BASE + SIO_GPIO_IN);
    uint8_t v = 0;
    v |= (in & (1u << PIN_DOOR)) ? DW_IN_DOOR_OPEN : 0u;
    v |= (in & (1u << PIN_EXIT)) ? 0u : DW_IN_EXIT_BUTTON;
    v |= (in & (1u << PIN_TAMPER)) ? DW_IN_TAMPER : 0u;
    v |= (in & (1u << PIN_SETUP)) ? 0u : DW_IN_SETUP_BUTTON;
    return v;
}

static void debounce_sample(uint32_t now)
{
    uint8_t raw = sample_inputs();
    if (raw != g_db.candidate) {
        g_db.candidate = raw;
        g_db.since = now;
    } else if (now - g_db.since >= DEBOUNCE_MS) {
        g_db.stable = raw;
    }
}

static uint8_t io_inputs(void *ctx)
{
    debounce_sample(io_millis(ctx));
    return g_db.stable;
}

static bool io_relay(void *ctx, bool released)
{
    bool ok;
    (void)ctx;
    REG(SIO_BASE + (released ? SIO_GPIO_OUT_SET : SIO_GPIO_OUT_CLR)) = 1u << PIN_RELAY;
    /* GPIO_IN reaches the SIO through an input synchroniser (SYSCFG PROC_IN_SYNC_BYPASS is 0): give
     * the pad's new level two clk_sys cycles and then some */
    __asm__ volatile("nop\n\tnop\n\tnop\n\tnop" ::: "memory");
    ok = ((REG(SIO_BASE + SIO_GPIO_IN) >> PIN_RELAY) & 1u) == (released ? 1u : 0u);
    if (!ok && released) {
        /* The core keeps its relay state unchanged when this fails, i.e. locked: make the pin
         * agree, or no relock would ever come for a pin left high. */
        REG(SIO_BASE + SIO_GPIO_OUT_CLR) = 1u << PIN_RELAY;
    }
    return ok;
}

/* The ring oscillator's random bit is biased and correlated; 8 raw bits per output bit,
 * hashed with SHA-256, is the usual conditioning for it. */
static bool io_random(void *ctx, uint8_t *buf, size_t len)
{
    uint8_t pool[DW_SHA256_BLOCK];
    uint8_t out[DW_SHA256_LEN];
    dw_sha256_t s;
    (void)ctx;
    for (size_t off = 0; off < len; off += DW_SHA256_LEN) {
        size_t n = len - off < DW_SHA256_LEN ? len - off : DW_SHA256_LEN;
        for (size_t i = 0; i < sizeof(pool); i++) {
            uint8_t b = 0;
            for (int k = 0; k < 8; k++) {
                b = (uint8_t)((b << 1) | (REG(ROSC_BASE + ROSC_RANDOMBIT) & 1u));
            }
            pool[i] = b;
        }
        dw_sha256_init(&s);
        dw_sha256_update(&s, pool, sizeof(pool));
        dw_sha256_final(&s, out);
        memcpy(&buf[off], out, n);
    }
    dw_wipe(pool, sizeof(pool));
    dw_wipe(out, sizeof(out));
    return true;
}

static bool io_write(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    return host_link_write(buf, len);
}

static bool io_store_read(void *ctx, dw_slot_t slot, uint8_t *buf, size_t len)
{
    (void)ctx;
    return storage_read(slot, buf, len);
}

static bool io_store_write(void *ctx, dw_slot_t slot, const uint8_t *buf, size_t len)
{
    (void)ctx;
    return storage_write(slot, buf, len);
}

static void hex(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0Fu];
    }
    out[2 * len] = '\0';
}

int main(void)
{
    static const dw_io_t io = {
        .write = io_write,
        .set_relay = io_relay,
        .millis = io_millis,
        .read_inputs = io_inputs,
        .random = io_random,
        .store_read = io_store_read,
        .store_write = io_store_write,
    };
    dw_identity_t id = {.capabilities = DW_CAP_RELAY | DW_CAP_DOOR | DW_CAP_EXIT | DW_CAP_TAMPER |
                                        DW_CAP_SETUP_BUTTON | DW_CAP_STORAGE};
    char serial[2 * FLASH_UNIQUE_ID_LEN + 1];
    uint8_t rx[64];
    uint32_t start;

    clocks_init();
    gpio_init();
    /* One name for the board everywhere: the flash chip's unique id is the USB serial number
     * (Chromium's Web Serial grant is keyed on it) and the protocol's device id. */
    flash_unique_id(id.device_id);
    hex(id.device_id, sizeof(id.device_id), serial);
    host_link_init(serial);
    idle_init();
    /* Sample the set-up button after the debounce window so dw_init sees a settled value. */
    start = io_millis(NULL);
    while (io_millis(NULL) - start < DEBOUNCE_MS + 2u) {
        debounce_sample(io_millis(NULL));
    }
    /* The hardware watchdog reboots a hung loop; the reboot path drives the relay locked. */
    watchdog_start();
    /* The loop runs whatever the core says: it is the only thing that can lock the door again,
     * answer the host and feed the watchdog. Each false is noted with why going on is right:
     * the core drove the relay locked at boot and on any failed release (the pin too, see
     * io_relay), the host retries a command left unanswered, events are resent until
     * acknowledged, and a relock the pin does not take leaves the state byte saying released,
     * which is then the truth. */
    if (!dw_init(&g_core, &io, &id)) {
        dw_error_noted(&g_core, "boot: relay driven locked first");
    }
    for (;;) {
        size_t n;
        watchdog_feed_for(WATCHDOG_LOOP_MS);
        host_link_poll();
        n = host_link_read(rx, sizeof(rx), io_millis(NULL));
        if (n > 0 && !dw_rx(&g_core, rx, n)) {
            dw_error_noted(&g_core, "rx: refused release left locked; host retries");
        }
        if (!dw_tick(&g_core)) {
            dw_error_noted(&g_core, "tick: unsent event resent next tick");
        }
        idle_wait(host_link_pending);
    }
}
