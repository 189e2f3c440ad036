import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from '../access/base64url.ts';
import { utf8 } from './canonical.ts';
import { FakeScanCamera } from '../../tests/support/camera.ts';
import { FakeClock } from '../../tests/support/clock.ts';
import { MemoryPanelStore, MemoryPhoneStore, memoryOutbox } from '../../tests/support/idb.ts';
import { FakeBroker } from '../../tests/support/mqtt.ts';
import { FakePanelActions } from '../../tests/support/panel-actions.ts';
import { generateKeyPairs } from './keys.ts';
import { checkPairingText, decodePairingPayload, encodePairingPayload, newPairingCode, PAIRING_CLOCK_SLACK_MS } from './pairing.ts';
import { PanelRemote } from './panel-remote.ts';
import { PhoneRemote } from './phone-remote.ts';
import type { AuditEntry } from './ports.ts';
import { waitFor } from '../../tests/remote/scenario.ts';
import { cameraProblem, EXPIRED_HINT, judgeScan, NOT_PAIRING_HINT, PairScan } from './ui/pair-scanner.svelte.ts';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

async function pairingText(exp: number | undefined) {
  const panel = await generateKeyPairs();
  const code = newPairingCode('owner', NOW);
  return encodePairingPayload({ panelId: 'panel0000000001', brokerUrl: 'ws://192.168.1.20:8081', sign: panel.signingJwk, enc: panel.encryptionJwk, code: code.code, ...(exp !== undefined ? { exp } : {}) });
}

describe('pairing code expiry', () => {
  it('travels in the QR text; the phone calls a code expired only past the clock slack', async () => {
    const exp = NOW + 600_000;
    const text = await pairingText(exp);
    expect(decodePairingPayload(text)?.exp).toBe(exp);
    expect(checkPairingText(text, NOW)).toMatchObject({ ok: true, payload: { exp } });
    // Within the slack the panel decides: its clock may be behind the phone's.
    expect(checkPairingText(text, exp + PAIRING_CLOCK_SLACK_MS)).toMatchObject({ ok: true });
    expect(checkPairingText(text, exp + PAIRING_CLOCK_SLACK_MS + 1)).toEqual({ ok: false, problem: 'expired' });
    // Codes from panels that did not say when they expire are left to the panel.
    expect(checkPairingText(await pairingText(undefined), NOW + 10 * 86_400_000)).toMatchObject({ ok: true });
    expect(checkPairingText('https://example.com/menu', NOW)).toEqual({ ok: false, problem: 'notPairing' });
    const body = JSON.parse(new TextDecoder().decode(decodeBase64Url(text.slice('DOORWARD-PAIR:'.length))!)) as Record<string, unknown>;
    const badExp = 'DOORWARD-PAIR:' + encodeBase64Url(utf8(JSON.stringify({ ...body, exp: 'soon' })));
    expect(checkPairingText(badExp, NOW)).toEqual({ ok: false, problem: 'notPairing' });
  });

  it('an expired code is refused on the phone at once, without touching the broker', async () => {
    const broker = new FakeBroker();
    const clock = new FakeClock(NOW + 600_000 + PAIRING_CLOCK_SLACK_MS + 1);
    const phone = await PhoneRemote.create({ store: new MemoryPhoneStore(), connect: broker.connect, clock });
    const r = await phone.pair(await pairingText(NOW + 600_000), 'Ada phone');
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/expired.*Pair a phone/) });
    expect(broker.log).toHaveLength(0);
    expect(phone.panel).toBeNull();
    phone.close();
  });

  it('a code the panel has let lapse, within the slack, ends as "expired" rather than "no answer"', async () => {
    const broker = new FakeBroker();
    const clock = new FakeClock(Date.now());
    const audits: AuditEntry[] = [];
    const panel = await PanelRemote.create({ brokerUrl: 'ws://fake.invalid/mqtt', connect: broker.connect, store: new MemoryPanelStore(), outbox: memoryOutbox(clock), actions: new FakePanelActions(clock), audit: (e) => void audits.push(e), clock });
    const stopPanel = panel.start();
    await waitFor('the panel online', () => panel.status === 'online');
    const offer = await panel.createPairing();
    await clock.advance(offer.expiresAt - clock.now() + 60_000);
    const phone = await PhoneRemote.create({ store: new MemoryPhoneStore(), connect: broker.connect, clock, replyTimeoutMs: 500 });
    const r = await phone.pair(offer.payload, 'Ada phone');
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/expired/) });
    expect(audits.map((a) => a.reason)).toContain('noPairingOpen');
    expect(panel.admins).toHaveLength(0);
    phone.close();
    stopPanel();
  });
});

describe('judging what the camera read', () => {
  it('takes the first pairing code, names an expired one over a stranger, and says nothing of an empty picture', async () => {
    const valid = await pairingText(NOW + 600_000);
    const expired = await pairingText(NOW - PAIRING_CLOCK_SLACK_MS - 1);
    expect(judgeScan([], NOW)).toEqual({ hint: null });
    expect(judgeScan(['WIFI:S:home;T:WPA;P:secret;;'], NOW)).toEqual({ hint: NOT_PAIRING_HINT });
    expect(judgeScan(['hello', expired, 'world'], NOW)).toEqual({ hint: EXPIRED_HINT });
    expect(judgeScan(['hello', expired, valid], NOW)).toEqual({ text: valid });
  });

  it("explains the camera's refusals", () => {
    expect(cameraProblem(new DOMException('denied', 'NotAllowedError'))).toMatch(/not allowed.*paste/i);
    expect(cameraProblem(new DOMException('none', 'NotFoundError'))).toMatch(/no camera/i);
    expect(cameraProblem(new DOMException('busy', 'NotReadableError'))).toMatch(/another app/i);
    expect(cameraProblem(new DOMException('http', 'NotSupportedError'))).toMatch(/https/);
    expect(cameraProblem(new Error('boom'))).toMatch(/boom.*paste/i);
  });
});

describe('the pairing scanner', () => {
  it('keeps looking past other codes, then shuts the camera before handing over the pairing text', async () => {
    const clock = new FakeClock(NOW);
    const camera = new FakeScanCamera(clock);
    const scan = new PairScan(camera);
    const read: string[] = [];
    const stop = scan.start((t) => read.push(t));
    expect(scan.view).toEqual({ state: 'starting' });
    await waitFor('the camera open', () => scan.view.state === 'scanning');
    expect(scan.stream).toBe(camera.streams[0]);

    camera.show('https://example.com/menu');
    expect(scan.view).toEqual({ state: 'scanning', hint: NOT_PAIRING_HINT });
    camera.show(await pairingText(NOW - PAIRING_CLOCK_SLACK_MS - 1));
    expect(scan.view).toEqual({ state: 'scanning', hint: EXPIRED_HINT });
    // The code leaves the picture: the last word stays until there is something new to say.
    camera.show();
    expect(scan.view).toEqual({ state: 'scanning', hint: EXPIRED_HINT });
    expect(camera.streams[0]!.live).toBe(true);
    expect(read).toEqual([]);

    const valid = await pairingText(NOW + 600_000);
    camera.show(valid);
    expect(read).toEqual([valid]);
    expect(scan.view).toEqual({ state: 'read' });
    expect(camera.streams[0]!.live).toBe(false);
    expect(camera.reading).toBe(0);
    expect(scan.stream).toBeNull();
    camera.show(valid);
    expect(read).toHaveLength(1);
    stop();
  });

  it('cancelled before the camera opened, it shuts the camera as soon as it arrives', async () => {
    const camera = new FakeScanCamera(new FakeClock(NOW));
    const scan = new PairScan(camera);
    const stop = scan.start(() => expect.fail('nothing was read'));
    stop();
    await waitFor('the late camera shut', () => camera.streams[0]?.live === false);
    expect(camera.reading).toBe(0);
    expect(scan.stream).toBeNull();
  });

  it('says why when the camera is refused or missing', async () => {
    for (const [name, says] of [['NotAllowedError', /not allowed/], ['NotFoundError', /no camera/]] as const) {
      const scan = new PairScan(new FakeScanCamera(new FakeClock(NOW), name));
      const stop = scan.start(() => expect.fail('nothing was read'));
      await waitFor('the refusal', () => scan.view.state === 'failed');
      expect(scan.view.state === 'failed' && scan.view.problem).toMatch(says);
      stop();
    }
  });
});
