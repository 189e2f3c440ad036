import { isRecord } from './canonical.ts';
import type { RemoteEvent } from './messages.ts';

/**
 * Which events deserve a notification on the phone, and what it says. Kept to facts the event
 * itself carries (the decision's alerts, a doorbell ring, door hardware signals, insight alerts,
 * refused remote commands), so the wording is decided in one place.
 */
export interface PhoneAlert {
  readonly title: string;
  readonly body: string;
  /** Notifications with one tag replace each other, so a burst shows as one. */
  readonly tag: string;
  readonly severity: 'critical' | 'warning' | 'info';
}

const DECISION_ALERTS: Readonly<Record<string, Omit<PhoneAlert, 'body'>>> = {
  duress: { title: 'Duress PIN used', tag: 'duress', severity: 'critical' },
  spoofAttempt: { title: 'Spoof attempt at the door', tag: 'spoof', severity: 'critical' },
  pinLockout: { title: 'Repeated wrong PINs', tag: 'pin-lockout', severity: 'warning' },
};

const INSIGHT_ALERTS: Readonly<Record<string, Omit<PhoneAlert, 'body'>>> = {
  intruder: { title: 'Possible intruder', tag: 'intruder', severity: 'critical' },
  bruteForce: { title: 'Refused attempts in a row', tag: 'brute-force', severity: 'critical' },
  spoofAttempt: { title: 'Spoof attempt at the door', tag: 'spoof', severity: 'critical' },
  forcedDoor: { title: 'Door forced open', tag: 'forced', severity: 'critical' },
  tamper: { title: 'Panel tamper', tag: 'tamper', severity: 'critical' },
  doorLeftOpen: { title: 'Door held open', tag: 'held-open', severity: 'warning' },
  tailgating: { title: 'Several people at once', tag: 'tailgating', severity: 'warning' },
  loitering: { title: 'Unknown visitor waiting', tag: 'loitering', severity: 'warning' },
};

export function alertFor(e: RemoteEvent): PhoneAlert | null {
  const d = isRecord(e.detail) ? e.detail : null;
  if (d && Array.isArray(d.alerts)) {
    for (const code of d.alerts) {
      const a = typeof code === 'string' ? DECISION_ALERTS[code] : undefined;
      if (a) return { ...a, body: e.summary };
    }
  }
  if (d && typeof d.alert === 'string') {
    const a = INSIGHT_ALERTS[d.alert];
    if (a) return { ...a, body: e.summary };
  }
  if (d && d.outcome === 'ring') return { title: 'Someone is at the door', body: e.summary, tag: 'doorbell', severity: 'info' };
  if (e.kind === 'door' && d && d.tamper === true) return { title: 'Panel tamper', body: e.summary, tag: 'tamper', severity: 'critical' };
  if (e.kind === 'admin' && d && d.remoteRefused === true) return { title: 'Remote command refused', body: e.summary, tag: 'remote-refused', severity: 'warning' };
  return null;
}

export const PANEL_OFFLINE_ALERT: PhoneAlert = { title: 'Panel offline', body: 'The door panel lost its connection to the broker.', tag: 'panel-offline', severity: 'warning' };
