/* A byte ring for the transports (USB CDC and UART): single producer, single consumer, both in
 * the main loop. Capacity is a power of two; one slot stays empty. */
#ifndef DW_RP2040_RING_H
#define DW_RP2040_RING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dw_check.h"

typedef struct {
    uint8_t *buf;
    uint16_t mask;
    uint16_t head; /* next write */
    uint16_t tail; /* next read */
} ring_t;

#define RING_INIT(storage) {(storage), (uint16_t)(sizeof(storage) - 1u), 0u, 0u}

static inline size_t ring_used(const ring_t *r)
{
    return (size_t)((r->head - r->tail) & r->mask);
}

static inline size_t ring_free(const ring_t *r)
{
    return (size_t)r->mask - ring_used(r);
}

/* All or nothing: a frame is never half queued. */
DW_MUST_CHECK static inline bool ring_put(ring_t *r, const uint8_t *data, size_t len)
{
    if (len > ring_free(r)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        r->buf[r->head] = data[i];
        r->head = (uint16_t)((r->head + 1u) & r->mask);
    }
    return true;
}

static inline size_t ring_get(ring_t *r, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (n < cap && r->tail != r->head) {
        out[n++] = r->buf[r->tail];
        r->tail = (uint16_t)((r->tail + 1u) & r->mask);
    }
    return n;
}

static inline void ring_clear(ring_t *r)
{
    r->tail = r->head;
}
#endif
