import { describe, expect, it } from 'vitest';
import { de } from './de.ts';
import { en } from './en.ts';
import { eventWords, lastVisitorWords, type LoggedEvent } from './event-words.ts';
import { sayer } from './index.ts';

const say = sayer(en);
const attempt = (detail: Record<string, unknown>): LoggedEvent => ({ kind: 'attempt', summary: 'code words', detail });
const ada = { personId: 'p1', name: 'Ada' };

describe('eventWords', () => {
  it('face grant', () => expect(eventWords(attempt({ outcome: 'grant', subject: ada, credential: { kind: 'face' }, riskReasons: ['coldStart'] }), say)).toBe('Ada came in with their face'));
  it('PIN grant', () => expect(eventWords(attempt({ outcome: 'grant', subject: ada, credential: { kind: 'pin' } }), say)).toBe('Ada came in with their PIN'));
  it('guest key grant', () => expect(eventWords(attempt({ outcome: 'grant', subject: { name: 'Bo' }, credential: { kind: 'guestKey' } }), say)).toBe('Bo came in with a guest key'));
  it('remote grant names the admin', () => {
    const e = attempt({ outcome: 'grant', subject: ada, credential: { kind: 'remote', adminId: 'abcdef1234' }, via: { adminId: 'abcdef1234', carrier: 'Sam' } });
    expect(eventWords(e, say)).toBe("Ada was let in from Sam's phone");
    const noCarrier = attempt({ outcome: 'grant', subject: null, credential: { kind: 'remote', adminId: 'abcdef1234' } });
    expect(eventWords(noCarrier, say, (id) => (id === 'abcdef1234' ? 'Kim' : null))).toBe("The door was opened from Kim's phone");
    expect(eventWords(noCarrier, say)).toBe("The door was opened from abcdef12's phone");
  });
  it('exit button', () => expect(eventWords(attempt({ outcome: 'grant', subject: null, credential: { kind: 'exitButton' } }), say)).toBe('Someone left with the exit button'));
  it('unknown ring', () => expect(eventWords(attempt({ outcome: 'ring', subject: null, credential: { kind: 'face' } }), say)).toBe('Someone unknown rang'));
  it('doorbell', () => expect(eventWords(attempt({ bell: true }), say)).toBe('Someone rang the doorbell'));
  it('missed ring', () => expect(eventWords(attempt({ ring: 'missed' }), say)).toBe('Nobody answered the doorbell'));
  it('spoof', () => expect(eventWords(attempt({ outcome: 'deny', subject: null, credential: { kind: 'face' }, alerts: ['spoofAttempt'] }), say)).toBe('A photo was held to the camera'));
  it('duress', () => expect(eventWords(attempt({ outcome: 'grant', subject: ada, credential: { kind: 'pin' }, alerts: ['duress'] }), say)).toBe('Ada used the duress PIN'));
  it('denials', () => {
    expect(eventWords(attempt({ outcome: 'deny', subject: ada, credential: { kind: 'face' } }), say)).toBe('Ada was not let in');
    expect(eventWords(attempt({ outcome: 'deny', subject: null, credential: { kind: 'face' } }), say)).toBe('Someone unknown was not let in');
  });
  it('insight alert', () => expect(eventWords({ kind: 'system', summary: 'alert forcedDoor: x', detail: { code: 'forcedDoor' } }, say)).toBe('The door was forced open'));
  it('tamper and refused remote', () => {
    expect(eventWords({ kind: 'door', summary: 's', detail: { tamper: true } }, say)).toBe('Someone tampered with the panel');
    expect(eventWords({ kind: 'admin', summary: 's', detail: { remoteRefused: true } }, say)).toBe('A command from a phone was refused');
  });
  it('falls back to the summary for sentence-like lines and odd detail', () => {
    expect(eventWords({ kind: 'admin', summary: 'Ada added', detail: { adminId: 'x' } }, say)).toBe('Ada added');
    expect(eventWords({ kind: 'attempt', summary: 'raw', detail: 'junk' }, say)).toBe('raw');
  });
  it('speaks German', () => expect(eventWords(attempt({ outcome: 'grant', subject: ada, credential: { kind: 'face' } }), sayer(de))).toBe('Ada kam mit dem Gesicht herein'));
  it('never shows codes', () => {
    const line = eventWords(attempt({ outcome: 'grant', subject: ada, credential: { kind: 'face' }, riskReasons: ['coldStart'], reasons: ['faceMatched'] }), say);
    expect(line).not.toMatch(/faceMatched|coldStart/);
  });
});

describe('lastVisitorWords', () => {
  it('names the phone that let someone in', () => {
    expect(lastVisitorWords({ name: null, outcome: 'grant', by: 'Sam' }, say)).toBe("The door was opened from Sam's phone");
    expect(lastVisitorWords({ name: 'Ada', outcome: 'grant', by: 'Sam' }, say)).toBe("Ada was let in from Sam's phone");
  });
  it('says what happened in words, never the outcome code', () => {
    expect(lastVisitorWords({ name: null, outcome: 'doorbell rung at the door' }, say)).toBe('Someone rang the doorbell');
    expect(lastVisitorWords({ name: 'Ada', outcome: 'grant' }, say)).toBe('Ada came in');
    expect(lastVisitorWords({ name: null, outcome: 'grant' }, say)).toBe('The door was opened');
    expect(lastVisitorWords({ name: null, outcome: 'deny' }, say)).toBe('Someone unknown was not let in');
    expect(lastVisitorWords({ name: 'Ada', outcome: 'deny' }, say)).toBe('Ada was not let in');
    expect(lastVisitorWords({ name: null, outcome: 'ring' }, say)).toBe('Someone unknown rang');
  });
  it('keeps name and outcome for an outcome it has no words for', () => expect(lastVisitorWords({ name: null, outcome: 'something new' }, say)).toBe('unknown (something new)'));
});
