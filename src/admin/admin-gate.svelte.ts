import { hashSecret, verifySecret } from '../lib/secret-hash.ts';
import { NO_FAILURES, remainingLockMs, type LockoutRecord } from '../lib/lockout.ts';
import { countedCheck, type LockoutCell } from '../lib/counted-secret.ts';
import { SingleFlight } from '../lib/single-flight.ts';
import type { SettingsRepo } from '../store/settings.ts';
import type { Clock } from '../platform/clock.ts';
import type { SetupCodeCheck } from './setup-code.ts';

/**
 * The admin area's lock. The setup PIN is chosen at first boot and stored only as a PBKDF2
 * hash; failures are persisted with the lockout record so reloading the page does not reset the
 * back-off. Unlocking lasts for this page's life and ends after a spell of inactivity.
 *
 * First boot: before anyone may choose the setup PIN, the one-time set-up code printed by the
 * panel's server must be typed (`claim`), so a passer-by at an unconfigured door cannot become
 * its admin. A claim lasts for this page's life only: after a reload the next code is needed.
 */
export type GateState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'claim'; readonly lockedForMs: number }
  | { readonly kind: 'setup' }
  | { readonly kind: 'locked'; readonly lockedForMs: number; readonly failures: number }
  | { readonly kind: 'open' };

export type PinAttempt = 'ok' | 'wrong' | 'lockedOut' | 'tooShort' | 'mismatch';
export type ClaimAttempt = 'ok' | 'wrong' | 'lockedOut' | 'unavailable';

export const MIN_ADMIN_PIN = 6;
const IDLE_LOCK_MS = 5 * 60_000;

export class AdminGate {
  #state = $state<GateState>({ kind: 'loading' });
  #lockout: LockoutRecord = NO_FAILURES;
  #lastActivity = 0;
  readonly #flight = new SingleFlight();
  #claimLockedUntil = 0;
  #claiming = false;
  readonly #settings: SettingsRepo;
  readonly #clock: Clock;
  readonly #setupCheck: SetupCodeCheck;

  constructor(settings: SettingsRepo, clock: Clock, setupCheck: SetupCodeCheck) {
    this.#settings = settings;
    this.#clock = clock;
    this.#setupCheck = setupCheck;
  }

  get state() {
    return this.#state;
  }

  async load(): Promise<void> {
    const pin = await this.#settings.get('adminPin');
    this.#lockout = (await this.#settings.get('adminLockout')) ?? NO_FAILURES;
    this.#state = pin ? this.#lockedState() : this.#claimState();
  }

  /** First boot: the set-up code, checked by the panel's server; one claim at a time. */
  async claim(code: string): Promise<ClaimAttempt> {
    if (this.#state.kind !== 'claim' || this.#claiming) return 'wrong';
    if (this.#claimLockedUntil > this.#clock.now()) return 'lockedOut';
    this.#claiming = true;
    try {
      const r = await this.#setupCheck.claim(code);
      if (r.result === 'ok') {
        console.info('[admin] set-up code accepted: choose the setup PIN');
        this.#state = { kind: 'setup' };
        return 'ok';
      }
      if (r.result === 'unavailable') {
        console.warn('[admin] set-up code not checked:', r.why);
        return 'unavailable';
      }
      console.warn('[admin] set-up code refused', r.result);
      this.#claimLockedUntil = this.#clock.now() + r.retryInMs;
      this.#state = this.#claimState();
      return r.result;
    } finally {
      this.#claiming = false;
    }
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
    if (this.#state.kind === 'claim') this.#state = this.#claimState();
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

  #claimState(): GateState {
    return { kind: 'claim', lockedForMs: Math.max(0, this.#claimLockedUntil - this.#clock.now()) };
  }

  #lockedState(): GateState {
    return { kind: 'locked', lockedForMs: remainingLockMs(this.#lockout, this.#clock.now()), failures: this.#lockout.failures };
  }
}
