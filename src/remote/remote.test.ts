import { describe, expect, it } from 'vitest';
import { FakeBroker } from '../../tests/support/mqtt.ts';
import { FakePanelActions } from '../../tests/support/panel-actions.ts';
import { outageAndRecovery, pairingAndCommands, pairPhone, replayAndUnpaired, bogusPairingProofs, ringReachesEveryPhone, staleRetainedReplays, startPanel, startPhone, waitFor, type BrokerUnderTest } from '../../tests/remote/scenario.ts';
import { topics } from './topics.ts';
import { HA_STATUS_TOPIC } from './ha.ts';
import { signCommand } from './command.ts';
import { encodeEnvelope } from './envelope.ts';

function fake(o: ConstructorParameters<typeof FakeBroker>[0] = {}): BrokerUnderTest & { broker: FakeBroker } {
  const broker = new FakeBroker(o);
  return { broker, url: 'ws://fake.invalid/mqtt', connect: broker.connect, stop: async () => broker.stop(), start: async () => broker.start() };
}

type Started = { panel: Awaited<ReturnType<typeof startPanel>>; owner: Awaited<ReturnType<typeof startPhone>>; bridge: Awaited<ReturnType<typeof startPhone>> };

/** A panel with an owner phone and a Matter bridge paired, stopped after `body` whatever it does. */
async function withOwnerAndBridge(b: BrokerUnderTest, body: (s: Started) => Promise<void>): Promise<void> {
  const panel = await startPanel(b);
  const owner = await startPhone(b);
  const bridge = await startPhone(b);
  try {
    await pairPhone(panel, owner, 'owner phone');
    expect(await bridge.phone.pair((await panel.remote.createPairing('bridge')).payload, 'Matter bridge')).toEqual({ ok: true, role: 'bridge' });
    await body({ panel, owner, bridge });
  } finally {
    bridge.stop();
    owner.stop();
    panel.stop();
  }
}

describe('remote admin over the fake broker', () => {
  it('pairs through the QR payload and carries out signed commands', () => pairingAndCommands(fake()));
  it('refuses replayed, unpaired and forged commands, and logs them', () => replayAndUnpaired(fake()));
  it('delivers events queued during an outage exactly once (sessions kept)', () => outageAndRecovery(fake({ persistent: true })));
  it('delivers events queued during an outage exactly once (sessions lost: catch-up fills the gap)', () => outageAndRecovery(fake({ persistent: false })));
  it('a phone pairs whatever junk and guessed codes reach the panel while its QR is up, and the panel says someone tried', () => bogusPairingProofs(fake()), 60_000);
  it('Ring at the kiosk reaches every paired phone as a notification and a log line; a stranger standing there notifies by no attempt of theirs', () => ringReachesEveryPhone(fake()), 60_000);
  it('a re-published retained state, config and "offline" change nothing on a phone, open or reopened', () => staleRetainedReplays(fake()), 30_000);
  it('a person\'s thumbnail reaches the admin who asks (a reply, sealed to that phone); none kept reads as null; a bridge may not ask', async () => {
    await withOwnerAndBridge(fake(), async ({ panel, owner, bridge }) => {
      const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x42, 0x42, 0x42, 0x42, 0xff, 0xd9]);
      panel.actions.thumbnails.set('person-1', jpeg);
      expect(await owner.phone.thumbnail('person-1')).toEqual(jpeg);
      expect(await owner.phone.thumbnail('person-2')).toBeNull();
      await expect(bridge.phone.thumbnail('person-1')).rejects.toThrow(/^refused/);
    });
  });

  it('guest keys: an owner lists them and has one shown again; unknown and revoked keys are refused with the reason; a bridge may do neither (issue #14)', async () => {
    await withOwnerAndBridge(fake(), async ({ panel, owner, bridge }) => {
      const start = Date.now() + 86_400_000;
      const issued = await owner.phone.send({ op: 'guestKey.issue', name: 'Grace', notBefore: start, expires: start + 3_600_000, maxUses: 1, selfEnrol: false });
      if (!issued.ok) throw new Error('not issued');
      const keyId = issued.result.record.keyId;
      expect(await owner.phone.send({ op: 'guestKey.list' })).toMatchObject({ ok: true, result: [{ keyId, name: 'Grace', notBefore: start, uses: 0, revoked: false }] });
      expect(await owner.phone.send({ op: 'guestKey.show', keyId })).toMatchObject({ ok: true, result: { token: issued.result.token, record: { keyId } } });
      expect(await owner.phone.send({ op: 'guestKey.show', keyId: 'nobody' })).toMatchObject({ ok: false, reason: 'rejected', problem: 'No such guest key.' });
      expect(await bridge.phone.send({ op: 'guestKey.show', keyId })).toMatchObject({ ok: false, reason: 'forbidden' });
      expect(await bridge.phone.send({ op: 'guestKey.list' })).toMatchObject({ ok: false, reason: 'forbidden' });
      expect(await owner.phone.send({ op: 'guestKey.revoke', keyId })).toMatchObject({ ok: true });
      expect(await owner.phone.send({ op: 'guestKey.show', keyId })).toMatchObject({ ok: false, reason: 'rejected', problem: expect.stringMatching(/revoked/) });
      await panel.remote.idle();
      expect(panel.actions.calls.filter((c) => c.op === 'showGuestKey' && c.adminId === bridge.phone.adminId)).toHaveLength(0);
    });
  });

  it('falls back to MQTT 3.1.1 where the broker refuses 5', async () => {
    const b = fake({ versions: [4] });
    await pairingAndCommands(b);
  });

  it('a bridge pairs as a bridge: it locks, unlocks with a PIN and manages PINs; the panel refuses it everything else, and a person enrolled by face cannot be erased through it', async () => {
    await withOwnerAndBridge(fake(), async ({ panel, owner, bridge }) => {
      expect(panel.remote.admins.find((a) => a.label === 'Matter bridge')?.role).toBe('bridge');

      expect(await bridge.phone.send({ op: 'door.unlock' })).toMatchObject({ ok: false, reason: 'forbidden' });
      expect(await bridge.phone.send({ op: 'settings.set', patch: { pulseMs: 4000 } })).toMatchObject({ ok: false, reason: 'forbidden' });
      expect(await bridge.phone.send({ op: 'snapshot.get', snapshotId: 'snap-1' })).toMatchObject({ ok: false, reason: 'forbidden' });
      expect(await bridge.phone.send({ op: 'pairing.create', role: 'owner' })).toMatchObject({ ok: false, reason: 'forbidden' });
      await panel.remote.idle();
      expect(panel.actions.calls.map((c) => c.op)).not.toContain('unlock');
      expect(panel.actions.calls.map((c) => c.op)).not.toContain('updateSettings');
      expect(panel.audits.filter((a) => a.reason === 'forbidden' && a.adminId === bridge.phone.adminId)).toHaveLength(4);

      const added = await bridge.phone.send({ op: 'person.add', name: 'Grace', role: 'resident', pin: '4821' });
      expect(added).toMatchObject({ ok: true, result: { personId: expect.any(String) } });
      expect(await bridge.phone.send({ op: 'door.unlockPin', pin: '4821' })).toMatchObject({ ok: true, result: { opened: true } });
      expect(await bridge.phone.send({ op: 'door.lock' })).toMatchObject({ ok: true, result: { locked: true } });

      // Ada was enrolled by face at the panel: the bridge may clear her PIN, never erase her.
      const ada = (await owner.phone.send({ op: 'person.add', name: 'Ada', role: 'resident', pin: '7391' })) as { result: { personId: string } };
      const adaId = ada.result.personId;
      panel.actions.people.set(adaId, { ...panel.actions.people.get(adaId)!, templates: 3 });
      expect(await bridge.phone.send({ op: 'person.remove', personId: adaId })).toMatchObject({ ok: false, reason: 'forbidden', problem: expect.stringMatching(/^a bridge may not erase a person enrolled by face/) });
      expect(panel.actions.people.has(adaId)).toBe(true);
      expect(await bridge.phone.send({ op: 'person.update', personId: adaId, pin: null })).toMatchObject({ ok: true });
      // The owner still may.
      expect(await owner.phone.send({ op: 'person.remove', personId: adaId })).toMatchObject({ ok: true });
      expect(panel.actions.people.has(adaId)).toBe(false);
    });
  });

  it('lets the broker see topic names and ciphertext only', async () => {
    const b = fake();
    const panel = await startPanel(b);
    const phone = await startPhone(b);
    await pairPhone(panel, phone);
    await phone.phone.send({ op: 'person.add', name: 'Grace Hopper', role: 'resident', pin: '48213' });
    panel.actions.decide('grant', 'Grace Hopper');
    await waitFor('the event', () => phone.phone.events.some((e) => e.personId === 'Grace Hopper'));
    const wire = b.broker.log.map((r) => r.payload).join('\n');
    expect(wire).not.toContain('Grace');
    expect(wire).not.toContain('48213');
    expect(wire).not.toContain('Ada phone');
    phone.stop();
    panel.stop();
  });

  it('never acts on a retained command, and clears it', async () => {
    const b = fake();
    const panel = await startPanel(b);
    const phone = await startPhone(b);
    await pairPhone(panel, phone);
    const t = topics(panel.remote.panelId);
    panel.stop();
    await waitFor('panel offline', () => panel.remote.status === 'offline');
    // A genuine, fresh, never-used command, left retained on the broker.
    const id = phone.store.identity!;
    const cfg = phone.store.panel!;
    const cmd = await signCommand({ op: 'door.unlock' }, { panelId: cfg.panelId, panelEcdh: cfg.enc, adminId: id.adminId, signingKey: id.signingKey, counter: Date.now(), now: Date.now() });
    b.broker.plantRetained(t.cmd(id.adminId), encodeEnvelope(cmd));
    const again = await startPanelWith(b, panel);
    await waitFor('the retained command refused', () => again.audits.some((a) => a.reason === 'retained'));
    await again.remote.idle();
    expect(again.actions.calls.filter((c) => c.op === 'unlock')).toHaveLength(0);
    expect(b.broker.retained(t.cmd(id.adminId))).toBeUndefined();
    // The same admin's next live command still works: the retained one consumed nothing.
    expect(await phone.phone.send({ op: 'door.unlock' })).toMatchObject({ ok: true, result: { opened: true } });
    phone.stop();
    again.stop();
  });

  it('keeps managers to their role: no pairing, no unpairing', async () => {
    const b = fake();
    const panel = await startPanel(b);
    const owner = await startPhone(b);
    const manager = await startPhone(b);
    await pairPhone(panel, owner, 'owner');
    await pairPhone(panel, manager, 'manager');
    expect(panel.remote.admins.map((a) => a.role)).toEqual(['owner', 'manager']);
    expect(await manager.phone.send({ op: 'pairing.create', role: 'manager' })).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(await manager.phone.send({ op: 'admin.unpair', adminId: owner.phone.adminId! })).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(panel.audits.filter((a) => a.reason === 'forbidden')).toHaveLength(2);
    // An owner can open a pairing remotely and unpair the manager.
    expect(await owner.phone.send({ op: 'pairing.create', role: 'manager' })).toMatchObject({ ok: true, result: { payload: expect.stringMatching(/^DOORWARD-PAIR:/) } });
    expect(await owner.phone.send({ op: 'admin.unpair', adminId: manager.phone.adminId! })).toMatchObject({ ok: true });
    expect(panel.remote.admins.map((a) => a.id)).toEqual([owner.phone.adminId]);
    await waitFor('the manager to learn it was unpaired', () => manager.phone.unpairedByPanel);
    await expect(manager.phone.send({ op: 'state.get' })).rejects.toThrow('no answer');
    expect(panel.audits.some((a) => a.reason === 'unpaired' && a.adminId === manager.phone.adminId)).toBe(true);
    owner.stop();
    manager.stop();
    panel.stop();
  });

  it('refuses a pairing attempt with a wrong code, and one when no pairing is open', async () => {
    const b = fake();
    const panel = await startPanel(b);
    const phone = await startPhone(b);
    const offer = await panel.remote.createPairing();
    const wrong = offer.payload.replace(/.{4}$/, (s) => (s === 'AAAA' ? 'BBBB' : 'AAAA'));
    const r = await phone.phone.pair(wrong, 'x');
    expect(r.ok).toBe(false);
    expect(panel.remote.admins).toHaveLength(0);
    panel.remote.cancelPairing();
    const late = await phone.phone.pair(offer.payload, 'x').catch((e: unknown) => ({ ok: false, reason: String(e) }));
    expect(late.ok).toBe(false);
    expect(panel.audits.map((a) => a.reason)).toEqual(expect.arrayContaining(['noPairingOpen']));
    phone.stop();
    panel.stop();
  }, 40_000);

  it('publishes Home Assistant discovery when opted in and checks the unlock code', async () => {
    const b = secureFake();
    const panel = await startPanel(b);
    const t = topics(panel.remote.panelId);
    await panel.remote.setHomeAssistant(true, '2468');
    await waitFor('discovery', () => b.broker.retained(`homeassistant/lock/doorward_${panel.remote.panelId}/lock/config`) !== undefined);
    b.broker.inject(t.haLockSet, '{"action":"UNLOCK","code":"1111"}');
    await waitFor('wrong code refused', () => panel.audits.some((a) => a.op === 'ha.unlock' && a.reason === 'badCode'));
    expect(panel.actions.calls.some((c) => c.op === 'unlock')).toBe(false);
    b.broker.inject(t.haLockSet, '{"action":"UNLOCK","code":"2468"}');
    await waitFor('unlock from HA', () => panel.actions.calls.some((c) => c.op === 'unlock' && c.adminId === 'home-assistant'));
    // A retained unlock replayed on (re)subscribe is refused, whatever its code.
    await panel.remote.setHomeAssistant(false);
    b.broker.plantRetained(t.haLockSet, '{"action":"UNLOCK","code":"2468"}');
    await panel.remote.setHomeAssistant(true);
    await waitFor('retained HA command refused', () => panel.audits.some((a) => a.op === 'ha.unlock' && a.reason === 'retained'));
    expect(panel.actions.calls.filter((c) => c.op === 'unlock')).toHaveLength(1);
    // Re-announced when Home Assistant restarts.
    const before = b.broker.log.filter((r) => r.topic.endsWith('/lock/config')).length;
    b.broker.inject(HA_STATUS_TOPIC, 'online');
    await waitFor('re-announce', () => b.broker.log.filter((r) => r.topic.endsWith('/lock/config')).length > before);
    await panel.remote.setHomeAssistant(false);
    expect(b.broker.retained(`homeassistant/lock/doorward_${panel.remote.panelId}/lock/config`)).toBeUndefined();
    panel.stop();
  });
});

describe('Home Assistant unlock: safe by construction', () => {
  const UNLOCK = (code: string) => `{"action":"UNLOCK","code":"${code}"}`;

  it('stays off over ws:// or without a login: refused, logged, and the reason given', async () => {
    for (const b of [fake(), { ...fake(), url: 'wss://fake.invalid/mqtt' }, { ...fake(), panelLogin: { username: 'panel', password: 'pw' } }]) {
      const panel = await startPanel(b);
      expect(panel.remote.homeAssistantBlocked).toMatch(/encrypted, logged-in broker link/);
      expect(await panel.remote.setHomeAssistant(true, '2468')).toEqual({ ok: false, reason: panel.remote.homeAssistantBlocked });
      expect(panel.remote.homeAssistant).toBe(false);
      expect(panel.audits).toContainEqual(expect.objectContaining({ outcome: 'refused', op: 'ha.unlock', reason: 'insecureLink' }));
      panel.stop();
    }
  });

  it('refuses an unlock from Home Assistant, right code and all, once the link is no longer secure', async () => {
    const b = secureFake();
    const first = await startPanel(b);
    expect(await first.remote.setHomeAssistant(true, '2468')).toEqual({ ok: true });
    first.stop();
    // The same panel (same store), now pointed at a plain ws:// broker.
    const again = await startPanelWith({ ...b, url: 'ws://fake.invalid/mqtt' }, first);
    b.broker.inject(topics(again.remote.panelId).haLockSet, UNLOCK('2468'));
    await waitFor('refused', () => again.audits.some((a) => a.op === 'ha.unlock' && a.reason === 'insecureLink'));
    await again.remote.idle();
    expect(again.actions.calls.filter((c) => c.op === 'unlock')).toHaveLength(0);
    again.stop();
  });

  it('counts a burst of wrong codes one at a time, each before it is checked', async () => {
    const b = secureFake();
    const panel = await startPanel(b);
    await panel.remote.setHomeAssistant(true, '2468');
    const t = topics(panel.remote.panelId);
    for (let i = 0; i < 10; i++) b.broker.inject(t.haLockSet, UNLOCK(String(1000 + i)));
    // The right code straight after the burst: the back-off holds it too.
    b.broker.inject(t.haLockSet, UNLOCK('2468'));
    await waitFor('all handled', () => panel.audits.filter((a) => a.op === 'ha.unlock').length >= 11);
    await panel.remote.idle();
    const reasons = panel.audits.filter((a) => a.op === 'ha.unlock').map((a) => a.reason);
    // DEFAULT_LOCKOUT: three wrong codes are checked, then it waits; nothing else was even checked.
    expect(reasons).toEqual([...Array(3).fill('badCode'), ...Array(8).fill('rateLimited')]);
    expect(panel.store.haFailures.failures).toBe(3);
    expect(panel.store.haFailures.lockedUntil).toBeGreaterThan(Date.now());
    expect(panel.actions.calls.filter((c) => c.op === 'unlock')).toHaveLength(0);
    panel.stop();
  });

  it('keeps its back-off through a restart of the panel', async () => {
    const b = secureFake();
    const first = await startPanel(b);
    await first.remote.setHomeAssistant(true, '2468');
    const t = topics(first.remote.panelId);
    for (let i = 0; i < 3; i++) b.broker.inject(t.haLockSet, UNLOCK('1111'));
    await waitFor('three refused', () => first.audits.filter((a) => a.reason === 'badCode').length === 3);
    first.stop();
    const again = await startPanelWith(b, first);
    b.broker.inject(t.haLockSet, UNLOCK('2468'));
    await waitFor('the right code held back', () => again.audits.some((a) => a.op === 'ha.unlock' && a.reason === 'rateLimited'));
    await again.remote.idle();
    expect(again.actions.calls.filter((c) => c.op === 'unlock')).toHaveLength(0);
    again.stop();
  });
});

/** A broker the panel reaches over TLS with a login: where Home Assistant may be turned on. */
function secureFake(): BrokerUnderTest & { broker: FakeBroker } {
  return { ...fake(), url: 'wss://fake.invalid/mqtt', panelLogin: { username: 'panel-frontdoor', password: 'pw' } };
}

/** A second PanelRemote on the same identity and admins, as after a reload. */
async function startPanelWith(b: BrokerUnderTest, previous: Awaited<ReturnType<typeof startPanel>>) {
  const { PanelRemote } = await import('./panel-remote.ts');
  const { memoryOutbox } = await import('../../tests/support/idb.ts');
  const { systemClock } = await import('../platform/clock.ts');
  const actions = new FakePanelActions(systemClock);
  const audits: import('./ports.ts').AuditEntry[] = [];
  const remote = await PanelRemote.create({ brokerUrl: b.url, ...(b.panelLogin ? { brokerLogin: b.panelLogin } : {}), connect: b.connect, store: previous.store, outbox: memoryOutbox(systemClock), actions, audit: (e) => void audits.push(e), clock: systemClock });
  const stop = remote.start();
  await waitFor('panel online again', () => remote.status === 'online');
  return { remote, actions, audits, stop };
}
