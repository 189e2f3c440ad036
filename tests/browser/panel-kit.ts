/**
 * The panel's access path as the kiosk composes it, over real IndexedDB and WebCrypto with the
 * simulated door controller: loaded into the page by the browser-module tests
 * (`await import('/tests/browser/panel-kit.ts')` inside `page.evaluate`). Time is a hand-set
 * clock (`clock.t`); timers are the page's own.
 */
import { openDoorwardDB } from '../../src/store/db.ts';
import { settingsRepo } from '../../src/store/settings.ts';
import { peopleRepo } from '../../src/store/people.ts';
import { eventLog } from '../../src/store/events.ts';
import { keyRing } from '../../src/store/keys.ts';
import { dataSealer } from '../../src/store/sealing.ts';
import { GuestKeyBook } from '../../src/panel/guest-keys.ts';
import { Gatekeeper } from '../../src/panel/gatekeeper.ts';
import { DoorLink } from '../../src/panel/door-link.svelte.ts';
import { InsightService } from '../../src/panel/insight-service.svelte.ts';
import { PeopleAdmin } from '../../src/people/people-admin.svelte.ts';
import { personErasure } from '../../src/people/erasure.ts';
import type { Clock } from '../../src/platform/clock.ts';

export interface HandClock extends Clock {
  /** Now, as the panel sees it: set it to move time. */
  t: number;
}

export function handClock(t: number): HandClock {
  return {
    t,
    now() {
      return this.t;
    },
    setTimeout: (cb, ms) => globalThis.setTimeout(cb, ms),
    clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
  };
}

export async function panelKit(o: { at: number; pulseMs: number; doorId?: string }) {
  const doorId = o.doorId ?? 'front-door';
  const db = await openDoorwardDB();
  const clock = handClock(o.at);
  const settings = settingsRepo(db);
  const people = peopleRepo(db, clock);
  const log = eventLog(db, clock);
  const sealer = dataSealer(db, clock);
  const keys = new GuestKeyBook(keyRing(db, clock), settings, clock, doorId);
  const door = await DoorLink.simulated();
  for (let i = 0; i < 50 && !door.usable; i++) await new Promise((r) => setTimeout(r, 100));
  if (!door.usable) throw new Error('the simulated door controller did not come up');
  const insight = await InsightService.load(settings, log, clock, doorId, sealer);
  const gatekeeper = new Gatekeeper({ clock, door, people, settings, log, keys, insight, pulseMs: o.pulseMs });
  const admin = new PeopleAdmin(people, clock, () => undefined, personErasure(insight, log, clock));
  return { db, clock, settings, people, log, sealer, keys, door, insight, gatekeeper, admin };
}
