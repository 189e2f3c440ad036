import type { Schedule } from '../access/types.ts';
import type { PeopleAdmin } from '../people/people-admin.svelte.ts';
import type { Prefs } from './prefs.svelte.ts';
import type { PeopleRepo } from '../store/people.ts';
import type { EventLog } from '../store/events.ts';
import type { Clock } from '../platform/clock.ts';
import type { PanelActions, PersonChange } from './actions.ts';
import { applySettingsPatch, checkSettingsPatch, describeChanges, settingChanges, snapshotMbOf, type PanelSettingsView, type QuietHours } from './panel-settings.ts';

/**
 * A remote admin's edits of settings and people, carried out by the stores the panel's own
 * admin area uses (Prefs, InsightService, PeopleAdmin), so validation, hashing and storage live
 * in one place; this adds the ordering that keeps a refused edit from half-applying, and the
 * log line with the admin's id and old -> new values.
 */
export interface AdminEditDeps {
  readonly clock: Clock;
  readonly log: EventLog;
  readonly people: Pick<PeopleAdmin, 'setPin' | 'clearPin' | 'setSchedule' | 'setDetails'>;
  readonly repo: Pick<PeopleRepo, 'get'>;
  readonly prefs: Pick<Prefs, 'access' | 'pulseMs' | 'doorName' | 'retention' | 'callRelay' | 'setThresholds' | 'setPulseMs' | 'setDoorName' | 'setRetention' | 'setCallRelay'>;
  /** Quiet hours live with the insight engine that applies them (InsightService). */
  readonly alerts: { readonly quietHours: QuietHours | null; setQuietHours(quiet: QuietHours | null): Promise<string | null> };
  readonly timeZone: string;
}

export type AdminAudit = (adminId: string, summary: string, detail?: Record<string, unknown>, personId?: string | null) => Promise<unknown>;

/**
 * What an admin changed, as an `admin` event. An event about a person carries their id, so
 * erasing them later scrubs the line (names included) with the rest of their records.
 */
export function adminAudit(log: EventLog, clock: Clock): AdminAudit {
  return (adminId, summary, detail = {}, personId = null) =>
    log.append({ at: clock.now(), kind: 'admin', personId, summary: `${summary} (remote admin ${adminId.slice(0, 8)})`, detail: { adminId, ...detail } });
}

export function describeSchedule(s: Schedule | null | undefined): string {
  if (!s) return 'any time (role default)';
  return s.windows.map((w) => `${w.days.join(',')} ${w.start}-${w.end}`).join('; ');
}

export function adminEdits(d: AdminEditDeps): Pick<PanelActions, 'settings' | 'updateSettings' | 'updatePerson'> {
  const audit = adminAudit(d.log, d.clock);
  const view = (): PanelSettingsView => {
    const q = d.alerts.quietHours;
    return {
      doorName: d.prefs.doorName,
      faceMatch: d.prefs.access.match.minScore,
      livenessPass: d.prefs.access.liveness.pass,
      riskStepUp: d.prefs.access.risk.stepUpAt,
      pulseMs: d.prefs.pulseMs,
      retentionDays: d.prefs.retention.maxDays,
      snapshotMb: snapshotMbOf(d.prefs.retention),
      quietHours: q ? { startHour: q.startHour, endHour: q.endHour } : null,
      callRelay: d.prefs.callRelay,
      timeZone: d.timeZone,
    };
  };

  return {
    settings: async () => view(),

    async updateSettings(adminId, patch) {
      // Checked again here, not only by the command parser: this is also the panel's own path.
      const checked = checkSettingsPatch(patch);
      if (!checked.ok) return { problem: checked.problems.join(' ') };
      const p = checked.patch;
      const before = view();
      const next = applySettingsPatch(before, p);
      // Every value has passed the same checks the stores make, so a step can fail only by
      // throwing (storage), which the remote layer reports as a failure.
      const steps: (() => Promise<string | null>)[] = [];
      if (p.doorName !== undefined) steps.push(() => d.prefs.setDoorName(next.doorName));
      if (p.faceMatch !== undefined || p.livenessPass !== undefined || p.riskStepUp !== undefined) steps.push(() => d.prefs.setThresholds(next.faceMatch, next.livenessPass, next.riskStepUp));
      if (p.pulseMs !== undefined) steps.push(() => d.prefs.setPulseMs(next.pulseMs));
      if (p.retentionDays !== undefined || p.snapshotMb !== undefined) steps.push(() => d.prefs.setRetention(next.retentionDays, next.snapshotMb));
      if (p.quietHours !== undefined) steps.push(() => d.alerts.setQuietHours(next.quietHours));
      if (p.callRelay !== undefined) steps.push(() => d.prefs.setCallRelay(next.callRelay));
      for (const step of steps) {
        const problem = await step();
        if (problem) return { problem };
      }
      const after = view();
      const changes = settingChanges(before, after);
      if (changes.length > 0) await audit(adminId, `changed settings: ${describeChanges(changes)}`, { changes });
      return { settings: after, changes };
    },

    async updatePerson(adminId, personId, change: PersonChange) {
      const person = await d.repo.get(personId);
      if (!person) return { problem: 'No such person.' };
      const what: string[] = [];
      // The PIN first: it is the one change the panel can still refuse (another person's PIN),
      // and nothing else has been written when it does.
      if (change.pin === null) {
        await d.people.clearPin(personId);
        what.push('PIN cleared');
      } else if (change.pin !== undefined) {
        const problem = await d.people.setPin(personId, change.pin, change.duress ?? '');
        if (problem) return { problem };
        what.push(change.duress ? 'PIN and duress PIN set' : 'PIN set');
      }
      if (change.schedule !== undefined) {
        const problem = await d.people.setSchedule(personId, change.schedule ?? undefined);
        if (problem) return { problem };
        what.push(`access times ${describeSchedule(person.schedule)} -> ${describeSchedule(change.schedule)}`);
      }
      if (change.name !== undefined || change.role !== undefined) {
        const problem = await d.people.setDetails(personId, { ...(change.name !== undefined ? { name: change.name } : {}), ...(change.role !== undefined ? { role: change.role } : {}) });
        if (problem) return { problem };
        if (change.name !== undefined && change.name !== person.name) what.push(`name ${person.name} -> ${change.name}`);
        if (change.role !== undefined && change.role !== person.role) what.push(`role ${person.role} -> ${change.role}`);
      }
      // PINs are never logged, only that one was set or cleared.
      if (what.length > 0) await audit(adminId, `updated ${change.name ?? person.name}: ${what.join('; ')}`, { personId, changed: what }, personId);
      return { ok: true };
    },
  };
}
