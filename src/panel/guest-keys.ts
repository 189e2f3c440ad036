import { createGuestKey, generateIssuerKeys, importIssuerKey, verifyGuestKey, type GuestKeyResult } from '../access/index.ts';
import type { KeyRing } from '../store/keys.ts';
import type { IssuedGuestKey, SettingsRepo } from '../store/settings.ts';
import type { Clock } from '../platform/clock.ts';

/**
 * The panel's guest keys: it is its own issuer (an ECDSA P-256 key pair made on the panel, the
 * private half non-extractable in IndexedDB), keeps the list of keys it issued for revocation,
 * and counts uses. Paired admin phones become further issuers in the remote-admin work.
 */
const ISSUER_KEY = 'guest-issuer';

export interface NewGuestKey {
  readonly name: string;
  readonly notBefore: number;
  readonly expires: number;
  readonly maxUses: number | null;
  readonly selfEnrol: boolean;
}

/** An issued key as the admin's list shows it: the record and this panel's use count. */
export interface ListedGuestKey extends IssuedGuestKey {
  readonly uses: number;
}

/** The person a guest key names (a self-enrolled guest is stored under this id). */
export const guestSubject = (keyId: string) => `guest:${keyId}`;

export class GuestKeyBook {
  readonly #keys: KeyRing;
  readonly #settings: SettingsRepo;
  readonly #clock: Clock;
  readonly #doorId: string;

  constructor(keys: KeyRing, settings: SettingsRepo, clock: Clock, doorId: string) {
    this.#keys = keys;
    this.#settings = settings;
    this.#clock = clock;
    this.#doorId = doorId;
  }

  async issue(request: NewGuestKey): Promise<{ token: string; record: IssuedGuestKey }> {
    const signer = await this.#issuer();
    const now = this.#clock.now();
    const keyId = crypto.randomUUID();
    const token = await createGuestKey(
      { keyId, subject: guestSubject(keyId), name: request.name, doors: [this.#doorId], notBefore: request.notBefore, expires: request.expires, issuedAt: now, maxUses: request.maxUses, selfEnrol: request.selfEnrol },
      signer,
    );
    const record: IssuedGuestKey = { keyId, name: request.name, notBefore: request.notBefore, expires: request.expires, maxUses: request.maxUses, revoked: false, issuedAt: now, selfEnrol: request.selfEnrol };
    await this.#settings.put('guestKeysIssued', [...(await this.issued()), record]);
    return { token, record };
  }

  async issued(): Promise<readonly IssuedGuestKey[]> {
    return (await this.#settings.get('guestKeysIssued')) ?? [];
  }

  /** The issued keys with how often this panel has let each in, for the admin's list. */
  async listed(): Promise<readonly ListedGuestKey[]> {
    const [issued, uses] = await Promise.all([this.issued(), this.#settings.get('guestKeyUses')]);
    return issued.map((k) => ({ ...k, uses: uses?.[k.keyId] ?? 0 }));
  }

  /**
   * The token of a key already issued, signed again so the admin can show it once more: the same
   * key id, subject, window, use limit and door, so revocation and the use count (both by key id)
   * hold for it as for the first. No token is stored anywhere to make this possible.
   */
  async show(keyId: string): Promise<{ token: string; record: IssuedGuestKey } | { problem: string }> {
    const record = (await this.issued()).find((k) => k.keyId === keyId);
    if (!record) return { problem: 'No such guest key.' };
    if (record.revoked) return { problem: 'That guest key is revoked; it cannot be shown again.' };
    const signer = await this.#issuer();
    const token = await createGuestKey(
      { keyId, subject: guestSubject(keyId), name: record.name, doors: [this.#doorId], notBefore: record.notBefore, expires: record.expires, issuedAt: record.issuedAt, maxUses: record.maxUses, selfEnrol: record.selfEnrol === true },
      signer,
    );
    return { token, record };
  }

  async revoke(keyId: string): Promise<void> {
    const list = (await this.issued()).map((k) => (k.keyId === keyId ? { ...k, revoked: true } : k));
    await this.#settings.put('guestKeysIssued', list);
  }

  /** Use counts and revocations by key id, for the policy's view of key passes (`withKeyUses`). */
  async usage(): Promise<{ uses: ReadonlyMap<string, number>; revoked: ReadonlySet<string> }> {
    const [uses, issued] = await Promise.all([this.#settings.get('guestKeyUses'), this.issued()]);
    return { uses: new Map(Object.entries(uses ?? {})), revoked: new Set(issued.filter((k) => k.revoked).map((k) => k.keyId)) };
  }

  async verify(token: string): Promise<GuestKeyResult> {
    const issuer = await this.#settings.get('guestIssuer');
    const issuers = new Map<string, CryptoKey>();
    if (issuer) {
      const { kid, publicKey } = await importIssuerKey(issuer.publicJwk);
      issuers.set(kid, publicKey);
    }
    const revoked = new Set((await this.issued()).filter((k) => k.revoked).map((k) => k.keyId));
    const uses = new Map(Object.entries((await this.#settings.get('guestKeyUses')) ?? {}));
    return verifyGuestKey(token, { issuers, doorId: this.#doorId, now: this.#clock.now(), revoked, uses });
  }

  /** One more use of the key, by QR or by the face enrolled on it; read and written in one step. */
  async countUse(keyId: string): Promise<void> {
    await this.#settings.update('guestKeyUses', (uses) => ({ ...uses, [keyId]: (uses?.[keyId] ?? 0) + 1 }));
  }

  async #issuer(): Promise<{ kid: string; privateKey: CryptoKey }> {
    const stored = await this.#keys.get(ISSUER_KEY);
    const pub = await this.#settings.get('guestIssuer');
    if (stored && pub) return { kid: pub.kid, privateKey: stored };
    const keys = await generateIssuerKeys();
    await this.#keys.put(ISSUER_KEY, keys.privateKey);
    await this.#settings.put('guestIssuer', { kid: keys.kid, publicJwk: keys.publicJwk });
    return keys;
  }
}
