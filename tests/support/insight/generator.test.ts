import { describe, expect, it } from 'vitest';
import { generateSite, generateSites, INTRUDER_LIKE, OPERATIONAL } from './generator.ts';
import { createRng } from './prng.ts';

describe('seeded PRNG', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(createRng(8).next()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    const n = createRng(3);
    const samples = Array.from({ length: 4000 }, () => n.normal(10, 2));
    const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
    expect(mean).toBeGreaterThan(9.8);
    expect(mean).toBeLessThan(10.2);
  });
});

describe('history generator', () => {
  it('is deterministic for a seed', () => {
    const a = generateSite('household', 0, { seed: 5, weeks: 6 });
    const b = generateSite('household', 0, { seed: 5, weeks: 6 });
    const c = generateSite('household', 0, { seed: 6, weeks: 6 });
    expect(a.events.map((e) => [e.id, e.at])).toEqual(b.events.map((e) => [e.id, e.at]));
    expect(c.events.length === a.events.length && c.events.every((e, i) => e.at === a.events[i]?.at)).toBe(false);
  });

  it('writes ordered events, labelled incidents and legitimate grants', () => {
    const sites = generateSites({ seed: 11 });
    const kinds = new Set(sites.flatMap((s) => s.incidents.map((i) => i.kind)));
    for (const k of INTRUDER_LIKE) expect(kinds.has(k)).toBe(true);
    for (const k of OPERATIONAL) expect(kinds.has(k)).toBe(true);
    for (const s of sites) {
      for (let i = 1; i < s.events.length; i++) expect(s.events[i]!.at).toBeGreaterThanOrEqual(s.events[i - 1]!.at);
      for (const inc of s.incidents) {
        expect(inc.start).toBeGreaterThanOrEqual(s.evalFrom - 24 * 3_600_000);
        expect(inc.end).toBeGreaterThanOrEqual(inc.start);
      }
      const byId = new Map(s.events.map((e) => [e.id, e]));
      for (const id of s.legitEntries) {
        const e = byId.get(id);
        expect(e?.type === 'attempt' && e.outcome === 'grant' && e.personId !== null).toBe(true);
        expect(s.incidentOf.has(id)).toBe(false);
      }
      for (const [eventId, incidentId] of s.incidentOf) {
        expect(byId.has(eventId)).toBe(true);
        expect(s.incidents.some((i) => i.id === incidentId)).toBe(true);
      }
    }
  });

  it('puts the 3 am intruder at night with unknown faces and no bell', () => {
    const site = generateSites({ seed: 12 }).find((s) => s.incidents.some((i) => i.kind === 'intruder3am'))!;
    const inc = site.incidents.find((i) => i.kind === 'intruder3am')!;
    const hour = new Date(inc.start).getUTCHours();
    expect(hour).toBeGreaterThanOrEqual(1);
    expect(hour).toBeLessThan(5);
    const events = site.events.filter((e) => site.incidentOf.get(e.id) === inc.id);
    expect(events.some((e) => e.type === 'attempt' && e.personId === null && e.unknownEmbedding)).toBe(true);
    expect(events.some((e) => e.type === 'door' && e.kind === 'bell')).toBe(false);
  });
});
