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
import { fileWrite, modelWrite, sqlWrite, type DataChange } from './data-changes.js';
import { readCall, readCallOf, readLoop, readMembership, readPrefix, readSubscript, readValueCall, type ForwardingCall, type ReadContext, type SymbolicRead, type ValueCall, type WholeDictRead } from './request-reads.js';
import { readReturn, readReturnedVariable, type ReturnFact } from './returns.js';

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
  calls: ForwardingCall[];
  /** Loops over whole dictionaries whose keys cannot be named. */
  wholeDicts: WholeDictRead[];
  /** `request.method` tests: which methods have a block of their own. */
  methodTests: MethodTest[];
  /** Methods no test names still run code (see method-tests.ts); with why, where there are tests. */
  otherMethods: boolean;
  otherEvidence?: { text: string; line: number };
  /** Variables guards refuse to go without, at the top of the function or of a method block. */
  guards: Guard[];
  /** Calls at the top of the function handed values (reads, parameters, variables), for guards in callees. */
  valueCalls: ValueCall[];
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
    calls: [],
    wholeDicts: [],
    methodTests: [],
    otherMethods: true,
    guards: [],
    valueCalls: [],
    readTargets: [],
    returns: [],
    changes: [],
  };
  const body = def.childForFieldName('body');
  if (!body) return facts;

  // One pass of the query; matches sorted into what each later step needs.
  const byKind = new Map<string, Array<{ node: SyntaxNode; capture: (name: string) => SyntaxNode | undefined }>>();
  const seen = new Set<string>();
  for (const m of query('view-body').matches(body)) {
    const main = m.captures.find((c) => MAIN_CAPTURES.has(c.name));
    if (!main) continue;
    // An unanchored child pattern (`@call`) can match one node several times.
    const key = `${main.name}:${main.node.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = byKind.get(main.name) ?? [];
    list.push({ node: main.node, capture: (name) => m.captures.find((c) => c.name === name)?.node });
    byKind.set(main.name, list);
  }
  const all = (kind: string) => byKind.get(kind) ?? [];

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
  for (const m of all('alias')) {
    const name = m.capture('alias.name')!.text;
    const origins = originsOf(m.capture('alias.value')!, scope);
    if (!origins) continue;
    const branch = tests.branchOf(m.node);
    const scoped = branch ? origins.map((s) => ({ ...s, methods: s.methods?.filter((x) => branch.includes(x)) ?? branch })) : origins;
    aliases.set(name, [...(aliases.get(name) ?? []), ...scoped]);
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
    calls: facts.calls,
    wholeDicts: facts.wholeDicts,
    targets: new Map(),
    kwargConstants: new Map(signature.filter((p) => p.kind === 'kwargs').map((p) => [p.name, {}])),
    readsAt: new Map(),
    atTop,
  };
  for (const m of all('prefix')) {
    const loop = readPrefix(ctx, m.node, m.capture('prefix.var')!, m.capture('prefix.arg')!);
    if (loop !== undefined) prefixLoops.add(loop);
  }
  for (const m of all('read.call')) readCall(ctx, m.node, m.capture('read.dict')!, m.capture('read.accessor')!.text, m.capture('read.key')!);
  for (const m of all('read.subscript')) readSubscript(ctx, m.node, m.capture('read.dict')!, m.capture('read.key')!);
  for (const m of all('comparison')) readMembership(ctx, m.node);
  // After the subscripts: `kwargs['format'] = 'swc'` is known before `f(**kwargs)` is read.
  for (const m of all('call')) readCallOf(ctx, m.node);
  for (const m of all('all')) readLoop(ctx, m.node, m.capture('all.iterable')!, m.capture('all.dict'));

  for (const m of all('call')) {
    const vc = readValueCall(ctx, m.node, atTop);
    if (vc) facts.valueCalls.push(vc);
  }
  facts.readTargets = facts.reads.map((r) => ctx.targets.get(r) ?? null);

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

  for (const m of all('write')) {
    const change = modelWrite(m.capture('write.object')!, m.capture('write.method')!.text, m.capture('write.args')!);
    if (change) addChange(facts, change, m.node, tests.branchOf);
  }
  for (const m of all('write.helper')) {
    const name = m.capture('write.function')!.text;
    addChange(facts, `${name}()`, m.node, tests.branchOf, name);
  }
  for (const m of all('write.file')) {
    const change = fileWrite(m.capture('write.opener')!, m.capture('write.mode')!);
    if (change) addChange(facts, change, m.node, tests.branchOf);
  }
  for (const m of all('write.string')) addChange(facts, sqlWrite(m.capture('write.sql')!), m.node, tests.branchOf);
  for (const m of all('write.auth')) addChange(facts, `${m.capture('write.session')!.text}() (the session)`, m.node, tests.branchOf);
  for (const m of all('write.queue')) addChange(facts, `${m.node.childForFieldName('function')!.text}() (a queued task)`, m.node, tests.branchOf);
  facts.changes.sort((a, b) => a.line - b.line);

  for (const m of all('return')) {
    const r = readReturn(m.node, params);
    if (r) facts.returns.push(r);
  }
  for (const m of all('return.variable')) {
    const r = readReturnedVariable(m.node, m.capture('return.name')!, body, params);
    if (r) facts.returns.push(r);
  }
  facts.returns.sort((a, b) => a.line - b.line);
  return facts;
}

/** The capture naming the whole match in each pattern of view-body.scm. */
const MAIN_CAPTURES = new Set([
  'read.call',
  'read.subscript',
  'comparison',
  'call',
  'alias',
  'return',
  'return.variable',
  'all',
  'prefix',
  'guard',
  'write',
  'write.helper',
  'write.file',
  'write.auth',
  'write.queue',
  'write.string',
]);

function addChange(facts: FunctionFacts, evidence: string, node: SyntaxNode, branchOf: (node: SyntaxNode) => string[] | undefined, helper?: string): void {
  const methods = branchOf(node);
  facts.changes.push({ evidence, line: lineOf(node), ...(methods ? { methods } : {}), ...(helper ? { helper } : {}) });
}
