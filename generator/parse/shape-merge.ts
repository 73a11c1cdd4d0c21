/**
 * The algebra of response shapes (JSON Schemas as plain data): whether a shape says anything
 * ({@link isOpen}), two shapes of one value as one ({@link merge}: the union of what each allows,
 * keys required where both require them), and the marks that serve merging dropped
 * ({@link withoutEmptyMarks}).
 *
 * Consumes and produces: {@link JsonSchema}s.
 */
import type { JsonSchema, JsonValue } from '../model/types.js';
import { SQL_JSON } from './sql-shapes.js';
import { isJsonObject } from '../util/json.js';

const OPEN: JsonSchema = {};

/** True for a schema that says nothing (`{}`). */
export function isOpen(s: JsonSchema): boolean {
  return Object.keys(s).length === 0;
}

/**
 * The shape of a value that is one or the other (two returns, two branches): the same kinds
 * merge (object properties kept, required where both have them; array items merged), an
 * integer and a number are a number, `null` makes the other nullable, anything else is either
 * (`anyOf`). Open absorbs everything.
 */
export function merge(a: JsonSchema, b: JsonSchema): JsonSchema {
  if (isOpen(a) || isOpen(b)) return OPEN;
  if (JSON.stringify(a) === JSON.stringify(b)) return a;
  const ta = a['type'];
  const tb = b['type'];
  if (ta === 'object' && tb === 'object') return mergeObjects(a, b, false);
  if (ta === 'array' && tb === 'array') {
    // `[]` on one side: the other side's items
    if (a['maxItems'] === 0) return b;
    if (b['maxItems'] === 0) return a;
    if (a['prefixItems'] && b['prefixItems']) {
      const pa = a['prefixItems'] as JsonSchema[];
      const pb = b['prefixItems'] as JsonSchema[];
      // Tuples of one arity, or parts of one (a test comparing `answer[0]`, another `answer[3]`).
      const partial = a['maxItems'] === undefined || b['maxItems'] === undefined;
      if (pa.length === pb.length || partial) {
        const length = Math.max(pa.length, pb.length);
        const prefixItems = Array.from({ length }, (_, i) => (pa[i] && pb[i] ? merge(pa[i]!, pb[i]!) : (pa[i] ?? pb[i])!));
        const out: JsonSchema = { type: 'array', prefixItems, minItems: Math.min(Number(a['minItems'] ?? 0), Number(b['minItems'] ?? 0)) };
        if (!partial && a['maxItems'] === b['maxItems']) out['maxItems'] = a['maxItems']!;
        return out;
      }
    }
    const ia = (a['items'] as JsonSchema | undefined) ?? (a['prefixItems'] ? (a['prefixItems'] as JsonSchema[]).reduce(merge) : undefined);
    const ib = (b['items'] as JsonSchema | undefined) ?? (b['prefixItems'] ? (b['prefixItems'] as JsonSchema[]).reduce(merge) : undefined);
    if (!ia || !ib) return { type: 'array' };
    return { type: 'array', items: merge(ia, ib) };
  }
  if (isNumber(a) && isNumber(b)) return { type: 'number' };
  const members = [...flatten(a), ...flatten(b)];
  const unique = new Map(members.map((m) => [JSON.stringify(m), m]));
  return unique.size === 1 ? [...unique.values()][0]! : { anyOf: [...unique.values()] };
}

function flatten(s: JsonSchema): JsonSchema[] {
  return Array.isArray(s['anyOf']) ? (s['anyOf'] as JsonSchema[]) : [s];
}

/** Two object shapes as one: every property; required where both require it (or where `both` says either is there). */
export function mergeObjects(a: JsonSchema, b: JsonSchema, both: boolean): JsonSchema {
  const pa = (a['properties'] as Record<string, JsonSchema> | undefined) ?? {};
  const pb = (b['properties'] as Record<string, JsonSchema> | undefined) ?? {};
  const properties: Record<string, JsonValue> = {};
  for (const k of new Set([...Object.keys(pa), ...Object.keys(pb)])) {
    properties[k] = pa[k] && pb[k] ? merge(pa[k]!, pb[k]!) : (pa[k] ?? pb[k])!;
  }
  const ra = new Set((a['required'] as string[] | undefined) ?? []);
  const rb = new Set((b['required'] as string[] | undefined) ?? []);
  const required = both ? [...new Set([...ra, ...rb])] : [...ra].filter((k) => rb.has(k));
  const aa = a['additionalProperties'] as JsonSchema | undefined;
  const ab = b['additionalProperties'] as JsonSchema | undefined;
  // An object whose keys are not known at all (`dict(…)`, `model_to_dict(…)`) beside one whose
  // keys are: other keys may come.
  const unknownKeys = (s: JsonSchema) => !s['properties'] && !s['additionalProperties'] && s['maxProperties'] !== 0;
  const additional = aa && ab ? merge(aa, ab) : (aa ?? ab ?? (unknownKeys(a) !== unknownKeys(b) ? OPEN : undefined));
  const out: JsonSchema = { type: 'object' };
  if (Object.keys(properties).length) out['properties'] = properties;
  if (required.length) out['required'] = required;
  if (additional) out['additionalProperties'] = additional;
  return out;
}

/**
 * A shape without the marks of empty list literals (`maxItems: 0`, see json-shapes.ts): they
 * serve merging a `[]` with the lists filled later, not clients (a `return []` of a stub, an
 * early return for nothing, does not mean the answer is always empty).
 */
export function withoutEmptyMarks(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'maxItems' && v === 0 && !schema['prefixItems']) continue;
    if (k === 'maxProperties' && v === 0) continue;
    if (k === SQL_JSON) continue;
    if (k === 'properties' && isJsonObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([n, p]) => [n, isJsonObject(p) ? withoutEmptyMarks(p) : p]));
    else if ((k === 'items' || k === 'additionalProperties') && isJsonObject(v)) out[k] = withoutEmptyMarks(v);
    else if ((k === 'anyOf' || k === 'prefixItems') && Array.isArray(v)) out[k] = v.map((m) => (isJsonObject(m) ? withoutEmptyMarks(m) : m));
    else out[k] = v;
  }
  return out;
}



/** Whether a shape is a number (integer or not). */
export function isNumber(s: JsonSchema): boolean {
  return s['type'] === 'integer' || s['type'] === 'number';
}
