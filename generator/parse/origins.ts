/**
 * Where the values a function works on come from, relative to its own parameters: `request.POST`
 * is the `POST` dictionary of the parameter `request`; `params` is whatever the parameter `params`
 * was handed (a helper given `request.POST`); `data = request.POST if request.method == 'POST'
 * else request.GET` is one or the other, under a method. Whether `request` really is Django's
 * `HttpRequest` is decided later, when the model binds a view's parameters (request-flow.ts), so
 * the facts of a function are read once and serve every call of it.
 *
 * Consumes: expression nodes of a function body and the names bound in it.
 * Produces: {@link Origin}s.
 */
import { stringLiteral } from './literals.js';
import type { SyntaxNode } from './parser.js';

/** Where a request dictionary's values come from on the wire. */
export type RequestDict = 'GET' | 'POST' | 'data' | 'query_params' | 'REQUEST' | 'FILES';

export const DICTS: ReadonlySet<string> = new Set<RequestDict>(['GET', 'POST', 'data', 'query_params', 'REQUEST', 'FILES']);
export const HTTP_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** A value flowing from one of the function's parameters. */
export interface Origin {
  /** The parameter it comes from (`request`, `params`). */
  param: string;
  /** The request dictionary read off that parameter (`request.POST`); absent when the parameter itself is the value. */
  dict?: RequestDict;
  /** Methods under which this origin is the one chosen (`request.POST if request.method == 'POST' else request.GET`). */
  methods?: string[];
}

/** Names bound in a function: its parameters, and local aliases of request values. */
export interface Scope {
  params: ReadonlySet<string>;
  aliases: ReadonlyMap<string, Origin[]>;
}

/**
 * The origins an expression denotes: `request.POST`, a parameter, an alias,
 * `request.POST if request.method == 'POST' else request.GET`, `request.POST.copy()`,
 * `request.POST.dict()`, `dict(request.POST)`; else undefined.
 */
export function originsOf(expr: SyntaxNode, scope: Scope): Origin[] | undefined {
  switch (expr.type) {
    case 'identifier':
      if (scope.aliases.has(expr.text)) return scope.aliases.get(expr.text);
      return scope.params.has(expr.text) ? [{ param: expr.text }] : undefined;
    case 'attribute': {
      const object = expr.childForFieldName('object');
      const attr = expr.childForFieldName('attribute')?.text;
      if (object?.type === 'identifier' && scope.params.has(object.text) && attr && DICTS.has(attr)) {
        return [{ param: object.text, dict: attr as RequestDict }];
      }
      return undefined;
    }
    case 'parenthesized_expression':
      return expr.namedChildren[0] ? originsOf(expr.namedChildren[0], scope) : undefined;
    case 'call': {
      const fn = expr.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      if (fn?.type === 'attribute' && (method === 'copy' || method === 'dict')) return originsOf(fn.childForFieldName('object')!, scope);
      const first = expr.childForFieldName('arguments')?.namedChildren[0];
      if (fn?.type === 'identifier' && fn.text === 'dict' && first) return originsOf(first, scope);
      return undefined;
    }
    case 'conditional_expression': {
      const [whenTrue, condition, whenFalse] = expr.namedChildren;
      if (!whenTrue || !condition || !whenFalse) return undefined;
      const a = originsOf(whenTrue, scope);
      const b = originsOf(whenFalse, scope);
      if (!a && !b) return undefined;
      const methods = methodComparison(condition, scope);
      const negated = methods ? HTTP_METHODS.filter((x) => !methods.includes(x)) : undefined;
      return [
        ...(a ?? []).map((s) => ({ ...s, ...(methods ? { methods } : {}) })),
        ...(b ?? []).map((s) => ({ ...s, ...(negated ? { methods: negated } : {}) })),
      ];
    }
    default:
      return undefined;
  }
}

/**
 * `request.method == 'POST'` → ['POST']; `request.method in ('GET', 'POST')` → both;
 * `!=`/`not in` → every other method; else undefined. `request` is any parameter of the function.
 */
export function methodComparison(node: SyntaxNode, scope: Pick<Scope, 'params'>): string[] | undefined {
  if (node.type !== 'comparison_operator') return undefined;
  const [left, right] = node.namedChildren;
  const op = node.children.find((c) => !c.isNamed)?.type;
  const isMethod = (n: SyntaxNode | undefined) =>
    n?.type === 'attribute' && n.childForFieldName('attribute')?.text === 'method' && scope.params.has(n.childForFieldName('object')?.text ?? '');
  const other = isMethod(left) ? right : isMethod(right) ? left : undefined;
  if (!other || !op) return undefined;
  const literals = (other.type === 'string' ? [other] : other.type === 'tuple' || other.type === 'list' || other.type === 'set' ? other.namedChildren : [])
    .map(stringLiteral)
    .filter((s): s is string => !!s && HTTP_METHODS.includes(s.toUpperCase()))
    .map((s) => s.toUpperCase());
  if (literals.length === 0) return undefined;
  if (op === '==' || op === 'in') return literals;
  if (op === '!=' || op === 'not in') return HTTP_METHODS.filter((x) => !literals.includes(x));
  return undefined;
}
