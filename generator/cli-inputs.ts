/**
 * What the command line reads before any work: the options every command that reads CATMAID
 * takes (`--source`, `--ref`, `--extension`), the trees and models they name, an earlier
 * generation in `--out`, token files and numbers. Nothing here prints or writes (cli.ts does);
 * every way an input can be wrong is a one-line {@link UsageError}.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultCacheDir, factStore } from './cache/store.js';
import { Option } from 'commander';
import type { ApiDiff } from './diff/index.js';
import { UsageError } from './errors.js';
import type { BuildOptions } from './model/build.js';
import { SCHEMA_VERSION, type RouteModel } from './model/types.js';
import { installExtensions } from './source/extensions.js';
import { openSource } from './source/open.js';
import type { SourceTree } from './source/types.js';

export interface SourceFlags {
  source?: string;
  ref?: string;
  /** `--extension` (repeatable): `PATH`, `PATH@REF`, `name=PATH[@REF]`. */
  extension?: string[];
  /** `--no-cache`: false. */
  cache?: boolean;
  /** `--cache-dir`. */
  cacheDir?: string;
  debug?: boolean;
}

export const EXTENSION_HELP = 'a CATMAID extension (Django app) installed beside CATMAID: PATH (the app or a repository holding it), PATH@REF (a git repository at a ref), name=PATH to name it; repeatable';

/** `--source`, `--ref` and `--extension`, as every command that reads CATMAID takes them. */
export const sourceOption = () => new Option('--source <path>', 'CATMAID checkout directory, or git repository with --ref');
export const refOption = () => new Option('--ref <ref>', 'tag, branch or commit to read from the git repository at --source');

export function extensionOption(): Option {
  return new Option('--extension <path>', EXTENSION_HELP).argParser(collect);
}

/** `--cache-dir` and `--no-cache`, as every command that reads CATMAID's source takes them. */
export const cacheDirOption = () =>
  new Option('--cache-dir <dir>', `keep facts read from the source here, keyed by file content, for the next run (default: ${defaultCacheDir().replace(homedir(), '~')})`);
export const noCacheOption = () => new Option('--no-cache', 'keep nothing on disk (facts are still shared by the refs of this run)');

/** The cache directory the flags ask for; undefined with `--no-cache` (facts kept in memory only). */
export function cacheDirOf(flags: SourceFlags): string | undefined {
  if (flags.cache === false) {
    if (flags.cacheDir !== undefined) throw new UsageError('give --cache-dir or --no-cache, not both');
    return undefined;
  }
  return flags.cacheDir ?? defaultCacheDir();
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** CATMAID at `--source`/`--ref` with the `--extension`s in it, and the build options that say which. */
export function openWithExtensions(flags: SourceFlags, build: BuildOptions = {}): { tree: SourceTree; build: BuildOptions } {
  const { tree, extensions } = installExtensions(openSource({ source: flags.source, ref: flags.ref }), flags.extension ?? []);
  // One ref read once: with --no-cache, nothing could be reused, so nothing is recorded.
  const dir = cacheDirOf(flags);
  // A helper thread, on the other core, opens the same tree when the build has to read it
  // (openSource refused a missing --source above): at the commit the build read, so that a branch
  // that moves in between cannot give it another one.
  const ref = flags.ref !== undefined ? tree.commit ?? flags.ref : undefined;
  const helper = { source: flags.source!, ...(ref !== undefined ? { ref } : {}), extensions: flags.extension ?? [], ...(dir !== undefined ? { cacheDir: dir } : {}) };
  return { tree, build: { ...build, ...(extensions.length ? { extensions } : {}), ...(dir !== undefined ? { cache: factStore(dir) } : {}), helper } };
}

/** The route model of an earlier generation in `out` (its `routes.json`), if there is one. */
export function earlierGeneration(out: string): RouteModel | undefined {
  const path = join(out, 'routes.json');
  if (!existsSync(join(out, '.catmaid-codegen.json')) || !existsSync(path)) return undefined;
  try {
    return readModelFile(path);
  } catch {
    return undefined; // another version's model: ids are not kept, and the diff is not written
  }
}

/** The token in a file (its first line), or one clear error that does not show the file's content. */
export function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read token file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  const token = text.split(/\r?\n/)[0]!.trim();
  if (!token) throw new UsageError(`token file ${path} is empty`);
  return token;
}

export function positiveInteger(flag: string, text: string): number {
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`${flag} must be a positive integer, not '${text}'`);
  return Number(text);
}

export function hasErrors(model: RouteModel): boolean {
  return model.diagnostics.some((d) => d.level === 'error');
}

/** A route model from a JSON file, or one clear error. */
export function readModelFile(path: string): RouteModel {
  let model: RouteModel;
  try {
    model = JSON.parse(readFileSync(path, 'utf8')) as RouteModel;
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e instanceof SyntaxError ? 'not JSON' : String(e));
    throw new UsageError(`cannot read route model ${path}: ${reason}`);
  }
  if (!model || model.schemaVersion !== SCHEMA_VERSION || !Array.isArray(model.routes)) {
    throw new UsageError(`${path} is not a catmaid-codegen route model (schemaVersion ${SCHEMA_VERSION})`);
  }
  return model;
}

/** Whether a diff has findings of the level `--fail-on` names. */
export function failsOn(diff: ApiDiff, level: string | undefined): boolean {
  if (level === 'any') return diff.findings.length > 0;
  if (level === 'breaking') return diff.findings.some((f) => f.severity === 'breaking');
  if (level === 'documented-breaking') return diff.findings.some((f) => f.severity === 'breaking' && f.documented);
  return false;
}
