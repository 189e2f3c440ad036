import { describe, expect, it } from 'vitest';
import { bellEvent, callLogLine, endsCallOf, endsRing, isBellEvent } from './bell.ts';

const AT = 1_700_000_000_000;
const JPEG = new Uint8Array([0xff, 0xd8, 0xff]);

describe("the doorbell's log lines", () => {
  it('a missed ring is an attempt line with the visitor picture to store beside it', () => {
    const { line, still } = callLogLine({ kind: 'ring.missed', still: JPEG }, AT);
    expect(line).toEqual({ at: AT, kind: 'attempt', personId: null, summary: 'nobody answered the doorbell', detail: { ring: 'missed' } });
    expect(still).toBe(JPEG);
    expect(callLogLine({ kind: 'ring.missed', still: null }, AT)).not.toHaveProperty('still');
    expect(isBellEvent(line)).toBe(false);
  });

  it('a decline, a call start and a call end name the admin and keep their codes in the detail', () => {
    expect(callLogLine({ kind: 'ring.declined', adminId: 'a1', adminName: 'Ana' }, AT).line).toMatchObject({ kind: 'admin', summary: 'Ana declined the doorbell', detail: { adminId: 'a1', op: 'call.decline' } });
    expect(callLogLine({ kind: 'call.start', adminId: 'a1', adminName: 'Ana', mode: 'answer' }, AT).line).toMatchObject({ summary: 'Ana started a doorbell call', detail: { op: 'call.start', mode: 'answer' } });
    expect(callLogLine({ kind: 'call.end', adminId: 'a1', adminName: 'Ana', mode: 'view', why: 'timedOut' }, AT).line).toMatchObject({ summary: 'Ana ended the live view (timedOut)', detail: { op: 'call.end', why: 'timedOut' } });
  });

  it('the lines that end a ring for every phone: answered, declined, missed; not the ring, not a live view', () => {
    const line = (e: Parameters<typeof callLogLine>[0]) => callLogLine(e, AT).line;
    expect(endsRing(line({ kind: 'ring.missed', still: null }))).toBe(true);
    expect(endsRing(line({ kind: 'ring.declined', adminId: 'a1', adminName: 'Ana' }))).toBe(true);
    expect(endsRing(line({ kind: 'call.start', adminId: 'a1', adminName: 'Ana', mode: 'answer' }))).toBe(true);
    expect(endsRing(line({ kind: 'call.start', adminId: 'a1', adminName: 'Ana', mode: 'view' }))).toBe(false);
    expect(endsRing(bellEvent(AT))).toBe(false);
  });

  it("a call's end closes the screen of the admin whose call it was, no one else's", () => {
    const end = callLogLine({ kind: 'call.end', adminId: 'a1', adminName: 'Ana', mode: 'answer', why: 'timedOut' }, AT).line;
    expect(endsCallOf(end, 'a1')).toBe(true);
    expect(endsCallOf(end, 'b2')).toBe(false);
    expect(endsCallOf(callLogLine({ kind: 'call.start', adminId: 'a1', adminName: 'Ana', mode: 'answer' }, AT).line, 'a1')).toBe(false);
  });
});
