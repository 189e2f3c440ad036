import { hashSecret, verifySecret } from '../lib/secret-hash.ts';
import { NO_FAILURES, remainingLockMs, type LockoutRecord } from '../lib/lockout.ts';
import { countedCheck, type LockoutCell } from '../lib/counted-secret.ts';
import { SingleFlight } from '../lib/single-flight.ts';
import type { SettingsRepo } from '../store/settings.ts';
import type { Clock } from '../platform/clock.ts';

/**
 * The admin area's lock. The setup PIN is chosen at first boot and stored only as a PBKDF2
 * hash; failures are persisted with the lockout record so reloading the page does not reset the
 * back-off. Unlocking lasts for this page's life and ends after a spell of inactivity.
 */
export type GateState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'setup' }
  | { readonly kind: 'locked'; readonly lockedForMs: number; readonly failures: number }
  | { readonly kind: 'open' };

export type PinAttempt = 'ok' | 'wrong' | 'lockedOut' | 'tooShort' | 'mismatch';

export const MIN_ADMIN_PIN = 6;
const IDLE_LOCK_MS = 5 * 60_000;

export class AdminGate {
  #state = $state<GateState>({ kind: 'loading' });
  #lockout: LockoutRecord = NO_FAILURES;
  #lastActivity = 0;
  readonly #flight = new SingleFlight();
  readonly #settings: SettingsRepo;
  readonly #clock: Clock;

  constructor(settings: SettingsRepo, clock: Clock) {
    this.#settings = settings;
    this.#clock = clock;
  }

  get state() {
    return this.#state;
  }

  async load(): Promise<void> {
    const pin = await this.#settings.get('adminPin');
    this.#lockout = (await this.#settings.get('adminLockout')) ?? NO_FAILURES;
    this.#state = pin ? this.#lockedState() : { kind: 'setup' };
  }

  async choosePin(pin: string, repeat: string): Promise<PinAttempt> {
    if (this.#state.kind !== 'setup') return 'wrong';
    if (!/^\d+$/.test(pin) || pin.length < MIN_ADMIN_PIN) return 'tooShort';
    if (pin !== repeat) return 'mismatch';
    await this.#settings.put('adminPin', await hashSecret(pin));
    this.#open();
    return 'ok';
  }

  /** One check at a time, the failure counted before the hash runs (see countedCheck). */
  unlock(pin: string): Promise<PinAttempt> {
    return this.#flight.run(async () => {
      const cell: LockoutCell = { update: (change) => this.#settings.update('adminLockout', (r) => change(r ?? NO_FAILURES)) };
      const stored = await this.#settings.get('adminPin');
      const counted = await countedCheck(cell, this.#clock.now(), undefined, async () => stored !== undefined && (await verifySecret(pin, stored)), (ok) => ok);
      this.#lockout = counted.record;
      if (counted.kind === 'locked') {
        this.#state = this.#lockedState();
        return 'lockedOut';
      }
      if (counted.ok) {
        this.#open();
        return 'ok';
      }
      console.warn('[admin] wrong PIN', { failures: this.#lockout.failures });
      this.#state = this.#lockedState();
      return 'wrong';
    });
  }

  /** Re-reads the lockout clock so the countdown on screen moves; also ends an idle session. */
  refresh(): void {
    if (this.#state.kind === 'locked') this.#state = this.#lockedState();
    if (this.#state.kind === 'open' && this.#clock.now() - this.#lastActivity > IDLE_LOCK_MS) this.lock();
  }

  touch(): void {
    this.#lastActivity = this.#clock.now();
  }

  lock(): void {
    if (this.#state.kind === 'open') this.#state = this.#lockedState();
  }

  #open(): void {
    this.#lastActivity = this.#clock.now();
    this.#state = { kind: 'open' };
  }

  #lockedState(): GateState {
    return { kind: 'locked', lockedForMs: remainingLockMs(this.#lockout, this.#clock.now()), failures: this.#lockout.failures };
  }
}
