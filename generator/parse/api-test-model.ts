/**
 * What the reader of CATMAID's API tests keeps while it replays a module: scopes, statements,
 * frames of variables, open loops, requests and the responses bound to names; and the names of
 * Django's test client calls and unittest's assertions it recognises.
 */
import type { HttpMethod, JsonValue } from '../model/types.js';
import type { SyntaxNode } from './parser.js';
import { HOLE, type Expr, type Lit } from './py-expr.js';

export const HTTP_METHODS: Record<string, HttpMethod> = { get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE' };
/** unittest's and Django's comparisons of two values. */
export const COMPARISONS = new Set([
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
export const UNORDERED = new Set(['assertCountEqual', 'assertItemsEqual', 'assertSetEqual']);
/** Methods that change a list or dict in place. */
export const MUTATORS = new Set(['append', 'extend', 'insert', 'update', 'pop', 'remove', 'clear', 'sort', 'reverse', 'setdefault', 'popitem', 'add', 'discard']);
/** The methods a test case sets its attributes in, in the order Django calls them. */
export const SETUP_METHODS = ['setUpClass', 'setUpTestData', '__init__', 'setUp'];
/** A value that stands for an unknown `%` argument, replaced by `{}` after formatting. */
export const SENTINEL_NUMBER = Number.MAX_SAFE_INTEGER;
export const SENTINEL = String(SENTINEL_NUMBER);
/** The text of a test client object: `self.client`, or any name ending in `client` (`token_client`). */
export const CLIENT = /^(?:(?:self|cls)\s*\.\s*)?\w*client$/i;
/** How a statement-level call that makes a request or asserts starts. */
export const CALL_HEAD = /^(?:self\s*\.\s*assert(?:Status|Equals?|DictEqual|ListEqual|TupleEqual|SequenceEqual|JSONEqual|CountEqual|ItemsEqual|SetEqual)\s*\(|(?:self\s*\.\s*)?\w*client\s*\.\s*(?:get|post|put|patch|delete)\s*\()/i;
/** How a call that may change a list or dict in place starts: `x.append(`, `self.x[0]['k'].update(`. */
export const MUTATOR_HEAD = /^[\w.\s]*(?:\[[^\]\n]*\][\w.\s]*)*\.\s*(?:append|extend|insert|update|pop|remove|clear|sort|reverse|setdefault|popitem|add|discard)\s*\(/;

/** A class, a function, or the module: what scopes the statements of a module. */
export interface Scope {
  kind: 'module' | 'class' | 'function';
  start: number;
  end: number;
  name: string;
  statements: Statement[];
  children: Scope[];
  module: ModuleState;
}

export interface Statement {
  kind: 'for' | 'assign' | 'augment' | 'delete' | 'call';
  node: SyntaxNode;
  start: number;
  end: number;
}

export interface ModuleState {
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
export interface Frame {
  vars: Map<string, Lit>;
  /** Names bound to a response or a part of it; null hides an outer binding. */
  responses: Map<string, Resp | null>;
  /** `self.x` / `cls.x`. */
  self: Map<string, Lit>;
  outer?: Frame;
  loops: OpenLoop[];
  module: ModuleState;
}

export interface OpenLoop {
  names: string[];
  end: number;
  /** The items of the iterable, where it is a known list and the target one name. */
  items: Lit[] | null;
}

/** A response, its content, or its parsed JSON (a part of it: `at`). */
export interface Resp {
  requests: TestRequest[];
  kind: 'response' | 'content' | 'parsed';
  at: Array<string | number>;
  /** Compared as a set or sorted (`frozenset(parsed_response)`). */
  unordered?: boolean;
}

export interface TestRequest {
  method: HttpMethod;
  path: string;
  params: string[];
  line: number;
  status?: number;
  compared: Array<{ body: JsonValue; unknown: string[]; at: Array<string | number>; unordered: boolean }>;
}

/** The parts of a statement, read from its text or, failing that, from the tree. */
export type Parsed =
  | { kind: 'assign'; targets: Expr[]; value: Expr }
  | { kind: 'augment'; target: Expr; op: string; value: Expr }
  | { kind: 'delete'; targets: Expr[] }
  | { kind: 'call'; call: Expr }
  | { kind: 'for'; target: Expr; iterable: Expr };

export class LiteralTooLarge extends Error {}

export interface Budget {
  nodes: number;
  cut: boolean;
}

/** Deepest nesting of a literal that is read; deeper parts are unknown. */
export const MAX_LITERAL_DEPTH = 32;
/** Most parts (values and containers) an expression may have; a larger one is unknown as a whole. */
export const MAX_LITERAL_NODES = 10_000;

export function lookupVar(frame: Frame, name: string): Lit {
  for (let f: Frame | undefined = frame; f; f = f.outer) if (f.vars.has(name)) return f.vars.get(name)!;
  return HOLE;
}

/** `x` of `self.x` or `cls.x`. */
export function selfAttribute(e: Expr): string | undefined {
  return e.k === 'attr' && e.obj.k === 'name' && (e.obj.name === 'self' || e.obj.name === 'cls') ? e.name : undefined;
}
