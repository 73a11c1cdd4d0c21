/**
 * Parse stage entry: Python source text → tree-sitter tree, with one Parser for the whole process
 * and every query compiled once, the binding adapted (parse/binding.ts); and trees given back
 * between refs ({@link releaseTrees}).
 *
 * Consumes: file bytes from the source stage. Produces: {@link ParsedFile}s, or a diagnostic when a
 * file is not text.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Parser from 'tree-sitter';
import Python from 'tree-sitter-python';
import { packagePath } from '../util/package.js';
import { adaptBinding } from './binding.js';

export type SyntaxNode = Parser.SyntaxNode;

let parser: Parser | undefined;

/** What {@link adaptBinding} checks its shortcuts on: named and anonymous nodes, on several lines. */
const BINDING_SAMPLE = 'def f(a, *b, **c):\n    """Doc."""\n    return not a == (b, "c") in {1: [2.0, None]}  # é, 😀\n    x = "😀" + b\n';

function sharedParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Python as unknown as Parser.Language);
    adaptBinding(Python, parser.parse(BINDING_SAMPLE));
  }
  return parser;
}

/** A parsed Python file. */
export interface ParsedFile {
  /** Path relative to the source root. */
  file: string;
  /** The decoded text. */
  text: string;
  tree: Parser.Tree;
  /** 1-based lines where tree-sitter found ERROR or MISSING nodes (first few only). */
  errorLines: number[];
}

/** Files parsed since {@link releaseTrees} last gave their trees back. */
let unreleased = 0;

/**
 * Gives back the native memory of the trees this thread parsed and no longer holds. A thread that
 * parses many refs (a `changelog` worker) calls it between refs.
 *
 * node-tree-sitter frees a tree's native memory (a few MB for a large CATMAID module, more once
 * its nodes were visited) only in the finalizer of its JS object. V8 does not know that memory
 * exists, so the small JS objects are not collected; and the finalizers of collected objects run
 * only when the event loop turns. So: let the loop turn, collect, and let it turn again. The
 * collection is V8's `gc`, exposed by the `--expose-gc` flag set at run time and taken from a new
 * context (a running context does not get it).
 */
export async function releaseTrees(): Promise<void> {
  if (unreleased === 0) return;
  unreleased = 0;
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  await turn();
  collect()();
  await turn();
}

let gc: (() => void) | undefined;

function collect(): () => void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  return gc;
}

/** Parses Python text; never throws for bad syntax (tree-sitter recovers). */
export function parsePython(file: string, text: string): ParsedFile {
  unreleased++;
  // node-tree-sitter reads string input through a buffer; size it to the whole file so that large
  // files parse in one pass (the default buffer is too small for files over 32 KiB).
  const tree = sharedParser().parse(text, null, { bufferSize: Math.max(1024, text.length * 2 + 16) });
  const errorLines = tree.rootNode.hasError ? findErrorLines(tree.rootNode) : [];
  return { file, text, tree, errorLines };
}

/**
 * Decodes a Python file's bytes. UTF-8 (with or without BOM) is the norm; a file that declares a
 * latin-1 coding (PEP 263, Python 2 era) is decoded as such. Anything else that is not valid
 * UTF-8 is decoded with replacement characters and flagged; a file with NUL bytes is binary.
 */
export function decodeSource(bytes: Buffer): { text: string; problem?: string } | { text?: undefined; problem: string } {
  if (bytes.includes(0)) return { problem: 'binary file (contains NUL bytes)' };
  try {
    const text = utf8.decode(bytes);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    const head = bytes.subarray(0, 400).toString('latin1').split('\n').slice(0, 2).join('\n');
    const coding = head.match(/^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/m)?.[1]?.toLowerCase();
    if (coding && /^(latin-?1|iso-?8859-?1|cp1252|windows-1252)$/.test(coding)) return { text: bytes.toString('latin1') };
    return { text: new TextDecoder('utf-8').decode(bytes), problem: 'not valid UTF-8; undecodable bytes replaced' };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const MAX_ERROR_LINES = 20;

function findErrorLines(root: SyntaxNode): number[] {
  const lines: number[] = [];
  const cursor = root.walk();
  let descending = true;
  while (lines.length < MAX_ERROR_LINES) {
    if (descending) {
      const type = cursor.nodeType;
      if (type === 'ERROR' || cursor.nodeIsMissing) {
        lines.push(cursor.startPosition.row + 1);
        descending = false;
        continue;
      }
      if (cursor.currentNode.hasError && cursor.gotoFirstChild()) continue;
      descending = false;
    } else if (cursor.gotoNextSibling()) {
      descending = true;
    } else if (!cursor.gotoParent()) {
      break;
    }
  }
  if (lines.length === 0) {
    // Only zero-width MISSING tokens, which node-tree-sitter neither lists as children nor visits
    // with a cursor. The usual one is a missing newline (`print "a" b`): two statements of one
    // block on the same line with no `;` between them.
    for (let n: SyntaxNode | null = root.firstNamedChild; n && lines.length === 0; n = n.nextNamedSibling) {
      const next = n.nextNamedSibling;
      if (next && next.startPosition.row === n.endPosition.row && !root.text.slice(n.endIndex, next.startIndex).includes(';')) {
        lines.push(n.startPosition.row + 1);
      }
    }
  }
  return [...new Set(lines)];
}

const queries = new Map<string, Parser.Query>();

/** A query from `generator/parse/queries/<name>.scm`, compiled once per process. */
export function query(name: string): Parser.Query {
  let q = queries.get(name);
  if (!q) {
    const source = readFileSync(packagePath('generator', 'parse', 'queries', `${name}.scm`), 'utf8');
    q = new Parser.Query(Python as unknown as Parser.Language, source);
    queries.set(name, q);
  }
  return q;
}
