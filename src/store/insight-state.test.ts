import { describe, expect, it } from 'vitest';
import { createInsight, observe } from '../insight/engine.ts';
import { frequentVisitors } from '../insight/clusters.ts';
import { at, attempt, face } from '../../tests/support/insight/fixtures.ts';
import { memorySealer } from '../../tests/support/idb.ts';
import { openInsightState, sealInsightState } from './insight-state.ts';

/** Two strangers on three visits each, as the engine learns them. */
function learnt() {
  const s = createInsight();
  for (let v = 0; v < 3; v++)
    for (const who of [1, 2]) observe(s, attempt(at(0, v, 10 + who), { personId: null, outcome: 'ring', unknownEmbedding: face(who, v) }));
  return s;
}

const floats = (value: unknown): number =>
  value instanceof Float32Array || value instanceof Float64Array ? 1
  : value instanceof Map ? [...value.values()].reduce((n: number, v) => n + floats(v), 0)
  : Array.isArray(value) ? value.reduce((n: number, v) => n + floats(v), 0)
  : typeof value === 'object' && value !== null ? Object.values(value).reduce((n: number, v) => n + floats(v), 0)
  : 0;

describe('the insight state as stored', () => {
  it('holds no float array of a face, and opens back to the same visitors', async () => {
    const sealer = memorySealer();
    const state = learnt();
    expect(floats(state)).toBeGreaterThan(0);
    const stored = await sealInsightState(state, sealer);
    expect(floats(stored)).toBe(0);
    const opened = await openInsightState(structuredClone(stored), sealer);
    expect(opened?.unreadable).toEqual([]);
    expect(opened?.plainFaces).toBe(false);
    expect(frequentVisitors(opened!.state.clusters)).toEqual(frequentVisitors(state.clusters));
    expect(opened!.state.clusters.clusters.map((c) => Array.from(c.sum))).toEqual(state.clusters.clusters.map((c) => Array.from(c.sum)));
  });

  it('seals what it was given at the call, whatever the engine learns meanwhile', async () => {
    const sealer = memorySealer();
    const state = learnt();
    const sealing = sealInsightState(state, sealer);
    observe(state, attempt(at(1, 0, 11), { personId: null, outcome: 'ring', unknownEmbedding: face(3, 0) }));
    expect((await sealing).clusters.clusters).toHaveLength(2);
  });

  it('drops a visitor whose seal fails (another key, a moved blob) and keeps the rest', async () => {
    const sealer = memorySealer();
    const stored = await sealInsightState(learnt(), sealer);
    const [a, b] = stored.clusters.clusters;
    const moved = { ...stored, clusters: { ...stored.clusters, clusters: [{ ...a!, sealed: b!.sealed }, b!] } };
    const opened = await openInsightState(moved, sealer);
    expect(opened?.unreadable).toEqual([a!.id]);
    expect(opened?.state.clusters.clusters.map((c) => c.id)).toEqual([b!.id]);
    expect((await openInsightState(stored, memorySealer()))?.unreadable).toEqual([a!.id, b!.id]);
  });

  it('reads a state stored before faces were sealed, and says so for it to be rewritten', async () => {
    const opened = await openInsightState(structuredClone(learnt()), memorySealer());
    expect(opened?.plainFaces).toBe(true);
    expect(opened?.state.clusters.clusters).toHaveLength(2);
    expect(await openInsightState({ people: {}, clusters: [] }, memorySealer())).toBeNull();
    expect(await openInsightState(undefined, memorySealer())).toBeNull();
  });
});
