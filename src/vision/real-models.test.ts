/**
 * The real models on real photos, in Node with onnxruntime-web (WASM, one thread). Weights are
 * provisioned first (scripts/provision-models.mjs). Photos: @vladmandic/face-api's demo samples
 * and the labelled faces in ../shared/faces (never copied into the repository).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { faceApiDemoDir, listSharedFaces, loadJpeg, loadNodeModels, sharedFacesDir } from '../../scripts/eval-support.ts';
import { ARCFACE_112, similarityTransform } from './align.ts';
import { alignmentError, boxBlur } from '../../tests/support/vision-helpers.ts';
import { cosine } from './embedding.ts';
import { cropResize, flipHorizontal, scaleBrightness } from './image.ts';
import { startBlink, stepBlink } from './eyes.ts';
import { TemplateIndex } from './matcher.ts';
import type { FaceModels } from './models.ts';
import { analyseFrame, type FaceAnalysis } from './pipeline.ts';
import { LIVENESS_POLICY, MATCH_POLICY } from './thresholds.ts';
import type { RgbaImage } from './types.ts';

let models: FaceModels;
beforeAll(async () => {
  models = await loadNodeModels();
}, 120_000);
afterAll(async () => {
  await models?.release();
});

const analyse = async (img: RgbaImage, ignoreQuality = true): Promise<readonly FaceAnalysis[]> =>
  (await analyseFrame(models, img, { maxAnalysed: 16, ignoreQuality, eyes: true })).faces;

describe('face-api demo photos (npm devDependency)', () => {
  // Counted by eye on the photos: every visible face, none in the background.
  const expected = [3, 3, 3, 4, 5, 4];
  const found: number[] = [];

  test.each(expected.map((n, i) => [i + 1, n] as const))('sample%i.jpg: %i faces', async (i, n) => {
    const frame = loadJpeg(`${faceApiDemoDir}/sample${i}.jpg`);
    const faces = await analyse(frame);
    found.push(faces.length);
    expect(faces).toHaveLength(n);
    for (const f of faces) {
      expect(f.score).toBeGreaterThan(0.9);
      // Landmarks must sit inside the face box they came from, or alignment is garbage.
      const inBox = f.landmarks.filter((p) => p.x >= f.box.x1 - 10 && p.x <= f.box.x2 + 10 && p.y >= f.box.y1 - 10 && p.y <= f.box.y2 + 10);
      expect(inBox.length).toBeGreaterThanOrEqual(60);
      // A profile cannot fit the frontal template closely (sample2 has one at 8.5 px); garbage is 20+.
      expect(alignmentError(similarityTransform(f.five, ARCFACE_112), f.five, ARCFACE_112)).toBeLessThan(12);
    }
    // Different people in one photo must not match each other.
    for (let a = 0; a < faces.length; a++)
      for (let b = a + 1; b < faces.length; b++) expect(cosine(faces[a]!.embedding!, faces[b]!.embedding!)).toBeLessThan(MATCH_POLICY.threshold);
  });

  test('a face matches its own mirror image and a darker copy', async () => {
    const frame = loadJpeg(`${faceApiDemoDir}/sample3.jpg`);
    const [orig] = await analyse(frame);
    for (const variant of [flipHorizontal(frame), scaleBrightness(frame, 0.5)]) {
      const [f] = await analyse(variant);
      expect(cosine(orig!.embedding!, f!.embedding!)).toBeGreaterThan(0.85);
    }
  });

  test('the quality gate passes sharp frontal faces and names blur and darkness', async () => {
    const frame = loadJpeg(`${faceApiDemoDir}/sample6.jpg`);
    const sharp = await analyse(frame);
    const frontal = sharp.filter((f) => f.quality.ok);
    expect(frontal.length).toBeGreaterThanOrEqual(2);
    const blurred = await analyse(boxBlur(frame, 8));
    expect(blurred.filter((f) => f.quality.reasons.includes('blurry')).length).toBeGreaterThanOrEqual(3);
    const dark = await analyse(scaleBrightness(frame, 0.2));
    expect(dark.every((f) => !f.quality.ok && f.quality.reasons.includes('too-dark'))).toBe(true);
  });
});

if (!existsSync(sharedFacesDir)) throw new Error(`${sharedFacesDir} not found: the labelled-faces tests need ../shared/faces`);

describe('labelled faces in ../shared/faces', () => {
  const people = new Map<string, { name: string; face: FaceAnalysis }[]>();
  const all: { name: string; identity: string; face: FaceAnalysis }[] = [];

  beforeAll(async () => {
    for (const img of listSharedFaces()) {
      if (!img.identity) continue;
      const faces = await analyse(loadJpeg(img.file));
      const face = faces[0]!;
      people.set(img.identity, [...(people.get(img.identity) ?? []), { name: img.name, face }]);
      all.push({ name: img.name, identity: img.identity, face });
    }
  }, 120_000);

  test('single-face photos: exactly one face each, judged live', () => {
    expect(all.length).toBe(11);
    const live = all.filter((x) => x.face.liveness! >= LIVENESS_POLICY.uncertain);
    console.log(`[vision] liveness on ${all.length} real single-face photos: ${all.map((x) => x.face.liveness!.toFixed(2)).join(' ')}`);
    expect(live.length).toBe(all.length);
  });

  test('group photos: the labelled people are found', async () => {
    const kitRose = await analyse(loadJpeg(`${sharedFacesDir}/group_kit_rose.jpg`));
    expect(kitRose).toHaveLength(2);
    // group_obama_biden also shows a third, partly hidden face at the bottom edge: a real face.
    const obamaBiden = await analyse(loadJpeg(`${sharedFacesDir}/group_obama_biden.jpg`));
    expect(obamaBiden.length).toBeGreaterThanOrEqual(2);
    const [left, right] = obamaBiden.slice(0, 2).sort((a, b) => a.box.x1 - b.box.x1);
    const biden = people.get('biden')!.map((x) => x.face.embedding!);
    const obama = people.get('obama')!.map((x) => x.face.embedding!);
    expect(Math.max(...biden.map((e) => cosine(e, left!.embedding!)))).toBeGreaterThanOrEqual(MATCH_POLICY.threshold);
    expect(Math.max(...obama.map((e) => cosine(e, right!.embedding!)))).toBeGreaterThanOrEqual(MATCH_POLICY.threshold);
  });

  test('a still photo held to the camera never passes the blink check, however noisy the eye readings', async () => {
    // As `npm run eval -- --blink` streams it: the largest face about 160 px wide in a 640x480
    // frame, camera noise on every frame, 75 frames (5 s at 15 fps).
    const photo = loadJpeg(`${sharedFacesDir}/group_obama_biden.jpg`);
    const [face] = await analyse(photo);
    const w = face!.box.x2 - face!.box.x1;
    const cx = (face!.box.x1 + face!.box.x2) / 2;
    const cy = (face!.box.y1 + face!.box.y2) / 2;
    const framed = cropResize(photo, { x1: cx - 2 * w, y1: cy - 1.5 * w, x2: cx + 2 * w, y2: cy + 1.5 * w }, 640, 480);
    let seed = 99;
    const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296;
    let state = startBlink(0);
    for (let i = 0; i < 75; i++) {
      const data = new Uint8ClampedArray(framed.data);
      for (let p = 0; p < data.length; p += 4) {
        const n = (rand() - 0.5) * 8;
        data[p] = data[p]! + n;
        data[p + 1] = data[p + 1]! + n;
        data[p + 2] = data[p + 2]! + n;
      }
      const [f] = (await analyseFrame(models, { width: 640, height: 480, data }, { maxAnalysed: 1, ignoreQuality: true, embed: false, liveness: false, eyes: true })).faces;
      expect(f?.eyes).toBeDefined();
      state = stepBlink(state, f!.eyes!.left, f!.eyes!.right, i * 66);
      expect(state.phase).not.toBe('blinked');
    }
  });

  test('same person across different photos matches; different people do not', () => {
    const genuine: number[] = [];
    const impostor: number[] = [];
    for (let i = 0; i < all.length; i++)
      for (let j = i + 1; j < all.length; j++) {
        const c = cosine(all[i]!.face.embedding!, all[j]!.face.embedding!);
        (all[i]!.identity === all[j]!.identity ? genuine : impostor).push(c);
      }
    console.log(`[vision] genuine ${genuine.length} pairs ${Math.min(...genuine).toFixed(3)}..${Math.max(...genuine).toFixed(3)}, impostor ${impostor.length} pairs ${Math.min(...impostor).toFixed(3)}..${Math.max(...impostor).toFixed(3)}`);
    expect(genuine).toHaveLength(7);
    expect(Math.min(...genuine)).toBeGreaterThanOrEqual(MATCH_POLICY.threshold);
    expect(Math.max(...impostor)).toBeLessThan(MATCH_POLICY.threshold);
  });

  test('open-set identification: each photo, left out, is named by the others; a stranger is unknown', () => {
    for (const probe of all) {
      const index = new TemplateIndex(512);
      for (const other of all) if (other !== probe) index.add(other.identity, other.face.embedding!);
      const r = index.match(probe.face.embedding!, MATCH_POLICY);
      const enrolled = all.some((o) => o !== probe && o.identity === probe.identity);
      if (enrolled) expect(r).toMatchObject({ kind: 'match', personId: probe.identity });
      else expect(r.kind).toBe('unknown');
    }
    const index = new TemplateIndex(512);
    for (const x of all) index.add(x.identity, x.face.embedding!);
    expect(index.match(all.find((x) => x.identity === 'obama')!.face.embedding!, MATCH_POLICY).kind).toBe('match');
  });
});
