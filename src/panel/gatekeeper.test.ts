// The Gatekeeper against its boundary fakes (people, settings, log, key ring, door): one attempt at
// a time, the door's word on every grant, a pass's uses counted. The same paths run over real
// IndexedDB and WebCrypto in tests/browser/gatekeeper.browser.ts.
import { describe, expect, it } from 'vitest';
import { Gatekeeper, type DoorPort } from './gatekeeper.ts';
import { GuestKeyBook } from './guest-keys.ts';
import { PeopleAdmin } from '../people/people-admin.svelte.ts';
import { personErasure } from '../people/erasure.ts';
import type { DoorState } from '../access/types.ts';
import { FakeClock } from '../../tests/support/clock.ts';
import { MemoryPeopleRepo, MemorySettings, memoryEventLog, memoryKeyRing } from '../../tests/support/idb.ts';

class FakeDoor implements DoorPort {
  unlocks = 0;
  confirms = true;
  status(): DoorState {
    return { mode: 'normal', link: 'online', tamper: false };
  }
  async unlock(): Promise<boolean> {
    if (!this.confirms) return false;
    this.unlocks++;
    return true;
  }
}

async function panel() {
  const clock = new FakeClock();
  const people = new MemoryPeopleRepo();
  const settings = new MemorySettings();
  const log = memoryEventLog(clock);
  const keys = new GuestKeyBook(memoryKeyRing(), settings, clock, 'front-door');
  const door = new FakeDoor();
  const gatekeeper = new Gatekeeper({ clock, door, people, settings, log, keys, pulseMs: 300 });
  const admin = new PeopleAdmin(people, clock, () => undefined, personErasure({ forget: async () => undefined }, log, clock));
  const attempts = () => log.events.filter((e) => e.kind === 'attempt').map((e) => e.summary);
  return { clock, people, settings, log, keys, door, gatekeeper, admin, attempts };
}

describe('Gatekeeper', () => {
  it('opens for a right PIN only when the door controller confirms the pulse, and logs what happened', async () => {
    const p = await panel();
    await p.admin.add('Ada', 'resident', '2468', '');
    expect(await p.gatekeeper.pin('2468')).toMatchObject({ outcome: 'grant', name: 'Ada' });
    expect(p.door.unlocks).toBe(1);

    p.door.confirms = false;
    expect(await p.gatekeeper.pin('2468')).toMatchObject({ outcome: 'deny' });
    expect(p.attempts()).toEqual(['grant Ada by pin', 'deny Ada by pin']);
    expect(p.log.events.at(-1)?.detail).toMatchObject({ reasons: expect.arrayContaining(['doorOffline']) });
  });

  it('checks a burst of PINs one at a time: three checks, then locked out, the right PIN included', async () => {
    const p = await panel();
    await p.admin.add('Ada', 'resident', '2468', '');
    const burst = await Promise.all([...Array.from({ length: 10 }, (_, i) => p.gatekeeper.pin(`13${50 + i}`)), p.gatekeeper.pin('2468')]);
    expect(burst.filter((d) => d.type === 'decision' && d.outcome === 'grant')).toEqual([]);
    expect(burst.at(-1)).toMatchObject({ outcome: 'deny', reason: 'lockedOut' });
    expect(await p.settings.get('pinPadLockout')).toMatchObject({ failures: 3 });
    expect(p.door.unlocks).toBe(0);
    expect(await p.gatekeeper.pinLockedUntil()).toBeGreaterThan(p.clock.now());
  });

  it('decides a PIN sent by a remote admin on the pad\'s own failure count: guesses from afar lock the pad too, and the log says who carried the PIN', async () => {
    const p = await panel();
    await p.admin.add('Ada', 'resident', '2468', '');
    expect(await p.gatekeeper.remotePin('2468', 'bridge0123456789')).toMatchObject({ shown: { outcome: 'grant', name: 'Ada' }, personId: expect.any(String) });
    expect(p.log.events.at(-1)).toMatchObject({ summary: 'grant Ada by pin sent by remote admin bridge01', detail: { via: { adminId: 'bridge0123456789' }, credential: { kind: 'pin' } } });
    for (const guess of ['1111', '2222', '3333']) expect((await p.gatekeeper.remotePin(guess, 'bridge0123456789')).shown).toMatchObject({ outcome: 'deny' });
    // Locked for the pad as well as for the bridge: the right PIN, at either, waits out the back-off.
    expect(await p.gatekeeper.pin('2468')).toMatchObject({ outcome: 'deny', reason: 'lockedOut' });
    // A locked pad checks nothing, so the answer does not even say whose PIN it was.
    expect(await p.gatekeeper.remotePin('2468', 'bridge0123456789')).toEqual({ shown: expect.objectContaining({ outcome: 'deny', reason: 'lockedOut' }), personId: null });
    expect(p.door.unlocks).toBe(1);
  });

  it('names the bridge that carried a PIN in the log line, as the remote layer describes it (a voice assistant\'s unlock through Matter)', async () => {
    const p = await panel();
    await p.admin.add('Ada', 'resident', '2468', '');
    await p.gatekeeper.remotePin('2468', 'bridge0123456789', 'Matter bridge "Front door"');
    expect(p.log.events.at(-1)).toMatchObject({ summary: 'grant Ada by pin sent by Matter bridge "Front door" (bridge01)', detail: { via: { adminId: 'bridge0123456789', carrier: 'Matter bridge "Front door"' } } });
  });

  it('counts each entry of a guest key against the key, and refuses it once the uses are spent', async () => {
    const p = await panel();
    const { token } = await p.keys.issue({ name: 'Grace', notBefore: p.clock.now() - 60_000, expires: p.clock.now() + 86_400_000, maxUses: 2, selfEnrol: false });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await p.gatekeeper.guestKey(token)).shown);
    expect(outcomes.map((d) => (d.type === 'decision' ? d.outcome : d.type))).toEqual(['grant', 'grant', 'deny']);
    expect(p.door.unlocks).toBe(2);
    expect(Object.values((await p.settings.get('guestKeyUses')) ?? {})).toEqual([2]);
  });

  it('tells a guest whose key starts tomorrow when it opens, and opens nothing (issue #14)', async () => {
    const p = await panel();
    const opens = p.clock.now() + 86_400_000;
    const { token } = await p.keys.issue({ name: 'Grace', notBefore: opens, expires: opens + 3_600_000, maxUses: 1, selfEnrol: false });
    expect((await p.gatekeeper.guestKey(token)).shown).toEqual({ type: 'decision', outcome: 'deny', reason: 'keyNotYetValid', at: opens });
    expect(p.door.unlocks).toBe(0);
    expect((await p.settings.get('guestKeyUses')) ?? {}).toEqual({});
  });
});
