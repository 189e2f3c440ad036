/**
 * Camera frames (transferred ImageBitmaps) into what the engine reads: RGBA pixels on one reused
 * canvas, the idle-mode motion thumbnail, and the small JPEG of a face for the access log.
 */
import { lumaBytes, MOTION_SIZE } from '../motion.ts';
import type { Box, RgbaImage } from '../types.ts';

export class FrameReader {
  #canvas: OffscreenCanvas | null = null;
  #ctx: OffscreenCanvasRenderingContext2D | null = null;
  readonly #tiny = new OffscreenCanvas(MOTION_SIZE.width, MOTION_SIZE.height);
  readonly #tinyCtx = this.#tiny.getContext('2d', { willReadFrequently: true });

  pixels(bitmap: ImageBitmap): RgbaImage {
    const { width, height } = bitmap;
    if (!this.#canvas || this.#canvas.width !== width || this.#canvas.height !== height) {
      this.#canvas = new OffscreenCanvas(width, height);
      this.#ctx = this.#canvas.getContext('2d', { willReadFrequently: true });
    }
    if (!this.#ctx) throw new Error('no 2d context in the worker');
    this.#ctx.drawImage(bitmap, 0, 0);
    return { width, height, data: this.#ctx.getImageData(0, 0, width, height).data };
  }

  /** Grey MOTION_SIZE thumbnail for the idle motion check. */
  thumbnail(bitmap: ImageBitmap): Uint8Array {
    const ctx = this.#tinyCtx;
    if (!ctx) throw new Error('no 2d context in the worker');
    ctx.drawImage(bitmap, 0, 0, MOTION_SIZE.width, MOTION_SIZE.height);
    return lumaBytes(ctx.getImageData(0, 0, MOTION_SIZE.width, MOTION_SIZE.height).data, MOTION_SIZE.width * MOTION_SIZE.height);
  }
}

/** A person's thumbnail's side: small enough to seal and send in one reply, big enough for a list row. */
export const THUMBNAIL_PX = 96;

/** A small JPEG of the face (1.6x its box, at most `maxSide` px): the access log's, or a person's thumbnail. */
export async function faceSnapshot(bitmap: ImageBitmap, box: Box, maxSide = 160): Promise<Uint8Array | undefined> {
  try {
    const side = Math.max(box.x2 - box.x1, box.y2 - box.y1) * 1.6;
    const cx = (box.x1 + box.x2) / 2;
    const cy = (box.y1 + box.y2) / 2;
    const sx = Math.max(0, Math.round(cx - side / 2));
    const sy = Math.max(0, Math.round(cy - side / 2));
    const sw = Math.min(bitmap.width - sx, Math.round(side));
    const sh = Math.min(bitmap.height - sy, Math.round(side));
    const scale = Math.min(1, maxSide / Math.max(sw, sh));
    const out = new OffscreenCanvas(Math.max(1, Math.round(sw * scale)), Math.max(1, Math.round(sh * scale)));
    out.getContext('2d')?.drawImage(bitmap, sx, sy, sw, sh, 0, 0, out.width, out.height);
    return new Uint8Array(await (await out.convertToBlob({ type: 'image/jpeg', quality: 0.8 })).arrayBuffer());
  } catch {
    return undefined;
  }
}
