/**
 * \summary Static regex safety check for fingerprint patterns: rejects the shapes that make a
 * backtracking engine (V8's irregexp) take exponential time, before a rule is ever run.
 *
 * Rejected: a group under an unbounded quantifier (`*`, `+`, `{n,}`) that itself contains an
 * unbounded quantifier (`(a+)+`, `(.*)*`, `(\d+\.)+`), an alternation inside an unbounded
 * quantified group whose branches can start with the same character (`(a|ab)*`, `(\w|\d)+`),
 * and back-references. Hand-written because no maintained npm package does this without a
 * native dependency; the check is deliberately conservative (it may reject a safe pattern, which
 * the author then rewrites, e.g. `(\d+\.)+` → `[\d.]+`). Inputs are also truncated to protocol
 * maxima before matching (matcher.ts), which bounds the polynomial cases this does not catch.
 */

export interface RegexProblem {
  reason: string;
}

interface Frame {
  /** An unbounded quantifier was applied inside this group (directly or in a nested group). */
  hasUnbounded: boolean;
  /** Top-level branches of this group, as their first atoms (for overlap detection). */
  branches: string[][];
  current: string[];
}

/** Returns the reason a pattern is unsafe, or undefined when it passes. */
export function regexProblem(source: string): RegexProblem | undefined {
  const stack: Frame[] = [{ hasUnbounded: false, branches: [], current: [] }];
  let lastAtom: 'group' | 'atom' | 'none' = 'none';
  let lastGroup: Frame | undefined;
  let i = 0;
  const top = () => stack[stack.length - 1] as Frame;
  const noteFirst = (atom: string) => {
    const f = top();
    if (f.current.length === 0) f.current.push(atom);
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return { reason: 'back-references are not allowed' };
      noteFirst(`\\${next}`);
      i += 2;
      lastAtom = 'atom';
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      noteFirst(source.slice(i, j + 1));
      i = j + 1;
      lastAtom = 'atom';
      continue;
    }
    if (c === '(') {
      noteFirst('(');
      let j = i + 1;
      if (source[j] === '?') {
        if (source[j + 1] === '<' && source[j + 2] !== '=' && source[j + 2] !== '!') {
          j = source.indexOf('>', j) + 1;
          if (j === 0) return { reason: 'unterminated group name' };
        } else {
          j += 2; // (?: (?= (?!  and (?<= (?<! are handled as groups too
          if (source[j - 1] === '<') j++;
        }
      }
      stack.push({ hasUnbounded: false, branches: [], current: [] });
      i = j;
      lastAtom = 'none';
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) return { reason: 'unbalanced parenthesis' };
      const f = stack.pop() as Frame;
      f.branches.push(f.current);
      lastGroup = f;
      lastAtom = 'group';
      i++;
      continue;
    }
    if (c === '|') {
      const f = top();
      f.branches.push(f.current);
      f.current = [];
      lastAtom = 'none';
      i++;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      let unbounded = c === '*' || c === '+';
      let end = i + 1;
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
        if (!m) {
          noteFirst('{');
          i++;
          lastAtom = 'atom';
          continue;
        }
        unbounded = m[2] !== undefined && (m[3] === '' || Number(m[3]) > 16);
        end = i + m[0].length;
      }
      if (source[end] === '?' || source[end] === '+') end++;
      if (unbounded) {
        if (lastAtom === 'group' && lastGroup) {
          if (lastGroup.hasUnbounded) return { reason: 'nested quantifier: a repeated group contains a repeated element (e.g. (a+)+)' };
          if (overlappingBranches(lastGroup.branches)) return { reason: 'repeated alternation whose branches can start alike (e.g. (a|ab)*)' };
        }
        for (const f of stack) f.hasUnbounded = true;
      }
      if (lastAtom === 'group' && lastGroup?.hasUnbounded) for (const f of stack) f.hasUnbounded = true;
      lastAtom = 'none';
      i = end;
      continue;
    }
    noteFirst(c === '.' ? '.' : c);
    lastAtom = 'atom';
    i++;
  }
  if (stack.length !== 1) return { reason: 'unbalanced parenthesis' };
  return undefined;
}

/** True when two branches may begin with the same character (conservative). */
function overlappingBranches(branches: string[][]): boolean {
  if (branches.length < 2) return false;
  const firsts = branches.map((b) => b[0] ?? '');
  for (let a = 0; a < firsts.length; a++) {
    for (let b = a + 1; b < firsts.length; b++) {
      const x = firsts[a] as string;
      const y = firsts[b] as string;
      if (x === '' || y === '') return true;
      if (isLiteral(x) && isLiteral(y)) {
        if (x.toLowerCase() === y.toLowerCase()) return true;
      } else {
        return true; // a class, dot, escape or group: assume overlap
      }
    }
  }
  return false;
}

function isLiteral(atom: string): boolean {
  return atom.length === 1 && /[A-Za-z0-9 _\-:/,;=@#%&'"<>!~`]/.test(atom);
}
