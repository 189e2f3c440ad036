import { holdIfFree, holdWhenFree, type LockRequester } from './locks.ts';

const PANEL_LOCK = 'doorward-panel';

/**
 * One running panel per browser profile. A second kiosk tab would drive the same door, drain the
 * same outbox and connect to the broker under the panel's client id, knocking the first off in a
 * loop. So the second waits (`onWaiting` tells the person at the screen why) and takes over by
 * itself when the first closes. Without Web Locks there is nothing to coordinate by: run.
 */
export async function whenOnlyPanel(locks: LockRequester | undefined, onWaiting: () => void): Promise<void> {
  if (!locks) return;
  const held = await holdIfFree(locks, PANEL_LOCK).catch(() => undefined);
  if (held !== null) return; // held for the page's life, or locks refused here (run anyway)
  onWaiting();
  await holdWhenFree(locks, PANEL_LOCK);
}
