import type { PersonSummary } from '../../panel/actions.ts';
import type { CommandBody } from '../command.ts';
import type { LinkStatus } from '../link.ts';
import type { PanelConfig, RemoteEvent, RemoteState } from '../messages.ts';
import { refusalText, type Reply } from '../replies.ts';
import type { PhoneRemote } from '../phone-remote.ts';
import type { PanelLinkInfo } from '../ports.ts';
import { encodeBase64Url } from '../../access/base64url.ts';
import { shrinkPhoto } from './photo-shrink.ts';
import { describeChanges, settingChanges, type PanelSettingsView, type PatchCheck } from '../../panel/panel-settings.ts';
import type { NotifyKind, NotifyRules } from '../alerts.ts';
import type { PersonEdit } from './phone-forms.svelte.ts';

/** The panel's answer to "enrol from a photo", per person, until the next try. */
export type PhotoAnswer = { readonly state: 'working' | 'ok' | 'refused'; readonly text: string };

export type LogFilter = { readonly kind: RemoteEvent['kind'] | 'all'; readonly text: string };

/** The phone admin screen's state: PhoneRemote mirrored into runes, plus the last answers. */
export class PhoneAdminState {
  readonly #remote: PhoneRemote;
  #status = $state<LinkStatus>('offline');
  #panel = $state<PanelLinkInfo | null>(null);
  #state = $state<RemoteState | null>(null);
  #config = $state<PanelConfig | null>(null);
  #panelOnline = $state<boolean | null>(null);
  #events = $state<readonly RemoteEvent[]>([]);
  #people = $state<readonly PersonSummary[]>([]);
  #busy = $state(false);
  #message = $state('');
  #photo = $state<Readonly<Record<string, PhotoAnswer>>>({});
  #settings = $state.raw<PanelSettingsView | null>(null);
  #settingsAnswer = $state<PhotoAnswer | null>(null);
  #edits = $state<Readonly<Record<string, PhotoAnswer>>>({});
  #notify = $state.raw<NotifyRules | null>(null);
  #pictures = $state<Readonly<Record<string, string>>>({});
  // Plain fields: #sync runs inside follow()'s effect, and reading runes there would make the
  // effect re-run (stopping and restarting the link) at every change.
  #linkUp = false;
  #pairing = false;

  constructor(remote: PhoneRemote) {
    this.#remote = remote;
    this.#sync();
  }

  follow(): () => void {
    this.#sync();
    const offChange = this.#remote.onChange(() => this.#sync());
    const stop = this.#remote.start();
    return () => {
      offChange();
      stop();
    };
  }

  #sync(): void {
    const cameOnline = !this.#linkUp && this.#remote.status === 'online';
    this.#linkUp = this.#remote.status === 'online';
    this.#status = this.#remote.status;
    this.#panel = this.#remote.panel;
    this.#state = this.#remote.state;
    this.#config = this.#remote.config;
    this.#panelOnline = this.#remote.panelOnline;
    this.#events = this.#remote.events;
    this.#notify = this.#remote.notifyRules;
    // Settings are read once per connection, not at every change, so a form being typed in is
    // not refilled under the admin's fingers; not mid-pairing, when the panel does not know us yet.
    if (cameOnline && this.#remote.panel && !this.#pairing) void this.loadSettings();
  }

  /** The panel's tunable settings as it last said them; null until asked. */
  get settings() {
    return this.#settings;
  }
  get settingsAnswer() {
    return this.#settingsAnswer;
  }
  /** The last answer to an edit of this person, if any. */
  editAnswer(personId: string): PhotoAnswer | null {
    return this.#edits[personId] ?? null;
  }
  get notifyRules() {
    return this.#notify;
  }

  async loadSettings(): Promise<void> {
    const r = await this.#remote.send({ op: 'settings.get' }).catch(() => null);
    if (r?.ok) this.#settings = r.result;
    else if (r) this.#settingsAnswer = { state: 'refused', text: `Settings not read: ${refusalText(r)}` };
  }

  /**
   * Sends the changed settings, already checked by the form with the panel's own rules: a
   * problem is shown and nothing is sent. The panel's answer is its new values.
   */
  async saveSettings(check: PatchCheck): Promise<boolean> {
    if (!check.ok) {
      this.#settingsAnswer = { state: 'refused', text: `Not saved: ${check.problems.join(' ')}` };
      return false;
    }
    const before = this.#settings;
    this.#busy = true;
    this.#settingsAnswer = { state: 'working', text: 'Saving…' };
    try {
      const r = await this.#remote.send({ op: 'settings.set', patch: check.patch });
      if (!r.ok) {
        this.#settingsAnswer = { state: 'refused', text: `Not saved: ${refusalText(r)}` };
        return false;
      }
      const view = r.result.settings;
      this.#settings = view;
      const changes = before ? settingChanges(before, view) : [];
      this.#settingsAnswer = { state: 'ok', text: changes.length > 0 ? `Saved: ${describeChanges(changes)}.` : 'Saved.' };
      return true;
    } catch (err) {
      this.#settingsAnswer = { state: 'refused', text: `Not saved: ${err instanceof Error ? err.message : String(err)}` };
      return false;
    } finally {
      this.#busy = false;
    }
  }

  /** Sends a checked person edit; the panel applies it through its own people code, or says why not. */
  async updatePerson(personId: string, name: string, edit: PersonEdit): Promise<boolean> {
    const answer = (a: PhotoAnswer) => (this.#edits = { ...this.#edits, [personId]: a });
    if (!edit.ok) {
      answer({ state: 'refused', text: `Not saved: ${edit.problem}` });
      return false;
    }
    this.#busy = true;
    answer({ state: 'working', text: 'Saving…' });
    try {
      const r = await this.#remote.send(edit.body);
      answer(r.ok ? { state: 'ok', text: `Saved changes to ${name}.` } : { state: 'refused', text: `Not saved: ${refusalText(r)}` });
      if (r.ok) await this.refreshPeople();
      return r.ok;
    } catch (err) {
      answer({ state: 'refused', text: `Not saved: ${err instanceof Error ? err.message : String(err)}` });
      return false;
    } finally {
      this.#busy = false;
    }
  }

  /** This phone's own choice; saved on the phone, never sent. */
  async setNotify(kind: NotifyKind, on: boolean): Promise<void> {
    await this.#remote.setNotifyRules({ ...this.#remote.notifyRules, [kind]: on });
  }

  get status() {
    return this.#status;
  }
  get panel() {
    return this.#panel;
  }
  get state() {
    return this.#state;
  }
  get config() {
    return this.#config;
  }
  get panelOnline() {
    return this.#panelOnline;
  }
  get people() {
    return this.#people;
  }
  get busy() {
    return this.#busy;
  }
  get message() {
    return this.#message;
  }
  /** The last photo enrolment answer for a person, if any. */
  photoAnswer(personId: string): PhotoAnswer | null {
    return this.#photo[personId] ?? null;
  }

  /**
   * Enrol a person's face from a photo taken on this phone: shrunk to 1024 px and re-encoded as
   * JPEG here, sent as a signed `person.enrolPhoto`; the panel computes the template and drops
   * the photo. Its answer (or its reason for refusing) is kept per person.
   */
  async enrolPhoto(personId: string, name: string, photo: Blob): Promise<boolean> {
    const answer = (a: PhotoAnswer) => (this.#photo = { ...this.#photo, [personId]: a });
    this.#busy = true;
    answer({ state: 'working', text: 'Preparing the photo…' });
    try {
      const jpeg = await shrinkPhoto(photo);
      answer({ state: 'working', text: 'The panel is checking the photo…' });
      const r = await this.#remote.send({ op: 'person.enrolPhoto', personId, jpeg: encodeBase64Url(jpeg) });
      const text = r.ok ? `Face enrolled for ${name}.` : `Not enrolled: ${refusalText(r)}`;
      answer({ state: r.ok ? 'ok' : 'refused', text });
      this.#message = text;
      if (r.ok) await this.refreshPeople();
      return r.ok;
    } catch (err) {
      const text = `Not enrolled: ${err instanceof Error ? err.message : String(err)}`;
      answer({ state: 'refused', text });
      this.#message = text;
      return false;
    } finally {
      this.#busy = false;
    }
  }

  get unpaired() {
    return this.#remote.unpairedByPanel;
  }

  events(filter: LogFilter): readonly RemoteEvent[] {
    const text = filter.text.trim().toLowerCase();
    return this.#events.filter((e) => (filter.kind === 'all' || e.kind === filter.kind) && (!text || e.summary.toLowerCase().includes(text)));
  }

  async pair(payload: string, label: string): Promise<boolean> {
    this.#busy = true;
    this.#message = 'Pairing…';
    this.#pairing = true;
    const r = await this.#remote.pair(payload, label).finally(() => (this.#pairing = false));
    this.#busy = false;
    this.#message = r.ok ? `Paired as ${r.role}.` : `Pairing failed: ${r.reason}`;
    this.#sync();
    if (r.ok) await Promise.all([this.refreshPeople(), this.loadSettings()]);
    return r.ok;
  }

  /** Sends a command and reports its outcome in one line; returns the reply for callers that need the result. */
  async run<C extends CommandBody>(body: C, done: string): Promise<Reply<C['op']> | null> {
    this.#busy = true;
    try {
      const r = await this.#remote.send(body);
      this.#message = r.ok ? done : `Refused: ${refusalText(r)}`;
      return r;
    } catch (err) {
      this.#message = err instanceof Error ? err.message : String(err);
      return null;
    } finally {
      this.#busy = false;
    }
  }

  /** Object URLs of the snapshots this admin asked to see, by snapshot id ('' while asking). */
  get pictures(): Readonly<Record<string, string>> {
    return this.#pictures;
  }

  async showSnapshot(snapshotId: string): Promise<void> {
    if (this.#pictures[snapshotId] !== undefined) return;
    this.#pictures = { ...this.#pictures, [snapshotId]: '' };
    try {
      const jpeg = await this.#remote.snapshot(snapshotId);
      if (!jpeg) {
        this.#message = 'That snapshot is no longer kept on the panel.';
        const { [snapshotId]: _gone, ...rest } = this.#pictures;
        this.#pictures = rest;
        return;
      }
      this.#pictures = { ...this.#pictures, [snapshotId]: URL.createObjectURL(new Blob([jpeg as BlobPart], { type: 'image/jpeg' })) };
    } catch (err) {
      this.#message = `Snapshot: ${err instanceof Error ? err.message : String(err)}`;
      const { [snapshotId]: _failed, ...rest } = this.#pictures;
      this.#pictures = rest;
    }
  }

  async refreshPeople(): Promise<void> {
    const r = await this.#remote.send({ op: 'people.list' }).catch(() => null);
    if (r?.ok) this.#people = r.result;
  }

  async forget(): Promise<void> {
    await this.#remote.forget();
    this.#people = [];
    this.#sync();
  }
}
