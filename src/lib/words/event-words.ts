import type { Say, WordKey } from './index.ts';

/**
 * One log line in plain words, decided from the event's own fields (never its codes): the phone's
 * log and notifications, the panel's AccessLog and the hub's push text all read this. The codes
 * stay in the event's detail for the detail view. Nothing biometric is read or written here.
 * The shape is that of store/db.ts EventRecord (and a RemoteEvent), kept here so src/lib imports nothing.
 */
export interface LoggedEvent { readonly kind: string; readonly summary: string; readonly detail: unknown }

/** Names a remote admin by id (the phone's label for it); null when not known here. */
export type AdminName = (adminId: string) => string | null;

const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

const ALERT_WORDS: Readonly<Record<string, WordKey>> = {
  intruder: 'alert.intruder', bruteForce: 'alert.bruteForce', spoofAttempt: 'alert.spoofAttempt', forcedDoor: 'alert.forcedDoor',
  tamper: 'alert.tamper', doorLeftOpen: 'alert.doorLeftOpen', tailgating: 'alert.tailgating', loitering: 'alert.loitering',
  unknownVisitor: 'alert.unknownVisitor', controllerOffline: 'alert.controllerOffline', controllerBack: 'alert.controllerBack', doorLinkFault: 'alert.doorLinkFault',
};

/** Who sent a remote grant: the carrier's label (e.g. a phone's name), the phone's own label for the admin, else a short id. */
export function remoteSender(detail: unknown, adminName: AdminName = () => null): string | null {
  const d = obj(detail);
  const via = obj(d?.via);
  const cred = obj(d?.credential);
  const id = str(via?.adminId) ?? str(cred?.adminId);
  return str(via?.carrier) ?? (id ? adminName(id) ?? id.slice(0, 8) : null);
}

export function eventWords(e: LoggedEvent, say: Say, adminName?: AdminName): string {
  const d = obj(e.detail);
  if (e.kind === 'attempt' && d) {
    if (d.bell === true) return say('event.bell');
    if (d.ring === 'missed') return say('event.ringMissed');
    const name = str(obj(d.subject)?.name);
    const alerts = Array.isArray(d.alerts) ? d.alerts : [];
    if (alerts.includes('spoofAttempt')) return say('event.spoof');
    if (alerts.includes('duress')) return say('event.duress', { name: name ?? '?' });
    if (alerts.includes('pinLockout')) return say('event.pinLockout');
    const cred = str(obj(d.credential)?.kind);
    switch (d.outcome) {
      case 'grant':
        if (cred === 'exitButton') return say('event.exitButton');
        if (cred === 'remote' || obj(d.via)) {
          const admin = remoteSender(d, adminName) ?? '?';
          return name ? say('event.remoteIn', { name, admin }) : say('event.remoteInUnknown', { admin });
        }
        if (cred === 'pin') return say('event.pinIn', { name: name ?? '?' });
        if (cred === 'guestKey') return say('event.guestKeyIn', { name: name ?? '?' });
        return say('event.faceIn', { name: name ?? '?' });
      case 'ring':
        return say('event.unknownRang');
      case 'stepUp':
        return say('event.stepUp', { name: name ?? '?' });
      case 'deny':
        return name ? say('event.denied', { name }) : say('event.deniedUnknown');
    }
  }
  if (e.kind === 'door' && d?.tamper === true) return say('event.doorTamper');
  if (e.kind === 'system' && d) {
    const code = str(d.code);
    const key = code ? ALERT_WORDS[code] : undefined;
    if (key) return say(key);
  }
  if (e.kind === 'admin' && d?.remoteRefused === true) return say('event.remoteRefused');
  // Door, admin and other system lines are already written as sentences by the panel.
  return e.summary;
}

/** The bell's log line has no outcome code: this summary, written by panel/bell.ts, stands for one. */
export const BELL_SUMMARY = 'doorbell rung at the door';

export interface LastVisitor { readonly name: string | null; readonly outcome: string; readonly by?: string }

/** The phone's "last visitor" line: a grant from a phone names who sent it, as the log does. */
export function lastVisitorWords(v: LastVisitor, say: Say): string {
  if (v.by) return v.name ? say('event.remoteIn', { name: v.name, admin: v.by }) : say('event.remoteInUnknown', { admin: v.by });
  // outcome: the decision's outcome code, or the line's summary where there is none (the bell's).
  switch (v.outcome) {
    case 'grant':
      return v.name ? say('visitor.in', { name: v.name }) : say('visitor.opened');
    case 'deny':
      return v.name ? say('event.denied', { name: v.name }) : say('event.deniedUnknown');
    case 'ring':
      return v.name ? say('visitor.rang', { name: v.name }) : say('event.unknownRang');
    case 'stepUp':
      return say('event.stepUp', { name: v.name ?? say('visitor.unknown') });
    case BELL_SUMMARY:
      return say('event.bell');
  }
  return `${v.name ?? say('visitor.unknown')} (${v.outcome})`;
}
