import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setupCodes, SETUP_POLICY } from '../../scripts/setup-code.mjs';
import { FakeClock } from '../../tests/support/clock.ts';
import { MemorySettings } from '../../tests/support/idb.ts';
import { AdminGate } from './admin-gate.svelte.ts';
import type { SetupCodeCheck } from './setup-code.ts';

/** The server's set-up codes (scripts/setup-code.mjs) as the kiosk meets them, minus HTTP. */
function serverCodes(clock: FakeClock) {
  const dir = mkdtempSync(join(tmpdir(), 'doorward-setup-'));
  const announced: string[] = [];
  const codes = setupCodes(dir, { now: () => clock.now(), announce: (c) => announced.push(c) });
  const check: SetupCodeCheck = {
    async claim(code) {
      const r = codes.claim(code);
      return r.ok ? { result: 'ok' } : { result: r.reason, retryInMs: r.retryInMs };
    },
  };
  return { dir, codes, check, announced };
}

/** A code of the same length that is certainly wrong. */
const otherThan = (code: string) => code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

describe('first boot: the set-up code comes before the setup PIN', () => {
  it('lets nobody choose the setup PIN without the code the server printed', async () => {
    const clock = new FakeClock(1_000_000);
    const server = serverCodes(clock);
    const gate = new AdminGate(new MemorySettings(), clock, server.check);
    await gate.load();
    expect(gate.state.kind).toBe('claim');
    // The passer-by goes straight for the PIN: refused, nothing stored.
    expect(await gate.choosePin('111111', '111111')).toBe('wrong');
    expect(await gate.claim(otherThan(server.codes.code))).toBe('wrong');
    expect(gate.state.kind).toBe('claim');
    // The installer, with the code from the console.
    const code = server.codes.code;
    expect(await gate.claim(code)).toBe('ok');
    expect(gate.state.kind).toBe('setup');
    expect(await gate.choosePin('731964', '731964')).toBe('ok');
    expect(gate.state.kind).toBe('open');
    // Burnt: the next first boot needs the next code, which was printed.
    expect(server.codes.code).not.toBe(code);
    expect(server.announced).toEqual([server.codes.code]);
  }, 30_000);

  it('counts wrong codes on the server before answering, backs off, and keeps the count on disk', async () => {
    const clock = new FakeClock(1_000_000);
    const server = serverCodes(clock);
    const wrong = otherThan(server.codes.code);
    for (let i = 0; i < SETUP_POLICY.freeTries; i++) expect(server.codes.claim(wrong)).toMatchObject({ ok: false, reason: 'wrong' });
    // Locked now, even for the right code; a restart of the server does not help.
    expect(server.codes.claim(server.codes.code)).toMatchObject({ ok: false, reason: 'lockedOut', retryInMs: SETUP_POLICY.baseMs });
    const restarted = setupCodes(server.dir, { now: () => clock.now() });
    expect(restarted.claim(restarted.code)).toMatchObject({ ok: false, reason: 'lockedOut' });
    expect(JSON.parse(readFileSync(join(server.dir, 'setup-code.json'), 'utf8'))).toMatchObject({ failures: SETUP_POLICY.freeTries });
    expect(statSync(join(server.dir, 'setup-code.json')).mode & 0o777).toBe(0o600);
    await clock.advance(SETUP_POLICY.baseMs);
    expect(restarted.claim(restarted.code)).toEqual({ ok: true });
  });

  it('shows the wait on the kiosk and makes one claim at a time', async () => {
    const clock = new FakeClock(1_000_000);
    let calls = 0;
    let answer: (v: Awaited<ReturnType<SetupCodeCheck['claim']>>) => void = () => {};
    const gate = new AdminGate(new MemorySettings(), clock, {
      claim: () => {
        calls++;
        return new Promise((r) => (answer = r));
      },
    });
    await gate.load();
    const first = gate.claim('1');
    expect(await gate.claim('2')).toBe('wrong');
    answer({ result: 'wrong', retryInMs: 30_000 });
    expect(await first).toBe('wrong');
    expect(gate.state).toEqual({ kind: 'claim', lockedForMs: 30_000 });
    expect(await gate.claim('3')).toBe('lockedOut');
    expect(calls).toBe(1);
  });
});
