import { untrack } from 'svelte';
import { eventWords } from '../../lib/words/event-words.ts';
import { say } from '../../lib/words/index.ts';
import { isAlert, type NotifyKind, type NotifyRules } from '../alerts.ts';
import type { RemoteEvent } from '../messages.ts';
import type { DoorEvent, PhoneDoors } from '../phone-doors.ts';
import { PhoneAdminState, Say } from './phone-admin.svelte.ts';

export type LogFilter = { readonly door: string; readonly kind: RemoteEvent['kind'] | 'all' | 'alerts'; readonly text: string };

export interface DoorView {
  readonly panelId: string;
  readonly name: string;
  readonly s: PhoneAdminState;
}

/**
 * The phone app's state over every door: the door list (each door's own screen state, kept
 * live), which door is open, and the merged log. Pairing a new door and removing one happen
 * here; everything inside one door is that door's PhoneAdminState.
 */
export class PhoneDoorsState {
  readonly #doors: PhoneDoors;
  readonly say = new Say();
  readonly #views = new Map<string, DoorView>();
  readonly #follows = new Map<string, () => void>();
  #list = $state.raw<readonly DoorView[]>([]);
  #selected = $state<string | null>(null);
  #adding = $state(false);
  #busy = $state(false);
  #events = $state.raw<readonly DoorEvent[]>([]);
  #notify = $state.raw<NotifyRules | null>(null);
  #following = false;

  constructor(doors: PhoneDoors) {
    this.#doors = doors;
    this.#sync();
  }

  /**
   * Follows every door while mounted. Untracked: #sync reads the door list and the selection,
   * and an effect that depended on them would stop and restart every link at each change.
   */
  follow(): () => void {
    return untrack(() => this.#follow());
  }

  #follow(): () => void {
    this.#following = true;
    this.#sync();
    const off = this.#doors.onChange(() => this.#sync());
    const stop = this.#doors.start();
    return () => {
      off();
      stop();
      this.#following = false;
      for (const end of this.#follows.values()) end();
      this.#follows.clear();
    };
  }

  #sync(): void {
    const doors = this.#doors.doors;
    for (const x of doors) {
      const view = this.#views.get(x.panelId);
      if (!view || view.name !== x.name) this.#views.set(x.panelId, { panelId: x.panelId, name: x.name, s: view?.s ?? new PhoneAdminState(x.remote, this.say) });
      if (this.#following && !this.#follows.has(x.panelId)) this.#follows.set(x.panelId, this.#views.get(x.panelId)?.s.follow() ?? (() => undefined));
    }
    for (const id of [...this.#views.keys()]) {
      if (doors.some((x) => x.panelId === id)) continue;
      this.#follows.get(id)?.();
      this.#follows.delete(id);
      this.#views.delete(id);
    }
    this.#list = doors.map((x) => this.#views.get(x.panelId)).filter((v): v is DoorView => !!v);
    if (!this.#list.some((v) => v.panelId === this.#selected)) this.#selected = this.#list[0]?.panelId ?? null;
    this.#events = this.#doors.events;
    this.#notify = this.#doors.notifyRules;
  }

  get doors(): readonly DoorView[] {
    return this.#list;
  }
  /** The door whose screens are shown; null while there is none, or a new one is being added. */
  get selected(): DoorView | null {
    return this.#adding ? null : (this.#list.find((v) => v.panelId === this.#selected) ?? null);
  }
  get adding(): boolean {
    return this.#adding || this.#list.length === 0;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get message(): string {
    return this.say.text;
  }
  get notifyRules(): NotifyRules | null {
    return this.#notify;
  }

  select(panelId: string): void {
    this.#adding = false;
    this.#selected = panelId;
  }

  addDoor(): void {
    this.#adding = true;
  }

  cancelAdd(): void {
    this.#adding = false;
  }

  async pair(payload: string, label: string, name: string): Promise<boolean> {
    this.#busy = true;
    this.say.text = say('phone.pair.pairing');
    try {
      const r = await this.#doors.pair(payload, label, name);
      this.say.text = r.ok ? say('phone.pair.paired', { role: say(`phone.role.${r.role}`) }) : say('phone.pair.failed', { reason: r.reason });
      if (r.ok) {
        this.#adding = false;
        this.#sync();
        this.#selected = r.panelId;
        // Loaded behind the door's screen, not before it: awaiting them here held the move to the
        // new door back by two round trips, and a tap made meanwhile was undone when it came.
        const s = this.#views.get(r.panelId)?.s;
        if (s) void Promise.all([s.refreshPeople(), s.loadSettings()]);
      }
      return r.ok;
    } catch (err) {
      // Whatever went wrong, the screen says so: it never stays on "Pairing…".
      this.say.text = say('phone.pair.failed', { reason: err instanceof Error ? err.message : String(err) });
      return false;
    } finally {
      this.#busy = false;
    }
  }

  async remove(panelId: string): Promise<void> {
    const name = this.#views.get(panelId)?.name ?? say('phone.doors.theDoor');
    await this.#doors.remove(panelId);
    this.say.text = say('phone.doors.removed', { name });
  }

  async rename(panelId: string, name: string): Promise<void> {
    await this.#doors.rename(panelId, name);
  }

  /** This phone's own choice, for every door; saved on the phone, never sent. */
  async setNotify(kind: NotifyKind, on: boolean): Promise<void> {
    const rules = this.#doors.notifyRules;
    if (rules) await this.#doors.setNotifyRules({ ...rules, [kind]: on });
  }

  /** The merged log, newest first: one door or all, one kind, the alerts only, or a search. */
  events(filter: LogFilter): readonly (DoorEvent & { readonly s: PhoneAdminState | null })[] {
    const text = filter.text.trim().toLowerCase();
    return this.#events
      .filter(({ panelId, event: e }) => (filter.door === 'all' || panelId === filter.door) && (filter.kind === 'all' || (filter.kind === 'alerts' ? isAlert(e) : e.kind === filter.kind)) && (!text || e.summary.toLowerCase().includes(text) || eventWords(e, say).toLowerCase().includes(text)))
      .map((x) => ({ ...x, s: this.#views.get(x.panelId)?.s ?? null }));
  }
}
