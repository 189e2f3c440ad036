import { remoteSender } from '../lib/words/event-words.ts';
import type { PanelActions, PanelSnapshot, PersonSummary } from './actions.ts';
import type { MatterReport } from './matter-report.ts';
import type { Gatekeeper } from './gatekeeper.ts';
import type { DoorLink } from './door-link.svelte.ts';
import type { GuestKeyBook } from './guest-keys.ts';
import type { PeopleAdmin } from '../people/people-admin.svelte.ts';
import type { PeopleRepo } from '../store/people.ts';
import type { EventLog } from '../store/events.ts';
import type { EventRecord } from '../store/db.ts';
import type { Clock } from '../platform/clock.ts';
import { adminAudit, adminEdits, type AdminEditDeps } from './admin-edits.ts';
import { guestSubject } from './guest-keys.ts';
import type { MatterStatus } from './matter-status.svelte.ts';

export interface PanelActionDeps extends Pick<AdminEditDeps, 'prefs' | 'alerts' | 'timeZone'> {
  readonly clock: Clock;
  readonly gatekeeper: Gatekeeper;
  /** What a remote admin sees of the door and may do to it (DoorLink in the app). */
  readonly door: Pick<DoorLink, 'view' | 'doorOpen' | 'lock'>;
  readonly keys: GuestKeyBook;
  readonly people: PeopleAdmin;
  readonly repo: PeopleRepo;
  readonly log: EventLog;
  readonly online: () => boolean;
  /** Where a Matter bridge's commissioning reports are kept for the admin area; absent: the op is refused as unsupported. */
  readonly matter?: Pick<MatterStatus, 'report'>;
  /** Enrols a face from a photo; null while the vision module cannot (no models). */
  readonly enrolPhoto: ((personId: string, jpeg: Uint8Array) => Promise<{ ok: true } | { problem: string }>) | null;
}

/**
 * The panel's side of a verified remote command: each action goes through the same code as the
 * panel's own admin area (PeopleAdmin, GuestKeyBook, the Gatekeeper), and what an admin changed
 * is written to the access log with their id.
 */
export function panelActions(d: PanelActionDeps): PanelActions {
  let lastVisitor: PanelSnapshot['lastVisitor'] = null;
  let lastVisitorId: string | null = null;
  d.log.onAppend((e) => {
    if (e.kind !== 'attempt') return;
    const detail = e.detail as { outcome?: string; subject?: { name?: string } | null } | null;
    const by = detail?.outcome === 'grant' ? remoteSender(e.detail) : null;
    lastVisitor = { name: detail?.subject?.name ?? null, outcome: detail?.outcome ?? e.summary, at: e.at, ...(by ? { by } : {}) };
    lastVisitorId = e.personId;
  });
  const audit = adminAudit(d.log, d.clock);

  return {
    snapshot: () => ({ online: d.online(), doorController: d.door.view.text, doorOpen: d.door.doorOpen, lastVisitor, doorName: d.prefs.doorName }),
    async listPeople(): Promise<PersonSummary[]> {
      await d.people.refresh();
      return d.people.rows.map((r) => ({ id: r.person.id, name: r.person.name, role: r.person.role, active: r.person.active, hasPin: r.hasPin, templates: r.templates, schedule: r.person.schedule ?? null }));
    },
    ...adminEdits(d),
    async addPerson(adminId, p) {
      const result = await d.people.create(p.name, p.role, p.pin ?? '', p.duress ?? '');
      if ('personId' in result) await audit(adminId, `added ${p.name.trim()}`, {}, result.personId); // erasing the person removes this line too
      return result;
    },
    async setActive(adminId, personId, active) {
      await d.people.setActive(personId, active);
      await audit(adminId, `${active ? 'activated' : 'suspended'} a person`, {}, personId);
    },
    async removePerson(adminId, personId) {
      // Logs the tombstone itself (with the admin, without the person): erasure leaves nothing of them.
      await d.people.erase(personId, { kind: 'remoteAdmin', adminId });
      if (lastVisitorId === personId) lastVisitor = lastVisitorId = null;
    },
    async enrolPhoto(adminId, personId, jpeg) {
      if (!d.enrolPhoto) return { problem: 'Face recognition is not available on this panel (models missing).' };
      if (!(await d.repo.get(personId))) return { problem: 'No such person.' };
      const result = await d.enrolPhoto(personId, jpeg);
      if ('ok' in result) await audit(adminId, 'enrolled a face from a photo', {}, personId);
      return result;
    },
    async issueGuestKey(adminId, request) {
      const issued = await d.keys.issue(request);
      // About the guest it names: a self-enrolled guest's erasure removes this line with the rest.
      await audit(adminId, `issued a guest key for ${request.name}`, { keyId: issued.record.keyId }, guestSubject(issued.record.keyId));
      return issued;
    },
    async revokeGuestKey(adminId, keyId) {
      await d.keys.revoke(keyId);
      await audit(adminId, 'revoked a guest key', { keyId });
    },
    listGuestKeys: () => d.keys.listed(),
    async showGuestKey(adminId, keyId) {
      const shown = await d.keys.show(keyId);
      // A key shown again is a key handed out again: the log says who asked for it.
      if ('token' in shown) await audit(adminId, `showed the guest key for ${shown.record.name} again`, { keyId }, guestSubject(keyId));
      else console.warn('[guest keys] show refused:', shown.problem);
      return shown;
    },
    async unlock(adminId) {
      const shown = await d.gatekeeper.remote(adminId);
      return shown.outcome === 'grant' ? { opened: true, reason: 'remoteCommand' } : { opened: false, reason: shown.outcome === 'deny' ? shown.reason : shown.outcome };
    },
    async unlockWithPin(adminId, pin, carrier) {
      const { shown, personId } = await d.gatekeeper.remotePin(pin, adminId, carrier);
      return { opened: shown.outcome === 'grant', reason: shown.outcome === 'deny' ? shown.reason : shown.outcome === 'grant' ? 'pin' : shown.outcome, personId };
    },
    async lock(adminId) {
      const locked = await d.door.lock();
      await audit(adminId, locked ? 'locked the door' : 'lock refused: door controller unavailable');
      return { locked, reason: locked ? 'locked' : 'doorOffline' };
    },
    ...(d.matter ? { matterReport: async (adminId: string, report: MatterReport) => ({ timeZone: d.timeZone, removeFabrics: await d.matter!.report(adminId, report) }) } : {}),
    recentEvents: (limit) => d.log.recent(limit),
    snapshotImage: (id) => d.log.snapshot(id),
    personThumbnail: (id) => d.repo.thumbnail(id),
    onEvent: (cb: (event: EventRecord) => void) => d.log.onAppend(cb),
  };
}
