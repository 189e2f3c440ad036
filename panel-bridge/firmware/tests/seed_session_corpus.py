#!/usr/bin/env python3
"""Seed programs for fuzz_session.c (its input is a program, one operation per byte, see the
comment at the top of that file), so the fuzzer starts from sessions that reach the interesting
states: a keyed session, a challenge, signed UNLOCK/SET_CONFIG, replays, long clock jumps,
set-up mode provisioning and power cuts."""
import os
import sys

HELLO, CHALLENGE, UNLOCK, SET_CONFIG, CLEAR, LOCK, PROVISION, ADVANCE, INPUTS, RAW, REPLAY, HB, ACK, STATUS, POWER, SIGNED = range(16)
TICK = 0x80  # an op byte with the high bit set also ticks afterwards


def prog(first, *ops):
    # first byte: bit 0 provisioned, bits 1-4 inputs at boot; then rng seed (4) and start time (2)
    return bytes([first, 1, 2, 3, 4, 0, 0]) + bytes(ops)


seeds = [
    # keyed session, challenge, signed UNLOCK 1000 ms, next counter; then the pulse runs out
    prog(1, HELLO, 0x55, CHALLENGE, UNLOCK, 0xE8, 0x03, 0, ADVANCE, 0xD0, 0x07, 0),
    # the same, then the UNLOCK replayed after 4 s (its challenge is gone)
    prog(1, HELLO, 0x55, CHALLENGE, UNLOCK, 0xE8, 0x03, 0, ADVANCE, 0xA0, 0x0F, 0, REPLAY, 0),
    # signed over an older challenge, and with a reused counter
    prog(1, HELLO, 1, CHALLENGE, CHALLENGE, UNLOCK, 0x64, 0, 4, 0, CHALLENGE, UNLOCK, 0x64, 0, 1),
    # withheld: sign, heartbeats for hours, then deliver
    prog(1, HELLO, 2, CHALLENGE, SIGNED, 3, 2, 0xE8, 0x03, 0, HB, ADVANCE, 0x02, 0, 2, HB, REPLAY, 0),
    # a valid SET_CONFIG (fail-safe), then the watchdog lets the door go
    prog(1, HELLO, 3, CHALLENGE, SET_CONFIG, 1, 0x10, 0x27, 1, 0xD0, 0x07, 0, 0, 0x20, 0x03, 0, 0, ADVANCE, 0x30, 0x75, 0),
    # set-up mode (button held at boot), provision the harness key, then a keyed session
    prog(0 | (8 << 1), HELLO, 4, PROVISION, 0, HELLO, 5, CHALLENGE, UNLOCK, 0xE8, 0x03, 0),
    # provisioning with the power cut during the flash write, then reboot in set-up mode
    prog(0 | (8 << 1), HELLO, 4, POWER, 1, 1, PROVISION, 0, HELLO, 6),
    # SET_CONFIG with the power cut, reboot, unlock still works
    prog(1, HELLO, 7, CHALLENGE, POWER, 1, 2, SET_CONFIG, 1, 0x10, 0x27, 0, 0xD0, 0x07, 0, 0, 0x20, 0x03, 0, 0,
         HELLO, 8, CHALLENGE, UNLOCK, 0xE8, 0x03, 0),
    # exit button, tamper, signed clear, door contact
    prog(1, INPUTS, 2, INPUTS, 0, INPUTS, 4, HELLO, 9, CHALLENGE, CLEAR, 0, INPUTS, 0, CHALLENGE, CLEAR, 0, INPUTS, 1),
    # the review's attack: signed and held back, let through after the 3 s window (mode 8 = hold)
    prog(1, HELLO, 11, CHALLENGE, UNLOCK, 0xE8, 0x03, 8, ADVANCE, 0xB8, 0x0B, 0, REPLAY, 0),
    # held back, let through inside the window, then again (spent)
    prog(1, HELLO, 12, CHALLENGE, UNLOCK, 0xE8, 0x03, 8, ADVANCE, 0xD0, 0x07, 0, REPLAY, 0, REPLAY, 0),
    # an unsigned UNLOCK, well framed (how = 0x92: bit 7 plain, 0x92 % 24 = 2 bytes of body)
    prog(1, HELLO, 13, SIGNED, 0x03, 0x92, 0xE8, 0x03),  # 0x03: the UNLOCK command id
    # max pulse 30 s, watchdog 2 s: a long UNLOCK pulse when the watchdog goes fail-secure
    # (config bytes: valid-flag, max_pulse 100 + 0x74CC = 30000, fail-secure, watchdog 1000 + 1000,
    #  held-open, spare; then the signing mode byte)
    prog(1, HELLO, 14, CHALLENGE, SET_CONFIG, 1, 0xCC, 0x74, 0, 0xE8, 0x03, 0, 0, 0x20, 0x03, 0, 0,
         CHALLENGE, UNLOCK, 0x20, 0x4E, 0, ADVANCE, 0xB8, 0x0B, 0),
    # ticks after every read, events ACKed
    prog(1, HELLO | TICK, 10, ACK | TICK, 1, CHALLENGE | TICK, UNLOCK | TICK, 0x10, 0x27, 0, ACK, 1, STATUS),
]
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for i, s in enumerate(seeds):
    with open(os.path.join(out, "session-%02d" % i), "wb") as f:
        f.write(s)
