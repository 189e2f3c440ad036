import type { EventRecord } from '../store/db.ts';

/**
 * The access-log line that a press of Ring writes. It travels to every paired phone like any
 * logged event (signed, sealed, through the outbox, at least once), which notifies it; so the
 * shape is defined once, here, for the kiosk that writes it and the phone that reads it.
 */
export const bellEvent = (at: number): Omit<EventRecord, 'id' | 'snapshotId'> => ({ at, kind: 'attempt', personId: null, summary: 'doorbell rung at the door', detail: { bell: true } });

export function isBellEvent(e: Pick<EventRecord, 'kind' | 'detail'>): boolean {
  const d = e.detail;
  return e.kind === 'attempt' && typeof d === 'object' && d !== null && (d as { bell?: unknown }).bell === true;
}
