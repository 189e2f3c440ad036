import type { ListedGuestKey } from '../../panel/guest-keys.ts';
import type { IssuedGuestKey } from '../../store/settings.ts';
import { formatDateTime } from '../../lib/words/format.ts';
import { say } from '../../lib/words/index.ts';
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

export const STANDING_TEXT: Readonly<Record<KeyStanding, string>> = { revoked: say('phone.keys.standing.revoked'), expired: say('phone.keys.standing.expired'), usedUp: say('phone.keys.standing.usedUp'), notYet: say('phone.keys.standing.notYet'), active: say('phone.keys.standing.active') };

/** "from 26/11/2026, 15:30 until 27/11/2026, 15:30" in the phone's locale. */
export const validityText = (k: Pick<IssuedGuestKey, 'notBefore' | 'expires'>, locale?: string): string => say('phone.keys.validity', { from: formatDateTime(k.notBefore, locale), until: formatDateTime(k.expires, locale) });

/** The words a shared key travels in: who it is for, when it opens, and the key itself. */
export const shareText = (k: Pick<IssuedGuestKey, 'name' | 'notBefore' | 'expires'>, token: string, locale?: string): string =>
  say('phone.keys.shareText', { name: k.name, validity: validityText(k, locale), token });

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
    if (!f.name.trim()) return this.#refuse(say('phone.keys.needName'));
    if (!Number.isFinite(f.notBefore)) return this.#refuse(say('phone.keys.needStart'));
    if (!(Number.isFinite(f.hours) && f.hours > 0)) return this.#refuse(say('phone.keys.needHours'));
    if (f.maxUses !== null && !(Number.isSafeInteger(f.maxUses) && f.maxUses > 0)) return this.#refuse(say('phone.keys.badUses'));
    this.#problem = '';
    const r = await this.#s.run({ op: 'guestKey.issue', name: f.name, notBefore: f.notBefore, expires: f.notBefore + f.hours * 3_600_000, maxUses: f.maxUses, selfEnrol: false }, say('phone.keys.issued', { name: f.name.trim() }));
    if (!r?.ok) return false;
    await this.#show(r.result.record, r.result.token);
    await this.refresh();
    return true;
  }

  /** The panel signs the key again (same key, same window and uses) and it is shown. */
  async showAgain(keyId: string): Promise<boolean> {
    if (this.#shown?.record.keyId === keyId) return true;
    const r = await this.#s.run({ op: 'guestKey.show', keyId }, say('phone.keys.shownAgain'));
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
      if (this.#share.share) await this.#share.share({ title: say('phone.keys.shareTitle', { name: record.name }), text });
      else if (this.#share.clipboard) {
        await this.#share.clipboard.writeText(text);
        this.#copied = keyId;
      } else this.#problem = say('phone.keys.cannotShare');
    } catch (err) {
      // Closing the share sheet is a choice, not a failure.
      if (!(err instanceof DOMException && err.name === 'AbortError')) this.#problem = say('phone.keys.notShared', { reason: err instanceof Error ? err.message : String(err) });
    }
  }

  async revoke(keyId: string, name: string): Promise<void> {
    const r = await this.#s.run({ op: 'guestKey.revoke', keyId }, say('phone.keys.revoked', { name }));
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
