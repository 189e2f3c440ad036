import { identifyByPin, pinProblem, scheduleProblems, selfEnrolPass } from '../access/index.ts';
import type { GuestKeyClaims, Role, Schedule } from '../access/index.ts';

/** selfEnrolPass names its pass after the key; the prefix tells a stay's pass from others. */
const SELF_ENROL_PASS = 'guest-key:';
import { hashSecret } from '../lib/secret-hash.ts';
import type { PersonRecord } from '../store/db.ts';
import type { PeopleRepo } from '../store/people.ts';
import type { Clock } from '../platform/clock.ts';
import type { ErasedBy, PersonErasure } from './erasure.ts';

/**
 * Visitor PINs are 4-8 digits, so stretching cannot save them from an offline guess anyway; a
 * lighter count keeps the pad quick when it tries every enrolled PIN (see identifyByPin). The
 * admin PIN keeps the full count.
 */
export const VISITOR_PIN_ITERATIONS = 100_000;

const NAME_PROBLEM = 'Give a name (up to 80 characters).';

export interface PersonRow {
  readonly person: PersonRecord;
  readonly hasPin: boolean;
  readonly templates: number;
}

export class PeopleAdmin {
  #rows = $state<PersonRow[]>([]);
  readonly #repo: PeopleRepo;
  readonly #clock: Clock;

  readonly #changed: () => void;
  readonly #erasure: PersonErasure;

  /**
   * `changed` runs after every change to people or templates (the matcher reloads its templates);
   * `erasure` is what else lets go of a person when they are erased, and logs that they were.
   */
  constructor(repo: PeopleRepo, clock: Clock, changed: () => void, erasure: PersonErasure) {
    this.#repo = repo;
    this.#clock = clock;
    this.#changed = changed;
    this.#erasure = erasure;
  }

  get rows() {
    return this.#rows;
  }

  /** A new person whose face is already known (a frequent visitor the admin names and lets in). */
  async enrolKnownFace(name: string, embeddings: readonly Float32Array[]): Promise<string | null> {
    const created = await this.create(name, 'resident', '', '');
    if ('problem' in created) return created.problem;
    for (const e of embeddings) await this.#repo.addTemplate(created.personId, e, 1);
    await this.refresh();
    this.#changed();
    return null;
  }

  /**
   * Hospitality self check-in: the guest of a key that allows it becomes a person for the length
   * of the stay, entering on a pass with the key's own window and use limit.
   */
  async enrolGuest(claims: GuestKeyClaims, embedding: Float32Array, quality: number): Promise<void> {
    await this.#repo.put({ id: claims.subject, name: claims.name, role: 'guest', active: true, createdAt: this.#clock.now() });
    await this.#repo.putPass(selfEnrolPass(claims));
    await this.#repo.addTemplate(claims.subject, embedding, quality);
    await this.refresh();
    this.#changed();
  }

  /** Erases self-enrolled guests whose stay has ended (their pass is over); returns how many. */
  async removeEndedStays(now: number): Promise<number> {
    let removed = 0;
    for (const pass of await this.#repo.passes()) {
      if (pass.id.startsWith(SELF_ENROL_PASS) && pass.to <= now) {
        await this.#eraseOne(pass.personId, { kind: 'stayEnded' });
        removed++;
      }
    }
    if (removed > 0) {
      await this.refresh();
      this.#changed();
    }
    return removed;
  }

  /** Stores one enrolment capture as a template of this person. */
  async addTemplate(personId: string, embedding: Float32Array, quality: number): Promise<void> {
    await this.#repo.addTemplate(personId, embedding, quality);
    await this.refresh();
    this.#changed();
  }

  /** Keeps the face of an enrolment capture as the person's thumbnail (their list row, the phone's People). */
  async setThumbnail(personId: string, jpeg: Uint8Array): Promise<void> {
    await this.#repo.setThumbnail(personId, jpeg);
  }

  async refresh(): Promise<void> {
    const [people, pins, templates] = await Promise.all([this.#repo.list(), this.#repo.pins(), this.#repo.templateCounts()]);
    this.#rows = people
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((person) => ({ person, hasPin: pins.some((p) => p.personId === person.id), templates: templates.get(person.id) ?? 0 }));
  }

  /** Returns the problem in words, or null when saved. */
  async add(name: string, role: Role, pin: string, duress: string): Promise<string | null> {
    const result = await this.create(name, role, pin, duress);
    return 'problem' in result ? result.problem : null;
  }

  async create(name: string, role: Role, pin: string, duress: string): Promise<{ personId: string } | { problem: string }> {
    const clean = name.trim();
    if (clean.length === 0 || clean.length > 80) return { problem: NAME_PROBLEM };
    if (pin) {
      const problem = await this.#pinClash(pin, duress, null);
      if (problem) return { problem };
    }
    const id = crypto.randomUUID();
    await this.#repo.put({ id, name: clean, role, active: true, createdAt: this.#clock.now() });
    if (pin) await this.#savePin(id, pin, duress);
    await this.refresh();
    this.#changed();
    return { personId: id };
  }

  async setPin(personId: string, pin: string, duress: string): Promise<string | null> {
    const problem = await this.#pinClash(pin, duress, personId);
    if (problem) return problem;
    await this.#savePin(personId, pin, duress);
    await this.refresh();
    return null;
  }

  /** Removes the person's PIN (and duress PIN): they enter by face, key or pass only. */
  async clearPin(personId: string): Promise<void> {
    await this.#repo.clearPin(personId);
    await this.refresh();
  }

  /** A new name and/or role; returns the problem in words, or null when saved. */
  async setDetails(personId: string, change: { readonly name?: string; readonly role?: Role }): Promise<string | null> {
    const name = change.name?.trim();
    if (name !== undefined && (name.length === 0 || name.length > 80)) return NAME_PROBLEM;
    const person = await this.#repo.get(personId);
    if (!person) return 'That person no longer exists.';
    await this.#repo.put({ ...person, ...(name !== undefined ? { name } : {}), ...(change.role !== undefined ? { role: change.role } : {}) });
    await this.refresh();
    return null;
  }

  async setActive(personId: string, active: boolean): Promise<void> {
    const person = await this.#repo.get(personId);
    if (person) await this.#repo.put({ ...person, active });
    await this.refresh();
    this.#changed();
  }

  /** A weekly schedule in the panel's time zone, or undefined for their role's default. */
  async setSchedule(personId: string, schedule: Schedule | undefined): Promise<string | null> {
    if (schedule) {
      const problems = scheduleProblems(schedule);
      if (problems.length > 0) return `Schedule problem: ${problems.join('; ')}`;
      if (schedule.windows.length === 0) return 'Choose at least one day.';
    }
    const person = await this.#repo.get(personId);
    if (!person) return 'That person no longer exists.';
    const { schedule: _old, ...rest } = person;
    await this.#repo.put(schedule ? { ...rest, schedule } : rest);
    await this.refresh();
    return null;
  }

  /**
   * Erasure, for good: the person's records and every log line, snapshot and queued message
   * about them, what insight learnt of them, and one line saying a person was erased, and by whom.
   */
  async erase(personId: string, by: ErasedBy): Promise<void> {
    await this.#eraseOne(personId, by);
    await this.refresh();
    this.#changed();
  }

  async #eraseOne(personId: string, by: ErasedBy): Promise<void> {
    // The records first: once the person is gone no new attempt can be theirs to learn from.
    await this.#repo.erase(personId);
    await this.#erasure.forget(personId);
    await this.#erasure.erased(by);
  }

  async #savePin(personId: string, pin: string, duress: string): Promise<void> {
    await this.#repo.setPin({
      id: `pin-${personId}`,
      personId,
      kind: 'pin',
      pin: await hashSecret(pin, VISITOR_PIN_ITERATIONS),
      ...(duress ? { duress: await hashSecret(duress, VISITOR_PIN_ITERATIONS) } : {}),
      createdAt: this.#clock.now(),
    });
  }

  /** A PIN identifies its person at the pad, so it must be unique across everyone else's PINs. */
  async #pinClash(pin: string, duress: string, self: string | null): Promise<string | null> {
    const format = pinProblem(pin, duress || undefined);
    if (format) return format;
    const others = (await this.#repo.pins()).filter((c) => c.personId !== self);
    for (const entered of duress ? [pin, duress] : [pin]) {
      if (await identifyByPin(entered, others)) return 'That PIN is already in use. Choose another.';
    }
    return null;
  }
}
