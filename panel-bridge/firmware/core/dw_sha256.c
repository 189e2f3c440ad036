#include "dw_sha256.h"

#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

static void compress(uint32_t h[8], const uint8_t block[DW_SHA256_BLOCK])
{
    uint32_t w[64];
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];

    for (unsigned i = 0; i < 16; i++) {
        w[i] = ((uint32_t)block[4 * i] << 24) | ((uint32_t)block[4 * i + 1] << 16) |
               ((uint32_t)block[4 * i + 2] << 8) | (uint32_t)block[4 * i + 3];
    }
    for (unsigned i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    for (unsigned i = 0; i < 64; i++) {
        uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
    dw_wipe(w, sizeof(w));
}

void dw_sha256_init(dw_sha256_t *s)
{
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(s->h, iv, sizeof(iv));
    s->total_len = 0;
    s->buf_len = 0;
}

void dw_sha256_update(dw_sha256_t *s, const uint8_t *data, size_t len)
{
    s->total_len += len;
    while (len > 0) {
        size_t take = DW_SHA256_BLOCK - s->buf_len;
        if (take > len) {
            take = len;
        }
        memcpy(&s->buf[s->buf_len], data, take);
        s->buf_len += take;
        data += take;
        len -= take;
        if (s->buf_len == DW_SHA256_BLOCK) {
            compress(s->h, s->buf);
            s->buf_len = 0;
        }
    }
}

void dw_sha256_final(dw_sha256_t *s, uint8_t out[DW_SHA256_LEN])
{
    uint64_t bits = s->total_len * 8u;
    uint8_t pad = 0x80;
    uint8_t len_be[8];

    dw_sha256_update(s, &pad, 1);
    pad = 0;
    while (s->buf_len != 56) {
        dw_sha256_update(s, &pad, 1);
    }
    for (unsigned i = 0; i < 8; i++) {
        len_be[i] = (uint8_t)(bits >> (56 - 8 * i));
    }
    dw_sha256_update(s, len_be, 8);
    for (unsigned i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
    dw_wipe(s, sizeof(*s));
}

void dw_hmac_init(dw_hmac_t *h, const uint8_t *key, size_t key_len)
{
    uint8_t k[DW_SHA256_BLOCK];
    uint8_t ikey[DW_SHA256_BLOCK];

    memset(k, 0, sizeof(k));
    if (key_len > DW_SHA256_BLOCK) {
        dw_sha256_init(&h->inner);
        dw_sha256_update(&h->inner, key, key_len);
        dw_sha256_final(&h->inner, k);
    } else if (key_len > 0) {
        memcpy(k, key, key_len);
    }
    for (unsigned i = 0; i < DW_SHA256_BLOCK; i++) {
        ikey[i] = (uint8_t)(k[i] ^ 0x36u);
        h->okey[i] = (uint8_t)(k[i] ^ 0x5cu);
    }
    dw_sha256_init(&h->inner);
    dw_sha256_update(&h->inner, ikey, sizeof(ikey));
    dw_wipe(k, sizeof(k));
    dw_wipe(ikey, sizeof(ikey));
}

void dw_hmac_update(dw_hmac_t *h, const uint8_t *data, size_t len)
{
    dw_sha256_update(&h->inner, data, len);
}

void dw_hmac_final(dw_hmac_t *h, uint8_t out[DW_SHA256_LEN])
{
    uint8_t inner[DW_SHA256_LEN];
    dw_sha256_t outer;

    dw_sha256_final(&h->inner, inner);
    dw_sha256_init(&outer);
    dw_sha256_update(&outer, h->okey, sizeof(h->okey));
    dw_sha256_update(&outer, inner, sizeof(inner));
    dw_sha256_final(&outer, out);
    dw_wipe(inner, sizeof(inner));
    dw_wipe(h, sizeof(*h));
}

bool dw_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    volatile uint8_t diff = 0;
    for (size_t i = 0; i < len; i++) {
        diff |= (uint8_t)(a[i] ^ b[i]);
    }
    return diff == 0;
}

void dw_wipe(void *p, size_t len)
{
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (len-- > 0) {
        *v++ = 0;
    }
}
