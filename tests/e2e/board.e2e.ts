import { expect, test } from '@playwright/test';
import { Cmd, FLAG_AUTH } from '../../src/door/protocol.ts';
import { hasArmToolchain } from '../board/board.ts';
import { addPerson, openAdmin, typePin } from './support/admin.ts';
import { BoardBridge } from './support/board-bridge.ts';
import { installSerialShim } from './support/serial-shim.ts';

// The built kiosk in Chromium, on its real Web Serial transport (src/door/web-serial.ts and
// links.ts), with the port's bytes carried over a WebSocket to build/doorward.uf2 running on an
// emulated RP2040 in this process (board-bridge.ts). The installer grants the board and
// provisions its key in the admin area; a visitor's PIN then releases the relay on GP2.
test.describe('door: the kiosk and the emulated RP2040 board running doorward.uf2', () => {
  let bridge: BoardBridge;

  test.beforeAll(async () => {
    // npm test installs the toolchain as root: missing, the test fails and says so.
    if (!hasArmToolchain()) throw new Error('the board e2e needs arm-none-eabi-gcc: run panel-bridge/firmware/install-deps.sh');
    // Powered up with the set-up button held, as the installer does before provisioning.
    bridge = await BoardBridge.start({ inputs: { setupPressed: true } });
  });
  test.afterAll(async () => {
    await bridge?.stop();
  });

  test('an installer connects and provisions the board, and a PIN opens the door through it', async ({ page }) => {
    test.setTimeout(120_000);
    const board = bridge.board;
    await page.addInitScript(installSerialShim, bridge.shimConfig);

    await openAdmin(page);
    const setup = page.getByTestId('door-setup');
    await expect(setup).toContainText('This panel runs the simulated controller');
    // "Connect door controller": Chromium's chooser (the shim lists boards matching the
    // kiosk's 2e8a:000a filter), then the panel restarts on the granted board.
    await Promise.all([page.waitForEvent('framenavigated'), page.getByTestId('door-connect').click()]);
    await openAdmin(page);
    await expect(page.getByTestId('door-setup-link')).toHaveText('port open');
    await expect(page.getByTestId('door-setup-session')).toHaveText('fault: not-provisioned');
    await expect(setup).toContainText('none · in set-up mode');
    await expect(setup).toContainText('2.0.0'); // the firmware's version, from its HELLO (protocol v2)
    await expect(setup).toContainText(Array.from(board.uniqueId, (b) => b.toString(16).padStart(2, '0')).join(''));
    expect(bridge.opens).toContain(115_200);

    board.set({ setupPressed: false });
    await page.getByTestId('door-provision').click();
    await expect(page.getByTestId('door-setup-notice')).toContainText('Key installed');
    await expect(page.getByTestId('door-setup-session')).toHaveText('in session');
    await expect(page.getByTestId('admin-door')).toHaveText('Door controller connected');

    await addPerson(page, 'Ada Lovelace', '2468');
    await page.evaluate(() => (location.hash = '#/'));
    const kiosk = page.getByTestId('kiosk');
    await expect(page.getByTestId('door-chip')).toHaveText('Door controller connected');
    const edges = board.relayEdges.length;
    const sent = bridge.commands.length;
    await page.getByRole('button', { name: 'PIN' }).click();
    await typePin(page, '2468');
    await expect(kiosk).toHaveAttribute('data-state', 'granted');
    // The signed UNLOCK reached the board: its relay pin is high.
    await expect.poll(() => board.relay, { timeout: 5_000 }).toBe(true);
    expect(board.relayEdges.slice(edges).map((e) => e.high)).toEqual([true]);
    // protocol v2 on the wire: a CHALLENGE from the board, then the UNLOCK signed over it
    const once = new Map(bridge.commands.slice(sent).map((c) => [c.seq, c])); // retries folded
    const unlocking = [...once.values()].filter((c) => c.cmd === Cmd.Challenge || c.cmd === Cmd.Unlock).map(({ cmd, flags }) => ({ cmd, flags }));
    expect(unlocking).toEqual([
      { cmd: Cmd.Challenge, flags: 0 },
      { cmd: Cmd.Unlock, flags: FLAG_AUTH },
    ]);

    // The visitor pushes the door open: the contact on GP3 opens, and the screen says so.
    board.set({ doorOpen: true });
    await expect(kiosk).toHaveAttribute('data-state', 'doorOpen');
    await expect(page.getByTestId('status-title')).toHaveText('Door open');
    board.set({ doorOpen: false });
    await expect(kiosk).toHaveAttribute('data-state', 'idle', { timeout: 10_000 });
    // The board relocked by itself at the end of the pulse.
    await expect.poll(() => board.relay, { timeout: 10_000 }).toBe(false);

    await openAdmin(page);
    await page.getByRole('button', { name: 'Access log' }).click();
    const rows = page.getByTestId('log-row');
    await expect(rows.filter({ hasText: 'grant Ada Lovelace by pin' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'door opened' })).toHaveCount(1);
    test.info().annotations.push({ type: 'board lag', description: `board time ${board.lagMs.toFixed(1)} ms behind the wall clock at the end` });
  });
});
