/**
 * The assignments and mutations of the local names of a view's function body, statement by
 * statement, for reading the shape of what it returns (parse/json-shapes.ts): `x = …`,
 * `x['k'] = …`, `x += …`, `x.append/extend/update(…)`, `cursor.execute(sql)`, `for x in …`.
 *
 * Consumes: a function body node. Produces: {@link LocalValues} (nodes by name, in order).
 */
import { stringLiteral } from './literals.js';
import type { SyntaxNode } from './parser.js';

/** How a name gets its value in a function body, in statement order. */
export type ValueEvent = (
  | { kind: 'assign'; value: SyntaxNode }
  | { kind: 'key'; key: string | undefined; value: SyntaxNode }
  | { kind: 'append'; value: SyntaxNode }
  | { kind: 'extend'; value: SyntaxNode }
  | { kind: 'update'; value: SyntaxNode }
  | { kind: 'execute'; value: SyntaxNode }
  /** `for row in rows:`: the name holds an element of `value`. */
  | { kind: 'element'; value: SyntaxNode }
) & {
  /** Where the statement starts. */
  at: number;
  /** How many compound statements (if, for, try, …) it sits in: a key set deeper than the assignment may not be set. */
  depth: number;
};

/** Every statement-level assignment and mutation of local names in a function body. */
export type LocalValues = Map<string, ValueEvent[]>;

const COMPOUND = new Set(['block', 'if_statement', 'elif_clause', 'else_clause', 'for_statement', 'while_statement', 'try_statement', 'except_clause', 'finally_clause', 'with_statement']);

/** The assignments and mutations of names in a function body, statement by statement (nested functions left out). */
export function localValues(body: SyntaxNode): LocalValues {
  const out: LocalValues = new Map();
  const add = (name: string, event: ValueEvent) => {
    const events = out.get(name);
    if (events) events.push(event);
    else out.set(name, [event]);
  };
  const statement = (node: SyntaxNode, depth: number): void => {
    const e = node.firstNamedChild;
    if (e?.type === 'assignment') {
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      if (!left || !right) return;
      if (left.type === 'identifier') add(left.text, { kind: 'assign', at: node.startIndex, depth, value: right });
      else if (left.type === 'subscript') {
        const of = left.childForFieldName('value');
        const key = left.childForFieldName('subscript');
        if (of?.type === 'identifier' && key) add(of.text, { kind: 'key', at: node.startIndex, depth, key: key.type === 'string' ? stringLiteral(key) : undefined, value: right });
      }
    } else if (e?.type === 'augmented_assignment') {
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      if (left?.type === 'identifier' && right) add(left.text, { kind: 'extend', at: node.startIndex, depth, value: right });
    } else if (e?.type === 'call') {
      // rows.append(x), rows.extend(xs), result.update({…})
      const fn = e.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      const of = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
      const arg = e.childForFieldName('arguments')?.firstNamedChild;
      if (of?.type === 'identifier' && arg && (method === 'append' || method === 'extend' || method === 'update' || method === 'execute')) add(of.text, { kind: method, at: node.startIndex, depth, value: arg });
    }
  };
  // A cursor walk: only statements become node objects (crossing into tree-sitter per child is
  // what costs here).
  const cursor = body.walk();
  const visitChildren = (depth: number): void => {
    if (!cursor.gotoFirstChild()) return;
    do {
      if (!cursor.nodeIsNamed) continue;
      const type = cursor.nodeType;
      if (type === 'expression_statement') statement(cursor.currentNode, depth);
      else if (COMPOUND.has(type)) {
        if (type === 'for_statement') {
          const node = cursor.currentNode;
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (left?.type === 'identifier' && right) add(left.text, { kind: 'element', at: node.startIndex, depth, value: right });
        }
        // Statements in a block of an if, for, while, try or with sit one level deeper.
        visitChildren(type === 'block' ? depth + 1 : depth);
      }
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  };
  visitChildren(0);
  return out;
}
