/**
 * Reads of request parameters in one function body, relative to the function's parameters
 * ({@link Origin}): `request.POST.get('k', 0)`, `request.GET['k']`, `'k' in request.data`,
 * `request.GET.getlist('k')`, CATMAID's `get_request_list(request.POST, 'k', map_fn=int)` and
 * `get_request_bool(…)`; names from loops over literal lists and dicts (`for p in
 * float_values.keys(): request.POST.get(p, float_values[p])`); keys matched by prefix in a loop
 * over a dictionary (`for k, v in request.POST.items(): if k.startswith('sources['):`); loops over
 * a whole dictionary whose keys cannot be named. Calls that hand request values on are read by
 * handed-values.ts; types and defaults by read-types.ts.
 *
 * Consumes: the matches of view-body.scm in one function. Produces: {@link SymbolicRead}s and
 * {@link WholeDictRead}s.
 */
import { evaluate, type Env, type JsonValue } from './evaluate.js';
import { defaultOf, MAP_FN_TYPES, typeFromDefault, typeFromWrapper } from './read-types.js';
import { literalEvalContext as evalCtx, literalKeys, stringLiteral, type AssignmentLookup } from './literals.js';
import { originsOf, type Origin, type Scope } from './origins.js';
import type { SyntaxNode } from './parser.js';

/** The value type of a parameter as far as the code shows it. */
export type ValueType = 'integer' | 'number' | 'string' | 'boolean' | 'array' | 'object' | 'file';

/** One read of a request parameter, from one of the function's {@link Origin}s. */
export interface SymbolicRead {
  name: string;
  origin: Origin;
  /** How it is read: `get`, `getlist`, `pop`, `subscript`, `in`, `prefix`, or the CATMAID helper's name. */
  how: string;
  /** How the name is known: written out, from a loop over a literal collection, or matched by prefix. */
  key: 'literal' | 'loop' | 'prefix';
  /** The loop's collection (`float_values.keys()`) or the prefix (`'sources['`), as written. */
  keySource?: string;
  /** True when the function fails without it (`request.POST['k']`, a guard that raises). */
  required: boolean;
  /** What makes it required. */
  requiredBy?: { kind: 'subscript' | 'guard' | 'conversion'; text: string; line: number };
  type?: ValueType;
  /** Element type for lists (`get_request_list(..., map_fn=int)`, `int(v) for k, v in …`); `array` for a list of lists (`k[0][1]`). */
  items?: ValueType;
  /** Literal default (`.get('k', 0)`). */
  default?: JsonValue;
  line: number;
  /** Methods of the `request.method` block the read is in, when it is in one. */
  methods?: string[];
  /** The read as written, abridged. */
  text: string;
}

/** A loop over a whole dictionary whose keys it does not name: every key may be read. */
export interface WholeDictRead {
  origin: Origin;
  line: number;
  methods?: string[];
}

/** What the readers need to know about the function being read. */
export interface ReadContext {
  body: SyntaxNode;
  scope: Scope;
  env: Env;
  lookup: AssignmentLookup;
  branchOf: (node: SyntaxNode) => string[] | undefined;
  /** Loops (node ids) whose key variable is matched by prefix: reads by that key are covered. */
  prefixLoops: ReadonlySet<number>;
  /** Names of the function's `*args` parameter(s). */
  varargs: ReadonlySet<string>;
  reads: SymbolicRead[];
  wholeDicts: WholeDictRead[];
  /** The variable each read is assigned to, for guards that follow. */
  targets: Map<SymbolicRead, string>;
  /** `kwargs['format'] = 'swc'` in the body: literal values a `**kwargs` parameter passes on. */
  kwargConstants: Map<string, Record<string, string>>;
  /** Reads by the node that reads (`request.POST.get('k')`), for values handed to calls. */
  readsAt: Map<number, SymbolicRead[]>;
  /** True for a node every call of the function reaches (at the top, or of a method block). */
  atTop: (node: SyntaxNode) => boolean;
  /** Calls a read is handed to directly (`f(request.POST.get('k'))`), by node id. */
  consumers: Map<number, SyntaxNode>;
}

const lineOf = (n: SyntaxNode) => n.startPosition.row + 1;
const abridge = (text: string) => {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
};

/** CATMAID's request helpers, read as reads (never followed into). */
export const CATMAID_READERS = new Set(['get_request_list', 'get_request_bool']);

/** The key names a key expression stands for, with per-key value nodes for loops over dicts. */
interface KeyNames {
  names: string[];
  kind: 'literal' | 'loop';
  source?: string;
  /** The value a default expression denotes for each key (`float_values[p]`, or `v` of `for p, v in d.items()`). */
  valueFor?: (defaultNode: SyntaxNode | undefined, key: string) => SyntaxNode | undefined;
}

/**
 * The parameter names a key expression stands for: a string literal, or a loop variable over a
 * literal collection. `covered` when the key is a loop variable matched by prefix; undefined when
 * the names cannot be known.
 */
function keyNames(key: SyntaxNode, ctx: ReadContext): KeyNames | 'covered' | undefined {
  if (key.type === 'string') {
    const s = stringLiteral(key);
    return s === undefined ? undefined : { names: [s], kind: 'literal' };
  }
  if (key.type !== 'identifier') return undefined;
  const loop = bindingLoop(key, ctx.body);
  if (!loop) return undefined;
  if (ctx.prefixLoops.has(loop.node.id)) return 'covered';
  const found = literalKeys(loop.iterable, ctx.lookup);
  if (!found) return undefined;
  const values = found.values;
  const collection = found.text;
  return {
    names: found.names,
    kind: 'loop',
    source: abridge(collection),
    ...(values
      ? {
          valueFor: (d: SyntaxNode | undefined, name: string) => {
            if (!d) return undefined;
            // float_values[p]
            if (d.type === 'subscript' && d.childForFieldName('subscript')?.text === key.text) {
              const of = d.childForFieldName('value')?.text;
              if (of && collection.startsWith(of)) return values.get(name);
            }
            // for p, v in d.items(): ….get(p, v)
            if (d.type === 'identifier' && d.text === loop.valueVar) return values.get(name);
            return undefined;
          },
        }
      : {}),
  };
}

/** The loop (for statement or comprehension) binding `name` as its key variable, innermost first. */
function bindingLoop(name: SyntaxNode, body: SyntaxNode): { node: SyntaxNode; iterable: SyntaxNode; valueVar?: string } | undefined {
  for (let p = name.parent; p && p.id !== body.id; p = p.parent) {
    const clauses = p.type === 'for_statement' ? [p] : COMPREHENSIONS.has(p.type) ? p.namedChildren.filter((c) => c.type === 'for_in_clause') : [];
    for (const loop of clauses) {
      const vars = loopVariables(loop);
      if (vars?.key !== name.text) continue;
      const iterable = loop.childForFieldName('right');
      if (!iterable) return undefined;
      return { node: loop, iterable, ...(vars.value ? { valueVar: vars.value } : {}) };
    }
  }
  return undefined;
}

const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/** `for k in …` → k; `for k, v in ….items()` → k and v. */
function loopVariables(loop: SyntaxNode): { key: string; value?: string } | undefined {
  const left = loop.childForFieldName('left');
  if (!left) return undefined;
  if (left.type === 'identifier') return { key: left.text };
  if (left.type === 'pattern_list' || left.type === 'tuple_pattern') {
    const [k, v] = left.namedChildren;
    if (k?.type !== 'identifier') return undefined;
    return { key: k.text, ...(v?.type === 'identifier' ? { value: v.text } : {}) };
  }
  return undefined;
}

function push(ctx: ReadContext, origins: Origin[], read: Omit<SymbolicRead, 'origin' | 'line' | 'methods' | 'text'>, node: SyntaxNode, valueNode: SyntaxNode = node): void {
  const branch = ctx.branchOf(node);
  const { target, consumer } = whereTheValueGoes(valueNode);
  if (consumer) ctx.consumers.set(consumer.id, consumer);
  for (const origin of origins) {
    const methods = origin.methods ?? branch;
    const fact: SymbolicRead = { ...read, origin, line: lineOf(node), ...(methods ? { methods } : {}), text: abridge(node.text) };
    ctx.reads.push(fact);
    ctx.readsAt.set(node.id, [...(ctx.readsAt.get(node.id) ?? []), fact]);
    if (target !== undefined) ctx.targets.set(fact, target);
  }
}

function wholeDict(ctx: ReadContext, origins: Origin[], node: SyntaxNode): void {
  const branch = ctx.branchOf(node);
  for (const origin of origins) {
    const methods = origin.methods ?? branch;
    ctx.wholeDicts.push({ origin, line: lineOf(node), ...(methods ? { methods } : {}) });
  }
}

/** `d.get('k', default)`, `d.getlist('k')`, `d.pop('k')`. */
export function readCall(ctx: ReadContext, call: SyntaxNode, dict: SyntaxNode, accessor: string, key: SyntaxNode): void {
  if (!['get', 'getlist', 'pop'].includes(accessor)) return;
  const origins = originsOf(dict, ctx.scope);
  if (!origins) return;
  const names = keyNames(key, ctx);
  if (names === 'covered') return;
  if (!names) return wholeDict(ctx, origins, call);
  const args = call.childForFieldName('arguments')!.namedChildren.filter((a) => a.type !== 'comment');
  const defaultNode = args[1]?.type === 'keyword_argument' ? undefined : args[1];
  const wrapper = typeFromWrapper(call);
  for (const name of names.names) {
    const defaultValue = names.valueFor?.(defaultNode, name) ?? defaultNode;
    const fallback = defaultValue ? evaluate(defaultValue, ctx.env, evalCtx) : undefined;
    const typed: Partial<SymbolicRead> = accessor === 'getlist' ? { type: 'array', items: 'string' } : { ...typeFromDefault(fallback), ...wrapper };
    // int(request.POST.get('mode')) with nothing to fall back to raises without it: int(None).
    const converted = accessor === 'get' && (!fallback || fallback.kind === 'none') && (wrapper.type === 'integer' || wrapper.type === 'number') && ctx.atTop(call);
    const required: Partial<SymbolicRead> = converted ? { required: true, requiredBy: { kind: 'conversion', text: abridge(call.parent!.parent!.text), line: lineOf(call) } } : { required: false };
    push(ctx, origins, { name, how: accessor, ...keyOf(names), required: false, ...required, ...typed, ...(fallback ? defaultOf(fallback) : {}) }, call);
  }
}

/** `d['k']`: required, as a missing key raises. Not `d['k'] = v`, which writes. */
export function readSubscript(ctx: ReadContext, subscript: SyntaxNode, dict: SyntaxNode, key: SyntaxNode): void {
  const assigned = ctx.kwargConstants.size && ctx.kwargConstants.has(dict.text) && subscript.parent?.type === 'assignment' && subscript.parent.childForFieldName('left')?.id === subscript.id ? subscript.parent.childForFieldName('right') : undefined;
  if (assigned && key.type === 'string' && assigned.type === 'string') {
    const k = stringLiteral(key);
    const v = stringLiteral(assigned);
    if (k !== undefined && v !== undefined) ctx.kwargConstants.get(dict.text)![k] = v;
    return;
  }
  const origins = originsOf(dict, ctx.scope);
  if (!origins) return;
  const parent = subscript.parent;
  if ((parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && parent.childForFieldName('left')?.id === subscript.id) return;
  if (parent?.type === 'delete_statement') return;
  const names = keyNames(key, ctx);
  if (names === 'covered') return;
  if (!names) return wholeDict(ctx, origins, subscript);
  const line = lineOf(subscript);
  for (const name of names.names) {
    push(ctx, origins, { name, how: 'subscript', ...keyOf(names), required: true, requiredBy: { kind: 'subscript', text: abridge(subscript.text), line }, ...typeFromWrapper(subscript) }, subscript);
  }
}

/** `'k' in d`. */
export function readMembership(ctx: ReadContext, comparison: SyntaxNode): void {
  const [left, right] = comparison.namedChildren;
  const op = comparison.children.find((c) => !c.isNamed)?.type;
  if (op !== 'in' || left?.type !== 'string' || !right) return;
  const origins = originsOf(right, ctx.scope);
  const key = stringLiteral(left);
  if (!origins || key === undefined) return;
  // 'annotations[0]' in request.POST: whether the list `annotations` has an element.
  const listed = /^([A-Za-z_]\w*)\[/.exec(key);
  if (listed) push(ctx, origins, { name: listed[1]!, how: 'in', key: 'literal', required: false, type: 'array' }, comparison);
  else push(ctx, origins, { name: key, how: 'in', key: 'literal', required: false }, comparison);
}

/**
 * A call: CATMAID's `get_request_list(d, 'k', default, map_fn=int)` / `get_request_bool(d, 'k',
 * default)` are reads; any other call that is handed a request value is a {@link ForwardingCall}.
 */
export function readCatmaidReader(ctx: ReadContext, call: SyntaxNode, fnName: string, argList: SyntaxNode): void {
  const args = argList.namedChildren.filter((a) => a.type !== 'comment');
  const origins = args[0] ? originsOf(args[0], ctx.scope) : undefined;
  if (!origins) return;
  const names = args[1] ? keyNames(args[1], ctx) : undefined;
  if (names === 'covered') return;
  if (!names) return wholeDict(ctx, origins, call);
  for (const name of names.names) push(ctx, origins, { ...catmaidHelperRead(fnName, name, args, ctx.env), ...keyOf(names) }, call);
}

/**
 * A loop over a dictionary (`for k, v in request.POST.items()`, `for key in params`): when no key
 * of it is matched by prefix, every key may be read and none can be named.
 */
export function readLoop(ctx: ReadContext, loop: SyntaxNode, iterable: SyntaxNode, dict: SyntaxNode | undefined): void {
  if (ctx.prefixLoops.has(loop.id)) return;
  let target = iterable;
  if (dict) {
    const method = iterable.childForFieldName('function')?.childForFieldName('attribute')?.text ?? '';
    if (!DICT_ITERATORS.has(method)) return;
    target = dict;
  }
  const origins = originsOf(target, ctx.scope);
  if (origins) wholeDict(ctx, origins, loop);
}

const DICT_ITERATORS = new Set(['items', 'keys', 'values', 'lists', 'iteritems', 'iterkeys', 'itervalues', 'iterlists', 'dict']);

/**
 * `k.startswith('sources[')` where `k` is the key of a loop over a request value: a parameter
 * named by the prefix (what comes before `[`), a list when the prefix opens an index, a list of
 * lists when it has two. Returns the loop's node id when it is one, for {@link ReadContext.prefixLoops}.
 */
export function readPrefix(ctx: ReadContext, call: SyntaxNode, variable: SyntaxNode, arg: SyntaxNode): number | undefined {
  const loop = bindingLoop(variable, ctx.body);
  if (!loop) return undefined;
  const method = loop.iterable.type === 'call' ? loop.iterable.childForFieldName('function')?.childForFieldName('attribute')?.text : undefined;
  const dictNode = loop.iterable.type === 'call' ? loop.iterable.childForFieldName('function')?.childForFieldName('object') : loop.iterable;
  if (!dictNode || (method !== undefined && !DICT_ITERATORS.has(method))) return undefined;
  const origins = originsOf(dictNode, ctx.scope);
  if (!origins) return undefined;
  const prefixes = (arg.type === 'tuple' ? arg.namedChildren : [arg]).map((n) => (n.type === 'string' ? stringLiteral(n) : undefined));
  if (prefixes.some((p) => p === undefined)) return undefined;
  const items = loop.valueVar ? valueConversion(loop.node, loop.valueVar) : undefined;
  for (const prefix of prefixes as string[]) {
    const name = prefix.replace(/\[.*$/, '');
    if (!/^[A-Za-z_][\w-]*$/.test(name)) continue;
    const depth = (prefix.slice(name.length).match(/\[/g) ?? []).length;
    const typed: Partial<SymbolicRead> = depth === 0 ? { type: 'string' } : { type: 'array', ...(depth > 1 ? { items: 'array' as const } : items ? { items } : {}) };
    // The value is what the loop collects: `sources = set(int(v) for k, v in … if k.startswith('sources['))`.
    const collected = loop.node.type === 'for_in_clause' ? loop.node.parent! : call;
    push(ctx, origins, { name, how: 'prefix', key: 'prefix', keySource: `'${prefix}'`, required: false, ...typed }, call, collected);
  }
  return loop.node.id;
}

/** `int(v) for k, v in …`: the type a comprehension converts the loop's value to. */
function valueConversion(clause: SyntaxNode, valueVar: string): ValueType | undefined {
  const comprehension = clause.parent;
  if (!comprehension || !COMPREHENSIONS.has(comprehension.type)) return undefined;
  const body = comprehension.namedChildren[0];
  if (body?.type !== 'call' || body.childForFieldName('arguments')?.namedChildren[0]?.text !== valueVar) return undefined;
  return MAP_FN_TYPES[body.childForFieldName('function')?.text ?? ''];
}

function keyOf(names: KeyNames): Pick<SymbolicRead, 'key' | 'keySource'> {
  return { key: names.kind, ...(names.source ? { keySource: names.source } : {}) };
}

/** Expressions a read may sit in and still be the value assigned: conversions, defaults, parentheses. */
const WRAPPING = new Set(['call', 'argument_list', 'parenthesized_expression', 'conditional_expression', 'boolean_operator']);

const CONVERSIONS = new Set(['int', 'float', 'str', 'bool']);

/**
 * Where a read's value goes, in one walk up through conversions, defaults and parentheses: the
 * variable it is assigned to (`x = int(request.POST.get('k', 0))`), and the first call it is handed
 * to that is not a conversion (`validate_state(ids, request.POST.get('state'))`).
 */
function whereTheValueGoes(node: SyntaxNode): { target?: string; consumer?: SyntaxNode } {
  let at = node;
  let consumer: SyntaxNode | undefined;
  let parent = at.parent;
  while (parent && WRAPPING.has(parent.type)) {
    if (!consumer && parent.type === 'call' && at.type === 'argument_list' && !CONVERSIONS.has(parent.childForFieldName('function')?.text ?? '')) consumer = parent;
    at = parent;
    parent = at.parent;
  }
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== at.id) return consumer ? { consumer } : {};
  const left = parent.childForFieldName('left');
  return { ...(left?.type === 'identifier' ? { target: left.text } : {}), ...(consumer ? { consumer } : {}) };
}


/** CATMAID's `get_request_list(d, 'k', default, map_fn=int)` and `get_request_bool(d, 'k', default)`. */
function catmaidHelperRead(fnName: string, key: string, args: SyntaxNode[], env: Env): Omit<SymbolicRead, 'origin' | 'line' | 'methods' | 'text' | 'key'> {
  const positional = args.filter((a) => a.type !== 'keyword_argument');
  const keyword = (name: string) => args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name)?.childForFieldName('value') ?? undefined;
  const defaultNode = positional[2] ?? keyword('default');
  const fallback = defaultNode ? evaluate(defaultNode, env, evalCtx) : undefined;
  if (fnName === 'get_request_bool') {
    return { name: key, how: fnName, required: false, type: 'boolean', ...(fallback ? defaultOf(fallback) : {}) };
  }
  const mapFn = positional[3] ?? keyword('map_fn');
  let items: ValueType | undefined = 'string';
  if (mapFn) items = MAP_FN_TYPES[mapFn.text] ?? (mapFn.type === 'lambda' && /^\[/.test(mapFn.childForFieldName('body')?.text ?? '') ? 'array' : undefined);
  return { name: key, how: fnName, required: false, type: 'array', ...(items ? { items } : {}), ...(fallback ? defaultOf(fallback) : {}) };
}
