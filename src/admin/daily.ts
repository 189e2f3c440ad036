import type { EventRecord } from '../store/db.ts';

/** Entries, refusals and alerts per local day, for the insight page's chart. */
export interface DayCount {
  readonly day: string; // YYYY-MM-DD, local
  readonly entries: number;
  readonly refusals: number;
  readonly alerts: number;
}

const localDay = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export function dailyCounts(events: readonly EventRecord[], now: number, days: number): DayCount[] {
  const out = new Map<string, { entries: number; refusals: number; alerts: number }>();
  for (let i = days - 1; i >= 0; i--) out.set(localDay(now - i * 86_400_000), { entries: 0, refusals: 0, alerts: 0 });
  for (const e of events) {
    const bucket = out.get(localDay(e.at));
    if (!bucket) continue;
    const outcome = (e.detail as { outcome?: string } | null)?.outcome;
    if (e.kind === 'system' && e.summary.startsWith('alert')) bucket.alerts++;
    else if (e.kind === 'attempt' && outcome === 'grant') bucket.entries++;
    else if (e.kind === 'attempt' && (outcome === 'deny' || outcome === 'ring')) bucket.refusals++;
  }
  return [...out].map(([day, c]) => ({ day, ...c }));
}
