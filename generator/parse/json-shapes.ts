/**
 * The JSON a Python expression turns into when a view answers it (`JsonResponse(x)`,
 * `Response(x)`, `HttpResponse(json.dumps(x))`), as a JSON Schema: dict and list literals,
 * names built up from them (`result = {…}; result['k'] = …`, `rows.append(…)`), comprehensions,
 * tuples of fixed arity, values whose kind the code shows (`int(…)`, literals, `len(…)`, `.id`,
 * `None` → null), records whose keys are data. A call of another function is left as a
 * placeholder (`{ $call: 'helper' }`) that the model replaces by what that function returns
 * (model/code-shapes.ts), so that these facts stay plain data. What is not known stays open
 * (`{}`), never guessed.
 *
 * Consumes: an expression node and the {@link LocalValues} of its function. Produces: a
 * {@link JsonSchema} (plain data), within a bound on depth and size.
 */
import type { JsonSchema, JsonValue } from '../model/types.js';
import { stringLiteral } from './literals.js';
import type { LocalValues, ValueEvent } from './local-values.js';
import { isNumber, isOpen, merge, mergeObjects } from './shape-merge.js';
import { columnShapes, INTERPOLATED } from './sql-shapes.js';
import type { SyntaxNode } from './parser.js';
import { isJsonObject } from '../util/json.js';

/** What {@link shapeOf} needs besides the expression. */
export interface ShapeScope {
  locals: LocalValues;
  /** Loop variables of enclosing comprehensions: open, whatever a local of that name holds… */
  shadowed?: ReadonlySet<string>;
  /** …unless what they iterate shows their shape (`for row in cursor.fetchall()`: a row). */
  bound?: ReadonlyMap<string, JsonSchema>;
  /** Nodes left before the shape is cut (shared by one answer's whole shape). */
  budget: { nodes: number };
}

/** The placeholder key of a call whose result the model fills in. */
export const CALL_KEY = '$call';

/** How deep a shape goes; below, values are open. */
const MAX_DEPTH = 12;
/** How many expressions one answer's shape may look at. */
export const SHAPE_BUDGET = 4000;

const OPEN: JsonSchema = {};

/** The JSON Schema of what `node` becomes as JSON, looking at names as they are before `before`. */
export function shapeOf(node: SyntaxNode, scope: ShapeScope, before: number, depth = 0): JsonSchema {
  if (depth > MAX_DEPTH || --scope.budget.nodes < 0) return OPEN;
  switch (node.type) {
    case 'string':
    case 'concatenated_string':
      return { type: 'string' };
    case 'integer':
      return { type: 'integer' };
    case 'float':
      return { type: 'number' };
    case 'true':
    case 'false':
      return { type: 'boolean' };
    case 'none':
      return { type: 'null' };
    case 'parenthesized_expression':
      return node.namedChildren[0] ? shapeOf(node.namedChildren[0], scope, before, depth) : OPEN;
    case 'unary_operator':
      return numeric(shapeOf(node.childForFieldName('argument')!, scope, before, depth + 1));
    case 'binary_operator': {
      const op = node.childForFieldName('operator')?.type;
      const left = shapeOf(node.childForFieldName('left')!, scope, before, depth + 1);
      const right = shapeOf(node.childForFieldName('right')!, scope, before, depth + 1);
      if (op === '+' && left['type'] === 'string' && right['type'] === 'string') return { type: 'string' };
      if (op === '+' && left['type'] === 'array' && right['type'] === 'array') return merge(left, right);
      if (op === '%' && left['type'] === 'string') return { type: 'string' };
      if (op === '/' && isNumber(left) && isNumber(right)) return { type: 'number' };
      if (['+', '-', '*', '//', '%', '**'].includes(op ?? '') && isNumber(left) && isNumber(right)) return left['type'] === 'integer' && right['type'] === 'integer' ? { type: 'integer' } : { type: 'number' };
      return OPEN;
    }
    case 'comparison_operator':
    case 'not_operator':
      return { type: 'boolean' };
    case 'boolean_operator': {
      // `a or b` is one of them
      const [a, b] = node.namedChildren;
      return a && b ? merge(shapeOf(a, scope, before, depth + 1), shapeOf(b, scope, before, depth + 1)) : OPEN;
    }
    case 'conditional_expression': {
      const [a, , b] = node.namedChildren;
      return a && b ? merge(shapeOf(a, scope, before, depth + 1), shapeOf(b, scope, before, depth + 1)) : OPEN;
    }
    case 'dictionary':
      return dictShape(node, scope, before, depth);
    case 'list':
    case 'tuple':
    case 'set':
    case 'expression_list': // return a, b, c
      return sequenceShape(node.namedChildren.filter((c) => c.type !== 'comment'), scope, before, depth, node.type !== 'set');
    case 'list_comprehension':
    case 'set_comprehension':
    case 'generator_expression': {
      const body = node.namedChildren[0];
      return { type: 'array', items: body ? shapeOf(body, inComprehension(node, scope, before, depth), before, depth + 1) : OPEN };
    }
    case 'dictionary_comprehension': {
      const pair = node.namedChildren[0];
      const value = pair?.type === 'pair' ? pair.childForFieldName('value') : null;
      return { type: 'object', additionalProperties: value ? shapeOf(value, inComprehension(node, scope, before, depth), before, depth + 1) : OPEN };
    }
    case 'identifier':
      return scope.bound?.get(node.text) ?? (scope.shadowed?.has(node.text) ? OPEN : nameShape(node.text, scope, before, depth));
    case 'attribute':
      return attributeShape(node);
    case 'subscript':
      return subscriptShape(node, scope, before, depth);
    case 'call':
      return callShape(node, scope, before, depth);
    default:
      return OPEN;
  }
}

/** The scope inside a comprehension: its loop variables hide locals of the same names. */
function inComprehension(node: SyntaxNode, scope: ShapeScope, before: number, depth: number): ShapeScope {
  const names = new Set(scope.shadowed ?? []);
  const bound = new Map(scope.bound ?? []);
  for (const clause of node.namedChildren) {
    if (clause.type !== 'for_in_clause') continue;
    const left = clause.childForFieldName('left');
    const right = clause.childForFieldName('right');
    const targets = left?.type === 'identifier' ? [left] : (left?.namedChildren ?? []).filter((n) => n.type === 'identifier');
    for (const n of targets) {
      names.add(n.text);
      bound.delete(n.text);
    }
    // What each name holds: an element of the iterable, or a position of a tuple element.
    const element = right ? elementOf(shapeOf(right, { ...scope, shadowed: names, bound }, before, depth + 1)) : OPEN;
    if (left?.type === 'identifier') {
      if (!isOpen(element)) bound.set(left.text, element);
    } else if (Array.isArray(element['prefixItems'])) {
      const positions = element['prefixItems'] as JsonSchema[];
      if (left && positions.length === left.namedChildren.length) {
        left.namedChildren.forEach((n, i) => {
          if (n.type === 'identifier' && !isOpen(positions[i]!)) bound.set(n.text, positions[i]!);
        });
      }
    }
  }
  return { ...scope, shadowed: names, bound };
}

function dictShape(node: SyntaxNode, scope: ShapeScope, before: number, depth: number): JsonSchema {
  const properties: Record<string, JsonValue> = {};
  const required: string[] = [];
  let additional: JsonSchema | undefined;
  let open = false;
  for (const entry of node.namedChildren) {
    if (entry.type === 'comment') continue;
    if (entry.type !== 'pair') {
      open = true; // **spread
      continue;
    }
    const key = entry.childForFieldName('key')!;
    const value = shapeOf(entry.childForFieldName('value')!, scope, before, depth + 1);
    const name = key.type === 'string' ? stringLiteral(key) : undefined;
    if (name !== undefined) {
      properties[name] = value;
      required.push(name);
    } else {
      // a key from data: a record
      additional = additional ? merge(additional, value) : value;
    }
  }
  // `{}`: no keys yet (marked like `[]`; keys set on it later are read by nameShape)
  const out: JsonSchema = node.namedChildren.length === 0 ? { type: 'object', maxProperties: 0 } : { type: 'object' };
  if (Object.keys(properties).length) out['properties'] = properties;
  if (required.length && !open) out['required'] = required;
  if (additional) out['additionalProperties'] = additional;
  return out;
}

/**
 * A list or tuple literal: a fixed-arity tuple (`prefixItems`) where its items differ (`[nodes,
 * connectors, tags]`), else an array of the items' common shape.
 */
function sequenceShape(items: SyntaxNode[], scope: ShapeScope, before: number, depth: number, fixed: boolean): JsonSchema {
  if (items.some((i) => i.type === 'list_splat')) return { type: 'array' };
  const shapes = items.map((i) => shapeOf(i, scope, before, depth + 1));
  // `[]`: empty where it is made, whatever it holds later (see merge)
  if (shapes.length === 0) return { type: 'array', maxItems: 0 };
  const texts = new Set(shapes.map((s) => JSON.stringify(s)));
  // `[row[0], row[1], row[2]]`: values not known, but how many there are is.
  if (fixed && shapes.length > 1 && shapes.every(isOpen)) return tuple(shapes);
  if (texts.size === 1 || !fixed) return { type: 'array', items: shapes.reduce(merge) };
  return { type: 'array', prefixItems: shapes, minItems: shapes.length, maxItems: shapes.length };
}

/**
 * A name: its last assignment before `before`, with what the statements after it add to that
 * value until the name is assigned again — also after `before`, since a dict or list stored
 * elsewhere (`cs[k] = c`) is the same object the later `c['k'] = …` changes.
 */
function nameShape(name: string, scope: ShapeScope, before: number, depth: number): JsonSchema {
  const events = scope.locals.get(name) ?? [];
  let start = -1;
  const binds = (e: ValueEvent) => e.kind === 'assign' || e.kind === 'element';
  for (let i = events.length - 1; i >= 0; i--) {
    if (binds(events[i]!) && events[i]!.at < before) {
      start = i;
      break;
    }
  }
  if (start < 0) return OPEN;
  const assigned = events[start]!;
  let end = events.findIndex((e, i) => i > start && binds(e));
  if (end < 0) end = events.length;
  let shape = assigned.kind === 'element' ? elementOf(shapeOf(assigned.value, scope, assigned.at, depth + 1)) : shapeOf(assigned.value, scope, assigned.at, depth + 1);
  for (const e of events.slice(start + 1, end)) {
    if (--scope.budget.nodes < 0) return OPEN;
    const value = shapeOf(e.value, scope, e.at, depth + 1);
    switch (e.kind) {
      case 'key':
        if (shape['type'] !== 'object') return shape['type'] === undefined ? OPEN : shape;
        shape = e.key !== undefined ? withProperty(shape, e.key, value, e.depth <= assigned.depth) : withoutKeysMark({ ...shape, additionalProperties: shape['additionalProperties'] ? merge(shape['additionalProperties'] as JsonSchema, value) : value });
        break;
      case 'append':
        if (shape['type'] === 'array') shape = { type: 'array', items: shape['items'] && !shape['prefixItems'] ? merge(shape['items'] as JsonSchema, value) : value };
        break;
      case 'extend':
        if (shape['type'] === 'array' && value['type'] === 'array') shape = merge(shape, value);
        break;
      case 'update':
        if (shape['type'] === 'object' && value['type'] === 'object') shape = mergeObjects(shape, value, true);
        break;
      default:
        break;
    }
  }
  return shape;
}

/**
 * `x.id`, `x.pk`: integers by Django's naming; `x.skeleton_id` a foreign key's integer, or null
 * where the key is nullable. Anything else is open.
 */
function attributeShape(node: SyntaxNode): JsonSchema {
  const name = node.childForFieldName('attribute')?.text ?? '';
  if (name === 'id' || name === 'pk') return { type: 'integer' };
  if (/_id$/.test(name)) return { anyOf: [{ type: 'integer' }, { type: 'null' }] };
  return OPEN;
}

const CONVERSIONS: Record<string, JsonSchema> = {
  int: { type: 'integer' },
  float: { type: 'number' },
  str: { type: 'string' },
  bool: { type: 'boolean' },
  len: { type: 'integer' },
  round: { type: 'number' },
  dict: { type: 'object' },
  model_to_dict: { type: 'object' },
};
const STRING_METHODS = new Set(['isoformat', 'strftime', 'format', 'join', 'lower', 'upper', 'strip', 'replace']);

function callShape(node: SyntaxNode, scope: ShapeScope, before: number, depth: number): JsonSchema {
  const fn = node.childForFieldName('function');
  const args = node.childForFieldName('arguments');
  const first = args?.type === 'argument_list' ? args.namedChildren.find((a) => a.type !== 'keyword_argument' && a.type !== 'comment') : args?.type === 'generator_expression' ? args : undefined;
  if (fn?.type === 'identifier') {
    const name = fn.text;
    if (name in CONVERSIONS) return { ...CONVERSIONS[name]! };
    if (name === 'list' || name === 'sorted' || name === 'tuple' || name === 'set') {
      const inner = first ? shapeOf(first, scope, before, depth + 1) : OPEN;
      // list(row) of a tuple keeps it one; sorting or a set mixes the positions
      if (inner['prefixItems'] && (name === 'list' || name === 'tuple')) return inner;
      const items = inner['type'] === 'array' ? elementOf(inner) : OPEN;
      return { type: 'array', ...(isOpen(items) ? {} : { items }) };
    }
    if (name === 'sum' || name === 'max' || name === 'min' || name === 'abs') return first ? numeric(shapeOf(first, scope, before, depth + 1)['items'] as JsonSchema ?? OPEN) : OPEN;
  }
  if (fn?.type === 'attribute') {
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (STRING_METHODS.has(method)) return { type: 'string' };
    if (method === 'count') return { type: 'integer' };
    if (method === 'fetchall' || method === 'fetchmany' || method === 'fetchone') {
      // A row is a tuple of what the SQL selects: `SELECT id, name FROM …` gives rows of two.
      const of = fn.childForFieldName('object');
      const columns = of?.type === 'identifier' ? selectedColumns(of.text, scope, before) : undefined;
      const row: JsonSchema = columns ? tuple(columns) : { type: 'array' };
      return method === 'fetchone' ? { anyOf: [row, { type: 'null' }] } : { type: 'array', items: row };
    }
    if (method === 'values_list' && args?.text.includes('flat=True')) return { type: 'array' };
    if (method === 'keys' || method === 'values' || method === 'items') {
      const of = shapeOf(fn.childForFieldName('object')!, scope, before, depth + 1);
      if (method === 'keys' && of['type'] === 'object') return { type: 'array', items: { type: 'string' } };
      if (method === 'values' && of['type'] === 'object' && of['additionalProperties']) return { type: 'array', items: of['additionalProperties'] };
      return { type: 'array' };
    }
  }
  // A function the model may look into: what it returns is filled in later.
  return fn && /^[A-Za-z_][\w.]*$/.test(fn.text) && !/^[A-Z]/.test(fn.text.replace(/^.*\./, '')) ? { [CALL_KEY]: fn.text } : OPEN;
}

/** `x[0]`, `x['k']`: the part of `x`'s shape at that place (of a row, the column; `fetchone()` may be None). */
function subscriptShape(node: SyntaxNode, scope: ShapeScope, before: number, depth: number): JsonSchema {
  const of = node.childForFieldName('value');
  const key = node.childForFieldName('subscript');
  if (!of || !key) return OPEN;
  let s = shapeOf(of, scope, before, depth + 1);
  if (Array.isArray(s['anyOf'])) {
    const present = (s['anyOf'] as JsonSchema[]).filter((a) => a['type'] !== 'null');
    if (present.length !== 1) return OPEN;
    s = present[0]!;
  }
  if (s['type'] === 'array' && key.type === 'integer') {
    const i = Number(key.text);
    if (Array.isArray(s['prefixItems'])) return ((s['prefixItems'] as JsonSchema[])[i] as JsonSchema | undefined) ?? OPEN;
    return isJsonObject(s['items']) ? (s['items'] as JsonSchema) : OPEN;
  }
  if (s['type'] === 'object' && key.type === 'string') {
    const name = stringLiteral(key);
    const properties = s['properties'] as Record<string, JsonSchema> | undefined;
    if (name !== undefined && properties?.[name]) return properties[name]!;
    return isJsonObject(s['additionalProperties']) ? (s['additionalProperties'] as JsonSchema) : OPEN;
  }
  return OPEN;
}

/** What iterating a value yields: an array's items, a tuple's merged positions, a dict's keys. */
function elementOf(s: JsonSchema): JsonSchema {
  if (s['type'] === 'array') {
    if (Array.isArray(s['prefixItems'])) {
      const positions = s['prefixItems'] as JsonSchema[];
      return positions.length ? positions.reduce(merge) : OPEN;
    }
    return isJsonObject(s['items']) ? (s['items'] as JsonSchema) : OPEN;
  }
  if (s['type'] === 'object') return { type: 'string' };
  return OPEN;
}

/** A tuple of fixed arity. */
function tuple(items: JsonSchema[]): JsonSchema {
  return { type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length };
}

/** The shapes of the columns of the SQL last run on a cursor, where its text shows them. */
function selectedColumns(cursor: string, scope: ShapeScope, before: number): JsonSchema[] | undefined {
  const runs = (scope.locals.get(cursor) ?? []).filter((e) => e.kind === 'execute' && e.at < before);
  const sql = runs[runs.length - 1]?.value;
  if (!sql) return undefined;
  const text = sql.type === 'string' ? sqlText(sql) : sql.type === 'identifier' ? lastAssignedText(sql.text, scope, before) : undefined;
  return text ? columnShapes(text) : undefined;
}

/** The text of the string a name was last assigned (`query = '''SELECT …'''`). */
function lastAssignedText(name: string, scope: ShapeScope, before: number): string | undefined {
  const assigns = (scope.locals.get(name) ?? []).filter((e) => e.kind === 'assign' && e.at < before);
  const value = assigns[assigns.length - 1]?.value;
  return value?.type === 'string' ? sqlText(value) : undefined;
}

/**
 * A query's text from its string literal; each `{…}` of an f-string (`{user_select}`, which may add
 * columns) is {@link INTERPOLATED}.
 */
function sqlText(node: SyntaxNode): string {
  return stringLiteral(node) ?? node.namedChildren.map((c) => (c.type === 'string_content' ? c.text : c.type === 'interpolation' ? INTERPOLATED : '')).join('');
}

function numeric(s: JsonSchema): JsonSchema {
  return s['type'] === 'integer' || s['type'] === 'number' ? { type: s['type'] } : OPEN;
}


/** An object shape with a key set (`result['k'] = v`); `always`: set on every path, so required. */
function withProperty(shape: JsonSchema, key: string, value: JsonSchema, always: boolean): JsonSchema {
  const properties = { ...((shape['properties'] as Record<string, JsonValue> | undefined) ?? {}) };
  properties[key] = key in properties ? merge(properties[key] as JsonSchema, value) : value;
  // A key set on some paths only is not required, unless the value had it already.
  const required = new Set((shape['required'] as string[] | undefined) ?? []);
  if (always) required.add(key);
  const out: JsonSchema = withoutKeysMark({ ...shape, properties });
  if (required.size) out['required'] = [...required];
  else delete out['required'];
  return out;
}

/** A shape without the mark of an empty dict literal, once keys are set on it. */
function withoutKeysMark(shape: JsonSchema): JsonSchema {
  const out = { ...shape };
  delete out['maxProperties'];
  return out;
}


// The algebra of shapes, for the readers of this module's results.
export { isOpen, merge, withoutEmptyMarks } from './shape-merge.js';
