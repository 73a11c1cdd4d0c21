/**
 * Shared response schemas: an object schema that stands in more than one place of the document's
 * answers (the same structure, compared as canonical JSON) becomes one component, referenced from
 * each place. Components are named after the first place they stand (operations in path order),
 * never by the names docstrings give models, so two different shapes never share a name.
 *
 * Consumes: the document's paths and components (mutated in place). Produces: nothing else.
 */
import type { JsonValue } from '../../model/types.js';
import { isJsonObject } from '../../util/json.js';

type Json = { [key: string]: JsonValue };

/** The least number of properties an object needs to be worth a component. */
const MIN_PROPERTIES = 2;

/** Replaces repeated object schemas of the answers by references to shared components. */
export function shareComponents(paths: Json, schemas: Json): void {
  const places: Array<{ schema: Json; name: string; set: (ref: Json) => void }> = [];
  for (const path of Object.keys(paths).sort()) {
    const item = paths[path] as Json;
    for (const method of Object.keys(item).sort()) {
      const op = item[method] as Json;
      const content = ((op['responses'] as Json | undefined)?.['200'] as Json | undefined)?.['content'] as Json | undefined;
      const media = content?.['application/json'] as Json | undefined;
      const schema = media?.['schema'];
      if (!isJsonObject(schema)) continue;
      collect(schema, pascal(String(op['operationId'] ?? 'Answer')), (ref) => (media!['schema'] = ref), places);
    }
  }
  // Keys before any replacement: an outer object keeps its key once its inner ones are references.
  const keys = places.map((p) => canonical(p.schema));
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  const names = new Map<string, string>();
  const taken = new Set(Object.keys(schemas));
  for (const [i, p] of places.entries()) {
    const key = keys[i]!;
    if ((counts.get(key) ?? 0) < 2) continue;
    let name = names.get(key);
    if (!name) {
      name = p.name;
      for (let n = 2; taken.has(name); n++) name = `${p.name}${n}`;
      taken.add(name);
      names.set(key, name);
      schemas[name] = p.schema;
    }
    p.set({ $ref: `#/components/schemas/${name}` });
  }
}

/** Object schemas inside a schema, innermost first, each with a name for where it stands. */
function collect(schema: Json, name: string, set: (ref: Json) => void, out: Array<{ schema: Json; name: string; set: (ref: Json) => void }>): void {
  const props = schema['properties'];
  if (isJsonObject(props)) for (const [k, v] of Object.entries(props)) if (isJsonObject(v)) collect(v, name + pascal(k), (ref) => (props[k] = ref), out);
  const items = schema['items'];
  if (isJsonObject(items)) collect(items, `${name}Item`, (ref) => (schema['items'] = ref), out);
  const additional = schema['additionalProperties'];
  if (isJsonObject(additional)) collect(additional, `${name}Value`, (ref) => (schema['additionalProperties'] = ref), out);
  for (const key of ['prefixItems', 'anyOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((v, i) => isJsonObject(v) && collect(v, `${name}${key === 'anyOf' ? 'Option' : 'Part'}${i + 1}`, (ref) => (list[i] = ref), out));
  }
  if (schema['type'] === 'object' && isJsonObject(props) && Object.keys(props).length >= MIN_PROPERTIES) out.push({ schema, name, set });
}

function canonical(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isJsonObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k]!)}`).join(',')}}`;
  return JSON.stringify(v);
}

function pascal(text: string): string {
  const words = text.replace(/[^A-Za-z0-9]+/g, ' ').trim().split(/\s+/).filter(Boolean);
  const out = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return /^[A-Za-z]/.test(out) ? out : `X${out}`;
}

