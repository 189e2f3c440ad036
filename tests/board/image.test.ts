// The image as a file: what the boot ROM checks before it runs a byte of it, and what its
// RPI-RP2 drive needs to take the UF2. Reads the very build/doorward.uf2 `make uf2` writes.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE_DIR, UF2_PATH, buildFirmware, hasArmToolchain } from './board.ts';
import { RP2040_FAMILY_ID, RP2040_FLASH_BASE, UF2_MAGIC_END, UF2_MAGIC_START0, checkRp2040Uf2, crc32Mpeg2, parseUf2, uf2ToFlash } from './uf2.ts';
import type { Uf2Block } from './uf2.ts';

const toolchain = hasArmToolchain();
// npm test installs the toolchain as root (scripts/install-system-deps.sh): missing, the tests fail and say so.
if (!toolchain) throw new Error('RP2040 image tests need arm-none-eabi-gcc: run panel-bridge/firmware/install-deps.sh');

const u32 = (b: Uint8Array, i: number) => new DataView(b.buffer, b.byteOffset).getUint32(i, true);

describe('doorward.uf2, the file', () => {
  let file: Uint8Array;
  let blocks: Uf2Block[];
  let flash: Uint8Array;

  beforeAll(() => {
    buildFirmware();
    file = new Uint8Array(readFileSync(UF2_PATH));
    blocks = parseUf2(file);
    flash = uf2ToFlash(blocks);
  }, 120_000);

  it('computes CRC-32/MPEG-2 as catalogued (check value of "123456789" is 0x0376E6E7)', () => {
    expect(crc32Mpeg2(new TextEncoder().encode('123456789'))).toBe(0x0376e6e7);
    expect(crc32Mpeg2(new Uint8Array(0))).toBe(0xffffffff);
  });

  it('starts with boot2: 252 bytes and, little-endian after them, the CRC32 the boot ROM checks', () => {
    const boot2 = flash.subarray(0, 252);
    expect(u32(flash, 252)).toBe(crc32Mpeg2(boot2));
    // any change to boot2 is caught by the check
    const flipped = boot2.slice();
    flipped[10] = (flipped[10] ?? 0) ^ 0x01;
    expect(crc32Mpeg2(flipped)).not.toBe(u32(flash, 252));
  });

  it('has the vector table boot2 jumps through at 0x10000100: stack top in SRAM, Thumb reset handler in flash', () => {
    const sp = u32(flash, 0x100);
    const reset = u32(flash, 0x104);
    expect(sp).toBe(0x20040000);
    expect(reset & 1).toBe(1);
    expect(reset).toBeGreaterThan(RP2040_FLASH_BASE + 0x100);
    expect(reset).toBeLessThan(RP2040_FLASH_BASE + flash.length);
  });

  it('is well-formed UF2 for the RP2040: magic, family 0xe48bff56, 256-byte payloads, contiguous, numbered', () => {
    expect(() => checkRp2040Uf2(blocks)).not.toThrow();
    expect(file.length).toBe(blocks.length * 512);
    for (const [i, b] of blocks.entries()) {
      expect(u32(file, i * 512)).toBe(UF2_MAGIC_START0);
      expect(u32(file, i * 512 + 508)).toBe(UF2_MAGIC_END);
      expect(b.familyId).toBe(RP2040_FAMILY_ID);
      expect(b.address).toBe(RP2040_FLASH_BASE + i * 256);
      expect(b.padding.every((x) => x === 0)).toBe(true);
    }
  });

  it('carries exactly the linked image (objcopy of doorward.elf), padded with erased-flash 0xFF', () => {
    const bin = new Uint8Array(readFileSync(`${FIRMWARE_DIR}/build/doorward.bin`));
    expect(flash.subarray(0, bin.length)).toEqual(bin);
    expect(flash.subarray(bin.length).every((x) => x === 0xff)).toBe(true);
    expect(flash.length).toBe(Math.ceil(bin.length / 256) * 256);
  });

  it('is refused by the checks when a block is damaged', () => {
    const bad = file.slice();
    bad[512 + 28] = 0; // block 1's family id
    expect(() => checkRp2040Uf2(parseUf2(bad))).toThrow(/block 1: not the RP2040 family/);
    const torn = file.slice(0, file.length - 512);
    expect(() => checkRp2040Uf2(parseUf2(torn))).toThrow(/numbered/);
  });
});
