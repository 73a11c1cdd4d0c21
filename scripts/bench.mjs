#!/usr/bin/env node
/**
 * Benchmark: every figure of the speed targets in one run, each a whole process (node start-up and
 * module loading included, because that is what a user waits for), with its peak memory, beside a
 * bare tree-sitter parse of the same files.
 *
 * Usage:  npm run bench -- --source PATH [--ref REF] [--runs N] [--diff-from REF] [--changelog]
 *         (build first: npx tsc -p .)
 *
 * Rows (medians of N interleaved runs unless said; "cold": `--no-cache`, nothing kept from earlier
 * runs; "fresh": an empty `--cache-dir`, so the run also writes what it keeps; "warm": a
 * `--cache-dir` an earlier run of the same command filled):
 *
 *   routes      `routes --source PATH [--ref REF] --json`, stdout discarded: cold, fresh and warm.
 *   generate    `generate … --out TMP` into a new directory each run (removed, not timed): cold, warm.
 *   bare parse  this file re-invoked as `--bare-parse-worker`: a process that loads tree-sitter and
 *               tree-sitter-python, reads the files the routes run reads the same way (a git ref:
 *               one `git cat-file --batch` of their blobs; a directory: fs reads), and parses each
 *               once with one Parser and the generator's bufferSize. Nothing else: the floor.
 *   tsc         `tsc -p <generated>/tsconfig.json --noEmit` on the generated package (3 runs).
 *   diff        with --diff-from REF: `diff --source PATH --from REF --to <--ref or HEAD>`: cold, warm.
 *   changelog   with --changelog: `changelog --source PATH --to HEAD` (every release tag): once
 *               fresh (its cache lookups counted: hit rate by kind of fact), then 3 runs warm.
 *
 * Which files the bare parse reads: asked of the generator, not guessed (`buildRouteModel()`'s
 * `filesRead`, once, in-process, uncached); for a git source their blob ids are computed from the
 * bytes read. Peak memory: `process.resourceUsage().maxRSS` of the timed process, all its threads,
 * written at exit by scripts/bench-peak.mjs (preloaded with --import); the table shows the largest
 * of the runs. Ratios are of medians. One warm-up run of each command first (page cache, git's
 * object access), not counted.
 *
 * Bad arguments (missing --source, an unknown flag, a bad --runs, a source or ref the generator
 * rejects) end the script with one line on stderr and exit 2. Only Node's standard library and the
 * project's own dist/ modules are used.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const PEAK = join(ROOT, 'scripts', 'bench-peak.mjs');
const WORKER_FLAG = '--bare-parse-worker';
const DEFAULT_RUNS = 7;

if (process.argv[2] === WORKER_FLAG) {
  await bareParseWorker();
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------
// The bare parse: a separate process. It gets its job as JSON on stdin:
//   { kind: 'git', gitDir, oids: [...] }  or  { kind: 'directory', root, files: [...] }
// and prints { files, bytes, parseMs } on stdout.
// ---------------------------------------------------------------------------------------------

async function bareParseWorker() {
  const { default: Parser } = await import('tree-sitter');
  const { default: Python } = await import('tree-sitter-python');
  const job = JSON.parse(readFileSync(0, 'utf8'));

  /** @type {Buffer[]} */
  let blobs;
  if (job.kind === 'git') {
    const out = spawnSync('git', ['--git-dir', job.gitDir, 'cat-file', '--batch'], {
      input: job.oids.join('\n') + '\n',
      maxBuffer: 1 << 30,
    });
    if (out.status !== 0) fail(`git cat-file failed: ${out.stderr?.toString().trim().split('\n')[0] ?? out.error}`);
    blobs = splitCatFileBatch(out.stdout, job.oids.length);
  } else {
    blobs = job.files.map((f) => readFileSync(join(job.root, f)));
  }

  const parser = new Parser();
  parser.setLanguage(Python);
  const trees = []; // kept alive, as the generator keeps its trees for the whole run
  let bytes = 0;
  const t0 = performance.now();
  for (const blob of blobs) {
    const text = blob.toString('utf8');
    trees.push(parser.parse(text, null, { bufferSize: Math.max(1024, text.length * 2 + 16) }));
    bytes += blob.length;
  }
  const parseMs = performance.now() - t0;
  process.stdout.write(JSON.stringify({ files: trees.length, bytes, parseMs, peakKb: process.resourceUsage().maxRSS }) + '\n');
}

/** Splits `git cat-file --batch` output ("<oid> blob <size>\n<bytes>\n" per object) into blobs. */
function splitCatFileBatch(out, count) {
  const blobs = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const headerEnd = out.indexOf(0x0a, offset);
    if (headerEnd < 0) fail('git cat-file: truncated output');
    const header = out.toString('utf8', offset, headerEnd).split(' ');
    offset = headerEnd + 1;
    if (header[1] === 'missing') fail(`git cat-file: object ${header[0]} missing`);
    const size = Number(header[2]);
    blobs.push(out.subarray(offset, offset + size));
    offset += size + 1;
  }
  return blobs;
}

// ---------------------------------------------------------------------------------------------
// The driver.
// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = readArguments(process.argv.slice(2));
  if (!existsSync(CLI)) fail(`${CLI} not found: build first (npx tsc -p .)`);
  const { openSource } = await import(join(ROOT, 'dist', 'source', 'open.js'));
  const { buildRouteModel } = await import(join(ROOT, 'dist', 'model', 'build.js'));

  // The file list, once, from the generator itself.
  let tree, filesRead;
  try {
    tree = openSource({ source: opts.source, ref: opts.ref });
    ({ filesRead } = buildRouteModel(tree));
  } catch (e) {
    if (e?.name === 'UsageError') fail(e.message);
    throw e;
  }
  const files = filesRead.filter((f) => tree.has(f));
  const blobs = files.map((f) => tree.read(f));
  const totalBytes = blobs.reduce((n, b) => n + b.length, 0);

  let job;
  if (tree.kind === 'git') {
    const gitDir = gitDirOf(opts.source);
    job = { kind: 'git', gitDir, oids: blobIds(gitDir, blobs) };
  } else {
    job = { kind: 'directory', root: realpathSync(opts.source), files };
  }
  const jobText = JSON.stringify(job);

  const scratch = mkdtempSync(join(tmpdir(), 'catmaid-codegen-bench-'));
  const peakFile = join(scratch, 'peak');
  let dirs = 0;
  const freshDir = () => join(scratch, `cache-${dirs++}`);
  const refArgs = opts.ref !== undefined ? ['--ref', opts.ref] : [];
  /** Runs the CLI once: wall ms, peak KB, stderr. */
  const cli = (what, args, env = {}) => {
    rmSync(peakFile, { force: true });
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(PEAK).href, CLI, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env, BENCH_PEAK_FILE: peakFile },
      maxBuffer: 1 << 28,
    });
    const ms = performance.now() - t0;
    if (r.status !== 0) fail(`${what} failed (exit ${r.status ?? r.signal}): ${firstLine(r.stderr) || r.error}`);
    return { ms, kb: existsSync(peakFile) ? Number(readFileSync(peakFile, 'utf8')) : NaN, stderr: r.stderr.toString('utf8') };
  };
  const runBare = () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [SELF, WORKER_FLAG], { input: jobText, stdio: ['pipe', 'pipe', 'pipe'] });
    const ms = performance.now() - t0;
    if (r.status !== 0) fail(`bare parse failed (exit ${r.status ?? r.signal}): ${firstLine(r.stderr) || r.error}`);
    const report = JSON.parse(r.stdout.toString('utf8'));
    if (report.files !== files.length || report.bytes !== totalBytes) {
      fail(`bare parse read ${report.files} files / ${report.bytes} bytes, expected ${files.length} / ${totalBytes}`);
    }
    return { ms, kb: report.peakKb, parseMs: report.parseMs };
  };

  const rows = new Map(); // name → { ms: [], kb: [] }
  const record = (name, r) => {
    const row = rows.get(name) ?? { ms: [], kb: [] };
    row.ms.push(r.ms);
    row.kb.push(r.kb);
    rows.set(name, row);
    return r;
  };
  const routes = (cache) => ['routes', '--source', opts.source, ...refArgs, '--json', ...cache];
  let generated = 0;
  const generate = (cache) => ['generate', '--source', opts.source, ...refArgs, '--out', join(scratch, `out-${generated++}`), ...cache];
  const warmRoutes = freshDir();
  const warmGenerate = freshDir();
  const noCache = ['--no-cache'];

  // Warm-up, not counted; it also fills the warm cache directories.
  cli('routes', routes(noCache));
  runBare();
  cli('generate', generate(noCache));
  cli('routes', routes(['--cache-dir', warmRoutes]));
  cli('generate', generate(['--cache-dir', warmGenerate]));
  const parseOnly = [];
  let lastOut;
  for (let i = 0; i < opts.runs; i++) {
    record('routes cold', cli('routes', routes(noCache)));
    record('routes fresh', cli('routes', routes(['--cache-dir', freshDir()])));
    record('routes warm', cli('routes', routes(['--cache-dir', warmRoutes])));
    const b = record('bare parse', runBare());
    parseOnly.push(b.parseMs);
    record('generate cold', cli('generate', generate(noCache)));
    record('generate warm', cli('generate', generate(['--cache-dir', warmGenerate])));
    lastOut = join(scratch, `out-${generated - 1}`);
  }

  // What a user of the generated package pays on each build.
  symlinkSync(join(ROOT, 'node_modules'), join(lastOut, 'node_modules'));
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(lastOut, 'tsconfig.json'), '--noEmit'], { stdio: ['ignore', 'pipe', 'pipe'] });
    record('tsc', { ms: performance.now() - t0, kb: NaN });
    if (r.status !== 0) fail(`tsc --noEmit failed on the generated package: ${firstLine(r.stdout) || firstLine(r.stderr)}`);
  }
  const operations = JSON.parse(readFileSync(join(lastOut, 'routes.json'), 'utf8')).routes.reduce((n, r) => n + r.operations.length, 0);

  // diff: --diff-from REF to --ref (two models, built on two threads).
  if (opts.diffFrom !== undefined) {
    const diff = (cache) => ['diff', '--source', opts.source, '--from', opts.diffFrom, '--to', opts.ref ?? 'HEAD', ...cache];
    const warmDiff = freshDir();
    cli('diff', diff(['--cache-dir', warmDiff]));
    for (let i = 0; i < opts.runs; i++) {
      record('diff cold', cli('diff', diff(noCache)));
      record('diff warm', cli('diff', diff(['--cache-dir', warmDiff])));
    }
  }
  // changelog: every release tag up to HEAD (about 40 refs), once from an empty cache, then warm.
  let hitRates;
  if (opts.changelog) {
    const changelog = (cache) => ['changelog', '--source', opts.source, '--to', 'HEAD', ...cache];
    const dir = freshDir();
    const cold = record('changelog fresh', cli('changelog', changelog(['--cache-dir', dir]), { CATMAID_CODEGEN_CACHE_STATS: '1' }));
    const line = cold.stderr.split('\n').find((l) => l.startsWith('cache: '));
    hitRates = line ? JSON.parse(line.slice('cache: '.length)) : undefined;
    for (let i = 0; i < 3; i++) record('changelog warm', cli('changelog', changelog(['--cache-dir', dir])));
  }
  rmSync(scratch, { recursive: true, force: true });

  const where = tree.kind === 'git' ? `${opts.source} at ${tree.ref} (${tree.commit.slice(0, 12)})` : opts.source;
  const bare = median(rows.get('bare parse').ms);
  const med = (name) => (rows.has(name) ? median(rows.get(name).ms) : undefined);
  // maxRSS is in KiB: the table shows MiB; the memory target is in MB (10^6 bytes, 381.5 MiB).
  const peakMib = (name) => Math.max(...rows.get(name).kb) / 1024;
  const peakMb = (name) => (Math.max(...rows.get(name).kb) * 1024) / 1e6;
  const row = (name) => {
    const { ms, kb } = rows.get(name);
    const peak = kb.every(Number.isNaN) ? '-' : `${peakMib(name).toFixed(0)}`;
    return `${name.padEnd(16)}${String(ms.length).padStart(5)}${fmt(median(ms))}${fmt(Math.min(...ms))}${fmt(Math.max(...ms))}${peak.padStart(9)}${`${(median(ms) / bare).toFixed(2)}x`.padStart(10)}`;
  };
  const check = (label, ok) => `${label}: ${ok ? 'met' : 'MISSED'}`;
  const targets = [
    check(`routes <= 2x bare parse (cold ${(med('routes cold') / bare).toFixed(2)}x, warm ${(med('routes warm') / bare).toFixed(2)}x)`, med('routes cold') <= 2 * bare),
    check(`generate <= 2.5x bare parse (cold ${(med('generate cold') / bare).toFixed(2)}x, warm ${(med('generate warm') / bare).toFixed(2)}x)`, med('generate cold') <= 2.5 * bare),
    ...(med('diff cold') !== undefined ? [check(`diff <= 1.2x generate (cold ${(med('diff cold') / med('generate cold')).toFixed(2)}x, warm ${(med('diff warm') / med('generate warm')).toFixed(2)}x)`, med('diff cold') <= 1.2 * med('generate cold'))] : []),
    ...(med('changelog fresh') !== undefined
      ? [
          check(`changelog <= 5 s cold (${(med('changelog fresh') / 1000).toFixed(1)} s)`, med('changelog fresh') <= 5000),
          check(`changelog <= 2 s warm (${(med('changelog warm') / 1000).toFixed(2)} s)`, med('changelog warm') <= 2000),
          check(`changelog peak <= 400 MB (cold ${peakMb('changelog fresh').toFixed(0)} MB, warm ${peakMb('changelog warm').toFixed(0)} MB)`, Math.max(peakMb('changelog fresh'), peakMb('changelog warm')) <= 400),
        ]
      : []),
  ];
  const lines = [
    `bench: ${where}`,
    `node ${process.version}, ${availableParallelism()} CPUs; 1 warm-up run each, then ${opts.runs} interleaved runs (changelog: 1 fresh, 3 warm; tsc: 3)`,
    `files parsed: ${files.length}, ${totalBytes.toLocaleString('en-US')} bytes; ${operations} operations`,
    'cold: --no-cache; fresh: an empty --cache-dir (written); warm: a --cache-dir filled by an earlier run',
    '',
    `${''.padEnd(16)}${'runs'.padStart(5)}${'median ms'.padStart(11)}${'min ms'.padStart(11)}${'max ms'.padStart(11)}${'peak MiB'.padStart(9)}${'x bare'.padStart(10)}`,
    ...[...rows.keys()].map(row),
    '',
    `  (of the bare parse, decode + parse alone: median ${median(parseOnly).toFixed(1)} ms; the rest is process start-up, loading tree-sitter and reading)`,
    ...(hitRates
      ? [
          `cache lookups of the fresh changelog, hits/all by kind: ${Object.entries(hitRates)
            .map(([kind, s]) => `${kind} ${s.hits}/${s.hits + s.misses} (${((100 * s.hits) / Math.max(1, s.hits + s.misses)).toFixed(0)}%)`)
            .join(', ')}`,
        ]
      : []),
    'targets (issue 15):',
    ...targets.map((t) => `  ${t}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** Parses the command line; any problem is one line on stderr and exit 2. */
function readArguments(args) {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { source: { type: 'string' }, ref: { type: 'string' }, runs: { type: 'string' }, 'diff-from': { type: 'string' }, changelog: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail(String(e.message).split('. ')[0]);
  }
  if (values.source === undefined || values.source === '') fail('missing --source: give a CATMAID checkout or git repository');
  let runs = DEFAULT_RUNS;
  if (values.runs !== undefined) {
    if (!/^[1-9]\d*$/.test(values.runs)) fail(`--runs must be a positive integer, not '${values.runs}'`);
    runs = Number(values.runs);
  }
  return { source: values.source, ref: values.ref, runs, diffFrom: values['diff-from'], changelog: !!values.changelog };
}

/** The git directory of `source`, found the way the generator finds it (`git rev-parse`). */
function gitDirOf(source) {
  const r = spawnSync('git', ['-C', source, 'rev-parse', '--absolute-git-dir'], { encoding: 'utf8' });
  if (r.status !== 0) fail(`git rev-parse failed: ${firstLine(r.stderr)}`);
  return r.stdout.trim();
}

/**
 * Blob ids of the bytes the generator read, computed from those bytes (`<algo>("blob <size>\0" +
 * bytes)`, what `git hash-object` does), so the bare parse asks git for exactly those objects
 * whatever subdirectory or ref the generator read them from. The worker fails on a missing one.
 */
function blobIds(gitDir, blobs) {
  const r = spawnSync('git', ['--git-dir', gitDir, 'rev-parse', '--show-object-format'], { encoding: 'utf8' });
  const algo = r.status === 0 && r.stdout.trim() === 'sha256' ? 'sha256' : 'sha1';
  return blobs.map((b) => createHash(algo).update(`blob ${b.length}\0`).update(b).digest('hex'));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmt(ms) {
  return ms.toFixed(1).padStart(11);
}

function firstLine(buf) {
  return (buf ? buf.toString('utf8') : '').trim().split('\n')[0] ?? '';
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}
