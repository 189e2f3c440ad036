import { describe, expect, it } from 'vitest';
import { MemoryPanelStore } from '../../tests/support/idb.ts';
import { FakeBroker } from '../../tests/support/mqtt.ts';
import { admits, advance, newest, noSequences, PanelSequence, parseSequences, SEQUENCE_BLOCK, withSequences } from './sequence.ts';
import { topics } from './topics.ts';
import { pairPhone, startPanel, startPhone, waitFor, type BrokerUnderTest } from '../../tests/remote/scenario.ts';

function fake(): BrokerUnderTest & { broker: FakeBroker } {
  const broker = new FakeBroker();
  return { broker, url: 'ws://fake.invalid/mqtt', connect: broker.connect, stop: async () => broker.stop(), start: async () => broker.start() };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Beats fast enough for a test to see one lapse. */
const QUICK = { everyMs: 150, ttlMs: 600 } as const;

describe('the panel sequence', () => {
  it('only goes up: across a restart, and when the clock is set back', async () => {
    const store = new MemoryPanelStore();
    let now = Date.UTC(2026, 10, 25, 12);
    const first = await PanelSequence.load(store, () => now);
    const a = await first.next();
    const b = await first.next();
    expect(a).toBe(now);
    expect(b).toBe(now + 1);
    expect(store.sequenceCeiling).toBe(a + SEQUENCE_BLOCK);
    // Power cut: the panel comes back with its clock a day behind.
    now -= 86_400_000;
    const again = await PanelSequence.load(store, () => now);
    const c = await again.next();
    expect(c).toBeGreaterThan(b);
    expect(store.sequenceCeiling).toBeGreaterThan(c);
    const many = await Promise.all(Array.from({ length: 20 }, () => again.next()));
    expect(new Set(many).size).toBe(20);
    expect(Math.min(...many)).toBeGreaterThan(c);
  });

  it('a message that cannot be numbered safely is not sent', async () => {
    const store = new MemoryPanelStore();
    store.saveSequenceCeiling = () => Promise.reject(new Error('disk full'));
    const seq = await PanelSequence.load(store, () => Date.UTC(2026, 10, 25));
    await expect(seq.next()).rejects.toThrow('disk full');
  });
});

describe('what a phone remembers of it', () => {
  it('admits the same or newer per stream, keeps each panel apart, and reads damage as nothing seen', () => {
    const seen = advance(advance(noSequences('p1'), 'state', 100), 'config', 50);
    expect([admits(seen, 'state', 99), admits(seen, 'state', 100), admits(seen, 'state', 101)]).toEqual([false, true, true]);
    // The streams are ordered apart: a config signed before the latest state still counts.
    expect(admits(seen, 'config', 60)).toBe(true);
    const book = withSequences(withSequences(null, seen), advance(noSequences('p2'), 'state', 7));
    expect(parseSequences(book, 'p1')).toEqual(seen);
    expect(parseSequences(book, 'p2').state).toBe(7);
    expect(parseSequences({ p1: { ...seen, state: 'x' } }, 'p1').state).toBe(0);
    expect(parseSequences({ p1: { ...seen, panelId: 'p2' } }, 'p1')).toEqual(noSequences('p1'));
    expect(parseSequences('junk', 'p1')).toEqual(noSequences('p1'));
    expect(newest(seen, advance(noSequences('p1'), 'state', 120))).toMatchObject({ state: 120, config: 50 });
  });
});

describe('the panel online or offline, from signed heartbeats', () => {
  it('shows the panel offline once its signed state lapses, even when the broker swallows its last will, and online again when it beats', async () => {
    const b = fake();
    const panel = await startPanel(b, { heartbeat: QUICK });
    const phone = await startPhone(b);
    try {
      await pairPhone(panel, phone);
      await waitFor('the panel online', () => phone.phone.panelOnline === true);
      // Several beats come and go: still online, and nothing notified.
      await settle(QUICK.ttlMs * 2);
      expect(phone.phone.panelOnline).toBe(true);
      b.broker.silence(`dw-panel-${panel.remote.panelId}`);
      await waitFor('the panel shown offline, and said so', () => phone.phone.panelOnline === false && phone.alerts.length > 0, 5_000);
      expect(phone.alerts.map((a) => a.tag)).toEqual(['panel-offline']);
      // The last will never came: nothing unsigned said "offline".
      expect(b.broker.log.some((r) => r.topic === topics(panel.remote.panelId).lwt && r.payload === 'offline')).toBe(false);
      // Whatever the panel logged meanwhile is fetched once it is heard from again.
      const missed = panel.actions.decide('deny', null);
      await settle(300);
      expect(phone.delivered).not.toContain(missed.id);
      b.broker.silence(`dw-panel-${panel.remote.panelId}`, false);
      await waitFor('the panel online again', () => phone.phone.panelOnline === true, 5_000);
      await waitFor('the event logged while it was unheard', () => phone.delivered.includes(missed.id), 5_000);
      expect(phone.alerts.map((a) => a.tag)).toEqual(['panel-offline']);
    } finally {
      phone.stop();
      panel.stop();
    }
  });

  it('a last will is only a reason to ask: the panel that answers stays online, the one that does not is shown offline', { timeout: 40_000 }, async () => {
    const b = fake();
    const panel = await startPanel(b);
    const phone = await startPhone(b, { replyTimeoutMs: 1_500 });
    try {
      await pairPhone(panel, phone);
      await waitFor('the panel online', () => phone.phone.panelOnline === true);
      const t = topics(panel.remote.panelId);
      const mark = b.broker.log.length;
      for (let i = 0; i < 20; i++) b.broker.inject(t.lwt, 'offline', true);
      await settle(2_000);
      expect(phone.phone.panelOnline).toBe(true);
      expect(phone.alerts).toEqual([]);
      // A flood of wills is not a flood of questions to the panel.
      const asked = b.broker.log.slice(mark).filter((r) => r.topic === t.cmd(phone.phone.adminId!));
      expect(asked.length).toBeGreaterThanOrEqual(1);
      expect(asked.length).toBeLessThanOrEqual(2);
      // A clean goodbye: the panel says "offline" itself and then stops answering. Asked about
      // after the gap the flood used up, and shown offline when no answer comes.
      panel.stop();
      await waitFor('the panel shown offline, and said so', () => phone.phone.panelOnline === false && phone.alerts.length > 0, 25_000);
      expect(phone.alerts.map((a) => a.tag)).toEqual(['panel-offline']);
    } finally {
      phone.stop();
    }
  });

  it('an expired signed state is not shown as the door now, nor as the panel online', async () => {
    const b = fake();
    const panel = await startPanel(b, { heartbeat: QUICK });
    const phone = await startPhone(b);
    const logged: string[] = [];
    try {
      await pairPhone(panel, phone);
      await waitFor('a state', () => phone.phone.state !== null);
      phone.stop();
      const t = topics(panel.remote.panelId);
      const last = b.broker.retained(t.state);
      panel.stop();
      await settle(QUICK.ttlMs + 100);
      // The panel is gone; its last state is still retained (put back, as anyone could).
      b.broker.plantRetained(t.state, new TextDecoder().decode(last));
      const reopened = await startPhone(b, { store: phone.store, replyTimeoutMs: 1_000, log: (m) => logged.push(m) });
      try {
        await waitFor('the panel shown offline', () => reopened.phone.panelOnline === false, 5_000);
        expect(reopened.phone.state).toBeNull();
        expect(logged.some((m) => /state from the broker dropped: expired/.test(m))).toBe(true);
      } finally {
        reopened.stop();
      }
    } finally {
      phone.stop();
    }
  });
});
