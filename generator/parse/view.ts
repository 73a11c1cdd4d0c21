/**
 * Reads what a Django view's definition says around its body: decorators (`@api_view`,
 * `@require_POST`, `@requires_user_role(...)`), the docstring, and for a class view its bases,
 * handler methods and `http_method_names`. The body itself is read by function-facts.ts.
 *
 * Consumes: a function or class definition node and its module's {@link ModuleFacts}.
 * Produces: {@link DecoratorFact}s, docstrings, {@link ClassFacts}, plain data with lines.
 */
import { Env, evaluate, toJson, type EvalContext, type JsonValue, type Value } from './evaluate.js';
import { stringLiteral } from './literals.js';
import { decodeEscapes } from './python-literals.js';
import type { ModuleFacts } from './module.js';
import type { SyntaxNode } from './parser.js';


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

const lineOf = (n: SyntaxNode) => n.startPosition.row + 1;
const evalCtx: EvalContext = { hook: () => undefined, depth: 0, loops: [], conditions: [] };

/** An evaluation environment with a module's imports and definitions bound to qualified names. */
export function moduleEnv(facts: ModuleFacts): Env {
  // Bound when asked for: a definition of the module, else an import (the module's own
  // definition wins, as it is bound after the import).
  const lookup = (name: string): Value | undefined => {
    if (facts.definitions.has(name)) return { kind: 'ref', qname: `${facts.module}.${name}` };
    const qname = facts.imports.get(name);
    return qname !== undefined ? { kind: 'ref', qname } : undefined;
  };
  return new Env(undefined, lookup, () => facts.stars);
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
