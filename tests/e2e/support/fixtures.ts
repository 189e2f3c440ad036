import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readJpeg, writeY4m } from './y4m.ts';

const root = resolve(import.meta.dirname, '../../..');
export const FIXTURE_DIR = join(root, 'tests/e2e/.fixtures');
export const DOOR_VIDEO = join(FIXTURE_DIR, 'visitor.y4m');
const SAMPLE = join(root, 'node_modules/@vladmandic/face-api/demo/sample2.jpg');

/**
 * A visitor walks up: two seconds of empty doorway, the photo slides in from the right, then
 * stays centred. Chromium loops the file.
 */
export function ensureDoorVideo(): string {
  if (existsSync(DOOR_VIDEO) && statSync(DOOR_VIDEO).mtimeMs > statSync(SAMPLE).mtimeMs && statSync(DOOR_VIDEO).mtimeMs > statSync(import.meta.filename).mtimeMs) return DOOR_VIDEO;
  mkdirSync(dirname(DOOR_VIDEO), { recursive: true });
  const image = readJpeg(SAMPLE);
  const width = 640;
  const height = 480;
  const fps = 15;
  const scale = height / image.height;
  const w = Math.round(image.width * scale);
  const restX = Math.round((width - w) / 2);
  writeY4m(DOOR_VIDEO, {
    width,
    height,
    fps,
    frames: fps * 8,
    scene: (i) => {
      const t = i / fps;
      if (t < 2) return null;
      const k = Math.min(1, (t - 2) / 1.5);
      return { image, x: Math.round(width + (restX - width) * k), y: 0, scale };
    },
  });
  return DOOR_VIDEO;
}
