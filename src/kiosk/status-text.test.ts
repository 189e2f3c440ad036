import { describe, expect, it } from 'vitest';
import { coachingText } from '../vision/coaching.ts';
import { statusText } from './status-text.ts';

describe('status text', () => {
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
