/**
 * The SDK the wire tests' contract group runs against: the committed fixture client (`generated/`),
 * or one generated from a real CATMAID source (CATMAID_TEST_SOURCE, CATMAID_TEST_REF) into a
 * temporary directory with the built CLI, its TypeScript stripped by `transpileModule` (as
 * generator/verify/runtime.ts loads the runtime) and imported from there.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { RouteModel } from '../generator/model/types.js';
import { runCli } from './helpers.js';

/** An operation of a generated SDK, whatever its parameter and result types. */
export type Operation = (client: unknown, params?: object, options?: object) => Promise<any>;

/** What the contract group needs of an SDK, and the route model it was generated from. */
export interface SdkUnderTest {
  /** For test titles: the fixture client, or the release and source generated from. */
  label: string;
  /** True for an SDK generated from CATMAID_TEST_SOURCE. */
  real: boolean;
  /** The modules' exports: createClient, CatmaidError, request and one function per operation. */
  exports: Record<string, unknown>;
  model: RouteModel;
}

/** The exports of an SDK's entry points (main and volatile), merged. */
export function sdkFromModules(label: string, real: boolean, model: RouteModel, ...modules: object[]): SdkUnderTest {
  return { label, real, model, exports: Object.assign({}, ...modules) as Record<string, unknown> };
}

/**
 * The ref to generate from when CATMAID_TEST_REF is not set: the release tag the server names in
 * `/version` (`2021.12.21-unknown` → `2021.12.21`) when the repository has it, else its newest
 * dated release tag (`YYYY.MM.DD`); undefined (read the checkout as it is, or a bare repository's
 * HEAD) when the source is not a git repository or has no such tag.
 */
export function defaultRef(source: string, serverVersion: string | undefined): string | undefined {
  let tags: string[];
  try {
    tags = execFileSync('git', ['-C', source, 'tag', '--list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter((t) => /^\d{4}\.\d{2}\.\d{2}$/.test(t));
  } catch {
    return undefined;
  }
  const release = /^\d{4}\.\d{2}\.\d{2}/.exec(serverVersion ?? '')?.[0];
  if (release && tags.includes(release)) return release;
  return tags.sort().pop();
}

/** Generates the SDK of `source` at `ref` into `dir` with the built CLI (dist/cli.js). */
export function generateSdk(source: string, ref: string | undefined, dir: string): void {
  const out = join(dir, 'sdk');
  const result = runCli(['generate', '--source', source, ...(ref !== undefined ? ['--ref', ref] : []), '--out', out]);
  if (result.status !== 0) throw new Error(`catmaid-codegen generate --source ${source}${ref ? ` --ref ${ref}` : ''} failed (exit ${result.status}): ${result.stderr.trim()}`);
}

/**
 * Loads the SDK generated into `dir` by {@link generateSdk}: every `src/**\/*.ts` transpiled to
 * JavaScript under `dir/js` (an ES module package, relative imports unchanged), then its main and
 * volatile entry points imported.
 */
export async function loadGeneratedSdk(dir: string, label: string): Promise<SdkUnderTest> {
  const src = join(dir, 'sdk', 'src');
  const js = join(dir, 'js');
  for (const file of walk(src).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
      reportDiagnostics: false,
    });
    const target = join(js, relative(src, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(js, 'package.json'), '{ "type": "module" }\n');
  const model = JSON.parse(readFileSync(join(dir, 'sdk', 'routes.json'), 'utf8')) as RouteModel;
  const main = (await import(/* @vite-ignore */ pathToFileURL(join(js, 'index.js')).href)) as object;
  const volatile = (await import(/* @vite-ignore */ pathToFileURL(join(js, 'volatile.js')).href)) as object;
  return sdkFromModules(label, true, model, main, volatile);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Where an SDK has the operation a contract case names: its id, and the route it calls. */
export interface ResolvedOperation {
  id: string;
  fn: Operation;
}

/**
 * The operation of `sdk` that calls `method path`: the one named `id` when the SDK exports it for
 * that route, else whatever id the SDK gives that route (the fixture's names may differ from a
 * release's), else undefined. An `id` exported for another route is an error: the contract would
 * call something else than it means.
 */
export function resolveOperation(sdk: SdkUnderTest, id: string, method: string, path: string): ResolvedOperation | undefined {
  const at = (opId: string) => sdk.model.routes.find((r) => r.operations.some((o) => o.operationId === opId));
  const route = at(id);
  if (route) {
    const op = route.operations.find((o) => o.operationId === id)!;
    if (route.path !== path || op.method !== method) throw new Error(`${sdk.label}: ${id} is ${op.method} ${route.path}, not ${method} ${path}`);
    return { id, fn: sdk.exports[id] as Operation };
  }
  for (const r of sdk.model.routes) {
    if (r.path !== path) continue;
    const op = r.operations.find((o) => o.method === method);
    if (op && typeof sdk.exports[op.operationId] === 'function') return { id: op.operationId, fn: sdk.exports[op.operationId] as Operation };
  }
  return undefined;
}
