#!/usr/bin/env node
/**
 * The command line: maps flags onto the same option objects the library takes, and is the only
 * part that prints or writes. Wrong usage is one line on stderr and exit 2; `--debug` shows the
 * stack of an unexpected error.
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from './errors.js';
import { buildRouteModel } from './model/build.js';
import { openSource } from './source/open.js';
import { formatDiagnostics, formatRouteTable } from './report.js';
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
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

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

  try {
    program.parse(argv);
  } catch (e) {
    handleError(e, argv.includes('--debug'));
  }
}

function handleError(e: unknown, debug: boolean): never {
  if (e instanceof CommanderError) process.exit(e.exitCode);
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
