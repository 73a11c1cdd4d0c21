#!/usr/bin/env node
/**
 * The command line: maps flags onto the same option objects the library takes, and is the only
 * part that prints or writes. Wrong usage is one line on stderr and exit 2; `--debug` shows the
 * stack of an unexpected error.
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from './errors.js';
import { emitOpenApi } from './emit/openapi/index.js';
import { startEmitter } from './emit/parallel.js';
import { sortFiles } from './emit/index.js';
import type { EmittedFile } from './emit/sdk/index.js';
import type { RouteModel } from './model/types.js';
import { buildRouteModel } from './model/build.js';
import { staleFiles, writeOutput } from './output/write.js';
import { openSource } from './source/open.js';
import { formatDiagnostics, formatDriftReport, formatRouteTable } from './report.js';
import { generatorInfo } from './util/package-info.js';

interface SourceFlags {
  source?: string;
  ref?: string;
  debug?: boolean;
}

function main(argv: string[]): void {
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
    .option('--source <path>', 'CATMAID checkout directory, or git repository with --ref')
    .option('--ref <ref>', 'tag, branch or commit to read from the git repository at --source')
    .option('--json', 'print the route model as JSON')
    .option('--debug', 'show stack traces of unexpected errors')
    .action((flags: SourceFlags & { json?: boolean }) => {
      const tree = openSource({ source: flags.source, ref: flags.ref });
      const { model } = buildRouteModel(tree);
      if (flags.json) {
        process.stdout.write(JSON.stringify(model, null, 2) + '\n');
      } else {
        process.stdout.write(formatRouteTable(model));
        process.stderr.write(formatDiagnostics(model.diagnostics));
      }
    });

  program
    .command('lint')
    .description('report where docstrings and code disagree (drift), per operation, grouped by file')
    .option('--source <path>', 'CATMAID checkout directory, or git repository with --ref')
    .option('--ref <ref>', 'tag, branch or commit to read from the git repository at --source')
    .option('--strict', 'exit with status 1 when there is any finding')
    .option('--debug', 'show stack traces of unexpected errors')
    .action((flags: SourceFlags & { strict?: boolean }) => {
      const { model } = buildRouteModel(openSource({ source: flags.source, ref: flags.ref }));
      const report = formatDriftReport(model.diagnostics);
      process.stdout.write(report.text);
      if (flags.strict && report.findings > 0) process.exitCode = 1;
    });

  program
    .command('generate')
    .description('write a TypeScript client package (and OpenAPI document) for a CATMAID source into --out')
    .option('--source <path>', 'CATMAID checkout directory, or git repository with --ref')
    .option('--ref <ref>', 'tag, branch or commit to read from the git repository at --source')
    .option('--out <dir>', 'output directory of the generated package')
    .option('--package-name <name>', 'npm name of the generated package', 'catmaid-client')
    .option('--check', 'write nothing; exit 1 and list the files that differ when --out is stale')
    .option('--force', 'write into a non-empty directory that catmaid-codegen did not create')
    .option('--debug', 'show stack traces of unexpected errors')
    .action(async (flags: SourceFlags & { out?: string; packageName: string; check?: boolean; force?: boolean }) => {
      if (!flags.out) throw new UsageError('missing --out: give the directory to write the package into');
      if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/.test(flags.packageName)) throw new UsageError(`invalid --package-name '${flags.packageName}'`);
      // The emitter loads in a second thread while this one reads the source.
      const emitter = startEmitter();
      let files: EmittedFile[];
      let model: RouteModel;
      const timing = process.env['CATMAID_CODEGEN_TIMING'] ? (what: string) => process.stderr.write(`${performance.now().toFixed(0).padStart(6)} ms  ${what}\n`) : () => {};
      try {
        timing('started');
        model = buildRouteModel(openSource({ source: flags.source, ref: flags.ref })).model;
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
      const ops = model.routes.reduce((n, r) => n + r.operations.length, 0);
      process.stderr.write(`wrote ${result.written} files to ${flags.out} (${ops} operations)${result.removed.length ? `, removed ${result.removed.length} stale` : ''}\n`);
    });

  program.parseAsync(argv).catch((e: unknown) => handleError(e, argv.includes('--debug')));
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
