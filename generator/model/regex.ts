/**
 * Django URL regexes → path templates, the way CATMAID's API changelog writes paths:
 * `^(?P<project_id>\d+)/skeletons/$` → `/{project_id}/skeletons/`, with typed parameters.
 * Also compiles `path()` routes to the regex Django 3.2 builds from them.
 *
 * Consumes: regex text (Python `re` syntax). Produces: a {@link RegexAnalysis}, or a problem
 * (a regex Python would reject).
 */
import { reEscape } from '../parse/python-literals.js';
import type { PathParam } from './types.js';

// ---------------------------------------------------------------------------------------------
// A parser for the part of Python's `re` syntax URL regexes use.

type RegexNode =
  | { type: 'lit'; char: string; src: string }
  | { type: 'class'; src: string }
  | { type: 'anchor'; src: string }
  /** `number`: Python's group number for capturing groups (1-based, in order of the opening paren). */
  | { type: 'group'; capture: boolean; number?: number; name?: string; alts: RegexNode[][]; src: string; inner: string }
  | { type: 'quant'; node: RegexNode; min: number; max: number; src: string };

export class RegexSyntaxError extends Error {}

const ESCAPE_CLASSES = new Set(['d', 'D', 'w', 'W', 's', 'S']);
const ESCAPE_ANCHORS = new Set(['A', 'Z', 'b', 'B']);
const CONTROL_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', '0': '\0' };
/** Python identifiers (`str.isidentifier()`), Unicode letters included. */
const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u;

/** True for a Python 3 identifier, as `str.isidentifier()` decides (group names, path() parameters). */
export function isPythonIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** Parses a regex; throws {@link RegexSyntaxError} with Python's kind of message where Python would. */
export function parseRegex(src: string): RegexNode[] {
  let i = 0;
  let groupCount = 0;
  const groupNames = new Set<string>();
  /** Backreferences, checked once every group is known: `\2`, `(?P=name)`, `(?(1)…)`. */
  const references: Array<{ ref: string; at: number }> = [];

  function parseAlternation(): RegexNode[][] {
    const alts: RegexNode[][] = [parseSequence()];
    while (src[i] === '|') {
      i++;
      alts.push(parseSequence());
    }
    return alts;
  }

  function parseSequence(): RegexNode[] {
    const seq: RegexNode[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      const start = i;
      const atom = parseAtom();
      if (atom === null) continue; // a comment group
      const q = parseQuantifier();
      if (q) {
        if (atom.type === 'anchor') throw new RegexSyntaxError(`nothing to repeat at position ${start}`);
        seq.push({ type: 'quant', node: atom, min: q.min, max: q.max, src: src.slice(start, i) });
        if (isQuantifierAt(i)) throw new RegexSyntaxError(`multiple repeat at position ${i}`);
      } else {
        seq.push(atom);
      }
    }
    return seq;
  }

  /** A `{m}`, `{m,}`, `{,n}` or `{m,n}` counted repeat at `at`, or undefined for a literal brace. */
  function countedRepeat(at: number): RegExpExecArray | undefined {
    const m = /^\{(\d*)(,(\d*))?\}/.exec(src.slice(at));
    return m && !(m[1] === '' && m[2] === undefined) ? m : undefined;
  }

  function isQuantifierAt(at: number): boolean {
    const c = src[at];
    return c === '*' || c === '+' || c === '?' || (c === '{' && countedRepeat(at) !== undefined);
  }

  function parseQuantifier(): { min: number; max: number } | undefined {
    const c = src[i];
    let q: { min: number; max: number } | undefined;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    else if (c === '{') {
      const m = countedRepeat(i);
      if (!m) return undefined;
      const min = m[1] === '' ? 0 : Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) throw new RegexSyntaxError(`min repeat greater than max repeat at position ${i}`);
      i += m[0].length - 1;
      q = { min, max };
    }
    if (!q) return undefined;
    i++;
    if (src[i] === '?' || src[i] === '+') i++; // lazy / possessive
    return q;
  }

  function parseAtom(): RegexNode | null {
    const start = i;
    const c = src[i]!;
    if (isQuantifierAt(i)) throw new RegexSyntaxError(`nothing to repeat at position ${i}`);
    if (c === '(') return parseGroup();
    if (c === '[') return parseClass();
    if (c === '^' || c === '$') {
      i++;
      return { type: 'anchor', src: c };
    }
    if (c === '.') {
      i++;
      return { type: 'class', src: '.' };
    }
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new RegexSyntaxError('bad escape (end of pattern)');
      i += 2;
      if (ESCAPE_CLASSES.has(n)) return { type: 'class', src: src.slice(start, i) };
      if (ESCAPE_ANCHORS.has(n)) return { type: 'anchor', src: src.slice(start, i) };
      if (n in CONTROL_ESCAPES && !/[0-7]/.test(src[i] ?? '')) return { type: 'lit', char: CONTROL_ESCAPES[n]!, src: src.slice(start, i) };
      if (n === 'x' || n === 'u' || n === 'U') {
        const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
        const hex = src.slice(i, i + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new RegexSyntaxError(`incomplete escape \\${n}${hex}`);
        i += len;
        return { type: 'lit', char: String.fromCodePoint(parseInt(hex, 16)), src: src.slice(start, i) };
      }
      if (/[0-7]/.test(n) && (n === '0' || /^[0-7]{2}/.test(src.slice(i)))) {
        const oct = src.slice(start + 1).match(/^[0-7]{1,3}/)![0];
        i = start + 1 + oct.length;
        return { type: 'lit', char: String.fromCharCode(parseInt(oct, 8)), src: src.slice(start, i) };
      }
      if (/[1-9]/.test(n)) {
        const digits = src.slice(start + 1).match(/^\d{1,2}/)![0];
        i = start + 1 + digits.length;
        references.push({ ref: digits, at: start });
        return { type: 'class', src: src.slice(start, i) }; // a backreference
      }
      if (/[A-Za-z]/.test(n)) throw new RegexSyntaxError(`bad escape \\${n} at position ${start}`);
      return { type: 'lit', char: n, src: src.slice(start, i) };
    }
    i++;
    return { type: 'lit', char: c, src: c };
  }

  /** The code point a class item at `at` stands for (for range checks), and where it ends. */
  function classItem(at: number): { code: number | undefined; end: number } {
    if (src[at] !== '\\') return { code: src.codePointAt(at), end: at + (src.codePointAt(at)! > 0xffff ? 2 : 1) };
    const n = src[at + 1];
    if (n === undefined) throw new RegexSyntaxError('bad escape (end of pattern)');
    if (ESCAPE_CLASSES.has(n)) return { code: undefined, end: at + 2 };
    if (n in CONTROL_ESCAPES) return { code: CONTROL_ESCAPES[n]!.charCodeAt(0), end: at + 2 };
    if (n === 'b') return { code: 8, end: at + 2 };
    if (n === 'x' || n === 'u' || n === 'U') {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = src.slice(at + 2, at + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new RegexSyntaxError(`incomplete escape \\${n}${hex}`);
      return { code: parseInt(hex, 16), end: at + 2 + len };
    }
    if (/[A-Za-z]/.test(n)) throw new RegexSyntaxError(`bad escape \\${n} at position ${at}`);
    return { code: n.codePointAt(0), end: at + 2 };
  }

  function parseClass(): RegexNode {
    const start = i;
    i++;
    if (src[i] === '^') i++;
    let first = true;
    while (i < src.length && (src[i] !== ']' || first)) {
      first = false;
      const itemStart = i;
      const lo = classItem(i);
      i = lo.end;
      if (src[i] === '-' && src[i + 1] !== undefined && src[i + 1] !== ']') {
        const hi = classItem(i + 1);
        if (lo.code === undefined || hi.code === undefined || hi.code < lo.code) {
          throw new RegexSyntaxError(`bad character range ${src.slice(itemStart, hi.end)} at position ${itemStart}`);
        }
        i = hi.end;
      }
    }
    if (i >= src.length) throw new RegexSyntaxError(`unterminated character set at position ${start}`);
    i++;
    return { type: 'class', src: src.slice(start, i) };
  }

  function parseGroup(): RegexNode | null {
    const start = i;
    i++;
    let capture = true;
    let name: string | undefined;
    if (src[i] === '?') {
      const rest = src.slice(i);
      const named = /^\?P<([^>]*)>/.exec(rest);
      if (rest.startsWith('?#')) {
        const close = src.indexOf(')', i);
        if (close < 0) throw new RegexSyntaxError(`missing ), unterminated comment at position ${start}`);
        i = close + 1;
        return null;
      } else if (named) {
        name = named[1]!;
        if (name === '') throw new RegexSyntaxError(`missing group name at position ${i + 3}`);
        if (!isPythonIdentifier(name)) throw new RegexSyntaxError(`bad character in group name '${name}' at position ${i + 3}`);
        if (groupNames.has(name)) throw new RegexSyntaxError(`redefinition of group name '${name}' at position ${i + 3}`);
        groupNames.add(name);
        i += named[0].length;
      } else if (rest.startsWith('?:')) {
        capture = false;
        i += 2;
      } else if (/^\?(=|!|<=|<!)/.test(rest)) {
        i += rest.startsWith('?<') ? 3 : 2;
        parseAlternation();
        if (src[i] !== ')') throw new RegexSyntaxError(`missing ), unterminated subpattern at position ${start}`);
        i++;
        return { type: 'anchor', src: src.slice(start, i) }; // lookarounds match no characters
      } else if (rest.startsWith('?(')) {
        // A conditional group (?(id)yes|no): matches like a non-capturing group.
        const close = src.indexOf(')', i);
        if (close < 0) throw new RegexSyntaxError(`missing ), unterminated name at position ${i}`);
        references.push({ ref: src.slice(i + 2, close), at: i });
        i = close + 1;
        const alts = parseAlternation();
        if (alts.length > 2) throw new RegexSyntaxError(`conditional backref with more than two branches at position ${start}`);
        if (src[i] !== ')') throw new RegexSyntaxError(`missing ), unterminated subpattern at position ${start}`);
        i++;
        return { type: 'class', src: src.slice(start, i) };
      } else if (/^\?[aiLmsux-]+[:)]/.test(rest)) {
        const flags = /^\?[aiLmsux-]+/.exec(rest)![0];
        i += flags.length;
        if (src[i] === ')') {
          i++;
          return { type: 'anchor', src: src.slice(start, i) };
        }
        i++;
        capture = false;
      } else if (rest.startsWith('?P=')) {
        const close = src.indexOf(')', i);
        if (close < 0) throw new RegexSyntaxError(`missing ), unterminated name at position ${i}`);
        references.push({ ref: src.slice(i + 3, close), at: i });
        i = close + 1;
        return { type: 'class', src: src.slice(start, i) };
      } else {
        throw new RegexSyntaxError(`unknown extension ?${rest[1] ?? ''} at position ${i}`);
      }
    }
    const number = capture ? ++groupCount : undefined;
    const innerStart = i;
    const alts = parseAlternation();
    if (src[i] !== ')') throw new RegexSyntaxError(`missing ), unterminated subpattern at position ${start}`);
    const inner = src.slice(innerStart, i);
    i++;
    return {
      type: 'group',
      capture,
      ...(number !== undefined ? { number } : {}),
      ...(name !== undefined ? { name } : {}),
      alts,
      src: src.slice(start, i),
      inner,
    };
  }

  const seq = parseAlternation();
  if (i < src.length && src[i] === ')') throw new RegexSyntaxError(`unbalanced parenthesis at position ${i}`);
  for (const { ref, at } of references) {
    const known = /^\d+$/.test(ref) ? Number(ref) >= 1 && Number(ref) <= groupCount : groupNames.has(ref);
    if (!known) throw new RegexSyntaxError(/^\d+$/.test(ref) ? `invalid group reference ${ref} at position ${at + 1}` : `unknown group name '${ref}' at position ${at}`);
  }
  return seq.length === 1 ? seq[0]! : [{ type: 'group', capture: false, alts: seq, src, inner: src }];
}

// ---------------------------------------------------------------------------------------------
// Parameter types.

const NUMBER = String.raw`[-+]?[0-9]*\.?[0-9]+`;
const INTEGER_PATTERNS = new Set([String.raw`\d+`, '[0-9]+', String.raw`[-+]?[0-9]+`, String.raw`-?\d+`, String.raw`-?[0-9]+`, String.raw`\d`, '[0-9]', String.raw`[-+]?\d+`]);
const NUMBER_PATTERNS = new Set([NUMBER, String.raw`[-+]?\d*\.?\d+`, String.raw`\d+(\.\d+)?`, String.raw`[0-9]+(\.[0-9]+)?`]);
const INTEGER_LIST_PATTERNS = new Set([String.raw`[0-9]+(,[0-9]+)*`, String.raw`\d+(,\d+)*`]);
const STRING_LIST_PATTERNS = new Set([String.raw`\w+(,\w+)*`]);

/** The literal alternatives of `a|b|c` or `(a|b|c)`, or undefined when the pattern is not such a list. */
function literalAlternatives(nodes: RegexNode[]): string[] | undefined {
  const only = nodes.length === 1 ? nodes[0] : undefined;
  if (only?.type !== 'group') return undefined;
  const seqs = only.alts;
  if (seqs.length === 1 && seqs[0]!.length === 1 && seqs[0]![0]!.type === 'group') return literalAlternatives(seqs[0]!);
  if (seqs.length < 2) return undefined;
  const out: string[] = [];
  for (const s of seqs) {
    if (!s.every((n) => n.type === 'lit')) return undefined;
    out.push(s.map((n) => (n as { char: string }).char).join(''));
  }
  return out;
}

/** The type of a path parameter from the regex of its group. */
export function paramTypeOf(pattern: string): Pick<PathParam, 'type' | 'items' | 'enum'> {
  if (INTEGER_PATTERNS.has(pattern)) return { type: 'integer' };
  if (NUMBER_PATTERNS.has(pattern)) return { type: 'number' };
  if (INTEGER_LIST_PATTERNS.has(pattern)) return { type: 'array', items: 'integer' };
  if (STRING_LIST_PATTERNS.has(pattern)) return { type: 'array', items: 'string' };
  try {
    const alts = literalAlternatives([{ type: 'group', capture: false, alts: [parseRegex(pattern)], src: pattern, inner: pattern }]);
    if (alts) return { type: 'string', enum: alts };
  } catch {
    // fall through: an unparsable group is reported where the whole regex is analysed
  }
  return { type: 'string' };
}

// ---------------------------------------------------------------------------------------------
// Regex → template.

export interface RegexAnalysis {
  /** The template of the shortest variant: optional parts left out. */
  path: string;
  /** Every path Django would match when the regex has optional groups (more than one), else absent. */
  variants?: string[];
  params: PathParam[];
  /** No `$`/`\Z` at the end: Django matches any path that starts like this. */
  prefixMatch: boolean;
  /** Regex constructs that could not become parameters, kept in the template as written. */
  untemplatable: string[];
}

const MAX_VARIANTS = 64;

interface Partial {
  text: string;
  params: PathParam[];
}

/** Analyses a full (joined) Django regex. Throws {@link RegexSyntaxError} for a regex Python rejects. */
export function analyseRegex(regex: string): RegexAnalysis {
  const nodes = parseRegex(regex);
  const untemplatable: string[] = [];
  // Django passes unnamed groups positionally only when the regex has no named group at all.
  const hasNamedGroups = /\(\?P<[^>]/.test(regex);
  const body = [...nodes];
  const head = body[0];
  // Django matches with `search`, so `\A` at the start anchors like `^`.
  if (head?.type === 'anchor' && (head.src === '^' || head.src === '\\A')) body.shift();
  else if (body.length > 0) untemplatable.push('(no ^: Django searches anywhere in the path)');
  let prefixMatch = true;
  const last = body[body.length - 1];
  if (last?.type === 'anchor' && (last.src === '$' || last.src === '\\Z')) {
    body.pop();
    prefixMatch = false;
  }

  /** Expands a sequence into its variants (each optional group in or out). */
  function expand(seq: RegexNode[]): Partial[] {
    let acc: Partial[] = [{ text: '', params: [] }];
    for (const node of seq) {
      const options = expandNode(node);
      const next: Partial[] = [];
      for (const a of acc) for (const o of options) next.push({ text: a.text + o.text, params: [...a.params, ...o.params] });
      if (next.length > MAX_VARIANTS) {
        untemplatable.push(node.src);
        acc = acc.map((a) => ({ text: a.text + node.src, params: a.params }));
      } else {
        acc = next;
      }
    }
    return acc;
  }

  /**
   * An unnamed group around named ones, `(/find/(?P<search>[^/]*))?`, when the regex has named
   * groups: Django passes only the named ones, so the group is structure, not a parameter.
   */
  function isStructural(node: Extract<RegexNode, { type: 'group' }>): boolean {
    return node.name === undefined && hasNamedGroups && /\(\?P<[^>]/.test(node.inner);
  }

  /** A capturing group as one parameter; named groups nested in it are noted, not placed. */
  function parameterOf(node: Extract<RegexNode, { type: 'group' }>): Partial {
    const name = node.name ?? `_${node.number! - 1}`;
    for (const nested of node.inner.matchAll(/\(\?P<([^>]+)>/g)) {
      untemplatable.push(`(?P<${nested[1]}>…) inside ${name}: passed to the view, but part of {${name}} in the path`);
    }
    const positional = node.name === undefined && !hasNamedGroups;
    const param: PathParam = { name, ...paramTypeOf(node.inner), pattern: node.inner, ...(positional ? { positional: true } : {}) };
    return { text: `{${name}}`, params: [param] };
  }

  function expandNode(node: RegexNode): Partial[] {
    switch (node.type) {
      case 'lit':
        return [{ text: node.char, params: [] }];
      case 'group': {
        if (node.capture && !isStructural(node)) return [parameterOf(node)];
        if (node.alts.length === 1) return expand(node.alts[0]!);
        untemplatable.push(node.src);
        return [{ text: node.src, params: [] }];
      }
      case 'quant': {
        if (node.min === 0 && node.max === 1) {
          const inner = node.node;
          const present = inner.type === 'group' && (!inner.capture || isStructural(inner)) && inner.alts.length === 1 ? expand(inner.alts[0]!) : expandNode(inner);
          return [{ text: '', params: [] }, ...present.map((p) => ({ text: p.text, params: p.params.map((x) => ({ ...x, optional: true })) }))];
        }
        untemplatable.push(node.src);
        return [{ text: node.src, params: [] }];
      }
      default:
        untemplatable.push(node.src);
        return [{ text: node.src, params: [] }];
    }
  }

  const variants = expand(body);
  const withSlash = variants.map((v) => ({ ...v, text: '/' + v.text }));
  withSlash.sort((a, b) => a.text.length - b.text.length || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const first = withSlash[0]!;
  // Parameters in source order, each once, marked optional when some variant lacks them.
  const params: PathParam[] = [];
  const seen = new Set<string>();
  for (const v of [...withSlash].sort((a, b) => b.params.length - a.params.length)) {
    for (const p of v.params) {
      if (seen.has(p.name)) continue;
      seen.add(p.name);
      params.push(p);
    }
  }
  const order = withSlash.reduce((longest, v) => (v.params.length > longest.params.length ? v : longest), first).params.map((p) => p.name);
  params.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  return {
    path: first.text,
    ...(withSlash.length > 1 ? { variants: withSlash.map((v) => v.text) } : {}),
    params,
    prefixMatch,
    untemplatable: [...new Set(untemplatable)],
  };
}

// ---------------------------------------------------------------------------------------------
// path() routes.

/** Django's built-in path converters and the regex each stands for. */
export const PATH_CONVERTERS: Record<string, string> = {
  int: '[0-9]+',
  str: '[^/]+',
  slug: '[-a-zA-Z0-9_]+',
  uuid: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  path: '.+',
};

/**
 * Compiles a `path()` route the way Django 3.2 does (`_route_to_regex`): literal parts escaped,
 * `<conv:name>` as named groups, `\Z` at the end of an endpoint. Unknown converters are reported
 * and treated as `str`.
 */
export function routeToRegex(route: string, isEndpoint: boolean): { regex: string; problems: string[] } {
  const parts = ['^'];
  const problems: string[] = [];
  const component = /<(?:([^>:]+):)?([^>]+)>/g;
  let last = 0;
  for (let m = component.exec(route); m; m = component.exec(route)) {
    parts.push(reEscape(route.slice(last, m.index)));
    last = m.index + m[0].length;
    if (/\s/.test(m[0])) problems.push(`route '${route}' cannot contain whitespace in angle brackets <…>`);
    const name = m[2]!;
    if (!isPythonIdentifier(name)) problems.push(`'${name}' in route '${route}' is not a valid Python identifier`);
    const converter = m[1] ?? 'str';
    let pattern = PATH_CONVERTERS[converter];
    if (!pattern) {
      problems.push(`unknown path converter '${converter}' in route '${route}'; treated as str`);
      pattern = PATH_CONVERTERS.str!;
    }
    parts.push(`(?P<${name}>${pattern})`);
  }
  parts.push(reEscape(route.slice(last)));
  if (isEndpoint) parts.push('\\Z');
  return { regex: parts.join(''), problems };
}

/** Joins the regexes of nested URLconf levels as Django resolves them: inner `^` dropped. */
export function joinRegexParts(parts: string[]): string {
  return parts.map((p, i) => (i > 0 && p.startsWith('^') ? p.slice(1) : p)).join('');
}
