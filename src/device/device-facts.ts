/**
 * \summary The read-only view of one device that identification is given (issue 13): what the
 * device core holds about it, so that the identifier and the rules engine keep no per-device
 * memory of their own.
 *
 * - `fact(field)`: the latest value of an observation field some rule reads through `also`
 *   (rule sets name these fields: `RuleSet.rememberedFields`), as the device had it before the
 *   observation being identified. The device core stores them with the device (a flat
 *   field/value list, bounded by the rule set's remembered fields) and merges them with it.
 * - `manufacturers()`: every manufacturer value the device has evidence for (any source), which
 *   the "<vendor> <model> <version>" splitter and the product catalogue look names up against.
 */
import { appendedAll } from './tight-list.js';

export interface DeviceFacts {
  fact(field: string): string | undefined;
  manufacturers(): readonly string[];
}

/** A device nothing is known of (identification outside the device core: rule examples, tests). */
export const NO_DEVICE_FACTS: DeviceFacts = Object.freeze({
  fact: () => undefined,
  manufacturers: () => [],
});

/** The value of `field` in a flat field/value list, or undefined. */
export function factOf(facts: readonly string[] | undefined, field: string): string | undefined {
  if (facts === undefined) return undefined;
  for (let i = 0; i < facts.length; i += 2) if (facts[i] === field) return facts[i + 1];
  return undefined;
}

/** Sets `field` to `value` in a flat field/value list: in place when the field is there, else in a
 * new list of exactly the new length (src/device/tight-list.ts); returns the list to keep. */
export function withFact(facts: string[] | undefined, field: string, value: string): string[] {
  if (facts !== undefined) {
    for (let i = 0; i < facts.length; i += 2) {
      if (facts[i] === field) {
        facts[i + 1] = value;
        return facts;
      }
    }
  }
  return appendedAll(facts, [field, value]);
}
