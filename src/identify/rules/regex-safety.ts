/**
 * \summary Linear-time regular expressions for every pattern a user configures (fingerprint
 * rules, CSV column mappings): patterns are compiled and run by RE2 (the `re2js` package, a
 * maintained pure-JavaScript port of Google's RE2), whose matching time is linear in the input
 * whatever the pattern, so no pattern can freeze the sensor.
 *
 * Why `re2js` and not the native `re2` binding: `re2` builds a C++ addon at install time (or
 * downloads a prebuilt binary, which this project's machines cannot fetch); `re2js` is plain
 * JavaScript with no install step, and the rule set's patterns run on values of at most a few
 * hundred characters, where its speed is ample (figures in README "Hostile input").
 *
 * A pattern RE2 cannot run (back-references, look-around, repeat counts over 1000, bad syntax)
 * is a load-time error with RE2's own reason: `regexProblem` names it. This replaced a
 * hand-written static detector of backtracking shapes, which let 9 of 13 catastrophic patterns
 * through. Pure: no I/O; `exec` never throws.
 */
import { RE2JS } from 're2js';

export interface RegexProblem {
  reason: string;
}

/** A compiled linear-time pattern with the part of `RegExp`'s interface auscult uses. */
export interface LinearRegExp {
  readonly source: string;
  /** Numbered capture groups (group 0, the whole match, not counted). */
  readonly groupCount: number;
  /** Named groups, in the order they appear. */
  readonly groupNames: readonly string[];
  /** The leftmost match anywhere in `input` (like `RegExp.prototype.exec` without flags), or null.
   * Index 0 is the whole match; groups that took no part are undefined; `groups` holds the named ones. */
  exec(input: string): RegExpExecArray | null;
  test(input: string): boolean;
}

function compileRe2(source: string, ignoreCase: boolean): RE2JS {
  return RE2JS.compile(source, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
}

/** Returns why RE2 cannot run a pattern, or undefined when it can. */
export function regexProblem(source: string, ignoreCase = false): RegexProblem | undefined {
  try {
    compileRe2(source, ignoreCase);
    return undefined;
  } catch (e) {
    return problemOf(e);
  }
}

function problemOf(e: unknown): RegexProblem {
  const message = (e as Error).message.replace(/^error parsing regexp: /, '');
  return { reason: `not supported by the linear-time engine (RE2): ${message}` };
}

/** Compiles a pattern for RE2; throws (with RE2's reason) when `regexProblem` would name one. */
export function linearRegExp(source: string, ignoreCase = false): LinearRegExp {
  // One compile (start-up compiles every rule's pattern): its error is regexProblem's reason.
  let re: RE2JS;
  try {
    re = compileRe2(source, ignoreCase);
  } catch (e) {
    throw new SyntaxError(`invalid pattern /${source}/: ${problemOf(e).reason}`);
  }
  const groupCount = re.groupCount();
  const byIndex = Object.entries(re.namedGroups()).sort((a, b) => a[1] - b[1]);
  const groupNames = byIndex.map(([name]) => name);
  return {
    source,
    groupCount,
    groupNames,
    exec(input: string): RegExpExecArray | null {
      const m = re.matcher(input);
      if (!m.find()) return null;
      const out: (string | undefined)[] = [];
      for (let g = 0; g <= groupCount; g++) out.push(m.group(g) ?? undefined);
      const result = out as unknown as RegExpExecArray;
      result.index = m.start(0);
      result.input = input;
      if (byIndex.length > 0) {
        const groups: Record<string, string> = Object.create(null) as Record<string, string>;
        for (const [name, index] of byIndex) groups[name] = out[index] as string;
        result.groups = groups;
      }
      return result;
    },
    test(input: string): boolean {
      return re.matcher(input).find();
    },
  };
}
