import type { Role } from '../access/types.ts';
import type { EventRecord } from '../store/db.ts';
import type { IssuedGuestKey } from '../store/settings.ts';
import type { NewGuestKey } from './guest-keys.ts';

/**
 * What a remote admin may ask of the panel, once the remote layer has checked the command's
 * signature, freshness, counter and the signer's role. The panel carries these out exactly as
 * its own admin area would, and logs them with the admin's id.
 */
export interface PanelSnapshot {
  readonly online: boolean;
  readonly doorController: string;
  readonly doorOpen: boolean;
  readonly lastVisitor: { readonly name: string | null; readonly outcome: string; readonly at: number } | null;
}

export interface PersonSummary {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly active: boolean;
  readonly hasPin: boolean;
  readonly templates: number;
}

export interface PanelActions {
  snapshot(): PanelSnapshot;
  listPeople(): Promise<PersonSummary[]>;
  addPerson(adminId: string, p: { name: string; role: Role; pin?: string; duress?: string }): Promise<{ personId: string } | { problem: string }>;
  setActive(adminId: string, personId: string, active: boolean): Promise<void>;
  /** Real erasure (templates, credentials, snapshots). */
  removePerson(adminId: string, personId: string): Promise<void>;
  /** Enrol from a photo taken on the phone: the panel computes the template; the photo is not kept. */
  enrolPhoto(adminId: string, personId: string, jpeg: Uint8Array): Promise<{ ok: true } | { problem: string }>;
  issueGuestKey(adminId: string, request: NewGuestKey): Promise<{ token: string; record: IssuedGuestKey }>;
  revokeGuestKey(adminId: string, keyId: string): Promise<void>;
  /** Decided by the access policy (lockdown still holds), carried out by the door controller, logged with the admin. */
  unlock(adminId: string): Promise<{ opened: boolean; reason: string }>;
  /** Ends an unlock pulse early. */
  lock(adminId: string): Promise<{ locked: boolean; reason: string }>;
  recentEvents(limit: number): Promise<EventRecord[]>;
  snapshotImage(snapshotId: string): Promise<Uint8Array | null>;
  /** Every new access-log event, as it is written. */
  onEvent(cb: (event: EventRecord) => void): () => void;
}
