/**
 * Reads what a Django view tells a client, from its definition: decorators (`@api_view`,
 * `@require_POST`, `@requires_user_role(...)`), the docstring, which request dictionaries it reads
 * and how (`request.GET.get('k', 0)`, `request.POST['k']`, `get_request_list(request.POST, 'k',
 * map_fn=int)`, `'k' in request.data`), `request.method` branches, calls that hand the request to
 * a helper, and what it returns. Found with `view-body.scm`, interpreted here.
 *
 * Consumes: a function or class definition node and its module's {@link ModuleFacts}.
 * Produces: {@link FunctionFacts} / {@link ClassFacts}, plain data with lines.
 */
import { Env, evaluate, toJson, type EvalContext, type JsonValue, type Value } from './evaluate.js';
import { decodeEscapes } from './python-literals.js';
import type { ModuleFacts } from './module.js';
import { query, type SyntaxNode } from './parser.js';

/** Where a request dictionary's values come from on the wire. */
export type RequestDict = 'GET' | 'POST' | 'data' | 'query_params' | 'REQUEST' | 'FILES';

/** The value type of a parameter as far as the code shows it. */
export type ValueType = 'integer' | 'number' | 'string' | 'boolean' | 'array' | 'object' | 'file';

/** One read of a request parameter. */
export interface RequestRead {
  name: string;
  dict: RequestDict;
  /** How it is read: `get`, `getlist`, `subscript`, `in`, or the CATMAID helper's name. */
  how: string;
  /** True when the view fails without it (`request.POST['k']`). */
  required: boolean;
  type?: ValueType;
  /** Element type for lists (`get_request_list(..., map_fn=int)`). */
  items?: ValueType;
  /** Literal default (`.get('k', 0)`). */
  default?: JsonValue;
  line: number;
  /** Methods of the `request.method` branch the read is in, when it is in one. */
  methods?: string[];
  /** Read by a helper the view hands the request to (its name). */
  via?: string;
}

/** A decorator as written, with its evaluated qualified name and literal arguments. */
export interface DecoratorFact {
  /** Qualified name of the decorator (or of the factory that made it). */
  qname: string;
  /** Literal positional arguments; attribute references such as `UserRole.Browse` as their dotted text. */
  args: JsonValue[];
  /** Inner decorator of `method_decorator(inner)`. */
  inner?: DecoratorFact;
  line: number;
}

/** A call that hands the request (or one of its dictionaries) to another function of the module. */
export interface HelperCall {
  /** Name of the called function (a module-level name). */
  callee: string;
  /** Positional arguments: the request, a request dictionary, or something else. */
  args: Array<{ kind: 'request' } | { kind: 'dict'; dicts: RequestDict[] } | { kind: 'other' }>;
  line: number;
}

/**
 * The JSON kind a return statement builds when its first argument is a literal:
 * `JsonResponse({'a': …})` is an object with keys `a` (keys unknown when one is computed or `**`
 * spread), `JsonResponse([…], safe=False)` or a comprehension an array.
 */
export interface ReturnedShape {
  kind: 'object' | 'array';
  keys?: string[];
}

export interface FunctionFacts {
  name: string;
  line: number;
  decorators: DecoratorFact[];
  docstring?: { text: string; line: number };
  reads: RequestRead[];
  /** Methods compared in `request.method == 'X'` / `in (...)`. */
  methodBranches: string[];
  /** Parameters of the signature after the request (path parameters arrive here). */
  signature: Array<{ name: string; annotation?: string; hasDefault: boolean }>;
  helperCalls: HelperCall[];
  /** What the return statements construct: `JsonResponse`, `HttpResponse`, … (names as written). */
  /** `contentType` is `?` when the code sets one that is not a literal. */
  returns: Array<{ constructor: string; contentType?: string; firstArgument?: string; shape?: ReturnedShape; line: number }>;
  /** The body iterates over a whole request dictionary (`request.POST.items()`): keys not nameable. */
  readsAllOf: RequestDict[];
  /** Code that changes data: model saves and deletes, SQL INSERT/UPDATE/DELETE, files opened for writing. */
  changes: DataChange[];
}

/** One place where a view changes data, and what it is. */
export interface DataChange {
  /** What was seen, e.g. `.save()`, `FavoriteProject.objects.get_or_create()`, `SQL INSERT`. */
  evidence: string;
  line: number;
  /** Methods of the `request.method` branch it is in, when it is in one. */
  methods?: string[];
}

export interface ClassFacts {
  name: string;
  line: number;
  /** Qualified names of the base classes, resolved through the module's imports. */
  bases: string[];
  docstring?: { text: string; line: number };
  /** Methods by name. */
  methods: Map<string, { node: SyntaxNode; decorators: DecoratorFact[] }>;
  /** Class-level decorators (e.g. `@method_decorator(..., name='dispatch')`). */
  decorators: DecoratorFact[];
  /** `http_method_names = [...]` when the class restricts its methods. */
  httpMethodNames?: string[];
}

/** The capture naming the whole match in each pattern of view-body.scm. */
const MAIN_CAPTURES = new Set(['read.call', 'read.subscript', 'comparison', 'call', 'alias', 'return', 'all', 'guard', 'write', 'write.helper', 'write.file', 'write.string']);
const DICTS = new Set<RequestDict>(['GET', 'POST', 'data', 'query_params', 'REQUEST', 'FILES']);
const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const lineOf = (n: SyntaxNode) => n.startPosition.row + 1;
const evalCtx: EvalContext = { hook: () => undefined, depth: 0, loops: [], conditions: [] };

/** An evaluation environment with a module's imports and definitions bound to qualified names. */
export function moduleEnv(facts: ModuleFacts): Env {
  const env = new Env();
  for (const [local, qname] of facts.imports) env.set(local, { kind: 'ref', qname });
  for (const name of facts.definitions.keys()) env.set(name, { kind: 'ref', qname: `${facts.module}.${name}` });
  env.starModules.push(...facts.stars);
  return env;
}

/** The literal of a string node (docstrings, dictionary keys), or undefined when it is not one. */
export function stringLiteral(node: SyntaxNode): string | undefined {
  const v = evaluate(node, new Env(), evalCtx);
  return v.kind === 'str' && !v.symbolic ? v.value : undefined;
}

/** The docstring of a function or class body: its first statement when that is a string. */
export function docstringOf(def: SyntaxNode): { text: string; line: number } | undefined {
  let first = def.childForFieldName('body')?.firstNamedChild ?? null;
  while (first?.type === 'comment') first = first.nextNamedSibling;
  const str = first?.type === 'expression_statement' ? first.firstNamedChild : null;
  if (!str || (str.type !== 'string' && str.type !== 'concatenated_string')) return undefined;
  const text = str.type === 'string' ? plainStringLiteral(str.text) : undefined;
  const value = text ?? stringLiteral(str);
  return value === undefined ? undefined : { text: value, line: lineOf(str) };
}

/**
 * The value of a plain (not f-) string literal from its source text, without walking its nodes:
 * the fast path for docstrings. Undefined for anything else.
 */
function plainStringLiteral(source: string): string | undefined {
  const m = /^([rRuUbB]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(source);
  if (!m) return undefined;
  const raw = /r/i.test(m[1]!);
  return raw ? m[3]! : decodeEscapes(m[3]!);
}

/** Text of a JSON-able argument for role names: `UserRole.Browse` → `UserRole.Browse`. */
function argumentJson(v: Value, node: SyntaxNode): JsonValue {
  if (v.kind === 'ref') return node.type === 'attribute' ? node.text.replace(/\s+/g, '') : v.qname;
  if (v.kind === 'seq') return v.items.map((item, i) => argumentJson(item, node.namedChildren[i] ?? node));
  return toJson(v);
}

/** The decorators of a (decorated) definition, evaluated against the module's names. */
export function decoratorsOf(def: SyntaxNode, env: Env): DecoratorFact[] {
  const decorated = def.parent?.type === 'decorated_definition' ? def.parent : undefined;
  if (!decorated) return [];
  return decorated.namedChildren.filter((c) => c.type === 'decorator').map((d) => decoratorFact(d.namedChildren[0]!, env)).filter((d): d is DecoratorFact => !!d);
}

function decoratorFact(expr: SyntaxNode, env: Env): DecoratorFact | undefined {
  const call = expr.type === 'call' ? expr : undefined;
  const target = call ? call.childForFieldName('function')! : expr;
  const callee = evaluate(target, env, evalCtx);
  const qname = callee.kind === 'ref' ? callee.qname : target.text;
  const argNodes = (call?.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment' && a.type !== 'keyword_argument');
  const fact: DecoratorFact = { qname, args: argNodes.map((a) => argumentJson(evaluate(a, env, evalCtx), a)), line: lineOf(expr) };
  // method_decorator(requires_user_role(...)) on a class's method.
  if (qname.endsWith('method_decorator') && argNodes[0]) {
    const inner = decoratorFact(argNodes[0], env);
    if (inner) fact.inner = inner;
  }
  return fact;
}

/** The names in a function's parameter list, in order, with annotations. */
function parametersOf(def: SyntaxNode): Array<{ name: string; annotation?: string; hasDefault: boolean }> {
  const out: Array<{ name: string; annotation?: string; hasDefault: boolean }> = [];
  for (const p of def.childForFieldName('parameters')?.namedChildren ?? []) {
    const nameNode = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier');
    if (!nameNode || nameNode.type !== 'identifier') continue;
    const annotation = p.childForFieldName('type')?.text;
    out.push({ name: nameNode.text, ...(annotation ? { annotation } : {}), hasDefault: p.type.includes('default') });
  }
  return out;
}

/** Where a read's value comes from: which request dictionaries, under which methods. */
type DictSource = { dict: RequestDict; methods?: string[] };

/**
 * What the body of `def` reads from the request. `requestNames` are the names the request is
 * bound to (the view's `request` parameter); `aliases` are names already bound to request
 * dictionaries (a helper's parameter that received `request.POST`).
 */
export function readFunctionFacts(
  def: SyntaxNode,
  env: Env,
  requestNames: ReadonlySet<string>,
  aliases: ReadonlyMap<string, DictSource[]> = new Map(),
): FunctionFacts {
  const nameNode = def.childForFieldName('name');
  const body = def.childForFieldName('body');
  const params = parametersOf(def);
  const doc = docstringOf(def);
  const facts: FunctionFacts = {
    name: nameNode?.text ?? '?',
    line: lineOf(def),
    decorators: decoratorsOf(def, env),
    ...(doc ? { docstring: doc } : {}),
    reads: [],
    methodBranches: [],
    signature: params,
    helperCalls: [],
    returns: [],
    readsAllOf: [],
    changes: [],
  };
  if (!body) return facts;
  const matches = query('view-body').matches(body);
  const assigned = new Map<string, DictSource[]>();

  // `if request.method == 'X':` blocks, as byte ranges: a read inside one belongs to its methods.
  const branches: Array<{ start: number; end: number; methods: string[] }> = [];
  for (const m of matches) {
    const comparison = m.captures.find((c) => c.name === 'comparison')?.node;
    const parent = comparison?.parent;
    if (!comparison || (parent?.type !== 'if_statement' && parent?.type !== 'elif_clause')) continue;
    if (parent.childForFieldName('condition')?.id !== comparison.id) continue;
    const methods = methodComparison(comparison, requestNames);
    const block = parent.childForFieldName('consequence');
    if (methods && block) branches.push({ start: block.startIndex, end: block.endIndex, methods });
  }
  /** The methods of the innermost method branch holding a node, if any. */
  const branchOf = (node: SyntaxNode): string[] | undefined => {
    const at = node.startIndex;
    let best: { start: number; end: number; methods: string[] } | undefined;
    for (const b of branches) if (b.start <= at && at < b.end && (!best || b.end - b.start < best.end - best.start)) best = b;
    return best?.methods;
  };

  // Aliases first: `data = request.POST` anywhere in the body counts for every read of `data`.
  // Assignments in `request.method` branches add up: `if GET: data = request.GET` /
  // `elif POST: data = request.POST` makes `data` the query for GET and the form for POST.
  for (const m of matches) {
    const assignment = m.captures.find((c) => c.name === 'alias')?.node;
    if (!assignment) continue;
    const name = m.captures.find((c) => c.name === 'alias.name')!.node.text;
    const sources = dictSources(m.captures.find((c) => c.name === 'alias.value')!.node, requestNames, aliases);
    if (!sources) continue;
    const branch = branchOf(assignment);
    const scoped = branch ? sources.map((s) => ({ ...s, methods: s.methods?.filter((x) => branch.includes(x)) ?? branch })) : sources;
    assigned.set(name, [...(assigned.get(name) ?? []), ...scoped]);
  }
  const localAliases = new Map([...aliases, ...assigned]);

  const methodBranches = new Set<string>();
  const allOf = new Set<RequestDict>();
  /** Variables a `if not x: raise` guards. */
  const guarded = new Set<string>();
  for (const m of matches) {
    const main = m.captures.find((c) => MAIN_CAPTURES.has(c.name))!;
    const capture = (name: string) => m.captures.find((c) => c.name === name)?.node;
    switch (main.name) {
      case 'read.call': {
        const accessor = capture('read.accessor')!.text;
        if (!['get', 'getlist', 'pop'].includes(accessor)) break;
        const sources = dictSources(capture('read.dict')!, requestNames, localAliases);
        if (!sources) break;
        const keys = keyNames(capture('read.key')!, body);
        if (!keys) {
          sources.forEach((s) => allOf.add(s.dict));
          break;
        }
        const args = main.node.childForFieldName('arguments')!.namedChildren.filter((a) => a.type !== 'comment');
        const defaultNode = args[1]?.type === 'keyword_argument' ? undefined : args[1];
        const fallback = defaultNode ? evaluate(defaultNode, env, evalCtx) : undefined;
        const read: Partial<RequestRead> =
          accessor === 'getlist' ? { type: 'array', items: 'string' } : { ...typeFromDefault(fallback), ...typeFromWrapper(main.node) };
        for (const key of keys) addReads(facts, sources, branchOf, { name: key, how: accessor, required: false, ...read, ...(fallback ? defaultOf(fallback) : {}) }, main.node);
        break;
      }
      case 'read.subscript': {
        const sources = dictSources(capture('read.dict')!, requestNames, localAliases);
        if (!sources) break;
        // `request.POST['k'] = v` writes, it does not read.
        if (main.node.parent?.type === 'assignment' && main.node.parent.childForFieldName('left')?.id === main.node.id) break;
        const keys = keyNames(capture('read.key')!, body);
        if (!keys) {
          sources.forEach((s) => allOf.add(s.dict));
          break;
        }
        for (const key of keys) addReads(facts, sources, branchOf, { name: key, how: 'subscript', required: true, ...typeFromWrapper(main.node) }, main.node);
        break;
      }
      case 'comparison': {
        const methods = methodComparison(main.node, requestNames);
        if (methods) {
          methods.forEach((x) => methodBranches.add(x));
          break;
        }
        const [left, right] = main.node.namedChildren;
        const op = main.node.children.find((c) => !c.isNamed)?.type;
        if (op === 'in' && left?.type === 'string' && right) {
          const sources = dictSources(right, requestNames, localAliases);
          const key = stringLiteral(left);
          if (sources && key !== undefined) addReads(facts, sources, branchOf, { name: key, how: 'in', required: false }, main.node);
        }
        break;
      }
      case 'call': {
        const fn = main.node.childForFieldName('function')!;
        const args = main.node.childForFieldName('arguments')!.namedChildren.filter((a) => a.type !== 'comment');
        const fnName = fn.type === 'identifier' ? fn.text : fn.childForFieldName('attribute')?.text ?? '';
        if (fnName === 'get_request_list' || fnName === 'get_request_bool') {
          const sources = args[0] ? dictSources(args[0], requestNames, localAliases) : undefined;
          if (!sources) break;
          const keys = args[1] ? keyNames(args[1], body) : undefined;
          if (!keys) {
            sources.forEach((s) => allOf.add(s.dict));
            break;
          }
          for (const key of keys) addReads(facts, sources, branchOf, catmaidHelperRead(fnName, key, args, env), main.node);
          break;
        }
        if (fn.type === 'attribute') break;
        // A call of a module-level function that is handed the request or one of its dictionaries.
        const handed = args.map((a): HelperCall['args'][number] => {
          if (a.type === 'identifier' && requestNames.has(a.text)) return { kind: 'request' };
          const sources = dictSources(a, requestNames, localAliases);
          return sources ? { kind: 'dict', dicts: sources.map((s) => s.dict) } : { kind: 'other' };
        });
        if (handed.some((h) => h.kind !== 'other')) facts.helperCalls.push({ callee: fn.text, args: handed, line: lineOf(main.node) });
        break;
      }
      case 'all': {
        // `for k, v in request.POST.items()`: the keys are data, not names a client can know.
        const sources = dictSources(capture('all.dict')!, requestNames, localAliases);
        sources?.forEach((s) => allOf.add(s.dict));
        break;
      }
      case 'write': {
        const change = modelWrite(capture('write.object')!, capture('write.method')!.text, capture('write.args')!);
        if (change) addChange(facts, change, main.node, branchOf);
        break;
      }
      case 'write.helper':
        addChange(facts, `${capture('write.function')!.text}()`, main.node, branchOf);
        break;
      case 'write.file': {
        const mode = stringLiteral(capture('write.mode')!);
        if (mode !== undefined && /^[rwax]b?\+?b?$/.test(mode) && /[wax+]/.test(mode)) addChange(facts, `${capture('write.opener')!.text}(…, '${mode}')`, main.node, branchOf);
        break;
      }
      case 'write.string': {
        const verb = /INSERT|UPDATE|DELETE|TRUNCATE/.exec(capture('write.sql')!.text)![0];
        addChange(facts, `SQL ${verb}`, main.node, branchOf);
        break;
      }
      case 'guard': {
        // Only `x is None` / `x == None`: `is not` (one token) and `!=` are the opposite guard.
        const condition = capture('guard.condition')!;
        if (condition.type === 'comparison_operator' && !condition.children.some((c) => !c.isNamed && (c.type === 'is' || c.type === '=='))) break;
        // Only a guard every call passes: at the top of the body or of a `request.method` branch,
        // not one inside a loop or a condition on something else.
        const block = main.node.parent;
        const unconditional = block?.id === body.id || branches.some((b) => b.start === block?.startIndex && b.end === block?.endIndex);
        if (unconditional) guarded.add(capture('guard.name')!.text);
        break;
      }
      case 'return': {
        const value = main.node.namedChildren[0];
        if (value?.type === 'call') {
          const fn = value.childForFieldName('function');
          const constructor = fn?.type === 'identifier' ? fn.text : fn?.childForFieldName('attribute')?.text;
          if (constructor) {
            const ct = value.childForFieldName('arguments')?.namedChildren.find((a) => a.type === 'keyword_argument' && ['content_type', 'mimetype'].includes(a.childForFieldName('name')?.text ?? ''));
            const contentType = ct ? stringLiteral(ct.childForFieldName('value')!) : undefined;
            const first = value.childForFieldName('arguments')?.namedChildren[0];
            const firstArgument = first?.type === 'call' ? first.childForFieldName('function')?.text : undefined;
            const shape = first ? literalShape(first) : undefined;
            facts.returns.push({
              constructor,
              ...(contentType ? { contentType } : ct ? { contentType: '?' } : {}),
              ...(firstArgument ? { firstArgument } : {}),
              ...(shape ? { shape } : {}),
              line: lineOf(main.node),
            });
          }
        }
        break;
      }
    }
  }
  // `x = request.POST.get('k')` followed by `if not x: raise …`: the view fails without `k`.
  for (const read of facts.reads) {
    const target = readTargets.get(read);
    // A boolean is guarded for being true, not for being there.
    if (target !== undefined && guarded.has(target) && read.type !== 'boolean') read.required = true;
  }
  facts.methodBranches = [...methodBranches].sort();
  facts.readsAllOf = [...allOf].sort();
  return facts;
}

/** The JSON kind of a literal expression (a dict, list, tuple or comprehension), or undefined. */
function literalShape(node: SyntaxNode): ReturnedShape | undefined {
  switch (node.type) {
    case 'list':
    case 'tuple':
    case 'list_comprehension':
      return { kind: 'array' };
    case 'dictionary_comprehension':
      return { kind: 'object' };
    case 'dictionary': {
      const keys: string[] = [];
      for (const entry of node.namedChildren) {
        if (entry.type === 'comment') continue;
        const key = entry.type === 'pair' ? entry.childForFieldName('key') : null;
        const name = key?.type === 'string' ? stringLiteral(key) : undefined;
        if (name === undefined) return { kind: 'object' };
        keys.push(name);
      }
      return { kind: 'object', keys: keys.sort() };
    }
    default:
      return undefined;
  }
}

/**
 * The parameter names a key expression stands for: a string literal, or a loop variable over a
 * literal list (`for p in ('minx', 'maxx'): data.get(p)`, also through a local
 * `names = [...]`). Undefined when the names cannot be known.
 */
function keyNames(key: SyntaxNode, body: SyntaxNode): string[] | undefined {
  if (key.type === 'string') {
    const s = stringLiteral(key);
    return s === undefined ? undefined : [s];
  }
  if (key.type !== 'identifier') return undefined;
  for (let p = key.parent; p && p.id !== body.id; p = p.parent) {
    if (p.type !== 'for_statement' && p.type !== 'list_comprehension' && p.type !== 'generator_expression') continue;
    const loop = p.type === 'for_statement' ? p : p.namedChildren.find((c) => c.type === 'for_in_clause');
    if (loop?.childForFieldName('left')?.text !== key.text) continue;
    const right = loop.childForFieldName('right');
    return right ? literalStrings(right, body) : undefined;
  }
  return undefined;
}

/** The strings of a literal list/tuple/set, or of a local name assigned one in the function body. */
function literalStrings(node: SyntaxNode, body: SyntaxNode): string[] | undefined {
  if (node.type === 'identifier') {
    for (const stmt of body.namedChildren) {
      const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      if (a?.type === 'assignment' && a.childForFieldName('left')?.text === node.text) {
        const right = a.childForFieldName('right');
        return right && right.type !== 'identifier' ? literalStrings(right, body) : undefined;
      }
    }
    return undefined;
  }
  if (!['list', 'tuple', 'set', 'parenthesized_expression'].includes(node.type)) return undefined;
  const items = node.type === 'parenthesized_expression' ? node.namedChildren[0] ? [node.namedChildren[0]] : [] : node.namedChildren;
  const out: string[] = [];
  for (const item of items) {
    const s = item.type === 'string' ? stringLiteral(item) : undefined;
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}

/** Reads of one key from each of the dictionaries an expression may be. */
function addReads(
  facts: FunctionFacts,
  sources: DictSource[],
  branchOf: (node: SyntaxNode) => string[] | undefined,
  read: Omit<RequestRead, 'dict' | 'line'>,
  node: SyntaxNode,
): void {
  const branch = branchOf(node);
  const target = assignmentTarget(node);
  for (const s of sources) {
    const methods = s.methods ?? branch;
    const fact: RequestRead = { ...read, dict: s.dict, line: lineOf(node), ...(methods ? { methods } : {}) };
    facts.reads.push(fact);
    if (target !== undefined) readTargets.set(fact, target);
  }
}

/** Receivers that are Django managers or querysets: `Model.objects…`, `….filter(…)`, `x.user_set`. */
const QUERYSET = /\bobjects\b|\.(filter|exclude|all|select_related|prefetch_related)\(|\.\w+_set$/;
/** Related managers whose add/remove/set/clear change membership tables. */
const RELATED_MANAGER = /\.(\w+_set|groups|user_permissions)$/;

/**
 * A Django model write, or undefined for a call of the same name that is not one: `x.save()` and
 * `x.delete()` without positional arguments (not `image.save(buffer, 'PNG')`), create/update on a
 * manager or queryset (not `dict.update(…)`), add/remove/set/clear on a related manager.
 */
function modelWrite(object: SyntaxNode, method: string, args: SyntaxNode): string | undefined {
  const positional = args.namedChildren.filter((a) => a.type !== 'comment' && a.type !== 'keyword_argument' && a.type !== 'dictionary_splat');
  const receiver = object.text.replace(/\s+/g, '');
  const shown = abbreviateArguments(receiver);
  switch (method) {
    case 'save':
    case 'delete':
      return positional.length === 0 ? `${shown}.${method}()` : undefined;
    case 'add':
    case 'remove':
    case 'set':
    case 'clear':
      return RELATED_MANAGER.test(receiver) ? `${shown}.${method}()` : undefined;
    default:
      return QUERYSET.test(receiver) ? `${shown}.${method}()` : undefined;
  }
}

/** `A.objects.filter(x=f(1)).all()` as `A.objects.filter(…).all()`: the receiver without its arguments. */
function abbreviateArguments(text: string): string {
  let out = text;
  for (let previous = ''; previous !== out; ) {
    previous = out;
    out = out.replace(/\((?:[^()]|\(…\))+\)/g, (m) => (m === '(…)' ? m : '(…)'));
  }
  return out;
}

function addChange(facts: FunctionFacts, evidence: string, node: SyntaxNode, branchOf: (node: SyntaxNode) => string[] | undefined): void {
  const methods = branchOf(node);
  facts.changes.push({ evidence, line: lineOf(node), ...(methods ? { methods } : {}) });
}

/** The variable a read is assigned to (`x = int(request.POST.get('k', 0))`), for guards that follow. */
const readTargets = new WeakMap<RequestRead, string>();

/** Expressions a read may sit in and still be the value assigned: conversions, defaults, parentheses. */
const WRAPPING = new Set(['call', 'argument_list', 'parenthesized_expression', 'conditional_expression', 'boolean_operator']);

function assignmentTarget(node: SyntaxNode): string | undefined {
  let at = node;
  while (at.parent && WRAPPING.has(at.parent.type)) at = at.parent;
  const parent = at.parent;
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== at.id) return undefined;
  const left = parent.childForFieldName('left');
  return left?.type === 'identifier' ? left.text : undefined;
}

/**
 * The request dictionaries an expression denotes: `request.POST`, an alias of one,
 * `request.POST if request.method == 'POST' else request.GET`, `request.POST.copy()`; else undefined.
 */
function dictSources(expr: SyntaxNode, requestNames: ReadonlySet<string>, aliases: ReadonlyMap<string, DictSource[]>): DictSource[] | undefined {
  switch (expr.type) {
    case 'identifier':
      return aliases.get(expr.text);
    case 'attribute': {
      const object = expr.childForFieldName('object');
      const attr = expr.childForFieldName('attribute')?.text as RequestDict | undefined;
      if (object?.type === 'identifier' && requestNames.has(object.text) && attr && DICTS.has(attr)) return [{ dict: attr }];
      return undefined;
    }
    case 'parenthesized_expression':
      return expr.namedChildren[0] ? dictSources(expr.namedChildren[0], requestNames, aliases) : undefined;
    case 'call': {
      // request.POST.copy(), dict(request.POST)
      const fn = expr.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'copy') {
        return dictSources(fn.childForFieldName('object')!, requestNames, aliases);
      }
      const first = expr.childForFieldName('arguments')?.namedChildren[0];
      if (fn?.type === 'identifier' && fn.text === 'dict' && first) return dictSources(first, requestNames, aliases);
      return undefined;
    }
    case 'conditional_expression': {
      const [whenTrue, condition, whenFalse] = expr.namedChildren;
      if (!whenTrue || !condition || !whenFalse) return undefined;
      const a = dictSources(whenTrue, requestNames, aliases);
      const b = dictSources(whenFalse, requestNames, aliases);
      if (!a && !b) return undefined;
      const methods = methodComparison(condition, requestNames);
      const negated = methods ? [...HTTP_METHODS].filter((x) => !methods.includes(x)) : undefined;
      return [
        ...(a ?? []).map((s) => ({ ...s, ...(methods ? { methods } : {}) })),
        ...(b ?? []).map((s) => ({ ...s, ...(negated ? { methods: negated } : {}) })),
      ];
    }
    default:
      return undefined;
  }
}

/** `request.method == 'POST'` → ['POST']; `request.method in ('GET', 'POST')` → both; else undefined. */
function methodComparison(node: SyntaxNode, requestNames: ReadonlySet<string>): string[] | undefined {
  if (node.type !== 'comparison_operator') return undefined;
  const [left, right] = node.namedChildren;
  const op = node.children.find((c) => !c.isNamed)?.type;
  const isMethod = (n: SyntaxNode | undefined) =>
    n?.type === 'attribute' && n.childForFieldName('attribute')?.text === 'method' && requestNames.has(n.childForFieldName('object')?.text ?? '');
  const other = isMethod(left) ? right : isMethod(right) ? left : undefined;
  if (!other || !op) return undefined;
  const literals = (other.type === 'string' ? [other] : other.type === 'tuple' || other.type === 'list' || other.type === 'set' ? other.namedChildren : [])
    .map(stringLiteral)
    .filter((s): s is string => !!s && HTTP_METHODS.has(s.toUpperCase()))
    .map((s) => s.toUpperCase());
  if (literals.length === 0) return undefined;
  if (op === '==' || op === 'in') return literals;
  if (op === '!=' || op === 'not in') return [...HTTP_METHODS].filter((x) => !literals.includes(x));
  return undefined;
}

/** Type of a read from the literal default it falls back to. */
function typeFromDefault(v: Value | undefined): Partial<RequestRead> {
  if (!v) return {};
  switch (v.kind) {
    case 'num':
      return { type: Number.isInteger(v.value) ? 'integer' : 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'str':
      return { type: 'string' };
    case 'seq':
      return { type: 'array' };
    case 'dict':
      return { type: 'object' };
    default:
      return {};
  }
}

function defaultOf(v: Value): { default?: JsonValue } {
  if (v.kind === 'none' || v.kind === 'unknown' || v.kind === 'ref' || v.kind === 'call') return {};
  const json = toJson(v);
  return json === null ? {} : { default: json };
}

/** `int(request.GET.get('k'))`, `float(...)`, `bool(...)`, `json.loads(...)`: the type the code converts to. */
function typeFromWrapper(node: SyntaxNode): Partial<RequestRead> {
  const args = node.parent;
  const call = args?.type === 'argument_list' ? args.parent : undefined;
  if (call?.type !== 'call' || args?.namedChildren[0]?.id !== node.id) return {};
  const fn = call.childForFieldName('function')?.text;
  if (fn === 'int') return { type: 'integer' };
  if (fn === 'float') return { type: 'number' };
  if (fn === 'bool') return { type: 'boolean' };
  if (fn === 'str') return { type: 'string' };
  if (fn === 'json.loads' || fn === 'ujson.loads') return { type: 'object' };
  return {};
}

const MAP_FN_TYPES: Record<string, ValueType> = { int: 'integer', float: 'number', str: 'string', bool: 'boolean' };

/** CATMAID's `get_request_list(d, 'k', default, map_fn=int)` and `get_request_bool(d, 'k', default)`. */
function catmaidHelperRead(fnName: string, key: string, args: SyntaxNode[], env: Env): Omit<RequestRead, 'dict' | 'line'> {
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

/** Facts of a class: bases through the module's imports, methods with their decorators, docstring. */
export function readClassFacts(def: SyntaxNode, env: Env): ClassFacts {
  const name = def.childForFieldName('name')?.text ?? '?';
  const bases: string[] = [];
  for (const b of def.childForFieldName('superclasses')?.namedChildren ?? []) {
    if (b.type === 'keyword_argument' || b.type === 'comment') continue;
    const v = evaluate(b, env, evalCtx);
    if (v.kind === 'ref') bases.push(v.qname);
  }
  const methods = new Map<string, { node: SyntaxNode; decorators: DecoratorFact[] }>();
  let httpMethodNames: string[] | undefined;
  for (const stmt of def.childForFieldName('body')?.namedChildren ?? []) {
    const fn = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (fn?.type === 'function_definition') {
      const n = fn.childForFieldName('name')?.text;
      if (n) methods.set(n, { node: fn, decorators: decoratorsOf(fn, env) });
    } else if (stmt.type === 'expression_statement' && stmt.namedChildren[0]?.type === 'assignment') {
      const a = stmt.namedChildren[0];
      if (a.childForFieldName('left')?.text === 'http_method_names') {
        const v = evaluate(a.childForFieldName('right')!, env, evalCtx);
        if (v.kind === 'seq') httpMethodNames = v.items.filter((i) => i.kind === 'str').map((i) => (i as { value: string }).value.toUpperCase());
      }
    }
  }
  const doc = docstringOf(def);
  return { name, line: lineOf(def), bases, ...(doc ? { docstring: doc } : {}), methods, decorators: decoratorsOf(def, env), ...(httpMethodNames ? { httpMethodNames } : {}) };
}
