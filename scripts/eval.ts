/**
 * `npm run eval -- --images DIR [--pairs PAIRS.csv] [--spoof DIR] [--provider wasm|webgpu] [--threads N]`
 *
 * Runs the real browser pipeline (vision worker in headless Chromium) over a folder of labelled
 * photos and prints JSON:
 * - faces found per image;
 * - verification over pairs of images: ROC AUC, EER, FMR/FNMR at the operating threshold
 *   (MATCH_POLICY.threshold). Pairs come from PAIRS.csv (`a,b[,same]`: file names relative to
 *   DIR; `same` 1/0, or left out to use the labels) or, without it, every pair of labelled images.
 *   Labels: `DIR/<identity>/*.jpg`, or `<identity>_<n>.jpg`; images named `group_*` are counted but
 *   not paired. Each image's largest face is the one compared.
 * - for a spoof folder (`real_*` / `fake_*` images): passive liveness of the largest face, and the
 *   ISO/IEC 30107-3 figures APCER (attacks accepted as live) and BPCER (real faces refused) at the
 *   liveness policy's `pass` and `uncertain` cut-offs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { equalErrorRate, ratesAt, rocAuc, summarise } from '../src/vision/metrics.ts';
import { LIVENESS_POLICY, MATCH_POLICY } from '../src/vision/thresholds.ts';
import { openRig, startVision } from './eval-browser.ts';

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
const cos = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

export async function runEval(args: { images?: string; pairs?: string; spoof?: string; provider?: string; threads?: number }, log: (m: string) => void) {
  if (!args.images && !args.spoof) throw new Error('usage: npm run eval -- --images DIR [--pairs PAIRS.csv] [--spoof DIR]');
  for (const d of [args.images, args.spoof]) if (d && !existsSync(d)) throw new Error(`no such folder: ${d}`);
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
        for (const line of readFileSync(args.pairs, 'utf8').split(/\r?\n/)) {
          const [a, b, same] = line.split(',').map((s) => s.trim());
          if (!a || !b || a === 'a') continue;
          const ra = byName.get(a);
          const rb = byName.get(b);
          if (!ra || !rb) throw new Error(`pairs file names ${!ra ? a : b}, which is not an image in ${args.images}`);
          const ia = identityOf(args.images, ra.file);
          const ib = identityOf(args.images, rb.file);
          pairs.push({ a: ra, b: rb, same: same === undefined || same === '' ? ia !== null && ia === ib : same === '1' || same === 'true' });
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
    if (args.spoof) {
      const files = listImages(args.spoof);
      const real: number[] = [];
      const fake: number[] = [];
      const perImage: Record<string, number | null> = {};
      for (const f of files) {
        const name = basename(f);
        const kind = name.startsWith('real_') ? real : name.startsWith('fake_') ? fake : null;
        if (!kind) continue;
        const r = await analyse(f);
        perImage[relative(args.spoof, f)] = r.liveness === null ? null : r4(r.liveness);
        // No face found: an attack is not accepted, a real face is refused.
        kind.push(r.liveness ?? -1);
      }
      const at = (cut: number) => ({
        cut,
        apcer: fake.length ? r4(fake.filter((s) => s >= cut).length / fake.length) : null,
        bpcer: real.length ? r4(real.filter((s) => s < cut).length / real.length) : null,
      });
      result.spoof = { real: real.length, fake: fake.length, atPass: at(LIVENESS_POLICY.pass), atUncertain: at(LIVENESS_POLICY.uncertain), liveness: perImage };
    }
    return result;
  } finally {
    await rig.close();
  }
}
