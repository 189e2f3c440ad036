/* A stream that fails after N bytes (nanopb's tests/io_errors): a test wraps a boundary's byte
 * callback in one, arms it with a budget, and runs every N from 0 to the whole message. The
 * bytes within the budget go through; the rest are lost and the callback returns false, as a
 * link that dies in the middle of a frame or a flash that stops part way would. Zeroed, it is
 * unarmed and lets everything through. */
#ifndef DW_FAULT_STREAM_H
#define DW_FAULT_STREAM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    bool armed;
    size_t budget; /* bytes it lets through in all */
    size_t used;   /* bytes let through so far */
    bool failed;   /* it has refused some */
} fault_stream_t;

static inline void fault_arm(fault_stream_t *s, size_t budget)
{
    *s = (fault_stream_t){.armed = true, .budget = budget};
}

/* How many of len bytes go through; fewer than len marks the stream failed. */
static inline size_t fault_pass(fault_stream_t *s, size_t len)
{
    size_t left = s->budget - s->used;
    size_t n = !s->armed || len <= left ? len : left;
    s->used += s->armed ? n : 0u;
    s->failed = s->failed || n < len;
    return n;
}

#endif
