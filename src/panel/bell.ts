import type { EventRecord } from '../store/db.ts';
import type { CallLogEvent } from './door-call.svelte.ts';
import { BELL_SUMMARY } from '../lib/words/event-words.ts';

// The doorbell's access-log lines, defined once, here, for the kiosk that writes them and the
// phone that reads them. They travel to every paired phone like any logged event (signed,
// sealed, through the outbox, at least once): a ring rings each phone, and the line that ends
// the ring (answered, declined, missed) stops every phone ringing.

type LogLine = Omit<EventRecord, 'id' | 'snapshotId'>;

export const bellEvent = (at: number): LogLine => ({ at, kind: 'attempt', personId: null, summary: BELL_SUMMARY, detail: { bell: true } });

export function isBellEvent(e: Pick<EventRecord, 'kind' | 'detail'>): boolean {
  const d = e.detail;
  return e.kind === 'attempt' && typeof d === 'object' && d !== null && (d as { bell?: unknown }).bell === true;
}

/** A call's or ring's line for the log, and the still that goes with a missed ring. */
export function callLogLine(e: CallLogEvent, at: number): { readonly line: LogLine; readonly still?: Uint8Array } {
  switch (e.kind) {
    case 'ring.missed':
      return { line: { at, kind: 'attempt', personId: null, summary: 'nobody answered the doorbell', detail: { ring: 'missed' } }, ...(e.still ? { still: e.still } : {}) };
    case 'ring.declined':
      return { line: { at, kind: 'admin', personId: null, summary: `${e.adminName} declined the doorbell`, detail: { adminId: e.adminId, op: 'call.decline', ring: 'declined' } } };
    case 'call.start':
    case 'call.end': {
      const what = e.mode === 'answer' ? 'doorbell call' : 'live view';
      const summary = e.kind === 'call.start' ? `${e.adminName} started a ${what}` : `${e.adminName} ended the ${what} (${e.why ?? 'hungUp'})`;
      return { line: { at, kind: 'admin', personId: null, summary, detail: { adminId: e.adminId, op: e.kind, mode: e.mode, ...(e.why ? { why: e.why } : {}) } } };
    }
  }
}

const detailOf = (e: Pick<EventRecord, 'detail'>): Record<string, unknown> => (typeof e.detail === 'object' && e.detail !== null ? (e.detail as Record<string, unknown>) : {});

/** The line that ends a ring for every phone: someone answered it, declined it, or nobody did. */
export function endsRing(e: Pick<EventRecord, 'kind' | 'detail'>): boolean {
  const d = detailOf(e);
  return d.ring === 'missed' || d.ring === 'declined' || (e.kind === 'admin' && d.op === 'call.start' && d.mode === 'answer');
}

/** The panel ended this admin's call by itself (the time limit, a lost connection): their call screen closes. */
export function endsCallOf(e: Pick<EventRecord, 'kind' | 'detail'>, adminId: string): boolean {
  const d = detailOf(e);
  return e.kind === 'admin' && d.op === 'call.end' && d.adminId === adminId;
}
