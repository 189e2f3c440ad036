/* Emulator glue: the door controller core on qemu-system-arm -M mps2-an385, speaking the
 * protocol on CMSDK UART0 (exposed by QEMU as -serial tcp:...). The emulated board has no
 * inputs, relay or entropy source, so this image:
 *   - boots in set-up mode (as if the set-up button were held), so a test can provision a key
 *     over the wire; there is still no default key;
 *   - keeps the key and config in RAM (lost on reset);
 *   - draws nonces from a SHA-256 DRBG seeded with UART/clock timing jitter. That is fine for an
 *     emulator and NOT acceptable on hardware: the RP2040 glue uses the ring-oscillator bits. */
#include <stdint.h>
#include <string.h>

#include "dw_core.h"
#include "dw_sha256.h"

#define UART0_BASE 0x40004000u
#define UART_DATA (*(volatile uint32_t *)(UART0_BASE + 0x00u))
#define UART_STATE (*(volatile uint32_t *)(UART0_BASE + 0x04u))
#define UART_CTRL (*(volatile uint32_t *)(UART0_BASE + 0x08u))
#define UART_BAUDDIV (*(volatile uint32_t *)(UART0_BASE + 0x10u))
#define UART_STATE_TX_FULL 0x1u
#define UART_STATE_RX_FULL 0x2u

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYSCLK_HZ 25000000u

static volatile uint32_t g_ms;
static uint32_t g_jitter;
static bool g_relay;
static bool g_booted;
static uint8_t g_key[DW_KEY_LEN];
static bool g_key_set;
static uint8_t g_cfg[DW_CONFIG_LEN];
static bool g_cfg_set;
static uint8_t g_drbg[DW_SHA256_LEN];
static uint32_t g_drbg_n;

void dw_systick_handler(void)
{
    g_ms++;
}

static bool io_write(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) {
        while (UART_STATE & UART_STATE_TX_FULL) {
        }
        UART_DATA = buf[i];
    }
    return true;
}

static bool io_relay(void *ctx, bool released)
{
    (void)ctx;
    g_relay = released; /* no relay on the emulated board; RELAY events report it */
    return true;
}

static uint32_t io_millis(void *ctx)
{
    (void)ctx;
    return g_ms;
}

static uint8_t io_inputs(void *ctx)
{
    (void)ctx;
    if (!g_booted) {
        g_booted = true;
        return DW_IN_SETUP_BUTTON; /* sampled once by dw_init: enter set-up mode */
    }
    return 0;
}

static bool io_random(void *ctx, uint8_t *buf, size_t len)
{
    uint8_t block[DW_SHA256_LEN];
    dw_sha256_t s;
    uint8_t mix[8];
    (void)ctx;
    dw_put_u32(mix, g_jitter ^ SYST_CVR);
    dw_put_u32(&mix[4], ++g_drbg_n);
    dw_sha256_init(&s);
    dw_sha256_update(&s, g_drbg, sizeof(g_drbg));
    dw_sha256_update(&s, mix, sizeof(mix));
    dw_sha256_final(&s, g_drbg);
    for (size_t off = 0; off < len; off += DW_SHA256_LEN) {
        size_t n = len - off < DW_SHA256_LEN ? len - off : DW_SHA256_LEN;
        dw_sha256_init(&s);
        dw_sha256_update(&s, g_drbg, sizeof(g_drbg));
        dw_sha256_update(&s, (const uint8_t *)"out", 3);
        dw_sha256_final(&s, block);
        memcpy(&buf[off], block, n);
        dw_sha256_init(&s);
        dw_sha256_update(&s, block, sizeof(block));
        dw_sha256_final(&s, g_drbg);
    }
    dw_wipe(block, sizeof(block));
    return true;
}

static bool io_store_read(void *ctx, dw_slot_t slot, uint8_t *buf, size_t len)
{
    (void)ctx;
    if (slot == DW_SLOT_KEY && g_key_set && len == sizeof(g_key)) {
        memcpy(buf, g_key, len);
        return true;
    }
    if (slot == DW_SLOT_CONFIG && g_cfg_set && len == sizeof(g_cfg)) {
        memcpy(buf, g_cfg, len);
        return true;
    }
    return false;
}

static bool io_store_write(void *ctx, dw_slot_t slot, const uint8_t *buf, size_t len)
{
    (void)ctx;
    if (slot == DW_SLOT_KEY && len == sizeof(g_key)) {
        memcpy(g_key, buf, len);
        g_key_set = true;
        return true;
    }
    if (slot == DW_SLOT_CONFIG && len == sizeof(g_cfg)) {
        memcpy(g_cfg, buf, len);
        g_cfg_set = true;
        return true;
    }
    return false;
}

static dw_core_t g_core;

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
    static const dw_identity_t id = {
        .device_id = {'Q', 'E', 'M', 'U', 0, 0, 0, 1},
        .capabilities = DW_CAP_RELAY | DW_CAP_DOOR | DW_CAP_EXIT | DW_CAP_TAMPER | DW_CAP_SETUP_BUTTON,
    };

    UART_BAUDDIV = SYSCLK_HZ / 115200u;
    UART_CTRL = 0x3u; /* TX and RX enable */
    SYST_RVR = SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 0x7u; /* processor clock, interrupt, enable */

    /* As on the RP2040: the loop goes on after a false, saying why (its io never fails, so a
     * false here is the core refusing something, already answered on the wire). */
    if (!dw_init(&g_core, &io, &id)) {
        dw_error_noted(&g_core, "boot: relay driven locked first");
    }
    for (;;) {
        g_jitter = g_jitter * 1664525u + 1013904223u + SYST_CVR;
        while (UART_STATE & UART_STATE_RX_FULL) {
            uint8_t b = (uint8_t)UART_DATA;
            if (!dw_rx(&g_core, &b, 1)) {
                dw_error_noted(&g_core, "rx: refused release left locked; host retries");
            }
        }
        if (!dw_tick(&g_core)) {
            dw_error_noted(&g_core, "tick: unsent event resent next tick");
        }
    }
}
