import type { MatchResult } from './matcher.ts';

/**
 * Multi-frame agreement: one good frame can be a fluke (a lucky angle of a look-alike); a
 * decision needs the same person in `need` of the last `window` frames of the same track, and
 * no other person named in that window.
 */
export interface AgreementPolicy {
  readonly need: number;
  readonly window: number;
}

export const DEFAULT_AGREEMENT: AgreementPolicy = { need: 3, window: 5 };

export type Agreement =
  | { readonly kind: 'agreed'; readonly personId: string; readonly votes: number; readonly meanScore: number }
  | { readonly kind: 'pending'; readonly votes: number; readonly leader: string | null }
  | { readonly kind: 'conflict'; readonly people: readonly string[] };

/** Pure: the caller keeps the recent results of one track, oldest first. */
export function agree(recent: readonly MatchResult[], policy: AgreementPolicy = DEFAULT_AGREEMENT): Agreement {
  const window = recent.slice(-policy.window);
  const votes = new Map<string, { n: number; sum: number }>();
  for (const r of window) {
    if (r.kind !== 'match') continue;
    const v = votes.get(r.personId) ?? { n: 0, sum: 0 };
    votes.set(r.personId, { n: v.n + 1, sum: v.sum + r.score });
  }
  if (votes.size > 1) return { kind: 'conflict', people: [...votes.keys()].sort() };
  const [entry] = votes;
  if (!entry) return { kind: 'pending', votes: 0, leader: null };
  const [personId, { n, sum }] = entry;
  if (n >= policy.need) return { kind: 'agreed', personId, votes: n, meanScore: sum / n };
  return { kind: 'pending', votes: n, leader: personId };
}

/** Keeps the last `window` results per track id; forget a track when the tracker drops it. */
export class AgreementWindow {
  readonly #policy: AgreementPolicy;
  readonly #byTrack = new Map<number, MatchResult[]>();

  constructor(policy: AgreementPolicy = DEFAULT_AGREEMENT) {
    this.#policy = policy;
  }

  push(trackId: number, result: MatchResult): Agreement {
    const list = this.#byTrack.get(trackId) ?? [];
    list.push(result);
    if (list.length > this.#policy.window) list.shift();
    this.#byTrack.set(trackId, list);
    return agree(list, this.#policy);
  }

  /** Drops tracks that are no longer alive (pass the tracker's current ids). */
  retain(alive: Iterable<number>): void {
    const keep = new Set(alive);
    for (const id of [...this.#byTrack.keys()]) if (!keep.has(id)) this.#byTrack.delete(id);
  }

  reset(): void {
    this.#byTrack.clear();
  }
}
