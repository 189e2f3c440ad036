import type { EventLog } from '../store/events.ts';
import type { Clock } from '../platform/clock.ts';

/**
 * Erasing a person (GDPR's erasure, not a suspension): the store removes their records and every
 * log line, snapshot and queued message about them (PeopleRepo.erase); this is what lives outside
 * the store's records and must let go too, and the one line that remains: that a person was
 * erased, when and by whom, naming nobody.
 */
export type ErasedBy =
  | { readonly kind: 'panelAdmin' }
  | { readonly kind: 'remoteAdmin'; readonly adminId: string }
  /** A self-enrolled guest whose stay ended (retention). */
  | { readonly kind: 'stayEnded' };

export interface PersonErasure {
  /** Drops what was learnt about the person (insight's habit map); resolves once stored. */
  forget(personId: string): Promise<void>;
  /** Logs the tombstone. */
  erased(by: ErasedBy): Promise<void>;
}

export function erasureSummary(by: ErasedBy): string {
  switch (by.kind) {
    case 'panelAdmin':
      return 'a person was erased by the admin at the panel';
    case 'remoteAdmin':
      return `a person was erased by remote admin ${by.adminId.slice(0, 8)}`;
    case 'stayEnded':
      return 'a guest was erased when their stay ended';
  }
}

export function personErasure(insight: { forget(personId: string): Promise<void> }, log: EventLog, clock: Clock): PersonErasure {
  return {
    forget: (personId) => insight.forget(personId),
    async erased(by) {
      const adminId = by.kind === 'remoteAdmin' ? { adminId: by.adminId } : {};
      await log.append({ at: clock.now(), kind: 'admin', personId: null, summary: erasureSummary(by), detail: { erasure: by.kind, ...adminId } });
    },
  };
}
