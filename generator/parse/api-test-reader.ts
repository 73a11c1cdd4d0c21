/**
 * Replays the statements of CATMAID's API test modules (see parse/api-tests.ts for what is read):
 * classes and their bases, `setUp…` methods that set `self.x`, and each test function's
 * assignments, loops, `del`, in-place changes of literals and calls, in source order, with one
 * frame of variables per function. Requests and assertions are read by parse/api-test-assertions.ts,
 * statements by parse/api-test-statements.ts, values by parse/api-test-values.ts; a module's scopes
 * and classes by parse/api-test-scopes.ts.
 *
 * Consumes: parsed test modules. Produces: {@link TestRequest}s per module, and diagnostics.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { RecordedAnswer } from '../model/answers.js';
import type { JsonValue } from '../model/types.js';
import { assertion, requestsOf, respOf, type ReaderContext } from './api-test-assertions.js';
import { CALL_HEAD, HTTP_METHODS, LiteralTooLarge, MAX_LITERAL_DEPTH, MAX_LITERAL_NODES, MUTATOR_HEAD, MUTATORS, selfAttribute, SETUP_METHODS, type Budget, type Frame, type ModuleState, type Parsed, type Scope, type Statement, type TestRequest } from './api-test-model.js';
import { baseNames, classesIn, readScopes, type BaseClasses } from './api-test-scopes.js';
import { ASSIGNED_NAME, closeLoops, forget, HEADER, isClient, lineAt, lookupResp, namesOf, parseStatementText, parseStatementTree, setItem, splitTopLevel } from './api-test-statements.js';
import { litOf, textOf, toJson } from './api-test-values.js';
import { ExprTooLarge, HOLE, OPAQUE, Unsupported, type Expr, type ExprBudget, type Lit } from './py-expr.js';

/**
 * The test requests of one test module, replayed with the classes it derives from, wherever they
 * are: each module is read on its own (and so can be kept on its own by the cache), the modules of
 * its base classes beside it.
 */
export class TestReader implements ReaderContext {
  private readonly modules = new Map<string, ModuleState | null>();
  private readonly classes = new Map<ModuleState, Scope[]>();
  private readonly classAttrs = new Map<Scope, Map<string, Lit>>();
  private readonly classesInProgress = new Set<Scope>();
  private readonly done = new Set<Scope>();

  constructor(
    readonly diagnostics: DiagnosticBag,
    private readonly bases: BaseClasses,
  ) {}

  /**
   * The answers of a module's requests (module-level code, then classes, bases first, then every
   * function), by line; none when it cannot be read.
   */
  answersOf(file: string): RecordedAnswer[] {
    const m = this.module(file);
    if (!m) return [];
    for (const child of m.root.children) this.visit(child, m.frame);
    return [...m.requests].sort((a, b) => a.line - b.line).flatMap((r) => answersOf(r, m.file));
  }

  /** A module read (one query pass) and its module-level code run, once. */
  private module(file: string): ModuleState | null {
    let m = this.modules.get(file);
    if (m === undefined) {
      const parsed = this.bases.load(file);
      m = parsed ? readScopes(parsed) : null;
      this.modules.set(file, m);
      if (m) {
        this.classes.set(m, classesIn(m.root));
        this.run(m.root.statements, m.frame);
      }
    }
    return m;
  }

  /** A function runs once; a class's methods each start from the class's attributes. */
  private visit(scope: Scope, frame: Frame): void {
    if (scope.kind === 'function') {
      this.runFunction(scope, frame, new Map());
      return;
    }
    const attrs = this.attrsOf(scope);
    for (const child of scope.children) {
      if (child.kind === 'function') this.runFunction(child, frame, new Map(attrs));
      else this.visit(child, frame);
    }
  }

  /** The attributes a class's instances start a test with: its bases', then its own. */
  private attrsOf(cls: Scope): Map<string, Lit> {
    const known = this.classAttrs.get(cls);
    if (known) return known;
    if (this.classesInProgress.has(cls)) return new Map();
    this.classesInProgress.add(cls);
    const attrs = new Map<string, Lit>();
    // The first base wins (Python's method resolution order, for the usual single chains).
    for (const base of this.basesOf(cls).reverse()) for (const [k, v] of this.attrsOf(base)) attrs.set(k, v);
    const moduleFrame = cls.module.frame;
    this.run(cls.statements, { vars: attrs, responses: new Map(), self: attrs, outer: moduleFrame, loops: [], module: cls.module });
    for (const name of SETUP_METHODS) {
      for (const method of cls.children) if (method.kind === 'function' && method.name === name) this.runFunction(method, moduleFrame, attrs);
    }
    this.classesInProgress.delete(cls);
    this.classAttrs.set(cls, attrs);
    return attrs;
  }

  /**
   * The classes a class derives from, among the test modules: another of that name in its module
   * first, else the first in a module of its directory, else the first in any (modules in path
   * order, classes in source order).
   */
  private basesOf(cls: Scope): Scope[] {
    const out: Scope[] = [];
    const other = (m: ModuleState, name: string) => this.classes.get(m)?.find((c) => c.name === name && c !== cls);
    for (const name of baseNames(cls.module.src, cls.start, cls.end)) {
      let found = other(cls.module, name);
      if (!found) {
        const dir = cls.module.file.slice(0, cls.module.file.lastIndexOf('/') + 1);
        const files = this.bases.filesDefining(name).filter((f) => f !== cls.module.file);
        const file = files.find((f) => f.startsWith(dir) && !f.slice(dir.length).includes('/')) ?? files[0];
        const m = file === undefined ? null : this.module(file);
        found = m ? other(m, name) : undefined;
      }
      if (found) out.push(found);
    }
    return out;
  }

  private runFunction(fn: Scope, outer: Frame, self: Map<string, Lit>): void {
    if (this.done.has(fn)) return;
    this.done.add(fn);
    const frame: Frame = { vars: new Map(), responses: new Map(), self, outer, loops: [], module: fn.module };
    // Parameters hide the module's names; their values are the caller's.
    const header = HEADER.exec(fn.module.src.slice(fn.start, Math.min(fn.end, fn.start + 2000)))?.[1] ?? '';
    for (const p of splitTopLevel(header)) {
      const name = /^\s*\**\s*([A-Za-z_]\w*)/.exec(p)?.[1];
      if (name) frame.vars.set(name, HOLE);
    }
    this.run(fn.statements, frame);
    for (const child of fn.children) {
      if (child.kind === 'function') this.runFunction(child, frame, self);
      else this.visit(child, frame);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  private run(statements: Statement[], frame: Frame): void {
    for (const s of statements) {
      closeLoops(frame, s.start);
      // Most calls neither request, assert nor change a literal (`Treenode.objects.filter(…)`):
      // their text tells, without reading them.
      if (s.kind === 'call') {
        const head = frame.module.src.slice(s.start, s.start + 160);
        if (!CALL_HEAD.test(head) && !MUTATOR_HEAD.test(head)) continue;
      }
      const parsed = this.parseStatement(s, frame.module);
      if (!parsed) continue;
      switch (parsed.kind) {
        case 'for':
          this.openLoop(parsed, s.end, frame);
          break;
        case 'assign':
          for (const t of parsed.targets) this.assign(t, parsed.value, frame, s);
          break;
        case 'augment':
          this.augment(parsed, frame, s);
          break;
        case 'delete':
          for (const t of parsed.targets) this.remove(t, frame, s);
          break;
        case 'call':
          this.call(parsed.call, frame, s);
          break;
      }
    }
    closeLoops(frame, Infinity);
  }

  /** A statement's parts: from its text, else from the tree; undefined (with a diagnostic) when too large. */
  private parseStatement(s: Statement, module: ModuleState): Parsed | undefined {
    const budget: ExprBudget = { nodes: 0, cut: false, maxNodes: MAX_LITERAL_NODES, maxDepth: MAX_LITERAL_DEPTH };
    try {
      let parsed: Parsed | undefined;
      try {
        parsed = parseStatementText(s, module.src, budget);
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        budget.nodes = 0;
        budget.cut = false;
        parsed = parseStatementTree(s, module.src, budget);
      }
      if (budget.cut) this.tooLarge(module, s.start, `nested deeper than ${MAX_LITERAL_DEPTH} levels; the deeper parts count as unknown`);
      return parsed;
    } catch (e) {
      if (!(e instanceof ExprTooLarge)) throw e;
      this.tooLarge(module, s.start, `more than ${MAX_LITERAL_NODES} parts; it counts as unknown`);
      // What it assigns is unknown after it.
      const target = ASSIGNED_NAME.exec(module.src.slice(s.start, s.start + 200));
      return s.kind === 'assign' && target ? { kind: 'assign', targets: [{ k: 'name', name: target[1]! }], value: OPAQUE } : undefined;
    }
  }

  private openLoop(p: Extract<Parsed, { kind: 'for' }>, end: number, frame: Frame): void {
    const names = namesOf(p.target);
    const items = this.lit(p.iterable, frame);
    for (const n of names) frame.vars.set(n, HOLE);
    frame.loops.push({ names, end, items: p.target.k === 'name' && Array.isArray(items) ? items : null });
  }

  private assign(target: Expr, value: Expr, frame: Frame, s: Statement): void {
    switch (target.k) {
      case 'name': {
        const resp = respOf(this, value, frame, s);
        frame.vars.set(target.name, resp ? HOLE : this.lit(value, frame, s));
        frame.responses.set(target.name, resp ?? null);
        return;
      }
      case 'attr': {
        const attr = selfAttribute(target);
        if (attr !== undefined) frame.self.set(attr, respOf(this, value, frame, s) ? HOLE : this.lit(value, frame, s));
        return;
      }
      case 'index': {
        const container = this.lit(target.obj, frame, s);
        const key = this.lit(target.index, frame, s);
        if (frame.loops.length > 0 || !setItem(container, key, this.lit(value, frame, s))) forget(target, frame);
        return;
      }
      case 'seq':
      case 'lit': {
        // a, b = 1, 2
        const targets = target.k === 'seq' ? target.items : [];
        const values = value.k === 'seq' ? value.items : value.k === 'lit' && Array.isArray(value.v) ? value.v.map((v): Expr => ({ k: 'lit', v })) : [];
        if (targets.length > 0 && values.length === targets.length) targets.forEach((t, i) => this.assign(t, values[i]!, frame, s));
        else for (const n of namesOf(target)) frame.vars.set(n, HOLE);
        return;
      }
    }
  }

  /** `x += y`: lists grow, numbers and strings add up; anything else is unknown after. */
  private augment(p: Extract<Parsed, { kind: 'augment' }>, frame: Frame, s: Statement): void {
    const current = this.lit(p.target, frame, s);
    const add = this.lit(p.value, frame, s);
    if (frame.loops.length === 0 && p.op === '+=' && Array.isArray(current) && Array.isArray(add)) {
      current.push(...add);
      return;
    }
    let next: Lit = HOLE;
    if (frame.loops.length === 0 && p.op === '+=' && typeof current === typeof add && (typeof current === 'number' || typeof current === 'string')) {
      next = (current as number) + (add as number);
    }
    if (p.target.k === 'name') frame.vars.set(p.target.name, next);
    else if (selfAttribute(p.target) !== undefined) frame.self.set(selfAttribute(p.target)!, next);
    else forget(p.target, frame);
  }

  private remove(target: Expr, frame: Frame, s: Statement): void {
    if (target.k === 'name') {
      frame.vars.set(target.name, HOLE);
      return;
    }
    if (target.k !== 'index') return;
    const container = this.lit(target.obj, frame, s);
    const key = this.lit(target.index, frame, s);
    let removed = false;
    if (frame.loops.length === 0 && container instanceof Map && typeof key === 'string') removed = container.delete(key);
    else if (frame.loops.length === 0 && Array.isArray(container) && typeof key === 'number' && Number.isInteger(key)) {
      const i = key < 0 ? container.length + key : key;
      if (i >= 0 && i < container.length) {
        container.splice(i, 1);
        removed = true;
      }
    }
    if (!removed) forget(target, frame);
  }

  private call(call: Expr, frame: Frame, s: Statement): void {
    if (call.k !== 'call' || call.fn.k !== 'attr') return;
    const method = call.fn.name;
    const object = call.fn.obj;
    if (method in HTTP_METHODS && isClient(object)) requestsOf(this, call, frame);
    else if (method.startsWith('assert') && object.k === 'name' && object.name === 'self') assertion(this, call, method, frame, s);
    else if (MUTATORS.has(method)) this.mutate(call, object, method, frame, s);
  }

  /**
   * `expected.append(x)`, `expected['k'].update({…})`, …: applied where the value is known.
   * `parsed_response.sort(…)`: the answer is compared without its order; any other change of a
   * response makes it no longer the answer.
   */
  private mutate(call: Extract<Expr, { k: 'call' }>, object: Expr, method: string, frame: Frame, s: Statement): void {
    if (object.k !== 'name' && object.k !== 'index' && selfAttribute(object) === undefined) return;
    let root = object;
    while (root.k === 'index') root = root.obj;
    const resp = root.k === 'name' ? lookupResp(frame, root.name) : undefined;
    if (resp && root.k === 'name') {
      frame.responses.set(root.name, method === 'sort' && object === root && resp.kind === 'parsed' ? { ...resp, unordered: true } : null);
      return;
    }
    const target = this.lit(object, frame, s);
    if (!(Array.isArray(target) || target instanceof Map)) return;
    const args = call.args.map((a) => this.lit(a, frame, s));
    let applied = false;
    if (frame.loops.length === 0 && call.kwargs.length === 0) {
      if (Array.isArray(target)) {
        const [a, b] = args;
        if (method === 'append' && args.length === 1) applied = target.push(a!) > 0;
        else if (method === 'extend' && args.length === 1 && Array.isArray(a)) applied = target.push(...a) >= 0;
        else if (method === 'insert' && args.length === 2 && typeof a === 'number') {
          target.splice(a < 0 ? Math.max(0, target.length + a) : a, 0, b!);
          applied = true;
        } else if (method === 'pop' && args.length <= 1) {
          const i = args.length === 0 ? target.length - 1 : typeof a === 'number' ? (a < 0 ? target.length + a : a) : -1;
          if (i >= 0 && i < target.length) {
            target.splice(i, 1);
            applied = true;
          }
        } else if (method === 'reverse' && args.length === 0) applied = target.reverse().length >= 0;
        else if (method === 'clear' && args.length === 0) applied = target.splice(0).length >= 0;
      } else {
        const [a, b] = args;
        if (method === 'update' && args.length === 1 && a instanceof Map) {
          for (const [k, v] of a) target.set(k, v);
          applied = true;
        } else if (method === 'pop' && typeof a === 'string' && args.length <= 2) {
          target.delete(a);
          applied = true;
        } else if (method === 'setdefault' && typeof a === 'string' && args.length <= 2) {
          if (!target.has(a)) target.set(a, b ?? null);
          applied = true;
        } else if (method === 'clear' && args.length === 0) {
          target.clear();
          applied = true;
        }
      }
    }
    if (!applied) forget(object, frame);
  }

  // -------------------------------------------------------------------------------------------
  // Values

  /** An expression's value as far as it is known; a result too large to be read is unknown (reported). */
  lit(e: Expr, frame: Frame, s?: Statement): Lit {
    const budget: Budget = { nodes: 0, cut: false };
    try {
      return litOf(e, frame, budget);
    } catch (err) {
      if (!(err instanceof LiteralTooLarge)) throw err;
      if (s) this.tooLarge(frame.module, s.start, `more than ${MAX_LITERAL_NODES} parts; it counts as unknown`);
      return HOLE;
    }
  }

  /** A path's text: unknown parts are `{}`; undefined when nothing of it is known. */
  text(e: Expr, frame: Frame): string | undefined {
    try {
      return textOf(e, frame, true, { nodes: 0, cut: false });
    } catch (err) {
      if (!(err instanceof LiteralTooLarge)) throw err;
      return undefined;
    }
  }

  /** The JSON of a compared literal, with the pointers of its unknown parts; undefined when too large. */
  toBody(value: Lit, module: ModuleState, at: number): { body: JsonValue; unknown: string[] } | undefined {
    const unknown: string[] = [];
    const budget: Budget = { nodes: 0, cut: false };
    try {
      const body = toJson(value, '', unknown, budget, 0);
      if (budget.cut) this.tooLarge(module, at, `nested deeper than ${MAX_LITERAL_DEPTH} levels; the deeper parts count as unknown`);
      return { body, unknown };
    } catch (e) {
      if (!(e instanceof LiteralTooLarge)) throw e;
      this.tooLarge(module, at, `more than ${MAX_LITERAL_NODES} parts; not used`);
      return undefined;
    }
  }

  tooLarge(module: ModuleState, at: number, why: string): void {
    this.diagnostics.add('test-literal-too-large', `a literal of an API test is ${why}`, module.file, lineAt(module, at));
  }
}

/** The answers one request gives: one per distinct compared literal, or one that says nothing of the body. */
function answersOf(r: TestRequest, file: string): RecordedAnswer[] {
  const base = { source: 'test' as const, method: r.method, path: r.path, params: r.params };
  const where = { ...(r.status !== undefined ? { status: r.status } : {}), file, line: r.line };
  if (r.compared.length === 0) return [{ ...base, body: null, unknown: [''], ...where }];
  const seen = new Set<string>();
  const out: RecordedAnswer[] = [];
  for (const c of r.compared) {
    const key = JSON.stringify([c.at, c.body, c.unknown, c.unordered]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      ...base,
      body: c.body,
      ...(c.unknown.length > 0 ? { unknown: c.unknown } : {}),
      ...(c.unordered ? { unordered: true as const } : {}),
      ...(c.at.length > 0 ? { at: c.at } : {}),
      ...where,
    });
  }
  return out;
}
