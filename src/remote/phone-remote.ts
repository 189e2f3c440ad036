import type { Clock } from '../platform/clock.ts';
import { decodeBase64Url } from '../access/base64url.ts';
import { alertFor, DEFAULT_NOTIFY_RULES, mayNotify, PANEL_OFFLINE_ALERT, parseNotifyRules, type NotifyRules, type PhoneAlert } from './alerts.ts';
import { nextCounter, signCommand, type AdminRole, type CommandBody } from './command.ts';
import { isSafeInt } from './canonical.ts';
import { encodeEnvelope } from './envelope.ts';
import { generateKeyPairs, importVerifyKey } from './keys.ts';
import type { LinkStatus, MqttFactory, MqttLike, MqttMessage } from './link.ts';
import { openPanelMessage, parsePanelConfig, parseRemoteEvent, parseRemoteState, type NotOpened, type PanelConfig, type RemoteEvent, type RemoteState } from './messages.ts';
import { parseReply, refusalText, type Reply, type ReplyOp } from './replies.ts';
import { admits, advance, newest, noSequences, parseSequences, withSequences, type OrderedStream, type PanelSequences } from './sequence.ts';
import { buildPairRequest, checkPairingText } from './pairing.ts';
import type { PanelLinkInfo, PhoneIdentity, PhoneStore } from './ports.ts';
import { brokerProblemFor, brokerTimeoutText, type PageAt } from './broker-url.ts';
import { tabClientId, webLockTabs, type DeviceTabs, type TabSlot } from './tabs.ts';
import { parseTopic, topics, type Topics } from './topics.ts';
import { Events } from '../lib/events.ts';
import { say } from '../lib/words/index.ts';


/**
 * The phone's end: pairs once, then signs commands with a counter that survives reloads,
 * verifies and decrypts everything the panel sends, shows each access-log event once however
 * often it arrives, and raises a notification for the ones that matter.
 *
 * Each open tab is its own PhoneRemote with its own MQTT client id (see tabs.ts) and so its own
 * copy of every event; the log is de-duplicated per tab, notifications per device (the ids
 * already notified are stored), so a reload or a second tab still lists the recent log.
 *
 * Nothing from the broker is believed for being there: a panel message counts only while it is
 * within its signed lifetime, and a state or config only if it is not older (by the panel's
 * sequence) than the newest this device has believed, in any tab (sequence.ts). The panel is
 * online while this phone holds an unexpired signed state (its heartbeat); the broker's last
 * will is only a reason to ask the panel, never an answer.
 */
export interface PhoneRemoteDeps {
  readonly store: PhoneStore;
  readonly connect: MqttFactory;
  readonly clock: Clock;
  /** Defaults to the Notification API when the user has allowed it. */
  readonly notify?: (alert: PhoneAlert) => void;
  readonly log?: (msg: string) => void;
  readonly replyTimeoutMs?: number;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** This device's other tabs, met through the browser's Web Locks by default. */
  readonly tabs?: DeviceTabs;
  /** This tab's slot, when the page holds several doors (PhoneDoors claims one for all of them); claimed here otherwise. */
  readonly tab?: TabSlot;
  /** Where this page is, to tell before trying that a pairing code's broker is out of reach; `location` by default. */
  readonly page?: PageAt | null;
  /** Private keys that can be written to a file (the Matter bridge's store); in a browser they never are. */
  readonly extractableKeys?: boolean;
}

export type PairResult = { readonly ok: true; readonly role: AdminRole } | { readonly ok: false; readonly reason: string };

const MAX_EVENTS = 500;
const MAX_SEEN = 2000;
/** Events older than this that turn up after an outage go in the log without a notification. */
const NOTIFY_WITHIN_MS = 15 * 60_000;
/** Held by one tab of the device at a time (per panel: each door has its own counter) from taking a command counter until the broker has the command. */
const SEND_LOCK = 'doorward-phone-send';
const CATCH_UP_TRIES = 3;
const CATCH_UP_RETRY_MS = 3_000;
const EXPIRED_CODE = say('phone.pair.expired');
const NOT_ANSWERED = say('phone.pair.notAnswered');
/** Held by one tab at a time while it compares a panel message with what the device has believed, and stores the newer. */
const SEQUENCE_LOCK = 'doorward-phone-sequence';
/** How long a phone waits for the panel to answer "are you there?" before showing it offline. */
const PROBE_TIMEOUT_MS = 10_000;
/** Anyone can publish to the will topic: it makes a live panel be asked at most this often. */
const WILL_PROBE_GAP_MS = 15_000;

/** The panel did not answer in time (as opposed to this phone being offline). */
class NoAnswer extends Error {
  constructor() {
    super('no answer from the panel');
  }
}

/** What this phone can say about the panel: nothing yet, alive until a signed time, or gone. */
type Liveness = { readonly kind: 'unknown' } | { readonly kind: 'alive'; readonly until: number } | { readonly kind: 'gone' };

/**
 * What came back for one counter: the panel's opened reply (read by the op that was asked, see
 * #answer), or why nothing will.
 */
type Heard = { readonly kind: 'reply'; readonly payload: Record<string, unknown>; readonly seq: number } | { readonly kind: 'lost'; readonly reason: 'notSent' | 'disconnected' };

interface Answer<K extends ReplyOp> {
  readonly reply: Reply<K>;
  /** The panel's sequence number on the reply (0 for an answer made up here, such as "not sent"). */
  readonly seq: number;
}

export class PhoneRemote {
  readonly #d: PhoneRemoteDeps;
  readonly #tabs: DeviceTabs;
  readonly #tab: TabSlot;
  readonly #ownsTab: boolean;
  #identity: PhoneIdentity | null;
  #panel: PanelLinkInfo | null;
  #panelKey: CryptoKey | null = null;
  #link: MqttLike | null = null;
  #t: Topics | null = null;
  #events: RemoteEvent[] = [];
  #notifyRules: NotifyRules = DEFAULT_NOTIFY_RULES;
  /** Ids notified on this device (stored, shared by its tabs). */
  #seen: string[];
  #seenSet: Set<string>;
  /** Ids this tab has listed, in the order they came (the oldest are forgotten first). */
  readonly #shown = new Set<string>();
  #state: RemoteState | null = null;
  #config: PanelConfig | null = null;
  /** The newest state and config this device has believed (this tab's copy of the shared record). */
  #believed: PanelSequences;
  #liveness: Liveness = { kind: 'unknown' };
  #livenessTimer: ReturnType<typeof setTimeout> | undefined;
  /** Signed states believed so far: a probe that times out after one came proves nothing. */
  #beats = 0;
  #probing = false;
  #willProbedAt: number | null = null;
  #willTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #pending = new Map<number, (h: Heard) => void>();
  readonly #heard = new Events<{ event: RemoteEvent; change: null }>();
  #stopLink: (() => void) | null = null;
  /** The panel accepted us (now or in an earlier session), as opposed to a pairing in progress. */
  #confirmed: boolean;
  #seenTimer: ReturnType<typeof setTimeout> | null = null;
  #catchUpTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(d: PhoneRemoteDeps, tabs: DeviceTabs, tab: TabSlot, ownsTab: boolean, identity: PhoneIdentity | null, panel: PanelLinkInfo | null, seen: string[]) {
    this.#d = d;
    this.#tabs = tabs;
    this.#tab = tab;
    this.#ownsTab = ownsTab;
    this.#identity = identity;
    this.#panel = panel;
    this.#seen = seen.slice(-MAX_SEEN);
    this.#seenSet = new Set(this.#seen);
    this.#confirmed = panel !== null && identity !== null;
    this.#believed = noSequences(panel?.panelId ?? '');
  }

  static async create(d: PhoneRemoteDeps): Promise<PhoneRemote> {
    const tabs = d.tabs ?? webLockTabs(globalThis.navigator?.locks);
    const p = new PhoneRemote(d, tabs, d.tab ?? (await tabs.claim()), !d.tab, await d.store.loadIdentity(), await d.store.loadPanel(), await d.store.loadSeen());
    if (p.#panel) {
      p.#panelKey = await importVerifyKey(p.#panel.sign);
      p.#believed = parseSequences(await d.store.loadSequences(), p.#panel.panelId);
    }
    p.#notifyRules = parseNotifyRules(await d.store.loadNotifyRules());
    return p;
  }

  /** Which alerts this phone shows as notifications (its own choice; the panel logs them all). */
  get notifyRules(): NotifyRules {
    return this.#notifyRules;
  }

  async setNotifyRules(rules: NotifyRules): Promise<void> {
    const next = parseNotifyRules(rules);
    await this.#d.store.saveNotifyRules(next);
    this.#notifyRules = next;
    this.#changed();
  }

  get adminId(): string | null {
    return this.#identity?.adminId ?? null;
  }
  get panel(): PanelLinkInfo | null {
    return this.#panel;
  }
  get status(): LinkStatus {
    return this.#link?.status ?? 'offline';
  }
  /** True while this phone holds an unexpired signed state from the panel; null until it knows either way. */
  get panelOnline(): boolean | null {
    const l = this.#liveness;
    return l.kind === 'unknown' ? null : l.kind === 'alive' && l.until > this.#d.clock.now();
  }
  get state(): RemoteState | null {
    return this.#state;
  }
  get config(): PanelConfig | null {
    return this.#config;
  }
  /** True when the panel's signed config no longer lists this phone. */
  get unpairedByPanel(): boolean {
    return !!this.#config && !!this.#identity && !this.#config.admins.some((a) => a.id === this.#identity?.adminId);
  }
  /** Newest first, each id once. */
  get events(): readonly RemoteEvent[] {
    return this.#events;
  }

  onEvent(cb: (e: RemoteEvent) => void): () => void {
    return this.#heard.on('event', cb);
  }

  onChange(cb: () => void): () => void {
    return this.#heard.on('change', cb);
  }

  /** Connects to the paired panel's broker; a no-op until paired. */
  start(): () => void {
    if (this.#panel && !this.#link) this.#open(this.#panel);
    return () => this.stop();
  }

  stop(): void {
    this.#stopLink?.();
    this.#stopLink = null;
    const link = this.#link;
    this.#link = null;
    if (link) void link.close();
    clearTimeout(this.#catchUpTimer);
    clearTimeout(this.#livenessTimer);
    clearTimeout(this.#willTimer);
    this.#willTimer = undefined;
    if (this.#seenTimer) {
      clearTimeout(this.#seenTimer);
      this.#seenTimer = null;
      void this.#d.store.saveSeen(this.#seen);
    }
    this.#changed();
  }

  /** Stops, and frees this tab's slot for the next tab where it claimed it (closing the page does the same). */
  close(): void {
    this.stop();
    if (this.#ownsTab) this.#tab.release();
  }

  /** From the QR text (scanned or pasted): connect to its broker, prove the code, learn our role. */
  async pair(payloadText: string, label: string): Promise<PairResult> {
    const checked = checkPairingText(payloadText, this.#d.clock.now());
    if (!checked.ok) return { ok: false, reason: codeProblemText(checked.problem) };
    const payload = checked.payload;
    // Said now, in words with the fix, rather than found out by waiting for a broker that cannot answer.
    const unreachable = brokerProblemFor(payload.brokerUrl, this.#d.page === undefined ? pageOf(globalThis.location) : this.#d.page, say);
    if (unreachable) return { ok: false, reason: unreachable };
    if (!globalThis.crypto?.subtle) return { ok: false, reason: say('phone.pair.insecure') };
    const keys = await generateKeyPairs(this.#d.extractableKeys ?? false);
    const identity: PhoneIdentity = { adminId: keys.id, signingKey: keys.signing.privateKey, ecdhKey: keys.encryption.privateKey, signingJwk: keys.signingJwk, encryptionJwk: keys.encryptionJwk, clientId: `dw-admin-${keys.id.slice(0, 16)}` };
    this.stop();
    this.#confirmed = false;
    this.#identity = identity;
    this.#panelKey = await importVerifyKey(payload.sign);
    const candidate: PanelLinkInfo = { panelId: payload.panelId, brokerUrl: payload.brokerUrl, ...(payload.login ? { login: payload.login } : {}), sign: payload.sign, enc: payload.enc, role: 'manager', pairedAt: this.#d.clock.now() };
    this.#panel = candidate;
    this.#resetView(parseSequences(await this.#d.store.loadSequences(), candidate.panelId));
    const link = this.#open(candidate);
    let reachedBroker = false;
    try {
      const waitMs = this.#d.replyTimeoutMs ?? 20_000;
      await waitOnline(link, waitMs, () => brokerTimeoutText(payload.brokerUrl, +(waitMs / 1000).toFixed(1), say));
      reachedBroker = true;
      const heard = this.#await(0);
      const env = await buildPairRequest(payload, keys, label, this.#d.clock.now());
      await link.publish(topics(payload.panelId).pair, encodeEnvelope(env), { qos: 1, expirySeconds: 120 });
      const { reply: r, seq } = answer('pair', 0, await heard);
      if (!r.ok) throw new Error(refusalText(r));
      if (r.result.panelId !== candidate.panelId) throw new Error('the panel that answered is not the one in the pairing code');
      const role = r.result.role;
      await this.#markPaired(candidate.panelId, seq);
      await this.#d.store.saveIdentity(identity);
      this.#panel = { ...candidate, role };
      await this.#d.store.savePanel(this.#panel);
      await this.#d.store.saveCounter(0);
      this.#confirmed = true;
      this.#changed();
      void this.catchUp();
      return { ok: true, role };
    } catch (err) {
      this.stop();
      this.#panel = await this.#d.store.loadPanel();
      this.#identity = await this.#d.store.loadIdentity();
      this.#panelKey = this.#panel ? await importVerifyKey(this.#panel.sign) : null;
      this.#resetView(parseSequences(await this.#d.store.loadSequences(), this.#panel?.panelId ?? ''));
      this.#confirmed = this.#panel !== null && this.#identity !== null;
      if (this.#confirmed && this.#panel) this.#open(this.#panel);
      // A panel does not answer a request that fails to prove a code it holds (anyone could send
      // one): past the code's time, silence means expired; before it, a code that is not the one shown.
      const expired = reachedBroker && payload.exp !== undefined && this.#d.clock.now() > payload.exp;
      return { ok: false, reason: expired ? EXPIRED_CODE : err instanceof NoAnswer ? NOT_ANSWERED : err instanceof Error ? err.message : String(err) };
    }
  }

  /** Forget the panel here (the owner unpairs it on the panel side); a phone app removes the whole door instead (PhoneDoors). */
  async forget(): Promise<void> {
    this.stop();
    this.#panel = null;
    this.#confirmed = false;
    this.#events = [];
    this.#resetView(noSequences(''));
    await this.#d.store.savePanel(null);
    this.#changed();
  }

  /**
   * The picture logged with an access event, asked for by the admin (encrypted to this phone on
   * the way); null when the panel no longer keeps it. Throws on a refusal or a garbled answer.
   */
  async snapshot(snapshotId: string): Promise<Uint8Array | null> {
    return this.#picture({ op: 'snapshot.get', snapshotId }, 'snapshot');
  }

  /** A person's face thumbnail (encrypted to this phone on the way); null when the panel keeps none. Throws like `snapshot`. */
  async thumbnail(personId: string): Promise<Uint8Array | null> {
    return this.#picture({ op: 'person.thumbnail', personId }, 'thumbnail');
  }

  /** The JPEG a picture op answers with, read the one way both are sent (base64url, or null for none). */
  async #picture(body: { op: 'snapshot.get'; snapshotId: string } | { op: 'person.thumbnail'; personId: string }, what: string): Promise<Uint8Array | null> {
    const r = await this.send(body);
    if (!r.ok) throw new Error(`refused: ${refusalText(r)}`);
    if (r.result === null) return null;
    const bytes = decodeBase64Url(r.result);
    if (!bytes) throw new Error(`the panel sent a ${what} that could not be read`);
    return bytes;
  }

  /** Signs and sends one command, and waits for the panel's answer. */
  async send<C extends CommandBody>(body: C, ttlMs?: number): Promise<Reply<C['op']>> {
    return (await this.#send(body, ttlMs)).reply;
  }

  async #send<C extends CommandBody>(body: C, ttlMs?: number, answerWithinMs?: number): Promise<Answer<C['op']>> {
    const link = this.#link;
    const identity = this.#identity;
    const panel = this.#panel;
    if (!link || !identity || !panel) throw new Error('not paired');
    if (link.status !== 'online') throw new Error('offline');
    const { counter, heard } = await this.#tabs.exclusive(`${SEND_LOCK}:${panel.panelId}`, async () => {
      // Taken and stored before sending, so none is ever reused, by this tab or another.
      const counter = nextCounter(await this.#d.store.loadCounter(), this.#d.clock.now());
      await this.#d.store.saveCounter(counter);
      const env = await signCommand(body, { panelId: panel.panelId, panelEcdh: panel.enc, adminId: identity.adminId, signingKey: identity.signingKey, counter, now: this.#d.clock.now(), ...(ttlMs ? { ttlMs } : {}) });
      const heard = this.#await(counter, answerWithinMs);
      try {
        await link.publish(topics(panel.panelId).cmd(identity.adminId), encodeEnvelope(env), { qos: 1, expirySeconds: Math.ceil((env.exp - env.iat) / 1000) });
      } catch (err) {
        // Nothing will answer a command that never left: end its wait now.
        this.#pending.get(counter)?.({ kind: 'lost', reason: 'notSent' });
        this.#pending.delete(counter);
        throw err;
      }
      // Wrapped, so that the next sender does not wait for this answer, only for the broker.
      return { counter, heard };
    });
    return answer(body.op, counter, await heard);
  }

  /** Asks for the recent log: fills the gaps after an outage (duplicates fall away by id). */
  catchUp(limit = 100): Promise<void> {
    clearTimeout(this.#catchUpTimer);
    return this.#catchUp(limit, 1);
  }

  async #catchUp(limit: number, attempt: number): Promise<void> {
    try {
      const r = await this.send({ op: 'log.recent', limit });
      if (!r.ok) return void this.#d.log?.(`[phone] catch-up refused: ${refusalText(r)}`);
      // Oldest first, so notifications (if any) arrive in the order things happened.
      for (const e of [...r.result].reverse()) this.#deliver(e);
    } catch (err) {
      this.#d.log?.(`[phone] catch-up failed: ${String(err)}`);
      // Nothing else fills this gap before the next reconnect, so a panel too busy to answer is asked again.
      const link = this.#link;
      if (attempt < CATCH_UP_TRIES && link?.status === 'online') {
        this.#catchUpTimer = setTimeout(() => {
          if (this.#link === link) void this.#catchUp(limit, attempt + 1);
        }, CATCH_UP_RETRY_MS * attempt);
      }
    }
  }

  #open(panel: PanelLinkInfo): MqttLike {
    const identity = this.#identity;
    if (!identity) throw new Error('no identity');
    const t = topics(panel.panelId);
    this.#t = t;
    const link = this.#d.connect({
      url: panel.brokerUrl,
      login: panel.login ?? null,
      clientId: tabClientId(identity.clientId, this.#tab),
      sessionExpirySeconds: 7 * 86_400,
      ...(this.#d.backoff ? { backoff: this.#d.backoff } : {}),
      ...(this.#d.log ? { log: (m: string) => this.#d.log?.(`[phone] ${m}`) } : {}),
    });
    this.#link = link;
    void link.subscribe([t.reply(identity.adminId), t.events, t.state, t.config, t.lwt]);
    let wasOnline = false;
    const offMsg = link.onMessage((m) => void this.#onMessage(m).catch((err: unknown) => this.#d.log?.(`[phone] message dropped: ${String(err)}`)));
    const offStatus = link.onStatus((s) => {
      this.#changed();
      // Reconnected after a gap: fetch what the broker's session may not have kept, and ask the
      // panel for a fresh signed state rather than trust whatever the broker kept retained.
      if (s === 'online' && !wasOnline && this.#confirmed) {
        void this.catchUp();
        void this.#probe();
      }
      wasOnline = s === 'online';
    });
    this.#stopLink = () => {
      offMsg();
      offStatus();
      for (const [, resolve] of this.#pending) resolve({ kind: 'lost', reason: 'disconnected' });
      this.#pending.clear();
    };
    return link;
  }

  async #onMessage(m: MqttMessage): Promise<void> {
    const parsed = parseTopic(m.topic);
    const panel = this.#panel;
    const identity = this.#identity;
    const key = this.#panelKey;
    if (!parsed || !panel || !identity || !key || parsed.panelId !== panel.panelId || m.payload.byteLength === 0) return;
    if (parsed.kind === 'lwt') return this.#onWill(new TextDecoder().decode(m.payload));
    const k = { panelId: panel.panelId, panelVerifyKey: key, adminId: identity.adminId, ecdhPrivate: identity.ecdhKey };
    const now = this.#d.clock.now();
    switch (parsed.kind) {
      case 'reply': {
        if (parsed.adminId !== identity.adminId) return;
        const o = await openPanelMessage(m.payload, 'reply', k, now);
        // Read as the answer to what was asked (#send), so only the counter is taken here.
        const re = o.ok ? o.payload.re : null;
        if (!o.ok || !isSafeInt(re)) return this.#dropped('reply', o.ok ? 'unreadable' : o.reason);
        const resolve = this.#pending.get(re);
        this.#pending.delete(re);
        resolve?.({ kind: 'reply', payload: o.payload, seq: o.env.seq });
        return;
      }
      case 'events': {
        const o = await openPanelMessage(m.payload, 'event', k, now);
        const e = o.ok ? parseRemoteEvent(o.payload) : null;
        if (!o.ok || !e) return this.#dropped('event', o.ok ? 'unreadable' : o.reason);
        this.#deliver(e);
        return;
      }
      case 'state': {
        const o = await openPanelMessage(m.payload, 'state', k, now);
        const s = o.ok ? parseRemoteState(o.payload) : null;
        if (!o.ok || !s) return this.#dropped('state', o.ok ? 'unreadable' : o.reason);
        const { seq, exp } = o.env;
        await this.#believe(panel.panelId, 'state', seq, () => true, () => {
          this.#state = s;
          this.#alive(exp);
        });
        return;
      }
      case 'config': {
        const o = await openPanelMessage(m.payload, 'config', k, now);
        const c = o.ok ? parsePanelConfig(o.payload) : null;
        if (!o.ok || !c || c.panelId !== panel.panelId) return this.#dropped('config', o.ok ? 'unreadable' : o.reason);
        const seq = o.env.seq;
        const listsMe = c.admins.some((a) => a.id === identity.adminId);
        // A config that leaves this phone out counts only if it is newer than the pairing: one
        // from before it (kept by the broker, or re-published) says nothing about us.
        const believed = await this.#believe(panel.panelId, 'config', seq, (seen) => listsMe || seq > seen.paired, () => {
          this.#config = c;
          this.#changed();
        });
        const mine = c.admins.find((a) => a.id === identity.adminId);
        if (believed && mine && this.#panel === panel && mine.role !== panel.role) {
          this.#panel = { ...panel, role: mine.role };
          await this.#d.store.savePanel(this.#panel);
          this.#changed();
        }
        return;
      }
      default:
        return;
    }
  }

  #dropped(what: string, reason: NotOpened['reason'] | 'unreadable' | 'older'): void {
    this.#d.log?.(`[phone] ${what} from the broker dropped: ${reason === 'older' ? 'older than one already believed (replayed?)' : reason}`);
  }

  /**
   * Believes `apply` if the message numbered `seq` is not older on `stream` than anything this
   * device has believed, in this tab or another, and `fits` what was seen; stores the number
   * first, under the lock every tab takes for it, so two tabs cannot each believe a different past.
   */
  async #believe(panelId: string, stream: OrderedStream, seq: number, fits: (seen: PanelSequences) => boolean, apply: () => void): Promise<boolean> {
    const fast = this.#believed.panelId === panelId ? this.#believed : noSequences(panelId);
    const ok = admits(fast, stream, seq)
      ? await this.#tabs.exclusive(SEQUENCE_LOCK, async () => {
          // Paired elsewhere meanwhile: the message is for a panel this tab no longer follows.
          if (this.#panel?.panelId !== panelId) return true;
          const stored = await this.#d.store.loadSequences();
          const seen = newest(parseSequences(stored, panelId), fast);
          this.#believed = seen;
          if (!admits(seen, stream, seq) || !fits(seen)) return false;
          const next = advance(seen, stream, seq);
          if (next[stream] !== seen[stream]) await this.#d.store.saveSequences(withSequences(stored, next));
          this.#believed = next;
          apply();
          return true;
        })
      : false;
    if (!ok) this.#dropped(stream, 'older');
    return ok && this.#panel?.panelId === panelId;
  }

  /** The reply that paired us is the line before which a config leaving us out is old news. */
  async #markPaired(panelId: string, seq: number): Promise<void> {
    await this.#tabs.exclusive(SEQUENCE_LOCK, async () => {
      const stored = await this.#d.store.loadSequences();
      const seen = newest(parseSequences(stored, panelId), this.#believed.panelId === panelId ? this.#believed : noSequences(panelId));
      const next = { ...seen, paired: Math.max(seen.paired, seq) };
      await this.#d.store.saveSequences(withSequences(stored, next));
      this.#believed = next;
    });
  }

  #resetView(seen: PanelSequences): void {
    this.#state = null;
    this.#config = null;
    this.#believed = seen;
    this.#liveness = { kind: 'unknown' };
    clearTimeout(this.#livenessTimer);
  }

  /** A signed state good until `until`: the panel is alive until then (or a newer one says longer). */
  #alive(until: number): void {
    const was = this.#liveness;
    this.#beats++;
    const longest = was.kind === 'alive' ? Math.max(was.until, until) : until;
    this.#liveness = { kind: 'alive', until: longest };
    clearTimeout(this.#livenessTimer);
    this.#livenessTimer = setTimeout(() => this.#checkAlive(), Math.max(0, longest - this.#d.clock.now()) + 10);
    // The panel is back: anything it logged meanwhile may have gone out before we listened.
    if (was.kind === 'gone' && this.#confirmed) void this.catchUp();
    this.#changed();
  }

  #checkAlive(): void {
    const l = this.#liveness;
    if (l.kind !== 'alive') return;
    const left = l.until - this.#d.clock.now();
    if (left > 0) {
      this.#livenessTimer = setTimeout(() => this.#checkAlive(), left + 10);
      return;
    }
    this.#gone();
  }

  #gone(): void {
    const was = this.#liveness;
    this.#liveness = { kind: 'gone' };
    clearTimeout(this.#livenessTimer);
    if (was.kind === 'alive') this.#alert(PANEL_OFFLINE_ALERT);
    this.#changed();
  }

  /**
   * The retained "online"/"offline" is unsigned, and anyone on the broker can publish it: it only
   * makes the phone ask the panel. A fresh signed state answers; silence past the probe's wait
   * (with no signed state meanwhile) is what shows the panel offline.
   */
  #onWill(text: string): void {
    if ((text !== 'online' && text !== 'offline') || !this.#confirmed) return;
    const now = this.#d.clock.now();
    const last = this.#willProbedAt;
    // Asked lately: a flood of wills must not become a flood of commands, so the next question
    // waits for the gap (one pending at most), and a real goodbye is still asked about.
    if (last !== null && now >= last && now - last < WILL_PROBE_GAP_MS) {
      this.#willTimer ??= setTimeout(() => {
        this.#willTimer = undefined;
        this.#willProbedAt = this.#d.clock.now();
        void this.#probe();
      }, WILL_PROBE_GAP_MS - (now - last));
      return;
    }
    this.#willProbedAt = now;
    void this.#probe();
  }

  async #probe(): Promise<void> {
    if (this.#probing || !this.#confirmed) return;
    this.#probing = true;
    const beats = this.#beats;
    try {
      // The panel answers, and publishes a fresh signed state for every phone.
      await this.#send({ op: 'state.get' }, undefined, Math.min(PROBE_TIMEOUT_MS, this.#d.replyTimeoutMs ?? 20_000));
    } catch (err) {
      if (err instanceof NoAnswer && this.#beats === beats) this.#gone();
      else if (!(err instanceof NoAnswer)) this.#d.log?.(`[phone] could not ask the panel: ${String(err)}`);
    } finally {
      this.#probing = false;
    }
  }

  #deliver(e: RemoteEvent): void {
    if (this.#shown.has(e.id)) return;
    this.#shown.add(e.id);
    if (this.#shown.size > MAX_SEEN) this.#shown.delete(this.#shown.values().next().value ?? '');
    this.#events = [e, ...this.#events].sort((a, b) => b.at - a.at).slice(0, MAX_EVENTS);
    this.#heard.emit('event', e);
    if (!this.#seenSet.has(e.id)) {
      this.#seenSet.add(e.id);
      this.#seen.push(e.id);
      if (this.#seen.length > MAX_SEEN) this.#seenSet.delete(this.#seen.shift() ?? '');
      this.#scheduleSeenSave();
      const alert = alertFor(e);
      if (alert && this.#d.clock.now() - e.at < NOTIFY_WITHIN_MS) this.#alert(alert);
    }
    this.#changed();
  }

  #scheduleSeenSave(): void {
    if (this.#seenTimer) return;
    this.#seenTimer = setTimeout(() => {
      this.#seenTimer = null;
      void this.#d.store.saveSeen(this.#seen);
    }, 500);
  }

  #alert(a: PhoneAlert): void {
    if (!mayNotify(a, this.#notifyRules)) return;
    try {
      (this.#d.notify ?? browserNotify)(a);
    } catch (err) {
      this.#d.log?.(`[phone] notification failed: ${String(err)}`);
    }
  }

  #await(re: number, withinMs = this.#d.replyTimeoutMs ?? 20_000): Promise<Heard> {
    return new Promise<Heard>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(re);
        reject(new NoAnswer());
      }, withinMs);
      this.#pending.set(re, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
    });
  }

  #changed(): void {
    this.#heard.emit('change', null);
  }
}

/** What was heard for counter `re`, as the answer to `op`: a reply that does not read as one is a refusal `unreadable`. */
function answer<K extends ReplyOp>(op: K, re: number, h: Heard): Answer<K> {
  if (h.kind === 'lost') return { reply: { re, op, ok: false, reason: h.reason }, seq: 0 };
  return { reply: parseReply(op, h.payload) ?? { re, op, ok: false, reason: 'unreadable', problem: 'the panel sent a reply with no answer in it' }, seq: h.seq };
}

function waitOnline(link: MqttLike, timeoutMs: number, why: () => string): Promise<void> {
  if (link.status === 'online') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(why()));
    }, timeoutMs);
    const off = link.onStatus((s) => {
      if (s !== 'online') return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

const pageOf = (l: Location | undefined): PageAt | null => (l ? { protocol: l.protocol, hostname: l.hostname } : null);

/** Why a pairing code was not tried, in words. */
export const codeProblemText = (problem: 'expired' | 'notPairing'): string => (problem === 'expired' ? EXPIRED_CODE : say('phone.pair.notPairingCode'));

/** The Notification API, where the user allowed it (the default notify). */
export function browserNotify(a: PhoneAlert): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  new Notification(a.title, { body: a.body, tag: a.tag });
}
