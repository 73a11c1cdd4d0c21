/**
 * What a function's `return` statements construct: `JsonResponse({…})`, `HttpResponse(…,
 * content_type='text/plain')`, `render(…)`, or a call of another function (`return
 * export_skeleton_response(*args, **kwargs)`), with the JSON kind of a literal first argument.
 *
 * Consumes: the `@return` matches of view-body.scm. Produces: {@link ReturnFact}s.
 */
import { stringLiteral } from './literals.js';
import type { SyntaxNode } from './parser.js';

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
  line: number;
}

/** The return of `return <call>`, or undefined when it returns something else. */
export function readReturn(statement: SyntaxNode): ReturnFact | undefined {
  const value = statement.namedChildren[0];
  if (value?.type !== 'call') return undefined;
  const fn = value.childForFieldName('function');
  const constructor = fn?.type === 'identifier' ? fn.text : fn?.childForFieldName('attribute')?.text;
  if (!constructor || !fn) return undefined;
  const args = value.childForFieldName('arguments')?.namedChildren ?? [];
  const ct = args.find((a) => a.type === 'keyword_argument' && ['content_type', 'mimetype'].includes(a.childForFieldName('name')?.text ?? ''));
  const contentType = ct ? stringLiteral(ct.childForFieldName('value')!) : undefined;
  const first = args[0];
  const firstArgument = first?.type === 'call' ? first.childForFieldName('function')?.text : undefined;
  const shape = first ? literalShape(first) : undefined;
  return {
    constructor,
    callee: fn.text,
    ...(contentType ? { contentType } : ct ? { contentType: '?' } : {}),
    ...(firstArgument ? { firstArgument } : {}),
    ...(shape ? { shape } : {}),
    line: statement.startPosition.row + 1,
  };
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
