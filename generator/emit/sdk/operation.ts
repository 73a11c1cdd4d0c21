/**
 * One operation of the SDK as ts-morph structures, in the three flavours the package holds: the
 * TypeScript source (`src/`), and the JavaScript and declarations (`dist/`) printed from the same
 * structures, as TypeScript's emit would make them (test/sdk-flavours.test.ts compares them with
 * it), without running the compiler: parsing and emitting every module again took longer than
 * everything else `generate` does after the model.
 *
 * Consumes: an operation of the model with the names it gets. Produces: its statements, by flavour.
 */
import type { FunctionDeclarationStructure, InterfaceDeclarationStructure, JSDocStructure, StatementStructures, TypeAliasDeclarationStructure } from 'ts-morph';
import { tsMorph } from '../ts-morph.js';
import type { Diagnostic } from '../../diagnostics.js';
import type { Operation, Route } from '../../model/types.js';
import { operationSpec, parameterKeys, responseKind } from '../spec.js';
import { code, commentText } from './docs.js';
import { propertyKey } from './names.js';
import { schemaType, valueType } from './types.js';

const { StructureKind } = tsMorph;

/** Something in each flavour of a module: the source, its JavaScript, its declarations. */
export interface Flavours<T> {
  /** `src/*.ts`. */
  source: T;
  /** `dist/*.js`. */
  script: T;
  /** `dist/*.d.ts`. */
  declarations: T;
}

/** One operation with the names it gets in the package. */
export interface EmitOperation {
  /** The route it is served on. */
  route: Route;
  /** The operation (one method of the route's view). */
  op: Operation;
  /** Its function's name. */
  fn: string;
  /** The name of its parameter interface. */
  paramsType: string;
  /** The name of the type it resolves to. */
  responseType: string;
  /** Names of the types of the docstring's models, by model name. */
  models: Map<string, string>;
  /** The module it goes to (`operations/skeleton`), without `src/` and extension. */
  group: string;
}

/**
 * One operation (a CATMAID view reached by one method and path) in each flavour: its parameter
 * interface, the types of its answer and its function for the source; the function without types
 * for the JavaScript; the same types and the function's signature for the declarations.
 */
export function operationStatements(o: EmitOperation, diagnostics: readonly Diagnostic[]): Flavours<StatementStructures[]> {
  const { op, route } = o;
  const keys = parameterKeys(op.parameters);
  const optionalProject = route.projectScoped;
  const properties = op.parameters.map((p, i) => {
    const optional = !p.required || (optionalProject && p.in === 'path' && p.name === 'project_id');
    const notes = [
      p.description ? commentText(p.description) : undefined,
      p.in === 'path' && p.name === 'project_id' && optionalProject ? "Defaults to the client's `projectId`." : undefined,
      `Sent in the ${({ path: 'path', query: 'query string', form: 'form body', body: 'JSON body', header: 'headers' } as const)[p.in]}${p.style === 'indexed' ? ' as `' + p.name + '[0]`, `' + p.name + '[1]`, …' : ''}${p.default !== undefined ? `; the server's default is ${code(JSON.stringify(p.default))}` : ''}.`,
      !p.documented && p.inferred && p.in !== 'path' ? 'Not documented: read by the code.' : undefined,
      p.documented && !p.inferred ? 'Documented, but the code does not read it.' : undefined,
    ].filter(Boolean);
    return { name: propertyKey(keys[i]!), type: valueType(p), hasQuestionToken: optional, docs: [notes.join('\n')] };
  });
  const allOptional = properties.every((p) => p.hasQuestionToken);
  const paramsInterface: InterfaceDeclarationStructure = {
    kind: StructureKind.Interface,
    name: o.paramsType,
    isExported: true,
    docs: [`Parameters of {@link ${o.fn}}.`],
    properties,
  };
  const models: TypeAliasDeclarationStructure[] = [...o.models].map(([name, typeName]) => ({
    kind: StructureKind.TypeAlias,
    name: typeName,
    isExported: true,
    docs: [`The docstring's model ${code(name)}.`],
    type: schemaType(op.response!.models![name]!, (ref) => o.models.get(ref) ?? 'unknown'),
  }));
  const responseAlias: TypeAliasDeclarationStructure = {
    kind: StructureKind.TypeAlias,
    name: o.responseType,
    isExported: true,
    docs: [responseDocs(o)],
    type: responseTypeText(o),
  };
  const args = `client, ${tsLiteral(operationSpec(route, op))}, params, options`;
  const fn: FunctionDeclarationStructure = {
    kind: StructureKind.Function,
    name: o.fn,
    isExported: true,
    docs: [functionDocs(o, diagnostics)],
    parameters: [
      { name: 'client', type: 'CatmaidClient' },
      { name: 'params', type: o.paramsType, ...(allOptional ? { initializer: '{}' } : {}) },
      { name: 'options', type: 'CallOptions', hasQuestionToken: true },
    ],
    returnType: `Promise<${o.responseType}>`,
    statements: [`return call<${o.responseType}>(${args});`],
  };
  const types = [paramsInterface, ...models, responseAlias];
  return {
    source: [...types, fn],
    // What TypeScript's emit makes of them: the types gone, the default value kept.
    script: [
      {
        ...fn,
        parameters: [{ name: 'client' }, { name: 'params', ...(allOptional ? { initializer: '{}' } : {}) }, { name: 'options' }],
        returnType: undefined,
        statements: [`return call(${args});`],
      },
    ],
    // The signature alone; a parameter with a default value is optional to the caller.
    declarations: [
      ...types,
      {
        ...fn,
        hasDeclareKeyword: true,
        parameters: [
          { name: 'client', type: 'CatmaidClient' },
          { name: 'params', type: o.paramsType, hasQuestionToken: allOptional },
          { name: 'options', type: 'CallOptions', hasQuestionToken: true },
        ],
        statements: undefined,
      },
    ],
  };
}


function responseTypeText(o: EmitOperation): string {
  switch (responseKind(o.route, o.op)) {
    case 'json':
      return o.op.response?.schema ? schemaType(o.op.response.schema, (name) => o.models.get(name) ?? 'unknown') : 'unknown';
    case 'text':
      return 'string';
    case 'blob':
      return 'Blob';
    case 'response':
      return 'Response';
  }
}

/** Where the result type comes from, and an example answer where one is known. */
function responseDocs(o: EmitOperation): string {
  const r = o.op.response;
  const sources = [...new Set((r?.evidence ?? []).map((e) => EVIDENCE_TEXT[e.source]))];
  const lines = [`What {@link ${o.fn}} resolves to${r?.schema && sources.length ? ` (from ${sources.join(', ')})` : ''}.`];
  const example = r?.examples?.[0];
  if (example !== undefined) {
    const text = JSON.stringify(example);
    if (text.length <= 400) lines.push(`@example ${commentText(text)}`);
  }
  return lines.join('\n');
}

const EVIDENCE_TEXT: Record<string, string> = {
  observed: 'answers a server gave',
  test: "CATMAID's API tests",
  code: 'what the code returns',
  docstring: 'its docstring',
};

const PERMISSION_TEXT: Record<string, string> = {
  'project-role': 'a project role',
  'any-project-role': 'a role in any project',
  login: 'a logged-in user',
  other: 'a permission check',
};

/** The function's doc comment, its tags included, as text (see {@link docText}). */
function functionDocs(o: EmitOperation, diagnostics: readonly Diagnostic[]): string {
  const { op, route } = o;
  const lines: string[] = [];
  if (op.summary) lines.push(commentText(op.summary));
  if (op.description && op.description !== op.summary) {
    const rest = op.description.startsWith(op.summary ?? '\u0000') ? op.description.slice(op.summary!.length).trim() : op.description;
    if (rest) lines.push('', commentText(rest));
  }
  if (lines.length) lines.push('');
  const view = route.view ? `${route.view.module}.${route.view.name}` : 'an unresolved view';
  const accepts = op.accepts ? `; the view accepts ${op.accepts.methods === 'any' ? 'any method' : op.accepts.methods.join(', ')}` : '';
  lines.push(`${code(`${op.method} ${route.path}`)} — ${code(view)}, ${op.documented ? 'documented' : 'volatile'}; method ${op.methodSource} (${code(op.methodEvidence)})${accepts}.`);
  if (op.permissions.length) {
    lines.push(`Requires ${op.permissions.map((p) => `${PERMISSION_TEXT[p.kind]}${p.roles ? ` (${p.roles.map((r) => commentText(r)).join(' or ')})` : ''}`).join(' and ')}.`);
  }
  if (op.writes) lines.push('Writes: recorded in CATMAID\'s history; never retried.');
  if (!op.documented) {
    lines.push('', 'Undocumented CATMAID endpoint (volatile): not listed on the /apis/ page; it may change without notice.');
  }
  const drift = diagnostics.filter((d) => d.operation === `${op.method} ${route.path}`);
  if (drift.length) {
    lines.push('', 'Where docs, code and CATMAID\'s tests disagree:');
    for (const d of drift) lines.push(`- ${commentText(d.message)}`);
  }
  const tags: DocTag[] = [
    { tagName: 'param', text: 'client - the server to call' },
    { tagName: 'param', text: 'params - path, query and body parameters' },
    { tagName: 'param', text: 'options - abort signal, headers, retries, parameters the model lacks (`extraParams`)' },
  ];
  if (op.deprecated) tags.push({ tagName: 'deprecated', text: 'marked deprecated in CATMAID' });
  return docText(lines.join('\n'), tags);
}

/** A JSDoc tag: `@param client - …`. */
interface DocTag {
  tagName: string;
  text: string;
}

/**
 * A doc comment's text with its tags, as ts-morph prints a {@link JSDocStructure} (`@name text`,
 * one a line after the description). Handed to the printer as text, it is not written out once
 * more to be read back, as a structure is, and one text serves the three flavours.
 */
function docText(description: string, tags: readonly DocTag[]): string {
  return [description, ...tags.map((t) => `@${t.tagName}${t.text ? ` ${t.text}` : ''}`)].join('\n');
}

/** A JSON-able value as a TypeScript literal: single-quoted strings, bare keys where possible. */
function tsLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tsLiteral).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{ ${Object.entries(value).map(([k, v]) => `${propertyKey(k)}: ${tsLiteral(v)}`).join(', ')} }`;
  }
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
  return JSON.stringify(value);
}

