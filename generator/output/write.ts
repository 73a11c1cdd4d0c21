/**
 * Writing generated files into a directory the user owns, used only by the CLI. Files are staged
 * in a temporary directory beside the output first, so a run that fails leaves the output as it
 * was; a manifest records what was generated, so a later run removes only its own files and never
 * a file the user put there.
 *
 * Consumes: `{ path, content }[]` from an emitter. Produces: files on disk, or the list of
 * differences (`--check`).
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { EmittedFile } from '../emit/files.js';
import { compareText } from '../util/compare.js';

/** The manifest's file name inside the output directory. */
export const MANIFEST = '.catmaid-codegen.json';

interface Manifest {
  generator: string;
  files: string[];
}

function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return undefined;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    return Array.isArray(m.files) ? m : undefined;
  } catch {
    throw new UsageError(`${path} is not a catmaid-codegen manifest; remove it or choose another --out`);
  }
}

function manifestFile(files: EmittedFile[], generator: string): EmittedFile {
  const manifest: Manifest = { generator, files: files.map((f) => f.path).sort(compareText) };
  return { path: MANIFEST, content: JSON.stringify(manifest, null, 2) + '\n' };
}

/** Why `dir` cannot be written to, or undefined. */
function outputProblem(dir: string, force: boolean): string | undefined {
  if (!existsSync(dir)) {
    const parent = dirname(resolve(dir));
    if (!existsSync(parent)) return undefined; // created with its parents
    if (!statSync(parent).isDirectory()) return `cannot create --out ${dir}: ${parent} is not a directory`;
    try {
      accessSync(parent, constants.W_OK);
    } catch {
      return `cannot create --out ${dir}: ${parent} is not writable`;
    }
    return undefined;
  }
  if (!lstatSync(dir).isDirectory()) return `--out ${dir} is not a directory`;
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return `--out ${dir} is not writable`;
  }
  if (!force && !readManifest(dir) && readdirSync(dir).length > 0) {
    return `--out ${dir} is not empty and was not written by catmaid-codegen; use --force to write into it`;
  }
  return undefined;
}

/** Writes `files` into `dir` (created if needed), replacing what a previous run generated there. */
export function writeOutput(dir: string, files: EmittedFile[], options: { force?: boolean; generator: string }): { written: number; removed: string[] } {
  const problem = outputProblem(dir, !!options.force);
  if (problem) throw new UsageError(problem);
  const all = [...files, manifestFile(files, options.generator)];
  const target = resolve(dir);
  const stage = join(dirname(target), `.${basename(target)}.catmaid-codegen-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  try {
    // 1. Everything is written beside the output first: a failure here leaves the output untouched.
    for (const f of all) {
      const path = join(stage, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }
    // 2. A new output directory is swapped in whole.
    if (!existsSync(target)) {
      mkdirSync(dirname(target), { recursive: true });
      renameSync(stage, target);
      return { written: all.length, removed: [] };
    }
    // 3. An existing one gets each file renamed into place (atomic per file), then loses the files
    //    a previous run generated that this one does not.
    const previous = readManifest(target)?.files ?? [];
    for (const f of all) {
      const path = join(target, f.path);
      mkdirSync(dirname(path), { recursive: true });
      renameSync(join(stage, f.path), path);
    }
    const now = new Set(all.map((f) => f.path));
    const removed = previous.filter((p) => !now.has(p) && !p.split('/').includes('..')).sort(compareText);
    for (const p of removed) rmSync(join(target, p), { force: true });
    return { written: all.length, removed };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** The files of `dir` that differ from `files` (changed, missing, or generated before and now gone). */
export function staleFiles(dir: string, files: EmittedFile[], generator: string): string[] {
  if (existsSync(dir) && !lstatSync(dir).isDirectory()) throw new UsageError(`--out ${dir} is not a directory`);
  const all = [...files, manifestFile(files, generator)];
  const stale: string[] = [];
  for (const f of all) {
    const path = join(dir, f.path);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== f.content) stale.push(f.path);
  }
  const now = new Set(all.map((f) => f.path));
  for (const p of readManifest(dir)?.files ?? []) if (!now.has(p) && existsSync(join(dir, p))) stale.push(p);
  return stale.sort(compareText);
}
