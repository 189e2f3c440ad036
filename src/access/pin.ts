import { DEFAULT_ITERATIONS, verifySecret, type SecretHash } from '../lib/secret-hash.ts';
import type { PinCheck } from './types.ts';
import type { Say } from '../lib/words/index.ts';
import { english } from '../lib/words/english.ts';

/**
 * A person's PIN and optional duress PIN, each a salted PBKDF2 hash. The duress PIN opens the door
 * exactly like the normal one (an onlooker must see nothing different) and raises a silent alert.
 */
export interface PinCredential {
  readonly personId: string;
  readonly pin: SecretHash;
  readonly duress?: SecretHash;
}

export const PIN_MIN_LENGTH = 4;
export const PIN_MAX_LENGTH = 8;

/**
 * Checks an entry against one person's PIN and duress PIN. Both hashes are always computed (a
 * stand-in replaces a missing one) so the time taken does not reveal whether a duress PIN exists
 * or whether the person has a PIN at all. If both match, the normal PIN wins: enrolment should
 * refuse a duress PIN equal to the PIN, and a false alarm would be worse than a missed one here.
 */
export async function checkPin(entered: string, credential: PinCredential | undefined): Promise<PinCheck> {
  const iterations = credential?.pin.iterations ?? DEFAULT_ITERATIONS;
  const [pin, duress] = await Promise.all([
    verifySecret(entered, credential?.pin ?? standIn(iterations)),
    verifySecret(entered, credential?.duress ?? standIn(iterations)),
  ]);
  if (credential && pin) return 'match';
  if (credential?.duress && duress) return 'duress';
  return 'wrong';
}

/**
 * For a pad where the PIN alone identifies the person: tries every credential, with no early
 * exit, so the answer time does not depend on whose PIN it was. Cost grows with the number of
 * people (one PBKDF2 run per hash); enrolment must keep PINs and duress PINs unique across people.
 */
export async function identifyByPin(
  entered: string,
  credentials: readonly PinCredential[],
): Promise<{ readonly personId: string; readonly check: 'match' | 'duress' } | null> {
  const checks = await Promise.all(credentials.map((c) => checkPin(entered, c)));
  const matchAt = checks.indexOf('match');
  const at = matchAt >= 0 ? matchAt : checks.indexOf('duress');
  const credential = credentials[at];
  const check = checks[at];
  if (!credential || (check !== 'match' && check !== 'duress')) return null;
  return { personId: credential.personId, check };
}

/** Why a new PIN is unacceptable, in words (English unless a screen hands in its `say`), or null. */
export function pinProblem(pin: string, duress?: string, say: Say = english): string | null {
  const format = new RegExp(`^\\d{${PIN_MIN_LENGTH},${PIN_MAX_LENGTH}}$`);
  const digits = { min: String(PIN_MIN_LENGTH), max: String(PIN_MAX_LENGTH) };
  if (!format.test(pin)) return say('problem.pin.format', digits);
  if (/^(\d)\1+$/.test(pin)) return say('problem.pin.oneDigit');
  if (duress !== undefined) {
    if (!format.test(duress)) return say('problem.pin.duressFormat', digits);
    if (duress === pin) return say('problem.pin.duressSame');
  }
  return null;
}

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'] as const;

/**
 * Keypad digit order. Scrambled per entry, smudges and an onlooker's view of finger positions
 * no longer spell the PIN. Randomness is injected for tests; the default is the platform CSPRNG.
 */
export function keypadLayout(
  scrambled: boolean,
  randomBytes: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): string[] {
  const keys: string[] = [...DIGITS];
  if (!scrambled) return keys;
  for (let i = keys.length - 1; i > 0; i--) {
    const j = uniformBelow(i + 1, randomBytes);
    const a = keys[i] ?? '';
    keys[i] = keys[j] ?? '';
    keys[j] = a;
  }
  return keys;
}

/**
 * Rejection sampling: a plain `byte % n` would favour low digits. A real CSPRNG is accepted
 * within a few draws; a source that keeps failing is broken, and a hung kiosk is worse than an error.
 */
function uniformBelow(n: number, randomBytes: (n: number) => Uint8Array): number {
  const limit = 256 - (256 % n);
  for (let tries = 0; tries < 64; tries++) {
    const b = randomBytes(1)[0];
    if (b !== undefined && b < limit) return b % n;
  }
  throw new Error('keypadLayout: random source keeps returning unusable bytes');
}

function standIn(iterations: number): SecretHash {
  return { algorithm: 'PBKDF2-SHA256', iterations, salt: 'AAAAAAAAAAAAAAAAAAAAAA==', hash: 'A'.repeat(43) + '=' };
}
