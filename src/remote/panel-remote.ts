import type { EventRecord } from '../store/db.ts';
import type { Outbox } from '../store/outbox.ts';
import { every, type Clock, type TimerHandle } from '../platform/clock.ts';
import { hashSecret, verifySecret } from '../lib/secret-hash.ts';
import { allow, type RateBook } from '../lib/rate-window.ts';
import { verifyCommand, type AdminRole, type Op, type TrustedAdmin } from './command.ts';
import type { Refusal, WireReply } from './replies.ts';
import { encodeEnvelope } from './envelope.ts';
import { countedCheck } from '../lib/counted-secret.ts';
import { SingleFlight } from '../lib/single-flight.ts';
import { discoveryMessages, haStateMessages, HA_STATUS_TOPIC, parseHaLockCommand, removalMessages } from './ha.ts';
import { generateKeyPairs, importVerifyKey } from './keys.ts';
import type { LinkStatus, MqttFactory, MqttLike, MqttMessage } from './link.ts';
import { configMessage, panelMessage, remoteEventOf, toRemoteEvent } from './messages.ts';
import { isSecureBrokerLink, type BrokerLogin } from './broker-url.ts';
import { PanelSequence } from './sequence.ts';
import { acceptPairRequest, encodePairingPayload, newPairingCode, type PairedAdmin, type PairingCode, type PairRefusal } from './pairing.ts';
import type { AuditEntry, HaSettings, PanelIdentity, PanelStore, RemotePanelActions } from './ports.ts';
import { parseTopic, topics, type Topics } from './topics.ts';
import { Events } from '../lib/events.ts';
import { runCommand, type CallPanel, type CommandOutcome, type CommandPanel } from './panel-commands.ts';


/**
 * The panel's end of the remote link. It verifies every command before calling PanelActions,
 * answers encrypted to the asking admin, and delivers the access log from the outbox at least
 * once (phones de-duplicate by event id). Everything is local first: without a broker the panel
 * carries on and the outbox fills; on reconnect it drains.
 *
 * Commands are handled one at a time, so two copies of one command cannot both pass the counter
 * check; the counter is stored before the command runs, so a crash mid-command cannot re-open a
 * replay window.
 */
export interface PanelRemoteDeps {
  readonly brokerUrl: string;
  /** The panel's login at the broker (from its server's /panel-config.json); null: none asked. */
  readonly brokerLogin?: BrokerLogin | null;
  /**
   * Where the phone about to pair reaches the broker, and (where the panel's server makes them,
   * see scripts/broker-auth.mjs) a login of its own there; absent: the pairing code names
   * brokerUrl and carries no login.
   */
  readonly phoneBroker?: (panelId: string) => Promise<{ readonly url: string; readonly login: BrokerLogin | null }>;
  readonly connect: MqttFactory;
  readonly store: PanelStore;
  readonly outbox: Outbox;
  readonly actions: RemotePanelActions;
  /** Doorbell calls (src/panel/door-call.svelte.ts); absent: call.start is refused as unsupported. */
  readonly calls?: CallPanel;
  readonly audit: (entry: AuditEntry) => Promise<void> | void;
  readonly clock: Clock;
  /** What the door is called now (the admin's door name setting), read at each announcement. */
  readonly siteName?: () => string;
  readonly log?: (msg: string) => void;
  /** How often due outbox entries are retried while online. */
  readonly flushIntervalMs?: number;
  readonly sessionExpirySeconds?: number;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /**
   * The signed state is also the panel's heartbeat: published this often, and believed by phones
   * for `ttlMs` after it was signed. Phones show the panel online only while they hold an
   * unexpired one, so a re-published old state or an unsigned "offline" cannot tell them otherwise.
   */
  readonly heartbeat?: { readonly everyMs: number; readonly ttlMs: number };
}

export interface PairingOffer {
  readonly payload: string;
  readonly role: AdminRole;
  readonly expiresAt: number;
}

export type AdminSummary = Pick<PairedAdmin, 'id' | 'role' | 'label' | 'pairedAt'>;

export type HaChange = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Home Assistant's lock sends the code typed in its UI, as it is, every time: anyone who can read
 * the topic can replay it. So it is only offered where the topic is not readable by anyone on the
 * way: TLS to the broker, and a login there (whose ACL, on a broker such as HA's own Mosquitto,
 * keeps the topic to the panel and HA).
 */
export const HA_NEEDS_SECURE_LINK = 'Home Assistant needs an encrypted, logged-in broker link (wss:// with a username and password): its unlock code travels as typed, so on this link anyone who can read the broker could replay it.';

/** Refusal log lines allowed per minute; the rest are counted and summarised, so a flood of forged commands cannot drown the log. */
const AUDIT_PER_MINUTE = 20;
const EVENT_TTL_MS = 7 * 86_400_000;
/** Every 30 s, believed for 3 min: two beats may be lost and the clocks a minute or two apart. */
const HEARTBEAT = { everyMs: 30_000, ttlMs: 180_000 } as const;
/** The config is signed again this often (it counts for CONFIG_TTL_MS), so a live panel's never lapses. */
const CONFIG_REFRESH_MS = 86_400_000;
const HA_ACTOR = 'home-assistant';
/** Log lines for pairing requests that did not prove the code, per sender they claim to be. */
const UNPROVEN_PAIR_LOG = { limit: 3, windowMs: 60_000, maxKeys: 64 } as const;

export class PanelRemote {
  readonly #d: PanelRemoteDeps;
  readonly #id: PanelIdentity;
  readonly #t: Topics;
  #admins: PairedAdmin[];
  #trusted = new Map<string, TrustedAdmin>();
  #counters: Map<string, number>;
  #pending: PairingCode[] = [];
  #offer: PairingOffer | null = null;
  #offerCode: string | null = null;
  #pairingRefusals = 0;
  readonly #unprovenPairLog: RateBook = new Map();
  #ha: HaSettings;
  /** Home Assistant unlock codes are checked one at a time (a burst cannot share one failure count). */
  readonly #haChecks = new SingleFlight();
  #link: MqttLike | null = null;
  #queue: Promise<void> = Promise.resolve();
  #flushing: Promise<void> | null = null;
  readonly #seq: PanelSequence;
  #configAt = 0;
  #audits = { windowStart: 0, count: 0, suppressed: 0 };
  readonly #events = new Events<{ change: null }>();
  #stateTimer: TimerHandle | null = null;
  #configSoon = false;

  readonly #commands: CommandPanel;

  private constructor(d: PanelRemoteDeps, id: PanelIdentity, admins: PairedAdmin[], counters: Record<string, number>, ha: HaSettings | null, seq: PanelSequence) {
    this.#d = d;
    this.#id = id;
    this.#t = topics(id.panelId);
    this.#admins = admins;
    this.#counters = new Map(Object.entries(counters));
    this.#ha = ha ?? { enabled: false, code: null };
    this.#seq = seq;
    this.#commands = {
      actions: d.actions,
      admins: () => this.admins,
      // A phone that has just connected (or heard a last will) asks: a freshly signed config and
      // state answer it for every phone, whatever the broker holds retained meanwhile.
      stateSoon: () => this.#stateSoon(true),
      refuseForbidden: (adminId, op) => this.#refuse('forbidden', adminId, true, op),
      unpair: (adminId, by) => this.unpair(adminId, by),
      createPairing: (role) => this.createPairing(role),
      ...(d.calls ? { calls: d.calls } : {}),
    };
  }

  /** Loads the panel's identity, or makes one on first run (its keys never leave the panel). */
  static async create(d: PanelRemoteDeps): Promise<PanelRemote> {
    let id = await d.store.loadIdentity();
    if (!id) {
      const k = await generateKeyPairs();
      // The id is the start of the signing key's thumbprint, so a QR code cannot name one panel with another's key.
      id = { panelId: k.id.slice(0, 16), signingKey: k.signing.privateKey, ecdhKey: k.encryption.privateKey, signingJwk: k.signingJwk, encryptionJwk: k.encryptionJwk };
      await d.store.saveIdentity(id);
    }
    const seq = await PanelSequence.load(d.store, () => d.clock.now());
    const remote = new PanelRemote(d, id, await d.store.loadAdmins(), await d.store.loadCounters(), await d.store.loadHomeAssistant(), seq);
    await remote.#refreshTrust();
    return remote;
  }

  get panelId(): string {
    return this.#id.panelId;
  }

  get status(): LinkStatus {
    return this.#link?.status ?? 'offline';
  }

  get protocolVersion(): 4 | 5 | null {
    return this.#link?.protocolVersion ?? null;
  }

  get admins(): readonly AdminSummary[] {
    return this.#admins.map(({ id, role, label, pairedAt }) => ({ id, role, label, pairedAt }));
  }

  get offer(): PairingOffer | null {
    return this.#offer && this.#offer.expiresAt > this.#d.clock.now() ? this.#offer : null;
  }

  get homeAssistant(): boolean {
    return this.#ha.enabled;
  }

  /** Why Home Assistant cannot be turned on here; null where it can. */
  get homeAssistantBlocked(): string | null {
    return isSecureBrokerLink(this.#d.brokerUrl, this.#d.brokerLogin ?? null) ? null : HA_NEEDS_SECURE_LINK;
  }

  /** The broker this panel uses and whether it logs in there (for the admin screen). */
  get broker(): { readonly url: string; readonly loggedIn: boolean } {
    return { url: this.#d.brokerUrl, loggedIn: !!this.#d.brokerLogin };
  }

  /** Pairing requests that did not prove the code on screen (guesses, junk), since it was made. */
  get pairingRefusals(): number {
    return this.#pairingRefusals;
  }

  /** Status, admin list or pairing offer changed. */
  onChange(cb: () => void): () => void {
    return this.#events.on('change', cb);
  }

  start(): () => void {
    if (this.#link) throw new Error('PanelRemote already started');
    if (!this.#d.brokerUrl) {
      this.#d.log?.('[remote] no broker configured (no ?broker= and none from the panel server): remote admin is off');
      return () => {};
    }
    const link = this.#d.connect({
      url: this.#d.brokerUrl,
      clientId: `dw-panel-${this.#id.panelId}`,
      login: this.#d.brokerLogin ?? null,
      will: { topic: this.#t.lwt, payload: 'offline', retain: true },
      sessionExpirySeconds: this.#d.sessionExpirySeconds ?? 3600,
      ...(this.#d.backoff ? { backoff: this.#d.backoff } : {}),
      ...(this.#d.log ? { log: (m: string) => this.#d.log?.(`[remote] ${m}`) } : {}),
    });
    this.#link = link;
    const subs = [this.#t.cmdAll, this.#t.pair, ...(this.#ha.enabled ? [this.#t.haLockSet, HA_STATUS_TOPIC] : [])];
    void link.subscribe(subs);
    const offMessage = link.onMessage((m) => {
      this.#queue = this.#queue.then(() => this.#onMessage(m)).catch((err: unknown) => this.#d.log?.(`[remote] message handling failed: ${String(err)}`));
    });
    const offStatus = link.onStatus((s) => {
      this.#changed();
      if (s === 'online') void this.#onOnline();
    });
    const offEvents = this.#d.actions.onEvent((e) => void this.#onEvent(e));
    const stopFlushing = every(this.#d.clock, this.#d.flushIntervalMs ?? 5_000, () => void this.flush());
    const stopBeating = every(this.#d.clock, this.#heartbeat.everyMs, () => void this.#beat());
    return () => {
      stopFlushing();
      stopBeating();
      if (this.#stateTimer !== null) this.#d.clock.clearTimeout(this.#stateTimer);
      offEvents();
      offMessage();
      offStatus();
      this.#link = null;
      // A clean goodbye: say offline ourselves, since a normal disconnect suppresses the will.
      void link.publish(this.#t.lwt, 'offline', { qos: 1, retain: true }).catch(() => undefined).finally(() => void link.close());
    };
  }

  /** Wait until the messages received so far have been handled (tests, and orderly shutdown). */
  idle(): Promise<void> {
    return this.#queue;
  }

  // --- pairing and admins -------------------------------------------------------------------

  /** A new one-time code replaces any earlier one shown on this panel. */
  async createPairing(role: AdminRole = 'manager'): Promise<PairingOffer> {
    const now = this.#d.clock.now();
    // Asked for first: without a login of its own the phone could not reach a broker that asks for one.
    const phone = this.#d.phoneBroker ? await this.#d.phoneBroker(this.#id.panelId) : null;
    const code = newPairingCode(this.#admins.length === 0 && role !== 'bridge' ? 'owner' : role, now);
    this.#pending = [...this.#pending.filter((c) => c.expiresAt > now && c.code !== this.#offerCode), code];
    const payload = encodePairingPayload({ panelId: this.#id.panelId, brokerUrl: phone?.url ?? this.#d.brokerUrl, sign: this.#id.signingJwk, enc: this.#id.encryptionJwk, code: code.code, exp: code.expiresAt, ...(phone?.login ? { login: phone.login } : {}) });
    this.#offer = { payload, role: code.role, expiresAt: code.expiresAt };
    this.#offerCode = code.code;
    this.#pairingRefusals = 0;
    this.#changed();
    return this.#offer;
  }

  cancelPairing(): void {
    this.#pending = this.#pending.filter((c) => c.code !== this.#offerCode);
    this.#offer = null;
    this.#offerCode = null;
    this.#changed();
  }

  async unpair(adminId: string, by: string): Promise<boolean> {
    const admin = this.#admins.find((a) => a.id === adminId);
    if (!admin) return false;
    await this.#setAdmins(this.#admins.filter((a) => a.id !== adminId));
    await this.#audit({ outcome: 'unpaired', adminId, authentic: true, op: 'admin.unpair', reason: `by ${by}`, summary: `remote admin ${admin.label} (${short(adminId)}) unpaired by ${by === 'panel' ? 'the panel admin' : short(by)}` });
    return true;
  }

  async setHomeAssistant(enabled: boolean, code?: string): Promise<HaChange> {
    const blocked = enabled ? this.homeAssistantBlocked : null;
    if (blocked) {
      await this.#audit({ outcome: 'refused', adminId: null, authentic: true, op: 'ha.unlock', reason: 'insecureLink', summary: `Home Assistant not turned on (insecureLink): the broker link ${this.#d.brokerUrl} is not wss:// with a login` });
      return { ok: false, reason: blocked };
    }
    const next: HaSettings = { enabled, code: code ? await hashSecret(code) : enabled ? this.#ha.code : null };
    const was = this.#ha.enabled;
    this.#ha = next;
    await this.#d.store.saveHomeAssistant(next);
    const link = this.#link;
    if (link?.status === 'online') {
      if (enabled) {
        await link.subscribe([this.#t.haLockSet, HA_STATUS_TOPIC]);
        await this.#announceHa();
      } else if (was) {
        for (const m of removalMessages(this.#id.panelId, this.#t)) await link.publish(m.topic, m.payload, { qos: 1, retain: true });
      }
      await this.#publishConfig();
    }
    this.#changed();
    return { ok: true };
  }

  // --- outbound -------------------------------------------------------------------------------

  /** Sends what the outbox has due; single-flight, and a no-op while offline. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    // Cleared in a later tick: a drain that finishes at once must not leave a settled promise behind.
    const run = this.#drain().finally(() => {
      if (this.#flushing === run) this.#flushing = null;
    });
    this.#flushing = run;
    return run;
  }

  async #drain(): Promise<void> {
    for (let round = 0; round < 20 && this.#link?.status === 'online'; round++) {
      const { sent, failed } = await this.#d.outbox.flush((r) => this.#sendRecord(r), 50);
      if (failed > 0 || sent < 50) break;
    }
  }

  async #sendRecord(record: Parameters<Parameters<Outbox['flush']>[0]>[0]): Promise<void> {
    const link = this.#link;
    if (!link || link.status !== 'online') throw new Error('offline');
    const event = record.topic === 'events' ? toRemoteEvent(record) : null;
    if (!event) {
      this.#d.log?.(`[remote] dropping an outbox record that cannot be sent: ${record.id} (${record.topic})`);
      return;
    }
    // Nobody to tell: phones paired later read history with log.recent instead.
    if (this.#admins.length === 0) return;
    const seq = await this.#seq.next();
    const now = this.#d.clock.now();
    const env = await panelMessage('event', '*', this.#recipients(), event, this.#signer(), seq, now, EVENT_TTL_MS);
    await link.publish(this.#t.events, encodeEnvelope(env), { qos: 1, expirySeconds: EVENT_TTL_MS / 1000 });
  }

  /** The state, signed now: also the heartbeat that tells phones the panel is alive. */
  async publishState(): Promise<void> {
    const link = this.#link;
    if (!link || link.status !== 'online') return;
    const snap = this.#d.actions.snapshot();
    if (this.#admins.length === 0) {
      await link.publish(this.#t.state, '', { qos: 1, retain: true });
    } else {
      const seq = await this.#seq.next();
      const now = this.#d.clock.now();
      const env = await panelMessage('state', '*', this.#recipients(), { at: now, panel: { ...snap, online: true } }, this.#signer(), seq, now, this.#heartbeat.ttlMs);
      await link.publish(this.#t.state, encodeEnvelope(env), { qos: 1, retain: true });
    }
    if (this.#ha.enabled) {
      const v = snap.lastVisitor;
      for (const m of haStateMessages(this.#t, { lock: snap.doorOpen ? 'UNLOCKED' : 'LOCKED', door: snap.doorOpen ? 'open' : 'closed', lastVisitor: v ? { name: v.name ?? 'unknown', outcome: v.outcome, at: new Date(v.at).toISOString() } : null })) {
        await link.publish(m.topic, m.payload, { qos: 1, retain: true });
      }
    }
  }

  async #onOnline(): Promise<void> {
    const link = this.#link;
    if (!link) return;
    try {
      await link.publish(this.#t.lwt, 'online', { qos: 1, retain: true });
      await this.#publishConfig();
      await this.publishState();
      if (this.#ha.enabled) await this.#announceHa();
    } catch (err) {
      this.#d.log?.(`[remote] announcing failed: ${String(err)}`);
    }
    await this.flush();
  }

  async #beat(): Promise<void> {
    if (this.#admins.length === 0) return;
    try {
      if (this.#d.clock.now() - this.#configAt >= CONFIG_REFRESH_MS) await this.#publishConfig();
      await this.publishState();
    } catch (err) {
      this.#d.log?.(`[remote] heartbeat failed: ${String(err)}`);
    }
  }

  get #heartbeat(): { readonly everyMs: number; readonly ttlMs: number } {
    return this.#d.heartbeat ?? HEARTBEAT;
  }

  async #publishConfig(): Promise<void> {
    const link = this.#link;
    if (!link || link.status !== 'online') return;
    const seq = await this.#seq.next();
    const now = this.#d.clock.now();
    const config = {
      panelId: this.#id.panelId,
      sign: this.#id.signingJwk,
      enc: this.#id.encryptionJwk,
      admins: this.#admins.map((a) => ({ id: a.id, role: a.role })),
      mqtt: link.protocolVersion ?? 4,
      homeAssistant: this.#ha.enabled,
      updatedAt: now,
    };
    await link.publish(this.#t.config, encodeEnvelope(await configMessage(config, this.#signer(), seq, now)), { qos: 1, retain: true });
    this.#configAt = now;
  }

  /** The door was renamed: Home Assistant's retained device record is re-published with the new name. */
  async renamed(): Promise<void> {
    if (!this.#ha.enabled || this.#link?.status !== 'online') return;
    try {
      await this.#announceHa();
    } catch (err) {
      this.#d.log?.(`[remote] announcing the new door name failed: ${String(err)}`);
    }
  }

  async #announceHa(): Promise<void> {
    const link = this.#link;
    if (!link) return;
    for (const m of discoveryMessages(this.#id.panelId, this.#t, this.#d.siteName?.())) await link.publish(m.topic, m.payload, { qos: 1, retain: true });
    await this.publishState();
  }

  async #onEvent(e: EventRecord): Promise<void> {
    try {
      await this.#d.outbox.enqueue(e.id, 'events', remoteEventOf(e));
    } catch (err) {
      this.#d.log?.(`[remote] could not queue event ${e.id}: ${String(err)}`);
    }
    void this.flush();
    this.#stateSoon();
  }

  /** Bursts (a door cycle, several phones asking at once) publish one state, and the config with it when asked. */
  #stateSoon(withConfig = false): void {
    this.#configSoon ||= withConfig;
    if (this.#stateTimer !== null) return;
    this.#stateTimer = this.#d.clock.setTimeout(() => {
      this.#stateTimer = null;
      const config = this.#configSoon;
      this.#configSoon = false;
      void (config ? this.#publishConfig() : Promise.resolve())
        .then(() => this.publishState())
        .catch(() => undefined);
    }, 200);
  }

  // --- inbound --------------------------------------------------------------------------------

  async #onMessage(m: MqttMessage): Promise<void> {
    if (m.topic === HA_STATUS_TOPIC) {
      if (this.#ha.enabled && new TextDecoder().decode(m.payload) === 'online') await this.#announceHa();
      return;
    }
    const parsed = parseTopic(m.topic);
    if (!parsed || parsed.panelId !== this.#id.panelId) return;
    if (parsed.kind === 'cmd') return this.#onCommand(m, parsed.adminId);
    if (parsed.kind === 'pair') return this.#onPair(m);
    if (parsed.kind === 'haLockSet' && this.#ha.enabled) return this.#onHaLock(m);
  }

  async #onCommand(m: MqttMessage, topicAdmin: string): Promise<void> {
    if (m.payload.byteLength === 0) return; // our own clearing of a retained command
    if (m.retain) {
      await this.#refuse('retained', topicAdmin, false, null);
      // Clear it so the broker stops replaying it to every new session.
      await this.#link?.publish(m.topic, '', { qos: 1, retain: true }).catch(() => undefined);
      return;
    }
    const now = this.#d.clock.now();
    const r = await verifyCommand(m.payload, this.#trusted, this.#counters, now, { panelId: this.#id.panelId, ecdhPrivate: this.#id.ecdhKey });
    if (!r.ok) {
      if (r.consumeCounter !== null && r.adminId) await this.#storeCounter(r.adminId, r.consumeCounter);
      await this.#refuse(r.reason, r.adminId, r.authentic, r.op, r.problem);
      if (r.authentic && r.adminId && r.reason !== 'replayed') await this.#reply(r.adminId, { re: r.consumeCounter ?? 0, op: r.op, ok: false, reason: r.reason, ...(r.problem ? { problem: r.problem } : {}) });
      return;
    }
    if (r.adminId !== topicAdmin) {
      await this.#refuse('topicMismatch', r.adminId, true, r.body.op);
      return;
    }
    await this.#storeCounter(r.adminId, r.counter);
    let reply: CommandOutcome;
    try {
      reply = await runCommand(this.#commands, r.adminId, r.role, r.body);
    } catch (err) {
      reply = { ok: false, reason: 'failed', problem: err instanceof Error ? err.message : String(err) };
    }
    await this.#reply(r.adminId, { re: r.counter, op: r.body.op, ...reply });
  }

  async #onPair(m: MqttMessage): Promise<void> {
    if (m.payload.byteLength === 0) return;
    if (m.retain) return this.#pairUnproven('retained', null);
    const now = this.#d.clock.now();
    const live = this.#pending.filter((c) => c.expiresAt > now);
    if (live.length === 0) return this.#pairUnproven('noPairingOpen', null);
    const d = await acceptPairRequest(m.payload, { panelId: this.#id.panelId, ecdhPrivate: this.#id.ecdhKey, pending: live, admins: this.#admins, now });
    this.#pending = [...d.pending];
    if (!d.ok && !d.proven) return this.#pairUnproven(d.reason, d.source);
    if (!d.ok) {
      // It proved the code: someone who saw the QR, so it counts, is logged and answered.
      await this.#refuse(d.reason, d.requester?.id ?? d.source, d.requester !== null, 'pair');
      if (d.requester) await this.#replyTo(d.requester, { re: 0, op: 'pair', ok: false, reason: d.reason });
      if (!this.#pending.some((c) => c.code === this.#offerCode)) this.#offer = null;
      this.#changed();
      return;
    }
    if (!this.#pending.some((c) => c.code === this.#offerCode)) {
      this.#offer = null;
      this.#offerCode = null;
    }
    await this.#setAdmins([...this.#admins, d.admin]);
    await this.#audit({ outcome: 'paired', adminId: d.admin.id, authentic: true, op: 'pair', reason: d.admin.role, summary: `remote admin ${d.admin.label} (${short(d.admin.id)}) paired as ${d.admin.role}` });
    await this.#replyTo(d.admin, { re: 0, op: 'pair', ok: true, result: { role: d.admin.role, panelId: this.#id.panelId } });
  }

  /**
   * A request that did not prove a live code: dropped with no answer and nothing counted against
   * the code. It is shown on the panel while a code is up, and logged a few times a minute per
   * sender it claims to be (the audit's own limit then bounds a sender that renames itself).
   */
  async #pairUnproven(reason: PairRefusal | 'retained' | 'noPairingOpen', source: string | null): Promise<void> {
    const now = this.#d.clock.now();
    if (reason !== 'noPairingOpen' && this.offer) {
      this.#pairingRefusals++;
      this.#changed();
    }
    if (!allow(this.#unprovenPairLog, source ?? '', now, UNPROVEN_PAIR_LOG)) return;
    const what = reason === 'badCode' ? 'with a wrong code' : reason === 'noPairingOpen' ? 'while no pairing code is shown' : `(${reason})`;
    await this.#audit({ outcome: 'refused', adminId: source, authentic: false, op: 'pair', reason, summary: `pairing attempt ${what} refused${source ? ` (claims to be ${short(source)})` : ''}` });
  }

  async #onHaLock(m: MqttMessage): Promise<void> {
    if (m.retain || m.payload.byteLength === 0) return void (m.retain ? await this.#refuse('retained', HA_ACTOR, false, 'ha.unlock') : undefined);
    const cmd = parseHaLockCommand(m.payload);
    if (!cmd) return void (await this.#refuse('malformed', HA_ACTOR, false, 'ha.unlock'));
    if (cmd.action === 'LOCK') {
      if (this.#d.actions.lock) await this.#d.actions.lock(HA_ACTOR);
      await this.publishState();
      return;
    }
    // Stored as on before a link was secure, or the link changed since: refused, not trusted.
    if (this.homeAssistantBlocked) return void (await this.#refuse('insecureLink', HA_ACTOR, false, 'ha.unlock'));
    // Counted (and stored) before the code is checked, one check at a time, as at the PIN pad.
    const stored = this.#ha.code;
    const checked = await this.#haChecks.run(() =>
      countedCheck(this.#d.store.haLockout, this.#d.clock.now(), undefined, async () => stored !== null && (await verifySecret(cmd.code, stored)), (ok) => ok),
    );
    if (checked.kind === 'locked') return void (await this.#refuse('rateLimited', HA_ACTOR, false, 'ha.unlock'));
    if (!checked.ok) return void (await this.#refuse('badCode', HA_ACTOR, false, 'ha.unlock'));
    const r = await this.#d.actions.unlock(HA_ACTOR);
    if (r.opened) await this.#link?.publish(this.#t.haLockState, 'UNLOCKED', { qos: 1, retain: true }).catch(() => undefined);
  }

  // --- helpers --------------------------------------------------------------------------------

  async #refuse(reason: Refusal, adminId: string | null, authentic: boolean, op: Op | 'pair' | 'ha.unlock' | null, problem?: string): Promise<void> {
    const who = adminId ? `${authentic ? '' : 'claimed '}admin ${short(adminId)}` : 'unknown sender';
    await this.#audit({ outcome: 'refused', adminId, authentic, op, reason, summary: `remote ${op ?? 'command'} refused (${reason}${problem ? `: ${problem}` : ''}) from ${who}` });
  }

  async #audit(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    const now = this.#d.clock.now();
    const a = this.#audits;
    if (now - a.windowStart >= 60_000) {
      if (a.suppressed > 0) await this.#d.audit({ at: now, outcome: 'refused', adminId: null, authentic: false, op: null, reason: 'rateLimited', summary: `${a.suppressed} further remote refusals not logged one by one` });
      this.#audits = { windowStart: now, count: 0, suppressed: 0 };
    }
    if (entry.outcome === 'refused' && this.#audits.count >= AUDIT_PER_MINUTE) {
      this.#audits.suppressed++;
      return;
    }
    if (entry.outcome === 'refused') this.#audits.count++;
    this.#d.log?.(`[remote] ${entry.summary}`);
    try {
      await this.#d.audit({ at: now, ...entry });
    } catch (err) {
      this.#d.log?.(`[remote] audit failed: ${String(err)}`);
    }
  }

  async #reply(adminId: string, payload: WireReply): Promise<void> {
    const admin = this.#admins.find((a) => a.id === adminId);
    if (admin) await this.#replyTo(admin, payload);
  }

  async #replyTo(admin: PairedAdmin, payload: WireReply): Promise<void> {
    const link = this.#link;
    if (!link || link.status !== 'online') return;
    const seq = await this.#seq.next();
    const now = this.#d.clock.now();
    const env = await panelMessage('reply', admin.id, [{ kid: admin.id, ecdh: admin.encryptionJwk }], payload, this.#signer(), seq, now, 5 * 60_000);
    await link.publish(this.#t.reply(admin.id), encodeEnvelope(env), { qos: 1, expirySeconds: 300 }).catch((err: unknown) => this.#d.log?.(`[remote] reply lost: ${String(err)}`));
  }

  async #setAdmins(admins: PairedAdmin[]): Promise<void> {
    this.#admins = admins;
    await this.#d.store.saveAdmins(admins);
    await this.#refreshTrust();
    this.#changed();
    await this.#publishConfig().catch(() => undefined);
    await this.publishState().catch(() => undefined);
  }

  async #refreshTrust(): Promise<void> {
    const trusted = new Map<string, TrustedAdmin>();
    for (const a of this.#admins) {
      const verifyKey = await importVerifyKey(a.signingJwk);
      if (verifyKey) trusted.set(a.id, { role: a.role, verifyKey });
    }
    this.#trusted = trusted;
  }

  async #storeCounter(adminId: string, counter: number): Promise<void> {
    this.#counters.set(adminId, counter);
    await this.#d.store.saveCounter(adminId, counter);
  }

  #recipients() {
    return this.#admins.map((a) => ({ kid: a.id, ecdh: a.encryptionJwk }));
  }

  #signer() {
    return { panelId: this.#id.panelId, signingKey: this.#id.signingKey };
  }

  #changed(): void {
    this.#events.emit('change', null);
  }
}

const short = (id: string) => id.slice(0, 8);
