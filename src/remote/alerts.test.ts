import { describe, expect, it } from 'vitest';
import { alertFor, alertsIn, isAlert } from './alerts.ts';
import type { RemoteEvent } from './messages.ts';

const ev = (kind: RemoteEvent['kind'], detail: unknown, summary = 'code words'): RemoteEvent => ({ id: `${kind}-${JSON.stringify(detail)}`, at: 1, kind, summary, personId: null, snapshotId: null, detail });

// One of each kind of alert the panel logs: decision alerts, insight alerts, the bell, tamper, refused commands.
const ALERTS: readonly RemoteEvent[] = [
  ev('attempt', { outcome: 'deny', subject: null, credential: { kind: 'face' }, alerts: ['spoofAttempt'] }),
  ev('attempt', { outcome: 'grant', subject: { name: 'Ada' }, credential: { kind: 'pin' }, alerts: ['duress'] }),
  ev('attempt', { outcome: 'deny', subject: null, credential: { kind: 'pin' }, alerts: ['pinLockout'] }),
  ...['intruder', 'bruteForce', 'forcedDoor', 'tamper', 'doorLeftOpen', 'tailgating', 'loitering', 'unknownVisitor', 'controllerOffline', 'doorLinkFault'].map((code) => ev('system', { code, severity: 'critical', detail: 'x' })),
  ev('attempt', { bell: true }),
  ev('attempt', { ring: 'missed' }),
  ev('door', { tamper: true }),
  ev('admin', { remoteRefused: true }),
];
const ORDINARY: readonly RemoteEvent[] = [
  ev('attempt', { outcome: 'grant', subject: { name: 'Ada' }, credential: { kind: 'face' } }),
  ev('admin', { adminId: 'a' }, 'Ada added'),
  ev('admin', { adminId: 'a', op: 'call.decline', ring: 'declined' }, 'Ana declined the doorbell'),
  ev('system', { code: 'controllerBack' }),
];

describe('one definition of an alert', () => {
  it('every alert in the log is an alert, and notifies in plain words', () => {
    for (const e of ALERTS) {
      expect({ e: e.detail, alert: isAlert(e) }).toEqual({ e: e.detail, alert: true });
      expect(alertFor(e)?.body).not.toMatch(/code words|spoofAttempt|coldStart/);
    }
    for (const e of ORDINARY) expect({ e: e.detail, alert: isAlert(e) }).toEqual({ e: e.detail, alert: false });
  });
  it('a log holding any alert never yields an empty alert list (the "No alerts" line)', () => {
    for (const a of ALERTS) expect(alertsIn([...ORDINARY, a]).length).toBe(1);
    expect(alertsIn(ORDINARY)).toEqual([]);
  });
});
