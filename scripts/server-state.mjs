// The server's own secrets (broker logins, the first-boot set-up code) live in one folder that
// only the user running `npm start` can read: the folder 0700, each file 0600, written whole
// (a temporary file renamed over the old one) so a crash never leaves half a secret behind.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string} dir */
export function ensurePrivateDir(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** @param {string} file @param {string} text */
export function writePrivateFile(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** The parsed JSON in `dir/name`, or null when it is missing or unreadable (the caller starts afresh). */
export function readPrivateJson(dir, name) {
  const file = join(dir, name);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
