#!/usr/bin/env python3
"""Generate panel-bridge/vectors/vectors.json from PROTOCOL.md, independently of the C and
TypeScript code: CRC and COBS are written from their definitions and cross-checked against
binascii and the published examples, HMAC comes from Python's hmac/hashlib, and the expected
MCU replies in the exchanges are spelled out by hand from the protocol text.

Run: python3 panel-bridge/vectors/gen_vectors.py  (rewrites vectors.json; the output is
deterministic, so a diff shows any protocol change).
"""
import binascii
import hashlib
import hmac
import json
import os
import struct

VERSION = 1
T_COMMAND, T_RESPONSE, T_EVENT, T_ACK, T_NAK, T_HEARTBEAT = 1, 2, 3, 4, 5, 6
F_AUTH = 0x01
HELLO, STATUS, UNLOCK, LOCK, SET_CONFIG, PROVISION_KEY, HEARTBEAT = 1, 2, 3, 4, 5, 6, 7
EV_BOOT, EV_DOOR, EV_EXIT, EV_TAMPER, EV_RELAY, EV_FAULT = 0x81, 0x82, 0x83, 0x84, 0x85, 0x86
MAX_PAYLOAD = 96
MAX_ENCODED = 107

REASONS = {
    "BAD_CRC": 0x01, "SHORT": 0x02, "BAD_VERSION": 0x03, "LENGTH_MISMATCH": 0x04,
    "OVERSIZE": 0x05, "BAD_COBS": 0x06, "BAD_TYPE": 0x07, "BAD_FLAGS": 0x08,
    "UNKNOWN_COMMAND": 0x10, "BAD_PAYLOAD": 0x11, "AUTH_REQUIRED": 0x12,
    "NOT_PROVISIONED": 0x13, "NO_SESSION": 0x14, "BAD_TAG": 0x15, "STALE_COUNTER": 0x16,
    "COUNTER_EXHAUSTED": 0x17, "LOCKED_OUT": 0x18, "OUT_OF_RANGE": 0x19,
    "NOT_IN_SETUP_MODE": 0x1A, "TAMPER_ACTIVE": 0x1B, "STORAGE_FAILURE": 0x1C,
    "RNG_FAILURE": 0x1D,
}

# State byte bits (PROTOCOL.md section 4)
S_RELAY, S_DOOR, S_TAMPER, S_LOCKOUT, S_FAIL, S_PROV, S_SETUP, S_SESSION = (1 << i for i in range(8))
# Input bits used by the exchanges (glue -> core)
IN_DOOR, IN_EXIT, IN_TAMPER, IN_SETUP = 1, 2, 4, 8

FW = bytes([1, 0, 0])
DEVICE_ID = bytes.fromhex("4457524400000001")
CAPS = 0x003F
KEY = bytes(range(0x00, 0x20))
NONCE_A = bytes(range(0xA0, 0xB0))
NONCE_B = bytes(range(0xB0, 0xC0))
NONCE_C = bytes(range(0xC0, 0xD0))
DEFAULT_CONFIG = (5000, 0, 10000, 30000)


def crc16(data: bytes) -> int:
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def cobs_encode(data: bytes) -> bytes:
    out = bytearray()
    block = bytearray()
    just_full = False  # data that ends on a full 254-byte block gets no trailing 01 code
    for b in data:
        just_full = False
        if b == 0:
            out.append(len(block) + 1)
            out += block
            block = bytearray()
        else:
            block.append(b)
            if len(block) == 254:
                out.append(255)
                out += block
                block = bytearray()
                just_full = True
    if not just_full:
        out.append(len(block) + 1)
        out += block
    return bytes(out)


def cobs_decode(enc: bytes) -> bytes:
    if not enc or 0 in enc:
        raise ValueError("bad cobs")
    out = bytearray()
    i = 0
    while i < len(enc):
        code = enc[i]
        if i + code > len(enc):
            raise ValueError("bad cobs")
        out += enc[i + 1:i + code]
        i += code
        if code < 0xFF and i < len(enc):
            out.append(0)
    return bytes(out)


def raw_frame(ftype, seq, cmd, payload=b"", flags=0, version=VERSION, length=None):
    length = len(payload) if length is None else length
    head = struct.pack("<BBBHBH", version, ftype, flags, seq, cmd, length)
    body = head + payload
    return body + struct.pack("<H", crc16(body))


def wire(raw: bytes) -> bytes:
    return cobs_encode(raw) + b"\x00"


def tag(key, nonce, counter, header, body):
    msg = nonce + struct.pack("<I", counter) + header + body
    return hmac.new(key, msg, hashlib.sha256).digest()[:16]


def signed_command(seq, cmd, body, counter, key=KEY, nonce=NONCE_A):
    length = len(body) + 20
    header = struct.pack("<BBBHBH", VERSION, T_COMMAND, F_AUTH, seq, cmd, length)
    t = tag(key, nonce, counter, header, body)
    return raw_frame(T_COMMAND, seq, cmd, body + struct.pack("<I", counter) + t, flags=F_AUTH)


def config_block(max_pulse, fail_mode, hb, held):
    return struct.pack("<HBII", max_pulse, fail_mode, hb, held)


def hello_payload(nonce, state, last_fail):
    return bytes([VERSION]) + FW + DEVICE_ID + struct.pack("<H", CAPS) + nonce + bytes([state, last_fail])


def status_payload(state, config, rx=0, bad_tag=0, stale=0, no_sess=0, other=0, dropped=0,
                   last_counter=0, uptime=0):
    return (bytes([state]) + config_block(*config) +
            struct.pack("<HHHHHHII", rx, bad_tag, stale, no_sess, other, dropped, last_counter, uptime))


def event(seq, ev, uptime, rest=b""):
    return raw_frame(T_EVENT, seq, ev, struct.pack("<I", uptime) + rest)


def ack(seq, ev):
    return raw_frame(T_ACK, seq, ev)


def nak(seq, cmd, reason):
    return raw_frame(T_NAK, seq, cmd, bytes([REASONS[reason]]))


def response(seq, cmd, payload):
    return raw_frame(T_RESPONSE, seq, cmd, payload)


def hx(b: bytes) -> str:
    return b.hex()


def self_check():
    assert crc16(b"123456789") == 0x29B1
    for sample in (b"", b"\x00", b"doorward", bytes(range(256))):
        assert crc16(sample) == binascii.crc_hqx(sample, 0xFFFF)
    # Published COBS examples (Wikipedia, "Consistent Overhead Byte Stuffing")
    published = [
        ("00", "0101"), ("0000", "010101"), ("00110000", "0102110101"),
        ("11223344", "0511223344"), ("11000000", "0211010101"),
        (bytes(range(1, 255)).hex(), "ff" + bytes(range(1, 255)).hex()),
        (bytes(range(0, 255)).hex(), "01ff" + bytes(range(1, 255)).hex()),
        (bytes(range(1, 256)).hex(), "ff" + bytes(range(1, 255)).hex() + "02ff"),
        (bytes(range(2, 256)).hex() + "00", "ff" + bytes(range(2, 256)).hex() + "0101"),
        (bytes(range(3, 256)).hex() + "0001", "fe" + bytes(range(3, 256)).hex() + "0201"),
    ]
    for dec, enc in published:
        assert cobs_encode(bytes.fromhex(dec)).hex() == enc, dec
        assert cobs_decode(bytes.fromhex(enc)).hex() == dec, enc


# RFC 4231 HMAC-SHA256 test cases 1-4, 6, 7 (case 5 is a truncation test).
RFC4231 = [
    ("rfc4231_1", "0b" * 20, b"Hi There".hex(),
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    ("rfc4231_2", b"Jefe".hex(), b"what do ya want for nothing?".hex(),
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    ("rfc4231_3", "aa" * 20, "dd" * 50,
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    ("rfc4231_4", bytes(range(1, 26)).hex(), "cd" * 50,
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    ("rfc4231_6", "aa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First".hex(),
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ("rfc4231_7", "aa" * 131,
     b"This is a test using a larger than block-size key and a larger than block-size data. "
     b"The key needs to be hashed before being used by the HMAC algorithm.".hex(),
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
]


def build():
    self_check()
    out = {"protocol_version": VERSION, "generated_by": "panel-bridge/vectors/gen_vectors.py"}
    out["constants"] = {"header_len": 8, "crc_len": 2, "max_payload": MAX_PAYLOAD,
                        "max_frame": 8 + MAX_PAYLOAD + 2, "max_encoded": MAX_ENCODED,
                        "auth_len": 20, "tag_len": 16, "nonce_len": 16, "key_len": 32}
    out["reasons"] = REASONS

    out["crc"] = [{"name": n, "input": hx(d), "crc": "%04x" % crc16(d)} for n, d in [
        ("check_123456789", b"123456789"), ("empty", b""), ("single_zero", b"\x00"),
        ("ascii_A", b"A"), ("all_ff_4", b"\xff" * 4), ("ramp_256", bytes(range(256)))]]
    assert out["crc"][0]["crc"] == "29b1"

    cobs_cases = [
        ("empty", b""), ("single_zero", b"\x00"), ("two_zeros", b"\x00\x00"),
        ("trailing_zero", b"\x11\x22\x00"), ("leading_zero", b"\x00\x11"),
        ("nonzero_253", bytes([0x42]) * 253), ("nonzero_254", bytes(range(1, 255))),
        ("nonzero_255", bytes(range(1, 256))), ("nonzero_254_then_zero", bytes(range(1, 255)) + b"\x00"),
        ("zero_then_254", b"\x00" + bytes(range(1, 255))),
    ]
    out["cobs"] = [{"name": n, "decoded": hx(d), "encoded": hx(cobs_encode(d))} for n, d in cobs_cases]
    out["cobs_invalid"] = [
        {"name": "empty", "encoded": ""},
        {"name": "contains_zero", "encoded": "0311002233"},
        {"name": "code_overrun", "encoded": "051122"},
        {"name": "code_overrun_ff", "encoded": "ff0102"},
    ]

    out["hmac_sha256"] = [{"name": n, "key": k, "data": d, "mac": m} for n, k, d, m in RFC4231]
    for case in out["hmac_sha256"]:
        assert hmac.new(bytes.fromhex(case["key"]), bytes.fromhex(case["data"]),
                        hashlib.sha256).hexdigest() == case["mac"]

    unlock_hdr = struct.pack("<BBBHBH", VERSION, T_COMMAND, F_AUTH, 0x1235, UNLOCK, 22)
    out["auth_tags"] = []
    for name, key, nonce, counter, header, body in [
        ("unlock_3000_counter_1", KEY, NONCE_A, 1, unlock_hdr, struct.pack("<H", 3000)),
        ("unlock_counter_max_minus_1", KEY, NONCE_A, 0xFFFFFFFE, unlock_hdr, struct.pack("<H", 3000)),
        ("other_nonce", KEY, NONCE_B, 1, unlock_hdr, struct.pack("<H", 3000)),
        ("other_key", bytes([0x5A]) * 32, NONCE_A, 1, unlock_hdr, struct.pack("<H", 3000)),
        ("set_config", KEY, NONCE_A, 7,
         struct.pack("<BBBHBH", VERSION, T_COMMAND, F_AUTH, 9, SET_CONFIG, 31),
         config_block(4000, 1, 2000, 5000)),
    ]:
        out["auth_tags"].append({"name": name, "key": hx(key), "nonce": hx(nonce), "counter": counter,
                                 "header": hx(header), "body": hx(body),
                                 "tag": hx(tag(key, nonce, counter, header, body))})

    frames = [
        ("cmd_hello", raw_frame(T_COMMAND, 0x1234, HELLO)),
        ("cmd_status", raw_frame(T_COMMAND, 0x1236, STATUS)),
        ("cmd_unlock_signed", signed_command(0x1235, UNLOCK, struct.pack("<H", 3000), 1)),
        ("cmd_lock", raw_frame(T_COMMAND, 0x0010, LOCK, b"\x00")),
        ("cmd_lock_clear_tamper_signed", signed_command(0x0011, LOCK, b"\x01", 2)),
        ("cmd_set_config_signed", signed_command(0x0009, SET_CONFIG, config_block(4000, 1, 2000, 5000), 7)),
        ("cmd_provision_key", raw_frame(T_COMMAND, 0x0004, PROVISION_KEY, KEY)),
        ("heartbeat_host", raw_frame(T_HEARTBEAT, 0x0103, HEARTBEAT)),
        ("heartbeat_mcu", raw_frame(T_HEARTBEAT, 0x0103, HEARTBEAT, bytes([S_PROV | S_SESSION]))),
        ("rsp_hello", response(0x1234, HELLO, hello_payload(NONCE_A, S_PROV | S_SESSION, 0))),
        ("rsp_status", response(0x1236, STATUS, status_payload(S_PROV | S_SESSION | S_RELAY, DEFAULT_CONFIG,
                                                               last_counter=1, uptime=60))),
        ("rsp_unlock", response(0x1235, UNLOCK, struct.pack("<HB", 3000, S_PROV | S_SESSION | S_RELAY))),
        ("rsp_lock", response(0x0010, LOCK, bytes([S_PROV | S_SESSION]))),
        ("rsp_set_config", response(0x0009, SET_CONFIG, config_block(4000, 1, 2000, 5000))),
        ("rsp_provision_key", response(0x0004, PROVISION_KEY, bytes([S_PROV]))),
        ("nak_bad_tag", nak(0x1237, UNLOCK, "BAD_TAG")),
        ("ack_boot", ack(1, EV_BOOT)),
        ("ev_boot", event(1, EV_BOOT, 0, FW + bytes([S_PROV]))),
        ("ev_door_open", event(7, EV_DOOR, 110, b"\x01")),
        ("ev_exit_button", event(5, EV_EXIT, 80)),
        ("ev_tamper", event(12, EV_TAMPER, 130, b"\x01")),
        ("ev_relay_released", event(2, EV_RELAY, 30, b"\x01\x01")),
        ("ev_fault_watchdog", event(2, EV_FAULT, 2030, b"\x01\x01")),
    ]
    out["frames"] = []
    for name, raw in frames:
        version, ftype, flags, seq, cmd, length = struct.unpack("<BBBHBH", raw[:8])
        out["frames"].append({"name": name, "type": ftype, "flags": flags, "seq": seq, "cmd": cmd,
                              "payload": hx(raw[8:8 + length]), "raw": hx(raw), "wire": hx(wire(raw))})

    status = raw_frame(T_COMMAND, 0x0042, STATUS)

    def chunk(raw):
        return hx(cobs_encode(raw))

    bad_crc = bytearray(status)
    bad_crc[-1] ^= 0x01
    malformed = [
        # name, chunk (COBS, no delimiter), reason, MCU reply (raw, or None when dropped)
        ("bad_crc", hx(cobs_encode(bytes(bad_crc))), "BAD_CRC", None),
        ("short_9_bytes", chunk(status[:7] + struct.pack("<H", crc16(status[:7]))), "SHORT", None),
        ("short_empty_payload", chunk(b"\x01\x01"), "SHORT", None),
        ("bad_version", chunk(raw_frame(T_COMMAND, 0x0042, STATUS, version=2)), "BAD_VERSION",
         nak(0x0042, STATUS, "BAD_VERSION")),
        ("bad_type", chunk(raw_frame(7, 0x0042, STATUS)), "BAD_TYPE", None),
        ("bad_flags", chunk(raw_frame(T_COMMAND, 0x0042, STATUS, flags=0x02)), "BAD_FLAGS",
         nak(0x0042, STATUS, "BAD_FLAGS")),
        ("length_mismatch", chunk(raw_frame(T_COMMAND, 0x0042, STATUS, length=5)), "LENGTH_MISMATCH",
         nak(0x0042, STATUS, "LENGTH_MISMATCH")),
        ("oversize_length_field", chunk(raw_frame(T_COMMAND, 0x0042, STATUS, length=200)), "OVERSIZE",
         nak(0x0042, STATUS, "OVERSIZE")),
        ("oversize_chunk", hx(bytes([0x11]) * (MAX_ENCODED + 1)), "OVERSIZE", None),
        ("bad_cobs_overrun", "0611223344", "BAD_COBS", None),
        ("bad_cobs_empty", "", "BAD_COBS", None),
        ("bad_cobs_zero_inside", "02110001", "BAD_COBS", None),
    ]
    out["malformed"] = [{"name": n, "chunk": c, "reason": r, "code": REASONS[r],
                         "mcu_reply": (hx(wire(m)) if m else None)} for n, c, r, m in malformed]
    out["exchanges"] = [exchange_unlock(), exchange_setup(), exchange_safety()]
    return out


def step(at, host=None, expect=(), relay=False, inputs=None):
    s = {"at_ms": at, "host": hx(wire(host)) if host is not None else None,
         "expect": [hx(wire(e)) for e in expect], "relay": relay}
    if inputs is not None:
        s["inputs"] = inputs
    return s


def exchange_unlock():
    """Provisioned controller: a retried UNLOCK pulses once, a replay and a forgery are refused."""
    unlock1 = signed_command(0x1235, UNLOCK, struct.pack("<H", 3000), 1)
    forged = bytearray(signed_command(0x1237, UNLOCK, struct.pack("<H", 3000), 2))
    forged[-3] ^= 0x80  # last tag byte; recompute CRC so only the tag is wrong
    forged = bytes(forged[:-2]) + struct.pack("<H", crc16(bytes(forged[:-2])))
    P, SS, R = S_PROV, S_SESSION, S_RELAY
    return {
        "name": "unlock_retry_replay_forgery", "key": hx(KEY), "provisioned": True,
        "nonces": [hx(NONCE_A)], "boot_ms": 1000, "inputs": 0, "releases": 1,
        "steps": [
            step(1000, None, [event(1, EV_BOOT, 0, FW + bytes([P]))]),
            step(1010, ack(1, EV_BOOT)),
            step(1020, raw_frame(T_COMMAND, 0x1234, HELLO), [response(0x1234, HELLO, hello_payload(NONCE_A, P | SS, 0))]),
            step(1030, unlock1, [response(0x1235, UNLOCK, struct.pack("<HB", 3000, P | SS | R)),
                                 event(2, EV_RELAY, 30, b"\x01\x01")], relay=True),
            step(1040, unlock1, [response(0x1235, UNLOCK, struct.pack("<HB", 3000, P | SS | R))], relay=True),
            step(1050, ack(2, EV_RELAY), relay=True),
            step(1060, raw_frame(T_COMMAND, 0x1236, STATUS),
                 [response(0x1236, STATUS, status_payload(P | SS | R, DEFAULT_CONFIG, last_counter=1, uptime=60))],
                 relay=True),
            step(1070, unlock1, [nak(0x1235, UNLOCK, "STALE_COUNTER")], relay=True),
            step(1080, forged, [nak(0x1237, UNLOCK, "BAD_TAG")], relay=True),
            step(4029, None, [], relay=True),
            step(4030, None, [event(3, EV_RELAY, 3030, b"\x00\x03")]),
            step(4040, ack(3, EV_RELAY)),
            step(4050, raw_frame(T_COMMAND, 0x1238, STATUS),
                 [response(0x1238, STATUS, status_payload(P | SS, DEFAULT_CONFIG, bad_tag=1, stale=1,
                                                         last_counter=1, uptime=3050))]),
        ],
    }


def exchange_setup():
    """Unprovisioned controller in set-up mode: never unlocks, takes a key once, event retries."""
    boot = event(1, EV_BOOT, 0, FW + bytes([S_SETUP]))
    unlock = signed_command(0x0002, UNLOCK, struct.pack("<H", 1000), 1)
    unlock_after = signed_command(0x0005, UNLOCK, struct.pack("<H", 1000), 1)
    return {
        "name": "setup_mode_provisioning", "key": None, "provisioned": False,
        "nonces": [hx(NONCE_A)], "boot_ms": 0, "inputs": IN_SETUP, "releases": 0,
        "steps": [
            step(0, None, [boot]),
            step(249, None, []),
            step(250, None, [boot]),
            step(500, None, [boot]),
            step(750, None, [boot]),
            step(1000, None, []),
            step(1010, raw_frame(T_COMMAND, 0x0001, HELLO),
                 [response(0x0001, HELLO, hello_payload(NONCE_A, S_SETUP | S_SESSION, 0))], inputs=0),
            step(1020, unlock, [nak(0x0002, UNLOCK, "NOT_PROVISIONED")]),
            step(1030, raw_frame(T_COMMAND, 0x0003, STATUS),
                 [response(0x0003, STATUS, status_payload(S_SETUP | S_SESSION, DEFAULT_CONFIG, other=1,
                                                         dropped=1, uptime=1030))]),
            step(1040, raw_frame(T_COMMAND, 0x0004, PROVISION_KEY, KEY),
                 [response(0x0004, PROVISION_KEY, bytes([S_PROV]))]),
            step(1050, unlock_after, [nak(0x0005, UNLOCK, "NO_SESSION")]),
            step(1060, raw_frame(T_COMMAND, 0x0006, PROVISION_KEY, KEY),
                 [nak(0x0006, PROVISION_KEY, "NOT_IN_SETUP_MODE")]),
        ],
    }


def exchange_safety():
    """Watchdog to fail-safe and back, exit button, forced door, tamper latch and signed clear."""
    P, SS, R, D = S_PROV, S_SESSION, S_RELAY, S_DOOR
    cfg = (4000, 1, 2000, 5000)
    setcfg = signed_command(0x0101, SET_CONFIG, config_block(*cfg), 5, nonce=NONCE_B)

    def hb(seq, state):
        return raw_frame(T_HEARTBEAT, seq, HEARTBEAT), [raw_frame(T_HEARTBEAT, seq, HEARTBEAT, bytes([state]))]

    steps = [
        step(0, None, [event(1, EV_BOOT, 0, FW + bytes([P]))]),
        step(10, ack(1, EV_BOOT)),
        step(20, raw_frame(T_COMMAND, 0x0100, HELLO), [response(0x0100, HELLO, hello_payload(NONCE_B, P | SS, 0))]),
        step(30, setcfg, [response(0x0101, SET_CONFIG, config_block(*cfg))]),
        step(2029, None, []),
        step(2030, None, [event(2, EV_FAULT, 2030, b"\x01\x01")], relay=True),
        step(2040, ack(2, EV_FAULT), [event(3, EV_RELAY, 2030, b"\x01\x05")], relay=True),
        step(2050, ack(3, EV_RELAY), relay=True),
        step(2060, raw_frame(T_COMMAND, 0x0102, HELLO),
             [response(0x0102, HELLO, hello_payload(NONCE_C, P | SS, 2)), event(4, EV_RELAY, 2060, b"\x00\x06")]),
        step(2070, ack(4, EV_RELAY)),
        step(2080, None, [event(5, EV_EXIT, 2080)], relay=True, inputs=IN_EXIT),
        step(2090, ack(5, EV_EXIT), [event(6, EV_RELAY, 2080, b"\x01\x02")], relay=True, inputs=0),
        step(2100, ack(6, EV_RELAY), relay=True),
        step(2110, None, [event(7, EV_DOOR, 2110, b"\x01")], relay=True, inputs=IN_DOOR),
        step(2120, ack(7, EV_DOOR), relay=True),
        step(2130, None, [event(8, EV_DOOR, 2130, b"\x00")], relay=True, inputs=0),
        step(2140, ack(8, EV_DOOR), relay=True),
    ]
    for seq, at in ((0x0103, 3000), (0x0104, 4000), (0x0105, 5000)):
        frame, reply = hb(seq, P | SS | R)
        steps.append(step(at, frame, reply, relay=True))
    frame, reply = hb(0x0106, P | SS | R)
    steps += [
        step(6080, frame, reply + [event(9, EV_RELAY, 6080, b"\x00\x03")]),
        step(6090, ack(9, EV_RELAY)),
        step(6100, None, [event(10, EV_DOOR, 6100, b"\x01")], inputs=IN_DOOR),
        step(6110, ack(10, EV_DOOR), [event(11, EV_FAULT, 6100, b"\x02\x00")]),
        step(6120, ack(11, EV_FAULT)),
        step(6130, None, [event(12, EV_TAMPER, 6130, b"\x01")], inputs=IN_DOOR | IN_TAMPER),
        step(6140, ack(12, EV_TAMPER)),
        step(6150, signed_command(0x0107, UNLOCK, struct.pack("<H", 1000), 6, nonce=NONCE_C),
             [nak(0x0107, UNLOCK, "LOCKED_OUT")]),
        step(6160, None, [event(13, EV_TAMPER, 6160, b"\x00")], inputs=IN_DOOR),
        step(6170, ack(13, EV_TAMPER)),
        step(6180, signed_command(0x0108, LOCK, b"\x01", 7, nonce=NONCE_C), [response(0x0108, LOCK, bytes([P | SS | D]))]),
        step(6190, signed_command(0x0109, UNLOCK, struct.pack("<H", 1000), 8, nonce=NONCE_C),
             [response(0x0109, UNLOCK, struct.pack("<HB", 1000, P | SS | D | R)), event(14, EV_RELAY, 6190, b"\x01\x01")],
             relay=True),
    ]
    return {"name": "watchdog_exit_forced_tamper", "key": hx(KEY), "provisioned": True,
            "nonces": [hx(NONCE_B), hx(NONCE_C)], "boot_ms": 0, "inputs": 0, "releases": 3, "steps": steps}


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "vectors.json"), "w") as f:
        json.dump(build(), f, indent=1)
        f.write("\n")
