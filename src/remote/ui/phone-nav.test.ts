import { describe, expect, it } from 'vitest';
import { initials, PhoneNav } from './phone-nav.svelte.ts';

describe('phone navigation', () => {
  it('opens on the one door, or on the list when there are several', () => {
    expect(new PhoneNav().screen(1)).toEqual({ tab: 'door', section: 'home' });
    expect(new PhoneNav().screen(2)).toEqual({ tab: 'doors' });
    expect(new PhoneNav().screen(0)).toEqual({ tab: 'doors' });
  });

  it('steps back from a section to its door, and from a door to the list only where there is one', () => {
    const nav = new PhoneNav();
    nav.openDoor('people');
    expect(nav.back(2)).toEqual({ tab: 'door', section: 'home' });
    nav.go({ tab: 'door', section: 'home' });
    expect(nav.back(2)).toEqual({ tab: 'doors' });
    expect(nav.back(1)).toBeNull();
    nav.go({ tab: 'log' });
    expect(nav.back(2)).toBeNull();
  });
});

describe('initials', () => {
  it('takes the first and last word, in capitals', () => {
    expect(initials('Grace Hopper')).toBe('GH');
    expect(initials('  ada  ')).toBe('A');
    expect(initials('Jean Paul Sartre')).toBe('JS');
    expect(initials('')).toBe('?');
    expect(initials('émile zola')).toBe('ÉZ');
  });
});
