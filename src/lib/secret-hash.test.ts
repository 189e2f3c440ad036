import { describe, expect, it } from 'vitest';
import { hashSecret, verifySecret } from './secret-hash.ts';

describe('secret hashing', () => {
  it('verifies the right secret and refuses a wrong one', async () => {
    const stored = await hashSecret('482913', 1000);
    expect(await verifySecret('482913', stored)).toBe(true);
    expect(await verifySecret('482914', stored)).toBe(false);
  });

  it('salts every hash, so equal PINs do not give equal records', async () => {
    const a = await hashSecret('1234', 1000);
    const b = await hashSecret('1234', 1000);
    expect(a.hash).not.toBe(b.hash);
  });

  it('refuses a corrupt record rather than throwing open', async () => {
    const stored = await hashSecret('1234', 1000);
    expect(await verifySecret('1234', { ...stored, iterations: 0 })).toBe(false);
  });
});
