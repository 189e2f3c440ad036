import { openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';

/**
 * Builds the fake camera's video: Chromium plays a .y4m file as the camera
 * (`--use-file-for-fake-video-capture`). Frames are composed from real photos shipped in npm
 * packages, so every e2e test sees real faces moving into frame.
 */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function readJpeg(path: string): Rgba {
  const img = jpeg.decode(readFileSync(path), { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
  return { width: img.width, height: img.height, data: img.data };
}

/** A placement of a photo in one frame: its top-left corner and its scale, in output pixels. */
export interface Placement {
  readonly image: Rgba;
  readonly x: number;
  readonly y: number;
  readonly scale: number;
}

export interface VideoSpec {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frames: number;
  /** What to draw on frame i; null shows the empty doorway. */
  readonly scene: (i: number) => Placement | null;
  /**
   * Frames that carry a marker: a white square of `markerSize` px in the top left corner (a
   * black one on the others), so a test can tell from the picture which frame it is seeing.
   */
  readonly marker?: (i: number) => boolean;
  readonly markerSize?: number;
}

function doorway(width: number, height: number): Uint8Array {
  // A dim corridor: a vertical gradient with a lighter door frame, so "nobody there" is not black.
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const frame = Math.abs(x - width / 2) > width * 0.28 && Math.abs(x - width / 2) < width * 0.31;
      const v = frame ? 150 : 70 + Math.round((40 * y) / height);
      out[o] = v;
      out[o + 1] = v - 6;
      out[o + 2] = v - 14;
      out[o + 3] = 255;
    }
  }
  return out;
}

function draw(dst: Uint8Array, width: number, height: number, p: Placement): void {
  const { image, x, y, scale } = p;
  const w = Math.round(image.width * scale);
  const h = Math.round(image.height * scale);
  for (let dy = Math.max(0, -y); dy < h && y + dy < height; dy++) {
    const sy = Math.min(image.height - 1, Math.floor(dy / scale));
    for (let dx = Math.max(0, -x); dx < w && x + dx < width; dx++) {
      const sx = Math.min(image.width - 1, Math.floor(dx / scale));
      const s = (sy * image.width + sx) * 4;
      const d = ((y + dy) * width + (x + dx)) * 4;
      dst[d] = image.data[s] ?? 0;
      dst[d + 1] = image.data[s + 1] ?? 0;
      dst[d + 2] = image.data[s + 2] ?? 0;
    }
  }
}

function mark(dst: Uint8Array, width: number, size: number, v: number): void {
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = (y * width + x) * 4;
      dst[d] = v;
      dst[d + 1] = v;
      dst[d + 2] = v;
    }
  }
}

/** BT.601 limited-range RGB -> I420, the layout y4m's C420jpeg/C420 expects. */
function toI420(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const ySize = width * height;
  const cw = width / 2;
  const out = new Uint8Array(ySize * 1.5);
  for (let i = 0; i < ySize; i++) {
    const r = rgba[i * 4] ?? 0;
    const g = rgba[i * 4 + 1] ?? 0;
    const b = rgba[i * 4 + 2] ?? 0;
    out[i] = Math.round(16 + 0.257 * r + 0.504 * g + 0.098 * b);
  }
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [ox, oy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        const o = ((cy * 2 + oy) * width + cx * 2 + ox) * 4;
        r += rgba[o] ?? 0;
        g += rgba[o + 1] ?? 0;
        b += rgba[o + 2] ?? 0;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      out[ySize + cy * cw + cx] = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
      out[ySize + ySize / 4 + cy * cw + cx] = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
    }
  }
  return out;
}

export function writeY4m(path: string, spec: VideoSpec): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${spec.width} H${spec.height} F${spec.fps}:1 Ip A1:1 C420jpeg\n`);
    const empty = doorway(spec.width, spec.height);
    for (let i = 0; i < spec.frames; i++) {
      const frame = empty.slice();
      const p = spec.scene(i);
      if (p) draw(frame, spec.width, spec.height, p);
      if (spec.marker) mark(frame, spec.width, spec.markerSize ?? 24, spec.marker(i) ? 255 : 0);
      writeSync(fd, 'FRAME\n');
      writeSync(fd, toI420(frame, spec.width, spec.height));
    }
  } finally {
    closeSync(fd);
  }
}
