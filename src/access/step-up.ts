import { checkSchedule } from './schedule.ts';
import type { Person, StepUpRule } from './types.ts';

/**
 * The step-up rules that bind this person at this instant. A rule whose time window cannot be
 * read (unknown zone, malformed window) is taken as applying: a broken rule must tighten, not
 * silently drop a second factor.
 */
export function applicableRules(rules: readonly StepUpRule[], person: Person, now: number): StepUpRule[] {
  return rules.filter((rule) => {
    const scope = rule.scope;
    const covers =
      scope.kind === 'everyone' ||
      (scope.kind === 'role' && scope.role === person.role) ||
      (scope.kind === 'person' && scope.personId === person.id);
    if (!covers) return false;
    if (!rule.when) return true;
    const check = checkSchedule(rule.when, now);
    return check.inside || check.why === 'invalid';
  });
}
