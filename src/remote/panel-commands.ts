// The command router: a verified command from a paired phone, by op, to the panel's actions.
// Verification (signature, time, counter, role) happened before; what needs the panel's current
// values (an owner-only setting) is checked here.
import { decodeBase64Url, encodeBase64Url } from '../access/base64url.ts';
import { refusedSettingsText, settingsRefusedTo, type AdminRole, type CommandBody, type Op } from './command.ts';
import { remoteEventOf } from './messages.ts';
import type { Refusal, Results } from './replies.ts';
import type { RemotePanelActions } from './ports.ts';
import type { AdminSummary, PairingOffer } from './panel-remote.ts';

/** What a command may touch beyond the panel's actions: the remote link's own pairing and state. */
export interface CommandPanel {
  readonly actions: RemotePanelActions;
  admins(): readonly AdminSummary[];
  /** A freshly signed config and state for every phone, soon. */
  stateSoon(): void;
  refuseForbidden(adminId: string, op: Op): Promise<void>;
  unpair(adminId: string, by: string): Promise<boolean>;
  createPairing(role: AdminRole): Promise<PairingOffer>;
  /** The kiosk's doorbell calls (src/panel/door-call.svelte.ts); absent where the panel has no camera call. */
  readonly calls?: CallPanel;
}

/** What a call command needs from the panel: one call at a time, by admin id and name. */
export interface CallPanel {
  start(adminId: string, adminName: string, mode: 'answer' | 'view', offerSdp: string): Promise<{ readonly sdp: string } | { readonly problem: string }>;
  end(adminId: string): Promise<void>;
  decline(adminId: string, adminName: string): void;
}

/** A command's answer; the result is the one its op answers with (replies.ts `Results`). */
export type CommandOutcome = { readonly ok: true; readonly result: Results[Op] } | { readonly ok: false; readonly reason: Refusal; readonly problem?: string };

const rejected = (problem: string): CommandOutcome => ({ ok: false, reason: 'rejected', problem });
/** The name the kiosk shows and logs for a caller: the label the owner gave the phone at pairing, made printable. */
const callerName = (p: CommandPanel, adminId: string): string => p.admins().find((x) => x.id === adminId)?.label.replace(/[\u0000-\u001f]/g, '').slice(0, 60) || 'An admin';

export async function runCommand(p: CommandPanel, adminId: string, role: AdminRole, c: CommandBody): Promise<CommandOutcome> {
  const a = p.actions;
  // Named by op, so each case can only answer with its own op's result.
  const ok = <K extends Op>(_op: K, result: Results[K]): CommandOutcome => ({ ok: true, result });
  switch (c.op) {
    case 'state.get':
      p.stateSoon();
      return ok(c.op, { ...a.snapshot(), online: true });
    case 'people.list':
      return ok(c.op, await a.listPeople());
    case 'person.add': {
      const r = await a.addPerson(adminId, { name: c.name, role: c.role, ...(c.pin ? { pin: c.pin } : {}) });
      return 'problem' in r ? rejected(r.problem) : ok(c.op, { personId: r.personId });
    }
    case 'person.setActive':
      await a.setActive(adminId, c.personId, c.active);
      return ok(c.op, null);
    case 'person.update': {
      const { op: _op, personId, ...change } = c;
      const r = await a.updatePerson(adminId, personId, change);
      return 'problem' in r ? rejected(r.problem) : ok(c.op, null);
    }
    case 'settings.get':
      return ok(c.op, await a.settings());
    case 'settings.set': {
      // The role check needs the values as they are now, so it runs here rather than in verifyCommand.
      const refused = settingsRefusedTo(role, await a.settings(), c.patch);
      if (refused.length > 0) {
        await p.refuseForbidden(adminId, c.op);
        return { ok: false, reason: 'forbidden', problem: refusedSettingsText(refused) };
      }
      const r = await a.updateSettings(adminId, c.patch);
      return 'problem' in r ? rejected(r.problem) : ok(c.op, r);
    }
    case 'person.remove': {
      // A bridge's controllers clear a lock's users freely ("clear all" is one command): a person
      // enrolled by face is erased only by a person's admin, never through a lock's user list.
      if (role === 'bridge' && (await a.listPeople()).some((person) => person.id === c.personId && person.templates > 0)) {
        await p.refuseForbidden(adminId, c.op);
        return { ok: false, reason: 'forbidden', problem: 'a bridge may not erase a person enrolled by face (clear their PIN instead)' };
      }
      await a.removePerson(adminId, c.personId);
      return ok(c.op, null);
    }
    case 'person.enrolPhoto': {
      const jpeg = decodeBase64Url(c.jpeg);
      if (!jpeg) return { ok: false, reason: 'malformed' };
      const r = await a.enrolPhoto(adminId, c.personId, jpeg);
      return 'problem' in r ? rejected(r.problem) : ok(c.op, null);
    }
    case 'guestKey.issue':
      return ok(c.op, await a.issueGuestKey(adminId, { name: c.name, notBefore: c.notBefore, expires: c.expires, maxUses: c.maxUses, selfEnrol: c.selfEnrol }));
    case 'guestKey.revoke':
      await a.revokeGuestKey(adminId, c.keyId);
      return ok(c.op, null);
    case 'guestKey.list':
      return ok(c.op, await a.listGuestKeys());
    case 'guestKey.show': {
      const r = await a.showGuestKey(adminId, c.keyId);
      return 'problem' in r ? rejected(r.problem) : ok(c.op, r);
    }
    case 'door.unlock':
      return ok(c.op, await a.unlock(adminId));
    case 'door.unlockPin': {
      // The log line names who carried the PIN: for a bridge, the voice assistant or app behind it spoke through that bridge.
      const admin = p.admins().find((x) => x.id === adminId);
      const carrier = admin ? `${admin.role === 'bridge' ? 'Matter bridge' : `${admin.role} phone`} "${admin.label.replace(/[\u0000-\u001f"]/g, '').slice(0, 60)}"` : undefined;
      return ok(c.op, await a.unlockWithPin(adminId, c.pin, carrier));
    }
    case 'door.lock':
      return a.lock ? ok(c.op, await a.lock(adminId)) : { ok: false, reason: 'unsupported' };
    case 'bridge.report':
      return a.matterReport ? ok(c.op, await a.matterReport(adminId, c.matter)) : { ok: false, reason: 'unsupported' };
    case 'log.recent': {
      const events = await a.recentEvents(c.limit);
      return ok(c.op, events.map(remoteEventOf));
    }
    case 'person.thumbnail': {
      const bytes = await a.personThumbnail(c.personId);
      return ok(c.op, bytes ? encodeBase64Url(bytes) : null);
    }
    case 'snapshot.get': {
      const bytes = await a.snapshotImage(c.snapshotId);
      return ok(c.op, bytes ? encodeBase64Url(bytes) : null);
    }
    case 'admins.list':
      return ok(c.op, p.admins());
    case 'admin.unpair':
      return (await p.unpair(c.adminId, adminId)) ? ok(c.op, null) : { ok: false, reason: 'unknownAdmin' };
    case 'pairing.create':
      return ok(c.op, await p.createPairing(c.role));
    case 'call.start': {
      if (!p.calls) return { ok: false, reason: 'unsupported' };
      const r = await p.calls.start(adminId, callerName(p, adminId), c.mode, c.sdp);
      return 'problem' in r ? rejected(r.problem) : ok(c.op, { sdp: r.sdp });
    }
    case 'call.end':
      if (!p.calls) return { ok: false, reason: 'unsupported' };
      await p.calls.end(adminId);
      return ok(c.op, null);
    case 'call.decline':
      if (!p.calls) return { ok: false, reason: 'unsupported' };
      p.calls.decline(adminId, callerName(p, adminId));
      return ok(c.op, null);
  }
}
