/**
 * Node-side fixtures shared by the vision tests, the eval and the bench: labelled face sets,
 * JPEG decoding, an onnxruntime-web WASM runtime and the provisioned weights. Browser code
 * never imports this file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import * as ort from 'onnxruntime-web';
import { FaceModels, type WeightLoader } from '../src/vision/models.ts';
import { ortRuntime, type OrtLike } from '../src/vision/runtime.ts';
import type { RgbaImage } from '../src/vision/types.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const weightsDir = join(repoRoot, 'models/weights');
/** Labelled development faces; CI has ../shared beside the clone. Never copied into the repo. */
export const sharedFacesDir = resolve(repoRoot, '../shared/faces');
export const faceApiDemoDir = join(repoRoot, 'node_modules/@vladmandic/face-api/demo');

export function decodeJpeg(bytes: Uint8Array): RgbaImage {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
  return { width: img.width, height: img.height, data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
}

export const loadJpeg = (file: string): RgbaImage => decodeJpeg(readFileSync(file));

/** Runs the provisioning script (a fast no-op when the weights are present and verified). */
export function provisionWeights(): void {
  try {
    execFileSync(process.execPath, [join(repoRoot, 'scripts/provision-models.mjs'), '--quiet'], { stdio: ['ignore', 'inherit', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`model provisioning failed (node scripts/provision-models.mjs): ${stderr || String(err)}`);
  }
}

export const fsWeights: WeightLoader = async (file) => new Uint8Array(readFileSync(join(weightsDir, file)));

/** FaceModels on onnxruntime-web WASM in this Node process, one thread (the machine is shared). */
export async function loadNodeModels(threads = 1): Promise<FaceModels> {
  provisionWeights();
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  return FaceModels.create(ortRuntime(ort as unknown as OrtLike, 'wasm'), fsWeights);
}

export interface LabelledImage {
  readonly file: string;
  readonly name: string;
  /** Identity for single-face images; null for group photos. */
  readonly identity: string | null;
}

/** shared/faces: `<identity>_<n>.jpg` are single faces; `group_*` hold several. */
export function listSharedFaces(dir = sharedFacesDir): LabelledImage[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /\.jpe?g$/i.test(n))
    .sort()
    .map((name) => ({
      file: join(dir, name),
      name,
      identity: name.startsWith('group_') ? null : name.replace(/_\d+\.jpe?g$/i, ''),
    }));
}

export function listFaceApiSamples(): LabelledImage[] {
  return [1, 2, 3, 4, 5, 6].map((i) => ({ file: join(faceApiDemoDir, `sample${i}.jpg`), name: `face-api/sample${i}.jpg`, identity: null }));
}
