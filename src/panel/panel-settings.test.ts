// The door name setting: what the kiosk screen and the remote side call this door.
import { describe, expect, it } from 'vitest';
import { checkSettingsPatch, describeChanges, settingProblem, storedDoorName, DEFAULT_DOOR_NAME } from './panel-settings.ts';
import { Prefs } from './prefs.svelte.ts';
import { MemorySettings } from '../../tests/support/idb.ts';

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
