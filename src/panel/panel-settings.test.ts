// The door name setting (what the kiosk screen and the remote side call this door), and the
// unlock time saved only where the door controller allows it.
import { describe, expect, it } from 'vitest';
import { checkSettingsPatch, describeChanges, settingProblem, storedDoorName, DEFAULT_DOOR_NAME } from './panel-settings.ts';
import { Prefs } from './prefs.svelte.ts';
import { MemorySettings } from '../../tests/support/idb.ts';
import { FakeClock } from '../../tests/support/clock.ts';
import { importDoorKey } from '../door/auth.ts';
import { DoorController } from '../door/controller.ts';
import { ensurePulseLimit } from '../door/pulse-limit.ts';
import { SimulatedDoor } from '../door/simulator.ts';

describe('the door name', () => {
  it.each([
    ['a plain name', 'Back door'],
    ['one character', 'B'],
    ['forty characters', 'x'.repeat(40)],
    ['forty characters outside the basic plane', '🚪'.repeat(40)],
    ['spaces around it (trimmed)', '  Side gate  '],
    ['letters of any script', 'Porte d’entrée – Bâtiment B'],
  ])('takes %s', (_what, name) => {
    expect(settingProblem('doorName', name)).toBeNull();
  });

  it.each([
    ['nothing', '', 'The door name must not be empty.'],
    ['only spaces', '   ', 'The door name must not be empty.'],
    ['forty-one characters', 'x'.repeat(41), 'The door name must be at most 40 characters.'],
    ['a line break', 'Front\ndoor', 'The door name must not contain line breaks or other control characters.'],
    ['a NUL', 'Front\u0000door', 'The door name must not contain line breaks or other control characters.'],
    ['a right-to-left override', 'Front \u202edoor', 'The door name must not contain line breaks or other control characters.'],
    ['a number', 42, 'The door name must be text.'],
    ['null', null, 'The door name must be text.'],
  ])('refuses %s in words', (_what, value, words) => {
    expect(settingProblem('doorName', value)).toBe(words);
  });

  it('is trimmed in a checked patch and logged old -> new', () => {
    expect(checkSettingsPatch({ doorName: '  Side gate ' })).toEqual({ ok: true, patch: { doorName: 'Side gate' } });
    expect(checkSettingsPatch({ doorName: 'a\tb', pulseMs: 3000 })).toEqual({ ok: false, problems: ['The door name must not contain line breaks or other control characters.'] });
    expect(describeChanges([{ key: 'doorName', from: 'Front door', to: 'Side gate' }])).toBe('door name "Front door" -> "Side gate"');
  });

  it('reads a damaged stored name back as the default', () => {
    expect(storedDoorName(undefined)).toBe(DEFAULT_DOOR_NAME);
    expect(storedDoorName('x'.repeat(41))).toBe(DEFAULT_DOOR_NAME);
    expect(storedDoorName(' Side gate ')).toBe('Side gate');
  });

  it('is kept by Prefs across a reload, tells its listeners, and a refused name changes nothing', async () => {
    const settings = new MemorySettings();
    const prefs = new Prefs(settings);
    await prefs.load();
    expect(prefs.doorName).toBe('Front door');
    const heard: string[] = [];
    prefs.onDoorRenamed((name) => heard.push(name));

    expect(await prefs.setDoorName('  Side gate ')).toBeNull();
    expect(prefs.doorName).toBe('Side gate');
    expect(await prefs.setDoorName('')).toBe('The door name must not be empty.');
    expect(prefs.doorName).toBe('Side gate');
    expect(heard).toEqual(['Side gate']);

    const reloaded = new Prefs(settings);
    await reloaded.load();
    expect(reloaded.doorName).toBe('Side gate');
  });
});

describe('the unlock time, up to 30 s where the board allows', () => {
  async function board() {
    const key = Uint8Array.from({ length: 32 }, (_, i) => 7 + i);
    const clock = new FakeClock(1000);
    const door = await SimulatedDoor.create({ clock, key });
    const ctrl = new DoorController({ transport: door.transport, clock, key: await importDoorKey(key), initialSeq: 0x3000 });
    await ctrl.connect();
    const limit = async (ms: number) => {
      const r = await ensurePulseLimit(ctrl, ms);
      return r.ok ? null : r.problem;
    };
    return { ctrl, limit };
  }

  it('saves 30 s once the board has raised its limit; the next unlock of that length is done', async () => {
    const { ctrl, limit } = await board();
    const settings = new MemorySettings();
    const prefs = new Prefs(settings, limit);
    await prefs.load();
    expect(await prefs.setPulseMs(30_000)).toBeNull();
    expect(prefs.pulseMs).toBe(30_000);
    expect(await settings.get('unlockPulseMs')).toBe(30_000);
    expect(await ctrl.unlock(30_000)).toMatchObject({ outcome: 'done' });
  });

  it('refuses, in the words of the board limit, and saves nothing when the board will not raise it', async () => {
    const settings = new MemorySettings();
    const prefs = new Prefs(settings, async () => 'This door controller allows at most 5 s.');
    await prefs.load();
    expect(await prefs.setPulseMs(12_000)).toBe('This door controller allows at most 5 s.');
    expect(prefs.pulseMs).toBe(3000);
    expect(settings.values.size).toBe(0);
    expect(await prefs.setPulseMs(31_000)).toBe('Unlock time must be 1 to 30 seconds.');
  });

  it('without a board saves only up to the default limit', async () => {
    const prefs = new Prefs(new MemorySettings());
    await prefs.load();
    expect(await prefs.setPulseMs(5000)).toBeNull();
    expect(await prefs.setPulseMs(6000)).toBe('No door controller is connected to check it; without one the unlock time may be at most 5 s.');
    expect(prefs.pulseMs).toBe(5000);
  });
});
