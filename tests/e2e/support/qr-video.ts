import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/full';
import { writeY4m, type Rgba } from './y4m.ts';
import { FIXTURE_DIR } from './fixtures.ts';

const root = resolve(import.meta.dirname, '../../..');
let prepared = false;

/** A QR code as a phone screen would show it: black modules on white with a quiet zone. */
async function qrImage(text: string, modulePx: number): Promise<Rgba> {
  if (!prepared) {
    const wasm = readFileSync(join(root, 'node_modules/zxing-wasm/dist/full/zxing_full.wasm'));
    prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer } });
    prepared = true;
  }
  const out = await writeBarcode(text, { format: 'QRCode', ecLevel: 'M' });
  if (out.error) throw new Error(out.error);
  const { width, height, data } = out.symbol;
  const quiet = 4;
  const W = (width + 2 * quiet) * modulePx;
  const H = (height + 2 * quiet) * modulePx;
  const rgba = new Uint8Array(W * H * 4).fill(255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] !== 0) continue;
      for (let dy = 0; dy < modulePx; dy++) {
        for (let dx = 0; dx < modulePx; dx++) {
          const o = (((y + quiet) * modulePx + dy) * W + (x + quiet) * modulePx + dx) * 4;
          rgba[o] = rgba[o + 1] = rgba[o + 2] = 0;
        }
      }
    }
  }
  return { width: W, height: H, data: rgba };
}

/** A camera video of someone holding a phone with this QR code up to the door, after a second of empty doorway. */
export async function qrVideo(name: string, text: string): Promise<string> {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const path = join(FIXTURE_DIR, `${name}.y4m`);
  const image = await qrImage(text, 4);
  const width = 640;
  const height = 480;
  const fps = 10;
  const x = Math.round((width - image.width) / 2);
  const y = Math.round((height - image.height) / 2);
  writeY4m(path, { width, height, fps, frames: fps * 4, scene: (i) => (i < fps ? null : { image, x, y, scale: 1 }) });
  return path;
}
