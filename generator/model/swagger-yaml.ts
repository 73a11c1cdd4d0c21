/**
 * The YAML of CATMAID's docstrings (django-rest-swagger 0.3, Swagger 1.2 vocabulary) as the route
 * model's documented parameters and response schema. CATMAID's docstrings are hand-written and
 * vary (`bool`, `int`, `integer|string`, `paramType: path` for query values); this normalises
 * what is clear and reports what is not.
 *
 * Consumes: the parsed YAML mapping of one docstring. Produces: {@link DocumentedParameter}s, a
 * response {@link JsonSchema} with its models, and problems (for diagnostics).
 */
import type { JsonSchema, JsonValue, Parameter, ValueSchema } from './types.js';

/** A parameter as the docstring documents it. */
export interface DocumentedParameter extends ValueSchema {
  name: string;
  in: Parameter['in'];
  required: boolean;
  default?: JsonValue;
  description?: string;
  /** `paramType` as written, when it was not one of path/query/form/body/header. */
  rawParamType?: string;
  /** False when no `paramType` was given (`in` is then Swagger's default, `query`). */
  located: boolean;
}

export interface DocumentedOperation {
  parameters: DocumentedParameter[];
  response?: { schema: JsonSchema; models?: Record<string, JsonSchema> };
  deprecated?: boolean;
  /** Findings about the YAML itself, one line each. */
  problems: string[];
}

const TYPE_ALIASES: Record<string, ValueSchema['type']> = {
  integer: 'integer', int: 'integer', long: 'integer',
  number: 'number', float: 'number', double: 'number',
  string: 'string', str: 'string', date: 'string', 'date-time': 'string',
  boolean: 'boolean', bool: 'boolean',
  array: 'array', list: 'array',
  object: 'object', dict: 'object',
  file: 'file',
};
const FORMATS_OF_TYPE: Record<string, string> = { float: 'float', double: 'double', date: 'date', 'date-time': 'date-time', long: 'int64' };
const LOCATIONS = new Set(['path', 'query', 'form', 'body', 'header']);

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function toJsonValue(v: unknown): JsonValue | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (Array.isArray(v)) return v.map((x) => toJsonValue(x) ?? null);
  if (isRecord(v)) {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) {
      const j = toJsonValue(x);
      if (j !== undefined) out[k] = j;
    }
    return out;
  }
  return undefined;
}

/** A documented type name as a value schema, or undefined (with a problem) when it is not one. */
function valueSchema(raw: Record<string, unknown>, where: string, problems: string[]): ValueSchema {
  const typeName = typeof raw['type'] === 'string' ? raw['type'].trim() : undefined;
  let type: ValueSchema['type'] = 'string';
  if (typeName === undefined) {
    if (raw['type'] !== undefined) problems.push(`${where}: type ${JSON.stringify(raw['type'])} is not a type name; taken as string`);
  } else if (TYPE_ALIASES[typeName.toLowerCase()]) {
    type = TYPE_ALIASES[typeName.toLowerCase()]!;
  } else {
    problems.push(`${where}: unknown type '${typeName}'; taken as string`);
  }
  const schema: ValueSchema = { type };
  const format = typeof raw['format'] === 'string' ? raw['format'] : typeName ? FORMATS_OF_TYPE[typeName.toLowerCase()] : undefined;
  if (format) schema.format = format;
  if (type === 'array') {
    const items = raw['items'];
    if (isRecord(items)) schema.items = valueSchema(items, `${where} items`, problems);
    else if (typeof items === 'string' && TYPE_ALIASES[items.toLowerCase()]) schema.items = { type: TYPE_ALIASES[items.toLowerCase()]! };
  }
  if (Array.isArray(raw['enum'])) {
    const values = raw['enum'].filter((x): x is string | number => typeof x === 'string' || typeof x === 'number');
    if (values.length) schema.enum = values;
  }
  return schema;
}

/** `parameters:` of a docstring. */
function documentedParameters(list: unknown, problems: string[]): DocumentedParameter[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    problems.push('parameters is not a list');
    return [];
  }
  const out: DocumentedParameter[] = [];
  list.forEach((item, i) => {
    if (!isRecord(item) || typeof item['name'] !== 'string' || !item['name'].trim()) {
      problems.push(`parameter ${i + 1} has no name`);
      return;
    }
    // `skeleton_ids[]`: jQuery's name for a list, which CATMAID's get_request_list reads as `skeleton_ids`.
    const listNotation = /\[\]$/.test(item['name'].trim());
    const name = item['name'].trim().replace(/\[\]$/, '');
    const paramType = typeof item['paramType'] === 'string' ? item['paramType'].trim().toLowerCase() : undefined;
    const location = paramType && LOCATIONS.has(paramType) ? (paramType as Parameter['in']) : 'query';
    const schema = valueSchema(item, `parameter ${name}`, problems);
    // allowMultiple (or the name's []): a list of the given type
    const multiple = (item['allowMultiple'] === true || listNotation) && schema.type !== 'array';
    const p: DocumentedParameter = {
      name,
      in: location,
      ...(multiple ? { type: 'array' as const, items: schema } : schema),
      // A documented path parameter that the route does not have is not required: the builder
      // makes the route's own path parameters required.
      required: item['required'] === true || item['required'] === 'true',
      located: paramType !== undefined && LOCATIONS.has(paramType),
    };
    const def = toJsonValue(item['defaultValue']);
    if (def !== undefined && def !== null) p.default = def;
    if (typeof item['description'] === 'string' && item['description'].trim()) p.description = item['description'].trim();
    if (paramType !== undefined && !LOCATIONS.has(paramType)) {
      p.rawParamType = paramType;
      problems.push(`parameter ${name}: unknown paramType '${paramType}'; taken as query`);
    }
    out.push(p);
  });
  return out;
}

/**
 * A Swagger 1.2 style property map (`{name: {type, description, required}}`) or a one-element
 * list (`[{type: array, items: …}]`) as JSON Schema; `$ref: name` points into `#/models/`.
 */
export function responseSchema(raw: unknown, problems: string[], where = 'type'): JsonSchema | undefined {
  if (Array.isArray(raw)) {
    if (raw.length !== 1) {
      problems.push(`${where}: a list of ${raw.length} types; only one-element lists are understood`);
      return raw.length ? responseSchema(raw[0], problems, where) : undefined;
    }
    return propertySchema(raw[0], problems, where);
  }
  if (!isRecord(raw)) {
    if (typeof raw === 'string') return propertySchema({ type: raw }, problems, where);
    problems.push(`${where}: not a mapping`);
    return undefined;
  }
  return objectSchema(raw, problems, where);
}

/** A property name that stands for any key, as CATMAID's docstrings write them: `'{skeleton_id}'`. */
const PLACEHOLDER_KEY = /^\{[^{}]+\}$/;

/**
 * A property map as an object schema. A placeholder name (`'{skeleton_id}': …`) documents the
 * values of an object keyed by data, so it becomes `additionalProperties`, not a required key.
 */
function objectSchema(properties: Record<string, unknown>, problems: string[], where: string): JsonSchema {
  const props: { [k: string]: JsonValue } = {};
  const required: string[] = [];
  let additional: JsonSchema | undefined;
  for (const [name, value] of Object.entries(properties)) {
    const s = propertySchema(value, problems, `${where}.${name}`);
    if (!s) continue;
    if (PLACEHOLDER_KEY.test(name)) {
      if (additional) problems.push(`${where}: more than one placeholder key; only ${name} is not used`);
      else additional = typeof s['$ref'] === 'string' ? s : { ...s, description: typeof s['description'] === 'string' ? `${name}: ${s['description']}` : name };
      continue;
    }
    props[name] = s;
    if (isRecord(value) && (value['required'] === true || value['required'] === 'true')) required.push(name);
  }
  return { type: 'object', properties: props, ...(required.length ? { required } : {}), ...(additional ? { additionalProperties: additional } : {}) };
}

/** `integer|string`: a union of known type names, as some docstrings write one. */
function unionOfTypes(typeName: string): string[] | undefined {
  const parts = typeName.split('|').map((t) => t.trim().toLowerCase());
  return parts.length > 1 && parts.every((t) => TYPE_ALIASES[t] && TYPE_ALIASES[t] !== 'file') ? parts.map((t) => TYPE_ALIASES[t]!) : undefined;
}

function propertySchema(raw: unknown, problems: string[], where: string): JsonSchema | undefined {
  if (!isRecord(raw)) {
    problems.push(`${where}: not a mapping`);
    return undefined;
  }
  const ref = raw['$ref'];
  if (typeof ref === 'string') return { $ref: `#/models/${ref}` };
  const out: JsonSchema = {};
  if (typeof raw['description'] === 'string') out['description'] = raw['description'].trim();
  const typeName = typeof raw['type'] === 'string' ? raw['type'].trim() : undefined;
  const union = typeName ? unionOfTypes(typeName) : undefined;
  if (union) return { ...out, anyOf: [...new Set(union)].map((t) => ({ type: t })) };
  if (typeName && !TYPE_ALIASES[typeName.toLowerCase()]) {
    // A model name used as a type (`type: export_review_skeleton_segment`).
    return { $ref: `#/models/${typeName}`, ...out };
  }
  if (typeName) {
    const t = TYPE_ALIASES[typeName.toLowerCase()]!;
    out['type'] = t === 'file' ? 'string' : t;
    if (t === 'file') out['format'] = 'binary';
    const format = typeof raw['format'] === 'string' ? raw['format'] : FORMATS_OF_TYPE[typeName.toLowerCase()];
    if (format) out['format'] = format;
  }
  if (raw['items'] !== undefined) {
    const items = typeof raw['items'] === 'string' ? propertySchema({ type: raw['items'] }, problems, `${where}[]`) : propertySchema(raw['items'], problems, `${where}[]`);
    if (items) out['items'] = items;
    out['type'] ??= 'array';
  }
  if (isRecord(raw['properties'])) Object.assign(out, objectSchema(raw['properties'], problems, where));
  if (Array.isArray(raw['enum'])) out['enum'] = raw['enum'].map((x) => toJsonValue(x) ?? null);
  return out;
}

/** The documented parameters, response and deprecation of one docstring's YAML. */
export function readDocumentedOperation(yaml: Record<string, unknown>): DocumentedOperation {
  const problems: string[] = [];
  const parameters = documentedParameters(yaml['parameters'], problems);
  const result: DocumentedOperation = { parameters, problems };
  if (yaml['type'] !== undefined) {
    const schema = responseSchema(yaml['type'], problems);
    if (schema) {
      result.response = { schema };
      if (isRecord(yaml['models'])) {
        const models: Record<string, JsonSchema> = {};
        for (const [name, model] of Object.entries(yaml['models'])) {
          if (!isRecord(model)) continue;
          models[name] = isRecord(model['properties']) ? objectSchema(model['properties'], problems, `models.${name}`) : propertySchema(model, problems, `models.${name}`) ?? {};
        }
        result.response.models = models;
      }
    }
  }
  if (yaml['deprecated'] === true) result.deprecated = true;
  return result;
}
