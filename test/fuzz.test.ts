/**
 * Fuzzing with fast-check: trees made from the fixture corpus by deleting, duplicating, swapping
 * and corrupting lines, tokens and bytes of their Python files never crash the generator, never
 * hang (a time bound per case), give a model that fits its JSON Schema, and every SDK that comes
 * out passes `tsc --strict --noEmit`.
 *
 * `npm test` runs FUZZ_RUNS (default 25) cases with a fixed seed; `scripts/fuzz.sh` runs many more.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { emitPackage, type EmittedFile } from '../generator/emit/index.js';
import { buildRouteModel } from '../generator/model/build.js';
import { fixtureCases, fixtureSource, repoRoot } from './helpers.js';
import { MemorySource } from './memory-source.js';
import { readFileSync } from 'node:fs';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 25);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261126);
/** A case that takes longer than this counts as a hang. */
const TIME_LIMIT_MS = 5000;

const corpus = fixtureCases().map((name) => ({ name, tree: MemorySource.fromDirectory(fixtureSource(name)) }));
const TOKENS = [
  '(', ')', '[', ']', '{', '}', ',', ':', "'", '"', '"""', "r'", 'f"{', '*/', '/*', '\\', '%', '%s', '.format(', 'include(', "include('catmaid.urls')",
  'url(', 'path(', 're_path(', 'patterns(', '---', '@api_view([\'GET\'])', "request.POST['k']", "get_request_list(request.GET, 'x', map_fn=int)",
  'def ', 'class ', '\n', '\t', '    ', '(?P<', '$', '^', '\u0000', 'é', '\u2028', 'import *', 'from . import *', 'as_view()', 'record_view("x", "POST")(',
  'urlpatterns += ', 'if settings.DEBUG:', 'for x in settings.X:', 'lambda', '*args', '**kwargs', '"""\n---\nparameters: [', '- name: ', 'paramType: form',
];

type Mutation = { file: number; op: string; at: number; token: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  file: fc.nat(),
  op: fc.constantFrom('delete-line', 'duplicate-line', 'swap-lines', 'delete-token', 'insert-token', 'truncate', 'corrupt-bytes'),
  at: fc.nat(),
  token: fc.constantFrom(...TOKENS),
});

/** Applies mutations to a tree's Python files (URLconfs first among equals: they are picked more often). */
function mutate(tree: MemorySource, mutations: Mutation[]): MemorySource {
  const py = tree.listFiles().filter((f) => f.endsWith('.py'));
  const weighted = [...py, ...py.filter((f) => f.endsWith('urls.py')), ...py.filter((f) => f.endsWith('urls.py'))];
  const changes: Record<string, Buffer> = {};
  for (const m of mutations) {
    const file = weighted[m.file % weighted.length]!;
    const bytes = changes[file] ?? tree.read(file)!;
    if (m.op === 'corrupt-bytes') {
      const copy = Buffer.from(bytes);
      if (copy.length) copy[m.at % copy.length] = [0x00, 0xff, 0xc3, 0x80, 0x0a][m.at % 5]!;
      changes[file] = copy;
      continue;
    }
    const text = bytes.toString('latin1');
    const lines = text.split('\n');
    const i = lines.length ? m.at % lines.length : 0;
    let next: string;
    switch (m.op) {
      case 'delete-line':
        next = [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
        break;
      case 'duplicate-line':
        next = [...lines.slice(0, i + 1), ...lines.slice(i)].join('\n');
        break;
      case 'swap-lines': {
        const j = (i + 1 + (m.at % 7)) % Math.max(1, lines.length);
        const copy = [...lines];
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
        next = copy.join('\n');
        break;
      }
      case 'delete-token': {
        const tokens = text.split(/(\s+|[()[\]{},:'"=.])/);
        const k = tokens.length ? m.at % tokens.length : 0;
        next = [...tokens.slice(0, k), ...tokens.slice(k + 1)].join('');
        break;
      }
      case 'insert-token': {
        const pos = text.length ? m.at % text.length : 0;
        next = text.slice(0, pos) + m.token + text.slice(pos);
        break;
      }
      default:
        next = text.slice(0, text.length ? m.at % text.length : 0);
    }
    changes[file] = Buffer.from(next, 'latin1');
  }
  return tree.with(changes);
}

const schema = JSON.parse(readFileSync(join(repoRoot, 'generator/model/route-model.schema.json'), 'utf8'));
const validate = new Ajv2020.default({ strict: true, allowUnionTypes: true }).compile(schema);

const packages: EmittedFile[][] = [];
let dir: string | undefined;
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`fuzzing (${RUNS} cases, seed ${SEED})`, () => {
  it('never crashes or hangs, and gives a model that fits its schema', () => {
    let slowest = 0;
    fc.assert(
      fc.property(fc.nat(corpus.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }), (which, mutations) => {
        const tree = mutate(corpus[which]!.tree, mutations);
        const t0 = performance.now();
        let model;
        try {
          model = buildRouteModel(tree).model;
        } catch (e) {
          // The one allowed failure: the project URLconf itself is gone, which is a usage error.
          if ((e as Error).name === 'UsageError') return;
          throw e;
        }
        const files = emitPackage(model, { packageName: 'fuzzed' });
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        expect(ms).toBeLessThan(TIME_LIMIT_MS);
        expect(validate(model) ? [] : validate.errors).toEqual([]);
        packages.push(files);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect(packages.length).toBeGreaterThan(RUNS / 2);
    expect(slowest).toBeLessThan(TIME_LIMIT_MS);
  });

  it('emits SDKs that all pass tsc --strict --noEmit', () => {
    expect(packages.length).toBeGreaterThan(0);
    dir = mkdtempSync(join(tmpdir(), 'catmaid-codegen-fuzz-'));
    packages.forEach((files, i) => {
      for (const f of files) {
        const path = join(dir!, `p${i}`, f.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, f.content);
      }
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: './p0/tsconfig.json', compilerOptions: { noEmit: true, rootDir: '.' }, include: packages.map((_, i) => `p${i}/src`) }),
    );
    let output = '';
    try {
      execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', maxBuffer: 1 << 26 });
    } catch (e) {
      // What tsc found is on stdout; a tsc that cannot run says why on stderr.
      const { stdout, stderr } = e as { stdout?: string; stderr?: string };
      output = (stdout || stderr || String(e)).slice(0, 4000);
    }
    expect(output).toBe('');
  });
});
