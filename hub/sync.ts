import type { Role, Schedule } from '../src/access/types.ts';
import { canonicalJson } from '../src/remote/canonical.ts';
import type { CommandBody } from '../src/remote/command.ts';
import type { Db } from './db/db.ts';
import { sliceFor, type SlicePerson } from './directory.ts';
import { openSecret, type HubIdentity } from './identity.ts';
import { sha256 } from './log.ts';
import type { Answer } from './links.ts';

/**
 * Brings each door to its slice of the directory, with the commands any owner's phone could
 * send: person.add for someone new there, person.update and person.setActive for a change,
 * person.remove for someone who no longer belongs. Each door is reconciled on its own, one pass
 * at a time; what a door confirmed (its signed reply) is stored, so a pass after a restart or an
 * outage sends only what is still missing. A door that is away is simply tried again later:
 * until then it keeps deciding on what it had.
 */
export interface SyncDeps {
  readonly db: Db;
  readonly identity: HubIdentity;
  readonly send: (panelId: string, body: CommandBody) => Promise<Answer>;
  readonly log?: (msg: string) => void;
}

/** What a door holds of a person, as far as the hub knows. */
interface Held {
  readonly name: string;
  readonly role: Role;
  readonly active: boolean;
  readonly schedule: Schedule | null;
  /** A digest of the sealed PIN sent, so a new PIN is sent and an unchanged one is not. */
  readonly pin: string | null;
}

const heldOf = (p: SlicePerson): Held => ({ name: p.name, role: p.role, active: p.active, schedule: p.schedule, pin: p.pinSealed ? sha256(p.pinSealed) : null });

export interface PassResult {
  readonly panelId: string;
  readonly ok: boolean;
  readonly commands: number;
  readonly problem?: string;
}

export class DirectorySync {
  readonly #d: SyncDeps;
  readonly #running = new Map<string, Promise<PassResult>>();
  readonly #again = new Set<string>();
  /** Doors whose last pass did not finish (offline, refused): the hub retries them. */
  readonly dirty = new Set<string>();

  constructor(d: SyncDeps) {
    this.#d = d;
  }

  /** Reconciles one door; a pass asked for while one runs follows it (so no change is missed). */
  reconcile(panelId: string): Promise<PassResult> {
    const running = this.#running.get(panelId);
    if (running) {
      this.#again.add(panelId);
      return running.then(() => this.#running.get(panelId) ?? this.reconcile(panelId));
    }
    const run = this.#pass(panelId).finally(() => {
      this.#running.delete(panelId);
      if (this.#again.delete(panelId)) void this.reconcile(panelId);
    });
    this.#running.set(panelId, run);
    return run;
  }

  async #pass(panelId: string): Promise<PassResult> {
    let commands = 0;
    const send = async (body: CommandBody) => {
      commands++;
      const a = await this.#d.send(panelId, body);
      if (!a.reply.ok) throw new Error(`${body.op} refused: ${a.reply.problem ?? a.reply.reason}`);
      return a.reply.result;
    };
    try {
      const want = new Map((await sliceFor(this.#d.db, panelId)).map((p) => [p.personId, p]));
      const held = new Map((await this.#d.db.query<Record<string, unknown>>('SELECT person_id, panel_person_id, synced FROM panel_people WHERE panel_id = $1', [panelId])).map((r) => [String(r.person_id), { panelPersonId: String(r.panel_person_id), held: r.synced as Held }]));
      // Revocations first: a door should refuse a person before it learns anyone new.
      for (const [personId, h] of held) {
        if (want.has(personId)) continue;
        await send({ op: 'person.remove', personId: h.panelPersonId });
        await this.#d.db.query('DELETE FROM panel_people WHERE panel_id = $1 AND person_id = $2', [panelId, personId]);
      }
      const ordered = [...want.values()].sort((a, b) => Number(a.active) - Number(b.active));
      for (const p of ordered) {
        const target = heldOf(p);
        let h = held.get(p.personId);
        if (!h) {
          const pin = p.pinSealed ? await openSecret(this.#d.identity, p.personId, p.pinSealed) : null;
          const r = (await send({ op: 'person.add', name: p.name, role: p.role, ...(pin ? { pin } : {}) })) as { personId?: unknown } | null;
          if (typeof r?.personId !== 'string') throw new Error('person.add answered without a person id');
          const first: Held = { name: p.name, role: p.role, active: true, schedule: null, pin: target.pin };
          await this.#store(panelId, p.personId, r.personId, first);
          h = { panelPersonId: r.personId, held: first };
        }
        await this.#update(panelId, p, h.panelPersonId, h.held, target, send);
      }
      this.dirty.delete(panelId);
      return { panelId, ok: true, commands };
    } catch (err) {
      this.dirty.add(panelId);
      const problem = err instanceof Error ? err.message : String(err);
      this.#d.log?.(`[hub sync] door ${panelId}: ${problem} (will try again)`);
      return { panelId, ok: false, commands, problem };
    }
  }

  async #update(panelId: string, p: SlicePerson, panelPersonId: string, was: Held, target: Held, send: (b: CommandBody) => Promise<unknown>): Promise<void> {
    let now = was;
    // A suspension goes out before anything else about the person.
    if (!target.active && now.active) {
      await send({ op: 'person.setActive', personId: panelPersonId, active: false });
      now = { ...now, active: false };
      await this.#store(panelId, p.personId, panelPersonId, now);
    }
    const change: { name?: string; role?: Role; schedule?: Schedule | null; pin?: string | null } = {};
    if (target.name !== now.name) change.name = target.name;
    if (target.role !== now.role) change.role = target.role;
    if (canonicalJson(target.schedule) !== canonicalJson(now.schedule)) change.schedule = target.schedule;
    if (target.pin !== now.pin) change.pin = p.pinSealed ? await openSecret(this.#d.identity, p.personId, p.pinSealed) : null;
    if (Object.keys(change).length > 0) {
      await send({ op: 'person.update', personId: panelPersonId, ...change });
      now = { ...now, name: target.name, role: target.role, schedule: target.schedule, pin: target.pin };
      await this.#store(panelId, p.personId, panelPersonId, now);
    }
    if (target.active && !now.active) {
      await send({ op: 'person.setActive', personId: panelPersonId, active: true });
      await this.#store(panelId, p.personId, panelPersonId, { ...now, active: true });
    }
  }

  async #store(panelId: string, personId: string, panelPersonId: string, held: Held): Promise<void> {
    await this.#d.db.query(
      'INSERT INTO panel_people (panel_id, person_id, panel_person_id, synced) VALUES ($1, $2, $3, $4) ON CONFLICT (panel_id, person_id) DO UPDATE SET panel_person_id = EXCLUDED.panel_person_id, synced = EXCLUDED.synced',
      [panelId, personId, panelPersonId, JSON.stringify(held)],
    );
  }
}
