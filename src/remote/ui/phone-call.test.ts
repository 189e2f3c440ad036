import { describe, expect, it } from 'vitest';
import { bellEvent, callLogLine } from '../../panel/bell.ts';
import type { RemoteEvent } from '../messages.ts';
import { callReaction, RING_FRESH_MS, type PhoneCallView } from './phone-call.svelte.ts';

const NOW = 1_700_000_000_000;
const remote = (line: Omit<RemoteEvent, 'id' | 'snapshotId'>): RemoteEvent => ({ ...line, id: `e${line.at}`, snapshotId: null });
const idle: PhoneCallView = { state: 'idle' };
const ringing: PhoneCallView = { state: 'ringing', at: NOW - 5_000 };
const inCall: PhoneCallView = { state: 'inCall', mode: 'answer' };
const o = { now: NOW, me: 'me', callSince: NOW - 10_000 };

describe("the phone's call screen follows the panel's log", () => {
  it('a fresh bell rings an idle phone; a stale one (the outbox catching up) does not', () => {
    expect(callReaction(remote(bellEvent(NOW - 1_000)), idle, o)).toBe('ring');
    expect(callReaction(remote(bellEvent(NOW - RING_FRESH_MS)), idle, o)).toBeNull();
    expect(callReaction(remote(bellEvent(NOW - 1_000)), inCall, o)).toBeNull();
  });

  it('ringing stops when another admin answers or declines, or the panel calls it missed', () => {
    for (const e of [
      { kind: 'call.start', adminId: 'other', adminName: 'Ben', mode: 'answer' },
      { kind: 'ring.declined', adminId: 'other', adminName: 'Ben' },
      { kind: 'ring.missed', still: null },
    ] as const)
      expect(callReaction(remote(callLogLine(e, NOW).line), ringing, o)).toBe('ringOver');
    expect(callReaction(remote(callLogLine({ kind: 'call.start', adminId: 'other', adminName: 'Ben', mode: 'view' }, NOW).line), ringing, o)).toBeNull();
  });

  it("an earlier ring's end does not stop this ring", () => {
    expect(callReaction(remote(callLogLine({ kind: 'ring.missed', still: null }, NOW - 70_000).line), ringing, o)).toBeNull();
  });

  it("the panel ending this admin's call closes the call screen; another admin's call end or an old one does not", () => {
    const end = (adminId: string, at: number) => remote(callLogLine({ kind: 'call.end', adminId, adminName: 'x', mode: 'answer', why: 'timedOut' }, at).line);
    expect(callReaction(end('me', NOW), inCall, o)).toBe('endedByPanel');
    expect(callReaction(end('other', NOW), inCall, o)).toBeNull();
    expect(callReaction(end('me', NOW - 10 * 60_000), inCall, o)).toBeNull();
    expect(callReaction(end('me', NOW), inCall, { ...o, me: null })).toBeNull();
  });
});
