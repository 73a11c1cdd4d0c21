#!/usr/bin/env node
/**
 * The command line: maps flags onto the same option objects the library takes, and is the only
 * part that prints or writes (with cli-outputs.ts, what it writes besides its output; cli-inputs.ts
 * reads what it is given). Wrong usage is one line on stderr and exit 2; `--debug` shows the
 * stack of an unexpected error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { computeChangelog } from './diff/changelog.js';
import { formatChangelog, formatDiffJson, formatDiffMarkdown } from './diff/format.js';
import { diffModels, type ApiDiff } from './diff/index.js';
import { buildModels, nearTrees, workerCacheProblems, workerCacheStats } from './model/parallel.js';
import { cacheProblems, cacheStats, factStore, flushCaches, mergeStats } from './cache/store.js';
import { UsageError } from './errors.js';
import { emitOpenApi } from './emit/openapi/index.js';
import { startEmitter } from './emit/parallel.js';
import { sortFiles } from './emit/files.js';
import type { EmittedFile } from './emit/files.js';
import type { RouteModel } from './model/types.js';
import { checkRecordDir, commitGeneration, writeDocs, writeRecordings } from './cli-outputs.js';
import { cacheDirOf, cacheDirOption, collect, noCacheOption, earlierGeneration, EXTENSION_HELP, extensionOption, failsOn, hasErrors, openWithExtensions, positiveInteger, readModelFile, readTokenFile, refOption, sourceOption, type SourceFlags } from './cli-inputs.js';
import { buildRouteModel, keptRouteModel, type BuildOptions } from './model/build.js';
import { keepOperationIds } from './model/keep-ids.js';
import { staleFiles, writeOutput } from './output/write.js';
import { installExtensions, openExtensions, parseExtensionArg } from './source/extensions.js';
import { openSource } from './source/open.js';
import { formatObservedWarnings, observedBuildOptions } from './source/observed.js';
import type { VerifyOptions } from './verify/index.js';
import { formatDiagnostics, formatDriftReport, formatRouteTable } from './report.js';
import { generatorInfo } from './util/package-info.js';

function main(argv: string[]): void {
  // A reader that stops early (`routes --json | head`) closes the pipe: the rest of the output is
  // not wanted, and that is no error to report.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit();
    });
  }
  const program = new Command()
    .name('catmaid-codegen')
    .description('Route model, TypeScript SDK, OpenAPI document and API diff for CATMAID, read statically from its source')
    .version(generatorInfo().version)
    .exitOverride()
    .configureOutput({
      // Commander's own errors (unknown option, missing argument) as one line, like ours.
      outputError: (message, write) => write(`catmaid-codegen: ${oneLine(message.replace(/^error: /, ''))} (see --help)\n`),
    });

  program
    .command('routes')
    .description('print every URL route of a CATMAID source (a table; the route model with --json)')
    .addOption(sourceOption())
    .addOption(refOption())
    .addOption(extensionOption())
    .addOption(cacheDirOption())
    .addOption(noCacheOption())
    .option('--json', 'print the route model as JSON')
    .option('--observed <dir>', 'answers recorded by `verify --record`, as evidence of response types')
    .option('--strict', 'exit with status 1 when there is any error-level diagnostic')
    .option('--debug', 'show stack traces of unexpected errors')
    .action((flags: SourceFlags & { json?: boolean; strict?: boolean; observed?: string }) => {
      const { tree, build } = openWithExtensions(flags, observedOptions(flags.observed));
      const { model } = buildRouteModel(tree, build);
      if (flags.json) {
        process.stdout.write(JSON.stringify(model, null, 2) + '\n');
      } else {
        process.stdout.write(formatRouteTable(model));
        process.stderr.write(formatDiagnostics(model.diagnostics));
      }
      if (flags.strict && hasErrors(model)) process.exitCode = 1;
    });

  program
    .command('lint')
    .description('report where docstrings and code disagree (drift), per operation, grouped by file')
    .addOption(sourceOption())
    .addOption(refOption())
    .addOption(extensionOption())
    .addOption(cacheDirOption())
    .addOption(noCacheOption())
    .option('--strict', 'exit with status 1 when there is any finding')
    .option('--debug', 'show stack traces of unexpected errors')
    .action((flags: SourceFlags & { strict?: boolean }) => {
      const { tree, build } = openWithExtensions(flags);
      const { model } = buildRouteModel(tree, build);
      const report = formatDriftReport(model.diagnostics);
      process.stdout.write(report.text);
      if (flags.strict && report.findings > 0) process.exitCode = 1;
    });

  program
    .command('generate')
    .description('write a TypeScript client package (and OpenAPI document) for a CATMAID source into --out')
    .addOption(sourceOption())
    .addOption(refOption())
    .addOption(extensionOption())
    .addOption(cacheDirOption())
    .addOption(noCacheOption())
    .option('--out <dir>', 'output directory of the generated package')
    .option('--package-name <name>', 'npm name of the generated package', 'catmaid-client')
    .option('--observed <dir>', 'answers recorded by `verify --record`, as evidence of response types')
    .option('--check', 'write nothing; exit 1 and list the files that differ when --out is stale')
    .option('--force', 'write into a non-empty directory that catmaid-codegen did not create')
    .option('--strict', 'write nothing and exit with status 1 when there is any error-level diagnostic')
    .option('--docs <dir>', 'also write the API reference site (as `docs` does) into <dir>')
    .option('--source-url <template>', 'with --docs: link source locations, e.g. https://github.com/catmaid/CATMAID/blob/{commit}/{file}#L{line}')
    .option('--commit', 'when --out is a git work tree: commit what this generation changed there (and nothing else), with a message summing up the API changes')
    .option('--debug', 'show stack traces of unexpected errors')
    .action(async (flags: SourceFlags & { out?: string; packageName: string; check?: boolean; force?: boolean; strict?: boolean; observed?: string; docs?: string; sourceUrl?: string; commit?: boolean }) => {
      if (!flags.out) throw new UsageError('missing --out: give the directory to write the package into');
      // Before any work: --commit needs --out inside a git work tree.
      if (flags.commit && !flags.check && spawnSync('git', ['-C', existsSync(flags.out) ? flags.out : dirname(resolve(flags.out)), 'rev-parse', '--is-inside-work-tree'], { encoding: 'utf8' }).stdout.trim() !== 'true') {
        throw new UsageError(`--commit: ${flags.out} is not in a git work tree`);
      }
      if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/.test(flags.packageName)) throw new UsageError(`invalid --package-name '${flags.packageName}'`);
      const build = observedOptions(flags.observed);
      // The emitter loads in a second thread while this one reads the source (unless the cache
      // holds the package of this model).
      const cacheDir = cacheDirOf(flags);
      const emitter = startEmitter(cacheDir !== undefined ? factStore(cacheDir) : undefined);
      let files: EmittedFile[];
      let model: RouteModel;
      let earlier: RouteModel | undefined;
      const timing = process.env['CATMAID_CODEGEN_TIMING'] ? (what: string) => process.stderr.write(`${performance.now().toFixed(0).padStart(6)} ms  ${what}\n`) : () => {};
      try {
        timing('started');
        const opened = openWithExtensions(flags, build);
        model = buildRouteModel(opened.tree, opened.build).model;
        // Regenerating: the ids users call stay; what changed is said in API-CHANGES.md.
        earlier = earlierGeneration(flags.out);
        if (earlier) keepOperationIds(model, earlier);
        timing('model built');
        const sdk = emitter.emit(model, { packageName: flags.packageName });
        // The OpenAPI document is made here while the worker emits the TypeScript.
        const openapi = emitOpenApi(model);
        files = sortFiles([...(await sdk), openapi]);
        timing('package emitted');
      } catch (e) {
        emitter.dispose();
        throw e;
      }
      const generator = `${model.generator.name} ${model.generator.version}`;
      if (flags.strict && hasErrors(model)) {
        process.stderr.write(formatDiagnostics(model.diagnostics.filter((d) => d.level === 'error')));
        process.stderr.write(`catmaid-codegen: --strict: the source has error diagnostics; nothing written\n`);
        process.exitCode = 1;
        return;
      }
      if (flags.check) {
        const stale = staleFiles(flags.out, files, generator);
        if (stale.length) {
          process.stderr.write(`catmaid-codegen: ${flags.out} is stale; these files differ:\n${stale.map((f) => `  ${f}\n`).join('')}`);
          process.exitCode = 1;
        }
        return;
      }
      const result = writeOutput(flags.out, files, { force: !!flags.force, generator });
      timing('written');
      // What changed since the earlier generation, for the SDK repository's readers and its commit.
      const changes = earlier ? diffModels(earlier, model) : undefined;
      if (changes) writeFileSync(join(flags.out, 'API-CHANGES.md'), formatDiffMarkdown(changes, `# API changes: CATMAID ${changes.from} → ${changes.to}`));
      if (flags.commit) commitGeneration(flags.out, [...files.map((f) => f.path), '.catmaid-codegen.json', ...result.removed, ...(changes ? ['API-CHANGES.md'] : [])], model, changes);
      if (flags.docs !== undefined) await writeDocs(model, { out: flags.docs, packageName: flags.packageName, force: !!flags.force, ...(flags.sourceUrl ? { sourceUrl: flags.sourceUrl } : {}) });
      const ops = model.routes.reduce((n, r) => n + r.operations.length, 0);
      const errors = model.diagnostics.filter((d) => d.level === 'error').length;
      const warnings = model.diagnostics.filter((d) => d.level === 'warning').length;
      process.stderr.write(
        `wrote ${result.written} files to ${flags.out} (${ops} operations)${result.removed.length ? `, removed ${result.removed.length} stale` : ''}` +
          (errors + warnings ? `; ${errors} errors, ${warnings} warnings in the source (listed by \`routes\`)` : '') +
          '\n',
      );
    });

  program
    .command('docs')
    .description('write a static API reference site of a CATMAID release into --out: every operation, its parameters, answer, source and a form to try it')
    .addOption(sourceOption())
    .addOption(refOption())
    .addOption(extensionOption())
    .addOption(cacheDirOption())
    .addOption(noCacheOption())
    .option('--out <dir>', 'output directory of the site')
    .option('--since <ref>', 'an older ref of the same repository: a page of the API changes since then, and "changed since" on each operation')
    .option('--changelog', 'a page of the API changes of every release up to --ref (newest first), and "added in / changed in" on each operation')
    .option('--source-url <template>', 'link source locations, e.g. https://github.com/catmaid/CATMAID/blob/{commit}/{file}#L{line}')
    .option('--package-name <name>', 'npm name of the SDK the snippets import', 'catmaid-client')
    .option('--quiet', 'no progress on stderr (shown only when it is a terminal)')
    .option('--force', 'write into a non-empty directory that catmaid-codegen did not create')
    .option('--debug', 'show stack traces of unexpected errors')
    .action(async (flags: SourceFlags & { out?: string; since?: string; changelog?: boolean; sourceUrl?: string; packageName: string; force?: boolean; quiet?: boolean }) => {
      if (!flags.out) throw new UsageError('missing --out: give the directory to write the site into');
      const step = progress('docs', flags.quiet);
      const steps = flags.since !== undefined || flags.changelog ? 3 : 2;
      step?.(0, steps);
      if (flags.sourceUrl !== undefined && !/\{file\}/.test(flags.sourceUrl)) throw new UsageError('--source-url needs {file} (and may use {commit} and {line})');
      if (flags.since !== undefined && flags.changelog) throw new UsageError('give --since or --changelog, not both');
      // A bad source, ref or extension is said before any work.
      const { tree, build } = openWithExtensions(flags);
      let changes: ApiDiff[] | undefined;
      if (flags.changelog) {
        if (!flags.source) throw new UsageError('missing --source');
        // Every release first: its worker threads, and their memory, are gone before this thread
        // builds the model (which then finds the release's facts in the cache): the site of all of
        // CATMAID's releases, from an empty cache directory, peaked at 363 instead of 431 MiB, in
        // 0.92x the time (with --no-cache: 336 instead of 382 MiB, 1.04x the time).
        changes = (await computeChangelog(flags.source, undefined, flags.ref ?? 'HEAD', flags.extension ?? [], undefined, cacheDirOf(flags))).diffs;
        step?.(1, steps);
      }
      const model = buildRouteModel(tree, build).model;
      step?.(flags.changelog ? 2 : 1, steps);
      if (flags.since !== undefined) {
        const older = openWithExtensions({ ...flags, ref: flags.since });
        const diff = diffModels(buildRouteModel(older.tree, older.build).model, model);
        step?.(2, steps);
        diff.from = flags.since;
        diff.to = flags.ref ?? model.source.tag ?? 'this release';
        changes = [diff];
      }
      await writeDocs(model, { out: flags.out, packageName: flags.packageName, force: !!flags.force, ...(flags.sourceUrl ? { sourceUrl: flags.sourceUrl } : {}), ...(changes ? { changes } : {}) });
      step?.(steps, steps);
    });

  program
    .command('diff')
    .description('the API changes between two CATMAID versions: two refs of a repository, or two routes.json files')
    .argument('[older]', 'route model (routes.json) of the older version')
    .argument('[newer]', 'route model (routes.json) of the newer version')
    .option('--source <path>', 'CATMAID git repository')
    .option('--from <ref>', 'the older ref')
    .option('--to <ref>', 'the newer ref', 'HEAD')
    .option('--extension <path>', `${EXTENSION_HELP}; installed beside the newer ref`, collect)
    .option('--from-extension <path>', 'an extension installed beside the older ref (default: those of --extension); repeatable', collect)
    .addOption(cacheDirOption())
    .addOption(noCacheOption())
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .addOption(new Option('--fail-on <level>', 'exit 1 on such findings').choices(['breaking', 'documented-breaking', 'any']))
    .option('--debug', 'show stack traces of unexpected errors')
    .action(async (older: string | undefined, newer: string | undefined, flags: SourceFlags & { from?: string; to: string; format: string; failOn?: string; fromExtension?: string[] }) => {
      let models: RouteModel[];
      if (older !== undefined || newer !== undefined) {
        if (older === undefined || newer === undefined || flags.source) throw new UsageError('give two routes.json files, or --source with --from and --to');
        if (flags.extension?.length || flags.fromExtension?.length) throw new UsageError('--extension and --from-extension go with --source (a routes.json holds its extensions)');
        models = [readModelFile(older), readModelFile(newer)];
      } else {
        if (!flags.source) throw new UsageError('missing --source (or two routes.json files)');
        if (!flags.from) throw new UsageError('missing --from: the older ref');
        const source = flags.source;
        // One clear error for a bad source, ref or extension, before any work.
        const newerExtensions = flags.extension ?? [];
        const olderExtensions = flags.fromExtension ?? newerExtensions;
        const trees = [installExtensions(openSource({ source, ref: flags.from }), olderExtensions), installExtensions(openSource({ source, ref: flags.to }), newerExtensions)];
        const cacheDir = cacheDirOf(flags);
        // Both models kept whole by the cache: no worker threads needed.
        const store = cacheDir !== undefined ? factStore(cacheDir) : undefined;
        const kept = store ? trees.map(({ tree, extensions }) => keptRouteModel(tree, { cache: store, ...(extensions.length ? { extensions } : {}) })) : [];
        if (kept.length && kept.every((m) => m !== undefined)) models = kept as RouteModel[];
        else if (nearTrees(trees[0]!.tree, trees[1]!.tree)) {
          // Two nearby versions: one after the other here, the second reusing what the first read.
          const cache = factStore(cacheDir);
          models = trees.map(({ tree, extensions }) => buildRouteModel(tree, { cache, ...(extensions.length ? { extensions } : {}) }).model);
        } else models = await buildModels(source, [flags.from, flags.to], [olderExtensions, newerExtensions], undefined, cacheDir);
      }
      const diff = diffModels(models[0]!, models[1]!);
      process.stdout.write(flags.format === 'json' ? formatDiffJson(diff) : formatDiffMarkdown(diff));
      if (failsOn(diff, flags.failOn)) process.exitCode = 1;
    });

  program
    .command('changelog')
    .description('the API changes of every consecutive pair of CATMAID release tags in a range, newest first')
    .option('--source <path>', 'CATMAID git repository')
    .option('--from <ref>', 'first release tag (default: the oldest)')
    .option('--to <ref>', 'last release tag, or HEAD (default: the newest release tag)')
    .option('--extension <path>', `${EXTENSION_HELP}; installed beside every release`, collect)
    .addOption(cacheDirOption())
    .addOption(noCacheOption())
    .option('--quiet', 'no progress on stderr (shown only when it is a terminal)')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option('--debug', 'show stack traces of unexpected errors')
    .action(async (flags: SourceFlags & { from?: string; to?: string; format: string; quiet?: boolean }) => {
      if (!flags.source) throw new UsageError('missing --source: give a CATMAID git repository');
      openSource({ source: flags.source, ...(flags.to ? { ref: flags.to } : { ref: 'HEAD' }) });
      const extensions = flags.extension ?? [];
      openExtensions(extensions.map(parseExtensionArg), openSource({ source: flags.source, ...(flags.to ? { ref: flags.to } : { ref: 'HEAD' }) }));
      const log = await computeChangelog(flags.source, flags.from, flags.to, extensions, progress('releases read', flags.quiet), cacheDirOf(flags));
      process.stdout.write(
        flags.format === 'json'
          ? JSON.stringify({ refs: log.refs, diffs: [...log.diffs].reverse() }, null, 2) + '\n'
          : formatChangelog(log.diffs, `CATMAID API changelog, ${log.refs[0]} to ${log.refs[log.refs.length - 1]}`),
      );
    });

  program
    .command('verify')
    .description('check the model against a live CATMAID server: call what only reads, report per operation (read-only unless --allow-writes)')
    .requiredOption('--url <url>', 'where CATMAID is served, sub-path included')
    .option('--token <token>', 'API token (prefer --token-file or CATMAID_TOKEN: a token on the command line shows in process lists)')
    .option('--token-file <path>', 'file holding the API token')
    .option('--project-id <id>', 'project to read from (default: the first listed); the only one written to with --allow-writes')
    .addOption(sourceOption())
    .addOption(refOption())
    .addOption(extensionOption())
    .addOption(cacheDirOption())
    .addOption(noCacheOption())
    .option('--model <routes.json>', 'a route model written by `routes --json`, instead of --source')
    .option('--include-volatile', 'also check undocumented operations')
    .option('--allow-writes', 'also call operations that write (never ones that delete or merge), in --project-id only')
    .option('--timeout-ms <ms>', 'per-request timeout', '30000')
    .option('--concurrency <n>', 'requests in flight at once', '4')
    .option('--no-accepts', "do not probe each route's accepted methods (one request per route with a method it should refuse)")
    .option('--all', 'list skipped operations too')
    .option('--record <dir>', 'store each JSON answer with a 2xx status in <dir>, one file per operation, for `generate --observed`')
    .option('--quiet', 'no progress on stderr (shown only when it is a terminal)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--debug', 'show stack traces of unexpected errors')
    .action(async (flags: SourceFlags & VerifyFlags) => {
      if (flags.model && (flags.source || flags.ref)) throw new UsageError('give --model or --source, not both');
      if (flags.token !== undefined && flags.tokenFile !== undefined) throw new UsageError('give --token or --token-file, not both');
      const token = flags.tokenFile !== undefined ? readTokenFile(flags.tokenFile) : flags.token ?? process.env['CATMAID_TOKEN'];
      if (flags.record !== undefined) checkRecordDir(flags.record);
      if (flags.model && flags.extension?.length) throw new UsageError('give --extension with --source, not with --model (the model holds its extensions)');
      const model = flags.model ? readModelFile(flags.model) : (() => {
        const { tree, build } = openWithExtensions(flags);
        return buildRouteModel(tree, build).model;
      })();
      const { verifyAndRecord, verifyModel } = await import('./verify/index.js');
      const { formatVerifyJson, formatVerifyTable } = await import('./verify/format.js');
      const options: VerifyOptions = {
        url: flags.url,
        ...(token ? { token } : {}),
        ...(flags.projectId !== undefined ? { projectId: positiveInteger('--project-id', flags.projectId) } : {}),
        allowWrites: !!flags.allowWrites,
        includeVolatile: !!flags.includeVolatile,
        timeoutMs: positiveInteger('--timeout-ms', flags.timeoutMs),
        concurrency: positiveInteger('--concurrency', flags.concurrency),
        accepts: flags.accepts !== false,
      };
      const onProgress = progress('operations checked', flags.quiet);
      if (onProgress) options.onProgress = onProgress;
      // Recording reads a copy of every answer: only when asked.
      const { report, recordings } = flags.record !== undefined ? await verifyAndRecord(model, options) : { report: await verifyModel(model, options), recordings: [] };
      if (flags.record !== undefined) {
        writeRecordings(flags.record, recordings);
        const bytes = recordings.reduce((n, r) => n + Buffer.byteLength(r.content), 0);
        const cut = recordings.filter((r) => r.cut).length;
        const redacted = recordings.filter((r) => r.redacted > 0).length;
        process.stderr.write(
          `recorded ${recordings.length} answers in ${flags.record} (${bytes} bytes; largest answer ${Math.max(0, ...recordings.map((r) => r.answerBytes))} bytes; ${cut} bodies cut to the bounds` +
            (redacted ? `; host or token replaced in ${redacted}` : '') +
            ')\n',
        );
      }
      process.stdout.write(flags.format === 'json' ? formatVerifyJson(report) : formatVerifyTable(report, { all: !!flags.all }));
      if (report.summary.failed > 0) process.exitCode = 1;
    });

  program
    .parseAsync(argv)
    .then(async () => {
      await flushCaches();
      // The cache is an aid: a directory it cannot write is said once, and the work is done anyway.
      const problem = cacheProblems(workerCacheProblems)[0];
      if (problem) process.stderr.write(`catmaid-codegen: warning: ${problem}; facts were not kept\n`);
      if (process.env['CATMAID_CODEGEN_CACHE_STATS']) process.stderr.write(`cache: ${JSON.stringify(mergeStats(cacheStats(), workerCacheStats))}\n`);
      // Everything is done and written: end here rather than let Node tear the process down,
      // which first runs the finalizer of every tree-sitter object still alive (about 50 ms for a
      // CATMAID release). Once what was printed is out: on some systems a pipe is written later.
      await drained(process.stdout);
      await drained(process.stderr);
      process.exit();
    })
    .catch((e: unknown) => handleError(e, argv.includes('--debug')));
}

interface VerifyFlags {
  url: string;
  quiet?: boolean;
  token?: string;
  tokenFile?: string;
  projectId?: string;
  model?: string;
  includeVolatile?: boolean;
  allowWrites?: boolean;
  timeoutMs: string;
  concurrency: string;
  accepts?: boolean;
  all?: boolean;
  format: string;
  record?: string;
}

/**
 * Progress on stderr for long work (`changelog`, `verify`, `docs`): one line rewritten in place, only
 * when stderr is a terminal and not `--quiet`; cleared when done. Undefined when nothing is shown.
 */
function progress(what: string, quiet: boolean | undefined): ((done: number, total: number) => void) | undefined {
  if (quiet || !process.stderr.isTTY) return undefined;
  return (done, total) => {
    process.stderr.write(`\r${what}: ${done} of ${total}\x1b[K`);
    if (done >= total) process.stderr.write('\r\x1b[K');
  };
}

/** The build options of `--observed <dir>`: its recordings; a warning on stderr for each file that is not one. */
function observedOptions(dir: string | undefined): BuildOptions {
  if (dir === undefined) return {};
  const { options, warnings } = observedBuildOptions(dir);
  process.stderr.write(formatObservedWarnings(dir, warnings));
  return options;
}

/** Resolves once what was written to `stream` before has been handed to the system. */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim().replace(/^\((.*)\)$/, '$1'))
    .filter(Boolean)
    .join('; ');
}

function handleError(e: unknown, debug: boolean): never {
  // --help and --version end with exit code 0; every other Commander error is wrong usage.
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof UsageError) {
    process.stderr.write(`catmaid-codegen: ${e.message}\n`);
    if (debug) process.stderr.write(`${e.stack}\n`);
    process.exit(e.exitCode);
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`catmaid-codegen: internal error: ${message.split('\n')[0]}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exit(70);
}

main(process.argv);
