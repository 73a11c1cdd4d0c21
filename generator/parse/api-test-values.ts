/**
 * The values of an API test's expressions as far as they can be known without running it:
 * literals, names, `%`/`.format()`/f-string formatting, `+`/`*`, conversions, copies, subscripts,
 * `json.loads` of a literal; and a value as JSON, with the pointers of its unknown parts.
 * Bounded: {@link MAX_LITERAL_DEPTH} levels, {@link MAX_LITERAL_NODES} parts.
 */
import type { JsonValue } from '../model/types.js';
import { LiteralTooLarge, lookupVar, MAX_LITERAL_DEPTH, MAX_LITERAL_NODES, selfAttribute, SENTINEL, SENTINEL_NUMBER, type Budget, type Frame } from './api-test-model.js';
import { HOLE, Hole, keyOf, type Expr, type Lit } from './py-expr.js';
import { percentFormat, strFormat, type Formattable } from './python-literals.js';

export function count(budget: Budget, n = 1): void {
  budget.nodes += n;
  if (budget.nodes > MAX_LITERAL_NODES) throw new LiteralTooLarge();
}

/** A Python value as the test builds it, as far as it is known. A name gives its stored value (not a copy), as in Python. */
export function litOf(e: Expr, frame: Frame, budget: Budget): Lit {
  count(budget);
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'name':
      return lookupVar(frame, e.name);
    case 'attr': {
      const attr = selfAttribute(e);
      return attr !== undefined && frame.self.has(attr) ? frame.self.get(attr)! : HOLE;
    }
    case 'index':
      return itemOf(litOf(e.obj, frame, budget), litOf(e.index, frame, budget));
    case 'call':
      return callOf(e, frame, budget);
    case 'bin': {
      const l = litOf(e.l, frame, budget);
      if (e.op === '%' && typeof l === 'string') return textOf(e, frame, false, budget) ?? HOLE;
      return binary(e.op, l, litOf(e.r, frame, budget), budget);
    }
    case 'unary': {
      const v = litOf(e.x, frame, budget);
      if (typeof v !== 'number') return HOLE;
      return e.op === '-' ? -v : e.op === '+' ? v : ~v;
    }
    case 'str':
      return textOf(e, frame, false, budget) ?? HOLE;
    case 'seq':
      return e.items.map((x) => litOf(x, frame, budget));
    case 'dict': {
      const out = new Map<string, Lit>();
      for (const [k, v] of e.entries) {
        const key = keyOf(litOf(k, frame, budget));
        if (key === undefined) return HOLE;
        out.set(key, litOf(v, frame, budget));
      }
      return out;
    }
    case 'opaque':
      return HOLE;
  }
}

export function binary(op: string, l: Lit, r: Lit, budget: Budget): Lit {
  if (typeof l === 'number' && typeof r === 'number') {
    switch (op) {
      case '+':
        return l + r;
      case '-':
        return l - r;
      case '*':
        return l * r;
      case '/':
        return r === 0 ? HOLE : l / r;
      case '//':
        return r === 0 ? HOLE : Math.floor(l / r);
      case '%':
        return r === 0 ? HOLE : ((l % r) + r) % r;
      default:
        return HOLE;
    }
  }
  if (op === '+' && typeof l === 'string' && typeof r === 'string') return l + r;
  if (op === '+' && Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
  if (op === '*' && (Array.isArray(l) || typeof l === 'string') && typeof r === 'number' && Number.isInteger(r)) {
    const n = Math.max(0, r);
    count(budget, l.length * n);
    return typeof l === 'string' ? l.repeat(n) : Array.from({ length: n }, () => l).flat();
  }
  return HOLE;
}

/** Calls whose result a test's literals use: conversions, copies, `json.loads('…')`, `d.get(k)`, `'…'.format()`. */
export function callOf(e: Extract<Expr, { k: 'call' }>, frame: Frame, budget: Budget): Lit {
  const args = () => e.args.map((a) => litOf(a, frame, budget));
  if (e.fn.k === 'name') {
    if (e.kwargs.length > 0) return HOLE;
    if (e.args.length === 0) return ['list', 'tuple', 'set', 'frozenset'].includes(e.fn.name) ? [] : e.fn.name === 'dict' ? new Map() : HOLE;
    if (e.args.length > 1 || !CONVERSIONS.has(e.fn.name)) return HOLE;
    const x = args()[0]!;
    switch (e.fn.name) {
      case 'int':
        if (typeof x === 'number') return Math.trunc(x);
        if (typeof x === 'string' && /^\s*[-+]?\d+\s*$/.test(x)) return Number(x);
        return typeof x === 'boolean' ? Number(x) : HOLE;
      case 'float':
        if (typeof x === 'number') return x;
        return typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x)) ? Number(x) : HOLE;
      case 'str':
        return typeof x === 'string' ? x : (formattable(x, false)?.text ?? HOLE);
      case 'len':
        return Array.isArray(x) || typeof x === 'string' ? x.length : x instanceof Map ? x.size : HOLE;
      case 'list':
      case 'tuple':
      case 'set':
      case 'frozenset':
        return Array.isArray(x) ? [...x] : x instanceof Map ? [...x.keys()] : HOLE;
      case 'sorted': {
        const items = Array.isArray(x) ? [...x] : x instanceof Map ? [...x.keys()] : undefined;
        if (!items) return HOLE;
        if (items.length <= 1) return items;
        let comparable = true;
        items.sort((a, b) => {
          const c = compareValues(a, b);
          if (c === undefined) comparable = false;
          return c ?? 0;
        });
        return comparable ? items : HOLE;
      }
      case 'dict':
        return x instanceof Map ? new Map(x) : HOLE;
    }
    return HOLE;
  }
  if (e.fn.k !== 'attr') return HOLE;
  const name = e.fn.name;
  const object = e.fn.obj;
  if (name === 'format') return textOf(e, frame, false, budget) ?? HOLE;
  if (object.k === 'name' && object.name === 'json' && name === 'loads') {
    const [text] = args();
    return typeof text === 'string' ? (parseJson(text) ?? HOLE) : HOLE;
  }
  if (object.k === 'name' && object.name === 'copy' && (name === 'copy' || name === 'deepcopy')) {
    const x = args()[0] ?? HOLE;
    return name === 'deepcopy' ? deepCopy(x) : shallowCopy(x);
  }
  if (!DICT_METHODS.has(name)) return HOLE;
  const base = litOf(object, frame, budget);
  if (base instanceof Map) {
    if (name === 'get') {
      const [k, fallback] = args();
      const key = keyOf(k ?? HOLE);
      if (key === undefined) return HOLE;
      return base.has(key) ? base.get(key)! : (fallback ?? null);
    }
    if (name === 'copy') return new Map(base);
    if (name === 'keys') return [...base.keys()];
    if (name === 'values') return [...base.values()];
    if (name === 'items') return [...base].map(([k, v]) => [k, v]);
  }
  if (Array.isArray(base) && name === 'copy') return [...base];
  return HOLE;
}

/** Python's `<` on numbers, strings and lists of them; undefined where Python raises or a part is unknown. */
export function compareValues(a: Lit, b: Lit, depth = 0): number | undefined {
  if (depth > MAX_LITERAL_DEPTH) return undefined; // a list that holds itself
  const num = (v: Lit) => (typeof v === 'boolean' ? Number(v) : v);
  const x = num(a);
  const y = num(b);
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = compareValues(x[i]!, y[i]!, depth + 1);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  return undefined;
}

/** The functions and methods {@link callOf} evaluates. */
export const CONVERSIONS = new Set(['int', 'float', 'str', 'len', 'list', 'tuple', 'set', 'frozenset', 'sorted', 'dict']);
export const DICT_METHODS = new Set(['get', 'copy', 'keys', 'values', 'items']);

export function shallowCopy(x: Lit): Lit {
  return Array.isArray(x) ? [...x] : x instanceof Map ? new Map(x) : x;
}

export function deepCopy(x: Lit, depth = 0): Lit {
  if (depth > MAX_LITERAL_DEPTH) return HOLE;
  if (Array.isArray(x)) return x.map((i) => deepCopy(i, depth + 1));
  if (x instanceof Map) return new Map([...x].map(([k, v]) => [k, deepCopy(v, depth + 1)]));
  return x;
}

export function itemOf(base: Lit, index: Lit): Lit {
  if (base instanceof Map) {
    const k = keyOf(index);
    return k !== undefined && base.has(k) ? base.get(k)! : HOLE;
  }
  if ((Array.isArray(base) || typeof base === 'string') && typeof index === 'number' && Number.isInteger(index)) {
    const i = index < 0 ? base.length + index : index;
    return i >= 0 && i < base.length ? base[i]! : HOLE;
  }
  return HOLE;
}

/** What `%s`, `%d`, `{}` make of a value; with `holes`, an unknown value is a sentinel for `{}`. */
export function formattable(v: Lit, holes: boolean): Formattable {
  if (typeof v === 'string') return { text: v, isString: true };
  if (typeof v === 'number') return { text: String(v), numeric: v };
  if (typeof v === 'boolean') return { text: v ? 'True' : 'False' };
  if (v === null) return { text: 'None' };
  return holes ? { text: SENTINEL, numeric: SENTINEL_NUMBER } : undefined;
}

/**
 * The text of a string expression: literals (f-strings too), `+`, `%`, `.format()`, `str()`, and
 * names bound to text. With `holes`, an unknown part is `{}` and only a wholly unknown expression
 * is undefined; without, any unknown part makes it undefined.
 */
export function textOf(e: Expr, frame: Frame, holes: boolean, budget: Budget): string | undefined {
  count(budget);
  const hole = holes ? '{}' : undefined;
  switch (e.k) {
    case 'str': {
      let text = '';
      for (const p of e.parts) {
        const t = typeof p === 'string' ? p : (fieldText(litOf(p, frame, budget)) ?? hole);
        if (t === undefined) return undefined;
        text += t;
      }
      return text;
    }
    case 'bin': {
      if (e.op === '+') {
        const l = textOf(e.l, frame, holes, budget);
        const r = textOf(e.r, frame, holes, budget);
        if (l === undefined && r === undefined) return undefined;
        const lt = l ?? hole;
        const rt = r ?? hole;
        return lt === undefined || rt === undefined ? undefined : lt + rt;
      }
      if (e.op !== '%') break;
      const fmt = textOf(e.l, frame, holes, budget);
      if (fmt === undefined) return undefined;
      let args: Formattable[] | Record<string, Formattable>;
      const right = litOf(e.r, frame, budget);
      if (right instanceof Map) {
        args = {};
        for (const [k, x] of right) args[k] = formattable(x, holes);
      } else if (Array.isArray(right) && !(e.r.k === 'seq' && e.r.type === 'list')) {
        args = right.map((x) => formattable(x, holes)); // a tuple of arguments
      } else {
        args = [formattable(right, holes)];
      }
      const out = percentFormat(fmt, args);
      return out ? out.text.split(SENTINEL).join('{}') : undefined;
    }
    case 'call': {
      if (e.fn.k === 'attr' && e.fn.name === 'format') {
        const fmt = textOf(e.fn.obj, frame, holes, budget);
        if (fmt === undefined) return undefined;
        const unknown = holes ? { text: '{}' } : undefined;
        const args = e.args.map((a) => formattable(litOf(a, frame, budget), false) ?? unknown);
        const kwargs: Record<string, Formattable> = {};
        for (const [k, v] of e.kwargs) kwargs[k] = formattable(litOf(v, frame, budget), false) ?? unknown;
        return strFormat(fmt, args, kwargs)?.text;
      }
      if (e.fn.k === 'name' && e.fn.name === 'str' && e.args.length === 1) return textOf(e.args[0]!, frame, holes, budget);
      break;
    }
  }
  return fieldText(litOf(e, frame, budget));
}

/** The text a known string or number contributes to a string; undefined for anything else. */
export function fieldText(v: Lit): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** JSON text as a value, or undefined when it is not JSON. */
export function parseJson(text: string): Lit | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const convert = (v: unknown, depth: number): Lit => {
    if (depth > MAX_LITERAL_DEPTH) return HOLE;
    if (Array.isArray(v)) return v.map((x) => convert(x, depth + 1));
    if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, convert(x, depth + 1)]));
    return v as Lit;
  };
  return convert(value, 0);
}

/** A value as JSON, `null` at unknown parts (their pointers go to `unknown`). */
export function toJson(v: Lit, pointer: string, unknown: string[], budget: Budget, depth: number): JsonValue {
  count(budget);
  if (v instanceof Hole) {
    unknown.push(pointer);
    return null;
  }
  if (depth > MAX_LITERAL_DEPTH) {
    budget.cut = true;
    unknown.push(pointer);
    return null;
  }
  if (Array.isArray(v)) return v.map((x, i) => toJson(x, `${pointer}/${i}`, unknown, budget, depth + 1));
  if (v instanceof Map) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, x] of v) {
      // defineProperty: a key such as `__proto__` is a plain key.
      Object.defineProperty(out, k, { value: toJson(x, `${pointer}/${escapePointer(k)}`, unknown, budget, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v;
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
