/**
 * `request.method` tests in a function body: which methods each `if request.method == 'X':`
 * block is for (so that reads and writes inside it belong to those methods), and whether any
 * method that no test names still reaches code (an `else:`, code after the test, a
 * `request.POST if request.method == 'POST' else request.GET`), which Django then serves too.
 *
 * Consumes: the comparison nodes view-body.scm found and the function's parameters.
 * Produces: {@link MethodTests}.
 */
import { HTTP_METHODS, methodComparison, type Scope } from './origins.js';
import type { SyntaxNode } from './parser.js';

/** One `if request.method …` test. */
export interface MethodTest {
  /** Methods its block is for. */
  methods: string[];
  line: number;
  /** The condition as written. */
  text: string;
}

export interface MethodTests {
  tests: MethodTest[];
  /** Blocks of the tests as byte ranges, innermost found by {@link MethodTests.branchOf}. */
  branchOf: (node: SyntaxNode) => string[] | undefined;
  /**
   * True when some method no test names still runs code of the function: no test at all, an
   * `else:`, a `!=` test, code after an `if` chain, or a method-chosen dictionary.
   */
  otherMethods: boolean;
  /** Why {@link otherMethods} is true, where there are tests. */
  otherEvidence?: { text: string; line: number };
}

const lineOf = (n: SyntaxNode) => n.startPosition.row + 1;
const BLOCK_OWNERS = new Set(['try_statement', 'with_statement']);

/** Reads the method tests among `comparisons` (every comparison node of the body). */
export function readMethodTests(body: SyntaxNode, comparisons: SyntaxNode[], scope: Pick<Scope, 'params'>): MethodTests {
  const tests: MethodTest[] = [];
  const branches: Array<{ start: number; end: number; methods: string[] }> = [];
  let otherEvidence: { text: string; line: number } | undefined;
  const elseRanges = new Set<number>();
  for (const comparison of comparisons) {
    const methods = methodComparison(comparison, scope);
    if (!methods) continue;
    const parent = conditionOwner(comparison);
    if (!parent) {
      // `request.POST if request.method == 'POST' else request.GET`: the test's methods get their
      // side, and the other side serves the rest.
      const choice = comparison.parent;
      if (choice?.type === 'conditional_expression' && choice.namedChildren[1]?.id === comparison.id) {
        const text = comparison.text.replace(/\s+/g, ' ');
        const negated = methods.length > HTTP_METHODS.length / 2;
        tests.push({ methods: negated ? HTTP_METHODS.filter((m) => !methods.includes(m)) : methods, line: lineOf(comparison), text });
        otherEvidence ??= { text: choice.text.replace(/\s+/g, ' '), line: lineOf(choice) };
      }
      continue;
    }
    const block = parent.childForFieldName('consequence');
    if (block) branches.push({ start: block.startIndex, end: block.endIndex, methods });
    const text = comparison.text.replace(/\s+/g, ' ');
    const negated = methods.length > HTTP_METHODS.length / 2;
    // `if request.method != 'GET': return …` leaves only GET to the code after it.
    const named = negated ? HTTP_METHODS.filter((m) => !methods.includes(m)) : methods;
    tests.push({ methods: named, line: lineOf(comparison), text });
    if (negated && !(block && exits(block))) otherEvidence ??= { text, line: lineOf(comparison) };
    const chain = parent.type === 'if_statement' ? parent : parent.parent;
    if (!negated && chain?.type === 'if_statement') {
      const elseClause = chain.namedChildren.find((c) => c.type === 'else_clause');
      if (elseClause) {
        otherEvidence ??= { text: 'else: after a request.method test', line: lineOf(elseClause) };
        // The else block is for every method the chain's tests do not name.
        const named = new Set(chainMethods(chain, scope));
        const rest = HTTP_METHODS.filter((m) => !named.has(m));
        const elseBlock = elseClause.childForFieldName('body');
        if (elseBlock && !elseRanges.has(elseBlock.id)) {
          elseRanges.add(elseBlock.id);
          branches.push({ start: elseBlock.startIndex, end: elseBlock.endIndex, methods: rest });
        }
      }
      else if (!endsFunction(chain, body)) otherEvidence ??= { text: 'code after a request.method test', line: lineOf(chain) };
    }
  }
  const branchOf = (node: SyntaxNode): string[] | undefined => {
    const at = node.startIndex;
    let best: { start: number; end: number; methods: string[] } | undefined;
    for (const b of branches) if (b.start <= at && at < b.end && (!best || b.end - b.start < best.end - best.start)) best = b;
    return best?.methods;
  };
  return { tests, branchOf, otherMethods: tests.length === 0 || otherEvidence !== undefined, ...(otherEvidence ? { otherEvidence } : {}) };
}

/**
 * The `if`/`elif` whose condition is the comparison, also through `and` and parentheses
 * (`if request.method == 'POST' and x:`); undefined for any other place.
 */
function conditionOwner(comparison: SyntaxNode): SyntaxNode | undefined {
  let at = comparison;
  while (at.parent && (at.parent.type === 'parenthesized_expression' || (at.parent.type === 'boolean_operator' && at.parent.children.some((c) => c.type === 'and')))) at = at.parent;
  const parent = at.parent;
  if ((parent?.type === 'if_statement' || parent?.type === 'elif_clause') && parent.childForFieldName('condition')?.id === at.id) return parent;
  return undefined;
}

/** Methods the conditions of an `if`/`elif` chain name (all of them must be method tests to count). */
function chainMethods(chain: SyntaxNode, scope: Pick<Scope, 'params'>): string[] {
  const conditions = [chain.childForFieldName('condition'), ...chain.namedChildren.filter((c) => c.type === 'elif_clause').map((c) => c.childForFieldName('condition'))];
  const out: string[] = [];
  for (const c of conditions) {
    const methods = c ? methodComparison(c, scope) : undefined;
    if (!methods) return HTTP_METHODS.slice(); // a chain mixing other tests: the else is for no method in particular
    out.push(...methods);
  }
  return out;
}

/** A block whose last statement leaves the function: `return …` or `raise …`. */
function exits(block: SyntaxNode): boolean {
  const last = block.namedChildren.filter((c) => c.type !== 'comment').at(-1);
  return last?.type === 'return_statement' || last?.type === 'raise_statement';
}

/** True when nothing of the function runs after `stmt`: it is the last statement, also through a last try/with. */
function endsFunction(stmt: SyntaxNode, body: SyntaxNode): boolean {
  for (let at: SyntaxNode | null = stmt; at; ) {
    const block: SyntaxNode | null = at.parent;
    if (!block) return false;
    if (at.nextNamedSibling && at.nextNamedSibling.type !== 'comment') return false;
    if (block.id === body.id) return true;
    if (block.type !== 'block') return false;
    const owner: SyntaxNode | null = block.parent;
    if (!owner) return false;
    // The last block of a try (its body or a finally) or of a with statement.
    const tryOwner: SyntaxNode | null = owner.type === 'finally_clause' || owner.type === 'else_clause' || owner.type === 'except_clause' ? owner.parent : owner;
    if (!tryOwner || !BLOCK_OWNERS.has(tryOwner.type)) return false;
    at = tryOwner;
  }
  return false;
}
