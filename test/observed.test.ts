/**
 * `generate --observed DIR` and `routes --observed DIR`: the recordings of `verify --record` read
 * back as recorded answers (`source: 'observed'`), files that are not recordings reported and
 * skipped, and the answers handed to `buildRouteModel` as `BuildOptions.observed`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../generator/errors.js';
import type { RecordedAnswer } from '../generator/model/answers.js';
import { formatObservedWarnings, observedBuildOptions, readObserved, recordingProblem } from '../generator/source/observed.js';
import { makeRecording } from '../generator/verify/record.js';
import { fixtureModel, fixtureSource, runCli } from './helpers.js';

/** Every call of `buildRouteModel` in this file: the CLI, imported here, builds through it. */
const builds = vi.hoisted(() => [] as Array<{ observed?: RecordedAnswer[] } | undefined>);
vi.mock('../generator/model/build.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../generator/model/build.js')>();
  return {
    ...actual,
    buildRouteModel: (...args: Parameters<typeof actual.buildRouteModel>) => {
      // The cache and the helper thread the CLI hands every build (tested in cache.test.ts and
      // helper.test.ts) are not what these tests look at.
      const { cache: _, helper: __, ...options } = args[1] ?? {};
      builds.push(options);
      return actual.buildRouteModel(...args);
    },
  };
});
// The SDK emitter's worker is not needed to see what the model is built with.
vi.mock('../generator/emit/parallel.js', () => ({ startEmitter: () => ({ emit: async () => [], dispose: () => {} }) }));

let dir: string;
let recordings: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'catmaid-codegen-observed-'));
  recordings = join(dir, 'recordings');
  mkdirSync(recordings);
  const model = fixtureModel('example');
  const route = model.routes.find((r) => r.path === '/{project_id}/skeletons/')!;
  const recorded = makeRecording(route, route.operations[0]!, 'GET__{project_id}__skeletons__.json', { url: 'http://lab.example/catmaid/3/skeletons/?nodecount_gt=1', status: 200, params: ['nodecount_gt'], body: [12, 7], bytes: 7 }, { baseUrl: 'http://lab.example/catmaid/', catmaidVersion: '2021.12.21' });
  writeFileSync(join(recordings, recorded.name), recorded.content);
  writeFileSync(join(recordings, 'broken.json'), '{"method": "GET", ');
  writeFileSync(join(recordings, 'foreign.json'), JSON.stringify({ schemaVersion: 1, routes: [] }));
  writeFileSync(join(recordings, 'not-2xx.json'), JSON.stringify({ ...JSON.parse(recorded.content), status: 404 }));
  // Not read: other files, dot files (a write in progress), directories.
  writeFileSync(join(recordings, 'notes.txt'), 'x');
  writeFileSync(join(recordings, '.GET__x.json.123.tmp'), '{');
  writeFileSync(join(recordings, '.hidden.json'), '{');
  mkdirSync(join(recordings, 'sub.json'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const skeletons: RecordedAnswer = {
  source: 'observed',
  method: 'GET',
  path: '/3/skeletons/',
  params: ['nodecount_gt'],
  body: [12, 7],
  status: 200,
  file: 'GET__{project_id}__skeletons__.json',
  line: null,
};

describe('reading recordings', () => {
  it('reads every recording of the directory as an observed answer, and names each file it skips', () => {
    const { answers, warnings } = readObserved(recordings);
    expect(answers).toEqual([skeletons]);
    expect(warnings).toEqual([
      { file: 'broken.json', message: 'not JSON; skipped' },
      { file: 'foreign.json', message: 'not a recording (no method, path, pathTemplate, operationId, status, params, body); skipped' },
      { file: 'not-2xx.json', message: 'not a recording (status 404 is not 2xx); skipped' },
    ]);
    expect(formatObservedWarnings('obs', warnings)).toBe(
      'obs/broken.json: warning observed-recording: not JSON; skipped\n' +
        'obs/foreign.json: warning observed-recording: not a recording (no method, path, pathTemplate, operationId, status, params, body); skipped\n' +
        'obs/not-2xx.json: warning observed-recording: not a recording (status 404 is not 2xx); skipped\n',
    );
    expect(observedBuildOptions(recordings).options).toEqual({ observed: [skeletons] });
  });

  it('checks the format', () => {
    const good = { method: 'GET', path: '/3/x', pathTemplate: '/{project_id}/x', operationId: 'x', status: 200, params: [], catmaidVersion: null, body: null };
    expect(recordingProblem(good)).toBeUndefined();
    expect(recordingProblem([good])).toBe('not a recording (not a JSON object)');
    expect(recordingProblem({ ...good, method: 'FETCH' })).toBe('not a recording (method "FETCH")');
    expect(recordingProblem({ ...good, path: 'http://host/3/x' })).toBe('not a recording (path is not a path without query)');
    expect(recordingProblem({ ...good, path: '/3/x?a=1' })).toBe('not a recording (path is not a path without query)');
    expect(recordingProblem({ ...good, params: [1] })).toBe('not a recording (params must be a list of names)');
    expect(recordingProblem({ ...good, catmaidVersion: 2021 })).toBe('not a recording (catmaidVersion must be text or null)');
  });

  it('refuses a directory that does not exist, or a file', () => {
    expect(() => readObserved(join(dir, 'missing'))).toThrow(new UsageError(`--observed ${join(dir, 'missing')} does not exist`));
    expect(() => readObserved(join(recordings, 'notes.txt'))).toThrow(new UsageError(`--observed ${join(recordings, 'notes.txt')} is not a directory`));
  });
});

describe('--observed on the command line', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
    builds.length = 0;
  });

  /**
   * Runs the CLI in this process (its build mocked above) and waits for it to finish: it ends by
   * calling `process.exit()` once what it wrote is out (cli.ts), which ends the run here.
   */
  async function runHere(args: string[]): Promise<{ stdout: string; stderr: string }> {
    builds.length = 0;
    let stdout = '';
    let stderr = '';
    // Written at once: the callback a write may be given is called, as a stream would.
    const capture = (append: (text: string) => void) => (chunk: unknown, encoding?: unknown, callback?: unknown) => {
      append(String(chunk));
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') done();
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture((text) => (stdout += text)) as typeof process.stdout.write);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture((text) => (stderr += text)) as typeof process.stderr.write);
    let ended = false;
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      if (code !== undefined && code !== 0) throw new Error(`exit ${code}: ${stderr}`);
      ended = true;
      return undefined as never;
    });
    const argv = process.argv;
    process.argv = [process.execPath, 'catmaid-codegen', ...args];
    try {
      await import('../generator/cli.js');
    } finally {
      process.argv = argv;
    }
    await vi.waitFor(() => expect(ended).toBe(true), { timeout: 10_000 });
    expect(builds.length).toBeGreaterThan(0);
    return { stdout, stderr };
  }

  it('routes --observed hands the answers to the build', async () => {
    const { stdout, stderr } = await runHere(['routes', '--source', fixtureSource('example'), '--observed', recordings, '--json']);
    expect(builds).toEqual([{ observed: [skeletons] }]);
    expect(JSON.parse(stdout)).toMatchObject({ schemaVersion: 1 });
    expect(stderr).toBe(formatObservedWarnings(recordings, readObserved(recordings).warnings));
  });

  it('generate --observed hands the answers to the build', async () => {
    const out = join(dir, 'out');
    const { stderr } = await runHere(['generate', '--source', fixtureSource('example'), '--observed', recordings, '--out', out]);
    expect(builds).toEqual([{ observed: [skeletons] }]);
    await vi.waitFor(() => expect(stderr).toMatch(/^wrote \d+ files to /m));
    expect(stderr.split('\n').filter((l) => l.includes('warning observed-recording'))).toHaveLength(3);
  });

  it('without --observed, the build gets none', async () => {
    await runHere(['routes', '--source', fixtureSource('example'), '--json']);
    expect(builds).toEqual([{}]);
  });
});

describe('catmaid-codegen --observed', () => {
  it('prints one warning line per skipped file on stderr and still builds', () => {
    const routes = runCli(['routes', '--source', fixtureSource('example'), '--observed', recordings, '--json']);
    expect(routes.status).toBe(0);
    expect(JSON.parse(routes.stdout)).toMatchObject({ schemaVersion: 1 });
    expect(routes.stderr).toBe(formatObservedWarnings(recordings, readObserved(recordings).warnings));
    const out = join(dir, 'pkg');
    const generate = runCli(['generate', '--source', fixtureSource('example'), '--observed', recordings, '--out', out]);
    expect(generate.status).toBe(0);
    expect(generate.stderr).toMatch(new RegExp(`^${recordings}/broken.json: warning observed-recording: not JSON; skipped\n(.*\n){2}wrote 42 files to `));
    expect(readFileSync(join(out, 'package.json'), 'utf8')).toContain('"name": "catmaid-client"');
  });

  it.each([
    ['routes', []],
    ['generate', ['--out', 'OUT']],
  ])('%s: a missing directory or a file is one line, exit 2', (command, extra) => {
    for (const [given, message] of [
      [join(dir, 'missing'), `--observed ${join(dir, 'missing')} does not exist`],
      [join(recordings, 'notes.txt'), `--observed ${join(recordings, 'notes.txt')} is not a directory`],
    ]) {
      const result = runCli([command, '--source', fixtureSource('example'), '--observed', given!, ...extra.map((a) => (a === 'OUT' ? join(dir, 'never') : a))]);
      expect(result).toMatchObject({ status: 2, stdout: '', stderr: `catmaid-codegen: ${message}\n` });
    }
  });
});
