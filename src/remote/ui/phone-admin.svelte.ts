import type { PersonSummary } from '../../panel/actions.ts';
import type { CommandBody } from '../command.ts';
import type { LinkStatus } from '../link.ts';
import type { PanelConfig, RemoteEvent, RemoteState, Reply } from '../messages.ts';
import type { PhoneRemote } from '../phone-remote.ts';
import type { PanelLinkInfo } from '../ports.ts';
import { encodeBase64Url } from '../../access/base64url.ts';
import { shrinkPhoto } from './photo-shrink.ts';

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
    this.#status = this.#remote.status;
    this.#panel = this.#remote.panel;
    this.#state = this.#remote.state;
    this.#config = this.#remote.config;
    this.#panelOnline = this.#remote.panelOnline;
    this.#events = this.#remote.events;
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
      const text = r.ok ? `Face enrolled for ${name}.` : `Not enrolled: ${r.reason}`;
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
    const r = await this.#remote.pair(payload, label);
    this.#busy = false;
    this.#message = r.ok ? `Paired as ${r.role}.` : `Pairing failed: ${r.reason}`;
    this.#sync();
    if (r.ok) await this.refreshPeople();
    return r.ok;
  }

  /** Sends a command and reports its outcome in one line; returns the reply for callers that need the result. */
  async run(body: CommandBody, done: string): Promise<Reply | null> {
    this.#busy = true;
    try {
      const r = await this.#remote.send(body);
      this.#message = r.ok ? done : `Refused: ${r.reason}`;
      return r;
    } catch (err) {
      this.#message = err instanceof Error ? err.message : String(err);
      return null;
    } finally {
      this.#busy = false;
    }
  }

  async refreshPeople(): Promise<void> {
    const r = await this.#remote.send({ op: 'people.list' }).catch(() => null);
    if (r?.ok && Array.isArray(r.result)) this.#people = r.result as PersonSummary[];
  }

  async forget(): Promise<void> {
    await this.#remote.forget();
    this.#people = [];
    this.#sync();
  }
}
