import { KioskFlow } from './kiosk/kiosk.svelte.ts';
import { lockedPinChecker, type PinChecker } from './kiosk/visitor-pin.ts';
import { Camera } from './platform/camera.svelte.ts';
import { NetworkStatus } from './platform/network.svelte.ts';
import { PersistentStorage } from './platform/storage.svelte.ts';
import { ScreenWakeLock } from './platform/wake-lock.svelte.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { AppUpdates } from './pwa/updates.svelte.ts';
import { AdminGate } from './admin/admin-gate.svelte.ts';
import { openDoorwardDB } from './store/db.ts';
import { settingsRepo } from './store/settings.ts';

/** One instance of each app manager, built once at boot; the UI receives them, never builds them. */
export interface Services {
  readonly clock: Clock;
  readonly kiosk: KioskFlow;
  readonly camera: Camera;
  readonly network: NetworkStatus;
  readonly storage: PersistentStorage;
  readonly wakeLock: ScreenWakeLock;
  readonly updates: AppUpdates;
  readonly gate: AdminGate;
  readonly pins: PinChecker;
}

export async function createServices(clock: Clock = systemClock): Promise<Services> {
  const db = await openDoorwardDB();
  const gate = new AdminGate(settingsRepo(db), clock);
  await gate.load();
  return {
    clock,
    kiosk: new KioskFlow(clock),
    camera: new Camera(),
    network: new NetworkStatus(),
    storage: new PersistentStorage(),
    wakeLock: new ScreenWakeLock(),
    updates: new AppUpdates(),
    gate,
    // Nobody holds a PIN until people are enrolled (access issue): every PIN is refused, with back-off.
    pins: lockedPinChecker(async () => null),
  };
}

/** Starts every side effect; the returned function stops them. */
export function startServices(s: Services): () => void {
  const stops = [s.camera.start(), s.network.start(), s.wakeLock.start()];
  void s.storage.request();
  void s.updates.register();
  return () => {
    stops.forEach((stop) => stop());
    s.kiosk.stop();
  };
}
