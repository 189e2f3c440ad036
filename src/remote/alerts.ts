import { isRecord } from './canonical.ts';
import type { RemoteEvent } from './messages.ts';
import { isBellEvent } from '../panel/bell.ts';
import { eventWords } from '../lib/words/event-words.ts';
import { say, type WordKey } from '../lib/words/index.ts';

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
  /** The phone's notification rule that governs it; duress has none (it always notifies). */
  readonly kind: NotifyKind | 'duress';
}

/**
 * Which alerts this phone shows as notifications. A per-phone preference, kept on the phone and
 * never sent: two admins of one door may want different things (the owner every doorbell, a
 * manager only break-ins), and the panel's log records every alert whatever a phone shows. The
 * panel's own quiet hours (which hold its non-critical alerts back) are a panel setting.
 */
export type NotifyKind = 'refusals' | 'spoof' | 'visitor' | 'heldOpen' | 'forced' | 'tamper' | 'intruder' | 'offline';
export type NotifyRules = Readonly<Record<NotifyKind, boolean>>;

export const NOTIFY_KINDS: readonly { readonly kind: NotifyKind; readonly label: WordKey }[] = [
  { kind: 'refusals', label: 'phone.alerts.kind.refusals' },
  { kind: 'spoof', label: 'phone.alerts.kind.spoof' },
  { kind: 'visitor', label: 'phone.alerts.kind.visitor' },
  { kind: 'heldOpen', label: 'phone.alerts.kind.heldOpen' },
  { kind: 'forced', label: 'phone.alerts.kind.forced' },
  { kind: 'tamper', label: 'phone.alerts.kind.tamper' },
  { kind: 'intruder', label: 'phone.alerts.kind.intruder' },
  { kind: 'offline', label: 'phone.alerts.kind.offline' },
];

export const DEFAULT_NOTIFY_RULES: NotifyRules = { refusals: true, spoof: true, visitor: true, heldOpen: true, forced: true, tamper: true, intruder: true, offline: true };

/** A stored record read back: known kinds with boolean values; anything missing or odd is the default (on). */
export function parseNotifyRules(raw: unknown): NotifyRules {
  const r = isRecord(raw) ? raw : {};
  const out: Record<NotifyKind, boolean> = { ...DEFAULT_NOTIFY_RULES };
  for (const { kind } of NOTIFY_KINDS) if (typeof r[kind] === 'boolean') out[kind] = r[kind];
  return out;
}

/** A duress PIN always notifies: someone may be forced through the door right now. */
export const mayNotify = (alert: PhoneAlert, rules: NotifyRules): boolean => alert.kind === 'duress' || rules[alert.kind];

/** The title is a key, said when the alert is made: the hub (Node) speaks English, a phone its own language. */
type AlertEntry = Omit<PhoneAlert, 'title' | 'body'> & { readonly title: WordKey };

const DECISION_ALERTS: Readonly<Record<string, AlertEntry>> = {
  duress: { title: 'alert.title.duress', tag: 'duress', severity: 'critical', kind: 'duress' },
  spoofAttempt: { title: 'alert.title.spoof', tag: 'spoof', severity: 'critical', kind: 'spoof' },
  pinLockout: { title: 'alert.title.pinLockout', tag: 'pin-lockout', severity: 'warning', kind: 'refusals' },
};

const INSIGHT_ALERTS: Readonly<Record<string, AlertEntry>> = {
  intruder: { title: 'alert.intruder', tag: 'intruder', severity: 'critical', kind: 'intruder' },
  bruteForce: { title: 'alert.bruteForce', tag: 'brute-force', severity: 'critical', kind: 'refusals' },
  spoofAttempt: { title: 'alert.title.spoof', tag: 'spoof', severity: 'critical', kind: 'spoof' },
  forcedDoor: { title: 'alert.title.forced', tag: 'forced', severity: 'critical', kind: 'forced' },
  tamper: { title: 'alert.title.tamper', tag: 'tamper', severity: 'critical', kind: 'tamper' },
  doorLeftOpen: { title: 'alert.title.heldOpen', tag: 'held-open', severity: 'warning', kind: 'heldOpen' },
  tailgating: { title: 'alert.title.tailgating', tag: 'tailgating', severity: 'warning', kind: 'intruder' },
  loitering: { title: 'alert.title.loitering', tag: 'loitering', severity: 'warning', kind: 'visitor' },
  // Once per visit by the panel's rule (src/insight/visits.ts), however often the face is decided.
  unknownVisitor: { title: 'alert.title.unknownVisitor', tag: 'unknown-visitor', severity: 'info', kind: 'visitor' },
  // Raised by the panel itself when its door controller stops answering: the door cannot open.
  controllerOffline: { title: 'alert.title.controllerOffline', tag: 'controller-offline', severity: 'critical', kind: 'offline' },
  // Frames on the door cable the panel could not verify: someone may be spliced into it.
  doorLinkFault: { title: 'alert.title.doorLink', tag: 'door-link', severity: 'critical', kind: 'tamper' },
};

export function alertFor(e: RemoteEvent): PhoneAlert | null {
  // The body is the log's own plain line (never codes, never biometric detail): one wording for
  // the phone's log, its notifications and the hub's Web Push.
  const words = eventWords(e, say);
  const d = isRecord(e.detail) ? e.detail : null;
  if (d && Array.isArray(d.alerts)) {
    for (const code of d.alerts) {
      const a = typeof code === 'string' ? DECISION_ALERTS[code] : undefined;
      if (a) return { ...a, title: say(a.title), body: words };
    }
  }
  // Insight alerts are logged as `system` events whose detail is the Alert itself. One held back
  // by the panel's quiet hours is logged now and again when released: only the release notifies.
  if (e.kind === 'system' && d && typeof d.code === 'string') {
    const a = INSIGHT_ALERTS[d.code];
    if (a && d.deferred !== true) return { ...a, title: say(a.title), body: words };
    if (a) return null;
  }
  // Ring pressed at the kiosk. An unrecognised face (a decision "ring": offered the bell) is not
  // a ring: it is decided again every few seconds, and the visit rule above speaks for it.
  if (isBellEvent(e)) return { title: say('event.bell'), body: words, tag: 'doorbell', severity: 'info', kind: 'visitor' };
  // Same tag: the missed ring takes the ring's place in the notification tray, with the visitor's picture in the log.
  if (e.kind === 'attempt' && d && d.ring === 'missed') return { title: say('alert.title.missedRing'), body: words, tag: 'doorbell', severity: 'info', kind: 'visitor' };
  if (e.kind === 'door' && d && d.tamper === true) return { title: say('alert.title.tamper'), body: words, tag: 'tamper', severity: 'critical', kind: 'tamper' };
  if (e.kind === 'admin' && d && d.remoteRefused === true) return { title: say('alert.title.remoteRefused'), body: words, tag: 'remote-refused', severity: 'warning', kind: 'refusals' };
  return null;
}

export const PANEL_OFFLINE_ALERT: PhoneAlert = { title: say('alert.title.panelOffline'), body: say('alert.body.panelOffline'), tag: 'panel-offline', severity: 'warning', kind: 'offline' };

/**
 * The one definition of an alert, read by the phone's log filter, the panel's AccessLog filter and
 * Insight's "Recent alerts": an event is an alert when it would notify. So a list that says
 * "No alerts" can never sit beside a log that shows one.
 */
export const isAlert = (e: Pick<RemoteEvent, 'kind' | 'summary' | 'detail'>): boolean => alertFor(e as RemoteEvent) !== null;

/** The alerts in a log, in its order. */
export const alertsIn = <E extends Pick<RemoteEvent, 'kind' | 'summary' | 'detail'>>(events: readonly E[]): E[] => events.filter(isAlert);
