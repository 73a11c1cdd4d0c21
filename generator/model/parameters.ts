/**
 * The parameters of one operation: the route's path parameters, then what the docstring documents
 * and what the code reads (the view and every helper the request reaches), merged by name and
 * location, each with its evidence. Where docs and code disagree the code wins on the wire and a
 * drift finding says so: `param-doc-unread`, `param-undocumented`, `param-location-mismatch`,
 * `param-default-mismatch`, `param-required-mismatch`. Defaults are typed by the parameter's schema.
 *
 * Consumes: a route, a {@link Handler} and the docstring's {@link DocumentedOperation}.
 * Produces: {@link Parameter}s (path ones first, then by name) and diagnostics.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { RequestDict } from '../parse/origins.js';
import { compareText } from '../util/compare.js';
import type { Handler } from './operations.js';
import type { RequestRead } from './request-flow.js';
import type { DocumentedOperation, DocumentedParameter } from './swagger-yaml.js';
import type { Evidence, HttpMethod, JsonValue, Parameter, Route, ValueSchema } from './types.js';

/** At most this many reads of one parameter are kept as its evidence. */
const MAX_READ_EVIDENCE = 3;

/** Path parameters, then the documented and the inferred ones merged by name, with drift findings. */
export function buildParameters(route: Route, h: Handler, docs: DocumentedOperation | undefined, documented: boolean, file: string | null, diagnostics: DiagnosticBag): Parameter[] {
  const where = `${h.method} ${route.path}`;
  const hasBody = h.method !== 'GET';
  const docParams = new Map<string, DocumentedParameter>();
  for (const p of docs?.parameters ?? []) if (!docParams.has(p.name)) docParams.set(p.name, p);
  const docEvidence = (doc: DocumentedParameter): Evidence => ({ kind: 'docstring', text: docText(doc), file, line: h.docstring?.line ?? null });
  const reads = h.flow?.reads ?? [];
  const wholeDicts = h.flow?.wholeDicts ?? [];

  const out: Parameter[] = [];
  const pathNames = new Set(route.pathParams.map((p) => p.name));
  const annotations = new Map((h.facts?.signature ?? []).map((s) => [s.name, s.annotation]));
  for (const p of route.pathParams) {
    const doc = docParams.get(p.name);
    let schema: ValueSchema = p.type === 'array' ? { type: 'array', items: { type: p.items ?? 'string' } } : { type: p.type, ...(p.enum ? { enum: p.enum } : {}) };
    // The view's own annotation (`skeleton_id: int`) refines a path part the regex leaves a string.
    const annotated = ANNOTATION_TYPES[annotations.get(p.name) ?? ''];
    if (schema.type === 'string' && !schema.enum && annotated) schema = { type: annotated };
    out.push({
      name: p.name,
      in: 'path',
      ...schema,
      required: !p.optional,
      documented: !!doc,
      inferred: true,
      ...(doc?.description ? { description: doc.description } : {}),
      evidence: [{ kind: 'path', text: `(?P<${p.name}>${p.pattern})`, file: route.source.file, line: route.source.line }, ...(doc ? [docEvidence(doc)] : [])],
    });
  }

  // What the code reads, one entry per name and location.
  const inferred = new Map<string, { location: Parameter['in']; reads: RequestRead[] }>();
  for (const r of reads) {
    if (r.methods && !r.methods.includes(h.method)) continue;
    const location = locationOf(r.dict, h.method);
    if (!location || pathNames.has(r.name)) continue;
    const key = `${location}:${r.name}`;
    const entry = inferred.get(key) ?? { location, reads: [] };
    entry.reads.push(r);
    inferred.set(key, entry);
  }
  const readNames = new Set<string>();
  for (const { reads: rs } of inferred.values()) readNames.add(rs[0]!.name);
  const readsEverything = readsWholeDict(h);
  // Request values handed where they cannot be followed: what is read there is not known.
  const escaped = (h.flow?.escapes ?? []).length > 0;
  const escapes = h.flow?.escapes ?? [];
  const readsBody =
    [...inferred.values()].some((e) => e.location === 'form') ||
    wholeDicts.some((w) => locationOf(w.dict, h.method) === 'form') ||
    escapes.some((e) => e.dicts.some((d) => locationOf(d, h.method) === 'form'));
  // Read by the code, but only for other methods: in another method's block (`if request.method ==
  // 'POST': request.data['k']`), or from a body where this method has a block of its own (its
  // `if request.method == 'GET': … return` comes first).
  const ownBlock = (h.facts?.methodTests ?? []).some((t) => t.methods.includes(h.method));
  const readForOthers = new Set(reads.filter((r) => (r.methods && !r.methods.includes(h.method)) || (ownBlock && !locationOf(r.dict, h.method))).map((r) => r.name));

  // A known view outside the tree: what its serializer reads.
  for (const k of h.knownParams ?? []) {
    readNames.add(k.name);
    out.push({
      name: k.name,
      in: hasBody ? 'form' : 'query',
      type: k.type,
      required: k.required,
      documented: false,
      inferred: true,
      evidence: [{ kind: 'serializer', text: k.source, file: null, line: null }],
    });
  }

  for (const entry of inferred.values()) {
    // The view's own reads first, then by place: findings point at the first read.
    const rs = entry.reads.slice().sort((a, b) => (a.via ? 1 : 0) - (b.via ? 1 : 0) || compareText(a.file, b.file) || a.line - b.line);
    let location = entry.location;
    const name = rs[0]!.name;
    const doc = docParams.get(name);
    const code = mergeReads(rs);
    const docLocation = doc ? documentedLocation(doc, hasBody) : undefined;
    // REST framework's request.data takes JSON and form bodies alike: a documented form or body is right.
    const bodyAgrees = (docLocation === 'form' || docLocation === 'body') && (location === 'form' || location === 'body');
    if (bodyAgrees) location = docLocation!;
    if (doc?.located && docLocation !== location && file && !bodyAgrees) {
      diagnostics.add('param-location-mismatch', `'${name}' is documented as ${doc.in}, but the code reads it from ${dictText(rs)} (${location})`, rs[0]!.file, rs[0]!.line, undefined, where);
    }
    if (!doc && file && (documented || (docs?.parameters.length ?? 0) > 0)) {
      diagnostics.add('param-undocumented', `the code reads '${name}' from ${dictText(rs)}, the docstring does not document it`, rs[0]!.file, rs[0]!.line, undefined, where);
    }
    // The docs' type, unless they only say "string" where the code converts to something more precise.
    const docsVague = doc && doc.type === 'string' && !doc.enum && !doc.format && code.type !== undefined && code.type !== 'string';
    const schema: ValueSchema = doc && !docsVague ? pickSchema(doc) : code.type ? { type: code.type, ...(code.items ? { items: { type: code.items } } : {}) } : { type: 'string' };
    if (schema.type === 'array' && !schema.items && code.items) schema.items = { type: code.items };
    const style = schema.type === 'array' ? (rs.some((r) => r.how === 'getlist') ? 'repeated' : 'indexed') : undefined;

    const evidence: Evidence[] = rs.slice(0, MAX_READ_EVIDENCE).map(readEvidence);
    if (doc) evidence.push(docEvidence(doc));

    // Required: the code's word where it supplies a default or refuses to go without.
    let required = code.required;
    const docDefault = doc?.default !== undefined ? typedDefault(doc.default, schema) : undefined;
    const codeDefault = code.default !== undefined ? typedDefault(code.default, schema) : undefined;
    if (code.required && code.requiredBy) evidence.push({ kind: code.requiredBy.kind, text: code.requiredBy.text, file: code.requiredBy.file, line: code.requiredBy.line });
    if (doc && file) {
      const fallback = rs.find((r) => r.default !== undefined) ?? rs[0]!;
      if (doc.required && !code.required && codeDefault?.ok) {
        diagnostics.add('param-required-mismatch', `'${name}' is documented as required, but the code falls back to ${JSON.stringify(codeDefault.value)} without it (${fallback.text}): not required`, fallback.file, fallback.line, undefined, where);
      } else if (doc.required && !code.required) {
        required = true;
      } else if (!doc.required && code.required && code.requiredBy) {
        diagnostics.add('param-required-mismatch', `'${name}' is documented as optional, but the code fails without it (${code.requiredBy.text}): required`, code.requiredBy.file, code.requiredBy.line, undefined, where);
      }
    }
    if (doc?.default !== undefined && docDefault && !docDefault.ok && file) {
      diagnostics.add('param-default-mismatch', `'${name}' is documented with defaultValue ${JSON.stringify(doc.default)}, which is not a${/^[aeiou]/.test(schema.type) ? 'n' : ''} ${schema.type}`, file, h.docstring?.line ?? rs[0]!.line, undefined, where);
    }
    if (docDefault?.ok && codeDefault?.ok && JSON.stringify(docDefault.value) !== JSON.stringify(codeDefault.value) && file) {
      const fallback = rs.find((r) => r.default !== undefined)!;
      diagnostics.add('param-default-mismatch', `'${name}' is documented to default to ${JSON.stringify(docDefault.value)}, but the code falls back to ${JSON.stringify(codeDefault.value)}`, fallback.file, fallback.line, undefined, where);
    }
    // What the server does when the parameter is left out: the code's fallback, else the documented
    // one; none where it refuses to go without it (`x = get_request_list(…, [])`, then `if not x: raise`).
    const defaultValue = required ? undefined : codeDefault?.ok ? codeDefault.value : docDefault?.ok ? docDefault.value : undefined;
    out.push({
      name,
      in: location,
      ...schema,
      ...(style ? { style } : {}),
      required,
      ...(defaultValue !== undefined ? { default: defaultValue } : {}),
      documented: !!doc,
      inferred: true,
      ...(doc?.description ? { description: doc.description } : {}),
      evidence: evidence.sort(compareEvidence),
    });
  }

  // Documented but never read by the code.
  for (const doc of docParams.values()) {
    if (pathNames.has(doc.name) || readNames.has(doc.name) || readForOthers.has(doc.name)) continue;
    // Without a paramType, where the view reads its body (and not the query) is where it goes.
    const location = doc.in === 'path' ? 'query' : !doc.located && hasBody && readsBody && !readsQuery(reads, h.method) ? 'form' : documentedLocation(doc, hasBody);
    // Code outside the tree (an inherited handler) cannot be checked.
    const unread = !!(file && h.facts && !readsEverything && !escaped);
    if (unread) {
      diagnostics.add(
        'param-doc-unread',
        doc.in === 'path'
          ? `'${doc.name}' is documented as a path parameter, but the path has no such part and the code does not read it`
          : `'${doc.name}' is documented${doc.required ? ' as required' : ''}, but the code never reads it${doc.required ? ': not required' : ''}`,
        file,
        h.docstring?.line ?? null,
        undefined,
        where,
      );
    }
    const schema = pickSchema(doc);
    const docDefault = doc.default !== undefined ? typedDefault(doc.default, schema) : undefined;
    if (docDefault && !docDefault.ok && file) {
      diagnostics.add('param-default-mismatch', `'${doc.name}' is documented with defaultValue ${JSON.stringify(doc.default)}, which is not a${/^[aeiou]/.test(schema.type) ? 'n' : ''} ${schema.type}`, file, h.docstring?.line ?? null, undefined, where);
    }
    out.push({
      name: doc.name,
      in: location,
      ...schema,
      ...(doc.type === 'array' ? { style: 'indexed' as const } : {}),
      // What the server never reads, it cannot need.
      required: doc.in === 'path' || unread ? false : doc.required,
      ...(docDefault?.ok ? { default: docDefault.value } : {}),
      documented: true,
      inferred: false,
      ...(doc.description ? { description: doc.description } : {}),
      evidence: [docEvidence(doc)],
    });
  }

  const pathOrder = new Map(route.pathParams.map((p, i) => [p.name, i]));
  return out.sort((a, b) => {
    if ((a.in === 'path') !== (b.in === 'path')) return a.in === 'path' ? -1 : 1;
    if (a.in === 'path') return pathOrder.get(a.name)! - pathOrder.get(b.name)!;
    return compareText(a.name, b.name) || compareText(a.in, b.in);
  });
}

/** Where a read of a request dictionary travels, for an operation of `method`; undefined when it cannot. */
/** The handler reads a request dict as a whole for its method (`request.POST.items()`, `request.GET.dict()` handed on). */
function readsWholeDict(h: Handler): boolean {
  return (h.flow?.wholeDicts ?? []).some((w) => (!w.methods || w.methods.includes(h.method)) && locationOf(w.dict, h.method));
}

/**
 * The handler may read parameters its list does not name: it reads a request dict as a whole,
 * hands request values to code that was not followed, or was not read at all (outside the tree).
 */
export function readsUnlisted(h: Handler): boolean {
  return !h.facts || !h.location || readsWholeDict(h) || (h.flow?.escapes ?? []).length > 0;
}

function locationOf(dict: RequestDict, method: HttpMethod): Parameter['in'] | undefined {
  switch (dict) {
    case 'GET':
    case 'query_params':
      return 'query';
    case 'POST':
    case 'FILES':
      return method === 'GET' ? undefined : 'form';
    case 'data':
      // REST framework's request.data: JSON or form. Form is what CATMAID's own client sends;
      // only a docstring saying `paramType: body` makes it a JSON body.
      return method === 'GET' ? undefined : 'form';
    case 'REQUEST':
      return method === 'GET' ? 'query' : 'form';
  }
}

function readsQuery(reads: RequestRead[], method: HttpMethod): boolean {
  return reads.some((r) => (!r.methods || r.methods.includes(method)) && locationOf(r.dict, method) === 'query');
}

/** A documented location as the wire sees it: GET requests carry form/body parameters in the query. */
function documentedLocation(doc: DocumentedParameter, hasBody: boolean): Parameter['in'] {
  if (!hasBody && (doc.in === 'form' || doc.in === 'body')) return 'query';
  return doc.in;
}

function dictText(reads: RequestRead[]): string {
  return [...new Set(reads.map((r) => `request.${r.dict}${r.via ? ` (in ${r.via.join(' → ')})` : ''}`))].join(', ');
}

function docText(doc: DocumentedParameter): string {
  return [`${doc.name}:`, doc.located ? `paramType ${doc.in}` : 'no paramType', `type ${doc.type}`, doc.required ? 'required' : 'optional', ...(doc.default !== undefined ? [`defaultValue ${JSON.stringify(doc.default)}`] : [])].join(' ');
}

/** A read as evidence: what was written, and how the request got there. */
function readEvidence(r: RequestRead): Evidence {
  const how = r.key === 'loop' ? ` (loop over ${r.keySource})` : r.key === 'prefix' ? ` (keys starting with ${r.keySource})` : '';
  const via = r.via ? ` in ${r.via.join(' → ')}` : '';
  return { kind: 'read', text: `${r.text}${how}${via}`, file: r.file, line: r.line };
}

function compareEvidence(a: Evidence, b: Evidence): number {
  const order = (e: Evidence) => (e.kind === 'docstring' ? 1 : 0);
  return order(a) - order(b) || (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || compareText(a.text, b.text);
}

function pickSchema(doc: DocumentedParameter): ValueSchema {
  return { type: doc.type, ...(doc.items ? { items: doc.items } : {}), ...(doc.enum ? { enum: doc.enum } : {}), ...(doc.format ? { format: doc.format } : {}) };
}

/**
 * A default as a value of the parameter's type: `"false"` for a boolean is `false`, `"0"` for an
 * integer is `0`. Not ok when it cannot be one (`true` for an integer).
 */
export function typedDefault(value: JsonValue, schema: ValueSchema): { ok: true; value: JsonValue } | { ok: false } {
  switch (schema.type) {
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return { ok: true, value: value.trim().toLowerCase() === 'true' };
      if (value === 0 || value === 1) return { ok: true, value: value === 1 };
      return { ok: false };
    case 'integer':
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined;
      if (n === undefined || (schema.type === 'integer' && !Number.isInteger(n))) return { ok: false };
      return { ok: true, value: n };
    }
    case 'string':
      return typeof value === 'string' ? { ok: true, value } : typeof value === 'number' ? { ok: true, value: String(value) } : { ok: false };
    case 'array':
      return Array.isArray(value) ? { ok: true, value } : { ok: false };
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? { ok: true, value } : { ok: false };
    default:
      return { ok: false };
  }
}

/** Several reads of one parameter: required only if the code never treats it as optional. */
function mergeReads(reads: RequestRead[]): {
  required: boolean;
  requiredBy?: { kind: string; text: string; line: number; file: string };
  type?: ValueSchema['type'];
  items?: ValueSchema['type'];
  default?: JsonValue;
} {
  const required = reads.some((r) => r.required) && !reads.some((r) => !r.required);
  const by = reads.find((r) => r.requiredBy)?.requiredBy;
  const typed = reads.find((r) => r.type && r.type !== 'string') ?? reads.find((r) => r.type);
  const withItems = reads.find((r) => r.items);
  const withDefault = reads.find((r) => r.default !== undefined);
  const file = reads.some((r) => r.dict === 'FILES');
  return {
    required,
    ...(required && by ? { requiredBy: by } : {}),
    ...(typed?.type ? { type: file ? 'file' : typed.type } : file ? { type: 'file' as const } : {}),
    ...(withItems?.items ? { items: withItems.items } : {}),
    ...(withDefault ? { default: withDefault.default! } : {}),
  };
}

/** Python annotations of view parameters that give a path part a JSON type. */
const ANNOTATION_TYPES: Record<string, ValueSchema['type']> = { int: 'integer', float: 'number', bool: 'boolean', str: 'string' };
