/**
 * OpenAPI emitter: the route model → one OpenAPI 3.1 document of every operation, documented and
 * volatile alike. A pure function. Volatile operations carry `x-catmaid-volatile: true` and
 * `x-stability-level: draft` (documented ones `stable`), the way oasdiff reads stability; drift
 * findings are `x-catmaid-drift`; the list encoding CATMAID reads (`k[0]=1&k[1]=2`) is stated in
 * `x-catmaid-list-encoding` on the document and on each list parameter.
 *
 * Consumes: a {@link RouteModel}. Produces: `openapi.json`.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { JsonValue, Operation, Parameter, Route, RouteModel, ValueSchema } from '../../model/types.js';
import { compareText } from '../../util/compare.js';
import { catmaidLabel, extensionLabel, headerLine, outputSource, packageVersion } from '../provenance.js';
import type { EmittedFile } from '../files.js';
import { areaOf } from '../spec.js';
import { shareComponents } from './components.js';

type Json = { [key: string]: JsonValue };

/** How CATMAID reads lists, for generators fed this document. */
const LIST_ENCODING = {
  indexed:
    "k[0]=1&k[1]=2, what CATMAID's get_request_list reads in query strings and form bodies alike. A flat list is also read from repeated keys, k=1&k=2 (the style: form, explode: true that other generators send). A nested list (x-catmaid-list-encoding: indexed-nested) is read only as k[0][0]=1&k[0][1]=2: repeated keys lose its structure. Never k=1,2 (read as one string).",
  'indexed-nested': 'k[0][0]=1&k[0][1]=2 only: CATMAID cannot read a list of lists from repeated keys.',
  repeated: 'k=1&k=2, as Django\'s QueryDict.getlist reads it.',
  path: 'Lists in a path part are comma-separated: 1,2,3.',
  booleans: 'true or false.',
};

const ERROR_SCHEMA: Json = {
  type: 'object',
  description: "CATMAID's error answer (status 400/403/404/500; older releases answer it with status 200).",
  properties: {
    error: { type: 'string', description: 'The message.' },
    type: { type: 'string', description: 'Python exception type, e.g. ValueError.' },
    detail: { type: 'string', description: 'Python traceback.' },
    meta: { description: 'Extra information.' },
  },
  required: ['error'],
};

export function emitOpenApi(model: RouteModel): EmittedFile {
  const schemas: Json = { CatmaidError: ERROR_SCHEMA };
  unknownReferenced = false;
  const paths: Json = {};
  const tags = new Set<string>();
  const drift = new Map<string, string[]>();
  for (const d of model.diagnostics) if (d.operation) drift.set(d.operation, [...(drift.get(d.operation) ?? []), driftText(d)]);

  // Where a path and method are taken: by the route Django matches first (its resolution order).
  const placedRoute = new Map<string, Route>();
  for (const route of model.routes) {
    if (route.path === null || route.operations.length === 0) continue;
    const path = openApiPath(route);
    const item = (paths[path] ??= {}) as Json;
    for (const op of route.operations) {
      const method = op.method.toLowerCase();
      const tag = areaOf(route);
      tags.add(tag);
      const operation = operationObject(route, op, tag, drift.get(`${op.method} ${route.path}`) ?? [], schemas);
      const key = `${path} ${method}`;
      const placed = placedRoute.get(key);
      if (placed === undefined) {
        item[method] = operation;
        placedRoute.set(key, route);
      } else {
        // Two routes with one path template (their regexes differ): OpenAPI has room for one, the
        // one Django matches first; the other is named in `x-catmaid-also-routed`.
        const first = route.order < placed.order;
        const kept = first ? operation : (item[method] as Json);
        const other = first ? (item[method] as Json) : operation;
        const also = [...((other['x-catmaid-also-routed'] as JsonValue[]) ?? []), ...((kept['x-catmaid-also-routed'] as JsonValue[]) ?? [])];
        also.push({ operationId: other['operationId'] as string, regex: (first ? placed : route).regex });
        kept['x-catmaid-also-routed'] = also;
        item[method] = kept;
        if (first) placedRoute.set(key, route);
      }
    }
  }

  if (unknownReferenced) schemas['Unknown'] = { description: 'A model a docstring names but does not define.' };
  shareComponents(paths, schemas);
  const source = outputSource(model.source);
  const document: Json = {
    openapi: '3.1.0',
    info: {
      title: 'CATMAID API',
      version: packageVersion(model.source),
      description:
        `Every HTTP operation CATMAID ${catmaidLabel(model.source)} serves, read from its source by ${model.generator.name} ${model.generator.version}. ` +
        'Operations with `x-catmaid-volatile: true` (`x-stability-level: draft`) are undocumented: they are not listed on CATMAID\'s /apis/ page and may change without notice.' +
        (model.source.extensions?.length ? ` With the CATMAID extensions ${model.source.extensions.map(extensionLabel).join(', ')}, served under /ext/<name>/ and tagged ext/<name>.` : ''),
      'x-generator': `${model.generator.name} ${model.generator.version}`,
      'x-catmaid-source': source as unknown as JsonValue,
      'x-generated-note': headerLine(model),
      ...(source.extensions?.length ? { 'x-catmaid-extensions': source.extensions as unknown as JsonValue } : {}),
    },
    servers: [
      {
        url: '{baseUrl}',
        description: 'Where CATMAID is served, sub-path included, without a trailing slash.',
        variables: { baseUrl: { default: 'https://example.org/catmaid' } },
      },
    ],
    security: [{ catmaidToken: [] }, {}],
    tags: [...tags].sort(compareText).map((name) => ({ name })),
    'x-catmaid-list-encoding': LIST_ENCODING,
    paths: sortKeys(paths),
    components: {
      securitySchemes: {
        catmaidToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Authorization',
          description: 'The value is `Token <token>`, with the API token from the user profile.',
        },
        basicAuth: { type: 'http', scheme: 'basic', description: 'HTTP basic auth of a web server in front of CATMAID, beside the token.' },
      },
      schemas: sortKeys(schemas),
    },
  };
  return { path: 'openapi.json', content: JSON.stringify(document, null, 2) + '\n' };
}

/** `/{project_id}/skeletons/`; routes with optional parts use their shortest form, the others as an extension. */
function openApiPath(route: Route): string {
  return route.path!;
}


function driftText(d: Diagnostic): string {
  return `${d.code}: ${d.message}`;
}

function sortKeys(o: Json): Json {
  const out: Json = {};
  for (const k of Object.keys(o).sort(compareText)) out[k] = o[k]!;
  return out;
}

/** A value schema of the route model as JSON Schema. */
function valueSchema(s: ValueSchema): Json {
  const out: Json = {};
  switch (s.type) {
    case 'file':
      out['type'] = 'string';
      out['format'] = 'binary';
      break;
    case 'array':
      out['type'] = 'array';
      // Items of a kind the code does not show travel as text, like every form or query value.
      out['items'] = s.items ? valueSchema(s.items) : { type: 'string' };
      break;
    default:
      out['type'] = s.type;
  }
  if (s.format && s.type !== 'file') out['format'] = s.format;
  if (s.enum) out['enum'] = s.enum;
  return out;
}

/** How CATMAID reads a list parameter: repeated keys, indexed keys, or indexed keys only (a list of lists). */
function listEncodingOf(p: Parameter): string {
  if (p.style === 'repeated') return 'repeated';
  return p.items?.type === 'array' ? 'indexed-nested' : 'indexed';
}

function parameterSchema(p: Parameter): Json {
  const schema = valueSchema(p);
  if (p.default !== undefined) schema['default'] = p.default;
  if (p.description) schema['description'] = p.description;
  return schema;
}

/** Set when a response names a model its docstring does not define (it then points at `Unknown`). */
let unknownReferenced = false;

/** The model's response JSON Schema with `#/models/<name>` pointing into components. */
function responseSchema(schema: JsonValue | undefined, models: Map<string, string>): JsonValue {
  if (Array.isArray(schema)) return schema.map((s) => responseSchema(s, models));
  if (!schema || typeof schema !== 'object') return schema ?? {};
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string') {
      const target = models.get(v.replace(/^#\/models\//, ''));
      out['$ref'] = target ? `#/components/schemas/${target}` : '#/components/schemas/Unknown';
      if (!target) out['description'] = `A model the docstring names but does not define: ${v}`;
      if (!target) unknownReferenced = true;
    } else {
      out[k] = responseSchema(v, models);
    }
  }
  // Keys by name beside keys that are data: generators turn the latter into an index signature
  // every named key's type must fit, so they are left open here (the SDK keeps both, as an
  // intersection).
  const additional = out['additionalProperties'];
  if (out['properties'] && typeof out['properties'] === 'object' && Object.keys(out['properties']).length && additional && typeof additional === 'object' && Object.keys(additional).length) {
    out['additionalProperties'] = {};
  }
  return out;
}

function operationObject(route: Route, op: Operation, tag: string, drift: string[], schemas: Json): Json {
  const models = new Map<string, string>();
  for (const name of Object.keys(op.response?.models ?? {}).sort(compareText)) {
    const key = `${op.operationId}_${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    models.set(name, key);
  }
  for (const [name, key] of models) schemas[key] = responseSchema(op.response!.models![name]!, models);

  const pathNames = new Set((route.path!.match(/\{([^}]+)\}/g) ?? []).map((m) => m.slice(1, -1)));
  const parameters: Json[] = [];
  const form: Parameter[] = [];
  const json: Parameter[] = [];
  for (const p of op.parameters) {
    if (p.in === 'path') {
      if (!pathNames.has(p.name)) continue; // only in longer variants
      parameters.push({
        name: p.name,
        in: 'path',
        required: true,
        schema: parameterSchema(p),
        ...(p.type === 'array' ? { style: 'simple', explode: false } : {}),
        ...(p.description ? { description: p.description } : {}),
      });
    } else if (p.in === 'query' || p.in === 'header') {
      parameters.push({
        name: p.name,
        in: p.in,
        required: p.required,
        schema: parameterSchema(p),
        ...(p.type === 'array' ? { style: 'form', explode: true, 'x-catmaid-list-encoding': listEncodingOf(p) } : {}),
        ...(p.description ? { description: p.description } : {}),
        ...(p.documented ? {} : { 'x-catmaid-undocumented': true }),
      });
    } else if (p.in === 'form') form.push(p);
    else json.push(p);
  }

  const body = (list: Parameter[], listEncoding: boolean): Json => ({
    type: 'object',
    properties: Object.fromEntries(list.map((p) => [p.name, { ...parameterSchema(p), ...(listEncoding && p.type === 'array' ? { 'x-catmaid-list-encoding': listEncodingOf(p) } : {}) }])),
    ...(list.some((p) => p.required) ? { required: list.filter((p) => p.required).map((p) => p.name) } : {}),
  });
  let requestBody: Json | undefined;
  if (form.length || json.length) {
    const content: Json = {};
    if (json.length) content['application/json'] = { schema: body(json, false) };
    if (form.length) {
      const multipart = form.some((p) => p.type === 'file');
      const encoding: Json = {};
      for (const p of form) if (p.type === 'array') encoding[p.name] = { style: 'form', explode: true, 'x-catmaid-list-encoding': listEncodingOf(p) };
      content[multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded'] = {
        schema: body(form, true),
        ...(Object.keys(encoding).length ? { encoding } : {}),
      };
    }
    requestBody = { required: [...form, ...json].some((p) => p.required), content };
  }

  const format = op.response?.format;
  const okContent: Json =
    format === 'binary'
      ? { [op.response?.contentType ?? 'application/octet-stream']: { schema: { type: 'string', format: 'binary' } } }
      : format === 'text' || format === 'html'
        ? { [op.response?.contentType ?? (format === 'html' ? 'text/html' : 'text/plain')]: { schema: { type: 'string' } } }
        : format === 'unknown' || (!format && !route.view?.file)
          ? { '*/*': { schema: {} } }
          : {
              'application/json': {
                schema: op.response?.schema ? responseSchema(op.response.schema, models) : {},
                ...(op.response?.examples?.length ? { examples: Object.fromEntries(op.response.examples.map((value, i) => [`example${i + 1}`, { value }])) } : {}),
              },
            };
  const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/CatmaidError' } } } });

  const view = route.view ? `${route.view.module}.${route.view.name}` : null;
  return {
    operationId: op.operationId,
    tags: [tag],
    // Every operation has a summary (peers list operations by it); without a docstring, the view's name.
    summary: op.summary ?? `${op.volatile ? 'Undocumented: ' : ''}${view ?? `${op.method} ${route.path}`}`,
    ...(op.description ? { description: op.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: {
      '200': {
        description: op.response?.schema ? `The answer, typed from ${[...new Set((op.response.evidence ?? []).map((e) => e.source))].join(', ') || 'the docstring'}.` : 'Success; the shape of the body is not known.',
        content: okContent,
      },
      // Explicit codes, not 4XX/5XX ranges: some generators cannot name a range.
      '400': errorResponse("CATMAID's error for a request it cannot serve (a missing or wrong parameter)"),
      '403': errorResponse('The user lacks a permission the operation needs (PermissionError)'),
      '404': errorResponse('No such object'),
      '500': errorResponse("CATMAID's error for a failure on the server"),
    },
    ...(op.deprecated ? { deprecated: true } : {}),
    'x-stability-level': op.documented ? 'stable' : 'draft',
    ...(op.volatile ? { 'x-catmaid-volatile': true } : {}),
    ...(drift.length ? { 'x-catmaid-drift': drift } : {}),
    ...(route.variants ? { 'x-catmaid-path-variants': route.variants } : {}),
    ...(route.prefixMatch ? { 'x-catmaid-prefix-match': true } : {}),
    'x-catmaid-view': view,
    'x-catmaid-method-source': `${op.methodSource}: ${op.methodEvidence}`,
    ...(op.response?.evidence?.length ? { 'x-catmaid-response-evidence': op.response.evidence.map((e) => ({ source: e.source, file: e.file, line: e.line })) } : {}),
    // What Django lets through to the view: a list, or 'any' when nothing restricts the method.
    ...(op.accepts ? { 'x-catmaid-accepts': op.accepts.methods } : {}),
    ...(op.writes ? { 'x-catmaid-writes': true } : {}),
    ...(op.permissions.length ? { 'x-catmaid-permissions': op.permissions.map((p) => ({ kind: p.kind, ...(p.roles ? { roles: p.roles } : {}) })) } : {}),
  };
}
