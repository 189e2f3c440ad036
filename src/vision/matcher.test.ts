import { describe, expect, test } from 'vitest';
import { agree, AgreementWindow } from './agreement.ts';
import { l2Normalize, cosine, meanEmbedding } from './embedding.ts';
import { TemplateIndex, type MatchResult } from './matcher.ts';

const unit = (...v: number[]) => l2Normalize(v);
const policy = { threshold: 0.5, margin: 0.1 };

describe('embeddings', () => {
  test('l2Normalize gives unit length and leaves zero vectors at zero', () => {
    const u = l2Normalize([3, 4]);
    expect(Array.from(u)).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(Array.from(l2Normalize([0, 0]))).toEqual([0, 0]);
    expect(cosine([1, 0], [0, 2])).toBe(0);
    expect(cosine([1, 1], [2, 2])).toBeCloseTo(1, 6);
    expect(cosine(meanEmbedding([[1, 0], [0, 1]]), [1, 1])).toBeCloseTo(1, 6);
  });
});

describe('TemplateIndex', () => {
  test('several templates per person: the best one counts', () => {
    const idx = new TemplateIndex(3);
    idx.add('ann', [1, 0, 0]);
    idx.add('ann', [0, 1, 0]);
    idx.add('bob', [0, 0, 1]);
    expect(idx.size).toBe(3);
    expect(idx.personCount).toBe(2);
    const r = idx.match(unit(0.1, 1, 0), policy);
    expect(r.kind).toBe('match');
    expect(r.kind === 'match' && r.personId).toBe('ann');
    expect(idx.scores(unit(0, 0, 1)).map((s) => s.personId)).toEqual(['bob', 'ann']);
  });

  test('unknown below the threshold, even though someone is nearest', () => {
    const idx = new TemplateIndex(2);
    idx.add('ann', [1, 0]);
    const r = idx.match(unit(1, 1.5), policy); // cos ~0.55 would pass 0.5: use a stricter policy
    expect(r.kind).toBe('match');
    const strict = idx.match(unit(1, 1.5), { threshold: 0.6, margin: 0.1 });
    expect(strict).toMatchObject({ kind: 'unknown', reason: 'below-threshold', best: { personId: 'ann' } });
  });

  test('unknown when two people are too close to call (margin against the next person)', () => {
    const idx = new TemplateIndex(2);
    idx.add('ann', [1, 0.05]);
    idx.add('ann', [1, 0.06]); // a second template of the same person must not count as the runner-up
    idx.add('bob', [1, -0.05]);
    const r = idx.match(unit(1, 0), policy);
    expect(r).toMatchObject({ kind: 'unknown', reason: 'ambiguous' });
    idx.removePerson('bob');
    expect(idx.match(unit(1, 0), policy)).toMatchObject({ kind: 'match', personId: 'ann' });
  });

  test('no templates -> unknown; wrong dimension and zero vectors are refused', () => {
    const idx = new TemplateIndex(4);
    expect(idx.match(unit(1, 0, 0, 0), policy)).toMatchObject({ kind: 'unknown', reason: 'no-templates' });
    expect(() => idx.add('x', [1, 2])).toThrow(RangeError);
    expect(() => idx.add('x', [0, 0, 0, 0])).toThrow(RangeError);
    expect(() => idx.scores([1, 0])).toThrow(RangeError);
  });

  test('removePerson compacts rows and keeps other people intact across growth', () => {
    const idx = new TemplateIndex(2, 1);
    for (let i = 0; i < 50; i++) idx.add(`p${i % 5}`, [Math.cos(i), Math.sin(i)]);
    expect(idx.removePerson('p2')).toBe(10);
    expect(idx.removePerson('p2')).toBe(0);
    expect(idx.size).toBe(40);
    expect(idx.personCount).toBe(4);
    const q = unit(Math.cos(13), Math.sin(13)); // a template of p3
    expect(idx.scores(q, 1)[0]).toMatchObject({ personId: 'p3' });
    expect(idx.scores(q, 1)[0]!.score).toBeCloseTo(1, 5);
  });
});

describe('multi-frame agreement', () => {
  const m = (personId: string, score = 0.7): MatchResult => ({ kind: 'match', personId, score, lead: 0.3 });
  const u: MatchResult = { kind: 'unknown', reason: 'below-threshold', best: null, runnerUp: null };

  test('needs N of the last M frames for the same person', () => {
    expect(agree([m('ann'), u, m('ann')], { need: 3, window: 5 })).toEqual({ kind: 'pending', votes: 2, leader: 'ann' });
    expect(agree([m('ann', 0.6), u, m('ann', 0.8), m('ann', 0.7)], { need: 3, window: 5 })).toMatchObject({ kind: 'agreed', personId: 'ann', votes: 3 });
    // The oldest vote slid out of the window.
    expect(agree([m('ann'), u, u, u, m('ann'), m('ann')], { need: 3, window: 5 }).kind).toBe('pending');
  });

  test('two different people in the window is a conflict, never a decision', () => {
    expect(agree([m('ann'), m('ann'), m('bob'), m('ann')], { need: 3, window: 5 })).toEqual({ kind: 'conflict', people: ['ann', 'bob'] });
  });

  test('AgreementWindow keeps votes per track and forgets dropped tracks', () => {
    const w = new AgreementWindow({ need: 2, window: 3 });
    w.push(1, m('ann'));
    w.push(2, m('bob'));
    expect(w.push(1, m('ann')).kind).toBe('agreed');
    w.retain([1]);
    expect(w.push(2, m('bob')).kind).toBe('pending');
  });
});
