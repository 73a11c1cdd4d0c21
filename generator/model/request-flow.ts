/**
 * Follows a view's request into the functions it hands request values to — in its own module or
 * any other module of the tree, positionally, by keyword or through `*args`/`**kwargs`
 * (`skeleton_swc(*args, **kwargs)` → `export_skeleton_response(request, …)`), several calls deep,
 * never around a cycle — and binds each function's reads, which are relative to its own
 * parameters, to the request dictionaries they reach on the wire.
 *
 * Consumes: {@link FunctionFacts} (read once per function, cached here) and the
 * {@link ModuleIndex}. Produces: {@link Flow}s — reads, whole-dictionary loops, data changes and
 * returns of a view with everything it reaches.
 */
import type { Env } from '../parse/evaluate.js';
import { forwardingCallsOf, readFunctionFacts, valueCallsOf, type FunctionFacts, type SignatureParam } from '../parse/function-facts.js';
import type { ModuleFacts } from '../parse/module.js';
import type { Origin, RequestDict } from '../parse/origins.js';
import type { SyntaxNode } from '../parse/parser.js';
import type { ForwardingCall } from '../parse/handed-values.js';
import { CATMAID_READERS, type SymbolicRead } from '../parse/request-reads.js';
import type { ReturnFact } from '../parse/returns.js';
import type { DataChange } from '../parse/data-changes.js';
import type { ModuleIndex } from './modules.js';
import { resolveName } from './resolve-name.js';

/** A read of a request parameter, bound to the request dictionary it reaches on the wire. */
export interface RequestRead extends Omit<SymbolicRead, 'origin' | 'requiredBy'> {
  dict: RequestDict;
  /** File of the function that reads it. */
  file: string;
  /** What makes it required, with its file. */
  requiredBy?: { kind: 'subscript' | 'guard' | 'conversion'; text: string; line: number; file: string };
  /** Functions the request went through to reach the read, outermost first. */
  via?: string[];
}

/** Everything a view's request reaches. */
export interface Flow {
  reads: RequestRead[];
  /** Loops over whole request dictionaries whose keys cannot be named. */
  wholeDicts: Array<{ dict: RequestDict; methods?: string[]; file: string; line: number }>;
  /** Code that changes data, in the function and in functions it hands the request to. */
  changes: Array<DataChange & { file: string; via?: string[] }>;
  /** What the function returns, with the returns of a function it returns the call of (`return helper(*args, **kwargs)`). */
  returns: Array<ReturnFact & { file: string }>;
  /**
   * Calls that take request values where they cannot be followed: a request dictionary handed to a
   * class, a serializer or an unknown callee; the request handed to something of the tree that is
   * not a function. What they read is not known, so "never read" cannot be said.
   */
  escapes: Array<{ callee: string; file: string; line: number; dicts: RequestDict[] }>;
}

/** What a parameter is bound to in one call. */
export type Binding =
  | { kind: 'request' }
  | { kind: 'dicts'; sources: Array<{ dict: RequestDict; methods?: string[] }> }
  | { kind: 'varargs'; items: Array<Binding | null> };

/** How deep calls are followed from the view. */
const MAX_DEPTH = 6;

/** Why a parameter of a function is required: the guard that refuses to go without it, and the calls to it. */
type Requirement = { text: string; line: number; file: string; via: string[] };

export class RequestFlow {
  private readonly facts = new Map<string, FunctionFacts>();
  private readonly flows = new Map<string, Flow>();
  private readonly required = new Map<string, Map<string, Requirement>>();

  constructor(
    private readonly modules: ModuleIndex,
    private readonly envOf: (facts: ModuleFacts) => Env,
  ) {}

  /** The facts of a function body, read once (keyed by file and position). */
  functionFacts(def: SyntaxNode, module: ModuleFacts): FunctionFacts {
    const key = `${module.file}:${def.startIndex}`;
    let facts = this.facts.get(key);
    if (!facts) {
      facts = readFunctionFacts(def, this.envOf(module), (name) => moduleAssignment(module, name));
      this.facts.set(key, facts);
    }
    return facts;
  }

  /**
   * The flow of a view whose request arrives as the parameter at `requestIndex` (0 for a function
   * view; 1 for a class view's handler, after `self`), also when that parameter is `*args`.
   */
  ofView(def: SyntaxNode, module: ModuleFacts, requestIndex: number): { facts: FunctionFacts; flow: Flow } {
    const facts = this.functionFacts(def, module);
    const bindings = new Map<string, Binding>();
    const positional = facts.signature.filter((p) => p.kind === 'positional');
    const at = positional[requestIndex];
    if (at) {
      bindings.set(at.name, { kind: 'request' });
    } else {
      const varargs = facts.signature.find((p) => p.kind === 'varargs');
      const offset = requestIndex - positional.length;
      if (varargs && offset >= 0) bindings.set(varargs.name, { kind: 'varargs', items: [...Array(offset).fill(null), { kind: 'request' }] });
    }
    const flow = this.resolve(facts, module, bindings, [`${module.file}:${def.startIndex}`]);
    return { facts, flow };
  }

  private resolve(facts: FunctionFacts, module: ModuleFacts, bindings: Map<string, Binding>, stack: string[]): Flow {
    const memo = `${stack[stack.length - 1]}|${bindingKey(bindings)}`;
    const cached = this.flows.get(memo);
    if (cached) return cached;
    const file = module.file;
    const flow: Flow = { reads: [], wholeDicts: [], changes: facts.changes.flatMap((c) => this.confirmed(c, module, stack)), returns: facts.returns.map((r) => ({ ...r, file })), escapes: [] };
    const copies = new Map<number, RequestRead[]>();
    facts.reads.forEach((read, index) => {
      for (const source of sourcesOf(read.origin, bindings)) {
        const methods = intersect(read.methods, source.methods);
        if (methods?.length === 0) continue;
        const { origin: _, requiredBy, methods: __, ...rest } = read;
        const copy: RequestRead = { ...rest, dict: source.dict, file, ...(requiredBy ? { requiredBy: { ...requiredBy, file } } : {}), ...(methods ? { methods } : {}) };
        flow.reads.push(copy);
        copies.set(index, [...(copies.get(index) ?? []), copy]);
      }
    });
    // A read handed at the top to a function that refuses to go without it
    // (`validate_state(ids, request.POST.get('state'))` → `parse_state`: `if not state: raise`).
    const readTargets = new Set(facts.readTargets.filter((t, i): t is string => t !== null && copies.has(i)));
    const valueCalls = copies.size ? valueCallsOf(facts, readTargets, (callee) => this.callee(callee, module) !== undefined) : [];
    for (const call of valueCalls) {
      // Only calls handed a read, or a variable a read was assigned to.
      if (!call.args.some((a) => ('read' in a ? copies.has(a.read) : readTargets.has(a.name)))) continue;
      const target = this.callee(call.callee, module);
      if (!target) continue;
      const id = `${target.module.file}:${target.def.startIndex}`;
      if (stack.includes(id) || stack.length > MAX_DEPTH) continue;
      const calleeFacts = this.functionFacts(target.def, target.module);
      const needs = this.requiredParams(calleeFacts, target.module, [...stack, id]);
      if (needs.size === 0) continue;
      const positional = calleeFacts.signature.filter((p) => p.kind === 'positional');
      for (const arg of call.args) {
        const param = arg.keyword ?? positional[arg.position!]?.name;
        const need = param !== undefined ? needs.get(param) : undefined;
        if (!need) continue;
        const indexes = 'read' in arg ? [arg.read] : facts.readTargets.flatMap((t, i) => (t === arg.name ? [i] : []));
        for (const i of indexes) {
          for (const copy of copies.get(i) ?? []) {
            if (copy.required || copy.type === 'boolean') continue;
            copy.required = true;
            copy.requiredBy = { kind: 'guard', text: `${need.text} in ${[call.callee, ...need.via].join(' → ')}`, line: need.line, file: need.file };
          }
        }
      }
    }
    for (const whole of facts.wholeDicts) {
      for (const source of sourcesOf(whole.origin, bindings)) {
        const methods = intersect(whole.methods, source.methods);
        if (methods?.length === 0) continue;
        flow.wholeDicts.push({ dict: source.dict, ...(methods ? { methods } : {}), file, line: whole.line });
      }
    }
    if (stack.length <= MAX_DEPTH) {
      for (const call of forwardingCallsOf(facts, bindings.keys())) this.follow(call, module, bindings, stack, flow);
    }
    this.flows.set(memo, flow);
    return flow;
  }

  /** Adds what a called function reads of the request values it is handed. */
  private follow(call: ForwardingCall, module: ModuleFacts, bindings: Map<string, Binding>, stack: string[], flow: Flow): void {
    const found = this.calleeOf(call.callee, module);
    if (found.kind !== 'function') {
      const dicts = found.kind === 'reader' ? undefined : escapes(call, bindings, found.kind);
      if (dicts) flow.escapes.push({ callee: call.callee, file: module.file, line: call.line, dicts });
      return;
    }
    const target = found;
    const id = `${target.module.file}:${target.def.startIndex}`;
    if (stack.includes(id)) return;
    const calleeFacts = this.functionFacts(target.def, target.module);
    const calleeBindings = bindCall(calleeFacts.signature, call, bindings);
    if (calleeBindings.size === 0) return;
    const sub = this.resolve(calleeFacts, target.module, calleeBindings, [...stack, id]);
    const name = call.callee;
    for (const r of sub.reads) {
      const methods = intersect(r.methods, call.methods);
      if (methods?.length === 0) continue;
      const { methods: _, ...rest } = r;
      flow.reads.push({ ...rest, via: [name, ...(r.via ?? [])], ...(methods ? { methods } : {}) });
    }
    for (const w of sub.wholeDicts) {
      const methods = intersect(w.methods, call.methods);
      if (methods?.length !== 0) flow.wholeDicts.push({ ...w, ...(methods ? { methods } : {}) });
    }
    flow.escapes.push(...sub.escapes);
    for (const c of sub.changes) {
      const methods = intersect(c.methods, call.methods);
      if (methods?.length !== 0) flow.changes.push({ ...c, via: [name, ...(c.via ?? [])], ...(methods ? { methods } : {}) });
    }
    // `return helper(…)`: what the helper returns is what the view returns.
    // Returns under `if format == 'json':` are left out when the call passes `format='swc'`.
    if (flow.returns.some((r) => r.callee === call.callee && r.line === call.line)) {
      const reached = sub.returns.filter((r) => !r.when?.some((w) => call.constants?.[w.param] !== undefined && call.constants[w.param] !== w.value));
      flow.returns = flow.returns.filter((r) => !(r.callee === call.callee && r.line === call.line)).concat(reached);
    }
  }

  /**
   * The parameters a function refuses to go without: guarded at its top (`if not state: raise`),
   * or handed at its top to a function that refuses to go without them.
   */
  private requiredParams(facts: FunctionFacts, module: ModuleFacts, stack: string[]): Map<string, Requirement> {
    const key = stack[stack.length - 1]!;
    const cached = this.required.get(key);
    if (cached) return cached;
    const params = new Set(facts.signature.map((p) => p.name));
    const out = new Map<string, Requirement>();
    this.required.set(key, out); // a cycle sees what is known so far
    for (const g of facts.guards) if (params.has(g.name)) out.set(g.name, { text: g.text, line: g.line, file: module.file, via: [] });
    if (stack.length <= MAX_DEPTH) {
      for (const call of valueCallsOf(facts, params, (callee) => this.callee(callee, module) !== undefined)) {
        if (!call.args.some((a) => 'name' in a && params.has(a.name))) continue;
        const target = this.callee(call.callee, module);
        if (!target) continue;
        const id = `${target.module.file}:${target.def.startIndex}`;
        if (stack.includes(id)) continue;
        const calleeFacts = this.functionFacts(target.def, target.module);
        const needs = this.requiredParams(calleeFacts, target.module, [...stack, id]);
        const positional = calleeFacts.signature.filter((p) => p.kind === 'positional');
        for (const arg of call.args) {
          if (!('name' in arg) || !params.has(arg.name) || out.has(arg.name)) continue;
          const need = needs.get(arg.keyword ?? positional[arg.position!]?.name ?? '');
          if (need) out.set(arg.name, { ...need, via: [call.callee, ...need.via] });
        }
      }
    }
    return out;
  }

  /**
   * A change as evidence: a call of a helper named for a write (`update_…()`) counts when the
   * helper is outside the tree, or when its own code (or a helper it calls) changes data; a
   * helper of the tree that changes nothing (`add_catalogue_info()` builds a list) does not.
   */
  private confirmed(change: DataChange, module: ModuleFacts, stack: string[]): Array<DataChange & { file: string }> {
    const { helper, ...rest } = change;
    if (!helper) return [{ ...rest, file: module.file }];
    const target = this.callee(helper, module);
    if (!target) return [{ ...rest, file: module.file }];
    const id = `${target.module.file}:${target.def.startIndex}`;
    if (stack.includes(id) || stack.length > MAX_DEPTH) return [];
    const inner = this.resolve(this.functionFacts(target.def, target.module), target.module, new Map(), [...stack, id]);
    const first = inner.changes[0];
    return first ? [{ ...rest, evidence: `${rest.evidence} → ${first.evidence}`, file: module.file }] : [];
  }

  /** The function a call's callee names: in the module, imported from another, or `module.function`. */
  /** The function of the tree a callee names (`helper`, `module.helper`), if it is one. */
  calleeFunction(callee: string, module: ModuleFacts): { def: SyntaxNode; module: ModuleFacts } | undefined {
    return this.callee(callee, module);
  }

  private callee(callee: string, module: ModuleFacts): { def: SyntaxNode; module: ModuleFacts } | undefined {
    const found = this.calleeOf(callee, module);
    return found.kind === 'function' ? found : undefined;
  }

  /**
   * What a callee names: a function of the tree (followed), something else of the tree (a class, a
   * variable), a name from outside the tree (Django, REST framework), or nothing known.
   */
  private calleeOf(callee: string, module: ModuleFacts): { kind: 'function'; def: SyntaxNode; module: ModuleFacts } | { kind: 'reader' | 'tree-other' | 'external' | 'unknown' } {
    const [head, ...rest] = callee.split('.');
    if (CATMAID_READERS.has(rest.length ? rest[rest.length - 1]! : head!)) return { kind: 'reader' };
    if (rest.length === 0) {
      const local = module.definitions.get(head!);
      if (local) return local.kind === 'function' ? { kind: 'function', def: local.node, module } : { kind: 'tree-other' };
    }
    const imported = module.imports.get(head!);
    if (!imported) return { kind: rest.length === 0 && BUILTINS.has(head!) ? 'external' : 'unknown' };
    // `Treenode(…)`, `RegisterForm(request.POST)`: a class by Python's naming convention, which
    // cannot be followed; no need to parse where it comes from to know that.
    if (/^[A-Z]/.test(rest.length ? rest[rest.length - 1]! : head!)) return { kind: this.modules.ownsPackageOf(imported) ? 'tree-other' : 'external' };
    // `Model.objects.get(…)`, `obj.method(…)`: an attribute of something imported that is not a
    // module cannot be followed; knowing that needs no parse of where it comes from.
    if (rest.length > 0 && !this.modules.get(imported)) return { kind: this.modules.ownsPackageOf(imported) ? 'tree-other' : 'external' };
    const resolved = resolveName(this.modules, [imported, ...rest].join('.'));
    if (resolved.kind === 'external') return { kind: 'external' };
    if (resolved.kind !== 'definition') return { kind: 'unknown' };
    if (resolved.definition.kind !== 'function') return { kind: 'tree-other' };
    const facts = this.modules.moduleFacts(resolved.module);
    return facts ? { kind: 'function', def: resolved.definition.node, module: facts } : { kind: 'unknown' };
  }
}

/** Python's builtins a request value may be handed to without anything being read by name. */
const BUILTINS = new Set(['dict', 'list', 'set', 'tuple', 'len', 'sorted', 'str', 'int', 'float', 'bool', 'print', 'iter', 'enumerate', 'zip', 'map', 'filter', 'any', 'all', 'isinstance', 'getattr', 'hasattr', 'repr', 'type']);

/**
 * True when a call the flow cannot follow may read request parameters: it takes a request
 * dictionary (a serializer's `data=request.data`, a class picked from a table), or the request
 * itself where the callee is of the tree or unknown (Django's own functions that take the request,
 * `render(request, …)`, do not read parameters by name).
 */
function escapes(call: ForwardingCall, bindings: Map<string, Binding>, kind: 'tree-other' | 'external' | 'unknown'): RequestDict[] | undefined {
  const args = [...call.positional, ...Object.values(call.keywords)];
  let request = false;
  const dicts = new Set<RequestDict>();
  for (const arg of args) {
    if (!arg) continue;
    if ('splat' in arg) {
      request ||= bindings.get(arg.splat)?.kind === 'varargs';
      continue;
    }
    const b = bindingOf(arg.origins, bindings);
    if (b?.kind === 'dicts') b.sources.forEach((s) => dicts.add(s.dict));
    if (b?.kind === 'request') request = true;
  }
  if (dicts.size) return BUILTINS.has(call.callee) ? undefined : [...dicts].sort();
  return request && kind !== 'external' ? [] : undefined;
}

/** The right side of a module-level assignment `name = …`, for collections loops run over. */
function moduleAssignment(module: ModuleFacts, name: string): SyntaxNode | undefined {
  const d = module.definitions.get(name);
  if (d?.kind !== 'assignment') return undefined;
  const a = d.node.type === 'expression_statement' ? d.node.namedChildren[0] : d.node;
  return a?.type === 'assignment' ? a.childForFieldName('right') ?? undefined : undefined;
}

/** The request dictionaries an origin reaches under the given bindings. */
function sourcesOf(origin: Origin, bindings: Map<string, Binding>): Array<{ dict: RequestDict; methods?: string[] }> {
  const b = bindings.get(origin.param);
  if (!b) return [];
  if (origin.dict) return b.kind === 'request' ? [{ dict: origin.dict, ...(origin.methods ? { methods: origin.methods } : {}) }] : [];
  if (b.kind !== 'dicts') return [];
  return b.sources.flatMap((s) => {
    const methods = intersect(s.methods, origin.methods);
    return methods?.length === 0 ? [] : [{ dict: s.dict, ...(methods ? { methods } : {}) }];
  });
}

/** What an argument carrying `origins` binds a callee's parameter to. */
function bindingOf(origins: Origin[], bindings: Map<string, Binding>): Binding | null {
  if (origins.length === 1 && !origins[0]!.dict && bindings.get(origins[0]!.param)?.kind === 'request') return { kind: 'request' };
  const sources = origins.flatMap((o) => sourcesOf(o, bindings));
  return sources.length ? { kind: 'dicts', sources } : null;
}

/** Binds a callee's parameters to what a call hands it. */
function bindCall(signature: SignatureParam[], call: ForwardingCall, bindings: Map<string, Binding>): Map<string, Binding> {
  const values: Array<Binding | null> = [];
  for (const arg of call.positional) {
    if (arg === null) {
      values.push(null);
    } else if ('splat' in arg) {
      const b = bindings.get(arg.splat);
      if (b?.kind !== 'varargs') break; // unknown length: later positions are unknown
      values.push(...b.items);
    } else {
      values.push(bindingOf(arg.origins, bindings));
    }
  }
  const out = new Map<string, Binding>();
  const positional = signature.filter((p) => p.kind === 'positional');
  positional.forEach((p, i) => {
    const v = values[i];
    if (v) out.set(p.name, v);
  });
  const varargs = signature.find((p) => p.kind === 'varargs');
  if (varargs && values.length > positional.length) {
    const items = values.slice(positional.length);
    if (items.some((v) => v)) out.set(varargs.name, { kind: 'varargs', items });
  }
  for (const [name, arg] of Object.entries(call.keywords)) {
    const p = signature.find((s) => s.name === name && (s.kind === 'positional' || s.kind === 'keyword-only'));
    if (!p || !('origins' in arg)) continue;
    const b = bindingOf(arg.origins, bindings);
    if (b) out.set(p.name, b);
  }
  return out;
}

/** Methods allowed by both (undefined means any). */
function intersect(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.filter((m) => b.includes(m));
}

function bindingKey(bindings: Map<string, Binding>): string {
  return JSON.stringify([...bindings].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
