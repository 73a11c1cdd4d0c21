/**
 * What a raw SQL query a view runs (`cursor.execute("""SELECT …""")`) gives back, read from the
 * query's text: how many columns its main SELECT has, and, for the columns PostgreSQL builds JSON
 * in, the JSON's shape — CATMAID builds many answers in SQL:
 * `COALESCE(json_agg(json_build_object('id', id, 'name', name) ORDER BY name), '[]'::json)::text`
 * is a list of `{id, name}` objects; `json_object_agg(k, v)` a record; `row_to_json(alias)` an
 * object with the columns of the subquery `alias` names.
 *
 * Read: `json_agg`/`jsonb_agg`/`array_agg` (with `ORDER BY`), `array_to_json`, `to_json`,
 * `json_build_object`/`jsonb_build_object`, `json_build_array`, `json_object_agg`, `row_to_json`
 * of a subquery of the same text, `COALESCE`, casts (`::text`, `::json`), string, number and JSON
 * literals (`'[]'::json`), `count(…)`, columns named `id`. Anything else is open (`{}`).
 *
 * Consumes: the text of a query. Produces: JSON Schemas, with {@link SQL_JSON} on a column the
 * query builds as JSON (its text is the JSON an `HttpResponse` sends as it is).
 */
import type { JsonSchema } from '../model/types.js';

/**
 * The mark on a column's shape that PostgreSQL builds it as JSON; its value is the JSON's shape.
 * The column's own shape is what Python gets: that JSON decoded, or a string where the query casts
 * it `::text` (an `HttpResponse` sends that text as it is). Dropped before a schema leaves the
 * model stage ({@link withoutMark}, `withoutEmptyMarks`).
 */
export const SQL_JSON = '$sqlJson';

/** Stands for a part of the query that Python fills in (`{user_select}` of an f-string). */
export const INTERPOLATED = '\u0001';

/** How deep an SQL expression is read; below, open. */
const MAX_SQL_DEPTH = 16;

const OPEN: JsonSchema = {};
const AGGREGATES = new Set(['json_agg', 'jsonb_agg', 'array_agg']);
const OBJECT_BUILDERS = new Set(['json_build_object', 'jsonb_build_object']);
const ARRAY_BUILDERS = new Set(['json_build_array', 'jsonb_build_array']);
const CLAUSE_END = /^(FROM|WHERE|GROUP|ORDER|LIMIT|UNION|HAVING|WINDOW|OFFSET)\b/;

/** The query's text without comments. */
function withoutComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/**
 * The items of a query's main select list (the first SELECT at the top level, after any WITH), as
 * written. Undefined when it is not found.
 */
/**
 * The items of a query's main select list (the first SELECT at the top level, after any WITH), as
 * written. Undefined when it is not found.
 */
export function selectList(sql: string): string[] | undefined {
  const text = withoutComments(sql);
  const upper = text.toUpperCase();
  const select = atTopLevel(text, (i) => /^SELECT\b/.test(upper.slice(i, i + 7)) && (i === 0 || /[\s(;]/.test(text[i - 1]!)));
  if (select < 0) return undefined;
  let list = text.slice(select + 6).replace(/^\s*DISTINCT\s+ON\s*\([^)]*\)/i, '').replace(/^\s*(DISTINCT|ALL)\b/i, '');
  const up = list.toUpperCase();
  const end = atTopLevel(list, (i) => /[\s)]/.test(list[i - 1] ?? ' ') && (list[i] === ';' || CLAUSE_END.test(up.slice(i, i + 7))));
  if (end >= 0) list = list.slice(0, end);
  const items = splitTopLevel(list).map((s) => s.trim());
  // A part Python fills in may add columns: how many there are is not known.
  return items.length && items.every((s) => s.length && !s.includes(INTERPOLATED)) ? items : undefined;
}

/** The number of columns of a query's main SELECT. Undefined when it is not found. */
export function countSelectList(sql: string): number | undefined {
  return selectList(sql)?.length;
}

/** The shapes of the columns a query's rows hold, one per select-list item; undefined when not found. */
export function columnShapes(sql: string): JsonSchema[] | undefined {
  const text = withoutComments(sql);
  return selectList(text)?.map((item) => exprShape(withoutAlias(item), text, 0));
}

/** The name a select-list item gives its column: `x AS name`, `t.name`, `name`; undefined for an expression without alias. */
export function columnName(item: string): string | undefined {
  const alias = /\s(?:AS\s+)?("?)([A-Za-z_]\w*)\1\s*$/i.exec(item);
  if (alias && !/^(?:AS|DESC|ASC)$/i.test(alias[2]!) && topLevelEnd(item, alias.index)) return alias[2];
  const column = /(?:^|\.)([A-Za-z_]\w*)\s*$/.exec(item.trim());
  return column && /^[A-Za-z_][\w.]*$/.test(item.trim()) ? column[1] : undefined;
}

/** `expr AS name` → `expr`. */
function withoutAlias(item: string): string {
  const alias = /\s+AS\s+"?[A-Za-z_]\w*"?\s*$/i.exec(item);
  return alias && topLevelEnd(item, alias.index) ? item.slice(0, alias.index) : item;
}

/** Whether `index` of `text` is outside every parenthesis and quote. */
function topLevelEnd(text: string, index: number): boolean {
  return atTopLevel(text, (i) => i >= index) === index;
}

/**
 * The first index of `text` outside quotes, parentheses and brackets for which `at` is true, or -1.
 * (The scan every reading of a query's text shares.)
 */
function atTopLevel(text: string, at: (i: number) => boolean): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") i = skipQuoted(text, i);
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0 && at(i)) return i;
  }
  return -1;
}

/** The index of the closing quote of the string literal that starts at `i` (`''` escapes one). */
function skipQuoted(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "'") {
      if (text[j + 1] === "'") j++;
      else return j;
    }
  }
  return text.length;
}

/** Splits at the commas outside parentheses and quotes. */
function splitTopLevel(text: string): string[] {
  const cuts: number[] = [];
  atTopLevel(text, (i) => {
    if (text[i] === ',') cuts.push(i);
    return false;
  });
  return [...cuts, text.length].map((cut, k) => text.slice(k === 0 ? 0 : cuts[k - 1]! + 1, cut));
}

/** The shape of one SQL expression of `sql` (for the subqueries `row_to_json` names), as Python gets it. */
function exprShape(expr: string, sql: string, depth: number): JsonSchema {
  if (depth > MAX_SQL_DEPTH) return OPEN;
  const cast = /::\s*(text|varchar)\s*$/i.exec(expr);
  if (cast && topLevelEnd(expr, cast.index)) {
    // JSON as its text: a string to Python, the JSON to a client it is sent to as it is.
    const inner = uncastShape(expr.slice(0, cast.index), sql, depth);
    return inner[SQL_JSON] ? { type: 'string', [SQL_JSON]: inner[SQL_JSON] } : { type: 'string' };
  }
  return uncastShape(expr, sql, depth);
}

function uncastShape(expr: string, sql: string, depth: number): JsonSchema {
  let e = expr.trim();
  // Casts: `'[]'::json`, `x::text`, `(…)::bigint[]`.
  let cast: string | undefined;
  for (let m = /::\s*([A-Za-z_]\w*)(\s*\[\])?\s*$/.exec(e); m && topLevelEnd(e, m.index); m = /::\s*([A-Za-z_]\w*)(\s*\[\])?\s*$/.exec(e)) {
    cast ??= m[1]!.toLowerCase() + (m[2] ? '[]' : '');
    e = e.slice(0, m.index).trim();
  }
  if (/^'(?:[^']|'')*'$/.test(e)) {
    const text = e.slice(1, -1).replace(/''/g, "'");
    if (cast === 'json' || cast === 'jsonb') {
      if (text.trim() === '[]') return json({ type: 'array', maxItems: 0 });
      if (text.trim() === '{}') return json({ type: 'object' });
      return OPEN;
    }
    return { type: 'string' };
  }
  if (/^-?\d+$/.test(e)) return { type: 'integer' };
  if (/^-?\d*\.\d+$/.test(e)) return { type: 'number' };
  if (/^(?:TRUE|FALSE)$/i.test(e)) return { type: 'boolean' };
  if (/^NULL$/i.test(e)) return { type: 'null' };
  if (e.startsWith('(') && e.endsWith(')') && closes(e, 0) === e.length - 1) return exprShape(e.slice(1, -1), sql, depth + 1);
  const call = /^([A-Za-z_][\w.]*)\s*\(/.exec(e);
  if (call && closes(e, call[0].length - 1) === e.length - 1) {
    const name = call[1]!.toLowerCase().replace(/^.*\./, '');
    const inner = e.slice(call[0].length, -1);
    const args = splitTopLevel(cutOrderBy(inner)).map((a) => a.trim());
    return callShape(name, args, sql, depth);
  }
  if (/^(?:[A-Za-z_]\w*\.)?id$/i.test(e)) return { type: 'integer' };
  if (cast === 'text' || cast === 'varchar') return { type: 'string' };
  if (cast === 'bigint' || cast === 'int' || cast === 'integer') return { type: 'integer' };
  if (cast === 'float' || cast === 'real' || cast === 'double' || cast === 'numeric') return { type: 'number' };
  return OPEN;
}

/** What a function call of SQL gives as JSON. */
function callShape(name: string, args: string[], sql: string, depth: number): JsonSchema {
  const arg = (i: number) => (args[i] !== undefined && args[i] !== '' ? exprShape(args[i]!.replace(/^DISTINCT\s+/i, ''), sql, depth + 1) : OPEN);
  if (AGGREGATES.has(name)) return json({ type: 'array', ...itemsOf(arg(0)) });
  if (name === 'array_to_json' || name === 'to_json' || name === 'to_jsonb') return json(withoutMark(arg(0)));
  if (OBJECT_BUILDERS.has(name)) {
    const properties: Record<string, JsonSchema> = {};
    for (let i = 0; i + 1 < args.length; i += 2) {
      const key = /^'((?:[^']|'')*)'$/.exec(args[i]!.trim());
      // A key computed from data: the object is a record of what the values hold.
      if (!key) return json({ type: 'object', additionalProperties: {} });
      properties[key[1]!.replace(/''/g, "'")] = withoutMark(arg(i + 1));
    }
    const keys = Object.keys(properties);
    return json({ type: 'object', ...(keys.length ? { properties, required: keys } : {}) });
  }
  if (ARRAY_BUILDERS.has(name)) {
    const items = args.filter((a) => a !== '').map((_, i) => withoutMark(arg(i)));
    return json({ type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length });
  }
  if (name === 'json_object_agg' || name === 'jsonb_object_agg') {
    const value = withoutMark(arg(1));
    return json({ type: 'object', additionalProperties: value });
  }
  if (name === 'row_to_json' || name === 'to_json') return json(rowShape(args[0] ?? '', sql, depth));
  if (name === 'coalesce') {
    // The first argument is the value; the others stand in for NULL (`'[]'::json`).
    const shapes = args.map((_, i) => arg(i)).filter((s) => Object.keys(s).length);
    if (!shapes.length) return OPEN;
    // Only a fallback is known (`COALESCE(x, '[]'::json)`): an array, of what is not known.
    const main = shapes[0]!;
    return main['maxItems'] === 0 && args[0] !== undefined && Object.keys(arg(0)).length === 0 ? json({ type: 'array' }) : main;
  }
  if (name === 'count') return { type: 'integer' };
  return OPEN;
}

/** The object `row_to_json(alias)` gives: the columns of the subquery `(SELECT …) alias` of the same text. */
function rowShape(alias: string, sql: string, depth: number): JsonSchema {
  const name = alias.trim();
  if (!/^[A-Za-z_]\w*$/.test(name)) return { type: 'object' };
  const re = new RegExp(`\\)\\s*(?:AS\\s+)?${name}\\b`, 'gi');
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    const open = opens(sql, m.index);
    if (open < 0) continue;
    const inner = sql.slice(open + 1, m.index);
    if (!/^\s*SELECT\b/i.test(inner)) continue;
    const items = selectList(inner);
    if (!items) break;
    const properties: Record<string, JsonSchema> = {};
    for (const item of items) {
      const column = columnName(item);
      // `SELECT *` or an unnamed expression: not every key is known.
      if (!column || item.trim().endsWith('*')) return { type: 'object', ...(Object.keys(properties).length ? { properties } : {}) };
      properties[column] = withoutMark(exprShape(withoutAlias(item), inner, depth + 1));
    }
    return { type: 'object', properties, required: Object.keys(properties) };
  }
  // A table's row: an object whose keys are its columns.
  return { type: 'object' };
}

/** `{items: s}` where `s` says something. */
function itemsOf(s: JsonSchema): JsonSchema {
  const item = withoutMark(s);
  return Object.keys(item).length ? { items: item } : {};
}

/** A shape PostgreSQL builds as JSON, marked so. */
function json(s: JsonSchema): JsonSchema {
  const plain = withoutMark(s);
  return { ...plain, [SQL_JSON]: plain };
}

/** A shape without the {@link SQL_JSON} mark at its top. */
export function withoutMark(s: JsonSchema): JsonSchema {
  if (!(SQL_JSON in s)) return s;
  const out = { ...s };
  delete out[SQL_JSON];
  return out;
}

/** `… ORDER BY …` at the top level of an aggregate's arguments, cut off. */
function cutOrderBy(args: string): string {
  const m = /\sORDER\s+BY\s/i.exec(args);
  return m && topLevelEnd(args, m.index) ? args.slice(0, m.index) : args;
}

/** The index of the parenthesis that closes the one at `i`, or -1. */
function closes(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j]!;
    if (c === "'") j = skipQuoted(text, j);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  return -1;
}

/** The index of the parenthesis that the one at `i` closes, or -1 (quotes are not tracked backwards). */
function opens(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j >= 0; j--) {
    const c = text[j]!;
    if (c === ')') depth++;
    else if (c === '(' && --depth === 0) return j;
  }
  return -1;
}
