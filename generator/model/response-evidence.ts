/**
 * Response types from evidence, merged by rank: what a server answered (`observed`), what
 * CATMAID's own API tests compare answers with (`test`), what the view's code returns (`code`),
 * what its docstring documents (`docstring`). The better evidence decides each part of the type;
 * what it leaves open (`{}`, a record's values, a documented key the code does not show) is
 * filled from the next. A docstring contradicted by better evidence is a `response-doc-mismatch`
 * finding, not the type.
 *
 * Consumes: routes with operations, recorded answers, the code's and the docstring's schemas.
 * Produces: `response.schema`, `response.evidence` and `response.examples`, and diagnostics.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import { isOpen, merge, withoutEmptyMarks } from '../parse/json-shapes.js';
import { knowsBody, answeringOperation, type RecordedAnswer } from './answers.js';
import type { Evidence, JsonSchema, JsonValue, Operation, ResponseEvidence, ResponseInfo, Route } from './types.js';
import { isJsonObject } from '../util/json.js';

/** How many examples an operation keeps. */
const MAX_EXAMPLES = 2;
/** How deep a model reference of a docstring is inlined. */
const MAX_REF_DEPTH = 6;

/** A conflict between two pieces of evidence at one place of the answer. */
export interface Conflict {
  /** JSON pointer of the place: `/skeletons/0`, `` for the whole answer. */
  at: string;
  kept: string;
  dropped: string;
}

/**
 * `high` with what it leaves open filled from `low`. Where both say something different, `high`
 * wins and the conflict is listed. `strict`: `high` lists every key an object has (a literal the
 * code returns, a test's expected answer), so keys only `low` names are dropped; else they are
 * added as optional.
 */
export function combine(high: JsonSchema, low: JsonSchema, conflicts: Conflict[], at = '', strict = true): JsonSchema {
  if (isOpen(high)) return low;
  if (isOpen(low)) return high;
  const th = kindOf(high);
  const tl = kindOf(low);
  if (th !== tl) {
    // integer documented, number returned (or the reverse): the wider one, no conflict
    if ((th === 'integer' && tl === 'number') || (th === 'number' && tl === 'integer')) return { ...low, ...high, type: 'number' };
    // a nullable answer: what low says of the value, nullable
    if (th === 'null') return { anyOf: [low, high] };
    if (!(th === 'any' || tl === 'any')) conflicts.push({ at, kept: describe(high), dropped: describe(low) });
    // A docstring that documents one element of a list answer (an object for an array of
    // objects): what it says of the element still fills the element's open parts.
    if (th === 'array' && tl === 'object') {
      // …or names the list as its one key (`type: {projects: {type: array, …}}` for a bare list)
      const only = Object.values((low['properties'] as Record<string, JsonSchema> | undefined) ?? {});
      if (only.length === 1 && kindOf(only[0]!) === 'array') return combine(high, only[0]!, [], at, strict);
      if (isJsonObject(high['items']) && kindOf(high['items'] as JsonSchema) === 'object') return { ...high, items: combine(high['items'] as JsonSchema, low, [], `${at}/0`, strict) };
    }
    return high;
  }
  if (th === 'object') {
    const ph = (high['properties'] as Record<string, JsonSchema> | undefined) ?? {};
    const pl = (low['properties'] as Record<string, JsonSchema> | undefined) ?? {};
    // Keys that are data (ids, dates) against keys by name: a docstring that names a placeholder
    // (`user_id: {date: {…}}`) for what is a record. The record wins; a placeholder's value still
    // describes the record's values, where it is the only key.
    const recordHigh = isJsonObject(high['additionalProperties']) && !isOpen(high['additionalProperties'] as JsonSchema) && Object.keys(ph).length === 0;
    if (recordHigh && Object.keys(pl).length > 0 && !low['additionalProperties']) {
      conflicts.push({ at, kept: 'an object keyed by data', dropped: `the key${Object.keys(pl).length > 1 ? 's' : ''} ${Object.keys(pl).map((k) => `'${k}'`).join(', ')}` });
      const only = Object.values(pl);
      const values = only.length === 1 ? combine(high['additionalProperties'] as JsonSchema, only[0]!, conflicts, `${at}/*`, strict) : (high['additionalProperties'] as JsonSchema);
      const out: JsonSchema = { ...low, ...high, type: 'object', additionalProperties: values };
      delete out['properties'];
      delete out['required'];
      return out;
    }
    const properties: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(ph)) properties[k] = pl[k] ? combine(v, pl[k]!, conflicts, `${at}/${k}`, strict) : v;
    // Documented as always there, but some answers leave it out.
    const requiredHigh = new Set(Array.isArray(high['required']) ? (high['required'] as string[]) : []);
    if (strict && Object.keys(ph).length) {
      for (const k of Array.isArray(low['required']) ? (low['required'] as string[]) : []) {
        if (k in ph && !requiredHigh.has(k)) conflicts.push({ at: `${at}/${k}`, kept: 'a key some answers leave out', dropped: 'a required key' });
      }
    }
    const closed = strict && Array.isArray(high['required']) && !high['additionalProperties'];
    for (const [k, v] of Object.entries(pl)) {
      if (k in ph) continue;
      if (!closed) properties[k] = v;
      else if (Array.isArray(low['required']) && low['required'].includes(k)) conflicts.push({ at: `${at}/${k}`, kept: 'no such key', dropped: 'a required key' });
    }
    let ah = high['additionalProperties'] as JsonSchema | undefined;
    const al = low['additionalProperties'] as JsonSchema | undefined;
    // `high` only knows some keys (a part a test compares): where `low` lists the keys, it knows more.
    if (ah && isOpen(ah) && Object.keys(pl).length) ah = undefined;
    const additional = ah && al ? combine(ah, al, conflicts, `${at}/*`, strict) : (ah ?? (Object.keys(ph).length ? undefined : al));
    const out: JsonSchema = { ...low, ...high, type: 'object' };
    delete out['properties'];
    delete out['additionalProperties'];
    if (Object.keys(properties).length) out['properties'] = properties;
    if (additional) out['additionalProperties'] = additional;
    // A key `high` knows is required where `high` says so (a key the code sets on some paths only,
    // or a test's answers leave out, is not); a key only `low` names, where `low` says so, unless
    // `high`'s answers go without it.
    const requiredLow = new Set(Array.isArray(low['required']) ? (low['required'] as string[]) : []);
    // `high` that knows only some keys (a part a test compares) does not say which are always there.
    const partial = isJsonObject(high['additionalProperties']) && isOpen(high['additionalProperties'] as JsonSchema) && !Array.isArray(high['required']);
    // A key `high` lists answers without (it has a required list) is not required either.
    const knowsRequired = Array.isArray(high['required']) && Object.keys(ph).length > 0;
    const required = Object.keys(properties).filter((k) => (partial ? requiredLow.has(k) || requiredHigh.has(k) : k in ph || knowsRequired ? requiredHigh.has(k) : requiredLow.has(k)));
    // (set in place, where `low` or `high` had it, so the schema's key order stays)
    if (required.length) out['required'] = required;
    else delete out['required'];
    return out;
  }
  if (th === 'array') {
    // A tuple against a list of one kind: the elements the code shows are checked against that
    // kind, but an element the code leaves open is not filled from a claim the tuple disproves.
    if (high['prefixItems'] && Array.isArray(low['prefixItems'])) {
      // Two tuples: position by position, the longer one's length.
      const ph = high['prefixItems'] as JsonSchema[];
      const pl = low['prefixItems'] as JsonSchema[];
      const prefixItems = Array.from({ length: Math.max(ph.length, pl.length) }, (_, i) => (ph[i] && pl[i] ? combine(ph[i]!, pl[i]!, conflicts, `${at}/${i}`, strict) : (ph[i] ?? pl[i])!));
      return { ...low, ...high, prefixItems, minItems: prefixItems.length, ...(high['maxItems'] !== undefined || low['maxItems'] !== undefined ? { maxItems: prefixItems.length } : {}) };
    }
    if (high['prefixItems']) {
      if (isJsonObject(low['items'])) {
        (high['prefixItems'] as JsonSchema[]).forEach((item, i) => {
          if (!isOpen(item) && kindOf(item) !== kindOf(low['items'] as JsonSchema) && kindOf(item) !== 'any' && kindOf(low['items'] as JsonSchema) !== 'any') {
            conflicts.push({ at: `${at}/${i}`, kept: describe(item), dropped: describe(low['items'] as JsonSchema) });
          }
        });
      }
      return high;
    }
    if (!low['items']) return high;
    const items = high['items'] ? combine(high['items'] as JsonSchema, low['items'] as JsonSchema, conflicts, `${at}/0`, strict) : low['items']!;
    return { ...low, ...high, items };
  }
  return { ...low, ...high };
}

/** The kind a schema says a value is: a JSON type, `any` for unions and references. */
function kindOf(s: JsonSchema): string {
  if (typeof s['type'] === 'string') return s['type'];
  if (s['prefixItems']) return 'array';
  return 'any';
}

function describe(s: JsonSchema): string {
  const k = kindOf(s);
  if (k === 'array' && s['prefixItems']) return `a tuple of ${(s['prefixItems'] as JsonValue[]).length}`;
  if (k === 'array') return s['items'] && typeof (s['items'] as JsonSchema)['type'] === 'string' ? `an array of ${(s['items'] as JsonSchema)['type']}` : 'an array';
  return k === 'object' ? 'an object' : k === 'any' ? 'one of several types' : `a${/^[aeiou]/.test(k) ? 'n' : ''} ${k}`;
}

/** A docstring's schema with its `#/models/…` references inlined (to a bounded depth). */
export function inlineModels(schema: JsonSchema, models: Record<string, JsonSchema> | undefined, depth = 0): JsonSchema {
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target = models?.[ref.replace(/^#\/models\//, '')];
    return target && depth < MAX_REF_DEPTH ? inlineModels(target, models, depth + 1) : {};
  }
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && isJsonObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([n, p]) => [n, isJsonObject(p) ? inlineModels(p, models, depth) : p]));
    else if ((k === 'items' || k === 'additionalProperties') && isJsonObject(v)) out[k] = inlineModels(v, models, depth);
    else if ((k === 'anyOf' || k === 'prefixItems') && Array.isArray(v)) out[k] = v.map((m) => (isJsonObject(m) ? inlineModels(m, models, depth) : m));
    else out[k] = v;
  }
  return out;
}

/**
 * The JSON Schema of a JSON value: what a real answer shows of its type. Numbers are `number`:
 * a test's `7620.0` reads as `7620`, so an integer here does not show the value is always one.
 * Places listed in `unknown` (JSON pointers) are open.
 */
export function shapeOfJson(value: JsonValue, unknown: ReadonlySet<string> = new Set(), at = '', depth = 0): JsonSchema {
  if (depth > 24 || unknown.has(at)) return {};
  if (value === null) return { type: 'null' };
  if (typeof value === 'string') return { type: 'string' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (typeof value === 'number') return { type: 'number' };
  const child = (key: string | number) => `${at}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
  if (Array.isArray(value)) {
    // `[]`: whatever the other answers' lists hold (the mark is dropped once merged)
    if (value.length === 0) return { type: 'array', maxItems: 0 };
    const items = value.map((v, i) => shapeOfJson(v, unknown, child(i), depth + 1));
    // Values of different kinds side by side are a tuple (a row), not a list of either.
    const kinds = new Set(items.filter((s) => s['type'] !== 'null' && !isOpen(s)).map((s) => JSON.stringify(s['type'] ?? s)));
    if (kinds.size > 1) return { type: 'array', prefixItems: items, minItems: items.length, maxItems: items.length };
    return { type: 'array', items: items.reduce(merge) };
  }
  const keys = Object.keys(value);
  // Keys that are data (ids): a record, not properties.
  if (keys.length > 0 && keys.every((k) => /^-?\d+$/.test(k))) {
    return { type: 'object', additionalProperties: keys.map((k) => shapeOfJson(value[k]!, unknown, child(k), depth + 1)).reduce(merge) };
  }
  const properties = Object.fromEntries(keys.map((k) => [k, shapeOfJson(value[k]!, unknown, child(k), depth + 1)]));
  // `{}`: no keys at all (the mark, like `maxItems: 0`, is dropped once merged)
  return { type: 'object', ...(keys.length ? { properties, required: keys } : { maxProperties: 0 }) };
}

/**
 * The code's shape and the docstring's, combined (code first), on a response: the docstring's
 * parts the code contradicts are findings at the docstring, the rest fills what the code leaves
 * open. `documentedAt` is where the docstring is.
 */
export function combineCodeAndDocs(
  response: ResponseInfo,
  code: { schema: JsonSchema; evidence: Evidence[] } | undefined,
  documentedAt: { file: string; line: number } | undefined,
  diagnostics: DiagnosticBag,
  where: string,
): void {
  const evidence: ResponseEvidence[] = [];
  const documented = response.schema ? inlineModels(response.schema, response.models) : undefined;
  let schema = documented;
  if (code && !isOpen(code.schema)) {
    const conflicts: Conflict[] = [];
    schema = documented ? combine(code.schema, documented, conflicts) : code.schema;
    evidence.push(...code.evidence.map((e) => ({ source: 'code' as const, file: e.file, line: e.line })));
    if (documentedAt) {
      for (const c of conflicts) {
        diagnostics.add('response-doc-mismatch', `the docstring documents ${c.dropped}${c.at ? ` at ${c.at}` : ''}, but the code returns ${c.kept}`, documentedAt.file, documentedAt.line, undefined, where);
      }
    }
  }
  if (documented && documentedAt) evidence.push({ source: 'docstring', file: documentedAt.file, line: documentedAt.line });
  if (schema && !isOpen(schema)) response.schema = schema;
  else delete response.schema;
  if (response.schema !== documented || !response.schema) delete response.models;
  if (evidence.length && response.schema) response.evidence = evidence;
}

/**
 * Adds recorded answers (tests, observed) to the operations they belong to: their shapes come
 * first, the response's current schema fills what they leave open, and their bodies are examples.
 */
export function applyAnswers(routes: Route[], answers: RecordedAnswer[], diagnostics: DiagnosticBag): void {
  // What one handler answers is the same whichever route or method reaches it: the answers go to
  // every operation of that handler (a test's POST to a view the model calls with GET, the POST
  // of a route and the GET of another route of the same view).
  const byHandler = new Map<string, Array<{ route: Route; op: Operation }>>();
  for (const route of routes) {
    for (const op of route.operations) {
      if (!op.handler) continue;
      const key = `${op.handler.file}:${op.handler.line}`;
      byHandler.set(key, [...(byHandler.get(key) ?? []), { route, op }]);
    }
  }
  const byOperation = new Map<Operation, { route: Route; list: RecordedAnswer[] }>();
  for (const answer of answers) {
    if (answer.status !== undefined && (answer.status < 200 || answer.status > 299)) continue;
    const served = answeringOperation(routes, answer);
    if (!served) continue;
    const { route, op } = served;
    const targets = op.handler ? byHandler.get(`${op.handler.file}:${op.handler.line}`) ?? [{ route, op }] : [{ route, op }];
    for (const t of targets) {
      const entry = byOperation.get(t.op) ?? { route: t.route, list: [] };
      entry.list.push(answer);
      byOperation.set(t.op, entry);
    }
  }
  for (const [op, { route, list }] of byOperation) {
    const ranked = [...list.filter((a) => a.source === 'observed'), ...list.filter((a) => a.source === 'test')];
    let schema: JsonSchema | undefined;
    const evidence: ResponseEvidence[] = [];
    const examples: JsonValue[] = [];
    for (const a of ranked) {
      if (a.body === undefined || !knowsBody(a)) continue;
      const whole = shapeOfJson(a.body, new Set(a.unknown ?? []));
      const shape = a.at?.length ? nest(whole, a.at) : whole;
      schema = schema ? merge(schema, shape) : shape;
      evidence.push({ source: a.source, file: a.file, line: a.line });
      if (!a.at?.length && !a.unknown?.length && examples.length < MAX_EXAMPLES) examples.push(a.body);
    }
    if (!schema) continue;
    schema = withoutEmptyMarks(schema);
    const response: ResponseInfo = op.response ?? { format: 'json' };
    const conflicts: Conflict[] = [];
    const current = response.schema ? inlineModels(response.schema, response.models) : undefined;
    response.schema = current ? combine(schema, current, conflicts, '', false) : schema;
    delete response.models;
    response.evidence = [...evidence, ...(response.evidence ?? [])];
    if (examples.length) response.examples = examples;
    op.response = response;
    const doc = (response.evidence ?? []).find((e) => e.source === 'docstring');
    for (const c of conflicts) {
      if (doc?.file) diagnostics.add('response-doc-mismatch', `the docstring documents ${c.dropped}${c.at ? ` at ${c.at}` : ''}, but ${ranked[0]!.source === 'observed' ? 'the server answers' : "CATMAID's tests expect"} ${c.kept}`, doc.file, doc.line, undefined, `${op.method} ${route.path}`);
    }
  }
}

/**
 * A part's shape placed where it is in the whole answer: `['k', 0]` → `{k: [part, …]}`. A number
 * is a position (the answer may be a tuple): the positions before it are open, and the array may
 * be longer.
 */
function nest(shape: JsonSchema, at: Array<string | number>): JsonSchema {
  let out = shape;
  for (const key of [...at].reverse()) {
    out =
      typeof key === 'number'
        ? { type: 'array', prefixItems: [...Array.from({ length: key }, () => ({})), out], minItems: key + 1 }
        : { type: 'object', properties: { [key]: out }, additionalProperties: {} };
  }
  return out;
}

