/**
 * \summary Runs a rule set over observations. Rules of one main field form a group tried in
 * precedence order; the first rule that matches wins for that observation (Recog's semantics,
 * which `rules test` checks with its shadowing test). A rule with `also` conditions reads the
 * latest value of each other field it names from a bounded per-device memory, so "OUI vendor is
 * X and option 55 is Y" works whichever observation arrives last.
 */
import type { DeviceField } from '../field-candidate.js';
import { evaluateRule, type CompiledRule } from './matcher.js';
import type { RuleSet } from './loader.js';

export interface EngineLimits {
  /** Devices whose field values are remembered for multi-field rules; the least recently seen is evicted. */
  maxTrackedDevices: number;
}

// Twice the model's resident devices (MODEL_LIMITS.maxResidentDevices): the devices heard lately, whose
// facts arrive in different frames, are remembered; about 230 bytes each.
export const ENGINE_LIMITS: EngineLimits = { maxTrackedDevices: 16_384 };

export interface RuleMatch {
  rule: CompiledRule;
  fields: Partial<Record<DeviceField, string>>;
}

export class RuleEngine {
  private readonly memory = new Map<string, Map<string, string>>();
  /** Devices forgotten because the memory was full. */
  evictions = 0;

  constructor(
    readonly rules: RuleSet,
    private readonly limits: EngineLimits = ENGINE_LIMITS,
  ) {}

  /** Fields some rule reads from memory: observers of these must be fed even when they match nothing. */
  needs(field: string): boolean {
    return this.rules.byField.has(field);
  }

  /**
   * Matches one observed value of `field` for device `deviceKey`; returns the winning rule of
   * each group the field takes part in.
   */
  match(deviceKey: string | undefined, field: string, value: string): RuleMatch[] {
    const candidates = this.rules.byField.get(field);
    if (!candidates) return [];
    let mem: Map<string, string> | undefined;
    let changed = true;
    if (deviceKey !== undefined && this.rules.rememberedFields.has(field)) {
      mem = this.remember(deviceKey);
      changed = mem.get(field) !== value;
      mem.set(field, value);
    } else if (deviceKey !== undefined) {
      mem = this.memory.get(deviceKey);
    }
    const values = (f: string) => (f === field ? value : mem?.get(f));
    const out: RuleMatch[] = [];
    const decided = new Set<string>();
    for (const rule of candidates) {
      if (decided.has(rule.field)) continue;
      // A field read only through `also` re-triggers the rule when its value changes, not on every repeat.
      if (rule.field !== field && !changed) continue;
      const fields = evaluateRule(rule, values);
      if (fields) {
        decided.add(rule.field);
        out.push({ rule, fields });
      }
    }
    return out;
  }

  /** Tracked devices (for tests and metrics). */
  get trackedDevices(): number {
    return this.memory.size;
  }

  private remember(key: string): Map<string, string> {
    let m = this.memory.get(key);
    if (m) {
      this.memory.delete(key); // move to most recent
      this.memory.set(key, m);
      return m;
    }
    if (this.memory.size >= this.limits.maxTrackedDevices) {
      const oldest = this.memory.keys().next().value;
      if (oldest !== undefined) {
        this.memory.delete(oldest);
        this.evictions++;
      }
    }
    m = new Map();
    this.memory.set(key, m);
    return m;
  }
}

/** Runs one rule (or the rules before it) on an example input, outside any device memory. */
export function evaluateOn(rule: CompiledRule, input: Readonly<Record<string, string>>): Partial<Record<DeviceField, string>> | undefined {
  return evaluateRule(rule, (f) => input[f]);
}
