import { describe, expect, it } from 'vitest';
import { parsePairs, spoofKind } from './eval.ts';

describe('npm run eval inputs', () => {
  it('--pairs takes a CSV with a header row (file_a,file_b,same), CRLF line ends and blank lines', () => {
    const csv = 'file_a,file_b,same\r\nobama_1.jpg,obama_2.jpg,1\r\n\r\nobama_1.jpg, biden_1.jpg ,0\r\nrose_leslie_1.jpg,rose_leslie_2.jpg\r\n';
    expect(parsePairs(csv)).toEqual([
      { a: 'obama_1.jpg', b: 'obama_2.jpg', same: '1' },
      { a: 'obama_1.jpg', b: 'biden_1.jpg', same: '0' },
      { a: 'rose_leslie_1.jpg', b: 'rose_leslie_2.jpg', same: undefined },
    ]);
  });

  it('--pairs without a header keeps the first row, and the old a,b header still works', () => {
    expect(parsePairs('x/1.jpg,y/2.jpg,true\n')).toEqual([{ a: 'x/1.jpg', b: 'y/2.jpg', same: 'true' }]);
    expect(parsePairs('a,b\nx.png,y.png\n')).toEqual([{ a: 'x.png', b: 'y.png', same: undefined }]);
  });

  it('--spoof names: real_*, fake-<type>_* by type, plain fake_* unlabelled, anything else ignored', () => {
    expect(spoofKind('real_obama_1.jpg')).toEqual({ bonaFide: true });
    expect(spoofKind('fake-print-synthetic_obama_1.jpg')).toEqual({ bonaFide: false, type: 'print-synthetic' });
    expect(spoofKind('fake-replay_1.png')).toEqual({ bonaFide: false, type: 'replay' });
    expect(spoofKind('fake_1.png')).toEqual({ bonaFide: false, type: 'unlabelled' });
    expect(spoofKind('README.md')).toBeNull();
  });
});
