/* Small SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104), written for this project and placed
 * in the public domain. Constant memory, no allocation; tested against RFC 4231. */
#ifndef DW_SHA256_H
#define DW_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dw_check.h"

#define DW_SHA256_LEN 32u
#define DW_SHA256_BLOCK 64u

typedef struct {
    uint32_t h[8];
    uint64_t total_len;
    uint8_t buf[DW_SHA256_BLOCK];
    size_t buf_len;
} dw_sha256_t;

typedef struct {
    dw_sha256_t inner;
    uint8_t okey[DW_SHA256_BLOCK];
} dw_hmac_t;

void dw_sha256_init(dw_sha256_t *s);
void dw_sha256_update(dw_sha256_t *s, const uint8_t *data, size_t len);
void dw_sha256_final(dw_sha256_t *s, uint8_t out[DW_SHA256_LEN]);

void dw_hmac_init(dw_hmac_t *h, const uint8_t *key, size_t key_len);
void dw_hmac_update(dw_hmac_t *h, const uint8_t *data, size_t len);
void dw_hmac_final(dw_hmac_t *h, uint8_t out[DW_SHA256_LEN]);

/* True when a and b are equal; the time taken depends only on len. */
DW_MUST_CHECK bool dw_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);

/* Overwrites secrets in a way the optimiser may not remove. */
void dw_wipe(void *p, size_t len);

#endif
