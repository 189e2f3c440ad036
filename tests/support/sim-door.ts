// A door for the hub's tests and bench: the panel's remote actions in memory (FakePanelActions),
// with the real access policy deciding a PIN at its pad over the people the remote layer gave it.
import { DEFAULT_SETTINGS, decidePin, identifyByPin, type PinCredential } from '../../src/access/index.ts';
import type { Decision, Person, Role } from '../../src/access/types.ts';
import type { PersonChange } from '../../src/panel/actions.ts';
import { hashSecret } from '../../src/lib/secret-hash.ts';
import { NO_FAILURES } from '../../src/lib/lockout.ts';
import type { Clock } from '../../src/platform/clock.ts';
import { FakePanelActions } from './panel-actions.ts';

/** Few PBKDF2 rounds: the pad's hashing is the panel's concern, and fifty doors share two cores here. */
const TEST_ITERATIONS = 1_000;

export class SimDoor extends FakePanelActions {
  readonly #pins = new Map<string, PinCredential>();
  readonly #now: () => number;

  constructor(clock: Clock) {
    super(clock);
    this.#now = () => clock.now();
  }

  override async addPerson(adminId: string, p: { name: string; role: Role; pin?: string; duress?: string }) {
    const r = await super.addPerson(adminId, p);
    const id = 'personId' in r ? r.personId : undefined;
    if (id && p.pin) this.#pins.set(id, { personId: id, pin: await hashSecret(p.pin, TEST_ITERATIONS) });
    return r;
  }

  override async updatePerson(adminId: string, personId: string, change: PersonChange) {
    const r = await super.updatePerson(adminId, personId, change);
    if ('ok' in r && change.pin !== undefined) {
      if (change.pin === null) this.#pins.delete(personId);
      else this.#pins.set(personId, { personId, pin: await hashSecret(change.pin, TEST_ITERATIONS) });
    }
    return r;
  }

  override async removePerson(adminId: string, personId: string) {
    await super.removePerson(adminId, personId);
    this.#pins.delete(personId);
  }

  /** A PIN typed at this door's pad, decided by the access policy; logged like the real panel's. */
  async enterPin(pin: string): Promise<Decision> {
    const who = await identifyByPin(pin, [...this.#pins.values()]);
    const people: Person[] = [...this.people.values()].map((p) => ({ id: p.id, name: p.name, role: p.role, active: p.active, ...(p.schedule ? { schedule: p.schedule } : {}) }));
    const { decision } = decidePin({ people, passes: [], stepUpRules: [], door: { mode: 'normal', link: 'online', tamper: false }, settings: DEFAULT_SETTINGS, personId: who?.personId ?? null, pin: who ? 'match' : 'wrong', lockout: NO_FAILURES }, this.#now());
    const name = who ? (this.people.get(who.personId)?.name ?? who.personId) : 'unknown';
    this.write('attempt', who?.personId ?? null, `${decision.outcome} ${name} by pin`, decision);
    if (decision.outcome === 'grant') this.doorOpen = true;
    return decision;
  }
}
