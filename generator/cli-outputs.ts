/**
 * What the command line writes besides its own output and the generated files (output/write.ts):
 * the commit of a generation (`generate --commit`), the reference site (`docs`, `generate --docs`),
 * the answers `verify --record` stores. Part of the CLI, the only part that prints or writes; the
 * commands call these once their work is done.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ApiDiff, Finding } from './diff/index.js';
import { UsageError } from './errors.js';
import type { RouteModel } from './model/types.js';
import { writeOutput } from './output/write.js';
import type { Recording } from './verify/record.js';

/**
 * `generate --commit`: one commit in the `--out` work tree of the files this generation wrote or
 * removed (nothing else there is touched), its message the summary of the API changes.
 */
export function commitGeneration(out: string, paths: string[], model: RouteModel, changes: ApiDiff | undefined): void {
  // (`generate` made sure before any work that `out` is in a git work tree.)
  const git = (args: string[]) => spawnSync('git', ['-C', out, ...args], { encoding: 'utf8' });
  const unique = [...new Set(paths)].sort();
  const added = git(['add', '-A', '--', ...unique]);
  if (added.status !== 0) throw new UsageError(`--commit: git add failed: ${added.stderr.trim()}`);
  if (git(['diff', '--cached', '--quiet', '--', ...unique]).status === 0) {
    process.stderr.write('--commit: nothing changed; no commit\n');
    return;
  }
  const label = `CATMAID ${model.source.tag ?? model.source.catmaidVersion ?? 'source'}`;
  const lines = [changes ? `Regenerate for ${label} (from ${changes.from})` : `Generate the client for ${label}`, ''];
  if (changes) {
    const c = changes.counts;
    lines.push(`${c.total} API change${c.total === 1 ? '' : 's'}: ${c.breaking} breaking, ${c.nonBreaking} non-breaking, ${c.info} informational; ${c.documented} touch documented API.`, '');
    // Breaking changes first, then what was removed and added.
    const rank = (f: Finding) => (f.severity === 'breaking' ? 0 : f.kind === 'operation-removed' ? 1 : 2);
    const notable = changes.findings.filter((f) => f.kind === 'operation-added' || f.kind === 'operation-removed' || f.severity === 'breaking').sort((a, b) => rank(a) - rank(b));
    for (const f of notable.slice(0, 40)) lines.push(`- ${f.method} ${f.path}: ${f.message}${f.severity === 'breaking' ? ' (breaking)' : ''}`);
    if (notable.length > 40) lines.push(`- … and ${notable.length - 40} more (API-CHANGES.md)`);
  }
  const committed = git(['commit', '-q', '-m', lines.join('\n').trim(), '--', ...unique]);
  if (committed.status !== 0) throw new UsageError(`--commit: git commit failed: ${(committed.stderr || committed.stdout).trim()}`);
  process.stderr.write(`committed in ${out}: ${lines[0]}\n`);
}

/** Writes the reference site of `model` into `out` (docs, generate --docs). */
export async function writeDocs(model: RouteModel, options: { out: string; packageName: string; force: boolean; sourceUrl?: string; changes?: ApiDiff[] }): Promise<void> {
  // Loaded only here: handlebars and ts-morph stay out of the other commands' start-up.
  const { browserRuntime } = await import('./emit/docs/browser-runtime.js');
  const { emitDocs } = await import('./emit/docs/index.js');
  const { headerLine } = await import('./emit/provenance.js');
  const { render } = await import('./emit/templates.js');
  const header = headerLine(model);
  const runtimeScript = await browserRuntime(render('runtime.ts', { header: `// ${header}` }), header);
  const files = emitDocs(model, { packageName: options.packageName, runtimeScript, ...(options.sourceUrl ? { sourceUrl: options.sourceUrl } : {}), ...(options.changes ? { changes: options.changes } : {}) });
  const result = writeOutput(options.out, files, { force: options.force, generator: `${model.generator.name} ${model.generator.version}` });
  const pages = files.filter((f) => f.path.startsWith('operations/')).length;
  process.stderr.write(`wrote the reference site to ${options.out} (${result.written} files, ${pages} operation pages${options.changes?.length ? ', changes since ' + options.changes[0]!.from : ''})\n`);
}

/** A `--record` directory must be one, or be creatable: checked before any request. */
export function checkRecordDir(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--record ${dir} is not a directory`);
    return;
  }
  let parent = dirname(resolve(dir));
  while (!existsSync(parent)) parent = dirname(parent);
  if (!statSync(parent).isDirectory()) throw new UsageError(`cannot create --record ${dir}: ${parent} is not a directory`);
}

/**
 * Writes the recordings into `dir` (created with its parents), each file atomically: written
 * beside its place under a temporary name, then renamed over it. Other files of `dir` are left.
 */
export function writeRecordings(dir: string, recordings: Recording[]): void {
  checkRecordDir(dir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create --record ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 1);
  }
  for (const r of recordings) {
    const temporary = join(dir, `.${r.name}.${process.pid}.tmp`);
    try {
      writeFileSync(temporary, r.content);
      renameSync(temporary, join(dir, r.name));
    } catch (e) {
      rmSync(temporary, { force: true });
      throw new UsageError(`cannot write ${join(dir, r.name)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 1);
    }
  }
}
