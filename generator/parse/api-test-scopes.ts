/**
 * The outline of a CATMAID API test module: its classes and functions, with the statements of each
 * (one pass of `queries/api-tests.scm`), and its classes with the names of their bases (a pass of
 * `queries/api-test-classes.scm`) for the index of which modules define which class
 * (parse/api-tests.ts). The replay of the statements is parse/api-test-reader.ts.
 *
 * Consumes: parsed test modules. Produces: {@link ModuleState}s with their scopes, and {@link TestClass}es.
 */
import type { ModuleState, Scope, Statement } from './api-test-model.js';
import { DEFINITION, HEADER, splitTopLevel } from './api-test-statements.js';
import { query, type ParsedFile } from './parser.js';

/** A class of a test module and the names of the classes it derives from (`Base`, `m.Base` → `Base`). */
export interface TestClass {
  name: string;
  bases: string[];
}

/** Where the classes a test module derives from are: for a base class's name, the test modules defining one, sorted. */
export interface BaseClasses {
  filesDefining(name: string): readonly string[];
  /** A test module, parsed (null when it cannot be read). */
  load(file: string): ParsedFile | null;
}

/** The classes of a test module, in source order (nested ones included), with their bases' names. */
export function testClasses(parsed: ParsedFile): TestClass[] {
  return query('api-test-classes')
    .captures(parsed.tree.rootNode)
    .map(({ node }) => ({ name: definedName(parsed.text, node.startIndex), bases: baseNames(parsed.text, node.startIndex, node.endIndex) }));
}

/** A module's classes and functions, with the statements of each, from one pass of `queries/api-tests.scm`. */
export function readScopes(parsed: ParsedFile): ModuleState {
  const lineStarts = [0];
  for (let i = parsed.text.indexOf('\n'); i >= 0; i = parsed.text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const module = { file: parsed.file, src: parsed.text, lineStarts, requestsByCall: new Map(), requests: [] } as unknown as ModuleState;
  const root: Scope = { kind: 'module', start: 0, end: Infinity, name: '', statements: [], children: [], module };
  module.root = root;
  module.frame = { vars: new Map(), responses: new Map(), self: new Map(), loops: [], module };
  const stack: Scope[] = [root];
  for (const { name, node } of query('api-tests').captures(parsed.tree.rootNode)) {
    const start = node.startIndex;
    const end = node.endIndex;
    while (stack.length > 1 && stack[stack.length - 1]!.end <= start) stack.pop();
    const top = stack[stack.length - 1]!;
    if (name === 'class' || name === 'function') {
      const scope: Scope = { kind: name, start, end, name: definedName(parsed.text, start), statements: [], children: [], module };
      top.children.push(scope);
      stack.push(scope);
    } else {
      top.statements.push({ kind: name as Statement['kind'], node, start, end });
    }
  }
  return module;
}

/** The classes below a scope, in source order. */
export function classesIn(scope: Scope): Scope[] {
  return scope.children.flatMap((c) => (c.kind === 'class' ? [c, ...classesIn(c)] : classesIn(c)));
}

/** The name a `class` or `def` at `start` of a module's text defines. */
function definedName(src: string, start: number): string {
  return DEFINITION.exec(src.slice(start, start + 200))?.[1] ?? '';
}

/**
 * The names of the classes the class from `start` to `end` of a module's text names as its bases
 * (`metaclass=…` and the like left out).
 */
export function baseNames(src: string, start: number, end: number): string[] {
  const header = HEADER.exec(src.slice(start, Math.min(end, start + 500)))?.[1] ?? '';
  const names: string[] = [];
  for (const base of splitTopLevel(header)) {
    const name = /(?:^|\.)\s*([A-Za-z_]\w*)\s*$/.exec(base)?.[1];
    if (name && !base.includes('=')) names.push(name);
  }
  return names;
}
