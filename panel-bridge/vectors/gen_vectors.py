#!/usr/bin/env python3
"""Generate panel-bridge/vectors/vectors.json from PROTOCOL.md (version 2), independently of the
C and TypeScript code: CRC and COBS are written from their definitions and cross-checked against
binascii and the published examples, HMAC comes from Python's hmac/hashlib, CRC-32 from binascii,
and the expected MCU replies in the exchanges are spelled out step by step from the protocol text
(which frames are signed, with which counter, is decided here by hand, never by running a model
of the controller).

Run: python3 panel-bridge/vectors/gen_vectors.py  (rewrites vectors.json; the output is
deterministic, so a diff shows any protocol change).
"""
import binascii
import hashlib
import hmac
import json
import os
import struct

VERSION = 2
T_COMMAND, T_RESPONSE, T_EVENT, T_ACK, T_NAK, T_HEARTBEAT = 1, 2, 3, 4, 5, 6
F_AUTH = 0x01
HELLO, STATUS, UNLOCK, LOCK, SET_CONFIG, PROVISION_KEY, HEARTBEAT, CHALLENGE = 1, 2, 3, 4, 5, 6, 7, 8
EV_BOOT, EV_DOOR, EV_EXIT, EV_TAMPER, EV_RELAY, EV_FAULT = 0x81, 0x82, 0x83, 0x84, 0x85, 0x86
MAX_PAYLOAD = 96
MAX_ENCODED = 107
CHALLENGE_MS = 3000

# Domain separation (PROTOCOL.md section 2): the first byte of every MAC input says what it is.
KIND_COMMAND, KIND_ANSWER, KIND_EVENT = 0x01, 0x02, 0x03
MCU_KEY_LABEL = b"dw2-mcu"

REASONS = {
    "BAD_CRC": 0x01, "SHORT": 0x02, "BAD_VERSION": 0x03, "LENGTH_MISMATCH": 0x04,
    "OVERSIZE": 0x05, "BAD_COBS": 0x06, "BAD_TYPE": 0x07, "BAD_FLAGS": 0x08,
    "UNKNOWN_COMMAND": 0x10, "BAD_PAYLOAD": 0x11, "AUTH_REQUIRED": 0x12,
    "NOT_PROVISIONED": 0x13, "NO_SESSION": 0x14, "BAD_TAG": 0x15, "STALE_COUNTER": 0x16,
    "COUNTER_EXHAUSTED": 0x17, "LOCKED_OUT": 0x18, "OUT_OF_RANGE": 0x19,
    "NOT_IN_SETUP_MODE": 0x1A, "TAMPER_ACTIVE": 0x1B, "STORAGE_FAILURE": 0x1C,
    "RNG_FAILURE": 0x1D, "STALE_CHALLENGE": 0x1E,
}

# State byte bits (PROTOCOL.md section 4)
S_RELAY, S_DOOR, S_TAMPER, S_LOCKOUT, S_FAIL, S_PROV, S_SETUP, S_SESSION = (1 << i for i in range(8))
# Input bits used by the exchanges (glue -> core)
IN_DOOR, IN_EXIT, IN_TAMPER, IN_SETUP = 1, 2, 4, 8

FW = bytes([2, 0, 0])
DEVICE_ID = bytes.fromhex("4457524400000001")
CAPS = 0x003F
KEY = bytes(range(0x00, 0x20))
# The MCU's random draws, in the order it makes them (session nonces and challenges alike).
R = [hashlib.sha256(b"mcu random %d" % i).digest()[:16] for i in range(20)]
HOST_NONCE_1 = bytes([0x51] * 16)
HOST_NONCE_2 = bytes([0x52] * 16)
HOST_NONCE_3 = bytes([0x53] * 16)
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


def header(ftype, seq, cmd, length, flags=0, version=VERSION):
    return struct.pack("<BBBHBH", version, ftype, flags, seq, cmd, length)


def raw_frame(ftype, seq, cmd, payload=b"", flags=0, version=VERSION, length=None):
    length = len(payload) if length is None else length
    body = header(ftype, seq, cmd, length, flags, version) + payload
    return body + struct.pack("<H", crc16(body))


def frame_crc(raw: bytes) -> int:
    return struct.unpack("<H", raw[-2:])[0]


def frame_seq(raw: bytes) -> int:
    return struct.unpack("<H", raw[3:5])[0]


def wire(raw: bytes) -> bytes:
    return cobs_encode(raw) + b"\x00"


def mac16(key, msg):
    return hmac.new(key, msg, hashlib.sha256).digest()[:16]


def mcu_session_key(key, mcu_nonce, host_nonce):
    """K_mcu = HMAC-SHA256(key, "dw2-mcu" || mcu_nonce || host_nonce): signs MCU -> host frames."""
    return hmac.new(key, MCU_KEY_LABEL + mcu_nonce + host_nonce, hashlib.sha256).digest()


def command_tag(key, mcu_nonce, host_nonce, challenge, counter, hdr, body):
    return mac16(key, bytes([KIND_COMMAND]) + mcu_nonce + host_nonce + challenge +
                 struct.pack("<I", counter) + hdr + body)


def answer_tag(ks, counter, request_crc, hdr, body):
    return mac16(ks, bytes([KIND_ANSWER]) + struct.pack("<IH", counter, request_crc) + hdr + body)


def event_tag(ks, counter, hdr, body):
    return mac16(ks, bytes([KIND_EVENT]) + struct.pack("<I", counter) + hdr + body)


def signed_command(seq, cmd, body, counter, challenge, mcu_nonce, host_nonce, key=KEY):
    hdr = header(T_COMMAND, seq, cmd, len(body) + 20, F_AUTH)
    t = command_tag(key, mcu_nonce, host_nonce, challenge, counter, hdr, body)
    return raw_frame(T_COMMAND, seq, cmd, body + struct.pack("<I", counter) + t, flags=F_AUTH)


def config_block(max_pulse, fail_mode, hb, held):
    return struct.pack("<HBII", max_pulse, fail_mode, hb, held)


def hello_payload(nonce, state, last_fail):
    return bytes([VERSION]) + FW + DEVICE_ID + struct.pack("<H", CAPS) + nonce + bytes([state, last_fail])


def status_payload(state, config, rx=0, bad_tag=0, stale=0, no_sess=0, other=0, dropped=0,
                   last_counter=0, uptime=0):
    return (bytes([state]) + config_block(*config) +
            struct.pack("<HHHHHHII", rx, bad_tag, stale, no_sess, other, dropped, last_counter, uptime))


def challenge_payload(challenge):
    return challenge + struct.pack("<H", CHALLENGE_MS)


# Frames the MCU writes outside a keyed session (not provisioned, or no session open): unsigned.

def event(seq, ev, uptime, rest=b""):
    return raw_frame(T_EVENT, seq, ev, struct.pack("<I", uptime) + rest)


def ack(seq, ev):
    return raw_frame(T_ACK, seq, ev)


def nak(seq, cmd, reason):
    return raw_frame(T_NAK, seq, cmd, bytes([REASONS[reason]]))


def response(seq, cmd, payload):
    return raw_frame(T_RESPONSE, seq, cmd, payload)


def hello(seq, host_nonce):
    return raw_frame(T_COMMAND, seq, HELLO, host_nonce)


class Session:
    """One keyed session as both ends know it: the host's view of what it must sign and what the
    MCU must send back. Counters are kept here so each step only says *what* is sent."""

    def __init__(self, mcu_nonce, host_nonce, key=KEY):
        self.key, self.mcu_nonce, self.host_nonce = key, mcu_nonce, host_nonce
        self.ks = mcu_session_key(key, mcu_nonce, host_nonce)
        self.answers = 0  # MCU answer counter: the last one used
        self.events = 0   # MCU event counter: the last one used

    def command(self, seq, cmd, body, counter, challenge):
        return signed_command(seq, cmd, body, counter, challenge, self.mcu_nonce, self.host_nonce, self.key)

    def answer(self, request_raw, ftype, payload):
        """The MCU's signed answer (RESPONSE, NAK or HEARTBEAT) to this raw request frame."""
        self.answers += 1
        seq, cmd = frame_seq(request_raw), request_raw[5]
        if ftype == T_HEARTBEAT:
            cmd = HEARTBEAT
        hdr = header(ftype, seq, cmd, len(payload) + 20, F_AUTH)
        t = answer_tag(self.ks, self.answers, frame_crc(request_raw), hdr, payload)
        return raw_frame(ftype, seq, cmd, payload + struct.pack("<I", self.answers) + t, flags=F_AUTH)

    def response(self, request_raw, payload):
        return self.answer(request_raw, T_RESPONSE, payload)

    def nak(self, request_raw, reason):
        return self.answer(request_raw, T_NAK, bytes([REASONS[reason]]))

    def event(self, seq, ev, uptime, rest=b""):
        """One transmission of an event: every try is signed afresh with the next counter."""
        self.events += 1
        payload = struct.pack("<I", uptime) + rest
        hdr = header(T_EVENT, seq, ev, len(payload) + 20, F_AUTH)
        t = event_tag(self.ks, self.events, hdr, payload)
        return raw_frame(T_EVENT, seq, ev, payload + struct.pack("<I", self.events) + t, flags=F_AUTH)


def hx(b: bytes) -> str:
    return b.hex()


def crc32(data: bytes) -> int:
    """CRC-32 (IEEE 802.3, reflected 0xEDB88320) from its definition; checked against binascii."""
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xEDB88320 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


STORE_MAGIC = 0x32535744  # "DWS2"
STORE_PAGE = 256


def store_record(seq, key=None, cfg=None):
    """A key-store record (panel-bridge/README.md, "The key store"): one flash page."""
    flags = (1 if key is not None else 0) | (2 if cfg is not None else 0)
    body = (struct.pack("<IIB", STORE_MAGIC, seq, flags) + (key if key is not None else bytes(32)) +
            (cfg if cfg is not None else bytes(11)))
    rec = body + struct.pack("<I", crc32(body))
    return rec + b"\xff" * (STORE_PAGE - len(rec))


def self_check():
    assert crc16(b"123456789") == 0x29B1
    for sample in (b"", b"\x00", b"doorward", bytes(range(256))):
        assert crc16(sample) == binascii.crc_hqx(sample, 0xFFFF)
        assert crc32(sample) == binascii.crc32(sample)
    assert crc32(b"123456789") == 0xCBF43926
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
                        "auth_len": 20, "tag_len": 16, "nonce_len": 16, "key_len": 32,
                        "challenge_len": 16, "challenge_ms": CHALLENGE_MS,
                        "mcu_key_label": hx(MCU_KEY_LABEL)}
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

    # The three MAC kinds and the session key, each spelled out with its inputs.
    mcu_n, host_n, chal = R[0], HOST_NONCE_1, R[1]
    ks = mcu_session_key(KEY, mcu_n, host_n)
    out["session_keys"] = [
        {"name": "key_ramp", "key": hx(KEY), "mcu_nonce": hx(mcu_n), "host_nonce": hx(host_n),
         "mcu_key": hx(ks)},
        {"name": "other_key", "key": hx(bytes([0x5A]) * 32), "mcu_nonce": hx(mcu_n), "host_nonce": hx(host_n),
         "mcu_key": hx(mcu_session_key(bytes([0x5A]) * 32, mcu_n, host_n))},
    ]
    unlock_hdr = header(T_COMMAND, 0x1235, UNLOCK, 22, F_AUTH)
    out["command_tags"] = []
    for name, key, nonce, hn, ch, counter, hdr, body in [
        ("unlock_3000_counter_1", KEY, mcu_n, host_n, chal, 1, unlock_hdr, struct.pack("<H", 3000)),
        ("unlock_counter_max_minus_1", KEY, mcu_n, host_n, chal, 0xFFFFFFFE, unlock_hdr, struct.pack("<H", 3000)),
        ("other_challenge", KEY, mcu_n, host_n, R[2], 1, unlock_hdr, struct.pack("<H", 3000)),
        ("other_host_nonce", KEY, mcu_n, HOST_NONCE_2, chal, 1, unlock_hdr, struct.pack("<H", 3000)),
        ("other_key", bytes([0x5A]) * 32, mcu_n, host_n, chal, 1, unlock_hdr, struct.pack("<H", 3000)),
        ("set_config", KEY, mcu_n, host_n, chal, 7, header(T_COMMAND, 9, SET_CONFIG, 31, F_AUTH),
         config_block(4000, 1, 2000, 5000)),
    ]:
        out["command_tags"].append({"name": name, "key": hx(key), "mcu_nonce": hx(nonce), "host_nonce": hx(hn),
                                    "challenge": hx(ch), "counter": counter, "header": hx(hdr), "body": hx(body),
                                    "tag": hx(command_tag(key, nonce, hn, ch, counter, hdr, body))})
    rsp_body = struct.pack("<HB", 3000, S_PROV | S_SESSION | S_RELAY)
    rsp_hdr = header(T_RESPONSE, 0x1235, UNLOCK, len(rsp_body) + 20, F_AUTH)
    ev_body = struct.pack("<I", 30) + b"\x01\x01"
    ev_hdr = header(T_EVENT, 2, EV_RELAY, len(ev_body) + 20, F_AUTH)
    out["mcu_tags"] = [
        {"name": "answer_unlock", "kind": KIND_ANSWER, "mcu_key": hx(ks), "counter": 3, "request_crc": 0xBEEF,
         "header": hx(rsp_hdr), "body": hx(rsp_body), "tag": hx(answer_tag(ks, 3, 0xBEEF, rsp_hdr, rsp_body))},
        {"name": "answer_other_request", "kind": KIND_ANSWER, "mcu_key": hx(ks), "counter": 3, "request_crc": 0xBEEE,
         "header": hx(rsp_hdr), "body": hx(rsp_body), "tag": hx(answer_tag(ks, 3, 0xBEEE, rsp_hdr, rsp_body))},
        {"name": "event_relay", "kind": KIND_EVENT, "mcu_key": hx(ks), "counter": 1, "request_crc": None,
         "header": hx(ev_hdr), "body": hx(ev_body), "tag": hx(event_tag(ks, 1, ev_hdr, ev_body))},
    ]

    s = Session(mcu_n, host_n)
    hello_req = hello(0x1234, host_n)
    chal_req = raw_frame(T_COMMAND, 0x1239, CHALLENGE)
    unlock_req = s.command(0x1235, UNLOCK, struct.pack("<H", 3000), 1, chal)
    status_req = raw_frame(T_COMMAND, 0x1236, STATUS)
    lock_req = raw_frame(T_COMMAND, 0x0010, LOCK, b"\x00")
    setcfg_req = s.command(0x0009, SET_CONFIG, config_block(4000, 1, 2000, 5000), 7, chal)
    prov_req = raw_frame(T_COMMAND, 0x0004, PROVISION_KEY, KEY)
    hb_req = raw_frame(T_HEARTBEAT, 0x0103, HEARTBEAT)
    frames = [
        ("cmd_hello", hello_req),
        ("cmd_challenge", chal_req),
        ("cmd_status", status_req),
        ("cmd_unlock_signed", unlock_req),
        ("cmd_lock", lock_req),
        ("cmd_lock_clear_tamper_signed", s.command(0x0011, LOCK, b"\x01", 2, chal)),
        ("cmd_set_config_signed", setcfg_req),
        ("cmd_provision_key", prov_req),
        ("heartbeat_host", hb_req),
        ("rsp_hello_signed", s.response(hello_req, hello_payload(mcu_n, S_PROV | S_SESSION, 0))),
        ("rsp_hello_unprovisioned", response(0x1234, HELLO, hello_payload(mcu_n, S_SETUP | S_SESSION, 0))),
        ("rsp_challenge_signed", s.response(chal_req, challenge_payload(chal))),
        ("rsp_unlock_signed", s.response(unlock_req, struct.pack("<HB", 3000, S_PROV | S_SESSION | S_RELAY))),
        ("rsp_status_signed", s.response(status_req, status_payload(S_PROV | S_SESSION | S_RELAY, DEFAULT_CONFIG,
                                                                   last_counter=1, uptime=60))),
        ("rsp_lock_signed", s.response(lock_req, bytes([S_PROV | S_SESSION]))),
        ("rsp_set_config_signed", s.response(setcfg_req, config_block(4000, 1, 2000, 5000))),
        ("rsp_provision_key", response(0x0004, PROVISION_KEY, bytes([S_PROV]))),
        ("nak_bad_tag_signed", s.nak(raw_frame(T_COMMAND, 0x1237, UNLOCK, b"\x00" * 22, flags=F_AUTH), "BAD_TAG")),
        ("nak_no_session", nak(0x1237, UNLOCK, "NO_SESSION")),
        ("heartbeat_mcu_signed", s.answer(hb_req, T_HEARTBEAT, bytes([S_PROV | S_SESSION]))),
        ("heartbeat_mcu_no_session", raw_frame(T_HEARTBEAT, 0x0103, HEARTBEAT, bytes([S_PROV]))),
        ("ack_boot", ack(1, EV_BOOT)),
        ("ev_boot", event(1, EV_BOOT, 0, FW + bytes([S_PROV]))),
        ("ev_door_open_signed", s.event(7, EV_DOOR, 110, b"\x01")),
        ("ev_exit_button_signed", s.event(5, EV_EXIT, 80)),
        ("ev_tamper_signed", s.event(12, EV_TAMPER, 130, b"\x01")),
        ("ev_relay_released_signed", s.event(2, EV_RELAY, 30, b"\x01\x01")),
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

    def version_nak(version, seq, cmd):
        # Written in the refused frame's version so an older host can read it (section 1.3).
        return raw_frame(T_NAK, seq, cmd, bytes([REASONS["BAD_VERSION"], VERSION]), version=version)

    malformed = [
        # name, chunk (COBS, no delimiter), reason, MCU reply (raw, or None when dropped)
        ("bad_crc", hx(cobs_encode(bytes(bad_crc))), "BAD_CRC", None),
        ("short_9_bytes", chunk(status[:7] + struct.pack("<H", crc16(status[:7]))), "SHORT", None),
        ("short_empty_payload", chunk(b"\x01\x01"), "SHORT", None),
        ("v1_hello", chunk(raw_frame(T_COMMAND, 0x0042, HELLO, version=1)), "BAD_VERSION",
         version_nak(1, 0x0042, HELLO)),
        ("v3_status", chunk(raw_frame(T_COMMAND, 0x0042, STATUS, version=3)), "BAD_VERSION",
         version_nak(3, 0x0042, STATUS)),
        ("v1_heartbeat", chunk(raw_frame(T_HEARTBEAT, 0x0043, HEARTBEAT, version=1)), "BAD_VERSION",
         version_nak(1, 0x0043, HEARTBEAT)),
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

    out["store_records"] = [
        {"name": "key_and_config", "seq": 7, "key": hx(KEY), "config": hx(config_block(*DEFAULT_CONFIG)),
         "page": hx(store_record(7, KEY, config_block(*DEFAULT_CONFIG)))},
        {"name": "key_only", "seq": 1, "key": hx(KEY), "config": None, "page": hx(store_record(1, KEY))},
        {"name": "config_only_high_seq", "seq": 0xFFFFFFFE, "key": None,
         "config": hx(config_block(2000, 1, 3000, 4000)),
         "page": hx(store_record(0xFFFFFFFE, None, config_block(2000, 1, 3000, 4000)))},
    ]

    out["exchanges"] = [exchange_unlock(), exchange_challenge_window(), exchange_setup(), exchange_safety()]
    return out


def step(at, host=None, expect=(), relay=False, inputs=None):
    s = {"at_ms": at, "host": hx(wire(host)) if host is not None else None,
         "expect": [hx(wire(e)) for e in expect], "relay": relay}
    if inputs is not None:
        s["inputs"] = inputs
    return s


def exchange_unlock():
    """Provisioned controller: a retried UNLOCK pulses once; a replay, a forgery, a stale counter
    and a spent challenge are refused; an event is re-signed on each retry."""
    P, SS, RL = S_PROV, S_SESSION, S_RELAY
    s = Session(R[0], HOST_NONCE_1)
    hello_req = hello(0x1234, HOST_NONCE_1)
    chal1 = raw_frame(T_COMMAND, 0x1235, CHALLENGE)
    unlock1 = s.command(0x1236, UNLOCK, struct.pack("<H", 3000), 1, R[1])
    status1 = raw_frame(T_COMMAND, 0x1237, STATUS)
    chal2 = raw_frame(T_COMMAND, 0x1238, CHALLENGE)
    forged = bytearray(s.command(0x1239, UNLOCK, struct.pack("<H", 3000), 2, R[2]))
    forged[-3] ^= 0x80  # last tag byte; recompute CRC so only the tag is wrong
    forged = bytes(forged[:-2]) + struct.pack("<H", crc16(bytes(forged[:-2])))
    stale = s.command(0x123A, UNLOCK, struct.pack("<H", 3000), 1, R[2])
    after_spent = s.command(0x123B, UNLOCK, struct.pack("<H", 3000), 3, R[2])
    status2 = raw_frame(T_COMMAND, 0x123C, STATUS)
    steps = [
        step(1000, None, [event(1, EV_BOOT, 0, FW + bytes([P]))]),
        step(1010, ack(1, EV_BOOT)),
        step(1020, hello_req, [s.response(hello_req, hello_payload(R[0], P | SS, 0))]),
        step(1025, chal1, [s.response(chal1, challenge_payload(R[1]))]),
    ]
    unlock1_answer = s.response(unlock1, struct.pack("<HB", 3000, P | SS | RL))
    steps += [
        step(1030, unlock1, [unlock1_answer, s.event(2, EV_RELAY, 30, b"\x01\x01")], relay=True),
        # The host did not see the answer and retries the identical bytes: the cached answer again.
        step(1040, unlock1, [unlock1_answer], relay=True),
        step(1050, ack(2, EV_RELAY), relay=True),
        step(1060, status1, [s.response(status1, status_payload(P | SS | RL, DEFAULT_CONFIG, last_counter=1,
                                                                uptime=60))], relay=True),
        # A replay of the captured UNLOCK: its challenge was spent by the first delivery.
        step(1070, unlock1, [s.nak(unlock1, "STALE_CHALLENGE")], relay=True),
        step(1075, chal2, [s.response(chal2, challenge_payload(R[2]))], relay=True),
        # A forged tag does not spend the challenge ...
        step(1080, forged, [s.nak(forged, "BAD_TAG")], relay=True),
        # ... a genuine tag does, even when the counter is then refused ...
        step(1085, stale, [s.nak(stale, "STALE_COUNTER")], relay=True),
        # ... so the next signed command needs a new challenge.
        step(1090, after_spent, [s.nak(after_spent, "STALE_CHALLENGE")], relay=True),
        step(4029, None, [], relay=True),
        step(4030, None, [s.event(3, EV_RELAY, 3030, b"\x00\x03")]),
        # Not ACKed: the retry carries the same event, signed again with the next counter.
        step(4280, None, [s.event(3, EV_RELAY, 3030, b"\x00\x03")]),
        step(4290, ack(3, EV_RELAY)),
        step(4300, status2, [s.response(status2, status_payload(P | SS, DEFAULT_CONFIG, bad_tag=1, stale=3,
                                                                last_counter=1, uptime=3300))]),
    ]
    return {"name": "unlock_retry_replay_forgery", "key": hx(KEY), "provisioned": True,
            "random": [hx(R[0]), hx(R[1]), hx(R[2])], "boot_ms": 1000, "inputs": 0, "releases": 1,
            "steps": steps}


def exchange_challenge_window():
    """A challenge is good for CHALLENGE_MS after it was issued, once, and only the latest one."""
    P, SS, RL = S_PROV, S_SESSION, S_RELAY
    s = Session(R[3], HOST_NONCE_2)
    hello_req = hello(0x2000, HOST_NONCE_2)
    chal1 = raw_frame(T_COMMAND, 0x2001, CHALLENGE)
    # Signed at once, held back by someone on the cable, let through 1 ms before the window shuts.
    held = s.command(0x2002, UNLOCK, struct.pack("<H", 500), 1, R[4])
    chal2 = raw_frame(T_COMMAND, 0x2003, CHALLENGE)
    held_too_long = s.command(0x2004, UNLOCK, struct.pack("<H", 500), 2, R[5])
    chal3 = raw_frame(T_COMMAND, 0x2005, CHALLENGE)
    chal4 = raw_frame(T_COMMAND, 0x2006, CHALLENGE)
    with_older = s.command(0x2007, UNLOCK, struct.pack("<H", 500), 3, R[6])
    with_latest = s.command(0x2008, UNLOCK, struct.pack("<H", 500), 4, R[7])
    status = raw_frame(T_COMMAND, 0x2009, STATUS)
    steps = [
        step(0, None, [event(1, EV_BOOT, 0, FW + bytes([P]))]),
        step(10, ack(1, EV_BOOT)),
        step(20, hello_req, [s.response(hello_req, hello_payload(R[3], P | SS, 0))]),
        step(100, chal1, [s.response(chal1, challenge_payload(R[4]))]),
        step(3099, held, [s.response(held, struct.pack("<HB", 500, P | SS | RL)),
                          s.event(2, EV_RELAY, 3099, b"\x01\x01")], relay=True),
        step(3110, ack(2, EV_RELAY), relay=True),
        step(3599, None, [s.event(3, EV_RELAY, 3599, b"\x00\x03")]),
        step(3610, ack(3, EV_RELAY)),
        step(4000, chal2, [s.response(chal2, challenge_payload(R[5]))]),
        # 3000 ms after it was issued the challenge is gone (the tick at 7000 would also drop it).
        step(7000, held_too_long, [s.nak(held_too_long, "STALE_CHALLENGE")]),
        step(7010, chal3, [s.response(chal3, challenge_payload(R[6]))]),
        step(7020, chal4, [s.response(chal4, challenge_payload(R[7]))]),
        # Only the latest challenge is live: a tag over the one before it does not verify.
        step(7030, with_older, [s.nak(with_older, "BAD_TAG")]),
        step(7040, with_latest, [s.response(with_latest, struct.pack("<HB", 500, P | SS | RL)),
                                 s.event(4, EV_RELAY, 7040, b"\x01\x01")], relay=True),
        step(7050, ack(4, EV_RELAY), relay=True),
        step(7060, status, [s.response(status, status_payload(P | SS | RL, DEFAULT_CONFIG, bad_tag=1, stale=1,
                                                              last_counter=4, uptime=7060))], relay=True),
        step(7540, None, [s.event(5, EV_RELAY, 7540, b"\x00\x03")]),
    ]
    return {"name": "challenge_window_once_latest", "key": hx(KEY), "provisioned": True,
            "random": [hx(R[3]), hx(R[4]), hx(R[5]), hx(R[6]), hx(R[7])], "boot_ms": 0, "inputs": 0,
            "releases": 2, "steps": steps}


def exchange_setup():
    """Unprovisioned controller in set-up mode: nothing is signed, it never unlocks, takes a key
    once; after the next HELLO its answers are signed."""
    boot = event(1, EV_BOOT, 0, FW + bytes([S_SETUP]))
    hello1 = hello(0x0001, HOST_NONCE_1)
    chal = raw_frame(T_COMMAND, 0x0002, CHALLENGE)
    unlock = signed_command(0x0003, UNLOCK, struct.pack("<H", 1000), 1, R[9], R[8], HOST_NONCE_1)
    status = raw_frame(T_COMMAND, 0x0004, STATUS)
    prov = raw_frame(T_COMMAND, 0x0005, PROVISION_KEY, KEY)
    unlock_after = signed_command(0x0006, UNLOCK, struct.pack("<H", 1000), 1, R[9], R[8], HOST_NONCE_1)
    prov_again = raw_frame(T_COMMAND, 0x0007, PROVISION_KEY, KEY)
    s = Session(R[9], HOST_NONCE_3)
    hello2 = hello(0x0008, HOST_NONCE_3)
    chal2 = raw_frame(T_COMMAND, 0x0009, CHALLENGE)
    unlock_ok = s.command(0x000A, UNLOCK, struct.pack("<H", 1000), 1, R[10])
    return {
        "name": "setup_mode_provisioning", "key": None, "provisioned": False,
        "random": [hx(R[8]), hx(R[9]), hx(R[10])], "boot_ms": 0, "inputs": IN_SETUP, "releases": 1,
        "steps": [
            step(0, None, [boot]),
            step(249, None, []),
            step(250, None, [boot]),
            step(500, None, [boot]),
            step(750, None, [boot]),
            step(1000, None, []),
            step(1010, hello1, [response(0x0001, HELLO, hello_payload(R[8], S_SETUP | S_SESSION, 0))], inputs=0),
            step(1015, chal, [nak(0x0002, CHALLENGE, "NOT_PROVISIONED")]),
            step(1020, unlock, [nak(0x0003, UNLOCK, "NOT_PROVISIONED")]),
            step(1030, status,
                 [response(0x0004, STATUS, status_payload(S_SETUP | S_SESSION, DEFAULT_CONFIG, other=2,
                                                         dropped=1, uptime=1030))]),
            step(1040, prov, [response(0x0005, PROVISION_KEY, bytes([S_PROV]))]),
            step(1050, unlock_after, [nak(0x0006, UNLOCK, "NO_SESSION")]),
            step(1060, prov_again, [nak(0x0007, PROVISION_KEY, "NOT_IN_SETUP_MODE")]),
            step(1070, hello2, [s.response(hello2, hello_payload(R[9], S_PROV | S_SESSION, 0))]),
            step(1080, chal2, [s.response(chal2, challenge_payload(R[10]))]),
            step(1090, unlock_ok, [s.response(unlock_ok, struct.pack("<HB", 1000, S_PROV | S_SESSION | S_RELAY)),
                                   s.event(2, EV_RELAY, 1090, b"\x01\x01")], relay=True),
        ],
    }


def exchange_safety():
    """Watchdog to fail-safe and back (unsigned while the session is closed), exit button, forced
    door, tamper latch and signed clear."""
    P, SS, RL, D = S_PROV, S_SESSION, S_RELAY, S_DOOR
    cfg = (4000, 1, 2000, 5000)
    s1 = Session(R[11], HOST_NONCE_1)
    hello1 = hello(0x0100, HOST_NONCE_1)
    chal1 = raw_frame(T_COMMAND, 0x0101, CHALLENGE)
    setcfg = s1.command(0x0102, SET_CONFIG, config_block(*cfg), 5, R[12])
    s2 = Session(R[13], HOST_NONCE_2)
    hello2 = hello(0x0103, HOST_NONCE_2)

    def hb(sess, seq, state):
        req = raw_frame(T_HEARTBEAT, seq, HEARTBEAT)
        return req, [sess.answer(req, T_HEARTBEAT, bytes([state]))]

    steps = [
        step(0, None, [event(1, EV_BOOT, 0, FW + bytes([P]))]),
        step(10, ack(1, EV_BOOT)),
        step(20, hello1, [s1.response(hello1, hello_payload(R[11], P | SS, 0))]),
        step(25, chal1, [s1.response(chal1, challenge_payload(R[12]))]),
        step(30, setcfg, [s1.response(setcfg, config_block(*cfg))]),
        step(2029, None, []),
        # 2000 ms after the last frame the watchdog closes the session, so the FAULT goes unsigned.
        step(2030, None, [event(2, EV_FAULT, 2030, b"\x01\x01")], relay=True),
        step(2040, ack(2, EV_FAULT), [event(3, EV_RELAY, 2030, b"\x01\x05")], relay=True),
        step(2050, ack(3, EV_RELAY), relay=True),
        step(2060, hello2,
             [s2.response(hello2, hello_payload(R[13], P | SS, 2)), s2.event(4, EV_RELAY, 2060, b"\x00\x06")]),
        step(2070, ack(4, EV_RELAY)),
        step(2080, None, [s2.event(5, EV_EXIT, 2080)], relay=True, inputs=IN_EXIT),
        step(2090, ack(5, EV_EXIT), [s2.event(6, EV_RELAY, 2080, b"\x01\x02")], relay=True, inputs=0),
        step(2100, ack(6, EV_RELAY), relay=True),
        step(2110, None, [s2.event(7, EV_DOOR, 2110, b"\x01")], relay=True, inputs=IN_DOOR),
        step(2120, ack(7, EV_DOOR), relay=True),
        step(2130, None, [s2.event(8, EV_DOOR, 2130, b"\x00")], relay=True, inputs=0),
        step(2140, ack(8, EV_DOOR), relay=True),
    ]
    for seq, at in ((0x0104, 3000), (0x0105, 4000), (0x0106, 5000)):
        frame, reply = hb(s2, seq, P | SS | RL)
        steps.append(step(at, frame, reply, relay=True))
    frame, reply = hb(s2, 0x0107, P | SS | RL)
    steps += [
        step(6080, frame, reply + [s2.event(9, EV_RELAY, 6080, b"\x00\x03")]),
        step(6090, ack(9, EV_RELAY)),
        step(6100, None, [s2.event(10, EV_DOOR, 6100, b"\x01")], inputs=IN_DOOR),
        step(6110, ack(10, EV_DOOR), [s2.event(11, EV_FAULT, 6100, b"\x02\x00")]),
        step(6120, ack(11, EV_FAULT)),
        step(6130, None, [s2.event(12, EV_TAMPER, 6130, b"\x01")], inputs=IN_DOOR | IN_TAMPER),
        step(6140, ack(12, EV_TAMPER)),
    ]
    chal2 = raw_frame(T_COMMAND, 0x0108, CHALLENGE)
    locked_out = s2.command(0x0109, UNLOCK, struct.pack("<H", 1000), 6, R[14])
    steps += [
        step(6145, chal2, [s2.response(chal2, challenge_payload(R[14]))]),
        step(6150, locked_out, [s2.nak(locked_out, "LOCKED_OUT")]),
        step(6160, None, [s2.event(13, EV_TAMPER, 6160, b"\x00")], inputs=IN_DOOR),
        step(6170, ack(13, EV_TAMPER)),
    ]
    chal3 = raw_frame(T_COMMAND, 0x010A, CHALLENGE)
    clear = s2.command(0x010B, LOCK, b"\x01", 7, R[15])
    chal4 = raw_frame(T_COMMAND, 0x010C, CHALLENGE)
    unlock = s2.command(0x010D, UNLOCK, struct.pack("<H", 1000), 8, R[16])
    steps += [
        step(6175, chal3, [s2.response(chal3, challenge_payload(R[15]))]),
        step(6180, clear, [s2.response(clear, bytes([P | SS | D]))]),
        step(6185, chal4, [s2.response(chal4, challenge_payload(R[16]))]),
        step(6190, unlock, [s2.response(unlock, struct.pack("<HB", 1000, P | SS | D | RL)),
                            s2.event(14, EV_RELAY, 6190, b"\x01\x01")], relay=True),
    ]
    return {"name": "watchdog_exit_forced_tamper", "key": hx(KEY), "provisioned": True,
            "random": [hx(R[i]) for i in range(11, 17)], "boot_ms": 0, "inputs": 0, "releases": 3,
            "steps": steps}


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "vectors.json"), "w") as f:
        json.dump(build(), f, indent=1)
        f.write("\n")
