/**
 * The statements of an API test module as the reader replays them: read from their text with the
 * expression reader of parse/py-expr.ts, or from the tree where it does not handle them; and the
 * small helpers on frames, names and requests the reader shares.
 */
import { CLIENT, MAX_LITERAL_DEPTH, selfAttribute, type Frame, type ModuleState, type Parsed, type Resp, type Statement, type TestRequest } from './api-test-model.js';
import type { SyntaxNode } from './parser.js';
import { ExprReader, ExprTooLarge, HOLE, keyOf, OPAQUE, parseExpression, Unsupported, UNSUPPORTED, type Expr, type ExprBudget, type Lit } from './py-expr.js';

/** `class Name(…):` / `def name(…):` → the name; HEADER: what is between the parentheses. */
export const DEFINITION = /^(?:async\s+)?(?:class|def)\s+([A-Za-z_]\w*)/;
export const HEADER = /^(?:async\s+)?(?:class|def)\s+[A-Za-z_]\w*\s*\(([^)]*)\)/;
/** The name an assignment starts with, for one that is too large to read. */
export const ASSIGNED_NAME = /^([A-Za-z_]\w*)\s*[=:]/;
export const AUGMENTED = /(\+|-|\*\*|\*|\/\/|\/|%|@|&|\||\^|>>|<<)=/y;

/** A statement's parts from its text; throws {@link Unsupported} for what the text reader does not handle. */
export function parseStatementText(s: Statement, src: string, budget: ExprBudget): Parsed {
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
export function parseStatementTree(s: Statement, src: string, budget: ExprBudget): Parsed | undefined {
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
export function exprOfNode(node: SyntaxNode, src: string, budget: ExprBudget, depth: number): Expr {
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


export function lookupResp(frame: Frame, name: string): Resp | undefined {
  for (let f: Frame | undefined = frame; f; f = f.outer) {
    if (f.responses.has(name)) return f.responses.get(name) ?? undefined;
    if (f.vars.has(name)) return undefined;
  }
  return undefined;
}

/** Ends the loops a statement is past; their variables are unknown after them. */
export function closeLoops(frame: Frame, start: number): void {
  while (frame.loops.length > 0 && frame.loops[frame.loops.length - 1]!.end <= start) {
    for (const n of frame.loops.pop()!.names) frame.vars.set(n, HOLE);
  }
}

/** Makes the variable (or `self.x`) a changed expression starts from unknown. */
export function forget(e: Expr, frame: Frame): void {
  let x = e;
  while (x.k === 'index' || (x.k === 'attr' && selfAttribute(x) === undefined) || x.k === 'call') x = x.k === 'call' ? x.fn : x.obj;
  if (x.k === 'name') frame.vars.set(x.name, HOLE);
  else if (selfAttribute(x) !== undefined) frame.self.set(selfAttribute(x)!, HOLE);
}


/** Django's test client: `self.client`, or any name ending in `client` (`token_client`). */
export function isClient(e: Expr): boolean {
  if (e.k === 'name') return CLIENT.test(e.name);
  const attr = selfAttribute(e);
  return attr !== undefined && CLIENT.test(attr);
}

export function namesOf(e: Expr): string[] {
  if (e.k === 'name') return [e.name];
  if (e.k === 'seq') return e.items.flatMap(namesOf);
  return [];
}

export function kwarg(call: Extract<Expr, { k: 'call' }>, name: string): Expr | undefined {
  return call.kwargs.find(([k]) => k === name)?.[1];
}

export function lineAt(module: ModuleState, offset: number): number {
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
export function splitTopLevel(text: string): string[] {
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

export function setStatus(requests: TestRequest[], code: number): void {
  for (const r of requests) r.status ??= code;
}

export function setItem(container: Lit, key: Lit, value: Lit): boolean {
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

export function queryParamNames(query: string): string[] {
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
