import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepareZXingModule, readBarcodes, writeBarcode } from 'zxing-wasm/full';
import { writeY4m, type Rgba } from './y4m.ts';
import { FIXTURE_DIR } from './fixtures.ts';

const root = resolve(import.meta.dirname, '../../..');
let prepared = false;

function prepare(): void {
  if (prepared) return;
  const wasm = readFileSync(join(root, 'node_modules/zxing-wasm/dist/full/zxing_full.wasm'));
  prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer } });
  prepared = true;
}

/** The QR texts a picture (a PNG screenshot, say) holds, read as a phone's scanner would. */
export async function readQr(png: Uint8Array): Promise<string[]> {
  prepare();
  const found = await readBarcodes(png, { formats: ['QRCode'], tryHarder: true });
  return found.filter((r) => r.isValid).map((r) => r.text);
}

/** A QR code as a phone screen would show it: black modules on white with a quiet zone. */
async function qrImage(text: string, modulePx: number): Promise<Rgba> {
  prepare();
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

/**
 * A guest shows the key's QR code, puts the phone away, then looks at the camera: the QR for
 * 2.5 s, a moment of empty doorway, then the guest's face for 10 s (long enough to be judged
 * again once the door has closed behind the key's own opening).
 */
export async function keyThenFaceVideo(name: string, text: string, face: { image: Rgba; x: number; y: number; scale: number }): Promise<string> {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const path = join(FIXTURE_DIR, `${name}.y4m`);
  const qr = await qrImage(text, 4);
  const fps = 10;
  const qx = Math.round((640 - qr.width) / 2);
  const qy = Math.round((480 - qr.height) / 2);
  writeY4m(path, {
    width: 640,
    height: 480,
    fps,
    frames: fps * 15,
    scene: (i) => {
      const t = i / fps;
      if (t >= 1 && t < 3.5) return { image: qr, x: qx, y: qy, scale: 1 };
      if (t >= 4 && t < 14) return face;
      return null;
    },
  });
  return path;
}
