import { createInsight, observe, tick, TICK_MS, type InsightConfig } from '../../../src/insight/engine.ts';
import type { Alert, AlertCode } from '../../../src/insight/alerts.ts';
import { generateSites, INTRUDER_LIKE, type AnomalyKind, type Incident, type SiteHistory, type SiteKind } from './generator.ts';
import { WEEK_MS } from '../../../src/insight/time.ts';

/**
 * Replays generated histories through the insight engine exactly as the app would (observe each
 * event in order, tick every few minutes) and scores its alerts and step-ups against the ground
 * truth. Browser-safe: it returns text, the runner prints it.
 */

/** Which alerts count as catching each kind of anomaly. */
export const ALERTS_FOR: Readonly<Record<AnomalyKind, readonly AlertCode[]>> = {
  intruder3am: ['intruder', 'loitering', 'bruteForce', 'forcedDoor'],
  stolenGuestKey: ['unusualAccess'],
  bruteForcePin: ['bruteForce', 'intruder'],
  tailgating: ['tailgating'],
  spoofReplay: ['spoofAttempt', 'unusualAccess'],
  missedArrival: ['expectedArrivalMissed'],
  doorLeftOpen: ['doorLeftOpen'],
  panelSilent: ['panelSilent'],
};

const ALL_KINDS = Object.keys(ALERTS_FOR) as AnomalyKind[];
/**
 * Alerts that announce an ordinary visit rather than claim an anomaly: not scored as true or
 * false, but counted, with the unrecognised attempts they stand for (each of which notified a
 * phone before the visit rule, src/insight/visits.ts).
 */
export const ANNOUNCEMENTS: readonly AlertCode[] = ['unknownVisitor'];
/** An alert this long after an incident's last event still belongs to it (time-driven detectors lag). */
const ATTRIBUTION_SLACK_MS = 30 * 60_000;

export interface BenchOptions {
  readonly seeds: readonly number[];
  readonly weeks: number;
  readonly learnWeeks: number;
  readonly households: number;
  readonly offices: number;
  readonly shortLets: number;
  readonly tickMs: number;
  readonly config: Partial<InsightConfig>;
}

export const DEFAULT_BENCH_OPTIONS: BenchOptions = {
  seeds: [101, 102, 103, 104, 105, 106, 107, 108],
  weeks: 10,
  learnWeeks: 3,
  households: 6,
  offices: 2,
  shortLets: 2,
  tickMs: TICK_MS,
  config: {},
};

export interface KindFigures {
  readonly kind: AnomalyKind;
  readonly incidents: number;
  readonly caught: number;
  /** Caught by an alert (the rest were stopped by a step-up or refusal only). */
  readonly alerted: number;
  readonly truePositiveAlerts: number;
  readonly falseAlerts: number;
  readonly recall: number;
  readonly precision: number;
}

export interface BenchFigures {
  readonly seeds: readonly number[];
  readonly sites: Readonly<Record<SiteKind, number>>;
  readonly evalWeeks: number;
  readonly kinds: readonly KindFigures[];
  readonly intruderLikeRecall: number;
  /** False alerts in the evaluation window, per site and week; by site kind and by code. */
  readonly falseAlertsPerSiteWeek: Readonly<Record<SiteKind, number>>;
  readonly falseAlertsByCode: Readonly<Partial<Record<AlertCode, number>>>;
  /** Unknown-visitor announcements, and the unrecognised face attempts behind them, per site and week. */
  readonly visitors: Readonly<Record<SiteKind, { readonly announced: number; readonly unrecognised: number }>>;
  readonly friction: { readonly legitEntries: number; readonly steppedUp: number; readonly share: number; readonly byRule: Readonly<Record<string, number>>; readonly byReason: Readonly<Record<string, number>> };
  readonly events: number;
  readonly ms: number;
}

interface SiteTally {
  caught: Set<string>;
  alerted: Set<string>;
  tp: Map<AnomalyKind, number>;
  falseAlerts: Alert[];
  announced: number;
  unrecognised: number;
  legit: number;
  stepped: number;
  byRule: Map<string, number>;
  byReason: Map<string, number>;
}

const bump = <K>(m: Map<K, number>, k: K, by = 1): void => void m.set(k, (m.get(k) ?? 0) + by);

function attribute(alert: Alert, incidents: readonly Incident[]): Incident[] {
  return incidents.filter((i) => ALERTS_FOR[i.kind].includes(alert.code) && alert.at >= i.start - 60_000 && alert.at <= i.end + ATTRIBUTION_SLACK_MS);
}

export function runSite(site: SiteHistory, config: Partial<InsightConfig>, tickMs: number): SiteTally {
  const state = createInsight({ ...config, watchedPeople: site.watchedPeople });
  const t: SiteTally = { caught: new Set(), alerted: new Set(), tp: new Map(), falseAlerts: [], announced: 0, unrecognised: 0, legit: 0, stepped: 0, byRule: new Map(), byReason: new Map() };
  const incidentById = new Map(site.incidents.map((i) => [i.id, i]));
  const onAlerts = (alerts: readonly Alert[]): void => {
    for (const a of alerts) {
      if (a.at < site.evalFrom) continue;
      if (ANNOUNCEMENTS.includes(a.code)) {
        t.announced++;
        continue;
      }
      const hits = attribute(a, site.incidents);
      if (hits.length === 0) t.falseAlerts.push(a);
      for (const h of hits) {
        t.caught.add(h.id);
        t.alerted.add(h.id);
        bump(t.tp, h.kind);
      }
    }
  };
  let nextTick = site.start + tickMs;
  for (const e of site.events) {
    while (nextTick <= e.at) {
      onAlerts(tick(state, nextTick).raised);
      nextTick += tickMs;
    }
    const res = observe(state, e);
    onAlerts(res.alerts);
    if (e.type === 'attempt' && e.at >= site.evalFrom && e.credential === 'face' && e.personId === null && e.outcome !== 'grant') t.unrecognised++;
    const a = res.assessment;
    if (!a || e.type !== 'attempt') continue;
    const incidentId = site.incidentOf.get(e.id);
    const incident = incidentId ? incidentById.get(incidentId) : undefined;
    // A step-up or refusal on an attempt the static policy let through is a catch too.
    if (incident && e.outcome === 'grant' && a.decision.action.kind !== 'open') t.caught.add(incident.id);
    if (site.legitEntries.has(e.id) && e.at >= site.evalFrom) {
      t.legit++;
      if (a.decision.action.kind !== 'open') {
        t.stepped++;
        bump(t.byRule, a.decision.rule);
        for (const r of a.risk.reasons) if ((a.risk.parts[r] ?? 0) > 0) bump(t.byReason, r);
      }
    }
  }
  while (nextTick <= site.end) {
    onAlerts(tick(state, nextTick).raised);
    nextTick += tickMs;
  }
  return t;
}

export function runBench(options: Partial<BenchOptions> = {}): BenchFigures {
  const o = { ...DEFAULT_BENCH_OPTIONS, ...options };
  const started = Date.now();
  const incidents = new Map<AnomalyKind, number>();
  const caught = new Map<AnomalyKind, number>();
  const alerted = new Map<AnomalyKind, number>();
  const tp = new Map<AnomalyKind, number>();
  const falseByCode = new Map<AlertCode, number>();
  const falseBySiteKind = new Map<SiteKind, number>();
  const sitesByKind = new Map<SiteKind, number>();
  const announcedBySiteKind = new Map<SiteKind, number>();
  const unrecognisedBySiteKind = new Map<SiteKind, number>();
  const byRule = new Map<string, number>();
  const byReason = new Map<string, number>();
  let legit = 0;
  let stepped = 0;
  let events = 0;
  for (const seed of o.seeds) {
    const sites = generateSites({ seed, weeks: o.weeks, learnWeeks: o.learnWeeks, households: o.households, offices: o.offices, shortLets: o.shortLets });
    for (const site of sites) {
      events += site.events.length;
      bump(sitesByKind, site.kind);
      const t = runSite(site, o.config, o.tickMs);
      for (const i of site.incidents) {
        bump(incidents, i.kind);
        if (t.caught.has(i.id)) bump(caught, i.kind);
        if (t.alerted.has(i.id)) bump(alerted, i.kind);
      }
      for (const [k, n] of t.tp) bump(tp, k, n);
      for (const a of t.falseAlerts) bump(falseByCode, a.code);
      bump(falseBySiteKind, site.kind, t.falseAlerts.length);
      bump(announcedBySiteKind, site.kind, t.announced);
      bump(unrecognisedBySiteKind, site.kind, t.unrecognised);
      legit += t.legit;
      stepped += t.stepped;
      for (const [k, n] of t.byRule) bump(byRule, k, n);
      for (const [k, n] of t.byReason) bump(byReason, k, n);
    }
  }
  const evalWeeks = o.weeks - o.learnWeeks;
  const kinds: KindFigures[] = ALL_KINDS.map((kind) => {
    const n = incidents.get(kind) ?? 0;
    const c = caught.get(kind) ?? 0;
    const truePos = tp.get(kind) ?? 0;
    let falsePos = 0;
    for (const code of ALERTS_FOR[kind]) falsePos += falseByCode.get(code) ?? 0;
    return {
      kind,
      incidents: n,
      caught: c,
      alerted: alerted.get(kind) ?? 0,
      truePositiveAlerts: truePos,
      falseAlerts: falsePos,
      recall: n ? c / n : Number.NaN,
      precision: truePos + falsePos ? truePos / (truePos + falsePos) : Number.NaN,
    };
  });
  let intruderN = 0;
  let intruderC = 0;
  for (const k of INTRUDER_LIKE) {
    intruderN += incidents.get(k) ?? 0;
    intruderC += caught.get(k) ?? 0;
  }
  const perSiteWeekOf = (m: Map<SiteKind, number>, k: SiteKind): number => (m.get(k) ?? 0) / Math.max(1, (sitesByKind.get(k) ?? 0) * evalWeeks);
  const perSiteWeek = (k: SiteKind): number => perSiteWeekOf(falseBySiteKind, k);
  const visitors = (k: SiteKind) => ({ announced: perSiteWeekOf(announcedBySiteKind, k), unrecognised: perSiteWeekOf(unrecognisedBySiteKind, k) });
  return {
    seeds: o.seeds,
    sites: { household: sitesByKind.get('household') ?? 0, office: sitesByKind.get('office') ?? 0, shortLet: sitesByKind.get('shortLet') ?? 0 },
    evalWeeks,
    kinds,
    intruderLikeRecall: intruderN ? intruderC / intruderN : Number.NaN,
    falseAlertsPerSiteWeek: { household: perSiteWeek('household'), office: perSiteWeek('office'), shortLet: perSiteWeek('shortLet') },
    falseAlertsByCode: Object.fromEntries(falseByCode),
    visitors: { household: visitors('household'), office: visitors('office'), shortLet: visitors('shortLet') },
    friction: { legitEntries: legit, steppedUp: stepped, share: legit ? stepped / legit : 0, byRule: Object.fromEntries(byRule), byReason: Object.fromEntries(byReason) },
    events,
    ms: Date.now() - started,
  };
}

const pct = (x: number): string => (Number.isNaN(x) ? '   -  ' : `${(100 * x).toFixed(1).padStart(5)}%`);

export function formatBench(f: BenchFigures, label: string): string {
  const lines: string[] = [];
  lines.push(`== ${label}: seeds ${f.seeds.join(', ')}`);
  lines.push(`   ${f.sites.household} households, ${f.sites.office} offices, ${f.sites.shortLet} short-lets; ${f.evalWeeks} evaluation weeks each after the learning weeks; ${f.events} events in ${(f.ms / 1000).toFixed(1)} s`);
  lines.push('   kind             incidents  caught  recall  alerted  alerts(true/false)  precision');
  for (const k of f.kinds) {
    const intruder = INTRUDER_LIKE.includes(k.kind) ? '*' : ' ';
    lines.push(
      `   ${(k.kind + intruder).padEnd(16)} ${String(k.incidents).padStart(9)} ${String(k.caught).padStart(7)}  ${pct(k.recall)} ${String(k.alerted).padStart(8)}  ${`${k.truePositiveAlerts}/${k.falseAlerts}`.padStart(18)}  ${pct(k.precision)}`,
    );
  }
  lines.push(`   * intruder-like recall: ${pct(f.intruderLikeRecall)}   (target >= 90%)`);
  const fa = f.falseAlertsPerSiteWeek;
  lines.push(`   false alerts per site per week: household ${fa.household.toFixed(2)}, office ${fa.office.toFixed(2)}, short-let ${fa.shortLet.toFixed(2)}   (target <= 1)`);
  lines.push(`   false alerts by code: ${Object.entries(f.falseAlertsByCode).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  const v = f.visitors;
  const visit = (x: { announced: number; unrecognised: number }) => `${x.announced.toFixed(2)} (of ${x.unrecognised.toFixed(2)} unrecognised attempts)`;
  lines.push(`   unknown-visitor notices per site per week: household ${visit(v.household)}, office ${visit(v.office)}, short-let ${visit(v.shortLet)}`);
  const fr = f.friction;
  lines.push(`   friction: ${fr.steppedUp} of ${fr.legitEntries} legitimate entries stepped up = ${pct(fr.share)}   (target < 5%)`);
  lines.push(`     by rule: ${Object.entries(fr.byRule).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}; by reason: ${Object.entries(fr.byReason).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  return lines.join('\n');
}

/** Tuning seeds are for adjusting knobs; evaluation seeds are reported and never tuned on. */
export const TUNING_SEEDS: readonly number[] = [1, 2, 3, 4];
export const EVALUATION_SEEDS: readonly number[] = DEFAULT_BENCH_OPTIONS.seeds;

export function benchReport(options: Partial<BenchOptions> = {}): string {
  const tuning = runBench({ ...options, seeds: TUNING_SEEDS });
  const evaluation = runBench({ ...options, seeds: EVALUATION_SEEDS });
  return [formatBench(tuning, 'tuning seeds'), '', formatBench(evaluation, 'evaluation seeds (reported)')].join('\n');
}
