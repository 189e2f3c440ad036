import { checkSchedule } from './schedule.ts';
import type { Pass, Person, ReasonCode } from './types.ts';

/**
 * Whether a person may be let in at this instant at all, whatever the credential: their own
 * schedule, or else one of their passes. Returns the reasons either way so the log can say which.
 */
export type Entitlement =
  | { readonly ok: true; readonly basis: 'unrestricted' | 'withinSchedule' | 'passValid'; readonly passId: string | null }
  | { readonly ok: false; readonly reasons: readonly ReasonCode[] };

export function checkEntitlement(person: Person, passes: readonly Pass[], now: number): Entitlement {
  const refusals = new Set<ReasonCode>();

  if (person.schedule) {
    const s = checkSchedule(person.schedule, now);
    if (s.inside) return { ok: true, basis: 'withinSchedule', passId: null };
    refusals.add(s.why === 'invalid' ? 'scheduleInvalid' : 'outsideSchedule');
  } else if (person.role === 'resident' || person.role === 'employee') {
    return { ok: true, basis: 'unrestricted', passId: null };
  }

  const usable: Pass[] = [];
  for (const pass of passes) {
    if (pass.personId !== person.id) continue;
    const refusal = passRefusal(pass, now);
    if (refusal) refusals.add(refusal);
    else usable.push(pass);
  }
  const chosen = choosePass(usable);
  if (chosen) return { ok: true, basis: 'passValid', passId: chosen.id };

  if (refusals.size === 0) refusals.add('noAccessRights');
  return { ok: false, reasons: [...refusals] };
}

/** Why a pass cannot be used now, or null when it can. Comparisons are written so NaN refuses. */
export function passRefusal(pass: Pass, now: number): ReasonCode | null {
  if (pass.revoked) return 'passRevoked';
  if (!(now >= pass.from)) return 'passNotYetValid';
  if (!(now < pass.to)) return 'passExpired';
  if (pass.maxUses !== null && !(pass.uses < pass.maxUses)) return 'passExhausted';
  if (pass.schedule) {
    const s = checkSchedule(pass.schedule, now);
    if (!s.inside) return s.why === 'invalid' ? 'scheduleInvalid' : 'outsideSchedule';
  }
  return null;
}

/**
 * Spend counted passes last and, among them, the one that expires first, so an unlimited or
 * longer pass is not used up while a shorter one would lapse unused. Ties break on id to stay
 * deterministic.
 */
function choosePass(passes: readonly Pass[]): Pass | undefined {
  return [...passes].sort((a, b) => {
    const ua = a.maxUses === null ? 0 : 1;
    const ub = b.maxUses === null ? 0 : 1;
    if (ua !== ub) return ua - ub;
    if (a.to !== b.to) return a.to - b.to;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  })[0];
}
