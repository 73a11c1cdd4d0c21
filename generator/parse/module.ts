/**
 * Reads the module-level facts of a Python module that the route model needs to resolve views:
 * which names it defines (functions, classes, assignments, each with its line) and which it
 * imports from elsewhere. Found with the `definitions.scm` query, interpreted here.
 *
 * Consumes: a {@link ParsedFile}. Produces: {@link ModuleFacts}.
 */
import { createHash } from 'node:crypto';
import { importBindings } from './imports.js';
import { query, type ParsedFile, type SyntaxNode } from './parser.js';

/** A name a module defines at its top level. */
export interface Definition {
  name: string;
  /** `function` for `def`, `class` for `class`, `assignment` for `name = …`. */
  kind: 'function' | 'class' | 'assignment';
  /** 1-based line of the `def`/`class` keyword or of the assignment. */
  line: number;
  /** The definition node (function_definition, class_definition or expression_statement). */
  node: SyntaxNode;
}

export interface ModuleFacts {
  /** Dotted module name, e.g. `catmaid.control.skeleton`. */
  module: string;
  /** Path relative to the source root. */
  file: string;
  /** True for a package's `__init__.py`. */
  isPackage: boolean;
  /** Top-level definitions by name; a later definition replaces an earlier one, as in Python. */
  definitions: Map<string, Definition>;
  /** Names bound by imports, local name → qualified name. */
  imports: Map<string, string>;
  /** Modules imported with `*`, in order. */
  stars: string[];
}

const NESTING = new Set(['function_definition', 'class_definition']);
/** How deep ERROR nodes holding top-level definitions may sit (ERRORs nest in ERRORs). */
const MAX_ERROR_DEPTH = 6;

/** True when a node sits inside a function or class body (an ERROR match that is not top-level). */
function isNested(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) if (NESTING.has(p.type)) return true;
  return false;
}

export function readModuleFacts(parsed: ParsedFile, module: string, isPackage: boolean): ModuleFacts {
  const facts: ModuleFacts = {
    module,
    file: parsed.file,
    isPackage,
    definitions: new Map(),
    imports: new Map(),
    stars: [],
  };
  const found: Definition[] = [];
  const root = parsed.tree.rootNode;
  const matches = query('definitions').matches(root, { maxStartDepth: 1 });
  if (root.hasError) matches.push(...query('definitions-in-errors').matches(root, { maxStartDepth: MAX_ERROR_DEPTH }));
  for (const match of matches) {
    const main = match.captures.find((c) => !c.name.endsWith('.name'));
    if (!main) continue;
    const node = main.node;
    if (node.parent?.type === 'ERROR' && isNested(node)) continue;
    if (main.name === 'import') {
      for (const b of importBindings(node, module, isPackage)) {
        if ('star' in b) facts.stars.push(b.star);
        else facts.imports.set(b.local, b.qname);
      }
      continue;
    }
    const name = match.captures.find((c) => c.name.endsWith('.name'))?.node.text;
    if (!name) continue;
    const kind = main.name.slice('definition.'.length) as Definition['kind'];
    found.push({ name, kind, line: node.startPosition.row + 1, node });
  }
  // Source order decides which of two same-named definitions wins; query order may differ.
  found.sort((a, b) => a.node.startIndex - b.node.startIndex);
  for (const d of found) {
    facts.definitions.set(d.name, d);
    facts.imports.delete(d.name);
  }
  return facts;
}

/** A definition as plain data: where its node is, and what a cached fact that used it depends on. */
export interface PlainDefinition {
  name: string;
  kind: Definition['kind'];
  line: number;
  /** The node's offsets and type, to find it again in the file's tree. */
  start: number;
  end: number;
  type: string;
  /** First line of its text (its first decorator's, if decorated) and last line. */
  first: number;
  last: number;
  /** SHA-1 of its text, decorators included: a fact that used only this definition holds while it is the same. */
  hash: string;
}

/** {@link ModuleFacts} as plain data, to be kept in the cache (generator/cache/) by the file's content. */
export interface PlainModuleFacts {
  /** Definitions in source order. */
  definitions: PlainDefinition[];
  imports: Array<[string, string]>;
  stars: string[];
  /** SHA-1 of the names and kinds defined, the imports and the stars (no positions): the module's shape. */
  shape: string;
}

/** The plain data of module facts (nodes become their offsets, type, lines and a digest of their text). */
export function toPlainFacts(facts: ModuleFacts): PlainModuleFacts {
  const definitions = [...facts.definitions.values()].map((d): PlainDefinition => {
    const whole = d.node.parent?.type === 'decorated_definition' ? d.node.parent : d.node;
    return {
      name: d.name,
      kind: d.kind,
      line: d.line,
      start: d.node.startIndex,
      end: d.node.endIndex,
      type: d.node.type,
      first: whole.startPosition.row + 1,
      last: whole.endPosition.row + 1,
      hash: createHash('sha1').update(whole.text).digest('hex'),
    };
  });
  const imports = [...facts.imports];
  const stars = [...facts.stars];
  const shape = createHash('sha1')
    .update(JSON.stringify([definitions.map((d) => [d.name, d.kind]), imports, stars]))
    .digest('hex');
  return { definitions, imports, stars, shape };
}

/**
 * Module facts from their plain data. A definition's `node` is found when first asked for, in the
 * tree `tree()` parses then (so facts kept in the cache need no parse until a node is needed);
 * `used(d)` is told whenever a definition's node or line is read.
 */
export function fromPlainFacts(plain: PlainModuleFacts, module: string, file: string, isPackage: boolean, tree: () => ParsedFile | null, used: (d: PlainDefinition) => void = () => {}): ModuleFacts {
  const definitions = new Map<string, Definition>();
  for (const d of plain.definitions) {
    let node: SyntaxNode | undefined;
    definitions.set(d.name, {
      name: d.name,
      kind: d.kind,
      get line(): number {
        used(d);
        return d.line;
      },
      get node(): SyntaxNode {
        used(d);
        if (!node) {
          const root = tree()?.tree.rootNode;
          if (!root) throw new Error(`${file} cannot be parsed again for ${d.name}`);
          node = nodeAt(root, d.start, d.end, d.type);
          if (!node) throw new Error(`${file} has no ${d.type} at ${d.start}-${d.end} for ${d.name}`);
        }
        return node;
      },
    });
  }
  return { module, file, isPackage, definitions, imports: new Map(plain.imports), stars: [...plain.stars] };
}

/** The node of a type spanning exactly `start`–`end`: the smallest there, or one of its ancestors. */
function nodeAt(root: SyntaxNode, start: number, end: number, type: string): SyntaxNode | undefined {
  for (let n: SyntaxNode | null = root.descendantForIndex(start, end); n; n = n.parent) {
    if (n.startIndex === start && n.endIndex === end && n.type === type) return n;
    if (n.startIndex < start || n.endIndex > end) break;
  }
  return undefined;
}
