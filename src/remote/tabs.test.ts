import { describe, expect, it } from 'vitest';
import { MemoryPhoneStore } from '../../tests/support/idb.ts';
import { FakeLocks } from '../../tests/support/locks.ts';
import { FakeBroker } from '../../tests/support/mqtt.ts';
import type { PhoneAlert } from './alerts.ts';
import { PhoneRemote } from './phone-remote.ts';
import { tabClientId, webLockTabs, type DeviceTabs } from './tabs.ts';
import { topics } from './topics.ts';
import { pairPhone, startPanel, waitFor, type BrokerUnderTest, type PhoneUnderTest } from '../../tests/remote/scenario.ts';
import { systemClock } from '../platform/clock.ts';
import { settle } from '../../tests/support/clock.ts';

function fake(): BrokerUnderTest & { broker: FakeBroker } {
  const broker = new FakeBroker();
  return { broker, url: 'ws://fake.invalid/mqtt', connect: broker.connect, stop: async () => broker.stop(), start: async () => broker.start() };
}

/** One phone: what its tabs share (IndexedDB, the Web Locks of its browser). */
function device() {
  return { store: new MemoryPhoneStore(), locks: new FakeLocks() };
}

/** A tab of the phone app on that device, as main.ts boots one. */
async function openTab(b: BrokerUnderTest, d: ReturnType<typeof device>, tabs: DeviceTabs = webLockTabs(d.locks), replyTimeoutMs = 8_000): Promise<PhoneUnderTest & { close(): void; logged: string[] }> {
  const alerts: PhoneAlert[] = [];
  const delivered: string[] = [];
  const logged: string[] = [];
  const phone = await PhoneRemote.create({ store: d.store, connect: b.connect, clock: systemClock, notify: (a) => alerts.push(a), backoff: { baseMs: 100, maxMs: 800 }, replyTimeoutMs, tabs, log: (m) => logged.push(m) });
  phone.onEvent((e) => delivered.push(e.id));
  const stop = phone.start();
  return { phone, store: d.store, alerts, delivered, logged, stop, close: () => phone.close() };
}

/** Client ids as the broker saw them on this admin's command topic, from log entry `since` on. */
function commandSenders(b: ReturnType<typeof fake>, panelId: string, adminId: string, since = 0): string[] {
  return [...new Set(b.broker.log.slice(since).filter((r) => r.topic === topics(panelId).cmd(adminId)).map((r) => r.from))];
}

type Tab = Awaited<ReturnType<typeof openTab>>;
interface PairedPhone {
  readonly b: ReturnType<typeof fake>;
  readonly panel: Awaited<ReturnType<typeof startPanel>>;
  readonly d: ReturnType<typeof device>;
  readonly a: Tab;
}

/** A panel and the first tab of a phone paired with it, both shut after `body`, pass or fail. */
async function withPairedTab(body: (p: PairedPhone) => Promise<void>, tabsOf: (d: ReturnType<typeof device>) => DeviceTabs = (d) => webLockTabs(d.locks)): Promise<void> {
  const b = fake();
  const panel = await startPanel(b);
  const d = device();
  const a = await openTab(b, d, tabsOf(d));
  try {
    await pairPhone(panel, a);
    await body({ b, panel, d, a });
  } finally {
    a.close();
    panel.stop();
  }
}

/** Another tab of the same phone for `body`, closed after it. */
async function withSecondTab(p: PairedPhone, body: (second: Tab) => Promise<void>, tabs?: DeviceTabs, replyTimeoutMs?: number): Promise<void> {
  const second = await openTab(p.b, p.d, tabs, replyTimeoutMs);
  try {
    await body(second);
  } finally {
    second.close();
  }
}

describe('tab slots', () => {
  it('gives each open tab the lowest free number and takes it back when the tab closes', async () => {
    const locks = new FakeLocks();
    const tabs = webLockTabs(locks);
    const first = await tabs.claim();
    const second = await tabs.claim();
    expect([first.index, second.index]).toEqual([0, 1]);
    expect(tabClientId('dw-admin-abc', first)).toBe('dw-admin-abc');
    expect(tabClientId('dw-admin-abc', second)).toBe('dw-admin-abc-t1');
    first.release();
    await waitFor('the lock to be let go', () => !locks.held.includes('doorward-phone-tab-0'));
    expect((await tabs.claim()).index).toBe(0);
    expect((await tabs.claim()).index).toBe(2);
    expect(locks.held).toHaveLength(3);
  });

  it('without Web Locks, or where they are refused, each page still gets a number of its own', async () => {
    const none = webLockTabs(undefined);
    const a = await none.claim();
    const b = await none.claim();
    expect(a.index).toBeGreaterThan(0);
    expect(a.index).not.toBe(b.index);
    const refusing = webLockTabs({ request: () => Promise.reject(new DOMException('opaque origin', 'SecurityError')) });
    expect((await refusing.claim()).index).toBeGreaterThan(0);
  });

  it('runs one section at a time across the tabs, and a failed one does not hold up the next', async () => {
    const locks = new FakeLocks();
    const trace: string[] = [];
    const section = (tabs: DeviceTabs, who: string, fail = false) =>
      tabs.exclusive('send', async () => {
        trace.push(`${who} in`);
        // Gives the others every chance to step in, were the sections not kept apart.
        await settle();
        trace.push(`${who} out`);
        if (fail) throw new Error(`${who} failed`);
        return who;
      });
    const [a, b] = [webLockTabs(locks), webLockTabs(locks)];
    const results = await Promise.allSettled([section(a, 'a', true), section(b, 'b'), section(a, 'c')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(trace).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    expect(locks.held).toEqual([]);
    // Without Web Locks a page still keeps its own sections apart.
    trace.length = 0;
    const alone = webLockTabs(undefined);
    expect(await Promise.all([section(alone, 'x'), section(alone, 'y')])).toEqual(['x', 'y']);
    expect(trace).toEqual(['x in', 'x out', 'y in', 'y out']);
  });
});

describe('two tabs of one phone', () => {
  it('both stay connected and both get each live event once', () =>
    withPairedTab((p) => {
      const { b, panel, d, a } = p;
      return withSecondTab(p, async (second) => {
        await waitFor('the second tab online', () => second.phone.status === 'online');
        // The fake broker drops a pushed-off tab at once: one turn of the event loop shows it.
        await settle();
        expect([a.phone.status, second.phone.status]).toEqual(['online', 'online']);

        const refusal = panel.actions.decide('deny', null, ['spoofAttempt']);
        await waitFor('the refusal in both tabs', () => a.delivered.includes(refusal.id) && second.delivered.includes(refusal.id));
        expect(await a.phone.send({ op: 'state.get' })).toMatchObject({ ok: true });
        expect(await second.phone.send({ op: 'state.get' })).toMatchObject({ ok: true });
        // Live stream and catch-up overlap (each tab asks for the recent log once more): still once per tab.
        await Promise.all([a.phone.catchUp(), second.phone.catchUp()]);
        expect(a.delivered.filter((id) => id === refusal.id)).toHaveLength(1);
        expect(second.delivered.filter((id) => id === refusal.id)).toHaveLength(1);
        expect(second.phone.events.map((e) => e.id)).toContain(refusal.id);
        const base = d.store.identity!.clientId;
        expect(commandSenders(b, panel.remote.panelId, a.phone.adminId!)).toEqual([base, `${base}-t1`]);
        expect([a.phone.status, second.phone.status]).toEqual(['online', 'online']);
      });
    }));

  it('commands sent from both tabs at once are all carried out: counters stay unique and in order on the wire', () =>
    withPairedTab((p) => {
      const { panel, a } = p;
      return withSecondTab(p, async (second) => {
        await waitFor('the second tab online', () => second.phone.status === 'online');
        const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : second).phone.send({ op: 'state.get' })));
        expect(replies.filter((r) => !r.ok)).toEqual([]);
        await panel.remote.idle();
        expect(panel.audits.filter((x) => x.outcome === 'refused')).toEqual([]);
      });
    }));

  it('a tab asks again for the recent log when the panel is too busy to answer in time', () =>
    withPairedTab(async (p) => {
      const { panel, a } = p;
      const refusal = panel.actions.decide('deny', null);
      await waitFor('the refusal in the first tab', () => a.delivered.includes(refusal.id));
      // The panel's next log read takes longer than the new tab waits for an answer.
      const recent = panel.actions.recentEvents.bind(panel.actions);
      let busy = true;
      let newTab: Tab | null = null;
      panel.actions.recentEvents = async (limit) => {
        // Answers only once the new tab has given up waiting for this answer.
        if (busy) await waitFor('the new tab to give up on its first catch-up', () => newTab?.logged.some((m) => m.includes('catch-up failed')) === true);
        busy = false;
        return recent(limit);
      };
      await withSecondTab(
        p,
        async (second) => {
          newTab = second;
          await waitFor('the refusal listed in the new tab', () => second.delivered.includes(refusal.id), 15_000);
          expect(busy).toBe(false);
        },
        webLockTabs(p.d.locks),
        1_000,
      );
    }));

  it('with one client id between them (as before), the newer tab pushes the older off the broker', () => {
    const sameId = (d: ReturnType<typeof device>): DeviceTabs => ({ ...webLockTabs(d.locks), claim: async () => ({ index: 0, release: () => undefined }) });
    return withPairedTab(
      (p) =>
        withSecondTab(
          p,
          async (second) => {
            await waitFor('the second tab online', () => second.phone.status === 'online');
            expect(p.a.phone.status).not.toBe('online');
          },
          sameId(p.d),
        ),
      sameId,
    );
  });

  it('a reloaded tab takes its number and its broker session back, and lists the recent log again without notifying twice', async () => {
    const b = fake();
    const panel = await startPanel(b);
    const d = device();
    const a = await openTab(b, d);
    try {
      await pairPhone(panel, a);
      const other = await openTab(b, d);
      await waitFor('the other tab online', () => other.phone.status === 'online');
      const before = panel.actions.decide('deny', null, ['spoofAttempt']);
      await waitFor('the spoof alert', () => a.alerts.some((x) => x.tag === 'spoof') && other.delivered.includes(before.id));
      await expect(a.phone.send({ op: 'state.get' })).resolves.toMatchObject({ ok: true });

      a.close();
      await waitFor('the closed page to let its lock go', () => !d.locks.held.includes('doorward-phone-tab-0'));
      const during = panel.actions.decide('grant', 'grace');
      const mark = b.broker.log.length;
      const reloaded = await openTab(b, d);
      try {
        await waitFor('the reloaded tab online', () => reloaded.phone.status === 'online');
        await waitFor('both events in the reloaded tab', () => reloaded.delivered.includes(before.id) && reloaded.delivered.includes(during.id));
        await expect(reloaded.phone.send({ op: 'state.get' })).resolves.toMatchObject({ ok: true });
        const base = d.store.identity!.clientId;
        // Slot 0 again, so the same client id and the session it left behind.
        expect(commandSenders(b, panel.remote.panelId, reloaded.phone.adminId!, mark)).toEqual([base]);
        expect(reloaded.alerts.filter((x) => x.tag === 'spoof')).toHaveLength(0);
        await reloaded.phone.catchUp();
        for (const id of [before.id, during.id]) expect(reloaded.delivered.filter((x) => x === id)).toHaveLength(1);
      } finally {
        reloaded.close();
        other.close();
      }
    } finally {
      panel.stop();
    }
  });
});
