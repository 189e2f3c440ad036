import { describe, expect, it } from 'vitest';
import { livenessAtEnrolment, SPOOF_MESSAGE } from './enrolment.svelte.ts';

/** The blink check as the kiosk's vision session gives it: counts the asks, answers as told. */
function blinkCheck(blinked: boolean) {
  const calls: number[] = [];
  return { calls, vision: { checkBlink: async (_signal?: AbortSignal, timeoutMs = 0) => (calls.push(timeoutMs), { blinked, trackId: 1 }) } };
}

describe('liveness before a template is saved', () => {
  it('passes a face whose frames are confidently live, without bothering the person', async () => {
    const b = blinkCheck(false);
    let asked = 0;
    expect(await livenessAtEnrolment(b.vision, [0.99, 0.97, 0.995], () => asked++)).toEqual({ ok: true, blinked: false });
    expect(asked).toBe(0);
    expect(b.calls).toEqual([]);
  });

  it('refuses a clear spoof (a print scoring 0.00) outright, with no blink that could be faked by a video', async () => {
    const b = blinkCheck(true);
    expect(await livenessAtEnrolment(b.vision, [0.0, 0.01, 0.02], () => undefined)).toEqual({ ok: false, message: SPOOF_MESSAGE });
    expect(b.calls).toEqual([]);
  });

  it('asks for a blink when unsure, and only a blink lets it through', async () => {
    let asked = 0;
    const yes = blinkCheck(true);
    expect(await livenessAtEnrolment(yes.vision, [0.7, 0.85, 0.6], () => asked++)).toEqual({ ok: true, blinked: true });
    expect(asked).toBe(1);
    expect(yes.calls).toHaveLength(1);
    const no = blinkCheck(false);
    const r = await livenessAtEnrolment(no.vision, [0.7, 0.85, 0.6], () => asked++);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/No blink was seen/);
  });

  it('one lucky frame does not carry a print, one bad frame does not sink a person', async () => {
    const b = blinkCheck(false);
    expect((await livenessAtEnrolment(b.vision, [0.02, 0.97, 0.01], () => undefined)).ok).toBe(false);
    expect(await livenessAtEnrolment(b.vision, [0.999, 0.3, 0.999, 0.998], () => undefined)).toEqual({ ok: true, blinked: false });
  });
});
