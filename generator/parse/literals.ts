/**
 * Python literals a function body names things with: string literals, and the collections a loop
 * runs over when they are written out (`for p in ('minx', 'maxx')`, `for p in float_values.keys()`
 * with `float_values = {'x': 0, …}` in the function or at module level).
 *
 * Consumes: expression nodes. Produces: strings, and the keys (with value nodes) of literal
 * collections.
 */
import { Env, evaluate, type EvalContext } from './evaluate.js';
import type { SyntaxNode } from './parser.js';

const evalCtx: EvalContext = { hook: () => undefined, depth: 0, loops: [], conditions: [] };

/** The literal of a string node (docstrings, dictionary keys), or undefined when it is not one. */
export function stringLiteral(node: SyntaxNode): string | undefined {
  const v = evaluate(node, new Env(), evalCtx);
  return v.kind === 'str' && !v.symbolic ? v.value : undefined;
}

/** A literal collection's keys in source order, and for a dict the node of each key's value. */
export interface LiteralKeys {
  names: string[];
  values?: Map<string, SyntaxNode>;
  /** The collection as written (`float_values.keys()`), for evidence. */
  text: string;
}

/** Finds the node a name is assigned in the function body, or else at module level. */
export type AssignmentLookup = (name: string) => SyntaxNode | undefined;

/** Iterating calls that yield a dict's keys first: `d.keys()`, `d.items()`, Python 2's `d.iteritems()`. */
const KEY_ITERATORS = new Set(['keys', 'items', 'iterkeys', 'iteritems']);

/**
 * The names a loop's iterable yields when it is a literal: a list, tuple or set of strings, a dict
 * (its keys), `d.keys()`/`d.items()` of a literal dict, or a name assigned one of those (in the
 * function, else at module level). Undefined when they cannot be known.
 */
export function literalKeys(node: SyntaxNode, lookup: AssignmentLookup, depth = 0): LiteralKeys | undefined {
  if (depth > 4) return undefined;
  switch (node.type) {
    case 'identifier': {
      const value = lookup(node.text);
      if (!value || value.type === 'identifier') return undefined;
      const found = literalKeys(value, lookup, depth + 1);
      return found ? { ...found, text: node.text } : undefined;
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      if (fn?.type === 'attribute' && method && KEY_ITERATORS.has(method)) {
        const found = literalKeys(fn.childForFieldName('object')!, lookup, depth + 1);
        return found?.values ? { ...found, text: node.text } : undefined;
      }
      // sorted(d), list(d), tuple(d), set(d)
      const first = node.childForFieldName('arguments')?.namedChildren[0];
      if (fn?.type === 'identifier' && ['sorted', 'list', 'tuple', 'set'].includes(fn.text) && first) {
        const found = literalKeys(first, lookup, depth + 1);
        return found ? { ...found, text: node.text } : undefined;
      }
      return undefined;
    }
    case 'parenthesized_expression':
      return node.namedChildren[0] ? literalKeys(node.namedChildren[0], lookup, depth + 1) : undefined;
    case 'list':
    case 'tuple':
    case 'set': {
      const names: string[] = [];
      for (const item of node.namedChildren) {
        if (item.type === 'comment') continue;
        const s = item.type === 'string' ? stringLiteral(item) : undefined;
        if (s === undefined) return undefined;
        names.push(s);
      }
      return { names, text: node.text };
    }
    case 'dictionary': {
      const names: string[] = [];
      const values = new Map<string, SyntaxNode>();
      for (const entry of node.namedChildren) {
        if (entry.type === 'comment') continue;
        if (entry.type !== 'pair') return undefined;
        const key = entry.childForFieldName('key');
        const s = key?.type === 'string' ? stringLiteral(key) : undefined;
        if (s === undefined) return undefined;
        names.push(s);
        values.set(s, entry.childForFieldName('value')!);
      }
      return { names, values, text: node.text };
    }
    default:
      return undefined;
  }
}

/**
 * The value a function body or module assigns to a name: the right side of its first plain
 * assignment at the top level of `body` (annotated ones too: `d: Dict = {…}`), else of the
 * module's own assignment.
 */
export function assignmentLookup(body: SyntaxNode, moduleAssignment: AssignmentLookup): AssignmentLookup {
  return (name) => {
    for (const stmt of body.namedChildren) {
      const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) {
        return a.childForFieldName('right') ?? undefined;
      }
    }
    return moduleAssignment(name);
  };
}

export { evalCtx as literalEvalContext };
