/* Doorward door controller core: the MCU side of PROTOCOL.md.
 *
 * Portable C11: no HAL, no allocation, every buffer bounded. The target glue fills a dw_io_t
 * with callbacks and calls dw_init() once, dw_rx() with whatever bytes the serial port gave it,
 * and dw_tick() at least every few milliseconds. Every function returns false on failure and
 * the first failure's message stays readable through dw_error() (nanopb style); the compiler
 * makes every caller look at the bool (dw_check.h). A main loop that goes on after a failure
 * says why with dw_error_noted(), never with a (void) cast. */
#ifndef DW_CORE_H
#define DW_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dw_check.h"
#include "dw_proto.h"
#include "dw_sha256.h"

#define DW_FW_MAJOR 2u
#define DW_FW_MINOR 0u
#define DW_FW_PATCH 0u

/* Compile-time ceilings the host can never raise. */
#define DW_HARD_MAX_PULSE_MS 30000u
#define DW_SETUP_MODE_MS 120000u
#define DW_EVENT_RETRY_MS 250u
#define DW_EVENT_MAX_TRIES 4u
#define DW_EVENT_QUEUE 8u
#define DW_EVENT_MAX_PAYLOAD 8u
/* How long a CHALLENGE stays good for one signed command (PROTOCOL.md 2.1). */
#define DW_CHALLENGE_MS 3000u

/* Inputs sampled by read_inputs(); the glue debounces and maps polarity. */
#define DW_IN_DOOR_OPEN 0x01u
#define DW_IN_EXIT_BUTTON 0x02u
#define DW_IN_TAMPER 0x04u
#define DW_IN_SETUP_BUTTON 0x08u

/* State byte (PROTOCOL.md section 4). */
#define DW_S_RELAY 0x01u
#define DW_S_DOOR 0x02u
#define DW_S_TAMPER 0x04u
#define DW_S_LOCKOUT 0x08u
#define DW_S_FAIL 0x10u
#define DW_S_PROVISIONED 0x20u
#define DW_S_SETUP 0x40u
#define DW_S_SESSION 0x80u

#define DW_CAP_RELAY 0x0001u
#define DW_CAP_DOOR 0x0002u
#define DW_CAP_EXIT 0x0004u
#define DW_CAP_TAMPER 0x0008u
#define DW_CAP_SETUP_BUTTON 0x0010u
#define DW_CAP_STORAGE 0x0020u

#define DW_CONFIG_LEN 11u
#define DW_HELLO_LEN 32u
#define DW_STATUS_LEN 32u
#define DW_CHALLENGE_RSP_LEN (DW_CHALLENGE_LEN + 2u)

typedef enum { DW_FAIL_SECURE = 0, DW_FAIL_SAFE = 1 } dw_fail_mode_t;

typedef enum {
    DW_CAUSE_UNLOCK = 1,
    DW_CAUSE_EXIT_BUTTON = 2,
    DW_CAUSE_TIMER = 3,
    DW_CAUSE_LOCK = 4,
    DW_CAUSE_FAIL_SAFE = 5,
    DW_CAUSE_HELLO = 6,
    DW_CAUSE_TAMPER = 7
} dw_relay_cause_t;

typedef enum {
    DW_FAULT_WATCHDOG = 1,
    DW_FAULT_FORCED_DOOR = 2,
    DW_FAULT_HELD_OPEN = 3,
    DW_FAULT_STORAGE = 4
} dw_fault_t;

typedef enum { DW_SLOT_KEY = 0, DW_SLOT_CONFIG = 1 } dw_slot_t;

typedef struct {
    void *ctx;
    /* Queue bytes for the serial port; false if they could not all be queued. */
    DW_MUST_CHECK bool (*write)(void *ctx, const uint8_t *buf, size_t len);
    /* Drive the relay; true = released (door openable). */
    DW_MUST_CHECK bool (*set_relay)(void *ctx, bool released);
    /* Free-running millisecond clock; wraps at 2^32. */
    uint32_t (*millis)(void *ctx);
    /* DW_IN_* bits, debounced. */
    uint8_t (*read_inputs)(void *ctx);
    /* Cryptographic random bytes (hardware TRNG or seeded DRBG). */
    DW_MUST_CHECK bool (*random)(void *ctx, uint8_t *buf, size_t len);
    /* Persistent storage; read returns false when the slot is empty or unreadable. */
    DW_MUST_CHECK bool (*store_read)(void *ctx, dw_slot_t slot, uint8_t *buf, size_t len);
    DW_MUST_CHECK bool (*store_write)(void *ctx, dw_slot_t slot, const uint8_t *buf, size_t len);
    /* Optional diagnostics; may be NULL. Never given secrets. */
    void (*log)(void *ctx, const char *msg);
} dw_io_t;

typedef struct {
    uint8_t device_id[8];
    uint16_t capabilities;
} dw_identity_t;

typedef struct {
    uint16_t max_pulse_ms;
    uint8_t fail_mode;
    uint32_t heartbeat_timeout_ms;
    uint32_t held_open_ms;
} dw_config_t;

typedef struct {
    uint16_t seq;
    uint8_t id;
    uint8_t len;
    uint8_t payload[DW_EVENT_MAX_PAYLOAD];
} dw_event_entry_t;

typedef struct {
    uint16_t rx_errors;
    uint16_t bad_tag;
    uint16_t stale_counter;
    uint16_t no_session;
    uint16_t other_naks;
    uint16_t events_dropped;
} dw_counters_t;

typedef struct {
    const dw_io_t *io;
    dw_identity_t identity;
    const char *error;       /* the first failure since the last dw_error_noted() */
    const char *last_noted;  /* the last failure a caller went on after, for a debugger */
    uint16_t errors_noted;   /* how many (saturating) */

    uint32_t boot_ms;
    uint32_t last_rx_ms;
    dw_config_t cfg;

    uint8_t key[DW_KEY_LEN];
    dw_hmac_t key_mac; /* HMAC state keyed with key: verifies commands, derives K_mcu */
    bool provisioned;
    bool setup_mode;

    bool session_open;
    uint8_t nonce[DW_NONCE_LEN];      /* mcu_nonce */
    uint8_t host_nonce[DW_NONCE_LEN];
    dw_hmac_t mcu_mac;                /* HMAC state keyed with K_mcu: signs what we send */
    uint32_t last_counter;
    uint32_t tx_counter; /* last MCU answer counter used */
    uint32_t ev_counter; /* last MCU event counter used */
    bool challenge_live;
    uint8_t challenge[DW_CHALLENGE_LEN];
    uint32_t challenge_at;

    bool cache_valid;
    uint16_t cache_seq;
    uint16_t cache_crc;
    uint8_t cache[DW_MAX_WIRE];
    size_t cache_len;
    bool tx_torn; /* the last write failed: part of a frame may be on the wire */

    bool relay;
    bool pulse_active;
    uint32_t pulse_until;
    bool fail_active;
    uint8_t last_fail;
    bool lockout;

    uint8_t inputs;
    uint32_t door_opened_at;
    bool held_reported;

    uint8_t rx_buf[DW_MAX_ENCODED];
    size_t rx_len;
    bool rx_overflow;
    uint8_t scratch[DW_MAX_FRAME];

    dw_event_entry_t evq[DW_EVENT_QUEUE];
    uint8_t ev_head;
    uint8_t ev_count;
    uint16_t ev_seq;
    bool ev_in_flight;
    uint32_t ev_sent_at;
    uint8_t ev_tries;

    dw_counters_t counters;
} dw_core_t;

DW_MUST_CHECK bool dw_init(dw_core_t *c, const dw_io_t *io, const dw_identity_t *identity);
DW_MUST_CHECK bool dw_rx(dw_core_t *c, const uint8_t *buf, size_t len);
DW_MUST_CHECK bool dw_tick(dw_core_t *c);

const char *dw_error(const dw_core_t *c);
/* For a caller that goes on after a false on purpose: the main loop, where the core has already
 * left the door locked and what must be retried is retried. `why` says why going on is right.
 * The failure is counted and kept as last_noted, `why` goes to io->log, and the error is cleared
 * so the next failure is kept in its turn. */
void dw_error_noted(dw_core_t *c, const char *why);
uint8_t dw_state(const dw_core_t *c);

/* Config validation shared by SET_CONFIG and boot-time loading. */
DW_MUST_CHECK bool dw_config_valid(const dw_config_t *cfg);
void dw_config_pack(const dw_config_t *cfg, uint8_t out[DW_CONFIG_LEN]);
void dw_config_unpack(const uint8_t in[DW_CONFIG_LEN], dw_config_t *cfg);

#endif
