/**
 * Presentation-attack samples made in software from real face photos, for `npm run eval --
 * --make-spoof OUT` (then `--spoof OUT`). No openly licensed print or replay set could be had,
 * so these are WEAK STAND-INS and are named so (`fake-<type>-synthetic_*`): a print or a screen
 * re-photographed in software lacks most of what a real one shows a camera (paper fibre under
 * a real lens, real moire, specular glare that moves). Figures on them bound nothing; they show
 * whether the model reacts to the cues at all. The one real attack (shared/spoof's phone replay)
 * is copied as `fake-replay_*`; the real faces as `real_*`.
 *
 * Every effect is drawn in the rig page with canvas operations and a fixed pseudo-random seed
 * per image, so the set is the same on every run.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Page } from '@playwright/test';

export const ATTACKS = ['print', 'print-close', 'screen', 'screen-close'] as const;
export type SyntheticAttack = (typeof ATTACKS)[number];

interface Source {
  readonly file: string;
  readonly name: string;
}

const IMAGE = /\.(jpe?g|png|webp)$/i;

/** Real faces: shared/spoof's real_* and every single-face photo in shared/faces. */
export function spoofSources(spoofDir: string, facesDir: string): { real: Source[]; replay: Source[] } {
  const list = (dir: string) => readdirSync(dir).filter((n) => IMAGE.test(n)).sort();
  const real = [
    ...list(spoofDir).filter((n) => n.startsWith('real_')).map((n) => ({ file: join(spoofDir, n), name: `spoof-${basename(n, extname(n))}` })),
    ...list(facesDir).filter((n) => !n.startsWith('group_')).map((n) => ({ file: join(facesDir, n), name: basename(n, extname(n)) })),
  ];
  const replay = list(spoofDir).filter((n) => n.startsWith('fake_')).map((n) => ({ file: join(spoofDir, n), name: basename(n, extname(n)) }));
  return { real, replay };
}

/** Writes the set into `out`; returns the file names by kind. */
export async function makeSpoofSet(page: Page, spoofDir: string, facesDir: string, out: string, log: (m: string) => void): Promise<Record<string, string[]>> {
  mkdirSync(out, { recursive: true });
  const { real, replay } = spoofSources(spoofDir, facesDir);
  const written: Record<string, string[]> = { real: [], replay: [] };
  for (const s of real) {
    const name = `real_${s.name}${extname(s.file).toLowerCase()}`;
    copyFileSync(s.file, join(out, name));
    written.real!.push(name);
  }
  replay.forEach((s, i) => {
    const name = `fake-replay_${i + 1}${extname(s.file).toLowerCase()}`;
    copyFileSync(s.file, join(out, name));
    written.replay!.push(name);
  });
  for (const attack of ATTACKS) written[attack] = [];
  for (const [i, s] of real.entries()) {
    const bytes = [...readFileSync(s.file)];
    for (const attack of ATTACKS) {
      const jpeg = await page.evaluate(drawAttack, { bytes, attack, seed: i * 7 + ATTACKS.indexOf(attack) + 1 });
      if (!jpeg) {
        log(`${s.name}: no face found, no ${attack}`);
        continue;
      }
      const name = `fake-${attack}-synthetic_${s.name}.jpg`;
      writeFileSync(join(out, name), Buffer.from(jpeg));
      written[attack]!.push(name);
    }
    log(`${s.name}: ${ATTACKS.join(', ')}`);
  }
  return written;
}

/**
 * Runs in the rig page (needs window.__vision): finds the largest face, then re-photographs the
 * photo as the attack, at door-camera framing (640x480, face about 150 px wide).
 */
async function drawAttack({ bytes, attack, seed }: { bytes: number[]; attack: SyntheticAttack; seed: number }): Promise<number[] | null> {
  const bridge = (window as unknown as { __vision: { request(k: string, p: unknown): Promise<{ faces: { box: { x1: number; y1: number; x2: number; y2: number } }[] }> } }).__vision;
  const src = await createImageBitmap(new Blob([new Uint8Array(bytes)]));
  const found = await bridge.request('analyse', { bitmap: await createImageBitmap(src), options: { detectOnly: true } });
  const face = found.faces.reduce<(typeof found.faces)[number] | null>((a, f) => (!a || f.box.x2 - f.box.x1 > a.box.x2 - a.box.x1 ? f : a), null);
  if (!face) return null;
  let s = seed >>> 0 || 1;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
  const W = 640;
  const H = 480;
  const c = new OffscreenCanvas(W, H);
  const ctx = c.getContext('2d')!;
  const close = attack.endsWith('-close');
  const fw = face.box.x2 - face.box.x1;
  // The photo's face about 150 px wide (close: 200, held nearer the camera).
  const k = (close ? 200 : 150) / fw;
  const fcx = (face.box.x1 + face.box.x2) / 2;
  const fcy = (face.box.y1 + face.box.y2) / 2;
  // What of the photo the medium shows: the face with its surroundings, like a portrait print or a phone photo.
  const view = { w: (close ? 2.2 : 2.0) * fw, h: (close ? 2.6 : 2.6) * fw };
  const vx = Math.max(0, fcx - view.w / 2);
  const vy = Math.max(0, fcy - view.h * 0.45);
  const vw = Math.min(src.width - vx, view.w);
  const vh = Math.min(src.height - vy, view.h);

  // The room behind: a wall with soft light.
  const wall = ctx.createLinearGradient(0, 0, W, H);
  wall.addColorStop(0, `rgb(${120 + rand() * 40},${110 + rand() * 30},${100 + rand() * 30})`);
  wall.addColorStop(1, `rgb(${60 + rand() * 30},${55 + rand() * 25},${50 + rand() * 25})`);
  ctx.fillStyle = wall;
  ctx.fillRect(0, 0, W, H);

  ctx.save();
  ctx.translate(W / 2 + (rand() - 0.5) * 30, H / 2 + (rand() - 0.5) * 20);
  ctx.rotate(((rand() - 0.5) * 8 * Math.PI) / 180);
  const pw = vw * k;
  const ph = vh * k;
  const ox = -(fcx - vx) * k;
  const oy = -(fcy - vy) * k;
  if (attack.startsWith('print')) {
    // Paper: a white margin round the picture (out of view when held close).
    const m = 18;
    ctx.fillStyle = 'rgb(236,232,222)';
    ctx.fillRect(ox - m, oy - m, pw + 2 * m, ph + 2 * m);
    // Ink on paper: less contrast and colour, a little soft.
    ctx.filter = 'contrast(0.78) saturate(0.7) brightness(0.96) blur(0.7px)';
    ctx.drawImage(src, vx, vy, vw, vh, ox, oy, pw, ph);
    ctx.filter = 'none';
    // Halftone: a fine dot screen multiplied over the ink.
    const dots = new OffscreenCanvas(4, 4);
    const d = dots.getContext('2d')!;
    d.fillStyle = 'rgb(255,255,255)';
    d.fillRect(0, 0, 4, 4);
    d.fillStyle = 'rgb(200,196,188)';
    d.beginPath();
    d.arc(2, 2, 1.1, 0, Math.PI * 2);
    d.fill();
    ctx.globalCompositeOperation = 'multiply';
    ctx.globalAlpha = 0.55;
    ctx.fillStyle = ctx.createPattern(dots, 'repeat')!;
    ctx.fillRect(ox, oy, pw, ph);
    ctx.globalAlpha = 1;
    ctx.globalCompositeOperation = 'source-over';
  } else {
    // A phone: black bezel round a bright, bluish, over-saturated picture.
    const b = 14;
    ctx.fillStyle = 'rgb(12,12,14)';
    ctx.beginPath();
    ctx.roundRect(ox - b, oy - b * 2, pw + 2 * b, ph + 4 * b, 22);
    ctx.fill();
    ctx.filter = 'brightness(1.12) contrast(1.15) saturate(1.25)';
    ctx.drawImage(src, vx, vy, vw, vh, ox, oy, pw, ph);
    ctx.filter = 'none';
    ctx.globalCompositeOperation = 'screen';
    ctx.fillStyle = 'rgba(40,70,255,0.07)';
    ctx.fillRect(ox, oy, pw, ph);
    ctx.globalCompositeOperation = 'source-over';
    // Sub-pixel stripes and a moire of the screen's grid against the camera's.
    const grid = new OffscreenCanvas(3, 1);
    const g = grid.getContext('2d')!;
    ['rgba(255,0,0,0.07)', 'rgba(0,255,0,0.07)', 'rgba(0,0,255,0.07)'].forEach((col, i) => {
      g.fillStyle = col;
      g.fillRect(i, 0, 1, 1);
    });
    ctx.fillStyle = ctx.createPattern(grid, 'repeat')!;
    ctx.fillRect(ox, oy, pw, ph);
    ctx.save();
    ctx.beginPath();
    ctx.rect(ox, oy, pw, ph);
    ctx.clip();
    ctx.rotate(0.3 + rand() * 0.4);
    ctx.strokeStyle = 'rgba(0,0,0,0.06)';
    ctx.lineWidth = 1.5;
    for (let x = -W; x < W; x += 5 + rand() * 0.2) {
      ctx.beginPath();
      ctx.moveTo(x, -H);
      ctx.lineTo(x + 40, H);
      ctx.stroke();
    }
    ctx.restore();
    // Glare from a light behind the camera.
    const gx = ox + pw * (0.2 + rand() * 0.6);
    const gy = oy + ph * (0.1 + rand() * 0.3);
    const glare = ctx.createRadialGradient(gx, gy, 0, gx, gy, pw * 0.6);
    glare.addColorStop(0, 'rgba(255,255,255,0.28)');
    glare.addColorStop(1, 'rgba(255,255,255,0)');
    ctx.fillStyle = glare;
    ctx.fillRect(ox, oy, pw, ph);
  }
  ctx.restore();

  // The camera: a little blur and sensor noise, then JPEG.
  const img = ctx.getImageData(0, 0, W, H);
  for (let i = 0; i < img.data.length; i += 4) {
    const n = (rand() - 0.5) * 10;
    img.data[i] = img.data[i]! + n;
    img.data[i + 1] = img.data[i + 1]! + n;
    img.data[i + 2] = img.data[i + 2]! + n;
  }
  ctx.putImageData(img, 0, 0);
  const out = new OffscreenCanvas(W, H);
  const octx = out.getContext('2d')!;
  octx.filter = 'blur(0.5px)';
  octx.drawImage(c, 0, 0);
  return [...new Uint8Array(await (await out.convertToBlob({ type: 'image/jpeg', quality: 0.85 })).arrayBuffer())];
}
