/** Shared test helpers: fixture paths, running the built CLI, building models from fixtures. */
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRouteModel } from '../generator/model/build.js';
import type { Route, RouteModel } from '../generator/model/types.js';
import { installExtensions } from '../generator/source/extensions.js';
import { openSource } from '../generator/source/open.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const cliPath = join(repoRoot, 'dist', 'cli.js');

/** Fixture cases: every folder under test/fixtures with a `source/` tree (and, optionally, `extensions/`). */
export function fixtureCases(): string[] {
  return readdirSync(fixturesDir)
    .filter((name) => existsSync(join(fixturesDir, name, 'source')))
    .sort();
}

export function fixtureSource(name: string): string {
  return join(fixturesDir, name, 'source');
}

const models = new Map<string, RouteModel>();

/** The route model of a fixture's source tree (built once per test file). */
export function fixtureModel(name: string): RouteModel {
  let model = models.get(name);
  if (!model) {
    const core = openSource({ source: fixtureSource(name) });
    // A case's `extensions/` holds the extensions installed beside it, one directory each, in name order.
    const dir = join(fixturesDir, name, 'extensions');
    const { tree, extensions } = installExtensions(core, existsSync(dir) ? readdirSync(dir).sort().map((d) => join(dir, d)) : []);
    model = buildRouteModel(tree, extensions.length ? { extensions } : {}).model;
    models.set(name, model);
  }
  return model;
}

/** The routes of a model with the given path (several when views differ). */
export function routesAt(model: RouteModel, path: string): Route[] {
  return model.routes.filter((r) => r.path === path);
}

/** The single route with that path; fails the test if there is not exactly one. */
export function routeAt(model: RouteModel, path: string): Route {
  const found = routesAt(model, path);
  if (found.length !== 1) throw new Error(`expected one route at ${path}, found ${found.length}`);
  return found[0]!;
}

/** Runs the built CLI; returns exit status, stdout and stderr. */
export function runCli(args: string[], options: { cwd?: string } = {}) {
  const result = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', cwd: options.cwd ?? repoRoot });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Python source from a template: raw (backslashes as written), common indentation removed. */
export function py(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw(strings, ...values).replace(/^\n/, '');
  const lines = text.split('\n');
  const cut = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(cut)).join('\n');
}
