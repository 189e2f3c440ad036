import { describe, expect, it } from 'vitest';
import { coachingText } from '../vision/coaching.ts';
import { countdown, statusText } from './status-text.ts';
import { catalogue, sayer } from '../lib/words/index.ts';
import { formatDate, formatDateTime } from '../lib/words/format.ts';

describe('what the kiosk says', () => {
  it('names the real reason for a second check in plain words', () => {
    expect(statusText({ kind: 'enterPin', since: 0, why: 'stepUp', because: 'unusualTime' }).detail).toBe('This is not a time you usually come, so a PIN is needed as well.');
    expect(statusText({ kind: 'enterPin', since: 0, why: 'stepUp', because: 'rule' }).detail).toBe('This door asks for a PIN as well at this time.');
    expect(statusText({ kind: 'blink', since: 0, because: 'recentTrouble' }).detail).toBe('Someone tried to fool the camera a moment ago. Look at the camera and blink slowly.');
    expect(statusText({ kind: 'denied', since: 0, reason: 'noSecondFactor' }).detail).toMatch(/Please ring/);
  });

  it('counts a lockout down on the refusal and on the locked pad, and stops once it is over', () => {
    const ctx = { now: 10_000, pinLockedUntil: 37_500 };
    expect(statusText({ kind: 'denied', since: 0, reason: 'lockedOut' }, ctx).detail).toBe('Too many wrong PINs. Try again in 0:28, or ring.');
    expect(statusText({ kind: 'enterPin', since: 0, why: 'requested' }, ctx)).toMatchObject({ title: 'PIN pad locked', tone: 'warn' });
    expect(statusText({ kind: 'enterPin', since: 0, why: 'requested' }, { now: 40_000, pinLockedUntil: 37_500 }).title).toBe('Enter PIN');
    expect(countdown(14 * 60_000 + 5_000)).toBe('14:05');
    expect(countdown(-5)).toBe('0:00');
  });
});

describe('a guest key outside its window (issue #14)', () => {
  const opens = Date.UTC(2026, 10, 26, 15, 30);
  it('a key that is not valid yet says when it opens, in the locale given; an expired one says when it ended', () => {
    expect(statusText({ kind: 'denied', since: 0, reason: 'keyNotYetValid', at: opens }, { now: 0, pinLockedUntil: 0, locale: 'en-GB' })).toEqual({ tone: 'warn', title: 'Not yet', detail: `This key opens from ${formatDateTime(opens, 'en-GB')}.` });
    expect(statusText({ kind: 'denied', since: 0, reason: 'keyExpired', at: opens }, { now: 0, pinLockedUntil: 0, locale: 'en-GB' }).detail).toBe(`This key expired on ${formatDate(opens, 'en-GB')}.`);
    expect(formatDate(opens, 'en-GB')).toMatch(/2026/);
  });

  it('says it in German with German dates', () => {
    const de = sayer(catalogue('de'));
    const shown = statusText({ kind: 'denied', since: 0, reason: 'keyNotYetValid', at: opens }, { now: 0, pinLockedUntil: 0, locale: 'de-DE' }, de);
    expect(shown).toMatchObject({ title: 'Noch nicht', detail: `Dieser Schlüssel öffnet ab ${formatDateTime(opens, 'de-DE')}.` });
    expect(shown.detail).toMatch(/26\.11\.26/);
    expect(statusText({ kind: 'denied', since: 0, reason: 'keyExpired', at: opens }, { now: 0, pinLockedUntil: 0, locale: 'de-DE' }, de).detail).toBe(`Dieser Schlüssel ist am ${formatDate(opens, 'de-DE')} abgelaufen.`);
  });

  it('a declined ring tells the visitor nobody is coming, in English and in German', () => {
    expect(statusText({ kind: 'ringDeclined', since: 0 })).toMatchObject({ title: 'Nobody can come to the door right now', detail: 'Please try again later.' });
    expect(statusText({ kind: 'ringDeclined', since: 0 }, { now: 0, pinLockedUntil: 0 }, sayer(catalogue('de')))).toMatchObject({ title: 'Gerade kann niemand an die Tür kommen' });
  });

  it('without a time it is the plain invalid-key refusal', () => {
    expect(statusText({ kind: 'denied', since: 0, reason: 'keyNotYetValid' }).detail).toBe('That key is not valid here or now.');
  });
});

describe('the kiosk coaches a face it cannot use', () => {
  it('a face the camera cannot use is told what to do, on the face-seen screen and after it times out', () => {
    const turned = coachingText(['turned', 'too-dark']);
    expect(turned).toBe('Face the camera.');
    expect(statusText({ kind: 'faceSeen', since: 0, trackId: 1 }, { now: 0, pinLockedUntil: 0, coaching: turned }).detail).toBe('Face the camera.');
    expect(statusText({ kind: 'idle', since: 0 }, { now: 0, pinLockedUntil: 0, coaching: coachingText(['too-small', 'blurry']) }).detail).toBe('Come closer.');
    expect(statusText({ kind: 'offline', since: 0 }, { now: 0, pinLockedUntil: 0, coaching: coachingText(['too-dark']) }).detail).toBe('More light, please: face a light.');
  });

  it('without a problem the screens say what they always said', () => {
    expect(statusText({ kind: 'faceSeen', since: 0, trackId: 1 }).detail).toBe('Hold still and look at the circle.');
    expect(statusText({ kind: 'idle', since: 0 }, { now: 0, pinLockedUntil: 0, coaching: coachingText([]) }).detail).toBe('Step closer to unlock, or use a PIN.');
  });
});

describe('the kiosk in German', () => {
  const de = sayer(catalogue('de'));
  it('speaks the catalogue, placeholders filled', () => {
    expect(statusText({ kind: 'granted', since: 0, name: 'Ada' }, { now: 0, pinLockedUntil: 0 }, de).title).toBe('Willkommen, Ada');
    expect(statusText({ kind: 'denied', since: 0, reason: 'notRecognised' }, { now: 0, pinLockedUntil: 0 }, de).detail).toBe('Wir konnten Sie nicht erkennen. Nutzen Sie Ihre PIN oder klingeln Sie.');
    expect(statusText({ kind: 'enterPin', since: 0, why: 'requested' }, { now: 0, pinLockedUntil: 27_000 }, de).detail).toBe('Zu viele falsche PINs. Versuchen Sie es in 0:27 wieder, oder klingeln Sie.');
  });
});
