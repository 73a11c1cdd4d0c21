/**
 * SDK emitter: the route model → a TypeScript package. A pure function: it returns files and
 * touches nothing. Static parts come from handlebars templates; one function per operation, its
 * parameter interface and its response type are ts-morph structures (operation.ts), one module per
 * CATMAID control module, printed three times: the source, and its JavaScript and declarations
 * (`dist/`, so that the package installs without a build). The runtime, a template, is compiled
 * (compiled.ts).
 *
 * Consumes: a {@link RouteModel}. Produces: `{ path, content }[]`, sorted by path.
 */
import type { FactStore } from '../../cache/store.js';
import type { StatementStructures } from 'ts-morph';
import { tsMorph } from '../ts-morph.js';
import type { Parameter, Route, RouteModel } from '../../model/types.js';
import { compareText } from '../../util/compare.js';
import { catmaidLabel, headerLine, outputSource, packageVersion } from '../provenance.js';
import { compiledFiles } from './compiled.js';
import { render } from '../templates.js';
import type { EmittedFile } from '../files.js';
import { entryPoint } from './entries.js';
import { NameScope, pascalCase, propertyKey, toIdentifier } from './names.js';
import { operationStatements, type EmitOperation, type Flavours } from './operation.js';

export interface SdkOptions {
  /** npm name of the generated package (default `catmaid-client`). */
  packageName: string;
}

export type { EmittedFile } from '../files.js';

const { printStructure, StructureKind } = tsMorph;

const PRINT_OPTIONS = { indentNumberOfSpaces: 2, useSingleQuote: true } as const;

/** Names the runtime exports, which no operation or type may take. */
const RUNTIME_NAMES = [
  'CatmaidClient', 'CatmaidError', 'createClient', 'call', 'request', 'raw', 'RawAnswer',
  'ClientConfig', 'CallOptions', 'RetryOptions', 'OperationSpec', 'ParamSpec', 'ParamValue', 'ExtraParams', 'HttpMethod', 'RequestOptions',
];

export function emitSdk(model: RouteModel, options: SdkOptions, cache?: FactStore): EmittedFile[] {
  const header = headerLine(model);
  const ops = collectOperations(model);
  const files: EmittedFile[] = [];

  const groups = new Map<string, EmitOperation[]>();
  for (const o of ops) groups.set(o.group, [...(groups.get(o.group) ?? []), o]);
  for (const group of [...groups.keys()].sort(compareText)) {
    // `operations/skeleton` or `ext/circuitmap/operations/control`: the runtime is at src/.
    const up = '../'.repeat(group.split('/').length - 1);
    const runtime = `${up}runtime.js`;
    const statements: Flavours<Array<string | StatementStructures>> = {
      source: [`// ${header}`, { kind: StructureKind.ImportDeclaration, moduleSpecifier: runtime, namedImports: [{ name: 'call' }, ...RUNTIME_TYPE_IMPORTS] }],
      script: [`// ${header}`, { kind: StructureKind.ImportDeclaration, moduleSpecifier: runtime, namedImports: [{ name: 'call' }] }],
      declarations: [`// ${header}`, { kind: StructureKind.ImportDeclaration, moduleSpecifier: runtime, namedImports: RUNTIME_TYPE_IMPORTS }],
    };
    for (const o of groups.get(group)!) {
      const op = operationStatements(o, model.diagnostics);
      statements.source.push(...op.source);
      statements.script.push(...op.script);
      statements.declarations.push(...op.declarations);
    }
    // Structures printed straight to text: no Project, no AST, no re-parse per manipulation.
    const print = (list: Array<string | StatementStructures>) => printStructure({ kind: StructureKind.SourceFile, statements: list }, PRINT_OPTIONS);
    files.push(...moduleFiles(group, { source: print(statements.source), script: print(statements.script), declarations: print(statements.declarations) }));
  }

  const entry = (documented: boolean, what: string, extension?: string) =>
    entryPoint(header, what, extension, ops.filter((o) => o.op.documented === documented && o.route.extension === extension), documented && extension === undefined);
  const extensions = (model.source.extensions ?? []).map((e) => e.name);
  for (const name of extensions) {
    files.push(...moduleFiles(`ext/${name}/index`, entry(true, `Documented operations of the CATMAID extension ${name} (served under /ext/${name}/). The client comes from the package's main entry.`, name)));
    files.push(
      ...moduleFiles(`ext/${name}/volatile`, entry(false, `Undocumented ("volatile") operations of the CATMAID extension ${name}: they may change without notice\n * in any release of it. Import them from here only on purpose.`, name)),
    );
  }
  files.push(...moduleFiles('index', entry(true, 'Documented CATMAID operations (Django REST framework views, listed on CATMAID\'s /apis/ page), and the client.')));
  files.push(
    ...moduleFiles('volatile', entry(false, 'Undocumented ("volatile") CATMAID operations: not listed on CATMAID\'s /apis/ page, they may change\n * without notice in any release. Import them from here only on purpose.')),
  );
  // The runtime is a template: compiled, and kept (the same for every model of this generator).
  const runtime = { path: 'src/runtime.ts', content: render('runtime.ts', { header: `// ${header}` }) };
  files.push(runtime, ...compiledFiles([runtime], cache));

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
  return files.sort((a, b) => compareText(a.path, b.path));
}

/** The types of the runtime an operation module imports. */
const RUNTIME_TYPE_IMPORTS = [{ name: 'CallOptions', isTypeOnly: true }, { name: 'CatmaidClient', isTypeOnly: true }];

/** A module of the package (`operations/skeleton`, `index`): its source, JavaScript and declarations. */
function moduleFiles(module: string, texts: Flavours<string>): EmittedFile[] {
  return [
    { path: `src/${module}.ts`, content: texts.source },
    { path: `dist/${module}.js`, content: texts.script },
    { path: `dist/${module}.d.ts`, content: texts.declarations },
  ];
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

function exampleArguments(o: EmitOperation): string {
  const required = o.op.parameters.filter((p) => p.required && !(p.in === 'path' && p.name === 'project_id' && o.route.projectScoped));
  if (required.length === 0) return '';
  const sample = (p: Parameter) => (p.type === 'integer' || p.type === 'number' ? '1' : p.type === 'boolean' ? 'true' : p.type === 'array' ? '[1, 2]' : "'…'");
  return `, { ${required.map((p) => `${propertyKey(p.name)}: ${sample(p)}`).join(', ')} }`;
}
