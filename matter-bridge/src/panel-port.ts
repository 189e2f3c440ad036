import { Observable } from '@matter/main';
import type { PersonChange, PersonSummary } from '../../src/panel/actions.ts';
import type { CommandBody } from '../../src/remote/command.ts';
import type { RemoteEvent, RemoteState } from '../../src/remote/messages.ts';
import type { PhoneRemote } from '../../src/remote/phone-remote.ts';
import { isRecord } from '../../src/remote/canonical.ts';
import { isValidTimeZone } from '../../src/access/schedule.ts';
import type { MatterReport, MatterReportReply } from '../../src/panel/matter-report.ts';

/**
 * The panel as the Matter lock needs it: the bridge's paired remote link (PhoneRemote, role
 * 'bridge'), one command per call, each answered by the panel or failing with its reason. The
 * panel decides everything (the PIN, the back-off, who may be erased); the bridge only asks.
 */
export class PanelRefused extends Error {
  constructor(
    readonly op: string,
    readonly reason: string,
  ) {
    super(`the panel refused ${op}: ${reason}`);
  }
}

export interface UnlockAnswer {
  readonly opened: boolean;
  readonly reason: string;
  readonly personId: string | null;
}

export class PanelPort {
  readonly #remote: Pick<PhoneRemote, 'send' | 'onEvent' | 'onChange' | 'state' | 'adminId'>;
  /** Every access-log event the panel sends, once each (PhoneRemote drops duplicates). */
  readonly events = Observable<[RemoteEvent]>();
  /** The panel's signed state, when a newer one arrives. */
  readonly state = Observable<[RemoteState]>();
  /** People changed through this bridge or the panel: the lock's user list is read again. */
  readonly peopleChanged = Observable<[]>();
  #lastState: RemoteState | null = null;
  readonly #stops: (() => void)[] = [];

  constructor(remote: Pick<PhoneRemote, 'send' | 'onEvent' | 'onChange' | 'state' | 'adminId'>) {
    this.#remote = remote;
    this.#stops.push(
      remote.onEvent((e) => {
        this.events.emit(e);
        if (e.kind === 'admin') this.peopleChanged.emit();
      }),
      remote.onChange(() => {
        const s = remote.state;
        if (s && s !== this.#lastState) {
          this.#lastState = s;
          this.state.emit(s);
        }
      }),
    );
  }

  /** This bridge's admin id at the panel: its own unlocks come back in the log under it. */
  get adminId(): string | null {
    return this.#remote.adminId;
  }

  get lastState(): RemoteState | null {
    return this.#remote.state;
  }

  close(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }

  async lock(): Promise<boolean> {
    const r = await this.#ask({ op: 'door.lock' });
    return isRecord(r) && r.locked === true;
  }

  async unlockWithPin(pin: string): Promise<UnlockAnswer> {
    const r = await this.#ask({ op: 'door.unlockPin', pin });
    if (!isRecord(r) || typeof r.opened !== 'boolean' || typeof r.reason !== 'string') throw new PanelRefused('door.unlockPin', 'unreadable answer');
    return { opened: r.opened, reason: r.reason, personId: typeof r.personId === 'string' ? r.personId : null };
  }

  async people(): Promise<PersonSummary[]> {
    const r = await this.#ask({ op: 'people.list' });
    if (!Array.isArray(r)) throw new PanelRefused('people.list', 'unreadable answer');
    return r.filter((p): p is PersonSummary => isRecord(p) && typeof p.id === 'string' && typeof p.name === 'string' && typeof p.active === 'boolean' && typeof p.hasPin === 'boolean' && typeof p.templates === 'number');
  }

  async addPerson(name: string, pin?: string): Promise<string> {
    const r = await this.#ask({ op: 'person.add', name, role: 'resident', ...(pin ? { pin } : {}) });
    if (!isRecord(r) || typeof r.personId !== 'string') throw new PanelRefused('person.add', 'unreadable answer');
    this.peopleChanged.emit();
    return r.personId;
  }

  async updatePerson(personId: string, change: PersonChange): Promise<void> {
    await this.#ask({ op: 'person.update', personId, ...change });
    this.peopleChanged.emit();
  }

  async setActive(personId: string, active: boolean): Promise<void> {
    await this.#ask({ op: 'person.setActive', personId, active });
    this.peopleChanged.emit();
  }

  async removePerson(personId: string): Promise<void> {
    await this.#ask({ op: 'person.remove', personId });
    this.peopleChanged.emit();
  }

  /** The commissioning, for the panel's admin area; the panel answers with its zone and the fabrics to leave. */
  async report(matter: MatterReport): Promise<MatterReportReply> {
    const r = await this.#ask({ op: 'bridge.report', matter });
    if (!isRecord(r) || typeof r.timeZone !== 'string' || !isValidTimeZone(r.timeZone) || !Array.isArray(r.removeFabrics)) throw new PanelRefused('bridge.report', 'unreadable answer');
    const removeFabrics = (r.removeFabrics as unknown[]).filter((i): i is number => Number.isInteger(i) && (i as number) >= 1 && (i as number) <= 254);
    return { timeZone: r.timeZone, removeFabrics };
  }

  async #ask(body: CommandBody): Promise<unknown> {
    const r = await this.#remote.send(body);
    // The panel's own sentence where it gave one, else its reason code.
    if (!r.ok) throw new PanelRefused(body.op, r.problem ?? r.reason);
    return r.result;
  }
}
