import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceApiDemoDir, loadJpeg, loadNodeModels, sharedFacesDir } from '../../scripts/eval-support.ts';
import { cosine } from './embedding.ts';
import { TemplateIndex } from './matcher.ts';
import type { FaceModels } from './models.ts';
import { embedPhoto, type PhotoResult } from './photo.ts';
import { MATCH_POLICY } from './thresholds.ts';
import type { RgbaImage } from './types.ts';

/** Enrolment from a still photo on the real weights (provisioned first). */
let models: FaceModels;
beforeAll(async () => {
  models = await loadNodeModels();
}, 120_000);
afterAll(async () => {
  await models?.release();
});

const run = (img: RgbaImage, index: TemplateIndex | null = null): Promise<PhotoResult> => embedPhoto(models, img, index);
// The labelled faces sit beside the checkout (../shared/faces); without them these tests fail and say so.
if (!existsSync(sharedFacesDir)) throw new Error(`${sharedFacesDir} not found: the photo tests need ../shared/faces`);
const face = (name: string) => loadJpeg(`${sharedFacesDir}/${name}`);

describe('embedPhoto', () => {
  it('an image without a face: no-face', async () => {
    const grey: RgbaImage = { width: 640, height: 480, data: new Uint8ClampedArray(640 * 480 * 4).fill(128) };
    expect(await run(grey)).toEqual({ ok: false, problems: ['no-face'], faces: 0 });
  });

  it('a group of similar-sized faces (face-api sample1): several-faces, nothing enrolled', async () => {
    const r = await run(loadJpeg(`${faceApiDemoDir}/sample1.jpg`));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual(['several-faces']);
  });

  it('one face per photo: the same man matches his other photo, and is then already enrolled', async () => {
    const a = await run(face('obama_1.jpg'));
    const b = await run(face('obama_2.jpg'));
    const other = await run(face('kit_harington_1.jpg'));
    if (!a.ok || !b.ok || !other.ok) throw new Error(`expected three good photos: ${JSON.stringify([a, b, other].map((r) => r.ok || r.problems))}`);
    expect(cosine(a.embedding, b.embedding)).toBeGreaterThan(MATCH_POLICY.threshold);
    expect(cosine(a.embedding, other.embedding)).toBeLessThan(MATCH_POLICY.threshold);
    expect(a.quality).toBeGreaterThan(0);
    const index = new TemplateIndex(a.embedding.length);
    index.add('obama', a.embedding);
    const again = await run(face('obama_3.jpg'), index);
    expect(again.ok && again.alreadyEnrolledAs?.personId).toBe('obama');
    const stranger = await run(face('rose_leslie_1.jpg'), index);
    expect(stranger.ok && stranger.alreadyEnrolledAs).toBeNull();
  }, 60_000);

  it('a face turned away (kit_harington_2): the quality reason, no embedding', async () => {
    const r = await run(face('kit_harington_2.jpg'));
    expect(r).toEqual({ ok: false, problems: ['turned'], faces: 1 });
  }, 30_000);

  it('two people side by side (group_kit_rose): several-faces', async () => {
    const r = await run(face('group_kit_rose.jpg'));
    expect(!r.ok && r.problems).toEqual(['several-faces']);
  }, 30_000);
});
