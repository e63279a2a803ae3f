// URL path patterns for page-category rules: globs, path prefixes and "regex-lite", all compiled to one small
// Thompson NFA that is simulated state-set by state-set. Matching is O(path length × pattern size) whatever the
// pattern, so a site owner's rule can never backtrack catastrophically (no RegExp is built from their text).
// Patterns are parsed with limits (length, repetition bounds, states) and match case-insensitively.

export const MAX_PATTERN_LENGTH = 200;
const MAX_REPEAT = 20;
const MAX_STATES = 2_000;
const MAX_DEPTH = 8;

type CharSet = { ranges: number[]; negate: boolean };
type Node =
  | { t: 'set'; set: CharSet }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'bol' }
  | { t: 'eol' };

type State =
  | { t: 'char'; set: CharSet; out: number }
  | { t: 'split'; outs: number[] }
  | { t: 'bol' | 'eol'; out: number }
  | { t: 'match' };

export class PatternError extends Error {}

/** A compiled pattern: `test(path)` is true when the pattern occurs in the (lower-cased) path. */
export interface PathPattern {
  readonly source: string;
  test(path: string): boolean;
}

const ANY: CharSet = { ranges: [0, 0x10ffff], negate: false };
const NOT_SLASH: CharSet = { ranges: [47, 47], negate: true };
const lit = (c: string): Node => {
  const code = c.toLowerCase().charCodeAt(0);
  return { t: 'set', set: { ranges: [code, code], negate: false } };
};
const literal = (s: string): Node[] => [...s].map(lit);

/**
 * Compiles a rule pattern: `re:…` is regex-lite (literals, `.`, `[…]` classes, `\d \w \s` and escaped
 * punctuation, groups, `|`, `? * + {m} {m,n}` with n ≤ 20, `^` `$`; found anywhere in the path unless anchored);
 * a pattern with `*` or `?` is a glob over the whole path (`*` within a segment, `**` across segments, `?` one
 * character); anything else is a path prefix on a segment boundary (`/blog` matches `/blog` and `/blog/x`, not
 * `/blogger`; `/` alone is the home page).
 */
export function compilePathPattern(source: string): PathPattern {
  if (typeof source !== 'string' || source.length === 0) throw new PatternError('pattern: must be a non-empty string');
  if (source.length > MAX_PATTERN_LENGTH) throw new PatternError(`pattern: at most ${MAX_PATTERN_LENGTH} characters`);
  let node: Node;
  if (source.startsWith('re:')) node = parseRegexLite(source.slice(3));
  else if (!source.startsWith('/') && !source.startsWith('*')) throw new PatternError('pattern: a path prefix or glob starts with "/" (or "*"); a regex-lite pattern starts with "re:"');
  else if (/[*?]/.test(source)) node = parseGlob(source);
  else node = prefixNode(source);
  const nfa = compile(node);
  return { source, test: (path) => run(nfa, path.toLowerCase()) };
}

function prefixNode(source: string): Node {
  const path = source.replace(/\/+$/, '');
  if (path === '') return { t: 'cat', items: [{ t: 'bol' }, lit('/'), { t: 'eol' }] };
  return { t: 'cat', items: [{ t: 'bol' }, ...literal(path), { t: 'alt', options: [{ t: 'eol' }, lit('/')] }] };
}

function parseGlob(source: string): Node {
  const items: Node[] = [{ t: 'bol' }];
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '*' && source[i + 1] === '*') {
      while (source[i + 1] === '*') i++;
      items.push({ t: 'rep', node: { t: 'set', set: ANY }, min: 0, max: Infinity });
    } else if (c === '*') items.push({ t: 'rep', node: { t: 'set', set: NOT_SLASH }, min: 0, max: Infinity });
    else if (c === '?') items.push({ t: 'set', set: NOT_SLASH });
    else items.push(lit(c));
  }
  items.push({ t: 'eol' });
  return { t: 'cat', items };
}

const CLASS_ESCAPES: Record<string, CharSet> = {
  d: { ranges: [48, 57], negate: false },
  w: { ranges: [48, 57, 65, 90, 95, 95, 97, 122], negate: false },
  s: { ranges: [9, 13, 32, 32], negate: false },
};
const PUNCTUATION = /[\\^$.|?*+()[\]{}\/\-_~:=!@#%&,;'"<>`]/;

function parseRegexLite(src: string): Node {
  let i = 0;
  const fail = (what: string): never => {
    throw new PatternError(`pattern: ${what} at position ${i + 3}`);
  };
  const escape = (inClass: boolean): CharSet | string => {
    const c = src[i++];
    if (c === undefined) return fail('a trailing backslash');
    const cls = CLASS_ESCAPES[c.toLowerCase()];
    if (cls) return c === c.toLowerCase() ? cls : { ranges: cls.ranges, negate: true };
    if (PUNCTUATION.test(c)) return c;
    return fail(inClass ? `an unsupported escape \\${c} in a class` : `an unsupported escape \\${c} (no back-references, word boundaries or assertions)`);
  };
  const parseClass = (): CharSet => {
    const negate = src[i] === '^';
    if (negate) i++;
    const ranges: number[] = [];
    let first = true;
    while (src[i] !== ']' || first) {
      first = false;
      if (i >= src.length) fail('an unclosed [');
      let lo: string;
      if (src[i] === '\\') {
        i++;
        const e = escape(true);
        if (typeof e !== 'string') {
          if (e.negate) fail('a negated escape inside a class');
          ranges.push(...e.ranges);
          continue;
        }
        lo = e;
      } else lo = src[i++]!;
      if (src[i] === '-' && src[i + 1] !== ']' && i + 1 < src.length) {
        i++;
        const hi = src[i] === '\\' ? (i++, escape(true)) : src[i++]!;
        if (typeof hi !== 'string') return fail('a class range ending in an escape class');
        const a = lo.toLowerCase().charCodeAt(0);
        const b = hi.toLowerCase().charCodeAt(0);
        if (b < a) fail('a class range out of order');
        ranges.push(a, b);
      } else {
        const code = lo.toLowerCase().charCodeAt(0);
        ranges.push(code, code);
      }
    }
    i++; // the ]
    return { ranges, negate };
  };
  const parseAtom = (depth: number): Node => {
    const c = src[i]!;
    if (c === '(') {
      i++;
      if (src[i] === '?') {
        if (src[i + 1] !== ':') fail('a look-around or named group (only ( … ) and (?: … ) are allowed)');
        i += 2;
      }
      const inner = parseAlt(depth + 1);
      if (src[i] !== ')') fail('an unclosed (');
      i++;
      return inner;
    }
    i++;
    if (c === '.') return { t: 'set', set: ANY };
    if (c === '[') return { t: 'set', set: parseClass() };
    if (c === '\\') {
      const e = escape(false);
      return typeof e === 'string' ? lit(e) : { t: 'set', set: e };
    }
    if (c === '^') return { t: 'bol' };
    if (c === '$') return { t: 'eol' };
    if ('*+?{'.includes(c)) return fail(`a quantifier ${c} with nothing to repeat`);
    if (c === ')') return fail('an unmatched )');
    return lit(c);
  };
  const parseQuantifier = (node: Node): Node => {
    const c = src[i];
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d{1,3})(,(\d{1,3})?)?\}/.exec(src.slice(i));
      if (!m) return fail('a malformed {m,n}');
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === undefined ? Infinity : Number(m[3]);
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) fail(`a repetition bound over ${MAX_REPEAT}`);
      if (max < min) fail('a repetition {m,n} with n < m');
      i += m[0].length - 1;
    } else return node;
    i++;
    if (node.t === 'bol' || node.t === 'eol') fail('a quantifier on an anchor');
    if (i < src.length && '*+?{'.includes(src[i]!)) fail('a repeated quantifier (lazy and possessive forms are not supported)');
    return { t: 'rep', node, min, max };
  };
  const parseCat = (depth: number): Node => {
    const items: Node[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') items.push(parseQuantifier(parseAtom(depth)));
    return { t: 'cat', items };
  };
  const parseAlt = (depth: number): Node => {
    if (depth > MAX_DEPTH) fail(`groups nested deeper than ${MAX_DEPTH}`);
    const options = [parseCat(depth)];
    while (src[i] === '|') {
      i++;
      options.push(parseCat(depth));
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  };
  if (src.length === 0) fail('an empty regex-lite pattern');
  const node = parseAlt(0);
  if (i < src.length) fail('an unmatched )');
  return node;
}

interface Nfa {
  states: State[];
  start: number;
}

// Continuation style: compile(node, next) returns the state that matches node and then goes on to next.
function compile(root: Node): Nfa {
  const states: State[] = [{ t: 'match' }];
  const push = (s: State): number => {
    if (states.length >= MAX_STATES) throw new PatternError(`pattern: too complex (over ${MAX_STATES} states once repetitions are expanded)`);
    states.push(s);
    return states.length - 1;
  };
  const build = (node: Node, next: number): number => {
    switch (node.t) {
      case 'set':
        return push({ t: 'char', set: node.set, out: next });
      case 'bol':
      case 'eol':
        return push({ t: node.t, out: next });
      case 'cat':
        return node.items.reduceRight((n, item) => build(item, n), next);
      case 'alt':
        return push({ t: 'split', outs: node.options.map((o) => build(o, next)) });
      case 'rep': {
        let rest = next;
        if (node.max === Infinity) {
          const loop = push({ t: 'split', outs: [] });
          (states[loop] as { outs: number[] }).outs = [build(node.node, loop), next];
          rest = loop;
        } else {
          for (let k = node.min; k < node.max; k++) rest = push({ t: 'split', outs: [build(node.node, rest), next] });
        }
        for (let k = 0; k < node.min; k++) rest = build(node.node, rest);
        return rest;
      }
    }
  };
  const start = build(root, 0);
  return { states, start };
}

function inSet(set: CharSet, code: number): boolean {
  let hit = false;
  for (let k = 0; k < set.ranges.length && !hit; k += 2) hit = code >= set.ranges[k]! && code <= set.ranges[k + 1]!;
  return hit !== set.negate;
}

/** True when the NFA matches somewhere in `text`: a new thread starts at every position (an implicit leading .*?). */
function run(nfa: Nfa, text: string): boolean {
  const n = nfa.states.length;
  const seen = new Int32Array(n).fill(-1);
  let current: number[] = [];
  let next: number[] = [];
  const stack: number[] = [];
  // Adds s and everything reachable from it without consuming a character; true when that reaches the match.
  const add = (list: number[], s0: number, pos: number, stamp: number): boolean => {
    stack.push(s0);
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen[s] === stamp) continue;
      seen[s] = stamp;
      const st = nfa.states[s]!;
      if (st.t === 'match') {
        stack.length = 0;
        return true;
      }
      if (st.t === 'char') list.push(s);
      else if (st.t === 'split') for (let k = st.outs.length - 1; k >= 0; k--) stack.push(st.outs[k]!);
      else if (st.t === 'bol' ? pos === 0 : pos === text.length) stack.push(st.out);
    }
    return false;
  };
  for (let pos = 0; pos <= text.length; pos++) {
    if (add(current, nfa.start, pos, pos)) return true;
    if (pos === text.length) break;
    const code = text.charCodeAt(pos);
    next.length = 0;
    for (const s of current) {
      const st = nfa.states[s] as { t: 'char'; set: CharSet; out: number };
      if (inSet(st.set, code) && add(next, st.out, pos + 1, pos + 1)) return true;
    }
    [current, next] = [next, current];
  }
  return false;
}
