/**
 * SDK emitter: the route model → a TypeScript package. A pure function: it returns files and
 * touches nothing. Static parts come from handlebars templates; one function per operation, its
 * parameter interface and its response type are ts-morph structures, one source file per CATMAID
 * control module, printed once each.
 *
 * Consumes: a {@link RouteModel}. Produces: `{ path, content }[]`, sorted by path.
 */
import type { FactStore } from '../../cache/store.js';
import { printStructure, StructureKind, type FunctionDeclarationStructure, type InterfaceDeclarationStructure, type JSDocStructure, type OptionalKind, type StatementStructures, type TypeAliasDeclarationStructure } from 'ts-morph';
import type { Diagnostic } from '../../diagnostics.js';
import type { Operation, Parameter, Route, RouteModel } from '../../model/types.js';
import { compareText } from '../../util/compare.js';
import { catmaidLabel, headerLine, outputSource, packageVersion } from '../provenance.js';
import { compiledFiles } from './compiled.js';
import { render } from '../templates.js';
import type { EmittedFile } from '../files.js';
import { operationSpec, parameterKeys, responseKind } from '../spec.js';
import { code, commentText } from './docs.js';
import { NameScope, pascalCase, propertyKey, toIdentifier } from './names.js';
import { schemaType, valueType } from './types.js';

export interface SdkOptions {
  /** npm name of the generated package (default `catmaid-client`). */
  packageName: string;
}

export type { EmittedFile } from '../files.js';

const PRINT_OPTIONS = { indentNumberOfSpaces: 2, useSingleQuote: true } as const;

/** Names the runtime exports, which no operation or type may take. */
const RUNTIME_NAMES = [
  'CatmaidClient', 'CatmaidError', 'createClient', 'call', 'request', 'raw', 'RawAnswer',
  'ClientConfig', 'CallOptions', 'RetryOptions', 'OperationSpec', 'ParamSpec', 'ParamValue', 'ExtraParams', 'HttpMethod', 'RequestOptions',
];

/** One operation with the names it gets in the package. */
interface EmitOperation {
  route: Route;
  op: Operation;
  fn: string;
  paramsType: string;
  responseType: string;
  /** Names of the types of the docstring's models, by model name. */
  models: Map<string, string>;
  group: string;
}

export function emitSdk(model: RouteModel, options: SdkOptions, cache?: FactStore): EmittedFile[] {
  const header = headerLine(model);
  const ops = collectOperations(model);
  const files: EmittedFile[] = [];

  const groups = new Map<string, EmitOperation[]>();
  for (const o of ops) groups.set(o.group, [...(groups.get(o.group) ?? []), o]);
  for (const group of [...groups.keys()].sort(compareText)) {
    // `operations/skeleton` or `ext/circuitmap/operations/control`: the runtime is at src/.
    const up = '../'.repeat(group.split('/').length - 1);
    const statements: Array<string | StatementStructures> = [
      `// ${header}`,
      {
        kind: StructureKind.ImportDeclaration,
        moduleSpecifier: `${up}runtime.js`,
        namedImports: [{ name: 'call' }, { name: 'CallOptions', isTypeOnly: true }, { name: 'CatmaidClient', isTypeOnly: true }],
      },
    ];
    for (const o of groups.get(group)!) statements.push(...operationStatements(o, model.diagnostics));
    // Structures printed straight to text: no Project, no AST, no re-parse per manipulation.
    const content = printStructure({ kind: StructureKind.SourceFile, statements }, PRINT_OPTIONS);
    files.push({ path: `src/${group}.ts`, content });
  }

  /** An entry point: the operations of `extension` (CATMAID's own: undefined) that are documented or not. */
  const entry = (documented: boolean, what: string, extension?: string) => {
    const lines = [`// ${header}`, `/**`, ` * ${what}`, ` */`];
    if (documented && extension === undefined) {
      lines.push(`export { CatmaidClient, CatmaidError, createClient, raw, request } from './runtime.js';`);
      lines.push(`export type { CallOptions, ClientConfig, ExtraParams, HttpMethod, ParamValue, RawAnswer, RequestOptions, RetryOptions } from './runtime.js';`);
    }
    const base = extension === undefined ? '' : `ext/${extension}/`;
    const chosen = ops.filter((o) => o.op.documented === documented && o.route.extension === extension);
    for (const group of [...new Set(chosen.map((o) => o.group))].sort(compareText)) {
      const names = chosen
        .filter((o) => o.group === group)
        .flatMap((o) => [o.fn, `type ${o.paramsType}`, `type ${o.responseType}`, ...[...o.models.values()].map((m) => `type ${m}`)]);
      lines.push(`export {\n${names.map((n) => `  ${n},`).join('\n')}\n} from './${group.slice(base.length)}.js';`);
    }
    if (chosen.length === 0) lines.push('export {};');
    return lines.join('\n') + '\n';
  };
  const extensions = (model.source.extensions ?? []).map((e) => e.name);
  for (const name of extensions) {
    files.push({ path: `src/ext/${name}/index.ts`, content: entry(true, `Documented operations of the CATMAID extension ${name} (served under /ext/${name}/). The client comes from the package's main entry.`, name) });
    files.push({
      path: `src/ext/${name}/volatile.ts`,
      content: entry(false, `Undocumented ("volatile") operations of the CATMAID extension ${name}: they may change without notice\n * in any release of it. Import them from here only on purpose.`, name),
    });
  }
  files.push({ path: 'src/index.ts', content: entry(true, 'Documented CATMAID operations (Django REST framework views, listed on CATMAID\'s /apis/ page), and the client.') });
  files.push({
    path: 'src/volatile.ts',
    content: entry(false, 'Undocumented ("volatile") CATMAID operations: not listed on CATMAID\'s /apis/ page, they may change\n * without notice in any release. Import them from here only on purpose.'),
  });
  files.push({ path: 'src/runtime.ts', content: render('runtime.ts', { header: `// ${header}` }) });

  const documentedCount = ops.filter((o) => o.op.documented).length;
  const example = ops.find((o) => o.op.documented && o.op.method === 'GET') ?? ops[0];
  const source = outputSource(model.source);
  files.push({
    path: 'package.json',
    content: render('package.json', {
      packageName: options.packageName,
      version: packageVersion(model.source),
      description: `TypeScript client for CATMAID ${catmaidLabel(model.source)}, generated by ${model.generator.name} ${model.generator.version}`,
      generator: `${model.generator.name} ${model.generator.version}`,
      catmaidVersion: source.catmaidVersion ?? null,
      ref: source.tag ?? null,
      commit: source.commit ?? null,
      extensions,
      ...(source.extensions?.length ? { extensionSources: source.extensions } : {}),
    }),
  });
  files.push({ path: 'tsconfig.json', content: render('tsconfig.json', { headerLine: header }) });
  files.push({
    path: 'README.md',
    content: render('README.md', {
      headerLine: header,
      packageName: options.packageName,
      catmaidLabel: catmaidLabel(model.source),
      generator: model.generator,
      exampleOperation: example?.fn ?? 'createClient',
      exampleArguments: example ? exampleArguments(example) : '',
      operationCount: ops.length,
      documentedCount,
      volatileCount: ops.length - documentedCount,
      operations: ops.map((o) => ({ id: o.fn, method: o.op.method, path: (o.route.path ?? '').replace(/\|/g, '\\|'), status: o.op.documented ? 'documented' : 'volatile' })),
    }),
  });
  files.push({ path: 'routes.json', content: JSON.stringify({ ...model, source }, null, 2) + '\n' });
  // Compiled beside the sources: the package installs with no build step.
  files.push(...compiledFiles(files, cache));
  return files.sort((a, b) => compareText(a.path, b.path));
}

/** Every operation of a route with a path, in route order, named once across the package. */
function collectOperations(model: RouteModel): EmitOperation[] {
  const scope = new NameScope(RUNTIME_NAMES);
  const out: EmitOperation[] = [];
  // CATMAID's own operations claim their names first: an extension never renames them.
  const ordered = [...model.routes.filter((r) => r.extension === undefined), ...model.routes.filter((r) => r.extension !== undefined)];
  for (const route of ordered) {
    if (route.path === null) continue;
    for (const op of route.operations) {
      const fn = scope.claim(toIdentifier(op.operationId));
      const base = pascalCase(fn);
      const models = new Map<string, string>();
      for (const name of Object.keys(op.response?.models ?? {}).sort(compareText)) models.set(name, scope.claim(`${base}${pascalCase(name)}`));
      out.push({ route, op, fn, paramsType: scope.claim(`${base}Params`), responseType: scope.claim(`${base}Response`), models, group: groupOf(route) });
    }
  }
  return out;
}

/** The file an operation goes to: its view's control module (`skeleton`, `dvid-stack`), else `other`. */
function groupOf(route: Route): string {
  const module = route.view?.module ?? '';
  // An extension's operations live under its own directory: `circuitmap.control` → `ext/circuitmap/operations/control`.
  if (route.extension !== undefined) {
    const rest = module.startsWith(`${route.extension}.`) ? module.slice(route.extension.length + 1) : '';
    return `ext/${route.extension}/operations/${rest ? rest.replace(/\./g, '-').replace(/_/g, '-') : 'other'}`;
  }
  const m = /^catmaid\.control\.(.+)$/.exec(module);
  if (m) return `operations/${m[1]!.replace(/\./g, '-').replace(/_/g, '-')}`;
  if (module.startsWith('catmaid.')) return `operations/${module.slice('catmaid.'.length).replace(/\./g, '-').replace(/_/g, '-')}`;
  return 'operations/other';
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

function operationStatements(o: EmitOperation, diagnostics: readonly Diagnostic[]): StatementStructures[] {
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
    return { name: propertyKey(keys[i]!), type: valueType(p), hasQuestionToken: optional, docs: [{ description: notes.join('\n') }] };
  });
  const allOptional = properties.every((p) => p.hasQuestionToken);
  const paramsInterface: InterfaceDeclarationStructure = {
    kind: StructureKind.Interface,
    name: o.paramsType,
    isExported: true,
    docs: [{ description: `Parameters of {@link ${o.fn}}.` }],
    properties,
  };
  const models: TypeAliasDeclarationStructure[] = [...o.models].map(([name, typeName]) => ({
    kind: StructureKind.TypeAlias,
    name: typeName,
    isExported: true,
    docs: [{ description: `The docstring's model ${code(name)}.` }],
    type: schemaType(op.response!.models![name]!, (ref) => o.models.get(ref) ?? 'unknown'),
  }));
  const responseAlias: TypeAliasDeclarationStructure = {
    kind: StructureKind.TypeAlias,
    name: o.responseType,
    isExported: true,
    docs: [
      {
        description: responseDocs(o),
      },
    ],
    type: responseTypeText(o),
  };
  const spec = operationSpec(route, op);
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
    statements: [`return call<${o.responseType}>(client, ${tsLiteral(spec)}, params, options);`],
  };
  return [paramsInterface, ...models, responseAlias, fn];
}

const PERMISSION_TEXT: Record<string, string> = {
  'project-role': 'a project role',
  'any-project-role': 'a role in any project',
  login: 'a logged-in user',
  other: 'a permission check',
};

function functionDocs(o: EmitOperation, diagnostics: readonly Diagnostic[]): OptionalKind<JSDocStructure> {
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
  const tags: JSDocStructure['tags'] = [
    { tagName: 'param', text: 'client - the server to call' },
    { tagName: 'param', text: 'params - path, query and body parameters' },
    { tagName: 'param', text: 'options - abort signal, headers, retries, parameters the model lacks (`extraParams`)' },
  ];
  if (op.deprecated) tags.push({ tagName: 'deprecated', text: 'marked deprecated in CATMAID' });
  return { description: lines.join('\n'), tags };
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

function exampleArguments(o: EmitOperation): string {
  const required = o.op.parameters.filter((p) => p.required && !(p.in === 'path' && p.name === 'project_id' && o.route.projectScoped));
  if (required.length === 0) return '';
  const sample = (p: Parameter) => (p.type === 'integer' || p.type === 'number' ? '1' : p.type === 'boolean' ? 'true' : p.type === 'array' ? '[1, 2]' : "'…'");
  return `, { ${required.map((p) => `${propertyKey(p.name)}: ${sample(p)}`).join(', ')} }`;
}
