import type { PersonSummary } from '../../panel/actions.ts';
import type { CommandBody } from '../command.ts';
import type { LinkStatus } from '../link.ts';
import type { PanelConfig, RemoteState } from '../messages.ts';
import { refusalText, type Reply } from '../replies.ts';
import type { PhoneRemote } from '../phone-remote.ts';
import type { PanelLinkInfo } from '../ports.ts';
import { encodeBase64Url } from '../../access/base64url.ts';
import { shrinkPhoto } from './photo-shrink.ts';
import { describeChanges, settingChanges, type PanelSettingsView, type PatchCheck } from '../../panel/panel-settings.ts';
import type { PersonEdit } from './phone-forms.svelte.ts';
import { say } from '../../lib/words/index.ts';

/** The panel's answer to "enrol from a photo", per person, until the next try. */
export type PhotoAnswer = { readonly state: 'working' | 'ok' | 'refused'; readonly text: string };


/** The one line that says what just happened, shared by every door's screens. */
export class Say {
  text = $state('');
}

/** One door's screens' state: its PhoneRemote mirrored into runes, plus the last answers. */
export class PhoneAdminState {
  readonly #remote: PhoneRemote;
  readonly #say: Say;
  #status = $state<LinkStatus>('offline');
  #panel = $state<PanelLinkInfo | null>(null);
  #state = $state<RemoteState | null>(null);
  #config = $state<PanelConfig | null>(null);
  #panelOnline = $state<boolean | null>(null);
  // Mirrored at each change like the rest: read straight off the remote, the screen never heard of it.
  #unpaired = $state(false);
  #people = $state<readonly PersonSummary[]>([]);
  #busy = $state(false);
  #photo = $state<Readonly<Record<string, PhotoAnswer>>>({});
  #settings = $state.raw<PanelSettingsView | null>(null);
  #settingsAnswer = $state<PhotoAnswer | null>(null);
  #edits = $state<Readonly<Record<string, PhotoAnswer>>>({});
  #pictures = $state<Readonly<Record<string, string>>>({});
  #faces = $state<Readonly<Record<string, string>>>({});
  /** How many templates each person had when their thumbnail was last asked for: a new enrolment asks again. */
  readonly #facesAsked = new Map<string, number>();
  // Plain fields: #sync runs inside follow()'s effect, and reading runes there would make the
  // effect re-run (stopping and restarting the link) at every change.
  #linkUp = false;

  constructor(remote: PhoneRemote, say: Say = new Say()) {
    this.#remote = remote;
    this.#say = say;
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
    this.#unpaired = this.#remote.unpairedByPanel;
    // Settings are read once per connection, not at every change, so a form being typed in is
    // not refilled under the admin's fingers.
    if (cameOnline && this.#remote.panel) void this.loadSettings();
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

  async loadSettings(): Promise<void> {
    const r = await this.#remote.send({ op: 'settings.get' }).catch(() => null);
    if (r?.ok) this.#settings = r.result;
    else if (r) this.#settingsAnswer = { state: 'refused', text: say('phone.answer.settingsNotRead', { reason: refusalText(r) }) };
  }

  /**
   * Sends the changed settings, already checked by the form with the panel's own rules: a
   * problem is shown and nothing is sent. The panel's answer is its new values.
   */
  async saveSettings(check: PatchCheck): Promise<boolean> {
    if (!check.ok) {
      this.#settingsAnswer = { state: 'refused', text: say('phone.answer.notSaved', { reason: check.problems.join(' ') }) };
      return false;
    }
    const before = this.#settings;
    this.#busy = true;
    this.#settingsAnswer = { state: 'working', text: say('phone.answer.saving') };
    try {
      const r = await this.#remote.send({ op: 'settings.set', patch: check.patch });
      if (!r.ok) {
        this.#settingsAnswer = { state: 'refused', text: say('phone.answer.notSaved', { reason: refusalText(r) }) };
        return false;
      }
      const view = r.result.settings;
      this.#settings = view;
      const changes = before ? settingChanges(before, view) : [];
      this.#settingsAnswer = { state: 'ok', text: changes.length > 0 ? say('phone.answer.savedChanges', { changes: describeChanges(changes, say) }) : say('phone.answer.saved') };
      return true;
    } catch (err) {
      this.#settingsAnswer = { state: 'refused', text: say('phone.answer.notSaved', { reason: err instanceof Error ? err.message : String(err) }) };
      return false;
    } finally {
      this.#busy = false;
    }
  }

  /** Sends a checked person edit; the panel applies it through its own people code, or says why not. */
  async updatePerson(personId: string, name: string, edit: PersonEdit): Promise<boolean> {
    const answer = (a: PhotoAnswer) => (this.#edits = { ...this.#edits, [personId]: a });
    if (!edit.ok) {
      answer({ state: 'refused', text: say('phone.answer.notSaved', { reason: edit.problem }) });
      return false;
    }
    this.#busy = true;
    answer({ state: 'working', text: say('phone.answer.saving') });
    try {
      const r = await this.#remote.send(edit.body);
      answer(r.ok ? { state: 'ok', text: say('phone.answer.savedPerson', { name }) } : { state: 'refused', text: say('phone.answer.notSaved', { reason: refusalText(r) }) });
      if (r.ok) await this.refreshPeople();
      return r.ok;
    } catch (err) {
      answer({ state: 'refused', text: say('phone.answer.notSaved', { reason: err instanceof Error ? err.message : String(err) }) });
      return false;
    } finally {
      this.#busy = false;
    }
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
  /** The door's link, for a doorbell call (phone-call.svelte.ts) that needs the raw replies and events. */
  get remote(): PhoneRemote {
    return this.#remote;
  }
  get message() {
    return this.#say.text;
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
    answer({ state: 'working', text: say('phone.answer.preparingPhoto') });
    try {
      const jpeg = await shrinkPhoto(photo);
      answer({ state: 'working', text: say('phone.answer.checkingPhoto') });
      const r = await this.#remote.send({ op: 'person.enrolPhoto', personId, jpeg: encodeBase64Url(jpeg) });
      const text = r.ok ? say('phone.answer.enrolled', { name }) : say('phone.answer.notEnrolled', { reason: refusalText(r) });
      answer({ state: r.ok ? 'ok' : 'refused', text });
      this.#say.text = text;
      if (r.ok) await this.refreshPeople();
      return r.ok;
    } catch (err) {
      const text = say('phone.answer.notEnrolled', { reason: err instanceof Error ? err.message : String(err) });
      answer({ state: 'refused', text });
      this.#say.text = text;
      return false;
    } finally {
      this.#busy = false;
    }
  }

  get unpaired(): boolean {
    return this.#unpaired;
  }

  /** Sends a command and reports its outcome in one line; returns the reply for callers that need the result. */
  async run<C extends CommandBody>(body: C, done: string): Promise<Reply<C['op']> | null> {
    this.#busy = true;
    try {
      const r = await this.#remote.send(body);
      this.#say.text = r.ok ? done : say('phone.answer.refused', { reason: refusalText(r) });
      return r;
    } catch (err) {
      this.#say.text = err instanceof Error ? err.message : String(err);
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
        this.#say.text = say('phone.answer.snapshotGone');
        const { [snapshotId]: _gone, ...rest } = this.#pictures;
        this.#pictures = rest;
        return;
      }
      this.#pictures = { ...this.#pictures, [snapshotId]: URL.createObjectURL(new Blob([jpeg as BlobPart], { type: 'image/jpeg' })) };
    } catch (err) {
      this.#say.text = say('phone.answer.snapshotFailed', { reason: err instanceof Error ? err.message : String(err) });
      const { [snapshotId]: _failed, ...rest } = this.#pictures;
      this.#pictures = rest;
    }
  }

  async refreshPeople(): Promise<void> {
    const r = await this.#remote.send({ op: 'people.list' }).catch(() => null);
    if (r?.ok) {
      this.#people = r.result;
      void this.#loadFaces(r.result);
    }
  }

  /** Object URLs of people's face thumbnails, by person id; absent: none (the initials are shown). */
  get faces(): Readonly<Record<string, string>> {
    return this.#faces;
  }

  /**
   * Each enrolled person's thumbnail, asked for one at a time (each a signed command, its answer
   * sealed to this phone) and only again after a new enrolment. A refusal leaves the initials.
   */
  async #loadFaces(people: readonly PersonSummary[]): Promise<void> {
    for (const p of people) {
      if (p.templates === 0 || this.#facesAsked.get(p.id) === p.templates) continue;
      this.#facesAsked.set(p.id, p.templates);
      const jpeg = await this.#remote.thumbnail(p.id).catch(() => null);
      if (!jpeg) continue;
      const old = this.#faces[p.id];
      if (old) URL.revokeObjectURL(old);
      this.#faces = { ...this.#faces, [p.id]: URL.createObjectURL(new Blob([jpeg as BlobPart], { type: 'image/jpeg' })) };
    }
  }
}
