import { holdIfFree, type LockRequester } from '../platform/locks.ts';

/**
 * The open tabs of the phone app on one device, and what they coordinate through (the browser's
 * Web Locks). Every tab holds the same admin identity.
 *
 * Client ids: with one MQTT client id between them the broker would drop the older connection
 * each time the other (re)connected, and they would push each other off in a loop. So each tab
 * holds a numbered lock for as long as it lives and adds that number to its client id. The
 * lowest free number is taken, so a lone tab is always 0 (the client id phones had before tabs
 * were told apart) and a reload, or a tab opened after another closed, gets a number whose broker
 * session already exists: its subscriptions and the QoS 1 messages queued for it while nobody
 * held it are picked up, not left to expire. Whatever a session did not keep, the phone fetches
 * with `log.recent` on every reconnect and drops the duplicates by event id.
 *
 * Commands: the panel runs a command only if its counter is above the last one it saw from that
 * admin. Tabs share the stored counter, so taking the next one and publishing it is done by one
 * tab at a time, until the broker has the command; otherwise two tabs could take the same number,
 * or publish theirs in the other order, and the panel would refuse one as a replay.
 */
export interface TabSlot {
  /** 0 for the first tab, 1 for a second open at the same time, and so on. */
  readonly index: number;
  /** Frees the number for the next tab (closing the page frees it too). */
  release(): void;
}

export interface DeviceTabs {
  claim(): Promise<TabSlot>;
  /** Runs `fn` while no other tab of this device runs one under the same name. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
}


const LOCK_PREFIX = 'doorward-phone-tab-';
const MAX_TABS = 32;

/** Slot 0 keeps the identity's own client id; other tabs get a suffix (ids stay topic-free). */
export function tabClientId(base: string, slot: TabSlot): string {
  return slot.index === 0 ? base : `${base}-t${slot.index}`;
}

export function webLockTabs(locks: LockRequester | undefined): DeviceTabs {
  // Without Web Locks only this page can be kept in step with itself.
  const chains = new Map<string, Promise<unknown>>();
  const inPage = <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const run = (chains.get(name) ?? Promise.resolve()).then(fn);
    chains.set(name, run.catch(() => undefined));
    return run;
  };
  let usable = !!locks;
  return {
    async claim() {
      try {
        for (let i = 0; locks && i < MAX_TABS; i++) {
          const release = await holdIfFree(locks, LOCK_PREFIX + i);
          if (release) return { index: i, release };
        }
      } catch {
        // A browser that has Web Locks but refuses them here (an opaque origin): as if it had none.
        usable = false;
      }
      // No locks to go by: a number of our own, so at least this page shares no session.
      return { index: MAX_TABS + (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0), release: () => undefined };
    },
    exclusive(name, fn) {
      return locks && usable ? locks.request(name, () => fn()) : inPage(name, fn);
    },
  };
}
