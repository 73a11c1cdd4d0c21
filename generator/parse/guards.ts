/**
 * Guards a view cannot get past without a value: `if not x: raise …`, `if x is None: raise …`,
 * `if None in (x, y, z): raise …`, `if not all((x, y)): raise …`, `if x is None or y is None:
 * raise …`, `if not (x and y): raise …`, at the top of the function or of a `request.method`
 * block (a guard every call of that method passes). A read assigned to a guarded name is required.
 *
 * Consumes: the `@guard` matches of view-body.scm. Produces: guarded names with where each guard is.
 */
import type { SyntaxNode } from './parser.js';

/** A guarded variable: the function raises when it is missing. */
export interface Guard {
  name: string;
  line: number;
  /** The condition as written. */
  text: string;
}

/**
 * The names a condition refuses to go without (empty when it is not such a guard). Booleans are
 * refused for being false, not for being missing: the caller leaves those out.
 */
export function guardedNames(condition: SyntaxNode): string[] {
  switch (condition.type) {
    case 'parenthesized_expression':
      return condition.namedChildren[0] ? guardedNames(condition.namedChildren[0]) : [];
    case 'not_operator': {
      const arg = unwrap(condition.childForFieldName('argument'));
      if (!arg) return [];
      if (arg.type === 'identifier') return [arg.text];
      // not len(x)
      const measured = lengthOf(arg);
      if (measured) return [measured];
      // not all((x, y, z)) / not all([x, y])
      if (arg.type === 'call' && arg.childForFieldName('function')?.text === 'all') {
        const items = unwrap(arg.childForFieldName('arguments')?.namedChildren[0] ?? null);
        return items && ['tuple', 'list', 'set'].includes(items.type) ? identifiers(items.namedChildren) : [];
      }
      // not (x and y)
      if (arg.type === 'boolean_operator' && operator(arg) === 'and') return identifiers(flatten(arg, 'and'));
      return [];
    }
    case 'comparison_operator': {
      const [left, right] = condition.namedChildren;
      const op = operator(condition);
      // x is None, x == None (`is not` is one token in tree-sitter, and the opposite guard)
      if ((op === 'is' || op === '==') && left?.type === 'identifier' && right?.type === 'none') return [left.text];
      // len(x) < 1, len(x) == 0, len(x) <= 0
      const measured = left ? lengthOf(left) : undefined;
      if (measured && right?.type === 'integer' && ((op === '<' && right.text === '1') || ((op === '==' || op === '<=') && right.text === '0'))) return [measured];
      // None in (x, y, z)
      if (op === 'in' && left?.type === 'none' && right && ['tuple', 'list', 'set'].includes(unwrap(right)!.type)) return identifiers(unwrap(right)!.namedChildren);
      return [];
    }
    case 'boolean_operator':
      // x is None or y is None, not x or not y: each side alone makes it raise.
      return operator(condition) === 'or' ? flatten(condition, 'or').flatMap((c) => guardedNames(c)) : [];
    default:
      return [];
  }
}

/** `len(x)` → x. */
function lengthOf(node: SyntaxNode): string | undefined {
  const inner = unwrap(node);
  if (inner?.type !== 'call' || inner.childForFieldName('function')?.text !== 'len') return undefined;
  const arg = inner.childForFieldName('arguments')?.namedChildren[0];
  return arg?.type === 'identifier' ? arg.text : undefined;
}

function unwrap(node: SyntaxNode | null | undefined): SyntaxNode | undefined {
  let at = node ?? undefined;
  while (at?.type === 'parenthesized_expression' && at.namedChildren.length === 1) at = at.namedChildren[0];
  return at;
}

function operator(node: SyntaxNode): string | undefined {
  return node.children.find((c) => !c.isNamed)?.type;
}

/** The operands of a chain of one boolean operator: `a or b or c` → a, b, c. */
function flatten(node: SyntaxNode, op: string): SyntaxNode[] {
  const inner = unwrap(node);
  if (inner?.type === 'boolean_operator' && operator(inner) === op) return inner.namedChildren.flatMap((c) => flatten(c, op));
  return inner ? [inner] : [];
}

function identifiers(nodes: SyntaxNode[]): string[] {
  return nodes.filter((n) => n.type === 'identifier').map((n) => n.text);
}
