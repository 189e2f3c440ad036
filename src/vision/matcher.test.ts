import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { agree } from './agreement.ts';
import { l2Normalize, cosine } from './embedding.ts';
import { AgreementWindow, meanEmbedding } from '../../tests/support/vision-helpers.ts';
import { simdKernelModule, TemplateIndex as Index, type MatchResult, type TemplateIndexOptions } from './matcher.ts';

const unit = (...v: number[]) => l2Normalize(v);
const policy = { threshold: 0.5, margin: 0.1 };

describe('embeddings', () => {
  test('l2Normalize gives unit length and leaves zero vectors at zero', () => {
    const u = l2Normalize([3, 4]);
    expect(Array.from(u)).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(Array.from(l2Normalize([0, 0]))).toEqual([0, 0]);
    expect(cosine([1, 0], [0, 2])).toBe(0);
    expect(cosine([1, 1], [2, 2])).toBeCloseTo(1, 6);
    expect(cosine(meanEmbedding([[1, 0], [0, 1]]), [1, 1])).toBeCloseTo(1, 6);
  });
});

describe.each<TemplateIndexOptions['kernel']>(['js', 'wasm'])('TemplateIndex (%s kernel)', (kernel) => {
  class TemplateIndex extends Index {
    constructor(dim: number, capacity = 64) {
      super(dim, capacity, { kernel });
      expect(this.kernel).toBe(kernel === 'js' ? 'js' : 'wasm-simd');
    }
  }

  test('several templates per person: the best one counts', () => {
    const idx = new TemplateIndex(3);
    idx.add('ann', [1, 0, 0]);
    idx.add('ann', [0, 1, 0]);
    idx.add('bob', [0, 0, 1]);
    expect(idx.size).toBe(3);
    expect(idx.personCount).toBe(2);
    const r = idx.match(unit(0.1, 1, 0), policy);
    expect(r.kind).toBe('match');
    expect(r.kind === 'match' && r.personId).toBe('ann');
    expect(idx.scores(unit(0, 0, 1)).map((s) => s.personId)).toEqual(['bob', 'ann']);
  });

  test('unknown below the threshold, even though someone is nearest', () => {
    const idx = new TemplateIndex(2);
    idx.add('ann', [1, 0]);
    const r = idx.match(unit(1, 1.5), policy); // cos ~0.55 would pass 0.5: use a stricter policy
    expect(r.kind).toBe('match');
    const strict = idx.match(unit(1, 1.5), { threshold: 0.6, margin: 0.1 });
    expect(strict).toMatchObject({ kind: 'unknown', reason: 'below-threshold', best: { personId: 'ann' } });
  });

  test('unknown when two people are too close to call (margin against the next person)', () => {
    const idx = new TemplateIndex(2);
    idx.add('ann', [1, 0.05]);
    idx.add('ann', [1, 0.06]); // a second template of the same person must not count as the runner-up
    idx.add('bob', [1, -0.05]);
    const r = idx.match(unit(1, 0), policy);
    expect(r).toMatchObject({ kind: 'unknown', reason: 'ambiguous' });
    idx.removePerson('bob');
    expect(idx.match(unit(1, 0), policy)).toMatchObject({ kind: 'match', personId: 'ann' });
  });

  test('no templates -> unknown; wrong dimension and zero vectors are refused', () => {
    const idx = new TemplateIndex(4);
    expect(idx.match(unit(1, 0, 0, 0), policy)).toMatchObject({ kind: 'unknown', reason: 'no-templates' });
    expect(() => idx.add('x', [1, 2])).toThrow(RangeError);
    expect(() => idx.add('x', [0, 0, 0, 0])).toThrow(RangeError);
    expect(() => idx.scores([1, 0])).toThrow(RangeError);
  });

  test('removePerson compacts rows and keeps other people intact across growth', () => {
    const idx = new TemplateIndex(2, 1);
    for (let i = 0; i < 50; i++) idx.add(`p${i % 5}`, [Math.cos(i), Math.sin(i)]);
    expect(idx.removePerson('p2')).toBe(10);
    expect(idx.removePerson('p2')).toBe(0);
    expect(idx.size).toBe(40);
    expect(idx.personCount).toBe(4);
    const q = unit(Math.cos(13), Math.sin(13)); // a template of p3
    expect(idx.scores(q, 1)[0]).toMatchObject({ personId: 'p3' });
    expect(idx.scores(q, 1)[0]!.score).toBeCloseTo(1, 5);
  });
});

/** Deterministic pseudo-random numbers in [-0.5, 0.5) (xorshift), so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296 - 0.5;
  };
}

const randomVector = (dim: number, next: () => number): Float32Array => Float32Array.from({ length: dim }, next);

/** Independent reference: best cosine per person in float64, from the stored (normalised) data. */
function reference(templates: readonly { personId: string; v: Float32Array }[], query: Float32Array): Map<string, number> {
  const q = l2Normalize(query);
  const best = new Map<string, number>();
  for (const t of templates) {
    const u = l2Normalize(t.v);
    let s = 0;
    for (let i = 0; i < q.length; i++) s += u[i]! * q[i]!;
    best.set(t.personId, Math.max(best.get(t.personId) ?? -Infinity, s));
  }
  return best;
}

/** Same templates in a JS-kernel index and a wasm-kernel index; every score within 1e-5 of float64. */
function expectKernelsAgree(templates: readonly { personId: string; v: Float32Array }[], queries: readonly Float32Array[], dim: number, policy = { threshold: 0.5, margin: 0.08 }) {
  const js = new Index(dim, 1, { kernel: 'js' });
  const wasm = new Index(dim, 1, { kernel: 'wasm' });
  expect(wasm.kernel).toBe('wasm-simd');
  for (const t of templates) {
    js.add(t.personId, t.v);
    wasm.add(t.personId, t.v);
  }
  let worst = 0;
  for (const query of queries) {
    const q = l2Normalize(query);
    const ref = reference(templates, query);
    const a = js.scores(q);
    const b = wasm.scores(q);
    expect(b.length).toBe(ref.size);
    for (const list of [a, b]) {
      for (const { personId, score } of list) {
        const err = Math.abs(score - ref.get(personId)!);
        worst = Math.max(worst, err);
        expect(err).toBeLessThan(1e-5);
      }
    }
    expect(wasm.match(q, policy).kind).toBe(js.match(q, policy).kind);
    const [mj, mw] = [js.match(q, policy), wasm.match(q, policy)];
    expect(mw.kind === 'match' ? mw.personId : null).toBe(mj.kind === 'match' ? mj.personId : null);
  }
  return worst;
}

describe('WebAssembly SIMD kernel', () => {
  test('is available in Node and chosen for a real-sized index, not for a tiny one', () => {
    expect(simdKernelModule()).not.toBeNull();
    expect(new Index(512).kernel).toBe('wasm-simd');
    expect(new Index(512, 10_000).kernel).toBe('wasm-simd');
    expect(new Index(3).kernel).toBe('js');
    expect(new Index(512, 64, { kernel: 'js' }).kernel).toBe('js');
  });

  test('equals the float64 reference within 1e-5 on random data of every dimension shape', () => {
    const next = rng(7);
    // Dimensions around the 4- and 8-float steps, row counts around the 4-row step.
    for (const dim of [1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 31, 64, 100, 512]) {
      for (const count of [1, 3, 4, 5, 9]) {
        const templates = Array.from({ length: count }, (_, i) => ({ personId: `p${i % 3}`, v: randomVector(dim, next) }));
        expectKernelsAgree(templates, [randomVector(dim, next), randomVector(dim, next)], dim);
      }
    }
  });

  test('real-shaped gallery (512-d, 600 people x 4 templates): same scores and decisions', () => {
    const next = rng(42);
    const dim = 512;
    const people = Array.from({ length: 600 }, () => l2Normalize(randomVector(dim, next)));
    const templates: { personId: string; v: Float32Array }[] = [];
    // Several templates per person: the identity plus noise (cosine ~0.6-0.8 between them).
    people.forEach((c, p) => {
      for (let k = 0; k < 4; k++) templates.push({ personId: `p${p}`, v: c.map((x) => x + 0.035 * next()) });
    });
    const queries = [
      ...[3, 77, 599].map((p) => people[p]!.map((x) => x + 0.03 * next())), // enrolled people
      randomVector(dim, next), // a stranger
      people[10]!.map((x, i) => x + people[11]![i]!), // between two people: ambiguous
    ];
    const worst = expectKernelsAgree(templates, queries, dim);
    expect(worst).toBeLessThan(1e-5);
    const wasm = new Index(dim, templates.length);
    for (const t of templates) wasm.add(t.personId, t.v);
    expect(wasm.match(l2Normalize(queries[0]!), { threshold: 0.5, margin: 0.08 })).toMatchObject({ kind: 'match', personId: 'p3' });
    expect(wasm.match(l2Normalize(queries[3]!), { threshold: 0.5, margin: 0.08 })).toMatchObject({ kind: 'unknown', reason: 'below-threshold' });
    expect(wasm.match(l2Normalize(queries[4]!), { threshold: 0.5, margin: 0.08 })).toMatchObject({ kind: 'unknown', reason: 'ambiguous' });
  });

  test("'auto' moves from JS to wasm as it grows, and keeps rows through growth and removal", () => {
    const next = rng(3);
    const dim = 512;
    const auto = new Index(dim, 1);
    const js = new Index(dim, 1, { kernel: 'js' });
    expect(auto.kernel).toBe('js');
    const kept: { personId: string; v: Float32Array }[] = [];
    for (let i = 0; i < 300; i++) {
      const t = { personId: `p${i % 37}`, v: randomVector(dim, next) };
      auto.add(t.personId, t.v);
      js.add(t.personId, t.v);
      kept.push(t);
      if (i === 150) {
        expect(auto.removePerson('p5')).toBe(js.removePerson('p5'));
        kept.splice(0, kept.length, ...kept.filter((k) => k.personId !== 'p5'));
      }
    }
    expect(auto.kernel).toBe('wasm-simd');
    expect(auto.size).toBe(kept.length);
    for (const t of kept.slice(0, 40)) {
      const [top] = auto.scores(l2Normalize(t.v), 1);
      expect(top?.score).toBeCloseTo(1, 5);
      expect(reference(kept, t.v).get(top!.personId)).toBeCloseTo(1, 5);
    }
    const q = l2Normalize(randomVector(dim, next));
    const a = auto.scores(q);
    const b = js.scores(q);
    expect(a.map((s) => s.personId)).toEqual(b.map((s) => s.personId));
    a.forEach((s, i) => expect(Math.abs(s.score - b[i]!.score)).toBeLessThan(1e-5));
  });

  test('falls back to the JS loop where WebAssembly or its SIMD is missing', async () => {
    for (const stub of [undefined, { ...WebAssembly, validate: () => false }]) {
      vi.resetModules();
      vi.stubGlobal('WebAssembly', stub);
      try {
        const fresh = await import('./matcher.ts');
        expect(fresh.simdKernelModule()).toBeNull();
        const idx = new fresh.TemplateIndex(512, 100, { kernel: 'wasm' });
        expect(idx.kernel).toBe('js');
        idx.add('ann', randomVector(512, rng(1)));
        expect(idx.scores(l2Normalize(randomVector(512, rng(1))))[0]!.score).toBeCloseTo(1, 6);
      } finally {
        vi.unstubAllGlobals();
        vi.resetModules();
      }
    }
  });

  test('committed simd-dot.wasm.ts is what scripts/build-simd.mjs builds from simd/dot.c', (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'simd-check-'));
    try {
      const emitted = join(dir, 'dot.wasm');
      const run = spawnSync(process.execPath, ['scripts/build-simd.mjs', '--check', '--emit', emitted], { encoding: 'utf8' });
      const report = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { status?: string; compiler?: string; committedCompiler?: string };
      if (report.status === 'no-toolchain') {
        ctx.skip('clang/wasm-ld for wasm32 not installed: committed bytes not rebuilt');
        return;
      }
      expect(report.status, run.stdout + run.stderr).not.toBe('differs');
      expect(run.status).toBe(0);
      // Another clang may emit other bytes; the kernel it builds must still give the same scores.
      const bytes = readFileSync(emitted);
      expect(WebAssembly.validate(bytes)).toBe(true);
      const kernel = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as {
        memory: WebAssembly.Memory;
        __heap_base: WebAssembly.Global;
        scan(rows: number, owner: number, count: number, stride: number, query: number, best: number): void;
      };
      const next = rng(11);
      const dim = 512, count = 13;
      const base = ((kernel.__heap_base.value as number) + 15) & ~15;
      kernel.memory.grow(4);
      const buf = kernel.memory.buffer;
      const q = new Float32Array(buf, base, dim);
      const best = new Float32Array(buf, base + dim * 4, count).fill(-Infinity);
      const owner = new Int32Array(buf, base + dim * 8, count);
      owner.forEach((_, i) => (owner[i] = i)); // (map would return a copy, not the view)
      const rows = new Float32Array(buf, base + dim * 8 + count * 4, count * dim);
      const templates = Array.from({ length: count }, (_, i) => ({ personId: String(i), v: l2Normalize(randomVector(dim, next)) }));
      templates.forEach((t, i) => rows.set(t.v, i * dim));
      q.set(l2Normalize(randomVector(dim, next)));
      kernel.scan(rows.byteOffset, owner.byteOffset, count, dim, q.byteOffset, best.byteOffset);
      const ref = reference(templates, q);
      best.forEach((s, i) => expect(Math.abs(s - ref.get(String(i))!)).toBeLessThan(1e-5));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('multi-frame agreement', () => {
  const m = (personId: string, score = 0.7): MatchResult => ({ kind: 'match', personId, score, lead: 0.3 });
  const u: MatchResult = { kind: 'unknown', reason: 'below-threshold', best: null, runnerUp: null };

  test('needs N of the last M frames for the same person', () => {
    expect(agree([m('ann'), u, m('ann')], { need: 3, window: 5 })).toEqual({ kind: 'pending', votes: 2, leader: 'ann' });
    expect(agree([m('ann', 0.6), u, m('ann', 0.8), m('ann', 0.7)], { need: 3, window: 5 })).toMatchObject({ kind: 'agreed', personId: 'ann', votes: 3 });
    // The oldest vote slid out of the window.
    expect(agree([m('ann'), u, u, u, m('ann'), m('ann')], { need: 3, window: 5 }).kind).toBe('pending');
  });

  test('two different people in the window is a conflict, never a decision', () => {
    expect(agree([m('ann'), m('ann'), m('bob'), m('ann')], { need: 3, window: 5 })).toEqual({ kind: 'conflict', people: ['ann', 'bob'] });
  });

  test('AgreementWindow keeps votes per track and forgets dropped tracks', () => {
    const w = new AgreementWindow({ need: 2, window: 3 });
    w.push(1, m('ann'));
    w.push(2, m('bob'));
    expect(w.push(1, m('ann')).kind).toBe('agreed');
    w.retain([1]);
    expect(w.push(2, m('bob')).kind).toBe('pending');
  });
});
