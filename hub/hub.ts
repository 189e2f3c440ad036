import { every, type Clock } from '../src/platform/clock.ts';
import type { BrokerLogin } from '../src/remote/broker-url.ts';
import type { MqttFactory } from '../src/remote/link.ts';
import { openDb, type Db } from './db/db.ts';
import { loadOrCreateIdentity, type HubIdentity } from './identity.ts';
import { PanelLinks } from './links.ts';
import { appendEvents, pruneLog, verifyLog, type Arrival, type VerifyReport } from './log.ts';
import { Pusher, pushMessageFor, type Fetch, type PushMessage } from './push.ts';
import { DirectorySync, type PassResult } from './sync.ts';

/**
 * The site hub: one directory, one log, for many doors. It distributes (each door its slice of
 * the directory), collects (every door's log, once) and reports; it decides nothing at a door.
 */
export interface HubOptions {
  /** Where the hub's keys live (and, with the default database, its PGlite data). */
  readonly stateDir: string;
  /** A `postgres://` URL, or a PGlite data directory (default: `<stateDir>/pgdata`). */
  readonly database?: string;
  readonly brokerUrl: string;
  readonly brokerLogin?: BrokerLogin | null;
  readonly connect: MqttFactory;
  readonly clock: Clock;
  /** As on the panel: the log keeps this many days (default 90). */
  readonly retentionDays?: number;
  /** How often every door is asked for its recent log, whatever the live stream brought (default 10 min). */
  readonly catchUpEveryMs?: number;
  /** How often doors whose last directory pass failed are tried again (default 30 s). */
  readonly retryEveryMs?: number;
  readonly replyTimeoutMs?: number;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** RFC 8292's `sub` in every push request: a `mailto:` or `https:` contact for the push services. */
  readonly pushSubject?: string;
  /** Only tests give one; the default is the global fetch. */
  readonly pushFetch?: Fetch;
  readonly log?: (msg: string) => void;
}

const DAY_MS = 86_400_000;
/** An alert that reaches the hub later than this (a catch-up after an outage) is logged, not pushed. */
export const PUSH_FRESH_MS = 15 * 60_000;

export class Hub {
  readonly db: Db;
  readonly identity: HubIdentity;
  readonly links: PanelLinks;
  readonly sync: DirectorySync;
  readonly push: Pusher;
  readonly #o: HubOptions;
  readonly #timers: (() => void)[] = [];
  /** Arrivals still being written: `idle()` waits for them. */
  #writing: Promise<unknown> = Promise.resolve();
  ingested = 0;

  private constructor(o: HubOptions, db: Db, identity: HubIdentity) {
    this.#o = o;
    this.db = db;
    this.identity = identity;
    this.links = new PanelLinks({
      db,
      identity,
      brokerUrl: o.brokerUrl,
      login: o.brokerLogin ?? null,
      connect: o.connect,
      clock: o.clock,
      onEvents: (a) => this.#ingest(a),
      onPanelBack: (p) => void this.#panelBack(p),
      ...(o.log ? { log: o.log } : {}),
      ...(o.replyTimeoutMs ? { replyTimeoutMs: o.replyTimeoutMs } : {}),
      ...(o.backoff ? { backoff: o.backoff } : {}),
    });
    this.push = new Pusher({ db, vapid: identity.vapid, subject: o.pushSubject ?? 'mailto:hub@doorward.invalid', now: () => o.clock.now(), ...(o.pushFetch ? { fetch: o.pushFetch } : {}), ...(o.log ? { log: o.log } : {}) });
    this.sync = new DirectorySync({ db, identity, send: (p, b) => this.links.send(p, b), ...(o.log ? { log: o.log } : {}) });
  }

  static async start(o: HubOptions): Promise<Hub> {
    const identity = await loadOrCreateIdentity(o.stateDir);
    const db = await openDb(o.database ?? `${o.stateDir}/pgdata`);
    const hub = new Hub(o, db, identity);
    await hub.links.start();
    const c = o.clock;
    hub.#timers.push(
      every(c, o.catchUpEveryMs ?? 10 * 60_000, () => void hub.catchUpAll()),
      every(c, o.retryEveryMs ?? 30_000, () => {
        for (const p of hub.sync.dirty) void hub.sync.reconcile(p);
      }),
      every(c, DAY_MS / 24, () => void hub.prune()),
    );
    o.log?.(`[hub] ${db.kind === 'pglite' ? 'PGlite' : 'PostgreSQL'} storage; admin id ${identity.keys.id}; broker ${o.brokerUrl}`);
    return hub;
  }

  get hubId(): string {
    return this.identity.keys.id;
  }

  #stopped: Promise<void> | null = null;

  /** Once: a second call waits for the first. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    for (const t of this.#timers.splice(0)) t();
    await this.links.stop();
    await this.idle();
    await this.push.idle();
    await this.db.close();
  }

  /** Until every event received so far is in the log. */
  async idle(): Promise<void> {
    let w: Promise<unknown>;
    do {
      w = this.#writing;
      await w.catch(() => undefined);
    } while (w !== this.#writing);
  }

  #ingest(a: Arrival): Promise<void> {
    const run = this.#writing.catch(() => undefined).then(async () => {
      const now = this.#o.clock.now();
      const r = await appendEvents(this.db, a, now);
      this.ingested += r.added;
      // Pushed once, when first logged: a redelivery or a catch-up of the same event is a duplicate.
      const door = this.links.panels.find((p) => p.panelId === a.panelId)?.name ?? a.panelId;
      this.push.notify(r.fresh.filter((e) => now - e.at < PUSH_FRESH_MS).map((e) => pushMessageFor(e, a.panelId, door)).filter((m): m is PushMessage => m !== null));
    });
    this.#writing = run;
    return run.catch((err: unknown) => this.#o.log?.(`[hub] events from ${a.panelId} not stored: ${String(err)} (the panel's catch-up will bring them again)`));
  }

  async #panelBack(panelId: string): Promise<void> {
    await this.links.catchUp(panelId).catch((err: unknown) => this.#o.log?.(`[hub] catch-up of ${panelId} failed: ${String(err)}`));
    await this.sync.reconcile(panelId);
  }

  async pair(codeText: string, name: string) {
    const r = await this.links.pair(codeText, name);
    if (r.ok) void this.#panelBack(r.panel.panelId);
    return r;
  }

  /** After a directory change: every door brought to its slice, in parallel; resolves when all answered. */
  propagate(): Promise<PassResult[]> {
    return Promise.all(this.links.panels.map((p) => this.sync.reconcile(p.panelId)));
  }

  async catchUpAll(): Promise<void> {
    for (const p of this.links.panels) if (this.links.online(p.panelId)) await this.links.catchUp(p.panelId).catch(() => undefined);
  }

  prune(): Promise<number> {
    return pruneLog(this.db, this.#o.clock.now() - (this.#o.retentionDays ?? 90) * DAY_MS);
  }

  /** The chain, and every row against the signed envelope it came in. */
  verify(): Promise<VerifyReport> {
    return verifyLog(this.db, (row, envelope) => this.links.proofCheck(row, envelope));
  }
}
