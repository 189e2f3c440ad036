#!/usr/bin/env python3
"""Turn panel-bridge/vectors/vectors.json (the single source of truth) into a C header the host
tests compile in. Hex stays hex: the test decodes it, so this script has no protocol knowledge."""
import json
import sys


def s(v):
    return "NULL" if v is None else '"' + v + '"'


def main(src, dst):
    v = json.load(open(src))
    o = ["/* Generated from vectors.json by vectors_to_header.py; do not edit. */",
         "#include <stddef.h>", ""]
    o.append("static const struct { const char *name, *input, *crc; } CRC_VECTORS[] = {")
    o += ["    {%s, %s, %s}," % (s(c["name"]), s(c["input"]), s(c["crc"])) for c in v["crc"]]
    o.append("};")
    o.append("static const struct { const char *name, *decoded, *encoded; } COBS_VECTORS[] = {")
    o += ["    {%s, %s, %s}," % (s(c["name"]), s(c["decoded"]), s(c["encoded"])) for c in v["cobs"]]
    o.append("};")
    o.append("static const struct { const char *name, *encoded; } COBS_INVALID[] = {")
    o += ["    {%s, %s}," % (s(c["name"]), s(c["encoded"])) for c in v["cobs_invalid"]]
    o.append("};")
    o.append("static const struct { const char *name, *key, *data, *mac; } HMAC_VECTORS[] = {")
    o += ["    {%s, %s, %s, %s}," % (s(c["name"]), s(c["key"]), s(c["data"]), s(c["mac"])) for c in v["hmac_sha256"]]
    o.append("};")
    o.append("static const struct { const char *name, *key, *mcu_nonce, *host_nonce, *mcu_key; } SESSION_KEYS[] = {")
    o += ["    {%s, %s, %s, %s, %s}," % (s(c["name"]), s(c["key"]), s(c["mcu_nonce"]), s(c["host_nonce"]),
                                      s(c["mcu_key"])) for c in v["session_keys"]]
    o.append("};")
    o.append("static const struct { const char *name, *key, *mcu_nonce, *host_nonce, *challenge; unsigned long counter; const char *header, *body, *tag; } COMMAND_TAGS[] = {")
    o += ["    {%s, %s, %s, %s, %s, %dUL, %s, %s, %s}," % (s(c["name"]), s(c["key"]), s(c["mcu_nonce"]), s(c["host_nonce"]),
                                                       s(c["challenge"]), c["counter"], s(c["header"]), s(c["body"]),
                                                       s(c["tag"])) for c in v["command_tags"]]
    o.append("};")
    o.append("static const struct { const char *name; int kind; const char *mcu_key; unsigned long counter; long request_crc; const char *header, *body, *tag; } MCU_TAGS[] = {")
    o += ["    {%s, %d, %s, %dUL, %dL, %s, %s, %s}," % (s(c["name"]), c["kind"], s(c["mcu_key"]), c["counter"],
                                                    -1 if c["request_crc"] is None else c["request_crc"],
                                                    s(c["header"]), s(c["body"]), s(c["tag"])) for c in v["mcu_tags"]]
    o.append("};")
    o.append("static const struct { const char *name; unsigned long seq; const char *key, *config, *page; } STORE_RECORDS[] = {")
    o += ["    {%s, %dUL, %s, %s, %s}," % (s(c["name"]), c["seq"], s(c["key"]), s(c["config"]), s(c["page"]))
          for c in v["store_records"]]
    o.append("};")
    o.append("static const struct { const char *name; int type, flags, seq, cmd; const char *payload, *raw, *wire; } FRAME_VECTORS[] = {")
    o += ["    {%s, %d, %d, %d, %d, %s, %s, %s}," % (s(c["name"]), c["type"], c["flags"], c["seq"], c["cmd"],
                                                  s(c["payload"]), s(c["raw"]), s(c["wire"])) for c in v["frames"]]
    o.append("};")
    o.append("static const struct { const char *name, *chunk; int code; const char *mcu_reply; } MALFORMED_VECTORS[] = {")
    o += ["    {%s, %s, %d, %s}," % (s(c["name"]), s(c["chunk"]), c["code"], s(c["mcu_reply"])) for c in v["malformed"]]
    o.append("};")
    o.append("#define MAX_EXPECT 4")
    o.append("typedef struct { unsigned long at_ms; int inputs; const char *host; int relay; int n_expect; const char *expect[MAX_EXPECT]; } vec_step_t;")
    o.append("#define MAX_RANDOM 8")
    o.append("typedef struct { const char *name, *key; int provisioned; const char *random[MAX_RANDOM]; unsigned long boot_ms; int inputs, releases; size_t n_steps; const vec_step_t *steps; } vec_exchange_t;")
    for i, ex in enumerate(v["exchanges"]):
        o.append("static const vec_step_t EX%d_STEPS[] = {" % i)
        for st in ex["steps"]:
            assert len(st["expect"]) <= 4
            exp = ", ".join(s(e) for e in st["expect"]) or "NULL"
            o.append("    {%dUL, %d, %s, %d, %d, {%s}}," % (st["at_ms"], st.get("inputs", -1), s(st["host"]),
                                                     1 if st["relay"] else 0, len(st["expect"]), exp))
        o.append("};")
    o.append("static const vec_exchange_t EXCHANGES[] = {")
    for i, ex in enumerate(v["exchanges"]):
        assert len(ex["random"]) <= 8
        nonces = ", ".join(s(n) for n in ex["random"])
        o.append("    {%s, %s, %d, {%s}, %dUL, %d, %d, sizeof(EX%d_STEPS) / sizeof(EX%d_STEPS[0]), EX%d_STEPS}," % (
            s(ex["name"]), s(ex["key"]), 1 if ex["provisioned"] else 0, nonces, ex["boot_ms"], ex["inputs"],
            ex["releases"], i, i, i))
    o.append("};")
    o.append("#define VEC_COUNT(a) (sizeof(a) / sizeof((a)[0]))")
    open(dst, "w").write("\n".join(o) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
