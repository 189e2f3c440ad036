// The panel's actions as the remote layer calls them (src/panel/actions.ts), in memory and recorded.
import type { EventRecord } from '../../src/store/db.ts';
import type { IssuedGuestKey } from '../../src/store/settings.ts';
import type { Role } from '../../src/access/types.ts';
import type { PanelSnapshot, PersonChange, PersonSummary } from '../../src/panel/actions.ts';
import { applySettingsPatch, checkSettingsPatch, describeChanges, settingChanges, type PanelSettingsView, type SettingsPatch } from '../../src/panel/panel-settings.ts';
import type { NewGuestKey } from '../../src/panel/guest-keys.ts';
import type { Clock } from '../../src/platform/clock.ts';
import type { RemotePanelActions } from '../../src/remote/ports.ts';
import { bellEvent } from '../../src/panel/bell.ts';

// ---------------------------------------------------------------------------------------------
// The panel

export interface ActionCall {
  readonly op: string;
  readonly adminId: string;
  readonly args: unknown;
}

/**
 * A panel with people, guest keys and a door in memory. `decide()` stands in for the access
 * policy deciding an attempt locally (a PIN at the pad): it writes an event like the real log.
 */
export class FakePanelActions implements RemotePanelActions {
  readonly calls: ActionCall[] = [];
  readonly people = new Map<string, PersonSummary>();
  readonly keys: IssuedGuestKey[] = [];
  readonly events: EventRecord[] = [];
  doorOpen = false;
  lockdown = false;
  #n = 0;
  readonly #listeners = new Set<(e: EventRecord) => void>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  snapshot(): PanelSnapshot {
    const last = this.events.find((e) => e.kind === 'attempt');
    return { online: true, doorController: 'simulated', doorOpen: this.doorOpen, lastVisitor: last ? { name: last.personId, outcome: last.summary.split(' ')[0] ?? '', at: last.at } : null, doorName: this.settingsNow.doorName };
  }
  async listPeople() {
    return [...this.people.values()];
  }
  async addPerson(adminId: string, p: { name: string; role: Role; pin?: string; duress?: string }) {
    this.calls.push({ op: 'addPerson', adminId, args: p });
    if ([...this.people.values()].some((x) => x.name === p.name)) return { problem: 'duplicate name' };
    const id = `person-${++this.#n}`;
    this.people.set(id, { id, name: p.name, role: p.role, active: true, hasPin: !!p.pin, templates: 0, schedule: null });
    if (p.pin) this.pins.set(id, p.pin);
    this.write('admin', null, `${p.name} added by ${adminId.slice(0, 8)}`, { adminId });
    return { personId: id };
  }
  async setActive(adminId: string, personId: string, active: boolean) {
    this.calls.push({ op: 'setActive', adminId, args: { personId, active } });
    const p = this.people.get(personId);
    if (p) this.people.set(personId, { ...p, active });
  }
  async updatePerson(adminId: string, personId: string, change: PersonChange) {
    this.calls.push({ op: 'updatePerson', adminId, args: { personId, ...change } });
    const p = this.people.get(personId);
    if (!p) return { problem: 'No such person.' };
    const { pin, duress: _duress, schedule, ...details } = change;
    this.people.set(personId, { ...p, ...details, ...(pin !== undefined ? { hasPin: pin !== null } : {}), ...(schedule !== undefined ? { schedule } : {}) });
    return { ok: true } as const;
  }
  /** The panel's tunable settings, changed only through updateSettings' checks. */
  settingsNow: PanelSettingsView = { doorName: 'Front door', faceMatch: 0.5, livenessPass: 0.9, riskStepUp: 0.5, pulseMs: 3000, retentionDays: 30, snapshotMb: 50, quietHours: { startHour: 22, endHour: 7 }, callRelay: null, timeZone: 'UTC' };
  async settings() {
    return this.settingsNow;
  }
  async updateSettings(adminId: string, patch: SettingsPatch) {
    this.calls.push({ op: 'updateSettings', adminId, args: patch });
    const checked = checkSettingsPatch(patch);
    if (!checked.ok) return { problem: checked.problems.join(' ') };
    const before = this.settingsNow;
    this.settingsNow = applySettingsPatch(before, checked.patch);
    const changes = settingChanges(before, this.settingsNow);
    if (changes.length > 0) this.write('admin', null, `changed settings: ${describeChanges(changes)} (remote admin ${adminId.slice(0, 8)})`, { adminId, changes });
    return { settings: this.settingsNow, changes };
  }
  async removePerson(adminId: string, personId: string) {
    this.calls.push({ op: 'removePerson', adminId, args: { personId } });
    this.people.delete(personId);
  }
  async enrolPhoto(adminId: string, personId: string, jpeg: Uint8Array) {
    this.calls.push({ op: 'enrolPhoto', adminId, args: { personId, bytes: jpeg.byteLength } });
    return this.people.has(personId) ? ({ ok: true } as const) : { problem: 'unknown person' };
  }
  async issueGuestKey(adminId: string, r: NewGuestKey) {
    this.calls.push({ op: 'issueGuestKey', adminId, args: r });
    const record: IssuedGuestKey = { keyId: `key-${++this.#n}`, name: r.name, notBefore: r.notBefore, expires: r.expires, maxUses: r.maxUses, revoked: false, issuedAt: this.#clock.now() };
    this.keys.push(record);
    return { token: `token.for.${record.keyId}`, record };
  }
  async revokeGuestKey(adminId: string, keyId: string) {
    this.calls.push({ op: 'revokeGuestKey', adminId, args: { keyId } });
    const i = this.keys.findIndex((k) => k.keyId === keyId);
    if (i >= 0) this.keys[i] = { ...this.keys[i]!, revoked: true };
  }
  async listGuestKeys() {
    return this.keys.map((k) => ({ ...k, uses: 0 }));
  }
  async showGuestKey(adminId: string, keyId: string) {
    this.calls.push({ op: 'showGuestKey', adminId, args: { keyId } });
    const record = this.keys.find((k) => k.keyId === keyId);
    if (!record) return { problem: 'No such guest key.' };
    if (record.revoked) return { problem: 'That guest key is revoked; it cannot be shown again.' };
    return { token: `token.for.${record.keyId}`, record };
  }
  async unlock(adminId: string) {
    this.calls.push({ op: 'unlock', adminId, args: null });
    if (this.lockdown) {
      this.write('attempt', null, `deny remote by ${adminId.slice(0, 8)}`, { outcome: 'deny', reasons: ['doorLockdown'] });
      return { opened: false, reason: 'doorLockdown' };
    }
    this.doorOpen = true;
    this.write('attempt', null, `grant remote by ${adminId.slice(0, 8)}`, { outcome: 'grant', credential: { kind: 'remote', adminId } });
    return { opened: true, reason: 'remoteCommand' };
  }
  /** PINs the fake knows, by person (the real panel checks them at its PIN pad's gatekeeper). */
  readonly pins = new Map<string, string>();
  async unlockWithPin(adminId: string, pin: string) {
    this.calls.push({ op: 'unlockWithPin', adminId, args: { pin: pin.replace(/./g, '*') } });
    const personId = [...this.pins].find(([, p]) => p === pin)?.[0] ?? null;
    if (!personId) {
      this.write('attempt', null, `deny unknown by pin sent by remote admin ${adminId.slice(0, 8)}`, { outcome: 'deny', reasons: ['pinWrong'] });
      return { opened: false, reason: 'pinWrong', personId: null };
    }
    this.doorOpen = true;
    this.write('attempt', personId, `grant ${personId} by pin sent by remote admin ${adminId.slice(0, 8)}`, { outcome: 'grant', credential: { kind: 'pin' }, via: { adminId } });
    return { opened: true, reason: 'pin', personId };
  }
  async lock(adminId: string) {
    this.calls.push({ op: 'lock', adminId, args: null });
    this.doorOpen = false;
    return { locked: true, reason: 'locked' };
  }
  async recentEvents(limit: number) {
    return this.events.slice(0, limit);
  }
  async snapshotImage(id: string) {
    return id === 'snap-1' ? new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) : null;
  }
  /** Thumbnails by person id, as a test puts them. */
  readonly thumbnails = new Map<string, Uint8Array>();
  async personThumbnail(personId: string) {
    return this.thumbnails.get(personId) ?? null;
  }
  onEvent(cb: (e: EventRecord) => void) {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }
  /** A locally decided attempt (the panel works with no broker at all); "ring" is a face not recognised. */
  decide(outcome: 'grant' | 'deny' | 'ring', personId: string | null, alerts: readonly string[] = []): EventRecord {
    return this.write('attempt', personId, `${outcome} ${personId ?? 'unknown'} by pin`, { outcome, alerts });
  }
  /** Ring pressed at the kiosk: the line the app logs for it. */
  ring(): EventRecord {
    const b = bellEvent(this.#clock.now());
    return this.write(b.kind, b.personId, b.summary, b.detail);
  }
  write(kind: EventRecord['kind'], personId: string | null, summary: string, detail: unknown): EventRecord {
    const e: EventRecord = { id: `ev-${++this.#n}-${Math.random().toString(36).slice(2, 8)}`, at: this.#clock.now(), kind, personId, summary, detail, snapshotId: null };
    this.events.unshift(e);
    for (const cb of this.#listeners) cb(e);
    return e;
  }
}
