import { pinProblem, scheduleProblems, withFirstWindow } from '../../access/index.ts';
import type { Role, Schedule, Weekday, WeeklyWindow } from '../../access/types.ts';
import type { PersonSummary } from '../../panel/actions.ts';
import { checkSettingsPatch, SETTING_KEYS, unchangedSetting, type PanelSettingsView, type PatchCheck } from '../../panel/panel-settings.ts';
import { callRelayFromFields } from '../../panel/call-relay.ts';
import { parseCommandBody, type CommandOf } from '../command.ts';
import { say } from '../../lib/words/index.ts';
import { formatFixed, formatPlain, readNumber } from '../../lib/words/format.ts';

/**
 * The phone's edit forms as state: text as typed, turned into the exact command fields on save.
 * Each form sends only what the admin changed, and checks it first with the same functions the
 * panel runs on arrival, so a bad value is named on the phone and never travels.
 */

export const WEEKDAYS: readonly (readonly [Weekday, string])[] = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => [d, say(`phone.day.${d}`)]);

/**
 * A weekly window as the people list says it: "Mon–Fri 09:00–17:00", "Mon Wed Sat 10:00–12:00",
 * "every day 07:00–22:00" (three or more days in a row become a range).
 */
export function windowText(w: WeeklyWindow): string {
  const on = WEEKDAYS.map(([d]) => w.days.includes(d));
  if (on.every(Boolean)) return `${say('phone.day.every')} ${w.start}–${w.end}`;
  const parts: string[] = [];
  const label = (k: number) => WEEKDAYS[k]?.[1] ?? '';
  for (let i = 0; i < on.length; i += 1) {
    if (!on[i]) continue;
    let j = i;
    while (on[j + 1]) j += 1;
    if (j - i >= 2) parts.push(`${label(i)}–${label(j)}`);
    else for (let k = i; k <= j; k += 1) parts.push(label(k));
    i = j;
  }
  return `${parts.join(' ')} ${w.start}–${w.end}`;
}

export const HOURS: readonly number[] = Array.from({ length: 24 }, (_, h) => h);

export class SettingsForm {
  doorName = $state('');
  faceMatch = $state('');
  livenessPass = $state('');
  riskStepUp = $state('');
  pulseSeconds = $state('');
  retentionDays = $state('');
  snapshotMb = $state('');
  quiet = $state(false);
  quietStart = $state(22);
  quietEnd = $state(7);
  relayUrl = $state('');
  relayUsername = $state('');
  relayPassword = $state('');

  /** The panel's values as the phone writes numbers (`locale`: "0,60" on a German phone). */
  fill(v: PanelSettingsView, locale?: string): void {
    this.doorName = v.doorName;
    this.faceMatch = formatFixed(v.faceMatch, 2, locale);
    this.livenessPass = formatFixed(v.livenessPass, 2, locale);
    this.riskStepUp = formatFixed(v.riskStepUp, 2, locale);
    this.pulseSeconds = formatPlain(v.pulseMs / 1000, locale);
    this.retentionDays = formatPlain(v.retentionDays, locale);
    this.snapshotMb = formatPlain(v.snapshotMb, locale);
    this.quiet = v.quietHours !== null;
    this.quietStart = v.quietHours?.startHour ?? 22;
    this.quietEnd = v.quietHours?.endHour ?? 7;
    this.relayUrl = v.callRelay?.url ?? '';
    this.relayUsername = v.callRelay?.username ?? '';
    this.relayPassword = v.callRelay?.credential ?? '';
  }

  /** The fields that differ from the panel's current values, checked. */
  patch(current: PanelSettingsView): PatchCheck {
    const typed: Omit<PanelSettingsView, 'timeZone'> = {
      // Spaces around the name are not a change (the panel trims them too).
      doorName: this.doorName.trim() === current.doorName ? current.doorName : this.doorName,
      faceMatch: readNumber(this.faceMatch),
      livenessPass: readNumber(this.livenessPass),
      riskStepUp: readNumber(this.riskStepUp),
      pulseMs: Math.round(readNumber(this.pulseSeconds) * 1000),
      retentionDays: readNumber(this.retentionDays),
      snapshotMb: readNumber(this.snapshotMb),
      quietHours: this.quiet ? { startHour: this.quietStart, endHour: this.quietEnd } : null,
      callRelay: callRelayFromFields(this.relayUrl, this.relayUsername, this.relayPassword),
    };
    const patch: Record<string, unknown> = {};
    for (const k of SETTING_KEYS) if (!unchangedSetting(k, current, typed)) patch[k] = typed[k];
    return checkSettingsPatch(patch, say);
  }
}

/** The parts of a person the phone can change, as the form shows them. */
interface PersonFields {
  readonly name: string;
  readonly role: Role;
  readonly limited: boolean;
  readonly days: readonly Weekday[];
  readonly start: string;
  readonly end: string;
}

const scheduleKey = (f: PersonFields) => (f.limited ? JSON.stringify([WEEKDAYS.map(([d]) => d).filter((d) => f.days.includes(d)), f.start, f.end]) : 'any');

export type PersonEdit = { readonly ok: true; readonly body: CommandOf<'person.update'> } | { readonly ok: false; readonly problem: string };

export class PersonForm {
  name = $state('');
  role = $state<Role>('resident');
  pin = $state('');
  duress = $state('');
  clearPin = $state(false);
  limited = $state(false);
  days = $state<Weekday[]>(['mon', 'tue', 'wed', 'thu', 'fri']);
  start = $state('08:00');
  end = $state('18:00');
  readonly #initial: PersonFields;
  readonly #schedule: Schedule | null;

  /** Like the panel's own editor, the form edits the first weekly window of a schedule and keeps the rest. */
  constructor(p: PersonSummary) {
    this.#schedule = p.schedule;
    const first = p.schedule?.windows[0];
    this.name = p.name;
    this.role = p.role;
    this.limited = p.schedule !== null;
    if (first) {
      this.days = [...first.days];
      this.start = first.start;
      this.end = first.end;
    }
    this.#initial = this.#fields();
  }

  #fields(): PersonFields {
    return { name: this.name.trim(), role: this.role, limited: this.limited, days: [...this.days], start: this.start, end: this.end };
  }

  /** The `person.update` fields for what changed, or the first problem in words. */
  edit(personId: string, timeZone: string): PersonEdit {
    const now = this.#fields();
    const was = this.#initial;
    const change: Record<string, unknown> = {};
    if (now.name !== was.name) {
      if (now.name.length === 0 || now.name.length > 80) return { ok: false, problem: say('phone.form.nameProblem') };
      change.name = now.name;
    }
    if (now.role !== was.role) change.role = now.role;
    if (this.clearPin) {
      change.pin = null;
    } else if (this.pin !== '') {
      const problem = pinProblem(this.pin, this.duress === '' ? undefined : this.duress, say);
      if (problem) return { ok: false, problem: `${problem[0]?.toUpperCase() ?? ''}${problem.slice(1)}.` };
      change.pin = this.pin;
      if (this.duress !== '') change.duress = this.duress;
    } else if (this.duress !== '') {
      return { ok: false, problem: say('phone.form.duressNeedsPin') };
    }
    if (scheduleKey(now) !== scheduleKey(was)) {
      if (now.limited) {
        if (now.days.length === 0) return { ok: false, problem: say('phone.form.chooseDay') };
        const schedule = withFirstWindow(this.#schedule, { days: WEEKDAYS.map(([d]) => d).filter((d) => now.days.includes(d)), start: now.start, end: now.end }, timeZone);
        const problems = scheduleProblems(schedule, say);
        if (problems.length > 0) return { ok: false, problem: say('phone.form.scheduleProblem', { problems: problems.join('; ') }) };
        change.schedule = schedule;
      } else {
        change.schedule = null;
      }
    }
    if (Object.keys(change).length === 0) return { ok: false, problem: say('phone.form.nothingToChange') };
    // The panel's own parser, as the last word: what passes here is what the panel will accept.
    const body = parseCommandBody({ op: 'person.update', personId, ...change });
    return body?.op === 'person.update' ? { ok: true, body } : { ok: false, problem: say('phone.form.panelWouldRefuse') };
  }
}
