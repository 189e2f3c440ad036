import { describe, expect, it } from 'vitest';
import { MemoryPhoneDoors, MemoryPhoneStore } from '../../tests/support/idb.ts';
import { FakeBroker } from '../../tests/support/mqtt.ts';
import { startPanel, waitFor, type BrokerUnderTest, type PanelUnderTest } from '../../tests/remote/scenario.ts';
import { systemClock } from '../platform/clock.ts';
import type { PhoneAlert } from './alerts.ts';
import { brokerProblemFor, brokerSeenFrom } from './broker-url.ts';
import { generateKeyPairs } from './keys.ts';
import { encodePairingPayload, newPairingCode } from './pairing.ts';
import { adoptedDoorName, doorName, PhoneDoors } from './phone-doors.ts';
import { PhoneRemote } from './phone-remote.ts';
import { doorFromSinglePanel } from '../store/db.ts';

const FAST = { baseMs: 100, maxMs: 800 } as const;

function fake(): BrokerUnderTest & { broker: FakeBroker } {
  const broker = new FakeBroker();
  return { broker, url: 'ws://fake.invalid/mqtt', connect: broker.connect, stop: async () => broker.stop(), start: async () => broker.start() };
}

async function phoneDoors(b: BrokerUnderTest, store = new MemoryPhoneDoors(), alerts: PhoneAlert[] = []) {
  const doors = await PhoneDoors.create({ store, connect: b.connect, clock: systemClock, notify: (a) => alerts.push(a), backoff: FAST, replyTimeoutMs: 8_000 });
  const stop = doors.start();
  return { doors, store, alerts, stop: () => (stop(), doors.close()) };
}

async function pairWith(doors: PhoneDoors, panel: PanelUnderTest, name: string) {
  const offer = await panel.remote.createPairing();
  const r = await doors.pair(offer.payload, 'Ada phone', name);
  expect(r).toMatchObject({ ok: true, role: 'owner' });
  return r.ok ? r.panelId : '';
}

describe('one phone, several doors', () => {
  it('pairs two panels, each with its own keys and counter; sees both states, unlocks each; removing one leaves the other, across a reopen', async () => {
    const b = fake();
    const front = await startPanel(b);
    const back = await startPanel(b);
    const phone = await phoneDoors(b);
    try {
      const frontId = await pairWith(phone.doors, front, 'Front door');
      const backId = await pairWith(phone.doors, back, 'Back door');
      expect(phone.doors.doors.map((d) => d.name)).toEqual(['Front door', 'Back door']);
      const [f, k] = [phone.doors.door(frontId)!, phone.doors.door(backId)!];
      // Pairing and keys per panel: each panel knows this phone by a different admin id.
      expect(f.remote.adminId).not.toBe(k.remote.adminId);
      expect(front.remote.admins.map((a) => a.id)).toEqual([f.remote.adminId]);
      expect(back.remote.admins.map((a) => a.id)).toEqual([k.remote.adminId]);
      await waitFor('both doors online with a signed state', () => f.remote.panelOnline === true && k.remote.panelOnline === true && !!f.remote.state && !!k.remote.state);

      expect(await f.remote.send({ op: 'door.unlock' })).toMatchObject({ ok: true, result: { opened: true } });
      expect(back.actions.doorOpen).toBe(false);
      expect(await k.remote.send({ op: 'door.unlock' })).toMatchObject({ ok: true, result: { opened: true } });
      expect([front.actions.doorOpen, back.actions.doorOpen]).toEqual([true, true]);
      await waitFor('both doors shown open', () => f.remote.state?.panel.doorOpen === true && k.remote.state?.panel.doorOpen === true);

      // Command counters per panel, in each door's own store.
      const counters = [...phone.store.doors.values()].map((d) => d.store.counter);
      expect(counters.every((c) => c > 0)).toBe(true);
      expect(front.store.counters[f.remote.adminId!]).toBe(phone.store.doors.get(frontId)?.store.counter);
      expect(back.store.counters[k.remote.adminId!]).toBe(phone.store.doors.get(backId)?.store.counter);

      // One merged log, newest first, each line with its door.
      await waitFor('both grants in the merged log', () => phone.doors.events.filter((e) => e.event.summary.startsWith('grant remote')).length === 2);
      const grants = phone.doors.events.filter((e) => e.event.summary.startsWith('grant remote'));
      expect(new Set(grants.map((e) => e.door))).toEqual(new Set(['Front door', 'Back door']));
      const ats = phone.doors.events.map((e) => e.event.at);
      expect(ats).toEqual([...ats].sort((x, y) => y - x));

      await phone.doors.remove(frontId);
      expect(phone.doors.doors.map((d) => d.panelId)).toEqual([backId]);
      expect(phone.store.doors.has(frontId)).toBe(false);
      expect(await k.remote.send({ op: 'door.lock' })).toMatchObject({ ok: true, result: { locked: true } });
      expect(back.actions.doorOpen).toBe(false);
      phone.stop();

      const again = await phoneDoors(b, phone.store);
      try {
        expect(again.doors.doors.map((d) => [d.panelId, d.name])).toEqual([[backId, 'Back door']]);
        const door = again.doors.door(backId)!;
        await waitFor('the kept door online again', () => door.remote.status === 'online');
        expect(await door.remote.send({ op: 'door.unlock' })).toMatchObject({ ok: true, result: { opened: true } });
        expect(front.actions.calls.filter((c) => c.op === 'unlock')).toHaveLength(1);
      } finally {
        again.stop();
      }
    } finally {
      phone.stop();
      front.stop();
      back.stop();
    }
  }, 60_000);

  it('a pairing that fails adds no door and leaves the doors there were; a code from a known panel re-pairs that door', async () => {
    const b = fake();
    const front = await startPanel(b);
    const back = await startPanel(b);
    const phone = await phoneDoors(b);
    try {
      const frontId = await pairWith(phone.doors, front, '');
      const offer = await back.remote.createPairing();
      const wrong = offer.payload.replace(/.{4}$/, (s) => (s === 'AAAA' ? 'BBBB' : 'AAAA'));
      const failed = await phone.doors.pair(wrong, 'Ada phone', 'Back door');
      expect(failed.ok).toBe(false);
      expect(phone.doors.doors.map((d) => d.panelId)).toEqual([frontId]);
      expect([...phone.store.doors.keys()]).toEqual([frontId]);
      expect(await phone.doors.pair('https://example.com/menu', 'x', 'y')).toEqual({ ok: false, reason: 'That is not a Doorward pairing code.' });
      // A door paired without a typed name takes the name the panel gives itself.
      expect(phone.doors.doors[0]?.name).toBe('Front door');
      expect(doorName('  ', ['Door 1', 'Door 3'])).toBe('Door 2');
      expect(doorName(' Office ', [])).toBe('Office');
    } finally {
      phone.stop();
      front.stop();
      back.stop();
    }
  }, 30_000);

  it('a door paired without a typed name is called what the panel calls itself; a second of that name is numbered', async () => {
    const b = fake();
    const side = await startPanel(b);
    const front = await startPanel(b);
    const other = await startPanel(b);
    const phone = await phoneDoors(b);
    try {
      side.actions.settingsNow = { ...side.actions.settingsNow, doorName: 'Side gate' };
      await pairWith(phone.doors, side, '');
      await pairWith(phone.doors, front, '');
      await pairWith(phone.doors, other, '   ');
      expect(phone.doors.doors.map((d) => d.name)).toEqual(['Side gate', 'Front door', 'Front door 2']);
      expect(adoptedDoorName('', ['Door 1'])).toBe('Door 2');
      expect(adoptedDoorName(' Garage ', [])).toBe('Garage');
    } finally {
      phone.stop();
      side.stop();
      front.stop();
      other.stop();
    }
  }, 30_000);

  it('a door named after its panel follows a rename there; one named on the phone, or renamed on it, keeps its name', async () => {
    const b = fake();
    const side = await startPanel(b);
    const front = await startPanel(b);
    const phone = await phoneDoors(b);
    try {
      const sideId = await pairWith(phone.doors, side, '');
      const frontId = await pairWith(phone.doors, front, 'Our front door');
      expect(phone.doors.doors.map((d) => [d.name, d.followsPanel])).toEqual([['Front door', true], ['Our front door', false]]);

      // Renamed at the panel: its next signed state carries the name, and the phone takes it, and keeps it.
      side.actions.settingsNow = { ...side.actions.settingsNow, doorName: 'Side gate' };
      front.actions.settingsNow = { ...front.actions.settingsNow, doorName: 'Main entrance' };
      await Promise.all([side.remote.publishState(), front.remote.publishState()]);
      await waitFor('the side door renamed', () => phone.doors.door(sideId)?.name === 'Side gate');
      await waitFor('the front door state', () => phone.doors.door(frontId)?.remote.state?.panel.doorName === 'Main entrance');
      expect(phone.doors.door(frontId)?.name).toBe('Our front door');
      expect(phone.store.doors.get(sideId)).toMatchObject({ name: 'Side gate', followsPanel: true });

      // A panel renamed to a name another door has here is numbered, as at pairing.
      side.actions.settingsNow = { ...side.actions.settingsNow, doorName: 'Our front door' };
      await side.remote.publishState();
      await waitFor('numbered', () => phone.doors.door(sideId)?.name === 'Our front door 2');

      // Renamed on the phone: the phone's name from then on.
      await phone.doors.rename(sideId, 'Garden');
      side.actions.settingsNow = { ...side.actions.settingsNow, doorName: 'Back gate' };
      await side.remote.publishState();
      await waitFor('the side door state', () => phone.doors.door(sideId)?.remote.state?.panel.doorName === 'Back gate');
      expect(phone.doors.door(sideId)).toMatchObject({ name: 'Garden', followsPanel: false });
      expect(phone.store.doors.get(sideId)).toMatchObject({ name: 'Garden', followsPanel: false });
    } finally {
      phone.stop();
      side.stop();
      front.stop();
    }
  }, 30_000);

  it('notifications say which door when there are several', async () => {
    const b = fake();
    const front = await startPanel(b);
    const back = await startPanel(b);
    const alerts: PhoneAlert[] = [];
    const phone = await phoneDoors(b, new MemoryPhoneDoors(), alerts);
    try {
      await pairWith(phone.doors, front, 'Front door');
      await pairWith(phone.doors, back, 'Back door');
      back.actions.ring();
      await waitFor('the ring notified', () => alerts.length > 0);
      expect(alerts[0]?.title).toMatch(/^Back door: /);
    } finally {
      phone.stop();
      front.stop();
      back.stop();
    }
  }, 30_000);
});

describe('pairing that cannot silently fail', () => {
  async function code(brokerUrl: string) {
    const panel = await generateKeyPairs();
    return encodePairingPayload({ panelId: 'panel0000000001', brokerUrl, sign: panel.signingJwk, enc: panel.encryptionJwk, code: newPairingCode('owner', Date.now()).code, exp: Date.now() + 600_000 });
  }

  it('a code naming a loopback broker, opened on a phone at a LAN address, fails at once with the cause and the fix, touching no broker', async () => {
    const b = fake();
    const phone = await PhoneRemote.create({ store: new MemoryPhoneStore(), connect: b.connect, clock: systemClock, page: { protocol: 'https:', hostname: '192.168.1.20' } });
    const r = await phone.pair(await code('ws://127.0.0.1:8081'), 'Ada phone');
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/ws:\/\/127\.0\.0\.1:8081.*kiosk was opened at localhost.*"On the LAN".*Pair a phone again/) });
    expect(b.broker.log).toHaveLength(0);
    expect(phone.panel).toBeNull();
    phone.close();
  });

  it('a plain ws:// broker from an HTTPS page is named as what the browser refuses', async () => {
    const b = fake();
    const phone = await PhoneRemote.create({ store: new MemoryPhoneStore(), connect: b.connect, clock: systemClock, page: { protocol: 'https:', hostname: '192.168.1.20' } });
    const r = await phone.pair(await code('ws://192.168.1.20:8081'), 'Ada phone');
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/HTTPS.*will not open the plain ws:\/\/ broker.*wss:\/\//) });
    phone.close();
  });

  it('a broker that never answers ends the wait with the address, what to check and how to accept its certificate', async () => {
    const b = fake();
    b.broker.stop();
    const phone = await PhoneRemote.create({ store: new MemoryPhoneStore(), connect: b.connect, clock: systemClock, replyTimeoutMs: 300, backoff: FAST, page: { protocol: 'https:', hostname: '192.168.1.20' } });
    const r = await phone.pair(await code('wss://192.168.1.20:8091'), 'Ada phone');
    expect(r).toEqual({ ok: false, reason: 'This phone could not reach the broker at wss://192.168.1.20:8091 in 0.3 s. Check that the phone is on the same network as the panel and that the broker is running. If the broker uses the panel\'s self-signed certificate, open https://192.168.1.20:8091 once on this phone and accept it. Then pair again.' });
    expect(phone.panel).toBeNull();
    expect(phone.status).toBe('offline');
    phone.close();
  });

  it('the kiosk at its LAN address names its loopback broker by that address; at localhost it cannot, and the phone is told', () => {
    expect(brokerSeenFrom('ws://127.0.0.1:1884/mqtt', '192.168.1.20')).toBe('ws://192.168.1.20:1884/mqtt');
    expect(brokerSeenFrom('ws://localhost:1884', '192.168.1.20')).toBe('ws://192.168.1.20:1884');
    expect(brokerSeenFrom('ws://127.0.0.1:1884', 'localhost')).toBe('ws://127.0.0.1:1884');
    expect(brokerSeenFrom('wss://broker.example:8884', '192.168.1.20')).toBe('wss://broker.example:8884');
    // A phone on the same machine (the tests' phones, a developer's browser) is not warned off.
    expect(brokerProblemFor('ws://127.0.0.1:1884', { protocol: 'http:', hostname: 'localhost' })).toBeNull();
    expect(brokerProblemFor('wss://192.168.1.20:8091', { protocol: 'https:', hostname: '192.168.1.20' })).toBeNull();
    expect(brokerProblemFor('ws://127.0.0.1:1884', { protocol: 'http:', hostname: '192.168.1.30' })).toMatch(/this same machine/);
    expect(brokerProblemFor('wss://127.0.0.2:8091', { protocol: 'https:', hostname: '127.0.0.2' })).toBeNull();
  });
});

describe('a phone of one panel, upgraded', () => {
  it('its stored pairing becomes the first door, as it was', () => {
    const panel = { panelId: 'panel0000000001', brokerUrl: 'ws://192.168.1.20:8081', role: 'owner', pairedAt: 1_700_000_000_000 };
    const stored = { identity: { adminId: 'a1', clientId: 'dw-admin-a1' }, panel, counter: 42, seen: ['e1'], sequences: { panel0000000001: { panelId: 'panel0000000001', state: 5, config: 4, paired: 3 } } };
    expect(doorFromSinglePanel(stored)).toEqual({ panelId: 'panel0000000001', name: 'Door', addedAt: 1_700_000_000_000, followsPanel: true, ...stored });
    // Nothing paired (or forgotten): no door.
    expect(doorFromSinglePanel({ ...stored, panel: null })).toBeNull();
    expect(doorFromSinglePanel({ ...stored, identity: undefined })).toBeNull();
  });
});
