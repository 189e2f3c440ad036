import { Events } from '../lib/events.ts';
import type { NotifyRules, PhoneAlert } from './alerts.ts';
import type { RemoteEvent } from './messages.ts';
import { checkPairingText } from './pairing.ts';
import { browserNotify, codeProblemText, PhoneRemote, type PairResult, type PhoneRemoteDeps } from './phone-remote.ts';
import type { PhoneDoorsStore } from './ports.ts';
import { webLockTabs, type TabSlot } from './tabs.ts';

/**
 * Every door one phone manages (front door, back door, office): one PhoneRemote per panel, each
 * with its own pairing, keys and command counter in its own store, all in this tab's one slot
 * (tabs.ts; each door's identity has its own client id). Removing a door deletes its records and
 * keys and leaves the others as they were. The log is merged, newest first, each line with its door.
 */
export interface PhoneDoorsDeps extends Omit<PhoneRemoteDeps, 'store' | 'tab'> {
  readonly store: PhoneDoorsStore;
}

export interface Door {
  readonly panelId: string;
  readonly name: string;
  /** Named after the panel's own door name: a rename there renames it here. */
  readonly followsPanel: boolean;
  readonly remote: PhoneRemote;
}

export interface DoorEvent {
  readonly panelId: string;
  readonly door: string;
  readonly event: RemoteEvent;
}

export type DoorPairResult = (PairResult & { readonly ok: false }) | (PairResult & { readonly ok: true; readonly panelId: string });

const NAME_MAX = 40;

/** A door's name as typed, or the next "Door N" when none was. */
export function doorName(typed: string, taken: readonly string[]): string {
  return typed.trim().slice(0, NAME_MAX) || firstFree(taken, (n) => `Door ${n}`, 1);
}

/** The panel's own door name for a door paired without one typed; a second door of that name is numbered. */
export function adoptedDoorName(panelName: string, taken: readonly string[]): string {
  const name = panelName.trim().slice(0, NAME_MAX);
  if (!name) return doorName('', taken);
  return taken.includes(name) ? firstFree(taken, (n) => `${name} ${n}`, 2) : name;
}

/** The first name `numbered(n)`, counting from `from`, that no door has yet. */
function firstFree(taken: readonly string[], numbered: (n: number) => string, from: number): string {
  for (let n = from; ; n++) if (!taken.includes(numbered(n))) return numbered(n);
}

export class PhoneDoors {
  readonly #d: PhoneDoorsDeps;
  readonly #tab: TabSlot;
  #doors: Door[] = [];
  readonly #offs = new Map<string, () => void>();
  #started = false;
  readonly #heard = new Events<{ change: null }>();

  private constructor(d: PhoneDoorsDeps, tab: TabSlot) {
    this.#d = d;
    this.#tab = tab;
  }

  static async create(d: PhoneDoorsDeps): Promise<PhoneDoors> {
    const tabs = d.tabs ?? webLockTabs(globalThis.navigator?.locks);
    const doors = new PhoneDoors({ ...d, tabs }, await tabs.claim());
    for (const entry of await d.store.list()) doors.#add({ panelId: entry.panelId, name: entry.name, followsPanel: entry.followsPanel, remote: await doors.#remote(entry.panelId, entry.name) });
    return doors;
  }

  get doors(): readonly Door[] {
    return this.#doors;
  }

  door(panelId: string): Door | null {
    return this.#doors.find((x) => x.panelId === panelId) ?? null;
  }

  /** Every door's log in one list, newest first. */
  get events(): readonly DoorEvent[] {
    return this.#doors.flatMap((x) => x.remote.events.map((event) => ({ panelId: x.panelId, door: x.name, event }))).sort((a, b) => b.event.at - a.event.at);
  }

  get notifyRules(): NotifyRules | null {
    return this.#doors[0]?.remote.notifyRules ?? null;
  }

  /** The phone's choice, for every door. */
  async setNotifyRules(rules: NotifyRules): Promise<void> {
    for (const x of this.#doors) await x.remote.setNotifyRules(rules);
  }

  onChange(cb: () => void): () => void {
    return this.#heard.on('change', cb);
  }

  /** Connects every door; each one added later connects as it is paired. */
  start(): () => void {
    this.#started = true;
    for (const x of this.#doors) x.remote.start();
    return () => this.stop();
  }

  stop(): void {
    this.#started = false;
    for (const x of this.#doors) x.remote.stop();
  }

  close(): void {
    this.stop();
    for (const x of this.#doors) x.remote.close();
    this.#tab.release();
  }

  /**
   * Pairs with the panel in a pairing code: a new door, or the same door again (a code from a
   * panel already here re-pairs that door, say after its owner unpaired this phone).
   */
  async pair(payloadText: string, label: string, name: string): Promise<DoorPairResult> {
    const checked = checkPairingText(payloadText, this.#d.clock.now());
    const known = checked.ok ? this.door(checked.payload.panelId) : null;
    if (known) {
      const r = await known.remote.pair(payloadText, label);
      return r.ok ? { ...r, panelId: known.panelId } : r;
    }
    if (!checked.ok) return { ok: false, reason: codeProblemText(checked.problem) };
    const fresh = await this.#remote(checked.payload.panelId, '');
    const r = await fresh.pair(payloadText, label);
    const panelId = checked.payload.panelId;
    if (!r.ok) {
      fresh.close();
      // Nothing was stored for a pairing that failed, but a half-made record must not linger.
      await this.#d.store.remove(panelId);
      return r;
    }
    const taken = this.#doors.map((x) => x.name);
    const followsPanel = !name.trim();
    const named = followsPanel ? adoptedDoorName(await panelDoorName(fresh), taken) : doorName(name, taken);
    await this.#d.store.rename(panelId, named, followsPanel);
    this.#add({ panelId, name: named, followsPanel, remote: fresh });
    return { ...r, panelId };
  }

  async rename(panelId: string, name: string): Promise<void> {
    const x = this.door(panelId);
    if (!x) return;
    // The phone's own name from now on: a later rename at the panel leaves it.
    await this.#named(x, doorName(name, this.#othersThan(x)), false);
  }

  /** A door named after its panel takes the panel's new door name when its signed state brings one. */
  async #followPanel(panelId: string): Promise<void> {
    const x = this.door(panelId);
    const said = x?.followsPanel ? x.remote.state?.panel.doorName?.trim() : '';
    if (!x || !said) return;
    const named = adoptedDoorName(said, this.#othersThan(x));
    if (named !== x.name) await this.#named(x, named, true);
  }

  #othersThan(x: Door): string[] {
    return this.#doors.filter((o) => o.panelId !== x.panelId).map((o) => o.name);
  }

  async #named(x: Door, name: string, followsPanel: boolean): Promise<void> {
    // In memory first: the states that arrive while the store writes see the new name.
    this.#doors = this.#doors.map((o) => (o.panelId === x.panelId ? { ...o, name, followsPanel } : o));
    this.#changed();
    await this.#d.store.rename(x.panelId, name, followsPanel);
  }

  /** Forgets one door on this phone: its link, records and keys; the other doors carry on. */
  async remove(panelId: string): Promise<void> {
    const x = this.door(panelId);
    if (!x) return;
    this.#offs.get(panelId)?.();
    this.#offs.delete(panelId);
    this.#doors = this.#doors.filter((o) => o !== x);
    x.remote.close();
    await this.#d.store.remove(panelId);
    this.#changed();
  }

  async #remote(panelId: string, name: string): Promise<PhoneRemote> {
    const notify = this.#d.notify;
    return PhoneRemote.create({
      ...this.#d,
      store: this.#d.store.door(panelId),
      tab: this.#tab,
      // With several doors, a notification says which one.
      notify: (a: PhoneAlert) => (notify ?? browserNotify)(this.#titled(panelId, name, a)),
    });
  }

  #titled(panelId: string, fallback: string, a: PhoneAlert): PhoneAlert {
    const name = this.door(panelId)?.name ?? fallback;
    return name && this.#doors.length > 1 ? { ...a, title: `${name}: ${a.title}`, tag: `${panelId}:${a.tag}` } : a;
  }

  #add(door: Door): void {
    const { panelId, remote } = door;
    this.#doors = [...this.#doors, door];
    this.#offs.set(
      panelId,
      remote.onChange(() => {
        // A failed write leaves the new name in memory only; after a reload the next state renames it again.
        void this.#followPanel(panelId).catch((e: unknown) => console.warn('[phone] could not keep the door name', e));
        this.#changed();
      }),
    );
    if (this.#started) remote.start();
    this.#changed();
  }

  #changed(): void {
    this.#heard.emit('change', null);
  }
}

/** What the panel calls itself (its door name setting); '' when it cannot say now. */
async function panelDoorName(remote: PhoneRemote): Promise<string> {
  const r = await remote.send({ op: 'settings.get' }).catch(() => null);
  return r?.ok ? r.result.doorName : '';
}
