import { describe, expect, it } from 'vitest';
import { spokenLine } from './spoken.ts';

describe('spoken feedback', () => {
  it('greets by name and explains the PIN pad', () => {
    expect(spokenLine({ kind: 'granted', since: 0, name: 'Ada' })).toBe('Welcome, Ada. The door is unlocked.');
    expect(spokenLine({ kind: 'enterPin', since: 0, why: 'requested' })).toContain('PIN');
  });
  it('says why a door stays shut, in the same coarse words as the screen', () => {
    expect(spokenLine({ kind: 'denied', since: 0, reason: 'pinWrong' })).toBe('Access denied. That PIN is not valid.');
  });
  it('stays quiet while idle or checking', () => {
    expect(spokenLine({ kind: 'idle', since: 0 })).toBeNull();
    expect(spokenLine({ kind: 'verifying', since: 0, trackId: 1, deciding: false })).toBeNull();
  });
});
