import type { LockoutCell } from '../lib/counted-secret.ts';
import type { PanelActions } from '../panel/actions.ts';
import type { SecretHash } from '../lib/secret-hash.ts';
import type { AdminRole, Op } from './command.ts';
import type { PublicJwk } from './keys.ts';
import type { PairedAdmin } from './pairing.ts';
import type { NotifyRules } from './alerts.ts';
import type { BrokerLogin } from './broker-url.ts';
import type { SequenceBook, SequenceStore } from './sequence.ts';

/**
 * What the remote layer needs from the rest of the app, as small interfaces: storage (IndexedDB
 * in the app, see store.ts; in memory in tests/support/idb.ts for Node tests), the panel's actions and
 * an audit sink for refusals.
 */
export interface PanelIdentity {
  readonly panelId: string;
  readonly signingKey: CryptoKey;
  readonly ecdhKey: CryptoKey;
  readonly signingJwk: PublicJwk;
  readonly encryptionJwk: PublicJwk;
}

export interface HaSettings {
  readonly enabled: boolean;
  /** Hash of the code Home Assistant must send with an unlock; null: unlock from HA refused. */
  readonly code: SecretHash | null;
}

export interface PanelStore extends SequenceStore {
  loadIdentity(): Promise<PanelIdentity | null>;
  saveIdentity(identity: PanelIdentity): Promise<void>;
  loadAdmins(): Promise<PairedAdmin[]>;
  saveAdmins(admins: readonly PairedAdmin[]): Promise<void>;
  loadCounters(): Promise<Record<string, number>>;
  saveCounter(adminId: string, counter: number): Promise<void>;
  loadHomeAssistant(): Promise<HaSettings | null>;
  saveHomeAssistant(settings: HaSettings): Promise<void>;
  /**
   * One Home Assistant unlock attempt, before its code is checked: refused while the back-off
   * runs, otherwise counted as a failure there and then (read and write in one transaction, so
   * a restart or a burst cannot win a free try). The check clears it when the code was right.
   */
  /** The Home Assistant unlock code's failure record, read and written in one step (see countedCheck). */
  readonly haLockout: LockoutCell;
}

export interface PhoneIdentity {
  readonly adminId: string;
  readonly signingKey: CryptoKey;
  readonly ecdhKey: CryptoKey;
  readonly signingJwk: PublicJwk;
  readonly encryptionJwk: PublicJwk;
  /**
   * Stable per device, so the broker keeps this phone's session across reconnects; a second
   * tab open at the same time adds its number to it (tabs.ts).
   */
  readonly clientId: string;
}

export interface PanelLinkInfo {
  readonly panelId: string;
  readonly brokerUrl: string;
  /** This phone's login at the broker, from the pairing code; absent where the broker asks none. */
  readonly login?: BrokerLogin;
  readonly sign: PublicJwk;
  readonly enc: PublicJwk;
  readonly role: AdminRole;
  readonly pairedAt: number;
}

export interface PhoneStore {
  loadIdentity(): Promise<PhoneIdentity | null>;
  saveIdentity(identity: PhoneIdentity): Promise<void>;
  loadPanel(): Promise<PanelLinkInfo | null>;
  savePanel(panel: PanelLinkInfo | null): Promise<void>;
  loadCounter(): Promise<number>;
  saveCounter(counter: number): Promise<void>;
  loadSeen(): Promise<string[]>;
  saveSeen(ids: readonly string[]): Promise<void>;
  /** This phone's own choice of notifications (alerts.ts); null until it makes one. */
  loadNotifyRules(): Promise<unknown>;
  saveNotifyRules(rules: NotifyRules): Promise<void>;
  /** The newest panel messages this device has believed (sequence.ts); shared by its tabs. */
  loadSequences(): Promise<unknown>;
  saveSequences(book: SequenceBook): Promise<void>;
}

export interface PhoneDoorEntry {
  readonly panelId: string;
  /** What the admin calls the door on this phone ("Front door"). */
  readonly name: string;
  readonly addedAt: number;
  /** The name is the panel's own door name (none was typed), so it follows a rename there. */
  readonly followsPanel: boolean;
}

/**
 * The panels one phone is paired with: each door has its own PhoneStore (its own identity and
 * keys, command counter, what it has seen); notification choices are the phone's, for all.
 */
export interface PhoneDoorsStore {
  /** The doors whose pairing holds, oldest first. */
  list(): Promise<PhoneDoorEntry[]>;
  door(panelId: string): PhoneStore;
  rename(panelId: string, name: string, followsPanel: boolean): Promise<void>;
  /** This door's records and keys; the other doors keep theirs. */
  remove(panelId: string): Promise<void>;
}

/** What the remote layer may ask of the panel: exactly its PanelActions. */
export type RemotePanelActions = PanelActions;

export type AuditOutcome = 'refused' | 'paired' | 'unpaired';

/** One line for the panel's access log (the lead's wiring appends it as an `admin` event). */
export interface AuditEntry {
  readonly at: number;
  readonly outcome: AuditOutcome;
  /** Claimed or proven admin id; `authentic` says which. */
  readonly adminId: string | null;
  readonly authentic: boolean;
  readonly op: Op | 'pair' | 'ha.unlock' | null;
  readonly reason: string;
  readonly summary: string;
}
