/**
 * CATMAID's own API tests (`django/applications/catmaid/tests/apis/*.py`; before 2016.08 they were
 * all in `tests/test_common_apis.py`, which keeps a few later) as evidence of what operations
 * answer: each request made with Django's test client (`self.client.get/post/put/patch/delete(url,
 * data)`) becomes {@link RecordedAnswer}s (`source: 'test'`), one per literal its parsed response
 * is compared with (`self.assertEqual(expected_result, parsed_response)`, or a part of it:
 * `parsed_response['skeleton_ids']` → `at: ['skeleton_ids']`), or else one that only says the
 * request was made (`body: null`, `unknown: ['']`).
 *
 * How it reads: one pass of `queries/api-tests.scm` per module gives the classes and functions and,
 * in source order, the statements the reader replays, each function with its own variables:
 * assignments (literals, URLs built with f-strings, `%`, `.format()`, `+`), loops, `del`, changes of
 * a literal in place (`expected.append(x)`, `expected[0]['k'] = 2`) and the method calls that make
 * requests or assert. The expressions inside a statement are read from its text
 * (generator/parse/py-expr.ts), or from the tree where that reader does not handle them.
 * `self.x` is what the class, or a base class in any module read, sets in its body or in
 * `setUpClass`, `setUpTestData`, `__init__`, `setUp` (`cls.test_project_id = 3`). Branches are
 * replayed one after the other (the last assignment wins); a literal a loop changes is unknown
 * after it. Nothing is executed.
 *
 * Unknown parts: a value that cannot be evaluated (a variable the test got from the database or
 * the response, a call, a comprehension) is `null` in `body` and its JSON pointer is listed in
 * `unknown`; in a path it is `{}`. A dict with a key that cannot be evaluated is unknown as a whole
 * (its other keys would not say which keys the answer has). A literal nested deeper than
 * {@link MAX_LITERAL_DEPTH} levels is cut there; one of more than {@link MAX_LITERAL_NODES} parts is
 * unknown as a whole (`test-literal-too-large`).
 *
 * Consumes: the source tree's test modules, parsed with tree-sitter. Produces: recorded answers,
 * sorted by file and line, and diagnostics for what cannot be read.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { RecordedAnswer } from '../model/answers.js';
import type { HttpMethod, JsonValue } from '../model/types.js';
import type { SourceTree } from '../source/types.js';
import { query, type ParsedFile, type SyntaxNode } from './parser.js';
import { percentFormat, strFormat, type Formattable } from './python-literals.js';
import { ExprReader, ExprTooLarge, HOLE, Hole, keyOf, OPAQUE, parseExpression, Unsupported, UNSUPPORTED, type Expr, type ExprBudget, type Lit } from './py-expr.js';

/** Where CATMAID keeps its API tests. */
export const API_TESTS_DIR = 'django/applications/catmaid/tests/apis/';
/** The module that held every API test before `tests/apis/` (2015 – 2016.05), and some after. */
export const LEGACY_API_TESTS = 'django/applications/catmaid/tests/test_common_apis.py';

/** Deepest nesting of a literal that is read; deeper parts are unknown. */
export const MAX_LITERAL_DEPTH = 32;
/** Most parts (values and containers) an expression may have; a larger one is unknown as a whole. */
export const MAX_LITERAL_NODES = 10_000;

/** The API test modules of a tree, sorted: every `*.py` under {@link API_TESTS_DIR}, and {@link LEGACY_API_TESTS}. */
export function apiTestFiles(tree: SourceTree): string[] {
  return tree
    .listFiles()
    .filter((f) => f.endsWith('.py') && (f.startsWith(API_TESTS_DIR) || f === LEGACY_API_TESTS))
    .sort();
}

/** The recorded answers of every API test module of the tree, by file and line. */
export function readApiTests(tree: SourceTree, parse: (file: string) => ParsedFile | null, diagnostics: DiagnosticBag): RecordedAnswer[] {
  const files = apiTestFiles(tree);
  if (files.length === 0) return [];
  tree.prefetch(files);
  const reader = new TestReader(diagnostics);
  for (const file of files) {
    const parsed = parse(file); // reports unreadable files and syntax errors itself
    if (parsed) reader.add(parsed);
  }
  return reader.answers();
}

// ---------------------------------------------------------------------------------------------
// What the reader keeps

const HTTP_METHODS: Record<string, HttpMethod> = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE' };
/** unittest's and Django's comparisons of two values. */
const COMPARISONS = new Set([
  'assertEqual',
  'assertEquals',
  'assertDictEqual',
  'assertListEqual',
  'assertTupleEqual',
  'assertSequenceEqual',
  'assertJSONEqual',
  'assertCountEqual',
  'assertItemsEqual',
  'assertSetEqual',
]);
/** Comparisons that ignore order (`assertItemsEqual` is Python 2's `assertCountEqual`). */
const UNORDERED = new Set(['assertCountEqual', 'assertItemsEqual', 'assertSetEqual']);
/** Methods that change a list or dict in place. */
const MUTATORS = new Set(['append', 'extend', 'insert', 'update', 'pop', 'remove', 'clear', 'sort', 'reverse', 'setdefault', 'popitem', 'add', 'discard']);
/** The methods a test case sets its attributes in, in the order Django calls them. */
const SETUP_METHODS = ['setUpClass', 'setUpTestData', '__init__', 'setUp'];
/** A value that stands for an unknown `%` argument, replaced by `{}` after formatting. */
const SENTINEL_NUMBER = Number.MAX_SAFE_INTEGER;
const SENTINEL = String(SENTINEL_NUMBER);
/** The text of a test client object: `self.client`, or any name ending in `client` (`token_client`). */
const CLIENT = /^(?:(?:self|cls)\s*\.\s*)?\w*client$/i;
/** How a statement-level call that makes a request or asserts starts. */
const CALL_HEAD = /^(?:self\s*\.\s*assert(?:Status|Equals?|DictEqual|ListEqual|TupleEqual|SequenceEqual|JSONEqual|CountEqual|ItemsEqual|SetEqual)\s*\(|(?:self\s*\.\s*)?\w*client\s*\.\s*(?:get|post|put|patch|delete)\s*\()/i;
/** How a call that may change a list or dict in place starts: `x.append(`, `self.x[0]['k'].update(`. */
const MUTATOR_HEAD = /^[\w.\s]*(?:\[[^\]\n]*\][\w.\s]*)*\.\s*(?:append|extend|insert|update|pop|remove|clear|sort|reverse|setdefault|popitem|add|discard)\s*\(/;

/** A class, a function, or the module: what scopes the statements of a module. */
interface Scope {
  kind: 'module' | 'class' | 'function';
  start: number;
  end: number;
  name: string;
  statements: Statement[];
  children: Scope[];
  module: ModuleState;
}

interface Statement {
  kind: 'for' | 'assign' | 'augment' | 'delete' | 'call';
  node: SyntaxNode;
  start: number;
  end: number;
}

interface ModuleState {
  file: string;
  /** The module's text: node indices are offsets into it (UTF-16, as node-tree-sitter counts). */
  src: string;
  /** Offsets where lines start, for line numbers without asking the tree. */
  lineStarts: number[];
  root: Scope;
  frame: Frame;
  /** Requests by the offset of their call, so a call seen twice is one request. */
  requestsByCall: Map<number, TestRequest[]>;
  requests: TestRequest[];
}

/** The variables of a function (or class body, or module) while its statements are replayed. */
interface Frame {
  vars: Map<string, Lit>;
  /** Names bound to a response or a part of it; null hides an outer binding. */
  responses: Map<string, Resp | null>;
  /** `self.x` / `cls.x`. */
  self: Map<string, Lit>;
  outer?: Frame;
  loops: OpenLoop[];
  module: ModuleState;
}

interface OpenLoop {
  names: string[];
  end: number;
  /** The items of the iterable, where it is a known list and the target one name. */
  items: Lit[] | null;
}

/** A response, its content, or its parsed JSON (a part of it: `at`). */
interface Resp {
  requests: TestRequest[];
  kind: 'response' | 'content' | 'parsed';
  at: Array<string | number>;
  /** Compared as a set or sorted (`frozenset(parsed_response)`). */
  unordered?: boolean;
}

interface TestRequest {
  method: HttpMethod;
  path: string;
  params: string[];
  line: number;
  status?: number;
  compared: Array<{ body: JsonValue; unknown: string[]; at: Array<string | number>; unordered: boolean }>;
}

/** The parts of a statement, read from its text or, failing that, from the tree. */
type Parsed =
  | { kind: 'assign'; targets: Expr[]; value: Expr }
  | { kind: 'augment'; target: Expr; op: string; value: Expr }
  | { kind: 'delete'; targets: Expr[] }
  | { kind: 'call'; call: Expr }
  | { kind: 'for'; target: Expr; iterable: Expr };

class LiteralTooLarge extends Error {}

interface Budget {
  nodes: number;
  cut: boolean;
}

class TestReader {
  private readonly modules: ModuleState[] = [];
  private readonly classes = new Map<string, Scope[]>();
  private readonly classAttrs = new Map<Scope, Map<string, Lit>>();
  private readonly classesInProgress = new Set<Scope>();
  private readonly done = new Set<Scope>();

  constructor(private readonly diagnostics: DiagnosticBag) {}

  /** Reads a module's scopes and statements (one query pass); replayed by {@link answers}. */
  add(parsed: ParsedFile): void {
    const rootNode = parsed.tree.rootNode;
    const lineStarts = [0];
    for (let i = parsed.text.indexOf('\n'); i >= 0; i = parsed.text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    const module = { file: parsed.file, src: parsed.text, lineStarts, requestsByCall: new Map(), requests: [] } as unknown as ModuleState;
    const root: Scope = { kind: 'module', start: 0, end: Infinity, name: '', statements: [], children: [], module };
    module.root = root;
    module.frame = { vars: new Map(), responses: new Map(), self: new Map(), loops: [], module };
    const stack: Scope[] = [root];
    for (const { name, node } of query('api-tests').captures(rootNode)) {
      const start = node.startIndex;
      const end = node.endIndex;
      while (stack.length > 1 && stack[stack.length - 1]!.end <= start) stack.pop();
      const top = stack[stack.length - 1]!;
      if (name === 'class' || name === 'function') {
        const scope: Scope = { kind: name, start, end, name: DEFINITION.exec(parsed.text.slice(start, start + 200))?.[1] ?? '', statements: [], children: [], module };
        top.children.push(scope);
        stack.push(scope);
        if (name === 'class') this.classes.set(scope.name, [...(this.classes.get(scope.name) ?? []), scope]);
      } else {
        top.statements.push({ kind: name as Statement['kind'], node, start, end });
      }
    }
    this.modules.push(module);
  }

  /** Replays every module: module-level code, then classes (bases first), then every function. */
  answers(): RecordedAnswer[] {
    for (const m of this.modules) this.run(m.root.statements, m.frame);
    for (const m of this.modules) for (const child of m.root.children) this.visit(child, m.frame);
    const out: RecordedAnswer[] = [];
    for (const m of this.modules) {
      const requests = [...m.requests].sort((a, b) => a.line - b.line);
      for (const r of requests) out.push(...answersOf(r, m.file));
    }
    return out;
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

  /** The classes a class derives from, among those read: in its module first, then in its directory, then any. */
  private basesOf(cls: Scope): Scope[] {
    const src = cls.module.src;
    const header = HEADER.exec(src.slice(cls.start, Math.min(cls.end, cls.start + 500)))?.[1] ?? '';
    const out: Scope[] = [];
    for (const base of splitTopLevel(header)) {
      const name = /(?:^|\.)\s*([A-Za-z_]\w*)\s*$/.exec(base)?.[1];
      if (!name || base.includes('=')) continue; // metaclass=…
      const candidates = this.classes.get(name)?.filter((c) => c !== cls);
      if (!candidates?.length) continue;
      const dir = cls.module.file.slice(0, cls.module.file.lastIndexOf('/') + 1);
      out.push(
        candidates.find((c) => c.module === cls.module) ??
          candidates.find((c) => c.module.file.startsWith(dir) && !c.module.file.slice(dir.length).includes('/')) ??
          candidates[0]!,
      );
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
        const resp = this.respOf(value, frame, s);
        frame.vars.set(target.name, resp ? HOLE : this.lit(value, frame, s));
        frame.responses.set(target.name, resp ?? null);
        return;
      }
      case 'attr': {
        const attr = selfAttribute(target);
        if (attr !== undefined) frame.self.set(attr, this.respOf(value, frame, s) ? HOLE : this.lit(value, frame, s));
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
    if (method in HTTP_METHODS && isClient(object)) this.requestsOf(call, frame);
    else if (method.startsWith('assert') && object.k === 'name' && object.name === 'self') this.assertion(call, method, frame, s);
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
  // Requests and assertions

  /** The request(s) a client call makes: one, or one per known item of a loop over URLs. */
  private requestsOf(call: Extract<Expr, { k: 'call' }>, frame: Frame): TestRequest[] {
    const module = frame.module;
    const known = module.requestsByCall.get(call.start);
    if (known) return known;
    const requests: TestRequest[] = [];
    module.requestsByCall.set(call.start, requests);
    const method = HTTP_METHODS[(call.fn as { name: string }).name]!;
    const line = lineAt(module, call.start);
    const urlExpr = call.args[0] ?? kwarg(call, 'path');
    if (!urlExpr) return requests;
    const dataExpr = call.args[1] ?? kwarg(call, 'data');
    const data = dataExpr ? this.paramsOf(dataExpr, frame) : [];

    const loop = urlExpr.k === 'name' ? frame.loops.find((l) => l.items && l.names[0] === urlExpr.name) : undefined;
    const urls = loop ? loop.items!.map((item) => (typeof item === 'string' ? item : undefined)) : [this.text(urlExpr, frame)];
    for (const url of urls) {
      const path = url?.replace(/^https?:\/\/[^/]*/, '');
      if (path === undefined || !path.startsWith('/')) {
        this.diagnostics.add('test-url-unknown', `${method} request whose path is not known statically`, module.file, line);
        continue;
      }
      const q = path.indexOf('?');
      const queryNames = q < 0 ? [] : queryParamNames(path.slice(q + 1));
      requests.push({ method, path: q < 0 ? path : path.slice(0, q), params: [...new Set([...queryNames, ...data])], line, compared: [] });
    }
    module.requests.push(...requests);
    return requests;
  }

  /**
   * The names a request's data sends: a dict's keys, a query string's names, or those of every
   * dict a call combines (`with_dict(a, b)`, `json.dumps(d)`, `urlencode(d)`).
   */
  private paramsOf(e: Expr, frame: Frame): string[] {
    const data = this.lit(e, frame);
    if (data instanceof Map) return [...data.keys()];
    if (typeof data === 'string') {
      const json = parseJson(data);
      if (json instanceof Map) return [...json.keys()];
      return data.includes('=') ? queryParamNames(data) : [];
    }
    if (e.k === 'call') {
      const names = e.args.flatMap((a) => {
        const v = this.lit(a, frame);
        return v instanceof Map ? [...v.keys()] : [];
      });
      return [...new Set(names)];
    }
    return [];
  }

  private assertion(call: Extract<Expr, { k: 'call' }>, method: string, frame: Frame, s: Statement): void {
    if (method === 'assertStatus') {
      const resp = call.args[0] ? this.respOf(call.args[0], frame, s) : undefined;
      const codeExpr = call.args[1] ?? kwarg(call, 'code');
      const code = codeExpr ? this.lit(codeExpr, frame, s) : 200;
      if (resp?.kind === 'response' && typeof code === 'number') setStatus(resp.requests, code);
      return;
    }
    if (!COMPARISONS.has(method)) return;
    const a = call.args[0] ?? kwarg(call, 'first');
    const b = call.args[1] ?? kwarg(call, 'second');
    if (!a || !b) return;

    // self.assertEqual(response.status_code, 200)
    const statusA = this.statusOf(a, frame, s);
    const statusB = this.statusOf(b, frame, s);
    if (statusA || statusB) {
      const code = this.lit(statusA ? b : a, frame, s);
      if (!(statusA && statusB) && typeof code === 'number') setStatus((statusA ?? statusB)!, code);
      return;
    }

    const respA = this.respOf(a, frame, s);
    const respB = this.respOf(b, frame, s);
    if (!respA === !respB) return; // two responses, or none
    const resp = (respA ?? respB)!;
    if (resp.kind === 'response') return;
    let expected = this.lit(respA ? b : a, frame, s);
    if (typeof expected === 'string' && (resp.kind === 'content' || method === 'assertJSONEqual')) {
      expected = parseJson(expected) ?? HOLE; // the body as text, or assertJSONEqual's JSON text
    } else if (resp.kind === 'content' && method !== 'assertJSONEqual') {
      return; // bytes or text compared with something that is not text
    }
    if (expected === HOLE) return;
    let unordered = !!resp.unordered || UNORDERED.has(method);
    if (unordered && expected instanceof Map) {
      // Iterating a dict gives its keys: only they are compared.
      expected = new Map([...expected.keys()].map((k) => [k, HOLE]));
    }
    unordered &&= Array.isArray(expected);
    const json = this.toBody(expected, frame.module, s.start);
    if (!json) return;
    for (const r of resp.requests) r.compared.push({ ...json, at: resp.at, unordered });
  }

  /** The requests whose `response.status_code` an expression is. */
  private statusOf(e: Expr, frame: Frame, s: Statement): TestRequest[] | undefined {
    if (e.k !== 'attr' || e.name !== 'status_code') return undefined;
    const resp = this.respOf(e.obj, frame, s);
    return resp?.kind === 'response' ? resp.requests : undefined;
  }

  /** What an expression is of a response: the response itself, its content, its parsed JSON or a part of it. */
  private respOf(e: Expr, frame: Frame, s: Statement): Resp | undefined {
    switch (e.k) {
      case 'name':
        return lookupResp(frame, e.name);
      case 'attr': {
        if (e.name !== 'content') return undefined;
        const base = this.respOf(e.obj, frame, s);
        return base?.kind === 'response' ? { ...base, kind: 'content' } : undefined;
      }
      case 'index': {
        const base = this.respOf(e.obj, frame, s);
        if (base?.kind !== 'parsed') return undefined;
        const key = this.lit(e.index, frame, s);
        return typeof key === 'string' || (typeof key === 'number' && Number.isInteger(key) && key >= 0) ? { ...base, at: [...base.at, key] } : undefined;
      }
      case 'call': {
        const first = e.args[0];
        if (e.fn.k === 'name') {
          const inner = first ? this.respOf(first, frame, s) : undefined;
          if (inner?.kind === 'parsed' && ['frozenset', 'set', 'sorted'].includes(e.fn.name)) return { ...inner, unordered: true };
          if (inner?.kind === 'parsed' && ['list', 'tuple'].includes(e.fn.name)) return inner;
          if (inner?.kind === 'content' && e.fn.name === 'str') return inner;
          return undefined;
        }
        if (e.fn.k !== 'attr') return undefined;
        const name = e.fn.name;
        const object = e.fn.obj;
        if (name in HTTP_METHODS && isClient(object)) return { requests: this.requestsOf(e, frame), kind: 'response', at: [] };
        if (name === 'loads' && object.k === 'name' && object.name === 'json') {
          const inner = first ? this.respOf(first, frame, s) : undefined;
          return inner?.kind === 'content' ? { ...inner, kind: 'parsed', at: [] } : undefined;
        }
        const base = this.respOf(object, frame, s);
        if (name === 'json' && base?.kind === 'response') return { ...base, kind: 'parsed', at: [] };
        if (name === 'decode' && base?.kind === 'content') return base;
        if (name === 'get' && base?.kind === 'parsed' && first) {
          const key = this.lit(first, frame, s);
          return typeof key === 'string' ? { ...base, at: [...base.at, key] } : undefined;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Values

  /** An expression's value as far as it is known; a result too large to be read is unknown (reported). */
  private lit(e: Expr, frame: Frame, s?: Statement): Lit {
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
  private text(e: Expr, frame: Frame): string | undefined {
    try {
      return textOf(e, frame, true, { nodes: 0, cut: false });
    } catch (err) {
      if (!(err instanceof LiteralTooLarge)) throw err;
      return undefined;
    }
  }

  /** The JSON of a compared literal, with the pointers of its unknown parts; undefined when too large. */
  private toBody(value: Lit, module: ModuleState, at: number): { body: JsonValue; unknown: string[] } | undefined {
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

  private tooLarge(module: ModuleState, at: number, why: string): void {
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

// ---------------------------------------------------------------------------------------------
// Statements from text, or from the tree

/** `class Name(…):` / `def name(…):` → the name; HEADER: what is between the parentheses. */
const DEFINITION = /^(?:async\s+)?(?:class|def)\s+([A-Za-z_]\w*)/;
const HEADER = /^(?:async\s+)?(?:class|def)\s+[A-Za-z_]\w*\s*\(([^)]*)\)/;
/** The name an assignment starts with, for one that is too large to read. */
const ASSIGNED_NAME = /^([A-Za-z_]\w*)\s*[=:]/;
const AUGMENTED = /(\+|-|\*\*|\*|\/\/|\/|%|@|&|\||\^|>>|<<)=/y;

/** A statement's parts from its text; throws {@link Unsupported} for what the text reader does not handle. */
function parseStatementText(s: Statement, src: string, budget: ExprBudget): Parsed {
  const r = new ExprReader(src, s.start, s.end, budget);
  switch (s.kind) {
    case 'call': {
      const call = r.expressionList();
      if (!r.atEnd() || call.k !== 'call') throw UNSUPPORTED;
      return { kind: 'call', call };
    }
    case 'assign': {
      const targets: Expr[] = [];
      let value = r.expressionList();
      if (r.eat(':')) {
        r.expression(); // an annotation: `x: List[int] = …` is not read, the target is
        if (!r.eat('=')) throw UNSUPPORTED;
        targets.push(value);
        value = r.expressionList();
      }
      while (r.eat('=')) {
        targets.push(value);
        value = r.expressionList();
      }
      if (!r.atEnd() || targets.length === 0) throw UNSUPPORTED;
      return { kind: 'assign', targets, value };
    }
    case 'augment': {
      const target = r.expression();
      r.space();
      AUGMENTED.lastIndex = r.i;
      const m = AUGMENTED.exec(src);
      if (!m) throw UNSUPPORTED;
      r.i += m[0].length;
      const value = r.expressionList();
      if (!r.atEnd()) throw UNSUPPORTED;
      return { kind: 'augment', target, op: m[0], value };
    }
    case 'delete': {
      if (!r.keyword('del')) throw UNSUPPORTED;
      const target = r.expressionList();
      if (!r.atEnd()) throw UNSUPPORTED;
      return { kind: 'delete', targets: target.k === 'seq' ? target.items : [target] };
    }
    case 'for': {
      r.keyword('async');
      if (!r.keyword('for')) throw UNSUPPORTED;
      const target = r.expressionList();
      if (!r.keyword('in')) throw UNSUPPORTED;
      const iterable = r.expressionList();
      if (!r.eat(':')) throw UNSUPPORTED;
      return { kind: 'for', target, iterable };
    }
  }
}

/** A statement's parts from the tree: each part from its own text where it can, else node by node. */
function parseStatementTree(s: Statement, src: string, budget: ExprBudget): Parsed | undefined {
  const node = s.node;
  const field = (name: string) => node.childForFieldName(name);
  const expr = (n: SyntaxNode | null) => (n ? exprOfNode(n, src, budget, 0) : OPAQUE);
  switch (s.kind) {
    case 'call':
      return { kind: 'call', call: expr(node) };
    case 'assign': {
      const targets = [expr(field('left'))];
      let right = field('right');
      while (right?.type === 'assignment') {
        targets.push(expr(right.childForFieldName('left')));
        right = right.childForFieldName('right');
      }
      return right ? { kind: 'assign', targets, value: expr(right) } : undefined;
    }
    case 'augment':
      return { kind: 'augment', target: expr(field('left')), op: field('operator')?.type ?? '', value: expr(field('right')) };
    case 'delete':
      return { kind: 'delete', targets: node.namedChildren.flatMap((c) => (c.type === 'expression_list' ? c.namedChildren : [c])).map(expr) };
    case 'for':
      return { kind: 'for', target: expr(field('left')), iterable: expr(field('right')) };
  }
}

/** An expression node: its text where the text reader handles it, else node by node (what neither reads is opaque). */
function exprOfNode(node: SyntaxNode, src: string, budget: ExprBudget, depth: number): Expr {
  const start = node.startIndex;
  const nodesBefore = budget.nodes;
  try {
    return parseExpression(src, start, node.endIndex, budget);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    budget.nodes = nodesBefore;
  }
  if (depth > MAX_LITERAL_DEPTH) {
    budget.cut = true;
    return OPAQUE;
  }
  if (++budget.nodes > budget.maxNodes) throw new ExprTooLarge();
  const sub = (n: SyntaxNode | null | undefined) => (n ? exprOfNode(n, src, budget, depth + 1) : OPAQUE);
  switch (node.type) {
    case 'call': {
      const args: Expr[] = [];
      const kwargs: Array<[string, Expr]> = [];
      const argumentList = node.childForFieldName('arguments');
      if (argumentList?.type !== 'argument_list') return { k: 'call', fn: sub(node.childForFieldName('function')), args, kwargs, start };
      for (const a of argumentList.namedChildren) {
        if (a.type === 'keyword_argument') kwargs.push([a.childForFieldName('name')?.text ?? '', sub(a.childForFieldName('value'))]);
        else if (a.type === 'list_splat' || a.type === 'dictionary_splat') args.push(OPAQUE);
        else if (a.type !== 'comment') args.push(sub(a));
      }
      return { k: 'call', fn: sub(node.childForFieldName('function')), args, kwargs, start };
    }
    case 'attribute':
      return { k: 'attr', obj: sub(node.childForFieldName('object')), name: node.childForFieldName('attribute')?.text ?? '' };
    case 'subscript': {
      const index = node.childForFieldName('subscript');
      return { k: 'index', obj: sub(node.childForFieldName('value')), index: index?.type === 'slice' ? OPAQUE : sub(index) };
    }
    case 'binary_operator':
      return { k: 'bin', op: node.childForFieldName('operator')?.type ?? '', l: sub(node.childForFieldName('left')), r: sub(node.childForFieldName('right')) };
    case 'parenthesized_expression':
      return sub(node.namedChildren.find((c) => c.type !== 'comment'));
    case 'list':
    case 'tuple':
    case 'set':
    case 'expression_list':
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern': {
      const items = node.namedChildren.filter((c) => c.type !== 'comment');
      // A splat or comprehension makes the length unknown.
      if (items.some((c) => c.type === 'list_splat')) return OPAQUE;
      return { k: 'seq', type: node.type === 'list' || node.type === 'list_pattern' ? 'list' : node.type === 'set' ? 'set' : 'tuple', items: items.map(sub) };
    }
    case 'dictionary': {
      const entries: Array<[Expr, Expr]> = [];
      for (const c of node.namedChildren) {
        if (c.type === 'pair') entries.push([sub(c.childForFieldName('key')), sub(c.childForFieldName('value'))]);
        else if (c.type !== 'comment') return OPAQUE; // **spread
      }
      return { k: 'dict', entries };
    }
    case 'identifier':
      return { k: 'name', name: node.text };
    default:
      return OPAQUE; // comparisons, boolean operators, lambdas, comprehensions, conditional expressions…
  }
}

// ---------------------------------------------------------------------------------------------
// Frames

function lookupVar(frame: Frame, name: string): Lit {
  for (let f: Frame | undefined = frame; f; f = f.outer) if (f.vars.has(name)) return f.vars.get(name)!;
  return HOLE;
}

function lookupResp(frame: Frame, name: string): Resp | undefined {
  for (let f: Frame | undefined = frame; f; f = f.outer) {
    if (f.responses.has(name)) return f.responses.get(name) ?? undefined;
    if (f.vars.has(name)) return undefined;
  }
  return undefined;
}

/** Ends the loops a statement is past; their variables are unknown after them. */
function closeLoops(frame: Frame, start: number): void {
  while (frame.loops.length > 0 && frame.loops[frame.loops.length - 1]!.end <= start) {
    for (const n of frame.loops.pop()!.names) frame.vars.set(n, HOLE);
  }
}

/** Makes the variable (or `self.x`) a changed expression starts from unknown. */
function forget(e: Expr, frame: Frame): void {
  let x = e;
  while (x.k === 'index' || (x.k === 'attr' && selfAttribute(x) === undefined) || x.k === 'call') x = x.k === 'call' ? x.fn : x.obj;
  if (x.k === 'name') frame.vars.set(x.name, HOLE);
  else if (selfAttribute(x) !== undefined) frame.self.set(selfAttribute(x)!, HOLE);
}

/** `x` of `self.x` or `cls.x`. */
function selfAttribute(e: Expr): string | undefined {
  return e.k === 'attr' && e.obj.k === 'name' && (e.obj.name === 'self' || e.obj.name === 'cls') ? e.name : undefined;
}

/** Django's test client: `self.client`, or any name ending in `client` (`token_client`). */
function isClient(e: Expr): boolean {
  if (e.k === 'name') return CLIENT.test(e.name);
  const attr = selfAttribute(e);
  return attr !== undefined && CLIENT.test(attr);
}

function namesOf(e: Expr): string[] {
  if (e.k === 'name') return [e.name];
  if (e.k === 'seq') return e.items.flatMap(namesOf);
  return [];
}

function kwarg(call: Extract<Expr, { k: 'call' }>, name: string): Expr | undefined {
  return call.kwargs.find(([k]) => k === name)?.[1];
}

function lineAt(module: ModuleState, offset: number): number {
  const starts = module.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Splits `a, f(b, c), d=1` at its top-level commas. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let nesting = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[' || c === '{') nesting++;
    else if (c === ')' || c === ']' || c === '}') nesting--;
    else if (c === ',' && nesting === 0) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out.filter((p) => p.trim() !== '');
}

function setStatus(requests: TestRequest[], code: number): void {
  for (const r of requests) r.status ??= code;
}

function setItem(container: Lit, key: Lit, value: Lit): boolean {
  if (container instanceof Map) {
    const k = keyOf(key);
    if (k === undefined) return false;
    container.set(k, value);
    return true;
  }
  if (Array.isArray(container) && typeof key === 'number' && Number.isInteger(key)) {
    const i = key < 0 ? container.length + key : key;
    if (i < 0 || i >= container.length) return false;
    container[i] = value;
    return true;
  }
  return false;
}

function queryParamNames(query: string): string[] {
  const names = query
    .split('&')
    .map((kv) => kv.split('=')[0]!)
    .filter((k) => k !== '' && k !== '{}')
    .map((k) => {
      try {
        return decodeURIComponent(k.replace(/\+/g, ' '));
      } catch {
        return k;
      }
    });
  return [...new Set(names)];
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function count(budget: Budget, n = 1): void {
  budget.nodes += n;
  if (budget.nodes > MAX_LITERAL_NODES) throw new LiteralTooLarge();
}

/** A Python value as the test builds it, as far as it is known. A name gives its stored value (not a copy), as in Python. */
function litOf(e: Expr, frame: Frame, budget: Budget): Lit {
  count(budget);
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'name':
      return lookupVar(frame, e.name);
    case 'attr': {
      const attr = selfAttribute(e);
      return attr !== undefined && frame.self.has(attr) ? frame.self.get(attr)! : HOLE;
    }
    case 'index':
      return itemOf(litOf(e.obj, frame, budget), litOf(e.index, frame, budget));
    case 'call':
      return callOf(e, frame, budget);
    case 'bin': {
      const l = litOf(e.l, frame, budget);
      if (e.op === '%' && typeof l === 'string') return textOf(e, frame, false, budget) ?? HOLE;
      return binary(e.op, l, litOf(e.r, frame, budget), budget);
    }
    case 'unary': {
      const v = litOf(e.x, frame, budget);
      if (typeof v !== 'number') return HOLE;
      return e.op === '-' ? -v : e.op === '+' ? v : ~v;
    }
    case 'str':
      return textOf(e, frame, false, budget) ?? HOLE;
    case 'seq':
      return e.items.map((x) => litOf(x, frame, budget));
    case 'dict': {
      const out = new Map<string, Lit>();
      for (const [k, v] of e.entries) {
        const key = keyOf(litOf(k, frame, budget));
        if (key === undefined) return HOLE;
        out.set(key, litOf(v, frame, budget));
      }
      return out;
    }
    case 'opaque':
      return HOLE;
  }
}

function binary(op: string, l: Lit, r: Lit, budget: Budget): Lit {
  if (typeof l === 'number' && typeof r === 'number') {
    switch (op) {
      case '+':
        return l + r;
      case '-':
        return l - r;
      case '*':
        return l * r;
      case '/':
        return r === 0 ? HOLE : l / r;
      case '//':
        return r === 0 ? HOLE : Math.floor(l / r);
      case '%':
        return r === 0 ? HOLE : ((l % r) + r) % r;
      default:
        return HOLE;
    }
  }
  if (op === '+' && typeof l === 'string' && typeof r === 'string') return l + r;
  if (op === '+' && Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
  if (op === '*' && (Array.isArray(l) || typeof l === 'string') && typeof r === 'number' && Number.isInteger(r)) {
    const n = Math.max(0, r);
    count(budget, l.length * n);
    return typeof l === 'string' ? l.repeat(n) : Array.from({ length: n }, () => l).flat();
  }
  return HOLE;
}

/** Calls whose result a test's literals use: conversions, copies, `json.loads('…')`, `d.get(k)`, `'…'.format()`. */
function callOf(e: Extract<Expr, { k: 'call' }>, frame: Frame, budget: Budget): Lit {
  const args = () => e.args.map((a) => litOf(a, frame, budget));
  if (e.fn.k === 'name') {
    if (e.kwargs.length > 0) return HOLE;
    if (e.args.length === 0) return ['list', 'tuple', 'set', 'frozenset'].includes(e.fn.name) ? [] : e.fn.name === 'dict' ? new Map() : HOLE;
    if (e.args.length > 1 || !CONVERSIONS.has(e.fn.name)) return HOLE;
    const x = args()[0]!;
    switch (e.fn.name) {
      case 'int':
        if (typeof x === 'number') return Math.trunc(x);
        if (typeof x === 'string' && /^\s*[-+]?\d+\s*$/.test(x)) return Number(x);
        return typeof x === 'boolean' ? Number(x) : HOLE;
      case 'float':
        if (typeof x === 'number') return x;
        return typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x)) ? Number(x) : HOLE;
      case 'str':
        return typeof x === 'string' ? x : (formattable(x, false)?.text ?? HOLE);
      case 'len':
        return Array.isArray(x) || typeof x === 'string' ? x.length : x instanceof Map ? x.size : HOLE;
      case 'list':
      case 'tuple':
      case 'set':
      case 'frozenset':
        return Array.isArray(x) ? [...x] : x instanceof Map ? [...x.keys()] : HOLE;
      case 'sorted': {
        const items = Array.isArray(x) ? [...x] : x instanceof Map ? [...x.keys()] : undefined;
        if (!items) return HOLE;
        if (items.length <= 1) return items;
        let comparable = true;
        items.sort((a, b) => {
          const c = compareValues(a, b);
          if (c === undefined) comparable = false;
          return c ?? 0;
        });
        return comparable ? items : HOLE;
      }
      case 'dict':
        return x instanceof Map ? new Map(x) : HOLE;
    }
    return HOLE;
  }
  if (e.fn.k !== 'attr') return HOLE;
  const name = e.fn.name;
  const object = e.fn.obj;
  if (name === 'format') return textOf(e, frame, false, budget) ?? HOLE;
  if (object.k === 'name' && object.name === 'json' && name === 'loads') {
    const [text] = args();
    return typeof text === 'string' ? (parseJson(text) ?? HOLE) : HOLE;
  }
  if (object.k === 'name' && object.name === 'copy' && (name === 'copy' || name === 'deepcopy')) {
    const x = args()[0] ?? HOLE;
    return name === 'deepcopy' ? deepCopy(x) : shallowCopy(x);
  }
  if (!DICT_METHODS.has(name)) return HOLE;
  const base = litOf(object, frame, budget);
  if (base instanceof Map) {
    if (name === 'get') {
      const [k, fallback] = args();
      const key = keyOf(k ?? HOLE);
      if (key === undefined) return HOLE;
      return base.has(key) ? base.get(key)! : (fallback ?? null);
    }
    if (name === 'copy') return new Map(base);
    if (name === 'keys') return [...base.keys()];
    if (name === 'values') return [...base.values()];
    if (name === 'items') return [...base].map(([k, v]) => [k, v]);
  }
  if (Array.isArray(base) && name === 'copy') return [...base];
  return HOLE;
}

/** Python's `<` on numbers, strings and lists of them; undefined where Python raises or a part is unknown. */
function compareValues(a: Lit, b: Lit, depth = 0): number | undefined {
  if (depth > MAX_LITERAL_DEPTH) return undefined; // a list that holds itself
  const num = (v: Lit) => (typeof v === 'boolean' ? Number(v) : v);
  const x = num(a);
  const y = num(b);
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = compareValues(x[i]!, y[i]!, depth + 1);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  return undefined;
}

/** The functions and methods {@link callOf} evaluates. */
const CONVERSIONS = new Set(['int', 'float', 'str', 'len', 'list', 'tuple', 'set', 'frozenset', 'sorted', 'dict']);
const DICT_METHODS = new Set(['get', 'copy', 'keys', 'values', 'items']);

function shallowCopy(x: Lit): Lit {
  return Array.isArray(x) ? [...x] : x instanceof Map ? new Map(x) : x;
}

function deepCopy(x: Lit, depth = 0): Lit {
  if (depth > MAX_LITERAL_DEPTH) return HOLE;
  if (Array.isArray(x)) return x.map((i) => deepCopy(i, depth + 1));
  if (x instanceof Map) return new Map([...x].map(([k, v]) => [k, deepCopy(v, depth + 1)]));
  return x;
}

function itemOf(base: Lit, index: Lit): Lit {
  if (base instanceof Map) {
    const k = keyOf(index);
    return k !== undefined && base.has(k) ? base.get(k)! : HOLE;
  }
  if ((Array.isArray(base) || typeof base === 'string') && typeof index === 'number' && Number.isInteger(index)) {
    const i = index < 0 ? base.length + index : index;
    return i >= 0 && i < base.length ? base[i]! : HOLE;
  }
  return HOLE;
}

/** What `%s`, `%d`, `{}` make of a value; with `holes`, an unknown value is a sentinel for `{}`. */
function formattable(v: Lit, holes: boolean): Formattable {
  if (typeof v === 'string') return { text: v, isString: true };
  if (typeof v === 'number') return { text: String(v), numeric: v };
  if (typeof v === 'boolean') return { text: v ? 'True' : 'False' };
  if (v === null) return { text: 'None' };
  return holes ? { text: SENTINEL, numeric: SENTINEL_NUMBER } : undefined;
}

/**
 * The text of a string expression: literals (f-strings too), `+`, `%`, `.format()`, `str()`, and
 * names bound to text. With `holes`, an unknown part is `{}` and only a wholly unknown expression
 * is undefined; without, any unknown part makes it undefined.
 */
function textOf(e: Expr, frame: Frame, holes: boolean, budget: Budget): string | undefined {
  count(budget);
  const hole = holes ? '{}' : undefined;
  switch (e.k) {
    case 'str': {
      let text = '';
      for (const p of e.parts) {
        const t = typeof p === 'string' ? p : (fieldText(litOf(p, frame, budget)) ?? hole);
        if (t === undefined) return undefined;
        text += t;
      }
      return text;
    }
    case 'bin': {
      if (e.op === '+') {
        const l = textOf(e.l, frame, holes, budget);
        const r = textOf(e.r, frame, holes, budget);
        if (l === undefined && r === undefined) return undefined;
        const lt = l ?? hole;
        const rt = r ?? hole;
        return lt === undefined || rt === undefined ? undefined : lt + rt;
      }
      if (e.op !== '%') break;
      const fmt = textOf(e.l, frame, holes, budget);
      if (fmt === undefined) return undefined;
      let args: Formattable[] | Record<string, Formattable>;
      const right = litOf(e.r, frame, budget);
      if (right instanceof Map) {
        args = {};
        for (const [k, x] of right) args[k] = formattable(x, holes);
      } else if (Array.isArray(right) && !(e.r.k === 'seq' && e.r.type === 'list')) {
        args = right.map((x) => formattable(x, holes)); // a tuple of arguments
      } else {
        args = [formattable(right, holes)];
      }
      const out = percentFormat(fmt, args);
      return out ? out.text.split(SENTINEL).join('{}') : undefined;
    }
    case 'call': {
      if (e.fn.k === 'attr' && e.fn.name === 'format') {
        const fmt = textOf(e.fn.obj, frame, holes, budget);
        if (fmt === undefined) return undefined;
        const unknown = holes ? { text: '{}' } : undefined;
        const args = e.args.map((a) => formattable(litOf(a, frame, budget), false) ?? unknown);
        const kwargs: Record<string, Formattable> = {};
        for (const [k, v] of e.kwargs) kwargs[k] = formattable(litOf(v, frame, budget), false) ?? unknown;
        return strFormat(fmt, args, kwargs)?.text;
      }
      if (e.fn.k === 'name' && e.fn.name === 'str' && e.args.length === 1) return textOf(e.args[0]!, frame, holes, budget);
      break;
    }
  }
  return fieldText(litOf(e, frame, budget));
}

/** The text a known string or number contributes to a string; undefined for anything else. */
function fieldText(v: Lit): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** JSON text as a value, or undefined when it is not JSON. */
function parseJson(text: string): Lit | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const convert = (v: unknown, depth: number): Lit => {
    if (depth > MAX_LITERAL_DEPTH) return HOLE;
    if (Array.isArray(v)) return v.map((x) => convert(x, depth + 1));
    if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, convert(x, depth + 1)]));
    return v as Lit;
  };
  return convert(value, 0);
}

/** A value as JSON, `null` at unknown parts (their pointers go to `unknown`). */
function toJson(v: Lit, pointer: string, unknown: string[], budget: Budget, depth: number): JsonValue {
  count(budget);
  if (v instanceof Hole) {
    unknown.push(pointer);
    return null;
  }
  if (depth > MAX_LITERAL_DEPTH) {
    budget.cut = true;
    unknown.push(pointer);
    return null;
  }
  if (Array.isArray(v)) return v.map((x, i) => toJson(x, `${pointer}/${i}`, unknown, budget, depth + 1));
  if (v instanceof Map) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, x] of v) {
      // defineProperty: a key such as `__proto__` is a plain key.
      Object.defineProperty(out, k, { value: toJson(x, `${pointer}/${escapePointer(k)}`, unknown, budget, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
