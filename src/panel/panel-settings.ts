import type { Settings } from '../access/types.ts';
import type { AlertKnobs } from '../insight/alerts.ts';
import type { Retention } from '../store/events.ts';
import { LIVENESS_POLICY, MATCH_POLICY } from '../vision/thresholds.ts';
import { callRelayOf, callRelayProblem, callRelayText, sameCallRelay, type CallRelay } from './call-relay.ts';
import type { Say } from '../lib/words/index.ts';
import { english } from '../lib/words/english.ts';

/**
 * The settings an admin may tune, from the panel's admin area or a paired phone: their bounds,
 * the check of a change, which changes weaken security, and the old -> new record the log keeps.
 * Pure: the stores that hold each value (Prefs, InsightService) call these and keep their own
 * copy; the remote command parser calls the same check, so a phone and the panel cannot disagree
 * on what is allowed.
 */
export type QuietHours = NonNullable<AlertKnobs['quietHours']>;

export interface PanelSettingsView {
  /** Face match score at or above which a face counts as its person (access `match.minScore`). */
  readonly faceMatch: number;
  /** Passive liveness at or above which no blink is asked (access `liveness.pass`). */
  readonly livenessPass: number;
  /**
   * Learnt risk at or above which a second factor is asked (access `risk.stepUpAt`): the adaptive
   * authentication knob, lower for more caution, higher for fewer PIN requests.
   */
  readonly riskStepUp: number;
  /** What the kiosk screen and Home Assistant call this door ("Front door"). */
  readonly doorName: string;
  /** How long the relay is released for an unlock. */
  readonly pulseMs: number;
  readonly retentionDays: number;
  readonly snapshotMb: number;
  /** Local hours in which non-critical alerts wait; null: alerts go out at any hour. */
  readonly quietHours: QuietHours | null;
  /** The TURN server doorbell calls relay through for phones away from home; null: home network only. */
  readonly callRelay: CallRelay | null;
  /** The zone the panel reads schedules and quiet hours in; shown, never set. */
  readonly timeZone: string;
}

export type SettingKey = Exclude<keyof PanelSettingsView, 'timeZone'>;
export type SettingsPatch = { readonly [K in SettingKey]?: PanelSettingsView[K] };
export type SettingValue = PanelSettingsView[SettingKey];

export interface SettingChange {
  readonly key: SettingKey;
  readonly from: SettingValue;
  readonly to: SettingValue;
}

export const SETTING_KEYS: readonly SettingKey[] = ['doorName', 'faceMatch', 'livenessPass', 'riskStepUp', 'pulseMs', 'retentionDays', 'snapshotMb', 'quietHours', 'callRelay'];

const MIB = 1024 * 1024;

/**
 * Bounds, and why. faceMatch: the vision worker itself only names a person at or above the
 * measured operating point (MATCH_POLICY), so a lower threshold here would change nothing but
 * the words; admins may only demand more. livenessPass: below the "uncertain" band start every
 * face would skip the blink. riskStepUp: below 0.3 a first visit at an odd hour would already be
 * asked for a PIN; at most 0.85, under the policy's refusal level (0.9), so a step-up band always
 * exists between opening and refusing. pulseMs: up to the firmware's own ceiling (30 s, for doors
 * used with wheelchairs and buggies); above the connected board's `max_pulse_ms` (5000 by
 * default) Prefs.setPulseMs has the board raise it first (src/door/pulse-limit.ts), or refuses.
 * Retention: the admin area's own limits.
 */
export const SETTING_BOUNDS = {
  faceMatch: { min: MATCH_POLICY.threshold, max: 0.8 },
  livenessPass: { min: LIVENESS_POLICY.uncertain, max: 0.99 },
  riskStepUp: { min: 0.3, max: 0.85 },
  pulseMs: { min: 1_000, max: 30_000 },
  retentionDays: { min: 1, max: 3_650 },
  snapshotMb: { min: 0, max: 10_000 },
} as const;

export const DEFAULT_PULSE_MS = 3_000;

export const DEFAULT_DOOR_NAME = 'Front door';
/** A door name's length, in characters (code points) after trimming. */
export const DOOR_NAME_BOUNDS = { min: 1, max: 40 } as const;
/** Control characters, including line breaks and the bidirectional overrides that reorder text. */
const CONTROL = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Each setting as a change record names it, in a `say`'s words (`settingLabel`); SETTING_LABELS in English. */
export const settingLabel = (key: SettingKey, say: Say = english): string => say(`problem.change.${key}`);
export const SETTING_LABELS: Readonly<Record<SettingKey, string>> = Object.fromEntries(SETTING_KEYS.map((k) => [k, settingLabel(k)])) as Record<SettingKey, string>;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isHour = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 23;
const within = (v: number, b: { readonly min: number; readonly max: number }) => v >= b.min && v <= b.max;

/** What is wrong with one value, in words for the admin (English unless a screen hands in its `say`), or null when it may be stored. */
export function settingProblem(key: SettingKey, value: unknown, say: Say = english): string | null {
  switch (key) {
    case 'doorName': {
      if (typeof value !== 'string') return say('problem.setting.doorNameText');
      const length = [...value.trim()].length;
      if (length < DOOR_NAME_BOUNDS.min) return say('problem.setting.doorNameEmpty');
      if (length > DOOR_NAME_BOUNDS.max) return say('problem.setting.doorNameLong', { max: String(DOOR_NAME_BOUNDS.max) });
      return CONTROL.test(value) ? say('problem.setting.doorNameControl') : null;
    }
    case 'faceMatch':
    case 'livenessPass':
    case 'riskStepUp': {
      const b = SETTING_BOUNDS[key];
      return isNumber(value) && within(value, b) ? null : say(`problem.setting.${key}`, { min: b.min.toFixed(2), max: b.max.toFixed(2) });
    }
    case 'pulseMs': {
      const b = SETTING_BOUNDS.pulseMs;
      return Number.isInteger(value) && within(value as number, b) ? null : say('problem.setting.pulseMs', { min: String(b.min / 1000), max: String(b.max / 1000) });
    }
    case 'retentionDays':
    case 'snapshotMb': {
      const b = SETTING_BOUNDS[key];
      const ok = key === 'retentionDays' ? Number.isInteger(value) : isNumber(value);
      return ok && within(value as number, b) ? null : say(`problem.setting.${key}`, { min: String(b.min), max: String(b.max) });
    }
    case 'quietHours':
      if (value === null) return null;
      if (typeof value !== 'object' || Array.isArray(value) || Object.keys(value).some((k) => k !== 'startHour' && k !== 'endHour')) return say('problem.setting.quietShape');
      {
        const { startHour, endHour } = value as Record<string, unknown>;
        if (!isHour(startHour) || !isHour(endHour)) return say('problem.setting.quietHours');
        if (startHour === endHour) return say('problem.setting.quietSame');
      }
      return null;
    case 'callRelay':
      return callRelayProblem(value, say);
  }
}

export type PatchCheck = { readonly ok: true; readonly patch: SettingsPatch } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Checks an untrusted patch field by field: each known field in bounds, no unknown field (a
 * misspelt setting must not be silently dropped), at least one field. Nothing is clamped: a value
 * out of range is refused, never quietly moved to the nearest bound.
 */
export function checkSettingsPatch(o: unknown, say: Say = english): PatchCheck {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return { ok: false, problems: [say('problem.setting.notNamed')] };
  const raw = o as Record<string, unknown>;
  const problems: string[] = [];
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(SETTING_KEYS as readonly string[]).includes(key)) {
      problems.push(say('problem.setting.unknown', { key: key.slice(0, 40) }));
      continue;
    }
    const problem = settingProblem(key as SettingKey, value, say);
    if (problem) problems.push(problem);
    else if (key === 'doorName') patch[key] = (value as string).trim();
    else if (key === 'callRelay') patch[key] = callRelayOf(value as CallRelay | null);
    else patch[key] = key === 'quietHours' && value !== null ? { startHour: (value as QuietHours).startHour, endHour: (value as QuietHours).endHour } : value;
  }
  if (problems.length === 0 && Object.keys(patch).length === 0) problems.push(say('problem.setting.nothing'));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, patch: patch as SettingsPatch };
}

/**
 * Settings whose lowering weakens security or destroys evidence: a lower face or liveness
 * threshold lets more faces in without a second look; a shorter retention or smaller snapshot
 * space erases the access log, including the record of what the admin changing it did. The
 * unlock time (bounded by the controller) and quiet hours (critical alerts always go out) are
 * operational and are not listed. The risk level works the other way: raising it asks fewer
 * unusual attempts for a second factor.
 */
const LOWER_WEAKENS: ReadonlySet<SettingKey> = new Set<SettingKey>(['faceMatch', 'livenessPass', 'retentionDays', 'snapshotMb']);
const HIGHER_WEAKENS: ReadonlySet<SettingKey> = new Set<SettingKey>(['riskStepUp']);

/** The fields of a patch that would weaken security (see LOWER_WEAKENS). */
export function weakenedBy(current: PanelSettingsView, patch: SettingsPatch): SettingKey[] {
  return SETTING_KEYS.filter((k) => {
    const next = patch[k];
    const now = current[k];
    if (typeof next !== 'number' || typeof now !== 'number') return false;
    return (LOWER_WEAKENS.has(k) && next < now) || (HIGHER_WEAKENS.has(k) && next > now);
  });
}

export function applySettingsPatch(current: PanelSettingsView, patch: SettingsPatch): PanelSettingsView {
  return { ...current, ...patch };
}

const same = (a: QuietHours | null, b: QuietHours | null): boolean => a === b || (a !== null && b !== null && a.startHour === b.startHour && a.endHour === b.endHour);
/** Whether a setting holds the same value in both (quiet hours and a relay compared field by field). */
export const unchangedSetting = (k: SettingKey, a: Omit<PanelSettingsView, 'timeZone'>, b: Omit<PanelSettingsView, 'timeZone'>): boolean =>
  k === 'quietHours' ? same(a.quietHours, b.quietHours) : k === 'callRelay' ? sameCallRelay(a.callRelay, b.callRelay) : a[k] === b[k];

/** What changed, old -> new; a call relay as its address and username only (the record goes into the log). */
export function settingChanges(before: PanelSettingsView, after: PanelSettingsView): SettingChange[] {
  return SETTING_KEYS.filter((k) => !unchangedSetting(k, before, after)).map((k) => (k === 'callRelay' ? callRelayChange(before.callRelay, after.callRelay) : { key: k, from: before[k], to: after[k] }));
}

export const callRelayChange = (from: CallRelay | null, to: CallRelay | null): SettingChange => ({ key: 'callRelay', from: callRelayText(from), to: callRelayText(to, from) });

const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

export function formatSetting(key: SettingKey, v: SettingValue, say: Say = english): string {
  if (v === null) return say('problem.change.off');
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'object' && 'url' in v) return `"${callRelayText(v) ?? ''}"`;
  if (typeof v === 'object') return `${hh(v.startHour)}-${hh(v.endHour)}`;
  switch (key) {
    case 'pulseMs':
      return `${v / 1000} s`;
    case 'retentionDays':
      return say('problem.change.days', { n: String(v) });
    case 'snapshotMb':
      return `${v} MB`;
    default:
      return v.toFixed(2);
  }
}

/**
 * One line for the access log: "unlock time 3 s -> 4 s; quiet hours 22:00-07:00 -> off". The log
 * keeps it in English (the default); the phone shows a save's changes in its own `say`.
 */
export function describeChanges(changes: readonly SettingChange[], say: Say = english): string {
  return changes.map((c) => say('problem.change.line', { label: settingLabel(c.key, say), from: formatSetting(c.key, c.from, say), to: formatSetting(c.key, c.to, say) })).join('; ');
}

// --- the stores' shapes ------------------------------------------------------------------------

export function snapshotMbOf(r: Retention): number {
  return Math.round((r.maxSnapshotBytes / MIB) * 100) / 100;
}

export function retentionOf(days: number, snapshotMb: number): Retention {
  return { maxDays: days, maxSnapshotBytes: Math.round(snapshotMb * MIB) };
}

export function withThresholds(s: Settings, faceMatch: number, livenessPass: number, riskStepUp: number = s.risk.stepUpAt): Settings {
  return { ...s, match: { ...s.match, minScore: faceMatch }, liveness: { ...s.liveness, pass: livenessPass }, risk: { ...s.risk, stepUpAt: riskStepUp } };
}

/** A stored pulse read back: one out of bounds (a damaged record) gives the default, not a long release. */
export function storedPulseMs(v: unknown): number {
  return settingProblem('pulseMs', v) === null ? (v as number) : DEFAULT_PULSE_MS;
}

/** A stored door name read back: a damaged record gives the default name. */
export function storedDoorName(v: unknown): string {
  return settingProblem('doorName', v) === null ? (v as string).trim() : DEFAULT_DOOR_NAME;
}

/** The view as the panel sends it, checked on the phone like any input; null when malformed. */
export function parseSettingsView(o: unknown): PanelSettingsView | null {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const r = o as Record<string, unknown>;
  // A panel from before the call relay setting sends none: it relays through nothing.
  const { timeZone, callRelay = null, ...rest } = r;
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) return null;
  const checked = checkSettingsPatch({ ...rest, callRelay });
  if (!checked.ok || SETTING_KEYS.some((k) => !(k in checked.patch))) return null;
  return { ...(checked.patch as Omit<PanelSettingsView, 'timeZone'>), timeZone };
}
