// The first-boot set-up code. A panel whose admin PIN has not been chosen yet asks for this code
// before it lets anyone choose one, so a passer-by at an unconfigured door cannot make themselves
// its admin. The server makes the code, prints it in its console (and keeps it in its private
// state folder, 0600, as the installer's copy), and checks it here:
//   - constant-time comparison (both sides hashed first);
//   - every try is counted on disk before its answer is known; after 3 wrong tries the next one
//     waits 30 s, doubling to 15 min, and the wait survives a restart;
//   - a right code is burnt at once: a new one is made (and printed) for the next first boot.
// The code is 8 digits, typed on the admin screen's PIN pad: with the back-off a guesser gets
// about a hundred tries a day against 10^8 codes.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { readPrivateJson, writePrivateFile } from './server-state.mjs';

const FILE = 'setup-code.json';
export const SETUP_CODE_DIGITS = 8;
export const SETUP_POLICY = { freeTries: 3, baseMs: 30_000, maxMs: 15 * 60_000 };

const digest = (text) => createHash('sha256').update(text).digest();
const newCode = () => Array.from({ length: SETUP_CODE_DIGITS }, () => randomInt(10)).join('');
/** How the code is printed: two groups of four, easier to read off a console. */
export const showCode = (code) => `${code.slice(0, 4)} ${code.slice(4)}`;

/**
 * @param {string} dir the server's private state folder
 * @param {{ now?: () => number, log?: (msg: string) => void, announce?: (code: string) => void }} [options]
 *   announce: prints a new code (start.mjs prints it in the console).
 */
export function setupCodes(dir, { now = Date.now, log = () => {}, announce = () => {} } = {}) {
  const file = join(dir, FILE);
  const stored = readPrivateJson(dir, FILE);
  const valid = stored && stored.v === 1 && typeof stored.code === 'string' && new RegExp(`^\\d{${SETUP_CODE_DIGITS}}$`).test(stored.code) && Number.isSafeInteger(stored.failures) && Number.isSafeInteger(stored.lockedUntil);
  /** @type {{ v: 1, code: string, failures: number, lockedUntil: number }} */
  let state = valid ? stored : { v: 1, code: newCode(), failures: 0, lockedUntil: 0 };
  const save = () => writePrivateFile(file, `${JSON.stringify(state)}\n`);
  if (!valid) save();

  return {
    /** The live code, for the console. */
    get code() {
      return state.code;
    },

    /**
     * @param {unknown} given
     * @returns {{ ok: true } | { ok: false, reason: 'wrong' | 'lockedOut', retryInMs: number }}
     */
    claim(given) {
      const t = now();
      if (state.lockedUntil > t) return { ok: false, reason: 'lockedOut', retryInMs: state.lockedUntil - t };
      // Counted, and on disk, before the comparison: a crash or a burst cannot get a free try.
      const failures = state.failures + 1;
      const over = failures - SETUP_POLICY.freeTries;
      state = { ...state, failures, lockedUntil: over < 0 ? 0 : t + Math.min(SETUP_POLICY.maxMs, SETUP_POLICY.baseMs * 2 ** over) };
      save();
      const text = typeof given === 'string' ? given.replace(/\s/g, '') : '';
      if (!timingSafeEqual(digest(text), digest(state.code))) {
        log(`wrong set-up code (${failures} wrong in a row)`);
        return { ok: false, reason: 'wrong', retryInMs: Math.max(0, state.lockedUntil - t) };
      }
      state = { v: 1, code: newCode(), failures: 0, lockedUntil: 0 };
      save();
      log('set-up code used: a panel may now choose its admin PIN');
      announce(state.code);
      return { ok: true };
    },
  };
}
