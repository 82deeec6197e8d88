/**
 * \summary Runs a rule set over observations. Rules of one main field form a group tried in
 * precedence order; the first rule that matches wins for that observation (Recog's semantics,
 * which `rules test` checks with its shadowing test). A rule with `also` conditions reads the
 * other fields it names through a lookup the caller gives (the device core's facts of the device,
 * src/device/device-facts.ts), so "OUI vendor is X and option 55 is Y" works whichever
 * observation arrives last. The engine keeps no per-device state: it is a pure function of the
 * rule set, the observation and the lookup.
 */
import type { DeviceField } from '../field-candidate.js';
import { evaluateRule, type CompiledRule } from './matcher.js';
import type { RuleSet } from './loader.js';

/** The value another field of the same device has, for `also` conditions. */
export type FieldLookup = (field: string) => string | undefined;

const NOTHING: FieldLookup = () => undefined;

export interface RuleMatch {
  rule: CompiledRule;
  fields: Partial<Record<DeviceField, string>>;
}

export class RuleEngine {
  constructor(readonly rules: RuleSet) {}

  /** Fields some rule reads from memory: observers of these must be fed even when they match nothing. */
  needs(field: string): boolean {
    return this.rules.byField.has(field);
  }

  /** Observation fields some rule reads through `also`: the device core keeps their latest value. */
  remembers(field: string): boolean {
    return this.rules.rememberedFields.has(field);
  }

  /**
   * Matches one observed value of `field`; `others` gives the device's other fields. `changed`
   * is false when the device already had this value of `field`: a rule that reads the field only
   * through `also` is then not tried again (it was when the value arrived).
   */
  match(field: string, value: string, others: FieldLookup = NOTHING, changed = true): RuleMatch[] {
    const candidates = this.rules.byField.get(field);
    if (!candidates) return [];
    const values = (f: string) => (f === field ? value : others(f));
    const out: RuleMatch[] = [];
    const decided = new Set<string>();
    for (const rule of candidates) {
      if (decided.has(rule.field)) continue;
      if (rule.field !== field && !changed) continue;
      const fields = evaluateRule(rule, values);
      if (fields) {
        decided.add(rule.field);
        out.push({ rule, fields });
      }
    }
    return out;
  }
}

/** Runs one rule (or the rules before it) on an example input, outside any device memory. */
export function evaluateOn(rule: CompiledRule, input: Readonly<Record<string, string>>): Partial<Record<DeviceField, string>> | undefined {
  return evaluateRule(rule, (f) => input[f]);
}
