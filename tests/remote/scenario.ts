import { expect } from 'vitest';
import { generateKeyPairs } from '../../src/remote/keys.ts';
import { signCommand } from '../../src/remote/command.ts';
import { encodeEnvelope, parseEnvelope } from '../../src/remote/envelope.ts';
import { buildPairRequest, decodePairingPayload } from '../../src/remote/pairing.ts';
import { parsePublicJwk } from '../../src/remote/keys.ts';
import { encodeBase64Url } from '../../src/access/base64url.ts';
import { MemoryPanelStore, MemoryPhoneStore, memoryOutbox } from '../support/idb.ts';
import { FakePanelActions } from '../support/panel-actions.ts';
import type { MqttFactory, MqttLike, MqttMessage } from '../../src/remote/link.ts';
import type { PhoneAlert } from '../../src/remote/alerts.ts';
import { PanelRemote, type PanelRemoteDeps } from '../../src/remote/panel-remote.ts';
import { PhoneRemote } from '../../src/remote/phone-remote.ts';
import type { AuditEntry } from '../../src/remote/ports.ts';
import { topics } from '../../src/remote/topics.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { BrokerLogin } from '../../src/remote/broker-url.ts';

/**
 * The remote-admin scenarios, written once and run against every broker: the in-memory fake,
 * the embedded aedes broker of `npm start`, and a real Mosquitto. Only `BrokerUnderTest`
 * differs between them.
 */
export interface BrokerUnderTest {
  readonly url: string;
  readonly connect: MqttFactory;
  /** Where the broker asks for logins: the panel's, and a fresh one per phone pairing. */
  readonly panelLogin?: BrokerLogin;
  readonly phoneBroker?: (panelId: string) => Promise<{ readonly url: string; readonly login: BrokerLogin | null }>;
  /** Take the broker away and bring it back (same address). */
  stop(): Promise<void>;
  start(): Promise<void>;
}

const FAST = { baseMs: 100, maxMs: 800 } as const;

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface PanelUnderTest {
  readonly remote: PanelRemote;
  readonly actions: FakePanelActions;
  readonly outbox: ReturnType<typeof memoryOutbox>;
  readonly store: MemoryPanelStore;
  readonly audits: AuditEntry[];
  stop(): void;
}

export async function startPanel(b: BrokerUnderTest, o: Pick<PanelRemoteDeps, 'heartbeat'> & { store?: MemoryPanelStore } = {}): Promise<PanelUnderTest> {
  const actions = new FakePanelActions(systemClock);
  const outbox = memoryOutbox(systemClock);
  const store = o.store ?? new MemoryPanelStore();
  const audits: AuditEntry[] = [];
  const remote = await PanelRemote.create({ brokerUrl: b.url, ...(b.panelLogin ? { brokerLogin: b.panelLogin } : {}), ...(b.phoneBroker ? { phoneBroker: b.phoneBroker } : {}), connect: b.connect, store, outbox, actions, audit: (e) => void audits.push(e), clock: systemClock, flushIntervalMs: 200, backoff: FAST, ...(o.heartbeat ? { heartbeat: o.heartbeat } : {}) });
  const stop = remote.start();
  await waitFor('the panel online', () => remote.status === 'online');
  return { remote, actions, outbox, store, audits, stop };
}

export interface PhoneUnderTest {
  readonly phone: PhoneRemote;
  readonly store: MemoryPhoneStore;
  readonly alerts: PhoneAlert[];
  /** Every event the phone handed to its listeners, in order: a duplicate would show here. */
  readonly delivered: string[];
  stop(): void;
}

export async function startPhone(b: BrokerUnderTest, o: { store?: MemoryPhoneStore; log?: (m: string) => void; replyTimeoutMs?: number } = {}): Promise<PhoneUnderTest> {
  const store = o.store ?? new MemoryPhoneStore();
  const alerts: PhoneAlert[] = [];
  const delivered: string[] = [];
  const phone = await PhoneRemote.create({ store, connect: b.connect, clock: systemClock, notify: (a) => alerts.push(a), backoff: FAST, replyTimeoutMs: o.replyTimeoutMs ?? 8_000, ...(o.log ? { log: o.log } : {}) });
  phone.onEvent((e) => delivered.push(e.id));
  const stop = phone.start();
  return { phone, store, alerts, delivered, stop };
}

export async function pairPhone(panel: PanelUnderTest, phone: PhoneUnderTest, label = 'Ada phone'): Promise<void> {
  const offer = await panel.remote.createPairing();
  const r = await phone.phone.pair(offer.payload, label);
  expect(r).toEqual({ ok: true, role: panel.remote.admins.length === 1 ? 'owner' : 'manager' });
}

/** Pairing through the QR payload, then commands the panel carries out. */
export async function pairingAndCommands(b: BrokerUnderTest): Promise<void> {
  const panel = await startPanel(b);
  const phone = await startPhone(b);
  try {
    await pairPhone(panel, phone);
    expect(panel.remote.admins).toEqual([expect.objectContaining({ id: phone.phone.adminId, role: 'owner', label: 'Ada phone' })]);
    expect(panel.audits).toContainEqual(expect.objectContaining({ outcome: 'paired', adminId: phone.phone.adminId }));
    expect(panel.remote.offer).toBeNull();

    const added = await phone.phone.send({ op: 'person.add', name: 'Grace Hopper', role: 'resident', pin: '4821' });
    expect(added).toMatchObject({ ok: true, op: 'person.add', result: { personId: expect.any(String) } });
    expect([...panel.actions.people.values()].map((p) => p.name)).toEqual(['Grace Hopper']);
    expect(panel.actions.calls[0]).toMatchObject({ op: 'addPerson', adminId: phone.phone.adminId, args: { name: 'Grace Hopper', pin: '4821' } });

    const key = await phone.phone.send({ op: 'guestKey.issue', name: 'Courier', notBefore: Date.now(), expires: Date.now() + 3_600_000, maxUses: 1, selfEnrol: false });
    expect(key).toMatchObject({ ok: true, result: { token: expect.any(String), record: { name: 'Courier' } } });

    // A logged snapshot, only on the admin's request; one the panel no longer keeps is null.
    expect(await phone.phone.snapshot('snap-1')).toEqual(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
    expect(await phone.phone.snapshot('snap-gone')).toBeNull();

    const unlock = await phone.phone.send({ op: 'door.unlock' });
    expect(unlock).toMatchObject({ ok: true, result: { opened: true } });
    expect(panel.actions.doorOpen).toBe(true);
    await waitFor('the phone to see the door open', () => phone.phone.state?.panel.doorOpen === true);
    await waitFor('the unlock event on the phone', () => phone.phone.events.some((e) => e.summary.startsWith('grant remote')));
    expect(phone.phone.panelOnline).toBe(true);
    expect(phone.phone.config?.admins).toEqual([{ id: phone.phone.adminId, role: 'owner' }]);
  } finally {
    phone.stop();
    panel.stop();
  }
}

/** What a hostile broker (or anyone on it) can try: replay a captured command, sign with a key the panel never paired, forge the owner's id. */
export async function replayAndUnpaired(b: BrokerUnderTest): Promise<void> {
  const panel = await startPanel(b);
  const phone = await startPhone(b);
  const spy: MqttLike = b.connect({ url: b.url, clientId: `spy-${Math.random().toString(36).slice(2)}`, sessionExpirySeconds: 0, backoff: FAST });
  const captured: MqttMessage[] = [];
  spy.onMessage((m) => captured.push(m));
  try {
    await pairPhone(panel, phone);
    const t = topics(panel.remote.panelId);
    await spy.subscribe([`doorward/${panel.remote.panelId}/cmd/+`]);
    await waitFor('the spy online', () => spy.status === 'online');
    await new Promise((r) => setTimeout(r, 200));

    expect(await phone.phone.send({ op: 'door.unlock' })).toMatchObject({ ok: true });
    await waitFor('the spy to capture the command', () => captured.length > 0);
    const unlocksBefore = panel.actions.calls.filter((c) => c.op === 'unlock').length;

    // 1. The captured command, published again.
    await spy.publish(captured[0]!.topic, captured[0]!.payload, { qos: 1 });
    await waitFor('the replay refused', () => panel.audits.some((a) => a.reason === 'replayed'));
    expect(panel.audits.find((a) => a.reason === 'replayed')).toMatchObject({ outcome: 'refused', adminId: phone.phone.adminId, authentic: true });

    // 2. A well-formed command signed by a key the panel never paired.
    const stranger = await generateKeyPairs();
    const cfg = phone.phone.panel!;
    const strangerCmd = await signCommand({ op: 'door.unlock' }, { panelId: cfg.panelId, panelEcdh: cfg.enc, adminId: stranger.id, signingKey: stranger.signing.privateKey, counter: Date.now(), now: Date.now() });
    await spy.publish(t.cmd(stranger.id), encodeEnvelope(strangerCmd), { qos: 1 });
    await waitFor('the unpaired key refused', () => panel.audits.some((a) => a.reason === 'unpaired'));
    expect(panel.audits.find((a) => a.reason === 'unpaired')).toMatchObject({ adminId: stranger.id, authentic: false });

    // 3. The stranger claims to be the owner.
    const forged = { ...strangerCmd, from: phone.phone.adminId! };
    await spy.publish(t.cmd(phone.phone.adminId!), encodeEnvelope(forged), { qos: 1 });
    await waitFor('the forgery refused', () => panel.audits.some((a) => a.reason === 'badSignature'));

    await panel.remote.idle();
    expect(panel.actions.calls.filter((c) => c.op === 'unlock').length).toBe(unlocksBefore);
    // The phone still works after all that.
    expect(await phone.phone.send({ op: 'state.get' })).toMatchObject({ ok: true });
  } finally {
    await spy.close();
    phone.stop();
    panel.stop();
  }
}

/** The broker goes away; the panel keeps deciding and queueing; everything reaches the phone once. */
export async function outageAndRecovery(b: BrokerUnderTest): Promise<void> {
  const panel = await startPanel(b);
  const phone = await startPhone(b);
  try {
    await pairPhone(panel, phone);
    const before = panel.actions.decide('grant', 'grace');
    await waitFor('the first event on the phone', () => phone.delivered.includes(before.id));

    await b.stop();
    await waitFor('the panel to notice', () => panel.remote.status !== 'online');
    const during = [panel.actions.decide('grant', 'grace'), panel.actions.decide('deny', null, ['spoofAttempt']), panel.actions.ring(), panel.actions.decide('grant', 'alan')];
    // Decided locally, queued for later.
    await waitFor('the events queued', () => during.every((e) => panel.outbox.records.has(e.id)));
    expect(phone.delivered).not.toContain(during[0]!.id);

    await b.start();
    await waitFor('every queued event on the phone', () => during.every((e) => phone.delivered.includes(e.id)), 30_000);
    await waitFor('the outbox drained', () => panel.outbox.records.size === 0);
    // Catch-up and the live stream overlap on purpose; let any late duplicate arrive before counting.
    await new Promise((r) => setTimeout(r, 1500));
    const all = [before, ...during].map((e) => e.id);
    for (const id of all) expect(phone.delivered.filter((d) => d === id)).toHaveLength(1);
    expect(phone.phone.events.filter((e) => all.includes(e.id))).toHaveLength(all.length);
    expect(phone.alerts.map((a) => a.tag)).toEqual(expect.arrayContaining(['spoof', 'doorbell']));
    expect(phone.alerts.filter((a) => a.tag === 'spoof')).toHaveLength(1);
  } finally {
    phone.stop();
    panel.stop();
  }
}

/** Everything a client on the broker received on one panel's topics, newest last, by topic. */
function recorder(b: BrokerUnderTest): { link: MqttLike; on(topic: string): MqttMessage[] } {
  const link = b.connect({ url: b.url, clientId: `rec-${Math.random().toString(36).slice(2)}`, sessionExpirySeconds: 0, backoff: FAST });
  const seen: MqttMessage[] = [];
  link.onMessage((m) => seen.push(m));
  return { link, on: (topic) => seen.filter((m) => m.topic === topic && m.payload.byteLength > 0) };
}

/**
 * Anyone on the broker can re-publish, retained, what the panel once said (it is signed, so it
 * verifies) and an unsigned "offline" in the panel's last-will topic. Captured before the phone
 * paired: a config without it; before the door opened: a state with it closed. Neither a phone
 * open at the time nor one opened afterwards (on the same device) may believe any of it.
 */
export async function staleRetainedReplays(b: BrokerUnderTest): Promise<void> {
  const panel = await startPanel(b);
  const t = topics(panel.remote.panelId);
  const spy = recorder(b);
  const phone = await startPhone(b);
  let reopened: PhoneUnderTest | null = null;
  try {
    await spy.link.subscribe([`doorward/${panel.remote.panelId}/#`]);
    await waitFor('the config from before pairing', () => spy.on(t.config).length > 0);
    const unpairedConfig = spy.on(t.config)[0]!.payload;
    await pairPhone(panel, phone);
    await waitFor('the state with the door closed', () => phone.phone.state?.panel.doorOpen === false && spy.on(t.state).length > 0);
    const closedState = spy.on(t.state).at(-1)!.payload;

    expect(await phone.phone.send({ op: 'door.unlock' })).toMatchObject({ ok: true, result: { opened: true } });
    await waitFor('the phone to see the door open', () => phone.phone.state?.panel.doorOpen === true);
    expect([phone.phone.unpairedByPanel, phone.phone.panelOnline]).toEqual([false, true]);

    const logged: string[] = [];
    await spy.link.publish(t.config, unpairedConfig, { qos: 1, retain: true });
    await spy.link.publish(t.state, closedState, { qos: 1, retain: true });
    await spy.link.publish(t.lwt, 'offline', { qos: 1, retain: true });
    // The phone reopened after the replay meets the old messages first, as the broker keeps them.
    reopened = await startPhone(b, { store: phone.store, log: (m) => logged.push(m) });
    await waitFor('the reopened phone online', () => reopened?.phone.status === 'online');
    await waitFor('the reopened phone to show the door', () => reopened?.phone.state !== null, 10_000);
    await new Promise((r) => setTimeout(r, 600));
    for (const p of [phone.phone, reopened.phone]) {
      expect(p.state?.panel.doorOpen).toBe(true);
      expect(p.unpairedByPanel).toBe(false);
      expect(p.config?.admins.map((a) => a.id)).toEqual([phone.phone.adminId]);
      expect(p.panelOnline).toBe(true);
    }
    expect(logged.some((m) => /state from the broker dropped: older/.test(m))).toBe(true);
    expect(reopened.alerts.filter((a) => a.tag === 'panel-offline')).toEqual([]);
    expect(phone.alerts.filter((a) => a.tag === 'panel-offline')).toEqual([]);
  } finally {
    reopened?.stop();
    await spy.link.close();
    phone.stop();
    panel.stop();
  }
}

/**
 * Anyone on the broker has everything in the pairing QR code but the code: the panel's id and its
 * public keys are in its config. Requests made with guessed codes (and plain junk) while the QR is
 * on screen must not cost the real phone its pairing; the panel says someone tried.
 */
export async function bogusPairingProofs(b: BrokerUnderTest): Promise<void> {
  const panel = await startPanel(b);
  const t = topics(panel.remote.panelId);
  const attacker = recorder(b);
  const phone = await startPhone(b);
  try {
    await attacker.link.subscribe([t.config]);
    await waitFor('the public config', () => attacker.on(t.config).length > 0);
    const config = parseEnvelope(attacker.on(t.config)[0]!.payload);
    if (!config.ok || !config.env.body) throw new Error('no config');
    const [sign, enc] = [parsePublicJwk(config.env.body.sign), parsePublicJwk(config.env.body.enc)];
    if (!sign || !enc) throw new Error('no panel keys in the config');

    const offer = await panel.remote.createPairing();
    const real = decodePairingPayload(offer.payload)!;
    const BOGUS = 6;
    for (let i = 0; i < BOGUS; i++) {
      const guess = { v: 1 as const, panelId: panel.remote.panelId, brokerUrl: b.url, sign, enc, code: encodeBase64Url(crypto.getRandomValues(new Uint8Array(16))) };
      const req = await buildPairRequest(guess, await generateKeyPairs(), `evil ${i}`, Date.now());
      await attacker.link.publish(t.pair, encodeEnvelope(req), { qos: 1 });
    }
    // The real code's envelope, but with another proof pasted in; and plain junk.
    const stolen = parseEnvelope(encodeEnvelope(await buildPairRequest(real, await generateKeyPairs(), 'evil', Date.now())));
    if (!stolen.ok) throw new Error('setup');
    await attacker.link.publish(t.pair, encodeEnvelope({ ...stolen.env, body: { mac: encodeBase64Url(new Uint8Array(32)) } }), { qos: 1 });
    await attacker.link.publish(t.pair, 'not a pairing request', { qos: 1 });
    await waitFor('the panel to refuse them all', () => panel.remote.pairingRefusals >= BOGUS + 2, 10_000);
    await panel.remote.idle();
    expect(panel.remote.offer).not.toBeNull();
    expect(panel.audits.filter((a) => a.op === 'pair' && a.outcome === 'refused').length).toBeGreaterThanOrEqual(1);

    const r = await phone.phone.pair(offer.payload, 'Ada phone');
    expect(r).toEqual({ ok: true, role: 'owner' });
    expect(panel.remote.admins.map((a) => a.label)).toEqual(['Ada phone']);
    expect(panel.remote.pairingRefusals).toBe(BOGUS + 2);
  } finally {
    await attacker.link.close();
    phone.stop();
    panel.stop();
  }
}

/**
 * Ring pressed at the kiosk reaches every paired phone, as a notification and in its log, however
 * the link is doing; a stranger merely standing at the camera (decided again and again, never
 * ringing) notifies nobody by itself: the panel's visit rule speaks for them once.
 */
export async function ringReachesEveryPhone(b: BrokerUnderTest): Promise<void> {
  const panel = await startPanel(b);
  const owner = await startPhone(b);
  const manager = await startPhone(b);
  try {
    await pairPhone(panel, owner, 'owner phone');
    await pairPhone(panel, manager, 'manager phone');
    const strangers = [panel.actions.decide('ring', null), panel.actions.decide('ring', null), panel.actions.decide('ring', null)];
    const ring = panel.actions.ring();
    for (const p of [owner, manager]) {
      await waitFor('the ring on each phone', () => p.alerts.some((a) => a.tag === 'doorbell') && p.delivered.includes(ring.id));
      expect(p.phone.events.find((e) => e.id === ring.id)?.summary).toBe('doorbell rung at the door');
      await waitFor('the stranger attempts listed', () => strangers.every((s) => p.delivered.includes(s.id)));
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const p of [owner, manager]) expect(p.alerts.map((a) => a.tag)).toEqual(['doorbell']);
    // Rung while the broker was away: queued, and delivered once it is back.
    await b.stop();
    await waitFor('the panel to notice', () => panel.remote.status !== 'online');
    const later = panel.actions.ring();
    await b.start();
    for (const p of [owner, manager]) await waitFor('the later ring on each phone', () => p.delivered.includes(later.id), 30_000);
  } finally {
    owner.stop();
    manager.stop();
    panel.stop();
  }
}
