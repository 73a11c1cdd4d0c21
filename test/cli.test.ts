/**
 * The command line as a user meets it: the built `dist/cli.js` in a child process. Wrong usage is
 * one line on stderr and a non-zero exit, never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureRepo, type FixtureRepo } from './git-fixture.js';
import { cliPath, fixtureModel, fixtureSource, runCli } from './helpers.js';

let repo: FixtureRepo;
let empty: string;
beforeAll(() => {
  repo = makeFixtureRepo([['2018.1.1', 'era-2018-url-modules']]);
  empty = mkdtempSync(join(tmpdir(), 'catmaid-codegen-empty-'));
});
afterAll(() => {
  repo?.cleanup();
  rmSync(empty, { recursive: true, force: true });
});

/** stderr is exactly one line, with no stack trace. */
function expectOneLineError(result: ReturnType<typeof runCli>, message: string | RegExp) {
  expect(result.status).not.toBe(0);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('catmaid-codegen routes', () => {
  it('prints the route model as JSON with --json', () => {
    const result = runCli(['routes', '--source', fixtureSource('era-2021-path'), '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(fixtureModel('era-2021-path'));
  });

  it('prints a table by default, and the diagnostics on stderr', () => {
    const result = runCli(['routes', '--source', fixtureSource('era-2018-url-modules')]);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('# 30 routes, 2 mounts');
    expect(result.stdout).toMatch(/^\/\{project_id\}\/annotations\/add +catmaid\.control\.neuron_annotations\.annotate_entities$/m);
    expect(result.stdout).toMatch(/^\/tests +catmaid\.views\.CatmaidView +\[if settings\.FRONT_END_TESTS_ENABLED\]$/m);
    expect(result.stderr).toMatch(/^django\/projects\/mysite\/urls\.py:49: warning dynamic-regex: /m);
  });

  it('reads a tag of a git repository', () => {
    const result = runCli(['routes', '--source', repo.bare, '--ref', '2018.1.1', '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).source).toEqual({ ref: '2018.1.1', commit: repo.tags['2018.1.1'], tag: '2018.1.1' });
  });

  it('ends quietly when the reader of its output stops early (`| head`)', () => {
    // `true` reads nothing and is gone before the model is printed: the write fails with EPIPE.
    const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${cliPath}" routes --source "${fixtureSource('example')}" --json | true`], { encoding: 'utf8' });
    expect(piped.stderr).toBe('');
    expect(piped.status).toBe(0);
  });

  it('is deterministic: the same input gives the same bytes', () => {
    const a = runCli(['routes', '--source', repo.dir, '--ref', '2018.1.1', '--json']);
    const b = runCli(['routes', '--source', repo.bare, '--ref', '2018.1.1', '--json']);
    expect(a.stdout).toBe(b.stdout);
  });

  it('exits 0 on bad input and still prints the intact routes', () => {
    const result = runCli(['routes', '--source', fixtureSource('bad-input'), '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).routes.length).toBe(9);
  });

  it.each([
    [['routes'], /^catmaid-codegen: missing --source/],
    [['routes', '--source', '/no/such/dir'], /^catmaid-codegen: source not found: \/no\/such\/dir$/],
    [['routes', '--source', 'package.json'], /^catmaid-codegen: source is not a directory: package\.json$/],
    [['routes', '--source', 'EMPTY'], /^catmaid-codegen: not a CATMAID source tree: .*catmaid-codegen-empty-\w+ \(no django\/projects\/mysite\/urls\.py\)$/],
    [['routes', '--source', 'REPO', '--ref', 'no-such-tag'], /^catmaid-codegen: ref not found in .*: no-such-tag$/],
    [['routes', '--source', 'EMPTY', '--ref', 'HEAD'], /^catmaid-codegen: --ref needs a git repository, and .* is not one$/],
    [['routes', '--sauce', 'x'], /unknown option '--sauce'/],
    [['nonsense'], /unknown command 'nonsense'/],
  ])('wrong usage %j is one line on stderr', (args, message) => {
    const resolved = args.map((a) => (a === 'EMPTY' ? empty : a === 'REPO' ? repo.dir : a));
    expectOneLineError(runCli(resolved), message);
  });
});
