import type { MatterReport, MatterReportReply } from './matter-report.ts';
import type { Role, Schedule } from '../access/types.ts';
import type { PanelSettingsView, SettingChange, SettingsPatch } from './panel-settings.ts';
import type { EventRecord } from '../store/db.ts';
import type { IssuedGuestKey } from '../store/settings.ts';
import type { ListedGuestKey, NewGuestKey } from './guest-keys.ts';

/**
 * What a remote admin may ask of the panel, once the remote layer has checked the command's
 * signature, freshness, counter and the signer's role. The panel carries these out exactly as
 * its own admin area would, and logs them with the admin's id.
 */
export interface PanelSnapshot {
  readonly online: boolean;
  readonly doorController: string;
  readonly doorOpen: boolean;
  /** `by`: who let them in from a phone (its label, else a short admin id), so the phone can name them. */
  readonly lastVisitor: { readonly name: string | null; readonly outcome: string; readonly at: number; readonly by?: string } | null;
  /** The door name set at the panel; absent from a panel older than it. Phones that took it follow a rename. */
  readonly doorName?: string;
}

export interface PersonSummary {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly active: boolean;
  readonly hasPin: boolean;
  readonly templates: number;
  /** Null: the role's default (residents and employees any time). PINs are never sent, only hasPin. */
  readonly schedule: Schedule | null;
}

/** An edit of one person: only the fields present change. */
export interface PersonChange {
  readonly name?: string;
  readonly role?: Role;
  /** A new PIN, or null to clear the PIN (and any duress PIN). */
  readonly pin?: string | null;
  /** Only with a new PIN: setting a PIN replaces the duress PIN too. */
  readonly duress?: string;
  /** Null: back to the role's default. */
  readonly schedule?: Schedule | null;
}

export interface PanelActions {
  snapshot(): PanelSnapshot;
  listPeople(): Promise<PersonSummary[]>;
  addPerson(adminId: string, p: { name: string; role: Role; pin?: string; duress?: string }): Promise<{ personId: string } | { problem: string }>;
  setActive(adminId: string, personId: string, active: boolean): Promise<void>;
  /** Through the admin area's own code (PIN hashing and uniqueness, schedule checks); all or nothing. */
  updatePerson(adminId: string, personId: string, change: PersonChange): Promise<{ ok: true } | { problem: string }>;
  /** The settings an admin may tune (panel-settings.ts), as they are now. */
  settings(): Promise<PanelSettingsView>;
  /** Applies a checked patch; each change takes effect at its next use and is logged old -> new. */
  updateSettings(adminId: string, patch: SettingsPatch): Promise<{ settings: PanelSettingsView; changes: SettingChange[] } | { problem: string }>;
  /** Real erasure (templates, credentials, snapshots). */
  removePerson(adminId: string, personId: string): Promise<void>;
  /** Enrol from a photo taken on the phone: the panel computes the template; the photo is not kept. */
  enrolPhoto(adminId: string, personId: string, jpeg: Uint8Array): Promise<{ ok: true } | { problem: string }>;
  issueGuestKey(adminId: string, request: NewGuestKey): Promise<{ token: string; record: IssuedGuestKey }>;
  revokeGuestKey(adminId: string, keyId: string): Promise<void>;
  /** The keys issued here, each with its use count on this panel. */
  listGuestKeys(): Promise<readonly ListedGuestKey[]>;
  /** An issued key's token signed again (same key id and window); refused for an unknown or revoked key. */
  showGuestKey(adminId: string, keyId: string): Promise<{ token: string; record: IssuedGuestKey } | { problem: string }>;
  /** Decided by the access policy (lockdown still holds), carried out by the door controller, logged with the admin. */
  unlock(adminId: string): Promise<{ opened: boolean; reason: string }>;
  /**
   * A PIN sent by a remote admin (the Matter bridge, for a controller or a voice assistant):
   * decided exactly as at the PIN pad, on the pad's failure count and back-off, and logged with
   * the admin. `personId` is whose PIN it was, when it was someone's.
   *
   * `carrier` names who carried the PIN (a Matter bridge and its name), for the log line.
   */
  unlockWithPin(adminId: string, pin: string, carrier?: string): Promise<{ opened: boolean; reason: string; personId: string | null }>;
  /** Ends an unlock pulse early. */
  lock(adminId: string): Promise<{ locked: boolean; reason: string }>;
  /** A Matter bridge's commissioning, stored for the admin area; answered with the fabrics to leave. Absent: no Matter here. */
  matterReport?(adminId: string, report: MatterReport): Promise<MatterReportReply>;
  recentEvents(limit: number): Promise<EventRecord[]>;
  snapshotImage(snapshotId: string): Promise<Uint8Array | null>;
  /** The person's face thumbnail, unsealed for the reply; null when none is kept. */
  personThumbnail(personId: string): Promise<Uint8Array | null>;
  /** Every new access-log event, as it is written. */
  onEvent(cb: (event: EventRecord) => void): () => void;
}
