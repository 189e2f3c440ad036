/**
 * `npm run eval -- --images DIR [--pairs PAIRS.csv] [--spoof DIR] [--blink DIR] [--make-spoof OUT] [--provider wasm|webgpu] [--threads N]`
 *
 * Runs the real browser pipeline (vision worker in headless Chromium) over a folder of labelled
 * photos and prints JSON:
 * - faces found per image;
 * - verification over pairs of images: ROC AUC, EER, FMR/FNMR at the operating threshold
 *   (MATCH_POLICY.threshold). Pairs come from PAIRS.csv (`a,b[,same]`: file names relative to
 *   DIR; `same` 1/0 or true/false, or left out to use the labels; a header row such as
 *   `file_a,file_b,same` is recognised and skipped) or, without it, every pair of labelled images.
 *   Labels: `DIR/<identity>/*.jpg`, or `<identity>_<n>.jpg`; images named `group_*` are counted but
 *   not paired. Each image's largest face is the one compared.
 * - for a spoof folder (`real_*` bona fide; `fake-<type>_*` attacks of that type, `fake_*` of type
 *   "unlabelled"): passive liveness of the largest face, one frame and fused over a short track
 *   of five camera-like frames (small shifts, scale, light and sensor noise), and the ISO/IEC
 *   30107-3 figures APCER per attack type (attacks accepted as live) and BPCER (real faces
 *   refused) at the liveness policy's `pass` (hands-free) and `uncertain` cuts, plus the cut that
 *   keeps every attack out and what it costs. `--make-spoof OUT` writes such a folder from
 *   ../shared/spoof and ../shared/faces (software-made attacks, named `-synthetic`, scripts/spoof-set.ts).
 * - `--blink DIR` (real faces): the blink check on three sequences per face, streamed to the worker
 *   at 15 fps: the still photo (must never pass), the photo replayed on a screen with flicker (must
 *   never pass), and a software blink (eyes painted shut for 200 ms: a stand-in for a real blink).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { equalErrorRate, ratesAt, rocAuc, summarise } from '../src/vision/metrics.ts';
import { fuseLiveness } from '../src/vision/liveness.ts';
import { LIVENESS_POLICY, MATCH_POLICY } from '../src/vision/thresholds.ts';
import { openRig, startVision } from './eval-browser.ts';
import { makeSpoofSet } from './spoof-set.ts';
import { repoRoot } from './eval-support.ts';
import { resolve } from 'node:path';

interface ImageResult {
  readonly file: string;
  readonly faces: number;
  readonly qualityOk: boolean | null;
  readonly liveness: number | null;
  readonly embedding: number[] | null;
}

const IMAGE = /\.(jpe?g|png|webp|bmp)$/i;

function listImages(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listImages(p));
    else if (IMAGE.test(name)) out.push(p);
  }
  return out;
}

/** `<identity>/<file>` or `<identity>_<n>.<ext>`; null for group photos and unlabelled names. */
export function identityOf(root: string, file: string): string | null {
  const rel = relative(root, file).split(/[\\/]/);
  if (rel.length > 1) return rel[0]!;
  const name = basename(file);
  if (name.startsWith('group_')) return null;
  const m = /^(.+?)_\d+\.[a-z]+$/i.exec(name);
  return m ? m[1]! : null;
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** A pairs CSV: `a,b[,same]` rows; a first row that names its columns is a header, not a pair. */
export function parsePairs(text: string): { a: string; b: string; same: string | undefined }[] {
  const rows = text
    .split(/\r?\n/)
    .map((line) => line.split(',').map((s) => s.trim()))
    .filter((cells) => cells.length >= 2 && cells[0] && cells[1]);
  const first = rows[0];
  const header = first && !IMAGE.test(first[0]!) && !IMAGE.test(first[1]!) && /^(file_?a|a|image_?a|first)$/i.test(first[0]!);
  return rows.slice(header ? 1 : 0).map(([a, b, same]) => ({ a: a!, b: b!, same }));
}

const fusions = { logitMean: fuseLiveness, median: (xs: readonly number[]) => summarise([...xs]).median, mean: (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length } as const;

/** Attack type from a spoof file name: `fake-print-synthetic_obama_1.jpg` -> print-synthetic. */
export function spoofKind(name: string): { bonaFide: true } | { bonaFide: false; type: string } | null {
  if (name.startsWith('real_')) return { bonaFide: true };
  const m = /^fake(?:-([a-z0-9-]+))?_/i.exec(name);
  return m ? { bonaFide: false, type: m[1] ?? 'unlabelled' } : null;
}
const cos = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

export interface EvalArgs {
  readonly images?: string;
  readonly pairs?: string;
  readonly spoof?: string;
  readonly blink?: string;
  readonly makeSpoof?: string;
  readonly provider?: string;
  readonly threads?: number;
}

export async function runEval(args: EvalArgs, log: (m: string) => void) {
  if (!args.images && !args.spoof && !args.blink && !args.makeSpoof) throw new Error('usage: npm run eval -- --images DIR [--pairs PAIRS.csv] | --spoof DIR | --blink DIR | --make-spoof OUT');
  for (const d of [args.images, args.spoof, args.blink]) if (d && !existsSync(d)) throw new Error(`no such folder: ${d}`);
  const rig = await openRig({ webgpu: args.provider === 'webgpu' });
  try {
    const status = await startVision(rig.page, { providers: [args.provider ?? 'wasm'], ...(args.threads && { threads: args.threads }) });
    if (status.status !== 'ready') throw new Error(`vision worker: ${status.status} ${status.detail}`);
    log(`worker ready on ${status.provider} x${status.threads}`);
    const analyse = async (file: string): Promise<ImageResult> => {
      const bytes = [...readFileSync(file)];
      const r = await rig.page.evaluate(async (bytes) => {
        const bridge = (window as unknown as { __vision: { request(k: string, p: unknown): Promise<{ faces: { quality: { ok: boolean }; liveness?: number; embedding?: Float32Array }[] }> } }).__vision;
        const blob = new Blob([new Uint8Array(bytes)]);
        // Every face is counted; only the largest goes through the whole pipeline.
        const found = await bridge.request('analyse', { bitmap: await createImageBitmap(blob), options: { detectOnly: true } });
        const a = await bridge.request('analyse', { bitmap: await createImageBitmap(blob), options: { maxAnalysed: 1, ignoreQuality: true } });
        const f = a.faces[0];
        return { faces: found.faces.length, qualityOk: f ? f.quality.ok : null, liveness: f?.liveness ?? null, embedding: f?.embedding ? Array.from(f.embedding) : null };
      }, bytes);
      return { file, ...r };
    };

    const result: Record<string, unknown> = { provider: status.provider, threads: status.threads, threshold: MATCH_POLICY.threshold };
    if (args.images) {
      const files = listImages(args.images);
      const results: ImageResult[] = [];
      for (const f of files) {
        results.push(await analyse(f));
        log(`${relative(args.images, f)}: ${results.at(-1)!.faces} face(s)`);
      }
      result.facesPerImage = Object.fromEntries(results.map((r) => [relative(args.images!, r.file), r.faces]));
      const byName = new Map(results.map((r) => [relative(args.images!, r.file), r]));
      const pairs: { a: ImageResult; b: ImageResult; same: boolean }[] = [];
      if (args.pairs) {
        for (const { a, b, same } of parsePairs(readFileSync(args.pairs, 'utf8'))) {
          const ra = byName.get(a);
          const rb = byName.get(b);
          if (!ra || !rb) throw new Error(`pairs file names ${!ra ? a : b}, which is not an image in ${args.images}`);
          const ia = identityOf(args.images, ra.file);
          const ib = identityOf(args.images, rb.file);
          pairs.push({ a: ra, b: rb, same: same === undefined || same === '' ? ia !== null && ia === ib : same === '1' || same.toLowerCase() === 'true' });
        }
      } else {
        const labelled = results.filter((r) => identityOf(args.images!, r.file) !== null);
        for (let i = 0; i < labelled.length; i++)
          for (let j = i + 1; j < labelled.length; j++)
            pairs.push({ a: labelled[i]!, b: labelled[j]!, same: identityOf(args.images, labelled[i]!.file) === identityOf(args.images, labelled[j]!.file) });
      }
      const genuine: number[] = [];
      const impostor: number[] = [];
      let noFace = 0;
      for (const p of pairs) {
        if (!p.a.embedding || !p.b.embedding) {
          noFace++;
          continue;
        }
        (p.same ? genuine : impostor).push(cos(p.a.embedding, p.b.embedding));
      }
      const at = ratesAt(genuine, impostor, MATCH_POLICY.threshold);
      const eer = genuine.length && impostor.length ? equalErrorRate(genuine, impostor) : null;
      result.verification = {
        pairs: pairs.length,
        genuinePairs: genuine.length,
        impostorPairs: impostor.length,
        pairsWithoutFace: noFace,
        rocAuc: genuine.length && impostor.length ? r4(rocAuc(genuine, impostor)) : null,
        eer: eer ? { rate: r4(eer.eer), threshold: r4(eer.threshold) } : null,
        atThreshold: { threshold: MATCH_POLICY.threshold, fmr: r4(at.fmr), fnmr: r4(at.fnmr) },
        genuine: genuine.length ? Object.fromEntries(Object.entries(summarise(genuine)).map(([k, v]) => [k, r4(v)])) : null,
        impostor: impostor.length ? Object.fromEntries(Object.entries(summarise(impostor)).map(([k, v]) => [k, r4(v)])) : null,
      };
    }
    if (args.makeSpoof) {
      const shared = resolve(repoRoot, '../shared');
      result.madeSpoofSet = { out: args.makeSpoof, files: await makeSpoofSet(rig.page, `${shared}/spoof`, `${shared}/faces`, args.makeSpoof, log) };
    }
    if (args.spoof) result.spoof = await spoofFigures(rig.page, args.spoof, log);
    if (args.blink) result.blink = await blinkFigures(rig.page, args.blink, log);
    return result;
  } finally {
    await rig.close();
  }
}

type Page = Awaited<ReturnType<typeof openRig>>['page'];

/**
 * Passive liveness of the largest face over `frames` camera-like views of one still image:
 * the first as it is, the others slightly moved, scaled, lit and noisy (what a camera gives
 * from frame to frame of a face that holds still). Null when no face is found.
 */
async function livenessTrack(page: Page, bytes: number[], frames: number): Promise<number[] | null> {
  return page.evaluate(
    async ({ bytes, frames }) => {
      const bridge = (window as unknown as { __vision: { request(k: string, p: unknown): Promise<{ faces: { liveness?: number }[] }> } }).__vision;
      const src = await createImageBitmap(new Blob([new Uint8Array(bytes)]));
      let s = 12345;
      const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
      const out: number[] = [];
      for (let i = 0; i < frames; i++) {
        const c = new OffscreenCanvas(src.width, src.height);
        const ctx = c.getContext('2d')!;
        if (i > 0) {
          const k = 1 + (rand() - 0.5) * 0.04;
          ctx.translate(src.width / 2 + (rand() - 0.5) * 0.02 * src.width, src.height / 2 + (rand() - 0.5) * 0.02 * src.height);
          ctx.scale(k, k);
          ctx.translate(-src.width / 2, -src.height / 2);
          ctx.filter = `brightness(${1 + (rand() - 0.5) * 0.12})`;
        }
        ctx.drawImage(src, 0, 0);
        if (i > 0) {
          const img = ctx.getImageData(0, 0, c.width, c.height);
          for (let p = 0; p < img.data.length; p += 4) {
            const n = (rand() - 0.5) * 8;
            img.data[p] = img.data[p]! + n;
            img.data[p + 1] = img.data[p + 1]! + n;
            img.data[p + 2] = img.data[p + 2]! + n;
          }
          ctx.putImageData(img, 0, 0);
        }
        const r = await bridge.request('analyse', { bitmap: c.transferToImageBitmap(), options: { maxAnalysed: 1, ignoreQuality: true, embed: false } });
        const live = r.faces[0]?.liveness;
        if (live === undefined) return i === 0 ? null : out;
        out.push(live);
      }
      return out;
    },
    { bytes, frames },
  );
}

const TRACK_FRAMES = 5;

async function spoofFigures(page: Page, dir: string, log: (m: string) => void) {
  const samples: { file: string; bonaFide: boolean; type: string; frames: number[] | null }[] = [];
  for (const f of listImages(dir)) {
    const kind = spoofKind(basename(f));
    if (!kind) continue;
    const frames = await livenessTrack(page, [...readFileSync(f)], TRACK_FRAMES);
    samples.push({ file: relative(dir, f), bonaFide: kind.bonaFide, type: kind.bonaFide ? 'bona fide' : kind.type, frames });
    log(`${relative(dir, f)}: ${frames ? frames.map((x) => x.toFixed(2)).join(' ') : 'no face'}`);
  }
  // No face found: an attack is not accepted, a real face is refused (scored -1).
  const score = (frames: number[] | null, how: 'single' | keyof typeof fusions) => (!frames || frames.length === 0 ? -1 : how === 'single' ? frames[0]! : fusions[how](frames));
  const real = samples.filter((x) => x.bonaFide);
  const types = [...new Set(samples.filter((x) => !x.bonaFide).map((x) => x.type))].sort();
  const figures = (how: 'single' | keyof typeof fusions) => {
    const realScores = real.map((x) => score(x.frames, how));
    const at = (cut: number) => ({
      cut,
      bpcer: realScores.length ? r4(realScores.filter((v) => v < cut).length / realScores.length) : null,
      apcer: Object.fromEntries(
        types.map((t) => {
          const xs = samples.filter((x) => !x.bonaFide && x.type === t).map((x) => score(x.frames, how));
          return [t, `${xs.filter((v) => v >= cut).length}/${xs.length}`];
        }),
      ),
    });
    // The lowest cut that lets no attack of any type through, and the real faces it refuses.
    const attacks = samples.filter((x) => !x.bonaFide).map((x) => score(x.frames, how));
    const top = attacks.length ? Math.max(...attacks) : 0;
    const zeroApcerCut = Math.min(1, r4(top + 1e-4));
    return {
      atPass: at(LIVENESS_POLICY.pass),
      atUncertain: at(LIVENESS_POLICY.uncertain),
      apcerZero: { cut: zeroApcerCut, bpcer: realScores.length ? r4(realScores.filter((v) => v < zeroApcerCut).length / realScores.length) : null },
    };
  };
  return {
    realFaces: real.length,
    attacks: Object.fromEntries(types.map((t) => [t, samples.filter((x) => !x.bonaFide && x.type === t).length])),
    framesPerTrack: TRACK_FRAMES,
    note: 'types ending in -synthetic are software-made stand-ins (scripts/spoof-set.ts), not real attacks',
    singleFrame: figures('single'),
    fused: { logitMean: figures('logitMean'), median: figures('median'), mean: figures('mean') },
    perImage: Object.fromEntries(samples.map((x) => [x.file, x.frames ? { first: r4(x.frames[0]!), fused: r4(fuseLiveness(x.frames)) } : null])),
  };
}

/**
 * The blink check as the door runs it (the worker's blink task over streamed frames), on three
 * sequences per real face: the still photo, the photo replayed on a screen (flicker, moire), and
 * the photo with a software blink (eyes painted shut for 200 ms).
 */
async function blinkFigures(page: Page, dir: string, log: (m: string) => void) {
  const files = listImages(dir).filter((f) => spoofKind(basename(f))?.bonaFide !== false);
  const runs: Record<'still' | 'replayed' | 'softwareBlink', boolean[]> = { still: [], replayed: [], softwareBlink: [] };
  let skipped = 0;
  for (const f of files) {
    const bytes = [...readFileSync(f)];
    const out: Record<string, boolean | null> = {};
    for (const kind of ['still', 'replayed', 'softwareBlink'] as const) {
      const r = await page.evaluate(blinkSequence, { bytes, kind });
      out[kind] = r;
      if (r !== null) runs[kind].push(r);
    }
    if (Object.values(out).some((v) => v === null)) skipped++;
    log(`${relative(dir, f)}: ${Object.entries(out).map(([k, v]) => `${k} ${v === null ? 'no usable face' : v ? 'passed' : 'refused'}`).join(', ')}`);
  }
  const rate = (xs: boolean[]) => ({ passed: xs.filter(Boolean).length, of: xs.length });
  return {
    faces: files.length,
    withoutUsableFace: skipped,
    stillPhoto: rate(runs.still),
    replayedOnScreen: rate(runs.replayed),
    softwareBlink: rate(runs.softwareBlink),
    note: 'softwareBlink paints the eyes shut: a stand-in for real blinks, none of which could be had openly licensed',
  };
}

/** In the rig page: a 640x480 stream of the photo's face at 15 fps for 5 s, the blink task started at once. */
async function blinkSequence({ bytes, kind }: { bytes: number[]; kind: 'still' | 'replayed' | 'softwareBlink' }): Promise<boolean | null> {
  type Pt = { x: number; y: number };
  const bridge = (window as unknown as {
    __vision: { request(k: string, p: unknown): Promise<{ faces: { box: { x1: number; y1: number; x2: number; y2: number }; landmarks: Pt[]; quality: { ok: boolean } }[]; blinked?: boolean }>; sendFrame(b: ImageBitmap, at: number): void; reset(): void };
  }).__vision;
  const src = await createImageBitmap(new Blob([new Uint8Array(bytes)]));
  // Frame the largest face about 160 px wide, centred.
  const probe = await bridge.request('analyse', { bitmap: await createImageBitmap(src), options: { maxAnalysed: 1, ignoreQuality: true, embed: false, liveness: false } });
  const face = probe.faces[0];
  if (!face) return null;
  const k = 160 / (face.box.x2 - face.box.x1);
  const cx = (face.box.x1 + face.box.x2) / 2;
  const cy = (face.box.y1 + face.box.y2) / 2;
  const base = new OffscreenCanvas(640, 480);
  const b = base.getContext('2d')!;
  b.fillStyle = 'rgb(90,84,76)';
  b.fillRect(0, 0, 640, 480);
  b.drawImage(src, 320 - cx * k, 240 - cy * k, src.width * k, src.height * k);
  const framed = await bridge.request('analyse', { bitmap: base.transferToImageBitmap(), options: { maxAnalysed: 1, ignoreQuality: true, embed: false, liveness: false } });
  const f = framed.faces[0];
  if (!f || f.landmarks.length < 68) return null;
  b.drawImage(src, 320 - cx * k, 240 - cy * k, src.width * k, src.height * k);
  const open = b.getImageData(0, 0, 640, 480);
  // Shut eyes: each eye's outline filled with the skin just below it, and a lash line.
  const shut = new OffscreenCanvas(640, 480);
  const s = shut.getContext('2d')!;
  s.putImageData(open, 0, 0);
  for (const [from, to] of [[36, 41], [42, 47]] as const) {
    const pts = f.landmarks.slice(from, to + 1);
    const xs = pts.map((p) => p.x);
    const ys = pts.map((p) => p.y);
    const w = Math.max(...xs) - Math.min(...xs);
    const x0 = Math.min(...xs) - w * 0.25;
    const y0 = Math.min(...ys) - w * 0.35;
    const skin = s.getImageData(Math.round(Math.min(...xs)), Math.round(Math.max(...ys) + w * 0.35), Math.max(1, Math.round(w)), Math.max(1, Math.round(w * 0.2))).data;
    let r = 0, g = 0, bl = 0, n = 0;
    for (let i = 0; i < skin.length; i += 4) { r += skin[i]!; g += skin[i + 1]!; bl += skin[i + 2]!; n++; }
    s.fillStyle = `rgb(${r / n},${g / n},${bl / n})`;
    s.beginPath();
    s.ellipse(x0 + w * 0.75, y0 + w * 0.45, w * 0.8, w * 0.45, 0, 0, Math.PI * 2);
    s.fill();
    s.strokeStyle = 'rgba(40,30,25,0.8)';
    s.lineWidth = Math.max(1, w * 0.08);
    s.beginPath();
    s.moveTo(pts[0]!.x, pts[0]!.y + w * 0.05);
    s.quadraticCurveTo((pts[0]!.x + pts[3]!.x) / 2, Math.max(...ys) + w * 0.1, pts[3]!.x, pts[3]!.y + w * 0.05);
    s.stroke();
  }
  const shutPixels = s.getImageData(0, 0, 640, 480);
  let seed = 99;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  const frame = (i: number): ImageBitmap => {
    const c = new OffscreenCanvas(640, 480);
    const ctx = c.getContext('2d')!;
    // 15 fps: the blink at 1.5 s, three frames (200 ms) shut.
    const closed = kind === 'softwareBlink' && i >= 22 && i < 25;
    ctx.putImageData(closed ? shutPixels : open, 0, 0);
    if (kind === 'replayed') {
      // A screen: flicker and a moving moire over the still picture.
      ctx.fillStyle = `rgba(255,255,255,${0.04 + 0.04 * Math.sin(i * 1.7)})`;
      ctx.fillRect(0, 0, 640, 480);
      ctx.strokeStyle = 'rgba(0,0,0,0.05)';
      for (let x = (i * 2) % 6; x < 640; x += 6) {
        ctx.beginPath();
        ctx.moveTo(x, 0);
        ctx.lineTo(x + 30, 480);
        ctx.stroke();
      }
    }
    const img = ctx.getImageData(0, 0, 640, 480);
    for (let p = 0; p < img.data.length; p += 4) {
      const n = (rand() - 0.5) * 8;
      img.data[p] = img.data[p]! + n;
      img.data[p + 1] = img.data[p + 1]! + n;
      img.data[p + 2] = img.data[p + 2]! + n;
    }
    ctx.putImageData(img, 0, 0);
    return c.transferToImageBitmap();
  };
  bridge.reset();
  // A few frames to get a stable track, then the check, as the door does after an unsure score.
  for (let i = 0; i < 4; i++) {
    bridge.sendFrame(frame(0), performance.now());
    await new Promise((r) => setTimeout(r, 66));
  }
  const result = bridge.request('blink', { timeoutMs: 5_000 }) as unknown as Promise<{ blinked: boolean }>;
  let done = false;
  void result.finally(() => (done = true));
  for (let i = 0; i < 80 && !done; i++) {
    bridge.sendFrame(frame(i), performance.now());
    await new Promise((r) => setTimeout(r, 66));
  }
  return (await result).blinked;
}
