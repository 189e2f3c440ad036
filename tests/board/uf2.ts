// UF2 (Microsoft's USB Flashing Format) as the RP2040 boot ROM reads it, written from the spec
// independently of panel-bridge/firmware/tools/uf2.py: parse and check every block, then lay
// the payloads out as flash. A file that would not flash (bad magic, wrong family, gaps in the
// numbering) throws, naming the block.

export const UF2_MAGIC_START0 = 0x0a324655;
export const UF2_MAGIC_START1 = 0x9e5d5157;
export const UF2_MAGIC_END = 0x0ab16f30;
export const UF2_FLAG_FAMILY_ID = 0x00002000;
export const UF2_FLAG_NOT_MAIN_FLASH = 0x00000001;
export const RP2040_FAMILY_ID = 0xe48bff56;
export const RP2040_FLASH_BASE = 0x10000000;
const BLOCK = 512;

export interface Uf2Block {
  readonly flags: number;
  readonly address: number;
  readonly payloadSize: number;
  readonly blockNo: number;
  readonly numBlocks: number;
  readonly familyId: number;
  readonly payload: Uint8Array;
  /** Bytes of the 476-byte data field past the payload (the spec wants zeros). */
  readonly padding: Uint8Array;
}

export function parseUf2(file: Uint8Array): Uf2Block[] {
  if (file.length === 0 || file.length % BLOCK !== 0) throw new Error(`UF2 length ${file.length} is not a whole number of 512-byte blocks`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const blocks: Uf2Block[] = [];
  for (let off = 0; off < file.length; off += BLOCK) {
    const n = off / BLOCK;
    const word = (i: number) => view.getUint32(off + 4 * i, true);
    if (word(0) !== UF2_MAGIC_START0 || word(1) !== UF2_MAGIC_START1) throw new Error(`block ${n}: bad start magic`);
    if (view.getUint32(off + BLOCK - 4, true) !== UF2_MAGIC_END) throw new Error(`block ${n}: bad end magic`);
    const payloadSize = word(4);
    if (payloadSize > 476) throw new Error(`block ${n}: payload ${payloadSize} does not fit`);
    blocks.push({
      flags: word(2),
      address: word(3),
      payloadSize,
      blockNo: word(5),
      numBlocks: word(6),
      familyId: word(7),
      payload: file.slice(off + 32, off + 32 + payloadSize),
      padding: file.slice(off + 32 + payloadSize, off + 32 + 476),
    });
  }
  return blocks;
}

/** What the RP2040 boot ROM requires of a UF2 it writes to flash (datasheet 2.8.4.2). */
export function checkRp2040Uf2(blocks: readonly Uf2Block[]): void {
  blocks.forEach((b, i) => {
    if (b.flags & UF2_FLAG_NOT_MAIN_FLASH) throw new Error(`block ${i}: marked not-main-flash`);
    if (!(b.flags & UF2_FLAG_FAMILY_ID) || b.familyId !== RP2040_FAMILY_ID) throw new Error(`block ${i}: not the RP2040 family`);
    if (b.payloadSize !== 256) throw new Error(`block ${i}: payload ${b.payloadSize}, the RP2040 takes 256`);
    if (b.address % 256 !== 0) throw new Error(`block ${i}: address 0x${b.address.toString(16)} not page aligned`);
    if (b.address < RP2040_FLASH_BASE || b.address + 256 > RP2040_FLASH_BASE + 16 * 1024 * 1024) throw new Error(`block ${i}: address outside flash`);
    if (b.blockNo !== i || b.numBlocks !== blocks.length) throw new Error(`block ${i}: numbered ${b.blockNo} of ${b.numBlocks}`);
  });
}

/** The flash contents the UF2 programs, from flash offset 0. */
export function uf2ToFlash(blocks: readonly Uf2Block[]): Uint8Array {
  const end = Math.max(...blocks.map((b) => b.address + b.payloadSize)) - RP2040_FLASH_BASE;
  const flash = new Uint8Array(end).fill(0xff);
  for (const b of blocks) flash.set(b.payload, b.address - RP2040_FLASH_BASE);
  return flash;
}

/** CRC-32/MPEG-2: poly 0x04C11DB7, init 0xFFFFFFFF, not reflected, no final XOR. */
export function crc32Mpeg2(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}
