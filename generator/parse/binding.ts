/**
 * How the parse stage uses node-tree-sitter's JavaScript side: what it answers without a call
 * into the native side, and what it does not do for every node.
 *
 * node-tree-sitter hands each node to JavaScript as an object holding its marshalled `TSNode`
 * (six numbers: the node's id in two words, then `context[0..3]` — its start byte, start row,
 * start column and alias) and a class chosen by its symbol; every getter marshals those numbers
 * back and calls into the binding. Three of its answers are in the object already:
 *
 * - a node's start (`startIndex`, `startPosition`) is `context[0..2]` (in bytes of UTF-16: halved);
 * - its `id` is the id's two words;
 * - its `type` is a function of its symbol, which chose its class: the binding means to give the
 *   classes of named symbols their type as a constant (but the assignment does not take), and the
 *   other symbols (`(`, `,`, `==`, `not`, keywords) share the base class, so every `.type` was a
 *   call. Here each symbol has a class of its own, which learns its type at its first node's
 *   `.type` (ERROR nodes keep the base class and its getter).
 *
 * {@link adaptBinding} answers those from the object, after checking on a small tree that they
 * are what the binding answers (else it leaves that getter alone), and turns off node
 * registration ({@link NODE_REGISTRATION}). Checked by test/parser.test.ts.
 *
 * Measured A/B on CATMAID: the start and id shortcuts with classes for anonymous symbols,
 * `routes --no-cache` of HEAD 0.99× and a changelog of every release `--no-cache` 0.98× (10 MiB
 * less); the named symbols' types made constants too, then `routes` 0.97× and the changelog 0.965×.
 *
 * Consumes: the binding's `Parser`, after a language is set. Produces: nothing; changes the
 * binding's prototypes once per thread.
 */
import Parser from 'tree-sitter';

/**
 * node-tree-sitter registers every node object it hands to JavaScript with its tree (a weak
 * reference and a finalizer per node, `Tree.prototype._cacheNode(s)`), so that asking for the same
 * node again gives the same object. The generator never relies on that (it compares nodes by `id`
 * or position), and the registration is most of what a node costs: without it, `routes` of
 * CATMAID's HEAD took 0.90× the time and 178 instead of 202 MiB, a changelog of every release
 * 0.96× and 367 instead of 391 MiB. So nodes are not registered: each is a new object.
 */
export const NODE_REGISTRATION = ['_cacheNode', '_cacheNodes'] as const;

/** Where a marshalled node object holds its id's low and high words and `TSNode.context[0..2]`. */
const ID_LOW = 0;
const ID_HIGH = 1;
const START_BYTE = 2;
const START_ROW = 3;
const START_COLUMN = 4;

type NodeObject = Record<number, number> & Parser.SyntaxNode;
type NodeClass = { prototype: object };

/** The getters {@link adaptBinding} replaced, by name (for the tests). */
export const adaptedGetters: string[] = [];

let adapted = false;

/**
 * Adapts the binding once per thread (see the top of this file): `language` is the one a parser
 * was set to (the binding gave it its node classes then); `sample`, a small parse in it with
 * anonymous tokens and characters outside the BMP, is what each shortcut is checked on.
 */
export function adaptBinding(language: unknown, sample: Parser.Tree): void {
  if (adapted) return;
  adapted = true;
  const treePrototype = (Parser as unknown as { Tree: { prototype: Record<string, unknown> } }).Tree.prototype;
  for (const method of NODE_REGISTRATION) {
    if (typeof treePrototype[method] === 'function') treePrototype[method] = () => undefined;
  }

  const base = (Parser as unknown as { SyntaxNode: NodeClass }).SyntaxNode;
  const nodes = everyNode(sample.rootNode);
  const shortcut = (name: string, get: (node: NodeObject) => unknown) => {
    const native = Object.getOwnPropertyDescriptor(base.prototype, name)?.get;
    if (!native) return;
    const same = nodes.every((n) => JSON.stringify(get(n as NodeObject)) === JSON.stringify(native.call(n)));
    if (!same) return;
    Object.defineProperty(base.prototype, name, { get(this: NodeObject) { return get(this); }, configurable: true, enumerable: false });
    adaptedGetters.push(name);
  };
  // The binding parses JavaScript strings as UTF-16: bytes and columns are two per code unit.
  shortcut('startIndex', (n) => n[START_BYTE]! / 2);
  shortcut('startPosition', (n) => ({ row: n[START_ROW], column: n[START_COLUMN]! / 2 }));
  shortcut('id', (n) => n[ID_LOW]! + n[ID_HIGH]! * 2 ** 32);

  // A class per symbol, each learning its type from its first node. The binding's named classes
  // were meant to have theirs as a constant, but it assigns it on their prototypes, where the
  // base class's getter (which has no setter) makes the assignment do nothing.
  const classes = (language as { nodeSubclasses?: NodeClass[] }).nodeSubclasses;
  const nativeType = Object.getOwnPropertyDescriptor(base.prototype, 'type')?.get;
  if (!classes || !nativeType) return;
  const learnType = (prototype: object) =>
    Object.defineProperty(prototype, 'type', {
      get(this: object): string {
        const type = nativeType.call(this) as string;
        Object.defineProperty(prototype, 'type', { value: type, configurable: true, enumerable: false });
        return type;
      },
      configurable: true,
      enumerable: false,
    });
  for (let symbol = 0; symbol < classes.length; symbol++) {
    if (classes[symbol] === base) classes[symbol] = class extends (base as unknown as new (tree: unknown) => object) {};
    learnType(classes[symbol]!.prototype);
  }
  adaptedGetters.push('type');
}

/** Every node of a (small) tree, anonymous ones included. */
function everyNode(root: Parser.SyntaxNode): Parser.SyntaxNode[] {
  const out: Parser.SyntaxNode[] = [];
  const visit = (n: Parser.SyntaxNode) => {
    out.push(n);
    for (const c of n.children) visit(c);
  };
  visit(root);
  return out;
}
