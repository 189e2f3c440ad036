import { beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../lib/secret-hash.ts';
import { checkPin, identifyByPin, keypadLayout, pinProblem, type PinCredential } from './pin.ts';

// Low iteration counts keep the suite fast; the parameters travel with each hash.
const FAST = 1_000;
let alice: PinCredential;
let bob: PinCredential;
let carol: PinCredential;

beforeAll(async () => {
  alice = { personId: 'alice', pin: await hashSecret('2468', FAST), duress: await hashSecret('2469', FAST) };
  bob = { personId: 'bob', pin: await hashSecret('1357', FAST) };
  carol = { personId: 'carol', pin: await hashSecret('9090', FAST), duress: await hashSecret('9091', FAST) };
});

describe('checkPin', () => {
  it('tells the PIN, the duress PIN and anything else apart', async () => {
    expect(await checkPin('2468', alice)).toBe('match');
    expect(await checkPin('2469', alice)).toBe('duress');
    expect(await checkPin('2467', alice)).toBe('wrong');
    expect(await checkPin('', alice)).toBe('wrong');
  });

  it('has no duress outcome for someone without a duress PIN', async () => {
    expect(await checkPin('1357', bob)).toBe('match');
    expect(await checkPin('2469', bob)).toBe('wrong');
  });

  it('prefers the normal PIN when both hashes match', async () => {
    const same = { personId: 'x', pin: await hashSecret('5555', FAST), duress: await hashSecret('5555', FAST) };
    expect(await checkPin('5555', same)).toBe('match');
  });

  it('refuses when there is no credential, after doing the same work', async () => {
    expect(await checkPin('2468', undefined)).toBe('wrong');
  });
});

describe('identifyByPin', () => {
  it('finds whose PIN it is', async () => {
    expect(await identifyByPin('1357', [alice, bob, carol])).toEqual({ personId: 'bob', check: 'match' });
    expect(await identifyByPin('9091', [alice, bob, carol])).toEqual({ personId: 'carol', check: 'duress' });
    expect(await identifyByPin('0000', [alice, bob, carol])).toBeNull();
    expect(await identifyByPin('1357', [])).toBeNull();
  });

  it("prefers someone's PIN over someone else's duress PIN if enrolment let them collide", async () => {
    const dave = { personId: 'dave', pin: await hashSecret('2469', FAST) };
    expect(await identifyByPin('2469', [alice, dave])).toEqual({ personId: 'dave', check: 'match' });
  });
});

describe('pinProblem', () => {
  it.each([
    ['123', 'digits'],
    ['123456789', 'digits'],
    ['12a4', 'digits'],
    ['7777', 'repeat'],
  ])('refuses %j', (pin, word) => {
    expect(pinProblem(pin)).toContain(word);
  });
  it('refuses a duress PIN equal to the PIN or malformed', () => {
    expect(pinProblem('2468', '2468')).toContain('differ');
    expect(pinProblem('2468', '24')).toContain('digits');
  });
  it('accepts good PINs', () => {
    expect(pinProblem('2468')).toBeNull();
    expect(pinProblem('20251231', '2469')).toBeNull();
  });
});

describe('keypadLayout', () => {
  it('is the phone order when not scrambled', () => {
    expect(keypadLayout(false)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '0']);
  });

  it('is a permutation of the ten digits when scrambled', () => {
    const keys = keypadLayout(true);
    expect([...keys].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('is driven by the injected randomness, skipping bytes that would bias it', () => {
    // For the first swap (n = 10) bytes >= 250 must be rejected; 255 then 3 picks index 3.
    const bytes = [255, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let i = 0;
    const source = (n: number) => Uint8Array.from({ length: n }, () => bytes[i++] ?? 0);
    const keys = keypadLayout(true, source);
    expect(i).toBe(10); // one rejected draw plus nine swaps
    expect(keys[9]).toBe('4'); // position 9 swapped with index 3 ('4')
  });

  it('spreads each digit evenly over the first key', () => {
    const counts = new Map<string, number>();
    const runs = 20_000;
    for (let r = 0; r < runs; r++) {
      const first = keypadLayout(true)[0] ?? '';
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    expect(counts.size).toBe(10);
    // Expected 2000 each; the standard deviation is about 42, so 250 is a generous bound.
    for (const c of counts.values()) expect(Math.abs(c - runs / 10)).toBeLessThan(250);
  });

  it('fails loudly on a broken random source instead of hanging', () => {
    expect(() => keypadLayout(true, (n) => new Uint8Array(n).fill(255))).toThrow(/random/);
  });
});
