/**
 * A small static evaluator for the Python expressions URLconfs are written in: string literals
 * and the ways CATMAID builds regexes from them (`%`, `.format()`, f-strings, `+`, `re.escape`),
 * lists/tuples/dicts, names bound by imports (kept as qualified references, never imported), calls
 * of local helper functions, and list comprehensions. Django's own calls (`url()`, `include()`,
 * …) are handed to a {@link CallHook} supplied by the URLconf interpreter.
 *
 * Consumes: tree-sitter expression nodes and an {@link Env}. Produces: {@link Value}s. Whatever it
 * cannot evaluate becomes an `unknown` value with a reason and a line, never an exception.
 */
import { decodeEscapes, percentFormat, reEscape, strFormat, type Formattable } from './python-literals.js';
import type { SyntaxNode } from './parser.js';

/** A wrapper applied to a view in the URLconf, outermost first: `record_view("x", "POST")(view)`. */
export interface Wrapper {
  /** Qualified name of the wrapper function (e.g. `catmaid.history.record_request_action`). */
  qname: string;
  /** Literal arguments of the decorator factory call, when it was called with any. */
  args: JsonValue[];
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a URLconf entry (`url()`, `path()`, tuple in `patterns()`) evaluates to. */
export interface UrlEntryValue {
  kind: 'entry';
  entry: import('./urlconf.js').UrlEntry;
}

export type Value =
  | { kind: 'str'; value: string; symbolic?: boolean }
  | { kind: 'num'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'seq'; type: 'list' | 'tuple'; items: Value[]; line?: number }
  | { kind: 'dict'; entries: Array<[Value, Value]> }
  /** A name bound by an import, or an attribute path off one: never resolved here. */
  | { kind: 'ref'; qname: string; starCandidates?: string[]; unbound?: boolean }
  /** `django.conf.settings` or anything read from it: only known at run time. */
  | { kind: 'settings'; text: string }
  /** A loop variable of a comprehension over something unknown. */
  | { kind: 'placeholder'; name: string; loop: string }
  /** A bound method of a value (`'...'.format`). */
  | { kind: 'method'; self: Value; name: string }
  /** A call of something not modelled (its result is unknown, but what was called is kept). */
  | { kind: 'call'; callee: Value; args: Value[]; kwargs: Record<string, Value>; line: number }
  /** A view expression: a reference, possibly `Class.as_view(...)`, possibly wrapped. */
  | { kind: 'view'; target: Value; asView?: Record<string, JsonValue>; wrappers: Wrapper[] }
  /** A function defined in the module being evaluated (`def serve_static(prefix, root): return url(...)`). */
  | { kind: 'function'; node: SyntaxNode; closure: Env; qname: string }
  | UrlEntryValue
  | { kind: 'unknown'; reason: string; line: number; dynamic?: boolean };

/** Variables in scope: the module's, or a helper function's over its closure. */
export class Env {
  private readonly vars = new Map<string, Value>();
  /** Modules imported with `from m import *`, in import order. */
  readonly starModules: string[] = [];

  /**
   * `lookup`: names bound when first asked for (a module's definitions and imports, so that only
   * the names an evaluation uses are looked up); `moreStars`: star imports, asked for when needed.
   */
  constructor(
    readonly parent?: Env,
    private readonly lookup?: (name: string) => Value | undefined,
    private readonly moreStars?: () => readonly string[],
  ) {}

  get(name: string): Value | undefined {
    return this.vars.get(name) ?? this.lookup?.(name) ?? this.parent?.get(name);
  }

  set(name: string, value: Value): void {
    this.vars.set(name, value);
  }

  stars(): string[] {
    const own = this.moreStars ? [...this.moreStars(), ...this.starModules] : this.starModules;
    return this.parent ? [...this.parent.stars(), ...own] : own;
  }
}

/** Handles calls the evaluator does not know (Django's `url()`, `include()`, …); undefined = not mine. */
export type CallHook = (call: {
  callee: Value;
  args: Value[];
  kwargs: Record<string, Value>;
  node: SyntaxNode;
  ctx: EvalContext;
}) => Value | undefined;

export interface EvalContext {
  hook: CallHook;
  /** Depth of helper-function calls, bounded so recursion cannot hang the evaluator. */
  depth: number;
  /** Loops (`for x in settings.Y`) the current expression is evaluated under. */
  loops: string[];
  /** Conditions (`if settings.X:` texts) of the statement being evaluated. */
  conditions: string[];
  /** Line of the outermost call of a local helper, so entries it builds point at their call site. */
  callSiteLine?: number;
}

const MAX_CALL_DEPTH = 8;
const line = (node: SyntaxNode) => node.startPosition.row + 1;
const unknown = (node: SyntaxNode, reason: string, dynamic = false): Value => ({
  kind: 'unknown',
  reason,
  line: line(node),
  ...(dynamic ? { dynamic } : {}),
});

/** True for values that only exist at run time (settings, loop variables), as opposed to errors. */
export function isDynamic(v: Value): boolean {
  return v.kind === 'settings' || v.kind === 'placeholder' || (v.kind === 'unknown' && !!v.dynamic);
}

/** Evaluates one expression node. */
export function evaluate(node: SyntaxNode, env: Env, ctx: EvalContext): Value {
  switch (node.type) {
    case 'string':
      return evaluateString(node, env, ctx);
    case 'concatenated_string': {
      let text = '';
      let symbolic = false;
      for (const part of node.namedChildren) {
        const v = evaluate(part, env, ctx);
        if (v.kind !== 'str') return v;
        text += v.value;
        symbolic ||= !!v.symbolic;
      }
      return { kind: 'str', value: text, ...(symbolic ? { symbolic } : {}) };
    }
    case 'integer':
    case 'float': {
      const n = Number(node.text.replace(/_/g, '').replace(/[lL]$/, ''));
      return Number.isFinite(n) ? { kind: 'num', value: n } : unknown(node, `number ${node.text}`);
    }
    case 'unary_operator': {
      // -1, +2.5: signed number literals (defaults such as `'parent_id': -1`)
      const operand = node.childForFieldName('argument');
      const op = node.childForFieldName('operator')?.type;
      const v = operand ? evaluate(operand, env, ctx) : undefined;
      if (v?.kind === 'num' && (op === '-' || op === '+')) return { kind: 'num', value: op === '-' ? -v.value : v.value };
      return unknown(node, `operator ${node.text}`);
    }
    case 'true':
    case 'false':
      return { kind: 'bool', value: node.type === 'true' };
    case 'none':
      return { kind: 'none' };
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((c) => c.type !== 'comment');
      return inner ? evaluate(inner, env, ctx) : unknown(node, 'empty parentheses');
    }
    case 'list':
    case 'tuple':
    case 'expression_list':
      return {
        kind: 'seq',
        type: node.type === 'list' ? 'list' : 'tuple',
        items: node.namedChildren.filter((c) => c.type !== 'comment').map((c) => evaluate(c, env, ctx)),
        line: line(node),
      };
    case 'dictionary': {
      const entries: Array<[Value, Value]> = [];
      for (const pair of node.namedChildren) {
        if (pair.type !== 'pair') continue;
        const key = pair.childForFieldName('key');
        const value = pair.childForFieldName('value');
        if (key && value) entries.push([evaluate(key, env, ctx), evaluate(value, env, ctx)]);
      }
      return { kind: 'dict', entries };
    }
    case 'identifier':
      return lookupName(node.text, env);
    case 'attribute':
      return evaluateAttribute(node, env, ctx);
    case 'subscript':
      return evaluateSubscript(node, env, ctx);
    case 'binary_operator':
      return evaluateBinary(node, env, ctx);
    case 'call':
      return evaluateCall(node, env, ctx);
    case 'list_comprehension':
      return evaluateComprehension(node, env, ctx);
    default:
      return unknown(node, `unsupported expression (${node.type})`);
  }
}

/** A name in scope, else a star-imported name, else an unbound reference (a NameError in Python). */
function lookupName(name: string, env: Env): Value {
  const bound = env.get(name);
  if (bound) return bound;
  const stars = env.stars();
  if (stars.length > 0) return { kind: 'ref', qname: name, starCandidates: [...stars] };
  return { kind: 'ref', qname: name, unbound: true };
}

/** String literal with any prefix (r, b, u, f, rf…); f-string fields are evaluated. */
function evaluateString(node: SyntaxNode, env: Env, ctx: EvalContext): Value {
  // (Each `namedChildren` is a call into the binding that builds the list anew: asked once.)
  const parts = node.namedChildren;
  const start = parts[0];
  const prefix = start?.type === 'string_start' ? start.text.replace(/['"]+$/, '').toLowerCase() : '';
  const raw = prefix.includes('r');
  const formatted = prefix.includes('f');
  let text = '';
  let symbolic = false;
  for (const part of parts) {
    if (part.type === 'string_content') {
      let body = part.text;
      if (formatted) body = body.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      const decoded = raw ? body : decodeEscapes(body);
      if (decoded === undefined) return unknown(part, 'string with a \\N{…} escape');
      text += decoded;
    } else if (part.type === 'interpolation') {
      const expr = part.childForFieldName('expression') ?? part.namedChildren[0];
      const v = expr ? evaluate(expr, env, ctx) : unknown(part, 'empty f-string field');
      const f = formattable(v);
      if (!f) return isDynamic(v) ? unknown(part, describe(v), true) : unknown(part, 'f-string field not evaluable');
      text += f.text;
      symbolic ||= !!f.symbolic;
    }
  }
  return { kind: 'str', value: text, ...(symbolic ? { symbolic } : {}) };
}

/** The text a value contributes when formatted into a string, or undefined. */
function formattable(v: Value): Formattable {
  if (v.kind === 'str') return { text: v.value, isString: true, ...(v.symbolic ? { symbolic: true } : {}) };
  if (v.kind === 'num') return { text: String(v.value), numeric: v.value };
  if (v.kind === 'placeholder') return { text: `{${v.name}}`, symbolic: true };
  return undefined;
}

/** What a dynamic or unknown value depends on, for messages (`settings.X`, `loop variable x`). */
function describe(v: Value): string {
  if (v.kind === 'settings') return v.text;
  if (v.kind === 'placeholder') return `loop variable ${v.name}`;
  if (v.kind === 'unknown') return v.reason;
  return v.kind;
}

function evaluateAttribute(node: SyntaxNode, env: Env, ctx: EvalContext): Value {
  const object = node.childForFieldName('object');
  const attr = node.childForFieldName('attribute');
  if (!object || !attr) return unknown(node, 'incomplete attribute');
  const base = evaluate(object, env, ctx);
  const name = attr.text;
  switch (base.kind) {
    case 'ref': {
      const qname = `${base.qname}.${name}`;
      if (qname.startsWith('django.conf.settings.')) return { kind: 'settings', text: `settings.${qname.slice(21)}` };
      return { ...base, qname };
    }
    case 'settings':
      return { kind: 'settings', text: `${base.text}.${name}` };
    case 'str':
    case 'seq':
    case 'dict':
      return { kind: 'method', self: base, name };
    default:
      return isDynamic(base) ? { kind: 'unknown', reason: describe(base), line: line(node), dynamic: true } : unknown(node, `attribute ${name} of ${base.kind}`);
  }
}

function evaluateSubscript(node: SyntaxNode, env: Env, ctx: EvalContext): Value {
  const valueNode = node.childForFieldName('value');
  const indexNode = node.childForFieldName('subscript');
  if (!valueNode || !indexNode) return unknown(node, 'incomplete subscript');
  const base = evaluate(valueNode, env, ctx);
  if (base.kind === 'settings') return { kind: 'settings', text: `${base.text}[${indexNode.text}]` };
  if (isDynamic(base)) return { kind: 'unknown', reason: describe(base), line: line(node), dynamic: true };
  if (indexNode.type === 'slice' && base.kind === 'str') {
    const parts = indexNode.children;
    const bounds: Array<number | undefined> = [undefined, undefined];
    let slot = 0;
    for (const c of parts) {
      if (c.type === ':') slot++;
      else if (slot < 2) {
        const v = evaluate(c, env, ctx);
        if (v.kind !== 'num') return unknown(node, 'slice bound not a number');
        bounds[slot] = v.value;
      }
    }
    if (slot > 1) return unknown(node, 'slice with step');
    const n = base.value.length;
    const norm = (x: number | undefined, d: number) => (x === undefined ? d : x < 0 ? Math.max(0, n + x) : Math.min(n, x));
    return { kind: 'str', value: base.value.slice(norm(bounds[0], 0), norm(bounds[1], n)) };
  }
  const index = evaluate(indexNode, env, ctx);
  if (base.kind === 'seq' && index.kind === 'num') {
    const i = index.value < 0 ? base.items.length + index.value : index.value;
    return base.items[i] ?? unknown(node, 'index out of range');
  }
  if (base.kind === 'dict' && index.kind === 'str') {
    const hit = base.entries.find(([k]) => k.kind === 'str' && k.value === index.value);
    return hit ? hit[1] : unknown(node, `key ${index.value} not in dict`);
  }
  return unknown(node, `subscript of ${base.kind}`);
}

function evaluateBinary(node: SyntaxNode, env: Env, ctx: EvalContext): Value {
  const leftNode = node.childForFieldName('left');
  const rightNode = node.childForFieldName('right');
  const op = node.childForFieldName('operator')?.type;
  if (!leftNode || !rightNode || !op) return unknown(node, 'incomplete operator');
  const left = evaluate(leftNode, env, ctx);
  const right = evaluate(rightNode, env, ctx);
  if (op === '+') {
    if (left.kind === 'seq' && right.kind === 'seq') return { kind: 'seq', type: left.type, items: [...left.items, ...right.items] };
    const l = formattable(left);
    const r = formattable(right);
    if (left.kind !== 'num' && right.kind !== 'num' && l && r) {
      return { kind: 'str', value: l.text + r.text, ...(l.symbolic || r.symbolic ? { symbolic: true } : {}) };
    }
  }
  let operands: Value[] = [left, right];
  if (op === '%' && left.kind === 'str') {
    let args: Formattable[] | Record<string, Formattable> | undefined;
    if (right.kind === 'seq' && right.type === 'tuple') {
      args = right.items.map(formattable);
      operands = [left, ...right.items];
    } else if (right.kind === 'dict') {
      args = {};
      for (const [k, v] of right.entries) if (k.kind === 'str') args[k.value] = formattable(v);
      operands = [left, ...right.entries.map(([, v]) => v)];
    } else args = [formattable(right)];
    const result = percentFormat(left.value, args);
    if (result) return { kind: 'str', value: result.text, ...(result.symbolic || left.symbolic ? { symbolic: true } : {}) };
  }
  const dynamic = operands.find(isDynamic);
  if (dynamic) return unknown(node, describe(dynamic), true);
  return unknown(node, `operator ${op} on ${left.kind} and ${right.kind}`);
}

/** Evaluates the arguments of a call: positional and keyword; `*`/`**` splats make it unknown. */
function evaluateArguments(argsNode: SyntaxNode | null, env: Env, ctx: EvalContext) {
  const args: Value[] = [];
  const kwargs: Record<string, Value> = {};
  let splat: SyntaxNode | undefined;
  for (const arg of argsNode?.namedChildren ?? []) {
    if (arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name');
      const value = arg.childForFieldName('value');
      if (name && value) kwargs[name.text] = evaluate(value, env, ctx);
    } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
      splat = arg;
    } else {
      args.push(evaluate(arg, env, ctx));
    }
  }
  return { args, kwargs, splat };
}

/** Values that can stand for a view when passed to a wrapper: references and view expressions. */
export function isViewLike(v: Value): boolean {
  return (v.kind === 'ref' && !v.qname.startsWith('django.conf.settings')) || v.kind === 'view' || v.kind === 'call' || v.kind === 'function';
}

/** Turns a value used as a view into a view expression (a bare reference gets no wrappers). */
export function asView(v: Value): Extract<Value, { kind: 'view' }> | undefined {
  if (v.kind === 'view') return v;
  if (v.kind === 'ref' || v.kind === 'call' || v.kind === 'str') return { kind: 'view', target: v, wrappers: [] };
  // A view function defined in the URLconf itself.
  if (v.kind === 'function') return { kind: 'view', target: { kind: 'ref', qname: v.qname }, wrappers: [] };
  return undefined;
}

/** Converts an evaluated value to JSON where it is a literal; null where it is known only at run time. */
export function toJson(v: Value): JsonValue {
  switch (v.kind) {
    case 'str':
    case 'num':
    case 'bool':
      return v.value;
    case 'seq':
      return v.items.map(toJson);
    case 'dict': {
      const out: { [key: string]: JsonValue } = {};
      for (const [k, val] of v.entries) if (k.kind === 'str') out[k.value] = toJson(val);
      return out;
    }
    default:
      return null; // references, settings and call results have no literal value
  }
}

function evaluateCall(node: SyntaxNode, env: Env, ctx: EvalContext): Value {
  const fnNode = node.childForFieldName('function');
  const argsNode = node.childForFieldName('arguments');
  if (!fnNode) return unknown(node, 'incomplete call');
  const callee = evaluate(fnNode, env, ctx);
  if (argsNode?.type === 'generator_expression') return unknown(node, 'call with a generator argument');
  const { args, kwargs, splat } = evaluateArguments(argsNode, env, ctx);
  if (splat) return unknown(splat, 'call with * or ** arguments');

  const hooked = ctx.hook({ callee, args, kwargs, node, ctx });
  if (hooked) return hooked;

  if (callee.kind === 'method') return callMethod(callee, args, kwargs, node);
  if (callee.kind === 'function') return callLocalFunction(callee, args, kwargs, node, ctx);
  if (callee.kind === 'ref') {
    if (callee.qname === 're.escape' && args.length === 1) {
      const a = args[0]!;
      if (a.kind === 'str') return { kind: 'str', value: reEscape(a.value), ...(a.symbolic ? { symbolic: true } : {}) };
      return isDynamic(a) ? unknown(node, describe(a), true) : unknown(node, 're.escape of a non-string');
    }
    if (callee.qname.endsWith('.as_view')) {
      const initkwargs: Record<string, JsonValue> = {};
      for (const [k, v] of Object.entries(kwargs)) initkwargs[k] = toJson(v);
      return { kind: 'view', target: { ...callee, qname: callee.qname.slice(0, -'.as_view'.length) }, asView: initkwargs, wrappers: [] };
    }
  }
  // A decorator applied by hand, `wrapper(view)` or `factory(args)(view)`: the wrapper returns
  // the view it wraps, so the view stays what it was with one more wrapper outside.
  if ((callee.kind === 'ref' || callee.kind === 'call') && args.length === 1 && Object.keys(kwargs).length === 0) {
    const inner = args[0]!;
    if (isViewLike(inner)) {
      const view = asView(inner)!;
      const wrapper: Wrapper =
        callee.kind === 'ref'
          ? { qname: callee.qname, args: [] }
          : { qname: callee.callee.kind === 'ref' ? callee.callee.qname : '?', args: callee.args.map(toJson) };
      return { ...view, wrappers: [wrapper, ...view.wrappers] };
    }
  }
  if (callee.kind === 'ref' || callee.kind === 'call') return { kind: 'call', callee, args, kwargs, line: line(node) };
  if (isDynamic(callee)) return unknown(node, describe(callee), true);
  return unknown(node, `call of ${callee.kind}`);
}

/** `str.format`, `str.replace`, `str.join` and friends on known strings. */
function callMethod(m: Extract<Value, { kind: 'method' }>, args: Value[], kwargs: Record<string, Value>, node: SyntaxNode): Value {
  const self = m.self;
  const anyDynamic = [...args, ...Object.values(kwargs)].find(isDynamic);
  if (self.kind === 'str') {
    if (m.name === 'format') {
      const named: Record<string, Formattable> = {};
      for (const [k, v] of Object.entries(kwargs)) named[k] = formattable(v);
      const r = strFormat(self.value, args.map(formattable), named);
      if (r) return { kind: 'str', value: r.text, ...(r.symbolic || self.symbolic ? { symbolic: true } : {}) };
    } else if (m.name === 'replace' && args.length >= 2 && args[0]!.kind === 'str' && args[1]!.kind === 'str') {
      return { kind: 'str', value: self.value.split(args[0]!.value).join(args[1]!.value) };
    } else if (m.name === 'join' && args[0]?.kind === 'seq') {
      const parts = args[0].items.map(formattable);
      if (parts.every(Boolean)) return { kind: 'str', value: parts.map((p) => p!.text).join(self.value) };
    } else if (['strip', 'lstrip', 'rstrip', 'lower', 'upper'].includes(m.name) && args.length === 0) {
      const f = { strip: (s: string) => s.trim(), lstrip: (s: string) => s.trimStart(), rstrip: (s: string) => s.trimEnd(), lower: (s: string) => s.toLowerCase(), upper: (s: string) => s.toUpperCase() }[m.name as 'strip'];
      return { kind: 'str', value: f(self.value) };
    }
  }
  if (anyDynamic) return unknown(node, describe(anyDynamic), true);
  return unknown(node, `method ${m.name} of ${self.kind}`);
}

/** Calls a helper defined in the URLconf whose body is a single `return <expr>` (after docstrings). */
function callLocalFunction(
  fn: Extract<Value, { kind: 'function' }>,
  args: Value[],
  kwargs: Record<string, Value>,
  node: SyntaxNode,
  ctx: EvalContext,
): Value {
  if (ctx.depth >= MAX_CALL_DEPTH) return unknown(node, 'helper calls nested too deeply');
  const params = fn.node.childForFieldName('parameters');
  const body = fn.node.childForFieldName('body');
  const scope = new Env(fn.closure);
  let i = 0;
  for (const p of params?.namedChildren ?? []) {
    const nameNode = p.type === 'identifier' ? p : p.childForFieldName('name');
    if (!nameNode || nameNode.type !== 'identifier') return unknown(node, 'helper with unsupported parameters');
    const name = nameNode.text;
    const given = kwargs[name] ?? args[i++];
    const fallback = p.childForFieldName('value');
    scope.set(name, given ?? (fallback ? evaluate(fallback, fn.closure, ctx) : unknown(node, `missing argument ${name}`)));
  }
  const statements = (body?.namedChildren ?? []).filter((s) => s.type !== 'comment' && !(s.type === 'expression_statement' && s.namedChildren[0]?.type === 'string'));
  const ret = statements.length === 1 && statements[0]!.type === 'return_statement' ? statements[0]!.namedChildren[0] : undefined;
  if (!ret) return unknown(node, 'helper is not a single return statement');
  return evaluate(ret, scope, { ...ctx, depth: ctx.depth + 1, callSiteLine: ctx.callSiteLine ?? line(node) });
}

/**
 * `[expr for x in iterable if cond]`: expanded when the iterable is a known list; over settings
 * or anything unknown, the element is evaluated once with the loop variable as a placeholder and
 * the result is marked as produced by that loop.
 */
function evaluateComprehension(node: SyntaxNode, env: Env, ctx: EvalContext): Value {
  const body = node.childForFieldName('body');
  const clauses = node.namedChildren.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
  const first = clauses[0];
  if (!body || !first || first.type !== 'for_in_clause' || clauses.length > 2) return unknown(node, 'unsupported comprehension');
  const left = first.childForFieldName('left');
  const right = first.childForFieldName('right');
  if (!left || !right || left.type !== 'identifier') return unknown(node, 'unsupported comprehension target');
  const iterable = evaluate(right, env, ctx);
  const scope = new Env(env);
  if (iterable.kind === 'seq' && clauses.length === 1) {
    return {
      kind: 'seq',
      type: 'list',
      items: iterable.items.map((item) => {
        scope.set(left.text, item);
        return evaluate(body, scope, ctx);
      }),
    };
  }
  const loop = `for ${left.text} in ${right.text}`;
  scope.set(left.text, { kind: 'placeholder', name: left.text, loop });
  const element = evaluate(body, scope, { ...ctx, loops: [...ctx.loops, loop] });
  return { kind: 'seq', type: 'list', items: [element] };
}
