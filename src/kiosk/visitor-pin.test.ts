import { describe, expect, it } from 'vitest';
import { lockedPinChecker } from './visitor-pin.ts';

const match = async (pin: string) => (pin === '2468' ? { name: 'Ada' } : null);

describe('visitor PIN pad', () => {
  it('grants the matching PIN and refuses others', async () => {
    const pad = lockedPinChecker(match);
    expect(await pad.check('2468', 0)).toEqual({ type: 'decision', outcome: 'grant', name: 'Ada' });
    expect(await pad.check('1111', 0)).toMatchObject({ outcome: 'deny', reason: 'pinWrong' });
  });

  it('locks out after repeated failures, even for the right PIN, until the back-off ends', async () => {
    const pad = lockedPinChecker(match);
    await pad.check('0000', 0);
    await pad.check('0001', 0);
    expect(await pad.check('0002', 0)).toMatchObject({ reason: 'lockedOut' });
    expect(await pad.check('2468', 10_000)).toMatchObject({ reason: 'lockedOut' });
    expect(await pad.check('2468', 30_000)).toMatchObject({ outcome: 'grant' });
  });
});
