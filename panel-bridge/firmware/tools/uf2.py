#!/usr/bin/env python3
"""Writes a UF2 file (Microsoft's USB Flashing Format, as the RP2040 boot ROM's mass-storage
drive takes it; RP2040 datasheet 2.8.4.2) from a flat binary image.

Each 512-byte block: magic 0x0A324655, 0x9E5D5157, flags (0x2000: family id present), target
address, payload size (256: the RP2040 programs whole 256-byte pages), block number, block
count, family id (0xE48BFF56 for the RP2040), 476 data bytes (256 used, rest zero), final magic
0x0AB16F30. All little-endian.

usage: uf2.py image.bin base_address out.uf2
"""
import struct
import sys

MAGIC_START0 = 0x0A324655
MAGIC_START1 = 0x9E5D5157
MAGIC_END = 0x0AB16F30
FLAG_FAMILY_ID = 0x00002000
FAMILY_RP2040 = 0xE48BFF56
PAYLOAD = 256
DATA_FIELD = 476


def blocks(image: bytes, base: int):
    count = (len(image) + PAYLOAD - 1) // PAYLOAD
    for n in range(count):
        chunk = image[n * PAYLOAD:(n + 1) * PAYLOAD]
        chunk += b"\xff" * (PAYLOAD - len(chunk))  # erased flash reads 0xFF
        head = struct.pack("<8I", MAGIC_START0, MAGIC_START1, FLAG_FAMILY_ID, base + n * PAYLOAD,
                           PAYLOAD, n, count, FAMILY_RP2040)
        yield head + chunk + bytes(DATA_FIELD - PAYLOAD) + struct.pack("<I", MAGIC_END)


def main() -> int:
    src, base, dst = sys.argv[1], int(sys.argv[2], 0), sys.argv[3]
    with open(src, "rb") as f:
        image = f.read()
    if base % PAYLOAD:
        print("base address must be page aligned", file=sys.stderr)
        return 1
    out = b"".join(blocks(image, base))
    with open(dst, "wb") as f:
        f.write(out)
    print(f"uf2: {len(out) // 512} blocks of {PAYLOAD} bytes at 0x{base:08x}, family 0x{FAMILY_RP2040:08x}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
