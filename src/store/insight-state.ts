import type { InsightState } from '../insight/engine.ts';
import type { UnknownCluster } from '../insight/clusters.ts';
import { SealError, type Sealed, type Sealer } from './sealing.ts';

/**
 * The insight engine's learnt state as it is stored (`settings.insightState`). Strangers' faces,
 * each unknown-visitor cluster's embedding sum and exemplars, are sealed like templates: one
 * AES-GCM record per cluster, bound to the cluster's id. Habits, the door's rhythm and alert
 * bookkeeping are not faces and stay plain (structured clone), so erasing a person can drop their
 * habit map without the key.
 */
export interface StoredCluster extends Omit<UnknownCluster, 'sum' | 'exemplars'> {
  /** Floats per embedding. The sealed bytes are the sum, then each exemplar, as float32. */
  readonly dim: number;
  readonly exemplarCount: number;
  readonly sealed: Sealed;
}

export interface StoredInsightState extends Omit<InsightState, 'clusters'> {
  readonly clusters: { readonly clusters: readonly StoredCluster[]; readonly nextId: number };
}

/** Additional data of a cluster's seal: a blob moved onto another cluster (or a template) fails. */
const clusterRecordId = (clusterId: string) => `insight/cluster/${clusterId}`;

export async function sealInsightState(state: InsightState, sealer: Sealer): Promise<StoredInsightState> {
  // Copied at once: the engine goes on learning while the seals are computed.
  const copy = structuredClone(state);
  const clusters = await Promise.all(
    copy.clusters.clusters.map(async ({ sum, exemplars, ...rest }): Promise<StoredCluster> => {
      const dim = sum.length;
      const kept = exemplars.filter((e) => e.length === dim);
      const plain = new Float32Array(dim * (1 + kept.length));
      plain.set(sum, 0);
      kept.forEach((e, i) => plain.set(e, dim * (i + 1)));
      const sealed = await sealer.seal(clusterRecordId(rest.id), plain);
      return { ...rest, dim, exemplarCount: kept.length, sealed };
    }),
  );
  return { ...copy, clusters: { clusters, nextId: copy.clusters.nextId } };
}

export interface OpenedInsightState {
  readonly state: InsightState;
  /** Clusters whose seal failed (altered or moved): dropped, the rest still load. */
  readonly unreadable: readonly string[];
  /** Held plain faces (written before they were sealed): the caller stores it sealed at once. */
  readonly plainFaces: boolean;
}

type AnyCluster = StoredCluster | UnknownCluster;

function isStateLike(value: unknown): value is Omit<StoredInsightState, 'clusters'> & { clusters: { clusters: AnyCluster[]; nextId: number } } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof InsightState, unknown>>;
  const clusters = v.clusters as { clusters?: unknown } | undefined;
  return v.people instanceof Map && v.doors instanceof Map && typeof v.config === 'object' && Array.isArray(clusters?.clusters);
}

/** Null when the record is not an insight state at all (absent, or from an engine long gone). */
export async function openInsightState(stored: unknown, sealer: Sealer): Promise<OpenedInsightState | null> {
  if (!isStateLike(stored)) return null;
  const clusters: UnknownCluster[] = [];
  const unreadable: string[] = [];
  let plainFaces = false;
  for (const c of stored.clusters.clusters) {
    if (!('sealed' in c)) {
      plainFaces = true;
      if (c.sum instanceof Float32Array) clusters.push(c);
      continue;
    }
    const { dim, exemplarCount, sealed, ...rest } = c;
    try {
      const plain = new Float32Array(await sealer.unseal(clusterRecordId(c.id), sealed));
      if (plain.length !== dim * (1 + exemplarCount)) throw new SealError(`cluster ${c.id} has the wrong length`);
      const part = (i: number) => plain.slice(dim * i, dim * (i + 1));
      clusters.push({ ...rest, sum: part(0), exemplars: Array.from({ length: exemplarCount }, (_, i) => part(i + 1)) });
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      unreadable.push(c.id);
    }
  }
  return { state: { ...stored, clusters: { clusters, nextId: stored.clusters.nextId } }, unreadable, plainFaces };
}
