/**
 * The Python expressions CATMAID's API tests are written in, read from source text: names,
 * `self.x`, subscripts, calls with keyword arguments, `+ - * / // %`, unary minus, literals
 * (strings with any prefix, f-strings with their fields, numbers, `True`/`False`/`None`, lists,
 * tuples, sets, dicts), comments and line continuations between. Anything else (comparisons,
 * `not`, `lambda`, comprehensions, conditional expressions, slices, `*args`) makes the parse
 * fail with {@link Unsupported}; the caller then reads that expression from the tree-sitter tree.
 *
 * Why text: tree-sitter finds the statements (one query pass per module) and knows where each
 * starts and ends; reading the small expressions inside them node by node would cross from
 * JavaScript to the native tree several times per node (a few microseconds each), which costs
 * more than the rest of the reading. A literal all of whose parts are known is folded into one
 * `lit` value as it is read.
 *
 * Consumes: a module's text and a range of it (node indices from node-tree-sitter: UTF-16 offsets).
 * Produces: {@link Expr}s. Never executes anything.
 */
import { decodeEscapes } from './python-literals.js';

/** A value of a fully known literal: JSON-like, dicts as Maps (any key is safe), `Hole` for unknown. */
export type Lit = null | boolean | number | string | Hole | Lit[] | Map<string, Lit>;

/** A value that is not known. One instance ({@link HOLE}), compared by identity. */
export class Hole {
  readonly hole = true;
}
export const HOLE = new Hole();

/** A parsed expression. `start` of a call is its offset in the module: what identifies it. */
export type Expr =
  | { k: 'lit'; v: Lit }
  | { k: 'name'; name: string }
  | { k: 'attr'; obj: Expr; name: string }
  | { k: 'index'; obj: Expr; index: Expr }
  | { k: 'call'; fn: Expr; args: Expr[]; kwargs: Array<[string, Expr]>; start: number }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'unary'; op: '-' | '+' | '~'; x: Expr }
  /** A string with f-string fields: literal text and the fields' expressions. */
  | { k: 'str'; parts: Array<string | Expr> }
  | { k: 'seq'; type: 'list' | 'tuple' | 'set'; items: Expr[] }
  | { k: 'dict'; entries: Array<[Expr, Expr]> }
  /** Something not modelled (a comprehension, a comparison…), or cut for depth. */
  | { k: 'opaque' };

export const OPAQUE: Expr = { k: 'opaque' };

/** Syntax the text reader does not handle; the caller falls back to the tree. */
export class Unsupported extends Error {}
/** More parts than {@link ExprBudget.maxNodes}: the expression is too large to read. */
export class ExprTooLarge extends Error {}

/** Bounds of one read: parts counted against `maxNodes`; `cut` set when a part deeper than `maxDepth` was left opaque. */
export interface ExprBudget {
  nodes: number;
  cut: boolean;
  maxNodes: number;
  maxDepth: number;
}

const KEYWORDS = new Set([
  'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally',
  'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield', 'print', 'exec',
]);
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const KEYWORD_ARGUMENT = /([A-Za-z_][A-Za-z0-9_]*)[ \t\r\n]*=(?!=)/y;
const STRING_START = /([rRuUbBfF]{0,2})('''|"""|'|")/y;
const NUMBER = /(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d+)?)[lL]?(?![\w.])/y;

/** Thrown as one instance: the text reader gives up often, and an Error's stack costs. */
export const UNSUPPORTED = new Unsupported('not read from text');
const unsupported = (): never => {
  throw UNSUPPORTED;
};

/** A reader over `src[start, end)`. Methods read from the current position `i`. */
export class ExprReader {
  i: number;

  constructor(
    readonly src: string,
    start: number,
    readonly end: number,
    readonly budget: ExprBudget,
  ) {
    this.i = start;
  }

  /** Skips spaces, newlines, comments and line continuations. */
  space(): void {
    const { src, end } = this;
    while (this.i < end) {
      const c = src.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) this.i++;
      else if (c === 35) {
        while (this.i < end && src.charCodeAt(this.i) !== 10) this.i++;
      } else if (c === 92 && (src[this.i + 1] === '\n' || src[this.i + 1] === '\r')) this.i += 2;
      else return;
    }
  }

  atEnd(): boolean {
    this.space();
    return this.i >= this.end;
  }

  /** True (and consumed) when the text at `i` is `token` and not the start of a longer operator. */
  eat(token: string): boolean {
    this.space();
    if (!this.src.startsWith(token, this.i) || this.i + token.length > this.end) return false;
    const next = this.src[this.i + token.length];
    if (/^[=<>!*/+\-%&|^@]$/.test(token[token.length - 1]!) && next === '=' && token !== '=') return false; // `+=`, `==`
    if (token === '=' && next === '=') return false;
    if ((token === '*' || token === '/') && next === token) return false; // `**`, `//`
    this.i += token.length;
    return true;
  }

  /** True (and consumed) when the next word is `word`. */
  keyword(word: string): boolean {
    this.space();
    NAME.lastIndex = this.i;
    const m = NAME.exec(this.src);
    if (!m || m[0] !== word || this.i + word.length > this.end) return false;
    this.i += word.length;
    return true;
  }

  expect(token: string): void {
    if (!this.eat(token)) unsupported();
  }

  /** One expression: arithmetic over primaries. Stops before anything it does not continue with. */
  expression(depth = 0): Expr {
    let left = this.term(depth);
    // A longer chain (`a + b + …`) nests deeper than a literal may: the tree reads it, cut.
    for (let chain = 0; ; chain++) {
      if (chain > this.budget.maxDepth) unsupported();
      this.space();
      const c = this.src[this.i];
      if (c !== '+' && c !== '-') break;
      const op = this.eat('+') ? '+' : this.eat('-') ? '-' : undefined;
      if (!op) break;
      left = this.fold({ k: 'bin', op, l: left, r: this.term(depth) });
    }
    this.space();
    NAME.lastIndex = this.i;
    const word = NAME.exec(this.src)?.[0];
    if (word === 'if' || word === 'for' || word === 'and' || word === 'or') unsupported(); // conditional, comprehension, boolean
    return left;
  }

  /** Expressions separated by commas (a tuple when there is a comma), up to what is not one. */
  expressionList(depth = 0): Expr {
    const first = this.expression(depth);
    if (!this.peekComma()) return first;
    const items = [first];
    while (this.eat(',')) {
      if (this.atItemEnd()) break;
      items.push(this.expression(depth));
    }
    return this.fold({ k: 'seq', type: 'tuple', items });
  }

  private peekComma(): boolean {
    this.space();
    return this.src[this.i] === ',' && this.i < this.end;
  }

  /** After a trailing comma: the end of the range, or something that cannot start an expression. */
  private atItemEnd(): boolean {
    this.space();
    if (this.i >= this.end) return true;
    const c = this.src[this.i]!;
    return c === ')' || c === ']' || c === '}' || c === '=' || c === ':';
  }

  private term(depth: number): Expr {
    let left = this.unary(depth);
    for (let chain = 0; ; chain++) {
      if (chain > this.budget.maxDepth) unsupported();
      this.space();
      const c = this.src[this.i];
      if (c !== '*' && c !== '/' && c !== '%') break;
      const op = this.eat('//') ? '//' : this.eat('*') ? '*' : this.eat('/') ? '/' : this.eat('%') ? '%' : undefined;
      if (!op) break;
      left = this.fold({ k: 'bin', op, l: left, r: this.unary(depth) });
    }
    return left;
  }

  private unary(depth: number): Expr {
    this.space();
    const c = this.src[this.i];
    const op = c !== '-' && c !== '+' && c !== '~' ? undefined : this.eat('-') ? '-' : this.eat('+') ? '+' : this.eat('~') ? '~' : undefined;
    if (!op) {
      const p = this.primary(depth);
      this.space();
      if (this.src.startsWith('**', this.i)) unsupported();
      return p;
    }
    return this.fold({ k: 'unary', op, x: this.unary(depth + 1) });
  }

  private primary(depth: number): Expr {
    this.space();
    const start = this.i;
    let e = this.atom(depth);
    for (let chain = 0; ; chain++) {
      if (chain > this.budget.maxDepth) unsupported(); // `a[0][0]…`, `a.b.c…`
      this.space();
      const c = this.src[this.i];
      if (this.i >= this.end) break;
      if (c === '.' && !/\d/.test(this.src[this.i + 1] ?? '')) {
        this.i++;
        this.space();
        NAME.lastIndex = this.i;
        const m = NAME.exec(this.src);
        if (!m) unsupported();
        this.i += m![0].length;
        e = { k: 'attr', obj: e, name: m![0] };
        this.count();
      } else if (c === '(') {
        this.i++;
        e = this.callArguments(e, start, depth + 1);
      } else if (c === '[') {
        this.i++;
        const index = this.expressionList(depth + 1);
        if (!this.eat(']')) unsupported(); // a slice, or something else not modelled
        e = { k: 'index', obj: e, index };
        this.count();
      } else break;
    }
    return e;
  }

  private callArguments(fn: Expr, start: number, depth: number): Expr {
    const args: Expr[] = [];
    const kwargs: Array<[string, Expr]> = [];
    for (;;) {
      this.space();
      if (this.eat(')')) break;
      if (this.src[this.i] === '*') unsupported(); // *args, **kwargs
      KEYWORD_ARGUMENT.lastIndex = this.i;
      const m = KEYWORD_ARGUMENT.exec(this.src);
      if (m && this.i + m[0].length <= this.end) {
        this.i += m[0].length;
        kwargs.push([m[1]!, this.expression(depth)]);
      } else {
        args.push(this.expression(depth));
      }
      if (this.eat(')')) break;
      this.expect(',');
    }
    this.count();
    return { k: 'call', fn, args, kwargs, start };
  }

  private atom(depth: number): Expr {
    this.space();
    if (this.i >= this.end) unsupported();
    if (depth > this.budget.maxDepth) {
      this.budget.cut = true;
      this.skipItem();
      return OPAQUE;
    }
    this.count();
    const c = this.src[this.i]!;
    let e: Expr;
    if (c === '(' || c === '[' || c === '{') e = this.display(c, depth);
    else {
      STRING_START.lastIndex = this.i;
      NAME.lastIndex = this.i;
      const isString = STRING_START.exec(this.src);
      if (isString) e = this.strings();
      else {
        const name = NAME.exec(this.src)?.[0];
        if (name !== undefined) {
          this.i += name.length;
          if (name === 'True' || name === 'False') e = { k: 'lit', v: name === 'True' };
          else if (name === 'None') e = { k: 'lit', v: null };
          else if (KEYWORDS.has(name)) e = unsupported();
          else e = { k: 'name', name };
        } else {
          NUMBER.lastIndex = this.i;
          const m = NUMBER.exec(this.src);
          if (!m || m[0] === '' || m[0] === '.' || this.i + m[0].length > this.end) unsupported();
          this.i += m![0].length;
          const n = Number(m![0].replace(/_/g, '').replace(/[lL]$/, ''));
          if (!Number.isFinite(n)) unsupported();
          e = { k: 'lit', v: n };
        }
      }
    }
    return e;
  }

  /** `( … )`, `[ … ]`, `{ … }`: a parenthesized expression, tuple, list, set or dict. */
  private display(open: string, depth: number): Expr {
    this.i++;
    const close = open === '(' ? ')' : open === '[' ? ']' : '}';
    if (this.eat(close)) return { k: 'lit', v: open === '{' ? new Map() : [] };
    const first = this.expression(depth + 1);
    if (open === '{' && this.eat(':')) {
      const entries: Array<[Expr, Expr]> = [[first, this.expression(depth + 1)]];
      while (this.eat(',')) {
        if (this.eat(close)) return this.fold({ k: 'dict', entries });
        if (this.src.startsWith('**', (this.space(), this.i))) unsupported();
        const key = this.expression(depth + 1);
        this.expect(':');
        entries.push([key, this.expression(depth + 1)]);
      }
      this.expect(close);
      return this.fold({ k: 'dict', entries });
    }
    if (open === '(' && this.eat(')')) return first; // parentheses, not a tuple
    const items = [first];
    while (this.eat(',')) {
      if (this.eat(close)) return this.fold({ k: 'seq', type: open === '[' ? 'list' : open === '(' ? 'tuple' : 'set', items });
      items.push(this.expression(depth + 1));
    }
    this.expect(close);
    return this.fold({ k: 'seq', type: open === '[' ? 'list' : open === '(' ? 'tuple' : 'set', items });
  }

  /** Adjacent string literals, one string; f-string fields become parts. Bytes count as text. */
  private strings(): Expr {
    const parts: Array<string | Expr> = [];
    for (;;) {
      this.string(parts);
      const at = this.i;
      this.space();
      STRING_START.lastIndex = this.i;
      if (this.i >= this.end || !STRING_START.exec(this.src)) {
        this.i = at;
        break;
      }
    }
    const merged: Array<string | Expr> = [];
    for (const p of parts) {
      if (typeof p === 'string' && typeof merged[merged.length - 1] === 'string') merged[merged.length - 1] += p;
      else merged.push(p);
    }
    if (merged.length === 0) return { k: 'lit', v: '' };
    if (merged.length === 1 && typeof merged[0] === 'string') return { k: 'lit', v: merged[0] };
    return { k: 'str', parts: merged };
  }

  private string(parts: Array<string | Expr>): void {
    STRING_START.lastIndex = this.i;
    const m = STRING_START.exec(this.src)!;
    const prefix = m[1]!.toLowerCase();
    const quote = m[2]!;
    const raw = prefix.includes('r');
    const formatted = prefix.includes('f');
    this.i += m[0].length;
    let text = '';
    let from = this.i;
    const flush = (to: number) => {
      let body = this.src.slice(from, to);
      if (formatted) body = body.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      const decoded = raw ? body : decodeEscapes(body);
      if (decoded === undefined) unsupported();
      text += decoded;
    };
    for (;;) {
      if (this.i >= this.end) unsupported();
      const c = this.src[this.i]!;
      if (c === '\\') this.i += 2;
      else if (this.src.startsWith(quote, this.i)) break;
      else if (quote.length === 1 && c === '\n') unsupported();
      else if (formatted && (c === '{' || c === '}') && this.src[this.i + 1] === c) this.i += 2;
      else if (formatted && c === '{') {
        flush(this.i);
        if (text) parts.push(text);
        text = '';
        parts.push(this.field());
        from = this.i;
      } else this.i++;
    }
    flush(this.i);
    if (text || parts.length === 0) parts.push(text);
    this.i += quote.length;
  }

  /** An f-string field `{expr!r:spec}` at `i` (on the `{`): its expression; conversion and spec are not modelled. */
  private field(): Expr {
    const open = this.i;
    let nesting = 0;
    let exprEnd = -1;
    let j = open + 1;
    for (; j < this.end; j++) {
      const c = this.src[j]!;
      if (c === '\'' || c === '"') {
        const close = this.src.indexOf(c, j + 1);
        if (close < 0 || close >= this.end) unsupported();
        j = close;
      } else if (c === '(' || c === '[' || c === '{') nesting++;
      else if ((c === ')' || c === ']' || (c === '}' && nesting > 0)) && nesting > 0) nesting--;
      else if (c === '}' && nesting === 0) break;
      else if (nesting === 0 && exprEnd < 0 && ((c === '!' && this.src[j + 1] !== '=') || c === ':')) exprEnd = j;
    }
    if (j >= this.end) unsupported();
    const inner = new ExprReader(this.src, open + 1, exprEnd < 0 ? j : exprEnd, this.budget);
    const e = inner.expressionList(1);
    if (!inner.atEnd()) unsupported();
    this.i = j + 1;
    return e;
  }

  /** Skips the rest of an item (for a part cut for depth): up to the `,` or closing bracket after it. */
  private skipItem(): void {
    let nesting = 0;
    while (this.i < this.end) {
      const c = this.src[this.i]!;
      if (c === '"' || c === '\'') {
        const quote = this.src.startsWith(c.repeat(3), this.i) ? c.repeat(3) : c;
        this.i += quote.length;
        while (this.i < this.end && !this.src.startsWith(quote, this.i)) this.i += this.src[this.i] === '\\' ? 2 : 1;
        this.i += quote.length;
      } else if (c === '#') {
        while (this.i < this.end && this.src[this.i] !== '\n') this.i++;
      } else if (c === '(' || c === '[' || c === '{') {
        nesting++;
        this.i++;
      } else if (c === ')' || c === ']' || c === '}' || c === ',') {
        if (nesting === 0) return;
        if (c !== ',') nesting--;
        this.i++;
      } else this.i++;
    }
  }

  private count(): void {
    if (++this.budget.nodes > this.budget.maxNodes) throw new ExprTooLarge();
  }

  /** A display or operation whose parts are all known literals, as one literal. */
  private fold(e: Expr): Expr {
    switch (e.k) {
      case 'seq':
        return e.items.every((x) => x.k === 'lit') ? { k: 'lit', v: e.items.map((x) => (x as { v: Lit }).v) } : e;
      case 'dict': {
        if (!e.entries.every(([k, v]) => k.k === 'lit' && v.k === 'lit' && keyOf(k.v) !== undefined)) return e;
        return { k: 'lit', v: new Map(e.entries.map(([k, v]) => [keyOf((k as { v: Lit }).v)!, (v as { v: Lit }).v])) };
      }
      case 'unary':
        return e.x.k === 'lit' && typeof e.x.v === 'number' && e.op !== '~' ? { k: 'lit', v: e.op === '-' ? -e.x.v : e.x.v } : e;
      default:
        return e;
    }
  }
}

/** A dict key as the JSON answer spells it (json.dumps writes numbers and constants as strings); undefined when unknown. */
export function keyOf(k: Lit): string | undefined {
  if (typeof k === 'string') return k;
  if (typeof k === 'number') return String(k);
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  if (k === null) return 'null';
  return undefined;
}

/** The expression `src[start, end)` is in full; throws {@link Unsupported} when it is not one this reader handles. */
export function parseExpression(src: string, start: number, end: number, budget: ExprBudget): Expr {
  const r = new ExprReader(src, start, end, budget);
  const e = r.expressionList();
  if (!r.atEnd()) unsupported();
  return e;
}
