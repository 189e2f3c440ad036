import type { ListedGuestKey } from '../../panel/guest-keys.ts';
import type { IssuedGuestKey } from '../../store/settings.ts';
import { formatDateTime } from '../../lib/words/format.ts';
import { qrSvg } from '../../ui/qr-image.ts';
import type { PhoneAdminState } from './phone-admin.svelte.ts';

/** Where a key stands now, as its list line says it. */
export type KeyStanding = 'revoked' | 'expired' | 'usedUp' | 'notYet' | 'active';

export function keyStanding(k: Pick<ListedGuestKey, 'revoked' | 'notBefore' | 'expires' | 'maxUses' | 'uses'>, now: number): KeyStanding {
  if (k.revoked) return 'revoked';
  if (now >= k.expires) return 'expired';
  if (k.maxUses !== null && k.uses >= k.maxUses) return 'usedUp';
  return now < k.notBefore ? 'notYet' : 'active';
}

export const STANDING_TEXT: Readonly<Record<KeyStanding, string>> = { revoked: 'revoked', expired: 'expired', usedUp: 'used up', notYet: 'not yet valid', active: 'active' };

/** "from 26/11/2026, 15:30 until 27/11/2026, 15:30" in the phone's locale. */
export const validityText = (k: Pick<IssuedGuestKey, 'notBefore' | 'expires'>, locale?: string): string => `from ${formatDateTime(k.notBefore, locale)} until ${formatDateTime(k.expires, locale)}`;

/** The words a shared key travels in: who it is for, when it opens, and the key itself. */
export const shareText = (k: Pick<IssuedGuestKey, 'name' | 'notBefore' | 'expires'>, token: string, locale?: string): string =>
  `Door key for ${k.name}, valid ${validityText(k, locale)}. Show this key's QR code at the door, or keep this text: ${token}`;

/** What the phone can share through: the Web Share API where present, else the clipboard. */
export interface ShareTarget {
  share?: (data: { title: string; text: string }) => Promise<void>;
  readonly clipboard?: { writeText(text: string): Promise<void> };
}

export interface NewKeyForm {
  readonly name: string;
  /** Epoch ms; the moment of issuing when the key starts now. */
  readonly notBefore: number;
  readonly hours: number;
  /** Null: unlimited. */
  readonly maxUses: number | null;
}

/**
 * The phone's guest keys for one door: the panel's list, the key shown (its token only in this
 * page's memory: shown again, the panel signs it anew, so no token is kept anywhere), and what
 * sharing or printing it did.
 */
export class PhoneGuestKeys {
  readonly #s: PhoneAdminState;
  readonly #share: ShareTarget;
  readonly #qr: (text: string) => Promise<string>;
  #keys = $state<readonly ListedGuestKey[]>([]);
  #shown = $state<{ readonly record: IssuedGuestKey; readonly token: string; readonly svg: string } | null>(null);
  #copied = $state<string | null>(null);
  #problem = $state('');

  /** `qr`: the QR renderer (the browser's zxing build; tests pass their own). */
  constructor(s: PhoneAdminState, share: ShareTarget = typeof navigator === 'undefined' ? {} : navigator, qr: (text: string) => Promise<string> = qrSvg) {
    this.#s = s;
    this.#share = share;
    this.#qr = qr;
  }

  get keys() {
    return this.#keys;
  }
  /** The key on screen (QR and token), if any. */
  get shown() {
    return this.#shown;
  }
  /** The key whose words were just copied to the clipboard. */
  get copied() {
    return this.#copied;
  }
  get problem() {
    return this.#problem;
  }

  async refresh(): Promise<void> {
    const r = await this.#s.remote.send({ op: 'guestKey.list' }).catch(() => null);
    if (r?.ok) this.#keys = [...r.result].sort((a, b) => b.issuedAt - a.issuedAt);
  }

  /** Checks the form as the panel will, then issues; the new key is shown. */
  async issue(f: NewKeyForm): Promise<boolean> {
    if (!f.name.trim()) return this.#refuse('Not issued: give the guest a name.');
    if (!Number.isFinite(f.notBefore)) return this.#refuse('Not issued: choose when the key starts.');
    if (!(Number.isFinite(f.hours) && f.hours > 0)) return this.#refuse('Not issued: the key must be valid for some hours.');
    if (f.maxUses !== null && !(Number.isSafeInteger(f.maxUses) && f.maxUses > 0)) return this.#refuse('Not issued: uses must be a whole number above 0, or empty.');
    this.#problem = '';
    const r = await this.#s.run({ op: 'guestKey.issue', name: f.name, notBefore: f.notBefore, expires: f.notBefore + f.hours * 3_600_000, maxUses: f.maxUses, selfEnrol: false }, `Key for ${f.name.trim()} issued.`);
    if (!r?.ok) return false;
    await this.#show(r.result.record, r.result.token);
    await this.refresh();
    return true;
  }

  /** The panel signs the key again (same key, same window and uses) and it is shown. */
  async showAgain(keyId: string): Promise<boolean> {
    if (this.#shown?.record.keyId === keyId) return true;
    const r = await this.#s.run({ op: 'guestKey.show', keyId }, 'Key shown again.');
    if (!r?.ok) return false;
    await this.#show(r.result.record, r.result.token);
    return true;
  }

  hide(): void {
    this.#shown = null;
  }

  /** Through the phone's share sheet where it has one; otherwise the words go to the clipboard. */
  async share(keyId: string): Promise<void> {
    if (!(await this.showAgain(keyId)) || !this.#shown) return;
    const { record, token } = this.#shown;
    const text = shareText(record, token);
    this.#copied = null;
    try {
      if (this.#share.share) await this.#share.share({ title: `Door key for ${record.name}`, text });
      else if (this.#share.clipboard) {
        await this.#share.clipboard.writeText(text);
        this.#copied = keyId;
      } else this.#problem = 'This phone can neither share nor copy: show the key and let the guest scan it.';
    } catch (err) {
      // Closing the share sheet is a choice, not a failure.
      if (!(err instanceof DOMException && err.name === 'AbortError')) this.#problem = `Not shared: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  async revoke(keyId: string, name: string): Promise<void> {
    const r = await this.#s.run({ op: 'guestKey.revoke', keyId }, `Key for ${name} revoked.`);
    if (r?.ok && this.#shown?.record.keyId === keyId) this.#shown = null;
    await this.refresh();
  }

  async #show(record: IssuedGuestKey, token: string): Promise<void> {
    this.#shown = { record, token, svg: await this.#qr(token) };
  }

  #refuse(text: string): false {
    this.#problem = text;
    return false;
  }
}
