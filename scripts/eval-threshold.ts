/**
 * Threshold evidence for the recogniser: genuine and impostor cosine scores over every pair the
 * labelled data allows, plus augmented genuine pairs; ROC AUC, EER, and the threshold for a
 * false-match rate of 1e-4 or lower with the bound the data actually supports.
 * Run through scripts/eval-threshold.mjs (plain Node cannot load .ts here).
 */
import { existsSync } from 'node:fs';
import { cosine } from '../src/vision/embedding.ts';
import { flipHorizontal, resize, scaleBrightness } from '../src/vision/image.ts';
import { equalErrorRate, ratesAt, rocAuc, summarise, thresholdForFmr } from '../src/vision/metrics.ts';
import type { FaceModels } from '../src/vision/models.ts';
import { analyseFrame, type FaceAnalysis } from '../src/vision/pipeline.ts';
import { iou, type Box, type RgbaImage } from '../src/vision/types.ts';
import { listFaceApiSamples, listSharedFaces, loadJpeg, loadNodeModels, sharedFacesDir } from './eval-support.ts';

export interface EvalFace {
  readonly id: string; // image + face index
  readonly identity: string;
  readonly source: string; // original image name
  readonly variant: 'original' | 'flip' | 'half-size' | 'dark-0.5' | 'bright-1.4';
  readonly qualityOk: boolean;
  readonly reasons: readonly string[];
  readonly liveness: number;
  readonly embedding: Float32Array;
}

/** Who is who in the two group photos (shared/faces/README.md), left to right. */
const GROUP_IDENTITIES: Record<string, readonly string[]> = {
  'group_obama_biden.jpg': ['biden', 'obama'],
  'group_kit_rose.jpg': ['rose_leslie', 'kit_harington'],
};

const AUGMENTS: readonly { name: EvalFace['variant']; apply: (img: RgbaImage) => RgbaImage; boxMap: (b: Box, img: RgbaImage) => Box }[] = [
  { name: 'flip', apply: flipHorizontal, boxMap: (b, img) => ({ x1: img.width - b.x2, y1: b.y1, x2: img.width - b.x1, y2: b.y2 }) },
  {
    name: 'half-size',
    apply: (img) => resize(img, Math.round(img.width / 2), Math.round(img.height / 2)),
    boxMap: (b) => ({ x1: b.x1 / 2, y1: b.y1 / 2, x2: b.x2 / 2, y2: b.y2 / 2 }),
  },
  { name: 'dark-0.5', apply: (img) => scaleBrightness(img, 0.5), boxMap: (b) => b },
  { name: 'bright-1.4', apply: (img) => scaleBrightness(img, 1.4), boxMap: (b) => b },
];

function labelFaces(name: string, identity: string | null, faces: readonly FaceAnalysis[]): (string | null)[] {
  if (identity) return faces.map((_, i) => (i === 0 ? identity : null)); // single-face photo: the largest face
  const group = GROUP_IDENTITIES[name];
  if (group) {
    // The labelled people are the largest faces; name them left to right.
    const big = faces.slice(0, group.length).map((f, i) => ({ i, x: f.box.x1 })).sort((a, b) => a.x - b.x);
    const out: (string | null)[] = faces.map(() => null);
    big.forEach(({ i }, k) => (out[i] = group[k] ?? null));
    return out;
  }
  // face-api group photos: faces in one photo are different people. The same models recur
  // across the six photos (sample1#0 and sample3#0 are one woman, cosine 0.63), so pairs across
  // two face-api photos have no label and are left out (see pairScores).
  return faces.map((_, i) => `${name}#${i}`);
}

async function facesOf(models: FaceModels, img: RgbaImage) {
  return (await analyseFrame(models, img, { maxAnalysed: 16, ignoreQuality: true, eyes: false })).faces;
}

export async function collectFaces(models: FaceModels, log: (m: string) => void = () => {}): Promise<EvalFace[]> {
  const images = [...listSharedFaces(), ...listFaceApiSamples()];
  const out: EvalFace[] = [];
  for (const img of images) {
    const frame = loadJpeg(img.file);
    const faces = await facesOf(models, frame);
    const labels = labelFaces(img.name, img.identity, faces);
    log(`${img.name}: ${faces.length} faces`);
    const push = (f: FaceAnalysis, identity: string, variant: EvalFace['variant'], k: number) => {
      if (!f.embedding) return;
      out.push({
        id: `${img.name}#${k}/${variant}`,
        identity,
        source: img.name,
        variant,
        qualityOk: f.quality.ok,
        reasons: f.quality.reasons,
        liveness: f.liveness ?? Number.NaN,
        embedding: f.embedding,
      });
    };
    faces.forEach((f, k) => labels[k] && push(f, labels[k]!, 'original', k));
    for (const aug of AUGMENTS) {
      const augImg = aug.apply(frame);
      const augFaces = await facesOf(models, augImg);
      faces.forEach((f, k) => {
        const identity = labels[k];
        if (!identity) return;
        const want = aug.boxMap(f.box, frame);
        const hit = augFaces.find((g) => iou(g.box, want) > 0.5);
        if (hit) push(hit, identity, aug.name, k);
      });
    }
  }
  return out;
}

export interface PairScores {
  readonly genuineCrossPhoto: number[];
  readonly genuineAugmented: number[];
  readonly impostor: number[];
  readonly impostorOriginalsOnly: number[];
}

const isFaceApi = (f: EvalFace): boolean => f.source.startsWith('face-api/');
const unlabelledPair = (a: EvalFace, b: EvalFace): boolean => isFaceApi(a) && isFaceApi(b) && a.source !== b.source;

export function pairScores(faces: readonly EvalFace[]): PairScores {
  const s: PairScores = { genuineCrossPhoto: [], genuineAugmented: [], impostor: [], impostorOriginalsOnly: [] };
  for (let i = 0; i < faces.length; i++) {
    for (let j = i + 1; j < faces.length; j++) {
      const a = faces[i]!;
      const b = faces[j]!;
      if (unlabelledPair(a, b)) continue;
      const c = cosine(a.embedding, b.embedding);
      if (a.identity === b.identity) {
        if (a.source !== b.source) {
          if (a.variant === 'original' && b.variant === 'original') s.genuineCrossPhoto.push(c);
        } else if (a.variant === 'original' || b.variant === 'original') {
          s.genuineAugmented.push(c);
        }
      } else {
        s.impostor.push(c);
        if (a.variant === 'original' && b.variant === 'original') s.impostorOriginalsOnly.push(c);
      }
    }
  }
  return s;
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

function report(s: PairScores) {
  const genuine = [...s.genuineCrossPhoto, ...s.genuineAugmented];
  const fmrTarget = thresholdForFmr(s.impostor, 1e-4);
  const eer = equalErrorRate(genuine, s.impostor);
  const eerCross = equalErrorRate(s.genuineCrossPhoto, s.impostorOriginalsOnly);
  const round = (o: object) => JSON.parse(JSON.stringify(o, (_, v) => (typeof v === 'number' ? r4(v) : v)));
  return round({
    pairs: { genuineCrossPhoto: s.genuineCrossPhoto.length, genuineAugmented: s.genuineAugmented.length, impostor: s.impostor.length, impostorOriginalsOnly: s.impostorOriginalsOnly.length },
    scores: {
      genuineCrossPhoto: summarise(s.genuineCrossPhoto),
      genuineAugmented: summarise(s.genuineAugmented),
      impostor: summarise(s.impostor),
    },
    rocAuc: { all: rocAuc(genuine, s.impostor), crossPhotoOnly: rocAuc(s.genuineCrossPhoto, s.impostorOriginalsOnly) },
    eer: { all: eer, crossPhotoOnly: eerCross },
    fmr1e4: fmrTarget,
    at: [0.3, 0.35, 0.4, 0.45, 0.5, 0.55].map((t) => ({
      ...ratesAt(genuine, s.impostor, t),
      fnmrCrossPhoto: ratesAt(s.genuineCrossPhoto, [], t).fnmr,
    })),
  });
}

export async function runThresholdEval(log: (m: string) => void = () => {}) {
  if (!existsSync(sharedFacesDir)) log(`NOTE: ${sharedFacesDir} is absent: only face-api samples (impostors and augmentations) are used`);
  const models = await loadNodeModels();
  const faces = await collectFaces(models, log);
  await models.release();
  const originals = faces.filter((f) => f.variant === 'original');
  const all = pairScores(faces);
  const gated = pairScores(faces.filter((f) => f.qualityOk));
  const liveness = originals.map((f) => f.liveness);
  return {
    model: 'fr_feature.onnx (faceplugin-face-recognition-js@0.0.1), onnxruntime-web wasm, Node',
    faces: { total: faces.length, originals: originals.length, identities: new Set(faces.map((f) => f.identity)).size, qualityOk: originals.filter((f) => f.qualityOk).length },
    allFaces: report(all),
    qualityGated: report(gated),
    liveness: {
      note: 'real photos only (no spoof set here): live probability of every original face',
      n: liveness.length,
      above05: liveness.filter((x) => x >= 0.5).length,
      summary: summarise(liveness),
      gatedAbove05: originals.filter((f) => f.qualityOk && f.liveness >= 0.5).length + ' of ' + originals.filter((f) => f.qualityOk).length,
    },
    identificationLead: summarise(identificationLeads(faces)),
    impostorNormalTail: normalTail(all.impostor, [0.4, 0.45, 0.5]),
    lowestCrossPhotoGenuine: crossPhotoDetail(faces).slice(0, 6),
    highestImpostors: impostorDetail(faces).slice(0, 6),
  };
}

function crossPhotoDetail(faces: readonly EvalFace[]) {
  const o = faces.filter((f) => f.variant === 'original');
  const rows: { a: string; b: string; score: number }[] = [];
  for (let i = 0; i < o.length; i++) for (let j = i + 1; j < o.length; j++) {
    if (o[i]!.identity === o[j]!.identity && o[i]!.source !== o[j]!.source) rows.push({ a: o[i]!.id, b: o[j]!.id, score: r4(cosine(o[i]!.embedding, o[j]!.embedding)) });
  }
  return rows.sort((x, y) => x.score - y.score);
}

function impostorDetail(faces: readonly EvalFace[]) {
  const rows: { a: string; b: string; score: number }[] = [];
  for (let i = 0; i < faces.length; i++) for (let j = i + 1; j < faces.length; j++) {
    if (faces[i]!.identity !== faces[j]!.identity && !unlabelledPair(faces[i]!, faces[j]!)) rows.push({ a: faces[i]!.id, b: faces[j]!.id, score: r4(cosine(faces[i]!.embedding, faces[j]!.embedding)) });
  }
  return rows.sort((x, y) => y.score - x.score);
}

/**
 * For each cross-photo genuine pair (query, enrolled original): genuine score minus the best
 * score the query gets from any other labelled identity. The margin must stay below these.
 */
function identificationLeads(faces: readonly EvalFace[]): number[] {
  const o = faces.filter((f) => f.variant === 'original');
  const leads: number[] = [];
  for (const q of o) {
    let bestOther = -1;
    for (const t of o) if (t.identity !== q.identity && !unlabelledPair(q, t)) bestOther = Math.max(bestOther, cosine(q.embedding, t.embedding));
    for (const t of o) if (t.identity === q.identity && t.source !== q.source) leads.push(cosine(q.embedding, t.embedding) - bestOther);
  }
  return leads;
}

/** A normal fitted to the impostor scores, read at a few thresholds: a rough extrapolation only. */
function normalTail(xs: readonly number[], at: readonly number[]) {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
  return { mean: m, sd, fmr: at.map((t) => ({ threshold: t, fmr: 0.5 * erfc((t - m) / (sd * Math.SQRT2)) })) };
}

/** Complementary error function (Numerical Recipes erfcc, |error| < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
