import type { PersonSummary } from '../../src/panel/actions.ts';
import type { Schedule } from '../../src/access/types.ts';

/**
 * Doorward people as a Matter lock's user list. Matter names users by a small index (1..max) and
 * a controller keeps those numbers, so each person keeps theirs for as long as they exist: the
 * book is reconciled with the panel's people list, never renumbered. A person's PIN is the PIN
 * credential with the same index (Doorward has one PIN per person); a face is shown as a face
 * credential and never leaves the panel. Pure: the caller stores `assignments`.
 */
export interface LockUser {
  readonly userIndex: number;
  readonly personId: string;
  readonly name: string;
  readonly active: boolean;
  readonly hasPin: boolean;
  readonly hasFace: boolean;
  /** The person's access times at the panel; null: their role's default. */
  readonly schedule: Schedule | null;
}

/** personId -> userIndex, as stored between runs. */
export type Assignments = Readonly<Record<string, number>>;

export class UserBook {
  readonly #max: number;
  #byIndex = new Map<number, LockUser>();
  #assignments: Record<string, number>;

  constructor(max: number, assignments: Assignments = {}) {
    this.#max = max;
    this.#assignments = { ...assignments };
  }

  get assignments(): Assignments {
    return this.#assignments;
  }

  get users(): readonly LockUser[] {
    return [...this.#byIndex.values()].sort((a, b) => a.userIndex - b.userIndex);
  }

  /** The panel's people now: new ones get the lowest free index; people gone free theirs. Beyond `max`, people are not shown. */
  reconcile(people: readonly PersonSummary[]): void {
    const present = new Set(people.map((p) => p.id));
    for (const id of Object.keys(this.#assignments)) if (!present.has(id)) delete this.#assignments[id];
    const taken = new Set(Object.values(this.#assignments));
    const next = new Map<number, LockUser>();
    for (const p of people) {
      let index = this.#assignments[p.id];
      if (index === undefined) {
        index = this.#lowestFree(taken) ?? undefined;
        if (index === undefined) continue;
        this.#assignments[p.id] = index;
        taken.add(index);
      }
      next.set(index, { userIndex: index, personId: p.id, name: p.name, active: p.active, hasPin: p.hasPin, hasFace: p.templates > 0, schedule: p.schedule ?? null });
    }
    this.#byIndex = next;
  }

  /** A controller chose this index for a person the panel just made (SetUser or SetCredential). */
  assign(personId: string, userIndex: number): void {
    this.#assignments[personId] = userIndex;
  }

  byIndex(userIndex: number): LockUser | null {
    return this.#byIndex.get(userIndex) ?? null;
  }

  byPerson(personId: string | null): LockUser | null {
    const index = personId === null ? undefined : this.#assignments[personId];
    return index === undefined ? null : this.byIndex(index);
  }

  isFree(userIndex: number): boolean {
    return userIndex >= 1 && userIndex <= this.#max && !Object.values(this.#assignments).includes(userIndex);
  }

  lowestFree(): number | null {
    return this.#lowestFree(new Set(Object.values(this.#assignments)));
  }

  /** The next occupied index after `userIndex`, as Matter's GetUser asks for (null: none). */
  nextOccupied(userIndex: number): number | null {
    return this.users.find((u) => u.userIndex > userIndex)?.userIndex ?? null;
  }

  #lowestFree(taken: ReadonlySet<number>): number | null {
    for (let i = 1; i <= this.#max; i++) if (!taken.has(i)) return i;
    return null;
  }
}

/** A PIN from a controller arrives as bytes: ASCII digits only, or it is not a Doorward PIN. */
export function pinFromBytes(data: AllowSharedBufferSource): string | null {
  const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  if (bytes.byteLength > 12) return null;
  const text = String.fromCharCode(...bytes);
  return /^[0-9]{4,12}$/.test(text) ? text : null;
}
