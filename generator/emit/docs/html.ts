/**
 * HTML for the reference site (generator/emit/docs/): its handlebars templates under
 * `templates/docs/`, compiled with escaping on (the SDK's templates are code and compile without),
 * and the fragments a template cannot express: an answer's schema as a readable tree.
 *
 * Consumes: view data and JSON Schemas. Produces: HTML strings; every text from the model is
 * escaped.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { JsonSchema, JsonValue } from '../../model/types.js';
import { packagePath } from '../../util/package.js';

const hb = Handlebars.create();
hb.registerHelper('json', (value: unknown) => new hb.SafeString(scriptJson(value)));
const compiled = new Map<string, HandlebarsTemplateDelegate>();
let partialsRegistered = false;

/** Renders `templates/docs/<name>.hbs` with `data` (text escaped as HTML). */
export function renderPage(name: string, data: object): string {
  if (!partialsRegistered) {
    // The page's head and foot, shared by every page.
    for (const partial of ['head', 'foot']) hb.registerPartial(partial, readFileSync(packagePath('templates', 'docs', `${partial}.hbs`), 'utf8'));
    partialsRegistered = true;
  }
  let template = compiled.get(name);
  if (!template) {
    template = hb.compile(readFileSync(packagePath('templates', 'docs', `${name}.hbs`), 'utf8'), {
      strict: true,
      knownHelpersOnly: true,
      knownHelpers: { json: true },
    });
    compiled.set(name, template);
  }
  return template(data);
}

/** A template's static file (CSS, browser code), as it is. */
export function asset(name: string): string {
  return readFileSync(packagePath('templates', 'docs', name), 'utf8');
}

/** JSON that is safe inside a `<script type="application/json">`: no `</script>`, no `<!--`. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** How deep the tree of an answer goes before it says "…". */
const MAX_TREE_DEPTH = 8;

/** A schema's kind in words: `integer`, `array of object`, `tuple of 3`, `one of: string, null`. */
export function kindText(schema: JsonSchema | undefined): string {
  if (!schema || Object.keys(schema).length === 0) return 'unknown';
  if (typeof schema['$ref'] === 'string') return String(schema['$ref']).replace(/^#\/(models|components\/schemas)\//, '');
  if (Array.isArray(schema['anyOf'])) return `one of: ${(schema['anyOf'] as JsonSchema[]).map(kindText).join(', ')}`;
  if (Array.isArray(schema['enum'])) return `one of ${(schema['enum'] as JsonValue[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (Array.isArray(schema['prefixItems'])) return `tuple of ${(schema['prefixItems'] as JsonValue[]).length}`;
  const type = schema['type'];
  if (type === 'array') return schema['items'] ? `array of ${kindText(schema['items'] as JsonSchema)}` : 'array';
  if (type === 'object' && schema['additionalProperties'] && !schema['properties']) return `object keyed by data`;
  return typeof type === 'string' ? type : 'unknown';
}

/** An answer's schema as nested lists: each key or position with its kind, required keys marked. */
export function schemaTree(schema: JsonSchema | undefined, depth = 0): string {
  if (!schema || depth > MAX_TREE_DEPTH) return '';
  const items: string[] = [];
  const child = (label: string, s: JsonSchema, note = '') => {
    const description = typeof s['description'] === 'string' ? ` <span class="desc">${escapeHtml(s['description'] as string)}</span>` : '';
    items.push(`<li><code>${escapeHtml(label)}</code> <span class="kind">${escapeHtml(kindText(s))}</span>${note}${description}${schemaTree(s, depth + 1)}</li>`);
  };
  const properties = schema['properties'] as Record<string, JsonSchema> | undefined;
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  for (const [key, value] of Object.entries(properties ?? {})) child(key, value, required.has(key) ? ' <span class="req">always</span>' : ' <span class="opt">optional</span>');
  const additional = schema['additionalProperties'];
  if (additional && typeof additional === 'object' && Object.keys(additional).length) child(properties ? '(other keys)' : '(each key)', additional as JsonSchema);
  (schema['prefixItems'] as JsonSchema[] | undefined)?.forEach((s, i) => child(`[${i}]`, s));
  const itemSchema = schema['items'];
  if (itemSchema && typeof itemSchema === 'object' && !Array.isArray(itemSchema) && (itemSchema['properties'] || itemSchema['prefixItems'] || itemSchema['items'] || itemSchema['additionalProperties'])) {
    child('[each]', itemSchema as JsonSchema);
  }
  (schema['anyOf'] as JsonSchema[] | undefined)?.forEach((s, i) => {
    if (s['properties'] || s['items'] || s['prefixItems']) child(`(variant ${i + 1})`, s);
  });
  return items.length ? `<ul class="tree">${items.join('')}</ul>` : '';
}

/** A diff's message as HTML: escaped, its `code` spans as `<code>`. */
export function messageHtml(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}
