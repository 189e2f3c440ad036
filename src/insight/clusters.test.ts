import { describe, expect, it } from 'vitest';
import { at, face } from '../../tests/support/insight/fixtures.ts';
import {
  calibrateThreshold,
  cosine,
  createClusterStore,
  DEFAULT_CLUSTER_KNOBS as K,
  describeCluster,
  eraseCluster,
  eraseNotSeenSince,
  frequentVisitors,
  nameCluster,
  nearestCluster,
  observeUnknownFace,
  promoteCluster,
} from './clusters.ts';

describe('unknown visitor clusters', () => {
  it('the test faces are close for one identity and far across identities', () => {
    expect(cosine(face(1, 0), face(1, 5))).toBeGreaterThan(0.7);
    expect(cosine(face(1, 0), face(2, 0))).toBeLessThan(0.4);
  });

  it('groups a recurring visitor and describes the pattern', () => {
    const store = createClusterStore();
    let visit = 0;
    for (let w = 0; w < 3; w++) for (const d of [0, 2, 4]) observeUnknownFace(store, face(3, visit++), at(w, d, 10, 5), K, `snap${visit}`);
    observeUnknownFace(store, face(7, 0), at(0, 5, 15), K);
    expect(store.clusters).toHaveLength(2);
    const [top] = frequentVisitors(store);
    expect(top?.visits).toBe(9);
    expect(top?.text).toBe('unknown visitor, 9 visits, usually weekdays about 10:00');
    const c = store.clusters.find((k) => k.id === top?.id);
    expect(c?.snapshotIds.length).toBeLessThanOrEqual(K.maxSnapshots);
    expect(c?.exemplars.length).toBeLessThanOrEqual(K.maxExemplars);
  });

  it('counts sightings within one visit once', () => {
    const store = createClusterStore();
    for (let i = 0; i < 5; i++) observeUnknownFace(store, face(3, i), at(0, 1, 9) + i * 20_000, K);
    expect(store.clusters[0]?.visits).toBe(1);
    expect(store.clusters[0]?.sightings).toBe(5);
    expect(describeCluster(store.clusters[0]!).text).toContain('1 visit,');
  });

  it('names a visitor and hands over what enrolment needs, erasing the cluster', () => {
    const store = createClusterStore();
    const { clusterId } = observeUnknownFace(store, face(4, 0), at(0, 1, 9), K, 'snapA');
    expect(nameCluster(store, clusterId, 'Postman Pat')).toBe(true);
    expect(describeCluster(store.clusters[0]!).text.startsWith('Postman Pat, 1 visit')).toBe(true);
    const promoted = promoteCluster(store, clusterId);
    expect(promoted?.embeddings).toHaveLength(1);
    expect(promoted?.snapshotIds).toEqual(['snapA']);
    expect(store.clusters).toHaveLength(0);
    expect(promoteCluster(store, clusterId)).toBeNull();
  });

  it('erases one visitor, and by retention everyone not seen since a cutoff', () => {
    const store = createClusterStore();
    const a = observeUnknownFace(store, face(1, 0), at(0, 0, 9), K).clusterId;
    observeUnknownFace(store, face(2, 0), at(3, 0, 9), K);
    observeUnknownFace(store, face(5, 0), at(4, 0, 9), K);
    expect(eraseCluster(store, a)).toBe(true);
    expect(eraseCluster(store, a)).toBe(false);
    expect(nearestCluster(store, face(1, 1), K)).toBeNull();
    expect(eraseNotSeenSince(store, at(4, 0, 0))).toBe(1);
    expect(store.clusters.map((c) => c.visits)).toEqual([1]);
  });

  it('stays within its cluster budget, evicting the least seen and keeping named ones', () => {
    const knobs = { ...K, maxClusters: 4, joinAt: 0.95, mergeAt: 0.99 };
    const store = createClusterStore();
    const named = observeUnknownFace(store, face(0, 0, 64), at(0, 0, 9), knobs).clusterId;
    nameCluster(store, named, 'Gran');
    for (let i = 1; i < 40; i++) observeUnknownFace(store, face(i, 0, 64), at(0, 0, 9) + i * 3_600_000, knobs);
    expect(store.clusters).toHaveLength(4);
    expect(store.clusters.some((c) => c.id === named)).toBe(true);
  });

  it('calibrates the join threshold from labelled pairs', () => {
    const different = Array.from({ length: 1000 }, (_, i) => -0.3 + (0.6 * i) / 999);
    const same = Array.from({ length: 100 }, (_, i) => 0.4 + (0.5 * i) / 99);
    const { joinAt, sameJoined } = calibrateThreshold(same, different, 0.01);
    expect(joinAt).toBeGreaterThan(0.29);
    expect(different.filter((d) => d >= joinAt).length / different.length).toBeLessThanOrEqual(0.01);
    expect(sameJoined).toBe(1);
    expect(() => calibrateThreshold(same, [])).toThrow(RangeError);
  });
});
