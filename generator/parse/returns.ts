/**
 * What a function's `return` statements construct: `JsonResponse({…})`, `HttpResponse(…,
 * content_type='text/plain')`, `render(…)`, or a call of another function (`return
 * export_skeleton_response(*args, **kwargs)`), with the JSON kind of a literal first argument.
 *
 * Consumes: the `@return` matches of view-body.scm. Produces: {@link ReturnFact}s.
 */
import type { JsonSchema } from '../model/types.js';
import { shapeOf, type ShapeScope } from './json-shapes.js';
import { stringLiteral } from './literals.js';
import type { SyntaxNode } from './parser.js';
import { SQL_JSON } from './sql-shapes.js';

/**
 * The JSON kind a return statement builds when its first argument is a literal:
 * `JsonResponse({'a': …})` is an object with keys `a` (keys unknown when one is computed or `**`
 * spread), `JsonResponse([…], safe=False)` or a comprehension an array.
 */
export interface ReturnedShape {
  kind: 'object' | 'array';
  keys?: string[];
}

export interface ReturnFact {
  /** What is called: `JsonResponse`, `HttpResponse`, `render`, or a helper's name (last part of a dotted name). */
  constructor: string;
  /** The called expression as written, when dotted (`common.helper`). */
  callee: string;
  /** A literal `content_type=`/`mimetype=`; `?` when the code sets one that is not a literal. */
  contentType?: string;
  /** The function called for the first argument (`json.dumps`). */
  firstArgument?: string;
  shape?: ReturnedShape;
  /**
   * For a JSON answer (`JsonResponse(x)`, REST framework's `Response(x)`,
   * `HttpResponse(json.dumps(x))`): the JSON Schema of `x` as far as the code shows it, with
   * calls of other functions as `{ $call }` placeholders.
   */
  schema?: JsonSchema;
  line: number;
  /**
   * `if format == 'swc':` tests of the function's parameters the return sits under (`elif` too):
   * a caller that passes `format='json'` never reaches it.
   */
  when?: Array<{ param: string; value: string }>;
  /** The `request.method` branch the return sits in (`if request.method == 'GET':`), where it is in one. */
  methods?: string[];
}

/** The scope to read answers' shapes in, made when first needed (undefined: shapes are not read). */
export type ShapeScopeOf = () => ShapeScope;

/** The return of `return <call>`, or undefined when it returns something else. */
export function readReturn(statement: SyntaxNode, params: ReadonlySet<string> = new Set(), scope?: ShapeScopeOf): ReturnFact | undefined {
  const value = statement.namedChildren[0];
  return value?.type === 'call' ? readReturnOfCall(value, statement, params, scope) : undefined;
}

/** Constructors whose first argument is the JSON of the answer: Django's and REST framework's. */
const JSON_ANSWERS = new Set(['JsonResponse', 'Response']);

/** The expression whose JSON is the answer: `x` of `JsonResponse(x)` or `HttpResponse(json.dumps(x))`. */
function jsonArgument(constructor: string, first: SyntaxNode | undefined): SyntaxNode | undefined {
  if (!first || first.type === 'keyword_argument') return undefined;
  if (JSON_ANSWERS.has(constructor)) return first;
  if (constructor === 'HttpResponse' && first.type === 'call' && /(^|\.)dumps$/.test(first.childForFieldName('function')?.text ?? '')) {
    const inner = first.childForFieldName('arguments')?.namedChildren[0];
    return inner && inner.type !== 'keyword_argument' ? inner : undefined;
  }
  return undefined;
}

/** An `HttpResponse` body taken from a query's rows (`cursor.fetchone()[0]`): the only text whose JSON is looked into. */
const FETCHED = /\.fetch(?:one|all|many)\s*\(/;

/** `cursor.fetchone()[0]`, or a name in a function that fetches rows of JSON the query builds. */
function fromQuery(first: SyntaxNode): boolean {
  if (FETCHED.test(first.text)) return true;
  if (first.type !== 'identifier') return false;
  let fn: SyntaxNode | null = first.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  const text = fn?.text ?? '';
  return FETCHED.test(text) && /json_|_to_json/i.test(text);
}

/**
 * `HttpResponse(cursor.fetchone()[0], content_type='application/json')`: the body is JSON that
 * the query built (parse/sql-shapes.ts); its shape, or undefined for any other text.
 */
function sqlJsonText(first: SyntaxNode, scope: ShapeScope, before: number): JsonSchema | undefined {
  const built = shapeOf(first, scope, before)[SQL_JSON];
  return built && typeof built === 'object' && !Array.isArray(built) ? (built as JsonSchema) : undefined;
}

/** What `value` (a call) constructs, as returned by `statement`. */
function readReturnOfCall(value: SyntaxNode, statement: SyntaxNode, params: ReadonlySet<string>, scope?: ShapeScopeOf): ReturnFact | undefined {
  const fn = value.childForFieldName('function');
  const constructor = fn?.type === 'identifier' ? fn.text : fn?.childForFieldName('attribute')?.text;
  if (!constructor || !fn) return undefined;
  const args = value.childForFieldName('arguments')?.namedChildren ?? [];
  const ct = args.find((a) => a.type === 'keyword_argument' && ['content_type', 'mimetype'].includes(a.childForFieldName('name')?.text ?? ''));
  const contentType = ct ? stringLiteral(ct.childForFieldName('value')!) : undefined;
  const first = args[0];
  const firstArgument = first?.type === 'call' ? first.childForFieldName('function')?.text : undefined;
  const shape = first ? literalShape(first) : undefined;
  const json = scope ? jsonArgument(constructor, first) : undefined;
  const schema = json ? shapeOf(json, scope!(), statement.startIndex) : scope && constructor === 'HttpResponse' && first && first.type !== 'keyword_argument' && fromQuery(first) ? sqlJsonText(first, scope(), statement.startIndex) : undefined;
  const when = params.size ? parameterTests(statement, params) : [];
  return {
    constructor,
    callee: fn.text,
    ...(contentType ? { contentType } : ct ? { contentType: '?' } : {}),
    ...(firstArgument ? { firstArgument } : {}),
    ...(shape ? { shape } : {}),
    ...(schema ? { schema } : {}),
    line: statement.startPosition.row + 1,
    ...(when.length ? { when } : {}),
  };
}

/**
 * `response = HttpResponse(…, content_type='text/plain')` … `return response`: the return of what
 * the variable was last assigned in the function before the return (a response set up, then
 * returned); a content type set later by subscript (`response['Content-Type'] = …`) is not a
 * literal the call shows, so it is `?`.
 */
export function readReturnedVariable(statement: SyntaxNode, name: SyntaxNode, body: SyntaxNode, params: ReadonlySet<string>, scope?: ShapeScopeOf): ReturnFact | undefined {
  let assigned: SyntaxNode | undefined;
  let retyped = false;
  // Statements only, in order, down through compound statements: no walk of every expression.
  const visit = (node: SyntaxNode) => {
    if (node.startIndex >= statement.startIndex) return;
    if (node.type === 'expression_statement') {
      const a = node.namedChildren[0];
      if (a?.type !== 'assignment') return;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type === 'identifier' && left.text === name.text && right?.type === 'call') assigned = right;
      if (left?.type === 'subscript' && left.childForFieldName('value')?.text === name.text && /content-type/i.test(left.childForFieldName('subscript')?.text ?? '')) retyped = true;
      return;
    }
    if (!COMPOUND.has(node.type)) return;
    for (const c of node.namedChildren) visit(c);
  };
  for (const c of body.namedChildren) visit(c);
  if (!assigned) return undefined;
  // Read it as if it were returned where the return is.
  const fact = readReturnOfCall(assigned, statement, params, scope);
  return fact && retyped ? { ...fact, contentType: '?' } : fact;
}

const COMPOUND = new Set(['block', 'if_statement', 'elif_clause', 'else_clause', 'for_statement', 'while_statement', 'try_statement', 'except_clause', 'finally_clause', 'with_statement']);

/** The `if param == 'literal':` / `elif …` blocks a statement sits in. */
function parameterTests(statement: SyntaxNode, params: ReadonlySet<string>): Array<{ param: string; value: string }> {
  const out: Array<{ param: string; value: string }> = [];
  for (let at: SyntaxNode | null = statement; at?.parent; at = at.parent) {
    const owner = at.parent;
    if (at.type !== 'block' || (owner.type !== 'if_statement' && owner.type !== 'elif_clause') || owner.childForFieldName('consequence')?.id !== at.id) continue;
    const condition = owner.childForFieldName('condition');
    if (condition?.type !== 'comparison_operator' || condition.children.find((c) => !c.isNamed)?.type !== '==') continue;
    const [left, right] = condition.namedChildren;
    const name = left?.type === 'identifier' ? left : right?.type === 'identifier' ? right : undefined;
    const literal = left?.type === 'string' ? left : right?.type === 'string' ? right : undefined;
    const value = literal ? stringLiteral(literal) : undefined;
    if (name && value !== undefined && params.has(name.text)) out.push({ param: name.text, value });
  }
  return out;
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
