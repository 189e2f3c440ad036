import type { Clock } from '../src/platform/clock.ts';
import { nextCounter, signCommand, type AdminRole, type CommandBody } from '../src/remote/command.ts';
import { boxContext, encodeEnvelope, parseEnvelope, verifyEnvelope } from '../src/remote/envelope.ts';
import { importVerifyKey, type PublicJwk } from '../src/remote/keys.ts';
import type { BrokerLogin } from '../src/remote/broker-url.ts';
import type { MqttFactory, MqttLike, MqttMessage } from '../src/remote/link.ts';
import { openPanelMessage, parsePanelConfig, parseRemoteEvent, type RemoteEvent } from '../src/remote/messages.ts';
import { parseReply, refusalText, type Reply, type ReplyOp } from '../src/remote/replies.ts';
import { isSafeInt } from '../src/remote/canonical.ts';
import { buildPairRequest, checkPairingText } from '../src/remote/pairing.ts';
import { openBox } from '../src/remote/sealed.ts';
import { parseJsonObject } from '../src/remote/canonical.ts';
import { parseTopic, topics } from '../src/remote/topics.ts';
import type { Db } from './db/db.ts';
import type { HubIdentity } from './identity.ts';
import type { Arrival, LogRow } from './log.ts';
import { canonicalJson } from '../src/remote/canonical.ts';

/**
 * The hub's end of every panel's remote link: to each panel it is one more paired admin (an
 * owner), speaking exactly the protocol a phone speaks (src/remote): it pairs through the code a
 * panel shows, signs each command with a counter stored before it leaves, and believes nothing
 * from the broker that the panel did not sign and seal to it. One MQTT session carries every
 * panel; it is persistent, so the broker keeps the events of an hour the hub was away.
 *
 * Nothing a door decides waits for this: a panel without its hub decides as before, and its
 * outbox holds the log until someone (a phone, the hub) is back.
 */
export interface PanelLinksDeps {
  readonly db: Db;
  readonly identity: HubIdentity;
  readonly brokerUrl: string;
  readonly login?: BrokerLogin | null;
  readonly connect: MqttFactory;
  readonly clock: Clock;
  readonly onEvents: (arrival: Arrival) => Promise<void>;
  /** A panel answered again after a silence (or for the first time since the hub started). */
  readonly onPanelBack?: (panelId: string) => void;
  readonly log?: (msg: string) => void;
  readonly replyTimeoutMs?: number;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
}

export interface PanelInfo {
  readonly panelId: string;
  readonly name: string;
  readonly role: AdminRole;
  readonly sign: PublicJwk;
  readonly enc: PublicJwk;
}

export interface Answer<K extends ReplyOp = ReplyOp> {
  readonly reply: Reply<K>;
  /** The signed reply as it came, kept as the proof of what it carried. */
  readonly envelope: string;
}

type Heard = { readonly payload: Record<string, unknown>; readonly envelope: string } | { readonly lost: 'notSent' | 'disconnected' };

export class PanelLinks {
  readonly #d: PanelLinksDeps;
  #link: MqttLike | null = null;
  readonly #panels = new Map<string, PanelInfo & { readonly verifyKey: CryptoKey }>();
  /** What came back for one counter (an opened reply, or why none will), read as the answer to the op asked. */
  readonly #pending = new Map<string, (h: Heard) => void>();
  /** Commands to one panel leave one at a time, in counter order. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Until when each panel's last signed state says it is alive. */
  readonly #aliveUntil = new Map<string, number>();
  #stopStatus: (() => void) | null = null;

  constructor(d: PanelLinksDeps) {
    this.#d = d;
  }

  get hubId(): string {
    return this.#d.identity.keys.id;
  }

  get status() {
    return this.#link?.status ?? 'offline';
  }

  get panels(): readonly PanelInfo[] {
    return [...this.#panels.values()].map(({ verifyKey: _k, ...p }) => p);
  }

  online(panelId: string): boolean {
    return (this.#aliveUntil.get(panelId) ?? 0) > this.#d.clock.now();
  }

  async start(): Promise<void> {
    for (const r of await this.#d.db.query<Record<string, unknown>>('SELECT panel_id, name, role, sign_jwk, enc_jwk FROM panels ORDER BY paired_at')) {
      await this.#remember({ panelId: String(r.panel_id), name: String(r.name), role: r.role === 'owner' ? 'owner' : 'manager', sign: r.sign_jwk as PublicJwk, enc: r.enc_jwk as PublicJwk });
    }
    const link = this.#d.connect({
      url: this.#d.brokerUrl,
      clientId: `dw-hub-${this.hubId.slice(0, 16)}`,
      login: this.#d.login ?? null,
      sessionExpirySeconds: 7 * 86_400,
      ...(this.#d.backoff ? { backoff: this.#d.backoff } : {}),
      ...(this.#d.log ? { log: (m: string) => this.#d.log?.(`[hub link] ${m}`) } : {}),
    });
    this.#link = link;
    link.onMessage((m) => void this.#onMessage(m).catch((err: unknown) => this.#d.log?.(`[hub link] message dropped: ${String(err)}`)));
    let wasOnline = false;
    this.#stopStatus = link.onStatus((s) => {
      // Back on the broker after a gap: every panel may have said things the session lost.
      if (s === 'online' && !wasOnline) for (const p of this.#panels.keys()) this.#d.onPanelBack?.(p);
      wasOnline = s === 'online';
    });
    const filters = [...this.#panels.keys()].flatMap((p) => this.#filters(p));
    if (filters.length > 0) await link.subscribe(filters);
  }

  async stop(): Promise<void> {
    this.#stopStatus?.();
    const link = this.#link;
    this.#link = null;
    for (const [, resolve] of this.#pending) resolve({ lost: 'disconnected' });
    this.#pending.clear();
    await link?.close();
  }

  #filters(panelId: string): string[] {
    const t = topics(panelId);
    return [t.reply(this.hubId), t.events, t.state, t.config];
  }

  async #remember(p: PanelInfo): Promise<void> {
    const verifyKey = await importVerifyKey(p.sign);
    if (!verifyKey) throw new Error(`panel ${p.panelId}: its signing key does not import`);
    this.#panels.set(p.panelId, { ...p, verifyKey });
  }

  /**
   * Pairs with the panel whose pairing code (the QR text) an installer gives the hub. The hub
   * talks to its own broker (in a bridged site, the central one), not the one the code names.
   */
  async pair(codeText: string, name: string): Promise<{ ok: true; panel: PanelInfo } | { ok: false; reason: string }> {
    const link = this.#link;
    if (!link || link.status !== 'online') return { ok: false, reason: 'the hub is not connected to its broker' };
    const checked = checkPairingText(codeText, this.#d.clock.now());
    if (!checked.ok) return { ok: false, reason: checked.problem === 'expired' ? 'that pairing code has expired' : 'not a Doorward pairing code' };
    const p = checked.payload;
    if (this.#panels.has(p.panelId)) return { ok: false, reason: 'already paired with that panel' };
    const verifyKey = await importVerifyKey(p.sign);
    if (!verifyKey) return { ok: false, reason: 'the code carries a key that does not import' };
    const t = topics(p.panelId);
    await link.subscribe([t.reply(this.hubId)]);
    const answer = this.#await(p.panelId, 0, 'pair');
    const env = await buildPairRequest(p, this.#d.identity.keys, `site hub ${this.hubId.slice(0, 6)}`, this.#d.clock.now());
    await link.publish(t.pair, encodeEnvelope(env), { qos: 1, expirySeconds: 120 });
    let a: Answer<'pair'>;
    try {
      a = await answer;
    } catch (err) {
      return { ok: false, reason: String(err instanceof Error ? err.message : err) };
    }
    // The answer must come from the panel the code names, signed by its key.
    const opened = await openPanelMessage(a.envelope, 'reply', { panelId: p.panelId, panelVerifyKey: verifyKey, adminId: this.hubId, ecdhPrivate: this.#d.identity.keys.encryption.privateKey }, this.#d.clock.now());
    if (!opened.ok || !a.reply.ok) return { ok: false, reason: a.reply.ok ? 'unverifiable answer' : refusalText(a.reply) };
    const role: AdminRole = a.reply.result.role === 'owner' ? 'owner' : 'manager';
    const info: PanelInfo = { panelId: p.panelId, name: name.trim().slice(0, 80) || p.panelId, role, sign: p.sign, enc: p.enc };
    await this.#d.db.query('INSERT INTO panels (panel_id, name, sign_jwk, enc_jwk, role, counter, paired_at) VALUES ($1, $2, $3, $4, $5, 0, $6)', [info.panelId, info.name, JSON.stringify(info.sign), JSON.stringify(info.enc), role, this.#d.clock.now()]);
    await this.#remember(info);
    await link.subscribe(this.#filters(p.panelId));
    this.#d.log?.(`[hub] paired with panel ${info.name} (${info.panelId}) as ${role}`);
    return { ok: true, panel: info };
  }

  /** One signed command to one panel, its answer (or a refusal made here: offline, no answer). */
  send<C extends CommandBody>(panelId: string, body: C): Promise<Answer<C['op']>> {
    const prev = this.#queues.get(panelId) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(() => this.#send(panelId, body));
    this.#queues.set(panelId, run.catch(() => undefined));
    return run;
  }

  async #send<C extends CommandBody>(panelId: string, body: C): Promise<Answer<C['op']>> {
    const link = this.#link;
    const panel = this.#panels.get(panelId);
    if (!panel) throw new Error(`not paired with panel ${panelId}`);
    if (!link || link.status !== 'online') throw new Error('the hub is offline');
    // Taken and stored before it leaves, so no counter is ever used twice, restart or not.
    const counter = await this.#d.db.transaction(async (tx) => {
      const [r] = await tx.query<{ counter: string }>('SELECT counter FROM panels WHERE panel_id = $1 FOR UPDATE', [panelId]);
      const next = nextCounter(Number(r?.counter ?? 0), this.#d.clock.now());
      await tx.query('UPDATE panels SET counter = $2 WHERE panel_id = $1', [panelId, next]);
      return next;
    });
    const env = await signCommand(body, { panelId, panelEcdh: panel.enc, adminId: this.hubId, signingKey: this.#d.identity.keys.signing.privateKey, counter, now: this.#d.clock.now() });
    const answer = this.#await(panelId, counter, body.op);
    await link.publish(topics(panelId).cmd(this.hubId), encodeEnvelope(env), { qos: 1, expirySeconds: Math.ceil((env.exp - env.iat) / 1000) }).catch((err: unknown) => {
      this.#pending.get(`${panelId}/${counter}`)?.({ lost: 'notSent' });
      throw err;
    });
    return answer;
  }

  #await<K extends ReplyOp>(panelId: string, re: number, op: K): Promise<Answer<K>> {
    const key = `${panelId}/${re}`;
    return new Promise<Answer<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        reject(new Error(`no answer from panel ${panelId}`));
      }, this.#d.replyTimeoutMs ?? 20_000);
      this.#pending.set(key, (h) => {
        clearTimeout(timer);
        this.#pending.delete(key);
        if ('lost' in h) return resolve({ reply: { re, op, ok: false, reason: h.lost }, envelope: '' });
        resolve({ reply: parseReply(op, h.payload) ?? { re, op, ok: false, reason: 'unreadable', problem: 'the panel sent a reply with no answer in it' }, envelope: h.envelope });
      });
    });
  }

  /** The panel's recent log, for the gaps the live stream may have left (the log de-duplicates). */
  async catchUp(panelId: string, limit = 500): Promise<number> {
    const a = await this.send(panelId, { op: 'log.recent', limit });
    if (!a.reply.ok) return 0;
    const events: RemoteEvent[] = [...a.reply.result].reverse();
    await this.#d.onEvents({ panelId, events, envelope: a.envelope });
    return events.length;
  }

  async #onMessage(m: MqttMessage): Promise<void> {
    const parsed = parseTopic(m.topic);
    const panel = parsed ? this.#panels.get(parsed.panelId) : undefined;
    if (!parsed || m.payload.byteLength === 0) return;
    const text = new TextDecoder().decode(m.payload);
    const k = (verifyKey: CryptoKey) => ({ panelId: parsed.panelId, panelVerifyKey: verifyKey, adminId: this.hubId, ecdhPrivate: this.#d.identity.keys.encryption.privateKey });
    const now = this.#d.clock.now();
    if (parsed.kind === 'reply') {
      if (parsed.adminId !== this.hubId) return;
      // Before pairing the panel is not yet known here: pair() checks that answer itself.
      const verifyKey = panel?.verifyKey;
      const env = parseEnvelope(text);
      if (!env.ok) return;
      if (verifyKey) {
        const o = await openPanelMessage(text, 'reply', k(verifyKey), now);
        const re = o.ok ? o.payload.re : null;
        if (o.ok && isSafeInt(re)) this.#pending.get(`${parsed.panelId}/${re}`)?.({ payload: o.payload, envelope: text });
        else this.#d.log?.(`[hub link] reply from ${parsed.panelId} dropped: ${o.ok ? 'unreadable' : o.reason}`);
        return;
      }
      const resolve = this.#pending.get(`${parsed.panelId}/0`);
      if (!resolve) return;
      const pairing = await this.#openUnknown(text);
      if (pairing) resolve({ payload: pairing, envelope: text });
      return;
    }
    if (!panel) return;
    if (parsed.kind === 'events') {
      const o = await openPanelMessage(text, 'event', k(panel.verifyKey), now);
      const e = o.ok ? parseRemoteEvent(o.payload) : null;
      if (!e) return this.#d.log?.(`[hub link] event from ${panel.name} dropped: ${o.ok ? 'unreadable' : o.reason}`);
      await this.#d.onEvents({ panelId: panel.panelId, events: [e], envelope: text });
      this.#heard(panel.panelId, now + 60_000);
      return;
    }
    if (parsed.kind === 'state') {
      const o = await openPanelMessage(text, 'state', k(panel.verifyKey), now);
      if (o.ok) this.#heard(panel.panelId, o.env.exp);
      return;
    }
    if (parsed.kind === 'config') {
      const o = await openPanelMessage(text, 'config', k(panel.verifyKey), now);
      const c = o.ok ? parsePanelConfig(o.payload) : null;
      if (c && !c.admins.some((a) => a.id === this.hubId)) this.#d.log?.(`[hub link] panel ${panel.name} no longer lists the hub as an admin (unpaired at the panel?)`);
    }
  }

  /** The pairing answer, before the panel's key is stored: parsed only, pair() verifies it. */
  async #openUnknown(text: string): Promise<Record<string, unknown> | null> {
    const env = parseEnvelope(text);
    if (!env.ok || env.env.t !== 'reply' || !env.env.box) return null;
    const plain = await openBox(env.env.box, this.hubId, this.#d.identity.keys.encryption.privateKey, boxContext('reply', env.env.from, env.env.to));
    const o = plain ? parseJsonObject(plain, 65_536) : null;
    return o;
  }

  #heard(panelId: string, until: number): void {
    const was = this.online(panelId);
    this.#aliveUntil.set(panelId, Math.max(until, this.#aliveUntil.get(panelId) ?? 0));
    void this.#d.db.query('UPDATE panels SET last_seen = $2 WHERE panel_id = $1', [panelId, this.#d.clock.now()]).catch(() => undefined);
    if (!was) this.#d.onPanelBack?.(panelId);
  }

  /**
   * For the log's verify command: the row is in the envelope it names, the envelope is signed by
   * that panel's key and sealed to this hub, and what it says is what the row says.
   */
  async proofCheck(row: LogRow, envelope: string): Promise<string | null> {
    const panel = this.#panels.get(row.panelId);
    if (!panel) return 'from a panel this hub is not paired with';
    const parsed = parseEnvelope(envelope);
    if (!parsed.ok || parsed.env.from !== row.panelId) return 'its envelope is not from that panel';
    if (!(await verifyEnvelope(parsed.env, panel.verifyKey))) return "its envelope does not carry the panel's signature";
    const env = parsed.env;
    if (!env.box || (env.t !== 'event' && env.t !== 'reply')) return 'its envelope carries no event';
    const plain = await openBox(env.box, this.hubId, this.#d.identity.keys.encryption.privateKey, boxContext(env.t, env.from, env.to));
    const o = plain ? parseJsonObject(plain, 1_000_000) : null;
    if (!o) return 'its envelope does not open';
    const candidates = env.t === 'event' ? [o] : Array.isArray(o.result) ? (o.result as unknown[]) : [];
    const found = candidates.map((c) => (c && typeof c === 'object' ? parseRemoteEvent(c as Record<string, unknown>) : null)).find((e) => e?.id === row.eventId);
    if (!found) return 'the panel never sent that event';
    const same = found.at === row.at && found.kind === row.kind && found.summary === row.summary && (found.personId ?? null) === row.panelPersonId && canonicalJson(found.detail ?? null) === row.detail;
    return same ? null : 'it differs from what the panel signed';
  }
}

