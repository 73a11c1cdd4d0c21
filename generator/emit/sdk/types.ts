/**
 * TypeScript types from the route model's value schemas (parameters) and from the JSON schemas
 * of documented responses. What is not known is `unknown`, never `any`.
 */
import type { JsonSchema, JsonValue, ValueSchema } from '../../model/types.js';
import { propertyKey } from './names.js';

/** The type of a parameter value. */
export function valueType(schema: ValueSchema): string {
  if (schema.enum && schema.enum.length > 0) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (schema.type) {
    case 'integer':
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'file':
      return 'Blob';
    case 'object':
      return 'Record<string, unknown>';
    case 'array':
      return `Array<${schema.items ? valueType(schema.items) : 'string | number | boolean'}>`;
  }
}

const isObject = (v: JsonValue | undefined): v is { [k: string]: JsonValue } => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The type of a JSON schema. `$ref: #/models/<name>` becomes the name `resolveRef` gives;
 * `indent` is the indentation of the line the type starts on.
 */
export function schemaType(schema: JsonSchema | JsonValue | undefined, resolveRef: (name: string) => string, indent = ''): string {
  if (!isObject(schema)) return 'unknown';
  const ref = schema['$ref'];
  if (typeof ref === 'string') return resolveRef(ref.replace(/^#\/models\//, ''));
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) {
    return schema['enum'].map((v) => JSON.stringify(v)).join(' | ');
  }
  if (Array.isArray(schema['anyOf']) && schema['anyOf'].length > 0) {
    const members = [...new Set(schema['anyOf'].map((m) => schemaType(m, resolveRef, indent)))];
    if (members.includes('unknown')) return 'unknown';
    return members.length === 1 ? members[0]! : members.map((m) => (/^[\w<>, ]+$/.test(m) ? m : `(${m})`)).join(' | ');
  }
  // A tuple of fixed arity (`return nodes, connectors, tags`).
  if (Array.isArray(schema['prefixItems'])) {
    return `[${schema['prefixItems'].map((m) => schemaType(m, resolveRef, indent)).join(', ')}]`;
  }
  switch (schema['type']) {
    case 'null':
      return 'null';
    case 'integer':
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `Array<${schemaType(schema['items'], resolveRef, indent)}>`;
    case 'object': {
      const props = schema['properties'];
      // Keys that are data (`'{skeleton_id}'` in the docstring): a record of the documented value.
      const additional = isObject(schema['additionalProperties']) ? `Record<string, ${schemaType(schema['additionalProperties'], resolveRef, indent)}>` : undefined;
      if (!isObject(props) || Object.keys(props).length === 0) return additional ?? 'Record<string, unknown>';
      const required = new Set(Array.isArray(schema['required']) ? schema['required'].filter((r): r is string => typeof r === 'string') : []);
      const inner = indent + '  ';
      const lines = Object.keys(props).map((key) => {
        const prop = props[key];
        const description = isObject(prop) && typeof prop['description'] === 'string' ? prop['description'] : undefined;
        const doc = description ? `${inner}/** ${description.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim()} */\n` : '';
        return `${doc}${inner}${propertyKey(key)}${required.has(key) ? '' : '?'}: ${schemaType(prop, resolveRef, inner)};`;
      });
      const fixed = `{\n${lines.join('\n')}\n${indent}}`;
      return additional ? `${fixed} & Record<string, unknown>` : fixed;
    }
    default:
      return 'unknown';
  }
}
