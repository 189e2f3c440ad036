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

