/**
 * The facts of one function body — a view, a class view's handler, or a helper a view hands its
 * request to — read in one pass of `view-body.scm` over the body: request reads, calls that pass
 * request values on, loops over whole dictionaries, `request.method` tests, guards, what changes
 * data and what is returned. Reads are relative to the function's own parameters
 * ({@link Origin}), so the facts of a function are read once and serve every call of it; the
 * model binds them (generator/model/request-flow.ts).
 *
 * Consumes: a function definition node, its module's environment and module-level assignments.
 * Produces: {@link FunctionFacts}, plain data with lines.
 */
import type { Env } from './evaluate.js';
import { guardedNames, type Guard } from './guards.js';
import { assignmentLookup, type AssignmentLookup } from './literals.js';
import { readMethodTests, type MethodTest } from './method-tests.js';
import { originsOf, type Origin } from './origins.js';
import { query, type SyntaxNode } from './parser.js';
import { functionChange, methodChange, sqlWrites, type DataChange } from './data-changes.js';
import { readForwardingCall, readValueCall, type ForwardingCall, type ValueCall } from './handed-values.js';
import {
  CATMAID_READERS,
  readCall,
  readCatmaidReader,
  readLoop,
  readMembership,
  readPrefix,
  readSubscript,
  type ReadContext,
  type SymbolicRead,
  type WholeDictRead,
} from './request-reads.js';
import { merge, SHAPE_BUDGET, shapeOf, type ShapeScope } from './json-shapes.js';
import { localValues, type LocalValues } from './local-values.js';
import { readReturn, readReturnedVariable, type ReturnFact } from './returns.js';
import type { JsonSchema } from '../model/types.js';

/** A parameter of a function's signature. */
export interface SignatureParam {
  name: string;
  /** `positional` (or keyword), `varargs` for `*args`, `kwargs` for `**kwargs`, `keyword-only` after a bare `*`. */
  kind: 'positional' | 'varargs' | 'kwargs' | 'keyword-only';
  annotation?: string;
  hasDefault: boolean;
}

export interface FunctionFacts {
  name: string;
  line: number;
  signature: SignatureParam[];
  reads: SymbolicRead[];
  /** Loops over whole dictionaries whose keys cannot be named. */
  wholeDicts: WholeDictRead[];
  /** `request.method` tests: which methods have a block of their own. */
  methodTests: MethodTest[];
  /** Methods no test names still run code (see method-tests.ts); with why, where there are tests. */
  otherMethods: boolean;
  otherEvidence?: { text: string; line: number };
  /** Variables guards refuse to go without, at the top of the function or of a method block. */
  guards: Guard[];
  /** The variable each read (by index in `reads`) is assigned to, where it is. */
  readTargets: Array<string | null>;
  returns: ReturnFact[];
  /** Code that changes data. */
  changes: DataChange[];
}

const lineOf = (n: SyntaxNode) => n.startPosition.row + 1;

/** The parameters of a function's signature, in order, with their kinds and annotations. */
export function signatureOf(def: SyntaxNode): SignatureParam[] {
  const out: SignatureParam[] = [];
  let keywordOnly = false;
  for (const p of def.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p.type === 'keyword_separator') {
      keywordOnly = true;
      continue;
    }
    const kind: SignatureParam['kind'] = p.type === 'list_splat_pattern' ? 'varargs' : p.type === 'dictionary_splat_pattern' ? 'kwargs' : keywordOnly ? 'keyword-only' : 'positional';
    if (kind === 'varargs') keywordOnly = true;
    const nameNode = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier');
    if (!nameNode || nameNode.type !== 'identifier') continue;
    const annotation = p.childForFieldName('type')?.text;
    out.push({ name: nameNode.text, kind, ...(annotation ? { annotation } : {}), hasDefault: p.type.includes('default') });
  }
  return out;
}

/**
 * Reads the facts of a function body in one query pass. `moduleAssignment` finds module-level
 * assignments (collections that loops run over).
 */
export function readFunctionFacts(def: SyntaxNode, env: Env, moduleAssignment: AssignmentLookup): FunctionFacts {
  const signature = signatureOf(def);
  const facts: FunctionFacts = {
    name: def.childForFieldName('name')?.text ?? '?',
    line: lineOf(def),
    signature,
    reads: [],
    wholeDicts: [],
    methodTests: [],
    otherMethods: true,
    guards: [],
    readTargets: [],
    returns: [],
    changes: [],
  };
  const body = def.childForFieldName('body');
  if (!body) return facts;

  // One pass of the query; matches sorted into what each later step needs.
  const byKind = new Map<string, Match[]>();
  for (const m of query('view-body').matches(body)) {
    const main = m.captures.find((c) => MAIN_CAPTURES.has(c.name));
    if (!main) continue;
    const list = byKind.get(main.name) ?? [];
    list.push({ node: main.node, capture: (name) => m.captures.find((c) => c.name === name)?.node });
    byKind.set(main.name, list);
  }
  const all = (kind: string) => byKind.get(kind) ?? [];
  // Calls by what they call: the method or function name, read once; their receivers and
  // arguments come with the match.
  const methodCalls = all('method.call').map((m) => ({ ...m, name: m.capture('method.name')!.text, object: m.capture('method.object')!, args: m.capture('method.args')! }));
  const functionCalls = all('function.call').map((m) => ({ ...m, name: m.capture('function.name')!.text, args: m.capture('function.args')! }));

  const params = new Set(signature.map((p) => p.name));
  const tests = readMethodTests(body, all('comparison').map((m) => m.node), { params });
  facts.methodTests = tests.tests;
  facts.otherMethods = tests.otherMethods;
  if (tests.otherEvidence) facts.otherEvidence = tests.otherEvidence;

  // Aliases first: `data = request.POST` anywhere in the body counts for every read of `data`.
  // Assignments in `request.method` blocks add up: `if GET: data = request.GET` /
  // `elif POST: data = request.POST` makes `data` the query for GET and the form for POST.
  const aliases = new Map<string, Origin[]>();
  const scope = { params, aliases };
  const aliasSites = [
    ...all('alias').map((m) => ({ assignment: m.node, name: m.capture('alias.name')!.text, value: m.capture('alias.value')! })),
    // data = request.POST.copy(), data = request.POST.dict(), data = dict(request.POST)
    ...[...methodCalls.filter((c) => c.name === 'copy' || c.name === 'dict'), ...functionCalls.filter((c) => c.name === 'dict')].flatMap((c) => {
      const a = c.node.parent;
      const left = a?.type === 'assignment' && a.childForFieldName('right')?.id === c.node.id ? a.childForFieldName('left') : null;
      return left?.type === 'identifier' ? [{ assignment: a!, name: left.text, value: c.node }] : [];
    }),
  ].sort((x, y) => x.assignment.startIndex - y.assignment.startIndex);
  for (const site of aliasSites) {
    const origins = originsOf(site.value, scope);
    if (!origins) continue;
    const branch = tests.branchOf(site.assignment);
    const scoped = branch ? origins.map((s) => ({ ...s, methods: s.methods?.filter((x) => branch.includes(x)) ?? branch })) : origins;
    aliases.set(site.name, [...(aliases.get(site.name) ?? []), ...scoped]);
  }

  // Only what every call passes: at the top of the body or of a `request.method` block, also
  // inside a try or with block there.
  const topBlocks = new Set([body.id]);
  const isTopBlock = (block: SyntaxNode | null): boolean => {
    if (!block) return false;
    if (topBlocks.has(block.id)) return true;
    const owner = block.parent;
    if (!owner) return false;
    if ((owner.type === 'if_statement' || owner.type === 'elif_clause') && owner.childForFieldName('consequence')?.id === block.id) {
      return tests.tests.some((t) => t.line === lineOf(owner.childForFieldName('condition')!)) && isTopBlock(owner.parent?.type === 'if_statement' ? owner.parent.parent : owner.parent);
    }
    if ((owner.type === 'try_statement' || owner.type === 'with_statement') && owner.childForFieldName('body')?.id === block.id) return isTopBlock(owner.parent);
    return false;
  };
  const atTop = (node: SyntaxNode): boolean => {
    let stmt: SyntaxNode | null = node;
    while (stmt && stmt.parent && stmt.parent.type !== 'block' && stmt.parent.id !== body.id) stmt = stmt.parent;
    return !!stmt && isTopBlock(stmt.parent);
  };
  const prefixLoops = new Set<number>();
  const ctx: ReadContext = {
    body,
    scope,
    env,
    lookup: assignmentLookup(body, moduleAssignment),
    branchOf: tests.branchOf,
    prefixLoops,
    varargs: new Set(signature.filter((p) => p.kind === 'varargs').map((p) => p.name)),
    reads: facts.reads,
    wholeDicts: facts.wholeDicts,
    targets: new Map(),
    kwargConstants: new Map(signature.filter((p) => p.kind === 'kwargs').map((p) => [p.name, {}])),
    readsAt: new Map(),
    atTop,
    consumers: new Map(),
  };
  for (const c of methodCalls) {
    if (c.name !== 'startswith') continue;
    const object = c.object;
    const first = c.args.namedChildren[0];
    if (object.type !== 'identifier' || (first?.type !== 'string' && first?.type !== 'tuple')) continue;
    const loop = readPrefix(ctx, c.node, object, first);
    if (loop !== undefined) prefixLoops.add(loop);
  }
  for (const c of methodCalls) {
    if (c.name !== 'get' && c.name !== 'getlist' && c.name !== 'pop') continue;
    const object = c.object;
    const first = c.args.namedChildren[0];
    if ((object.type === 'attribute' || object.type === 'identifier') && (first?.type === 'string' || first?.type === 'identifier')) readCall(ctx, c.node, object, c.name, first);
  }
  for (const m of all('read.subscript')) readSubscript(ctx, m.node, m.capture('read.dict')!, m.capture('read.key')!);
  for (const m of all('comparison')) readMembership(ctx, m.node);
  // CATMAID's get_request_list/get_request_bool are reads; other calls are read when the model asks
  // which of them hand on a value (forwardingCallsOf, valueCallsOf): most hand on nothing.
  for (const c of [...methodCalls, ...functionCalls]) {
    if (CATMAID_READERS.has(c.name)) readCatmaidReader(ctx, c.node, c.name, c.args);
  }
  for (const m of all('all')) readLoop(ctx, m.node, m.capture('all.iterable')!, m.capture('all.dict'));
  facts.readTargets = facts.reads.map((r) => ctx.targets.get(r) ?? null);
  // After the subscripts: `kwargs['format'] = 'swc'` is known before `f(**kwargs)` is read.
  const calls = [...methodCalls, ...functionCalls].map((c) => c.node);
  lazyCalls.set(facts, { ctx, calls, texts: undefined, forwarding: new Map(), values: new Map() });

  const guardsByName = new Map<string, Guard>();
  for (const m of all('guard')) {
    if (!isTopBlock(m.node.parent)) continue;
    const condition = m.capture('guard.condition')!;
    for (const name of guardedNames(condition)) {
      if (!guardsByName.has(name)) guardsByName.set(name, { name, line: lineOf(m.node), text: `if ${condition.text.replace(/\s+/g, ' ')}: raise` });
    }
  }
  facts.guards = [...guardsByName.values()];
  for (const read of facts.reads) {
    const target = ctx.targets.get(read);
    const guard = target !== undefined ? guardsByName.get(target) : undefined;
    // A boolean is guarded for being true, not for being there.
    if (guard && read.type !== 'boolean' && !read.required) {
      read.required = true;
      read.requiredBy = { kind: 'guard', text: guard.text, line: guard.line };
    }
  }

  // What changes data, from the calls' names.
  for (const c of methodCalls) {
    const change = methodChange(c.name, c.object, c.args, c.node);
    if (change) addChange(facts, change, c.node, tests.branchOf);
  }
  for (const c of functionCalls) {
    const change = functionChange(c.name, c.args);
    if (change) addChange(facts, change.evidence, c.node, tests.branchOf, change.helper);
  }
  for (const sql of sqlWrites(body)) addChange(facts, sql.evidence, sql.node, tests.branchOf);
  facts.changes.sort((a, b) => a.line - b.line);

  // `if format == 'swc':` above a return: only looked for where the body compares a parameter so.
  const tested = params.size && new RegExp(`\\b(?:${[...params].join('|')})\\s*==\\s*['"]`).test(body.text) ? params : new Set<string>();
  let bodyText: string | undefined;
  // The names of the body, for the shapes of JSON answers: read once, when the first is.
  let locals: LocalValues | undefined;
  const shapes = (): ShapeScope => ({ locals: (locals ??= localValues(body)), budget: { nodes: SHAPE_BUDGET } });
  const returnValues: Array<{ node: SyntaxNode; at: number }> = [];
  for (const m of all('return')) {
    const value = m.capture('return.value')!;
    if (value.type !== 'call' && value.type !== 'identifier') {
      returnValues.push({ node: value, at: m.node.startIndex });
      continue;
    }
    // `return response`: read where the body assigns that name a response (`response =
    // HttpResponse(…)`); where it assigns it another call's result, what is returned is not known.
    if (value.type === 'identifier' && !responseAssigned(value.text).test((bodyText ??= body.text))) {
      returnValues.push({ node: value, at: m.node.startIndex });
      if (new RegExp(`\\b${value.text}\\s*=\\s*[\\w.]+\\(`).test(bodyText)) facts.returns.push({ constructor: '?', callee: '?', line: lineOf(m.node) });
      continue;
    }
    const r = value.type === 'call' ? readReturn(m.node, tested, shapes) : readReturnedVariable(m.node, value, body, tested, shapes);
    const methods = r ? tests.branchOf(m.node) : undefined;
    if (r) facts.returns.push(methods ? { ...r, methods } : r);
    if (value.type === 'call' && !r?.schema) returnValues.push({ node: value, at: m.node.startIndex });
  }
  lazyReturns.set(facts, { values: returnValues, shapes, shape: undefined });
  facts.returns.sort((a, b) => a.line - b.line);
  return facts;
}

/** One match of view-body.scm: its main node and its other captures by name. */
interface Match {
  node: SyntaxNode;
  capture: (name: string) => SyntaxNode | undefined;
}

/** The capture naming the whole match in each pattern of view-body.scm. */
const MAIN_CAPTURES = new Set(['method.call', 'function.call', 'read.subscript', 'comparison', 'all', 'alias', 'return', 'guard']);

/** The values a function returns (`return {…}`, `return result`), for callers that answer them. */
interface LazyReturns {
  values: Array<{ node: SyntaxNode; at: number }>;
  shapes: () => ShapeScope;
  shape: JsonSchema | null | undefined;
}
const lazyReturns = new WeakMap<FunctionFacts, LazyReturns>();

/**
 * What a function returns as JSON would show it (the merged shapes of its `return` values), with
 * calls of other functions as `{ $call }` placeholders; null when it returns nothing readable.
 * Read on first use: most functions are never asked.
 */
export function returnedShapeOf(facts: FunctionFacts): JsonSchema | null {
  const lazy = lazyReturns.get(facts);
  if (!lazy) return null;
  if (lazy.shape === undefined) {
    const shapes = lazy.values.map((v) => shapeOf(v.node, lazy.shapes(), v.at));
    lazy.shape = shapes.length ? shapes.reduce(merge) : null;
  }
  return lazy.shape;
}

/** The calls of a body, read when the model asks about them (see {@link forwardingCallsOf}). */
interface LazyCalls {
  ctx: ReadContext;
  calls: SyntaxNode[];
  /** The calls' texts, read on first use. */
  texts: string[] | undefined;
  forwarding: Map<string, ForwardingCall[]>;
  values: Map<string, ValueCall[]>;
}
const lazyCalls = new WeakMap<FunctionFacts, LazyCalls>();

/**
 * The calls of a function that hand on values of the given parameters (or of aliases of them):
 * `helper(request)`, `helper(project_id, request.POST)`, `f(*args, **kwargs)`. Read on first use,
 * per set of parameters, from the calls whose text names one of them.
 */
export function forwardingCallsOf(facts: FunctionFacts, params: Iterable<string>): ForwardingCall[] {
  return onDemand(facts, (lazy) => lazy.forwarding, params, (lazy, bound) => {
    const names = [...bound, ...[...lazy.ctx.scope.aliases].filter(([, origins]) => origins.some((o) => bound.includes(o.param))).map(([name]) => name)];
    const carrying = wordsOf(names);
    const texts = (lazy.texts ??= lazy.calls.map((c) => c.text));
    return lazy.calls.flatMap((c, i) => {
      if (!carrying.test(texts[i]!)) return [];
      const call = readForwardingCall(lazy.ctx, c);
      return call ? [call] : [];
    });
  });
}

/** What `compute` finds for a set of names, kept per function (in the `cache` of its calls) and set. */
function onDemand<T>(facts: FunctionFacts, cache: (lazy: LazyCalls) => Map<string, T[]>, names: Iterable<string>, compute: (lazy: LazyCalls, names: string[]) => T[]): T[] {
  const lazy = lazyCalls.get(facts);
  if (!lazy) return [];
  const sorted = [...new Set(names)].sort();
  const key = sorted.join(',');
  let found = cache(lazy).get(key);
  if (!found) {
    found = compute(lazy, sorted);
    cache(lazy).set(key, found);
  }
  return found;
}

/**
 * The calls at the top of a function handed a read directly, or one of the given names
 * (parameters, or variables a read was assigned to): what a callee refuses to go without, the
 * caller does too.
 */
export function valueCallsOf(facts: FunctionFacts, names: Iterable<string>, follows: (callee: string) => boolean = () => true): ValueCall[] {
  return onDemand(facts, (lazy) => lazy.values, names, (lazy, wanted) => {
    const handing = wordsOf(wanted);
    const candidates = new Map(lazy.ctx.consumers);
    if (wanted.length) {
      const texts = (lazy.texts ??= lazy.calls.map((c) => c.text));
      lazy.calls.forEach((c, i) => {
        if (handing.test(texts[i]!)) candidates.set(c.id, c);
      });
    }
    // Only calls of functions the model can look into (`follows`: the same for every call of one
    // function's facts, so the answer can be kept per set of names).
    return [...candidates.values()]
      .filter((node) => follows(node.childForFieldName('function')!.text))
      .sort((a, b) => a.startIndex - b.startIndex)
      .flatMap((node) => {
        const vc = readValueCall(lazy.ctx, node);
        return vc ? [vc] : [];
      });
  });
}

/** `name = JsonResponse(`, `name = HttpResponse(`, `name = render(`…: a response set up in a variable. */
function responseAssigned(name: string): RegExp {
  return new RegExp(`\\b${name}\\s*=\\s*(?:[\\w.]+\\.)?(?:JsonResponse|Response|HttpResponse\\w*|FileResponse|StreamingHttpResponse|TemplateResponse|render|render_to_response|redirect)\\s*\\(`);
}

/** A regex matching any of the names as a whole word (never matching when there are none). */
function wordsOf(names: string[]): RegExp {
  return names.length ? new RegExp(`\\b(?:${[...new Set(names)].join('|')})\\b`) : /(?!)/;
}

function addChange(facts: FunctionFacts, evidence: string, node: SyntaxNode, branchOf: (node: SyntaxNode) => string[] | undefined, helper?: string): void {
  const methods = branchOf(node);
  facts.changes.push({ evidence, line: lineOf(node), ...(methods ? { methods } : {}), ...(helper ? { helper } : {}) });
}
