// Installing the door key. The panel draws a fresh 256-bit key, sends it once to a controller in
// its physical set-up mode (the set-up button held at power-up: someone stood on the secure
// side), then keeps only a non-extractable WebCrypto copy in IndexedDB. The raw bytes live for
// one command and are wiped. There is no default key: without one the controller is told so and
// the kiosk shows a fault, and an unprovisioned controller never unlocks on command anyway.
import type { CommandResult, RefusalReason } from '../door/controller.ts';
import { KEY_LEN } from '../door/protocol.ts';
import type { KeyRing } from '../store/keys.ts';

export const DOOR_KEY_NAME = 'door-hmac';

/** Where the door key lives between boots. */
export interface DoorKeyStore {
  load(): Promise<CryptoKey | null>;
  save(key: CryptoKey): Promise<void>;
}

/** The key ring's entry `door-hmac`: a re-provisioned board replaces the old key. */
export function doorKeyStore(keys: KeyRing): DoorKeyStore {
  return {
    load: () => keys.get(DOOR_KEY_NAME),
    save: (key) => keys.put(DOOR_KEY_NAME, key),
  };
}

/** The parts of DoorController that provisioning uses. */
export interface KeyedController {
  provisionKey(raw: Uint8Array): Promise<CommandResult<{ state: number; key: CryptoKey }>>;
  setKey(key: CryptoKey | null): void;
}

/** Loads the key at boot and hands it (or the lack of one) to the controller. */
export async function loadDoorKey(store: DoorKeyStore, controller: Pick<KeyedController, 'setKey'>): Promise<CryptoKey | null> {
  const key = await store.load();
  controller.setKey(key);
  return key;
}

export type ProvisionResult =
  | { readonly outcome: 'provisioned' }
  /** The board took the key and the controller uses it, but it could not be kept: lost at reload. */
  | { readonly outcome: 'unsaved'; readonly message: string }
  | { readonly outcome: 'refused'; readonly reason: RefusalReason; readonly message: string }
  | { readonly outcome: 'lost'; readonly message: string };

export interface ProvisionDeps {
  controller: KeyedController;
  store: DoorKeyStore;
  /** Fills the buffer with key material; crypto.getRandomValues unless a test injects one. */
  random?: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array;
}

/** Generates, sends, stores. Never throws for the board's answer; the result says what happened. */
export async function provisionDoor(deps: ProvisionDeps): Promise<ProvisionResult> {
  const raw = new Uint8Array(KEY_LEN);
  try {
    (deps.random ?? ((b) => crypto.getRandomValues(b)))(raw);
    if (raw.every((b) => b === 0)) throw new Error('the random source returned zeros');
    const r = await deps.controller.provisionKey(raw);
    if (r.outcome === 'refused') return { outcome: 'refused', reason: r.reason, message: refusalMessage(r.reason) };
    if (r.outcome === 'lost') {
      return {
        outcome: 'lost',
        message:
          'The controller stopped answering, so it is unknown whether it took the key. Reconnect it, hold its set-up button while powering it up, and provision again.',
      };
    }
    try {
      await deps.store.save(r.value.key);
    } catch (err) {
      return { outcome: 'unsaved', message: `The controller has the key, but this panel could not store it (${String(err)}); it will be forgotten at the next reload. Free some storage and provision again.` };
    }
    return { outcome: 'provisioned' };
  } finally {
    raw.fill(0);
  }
}

/** What an installer should do about each refusal the board can give PROVISION_KEY. */
export function refusalMessage(reason: RefusalReason): string {
  switch (reason) {
    case 'NOT_IN_SETUP_MODE':
      return 'The controller is not in set-up mode. Hold its set-up button while powering it up, then provision within two minutes.';
    case 'STORAGE_FAILURE':
      return 'The controller could not write the key to its flash. Power-cycle it in set-up mode and try again; if it repeats, the board needs service.';
    case 'OUT_OF_RANGE':
      return 'The controller refused the key as invalid. Try again.';
    case 'UNTRUSTED_LINK':
      return 'The panel does not trust what is answering on the door link (another protocol version, or answers it cannot verify). Check the cable and the controller firmware.';
    default:
      return `The controller refused the key (${reason}).`;
  }
}
