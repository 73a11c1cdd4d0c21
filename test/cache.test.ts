/**
 * The cache of facts keyed by content (generator/cache/): cached and uncached builds give the same
 * bytes, on every fixture and on every release of the diff tests' repository; a kept fact whose
 * lookups answer differently is not used; a truncated, foreign or tampered pack is ignored;
 * concurrent runs share a directory safely; `--no-cache` keeps nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapPlaces, visitPlaces } from '../generator/cache/places.js';
import { readPackIndex, readText, writePack, type PackContents } from '../generator/cache/packs.js';
import { FactStore } from '../generator/cache/store.js';
import { DiagnosticBag } from '../generator/diagnostics.js';
import { readApiTests } from '../generator/parse/api-tests.js';
import { decodeSource, parsePython } from '../generator/parse/parser.js';
import { buildRouteModel, type BuildOptions } from '../generator/model/build.js';
import { installExtensions } from '../generator/source/extensions.js';
import { openSource } from '../generator/source/open.js';
import type { SourceTree } from '../generator/source/types.js';
import { DIFF_TEST_RELEASES, makeFixtureRepo, type FixtureRepo } from './git-fixture.js';
import { cliPath, fixtureCases, fixturesDir, fixtureSource, py, repoRoot, runCli } from './helpers.js';
import { MemorySource } from './memory-source.js';

const scratch = mkdtempSync(join(tmpdir(), 'catmaid-codegen-cache-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(scratch, `cache-${dirs++}`);

/** A fixture case's tree, with its extensions installed (as fixtureModel does). */
function fixtureTree(name: string): { tree: SourceTree; options: BuildOptions } {
  const dir = join(fixturesDir, name, 'extensions');
  const { tree, extensions } = installExtensions(openSource({ source: fixtureSource(name) }), existsSync(dir) ? readdirSync(dir).sort().map((d) => join(dir, d)) : []);
  return { tree, options: extensions.length ? { extensions } : {} };
}

const text = (tree: SourceTree, options: BuildOptions) => JSON.stringify(buildRouteModel(tree, options).model, null, 2);

/** Every file below a directory. */
function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('cached and uncached builds give the same bytes', () => {
  it.each(fixtureCases())('fixture %s: no cache, a cold and a warm memory cache, a cold and a warm disk cache', (name) => {
    const uncached = text(fixtureTree(name).tree, fixtureTree(name).options);
    const memory = new FactStore(undefined);
    const disk = freshDir();
    const runs = [
      () => text(fixtureTree(name).tree, { ...fixtureTree(name).options, cache: memory }),
      () => text(fixtureTree(name).tree, { ...fixtureTree(name).options, cache: memory }),
      () => text(fixtureTree(name).tree, { ...fixtureTree(name).options, cache: new FactStore(disk) }),
      // A new store on the same directory: what the last process kept, read from disk.
      () => text(fixtureTree(name).tree, { ...fixtureTree(name).options, cache: new FactStore(disk) }),
    ];
    for (const run of runs) expect(run()).toBe(uncached);
    // The warm runs found what they needed.
    expect(memory.stats['model']).toEqual({ hits: 1, misses: 1 });
  });

  describe('every release of a repository, read one after the other by the same workers', () => {
    let repo: FixtureRepo;
    beforeAll(() => {
      // The diff tests' repository, and two releases more.
      repo = makeFixtureRepo([
        ...DIFF_TEST_RELEASES,
        ['2021.4.1', 'example'],
        ['2021.5.1', 'era-2021-path'],
      ]);
    });
    afterAll(() => repo?.cleanup());

    it('models of buildModels (with and without a cache directory) equal uncached builds of each ref', async () => {
      const refs = Object.keys(repo.tags);
      const uncached = refs.map((ref) => JSON.stringify(buildRouteModel(openSource({ source: repo.bare, ref })).model));
      const dir = freshDir();
      // The compiled module: its worker threads run dist/model/worker.js.
      const { buildModels } = (await import(join(repoRoot, 'dist', 'model', 'parallel.js'))) as typeof import('../generator/model/parallel.js');
      for (const cacheDir of [undefined, dir, dir]) {
        const models = await buildModels(repo.bare, refs, [], undefined, cacheDir);
        expect(models.map((m) => JSON.stringify(m))).toEqual(uncached);
      }
    });

    it('generate: the same package with --no-cache, after another release filled the cache, and from the full cache', () => {
      const dir = freshDir();
      const [older, newer] = ['2021.2.1', '2021.4.1'];
      const gen = (ref: string, cache: string[]) => {
        const out = join(freshDir(), 'out');
        const r = runCli(['generate', '--source', repo.bare, '--ref', ref, '--out', out, ...cache]);
        expect(r.status, r.stderr).toBe(0);
        return Object.fromEntries(filesBelow(out).map((f) => [f.slice(out.length), readFileSync(f, 'utf8')]));
      };
      const expected = gen(newer, ['--no-cache']);
      expect(Object.keys(expected).length).toBeGreaterThan(10);
      // The older release first: the newer one then reuses its facts and compiled files.
      gen(older, ['--cache-dir', dir]);
      expect(gen(newer, ['--cache-dir', dir])).toEqual(expected);
      expect(gen(newer, ['--cache-dir', dir])).toEqual(expected);
    });

    it('the changelog is the same with --no-cache, a cold and a warm --cache-dir', () => {
      const dir = freshDir();
      const outputs = [
        runCli(['changelog', '--source', repo.bare, '--no-cache']),
        runCli(['changelog', '--source', repo.bare, '--cache-dir', dir]),
        runCli(['changelog', '--source', repo.bare, '--cache-dir', dir]),
      ];
      for (const o of outputs) expect(o.status, o.stderr).toBe(0);
      expect(outputs[0]!.stdout).toContain('## ');
      expect(outputs[1]!.stdout).toBe(outputs[0]!.stdout);
      expect(outputs[2]!.stdout).toBe(outputs[0]!.stdout);
    });
  });
});

describe('a kept result is used only while what it looked up is the same', () => {
  const small = new MemorySource({
    'django/projects/mysite/urls.py': py`
      from django.conf.urls import url
      from catmaid.control import views
      urlpatterns = [
          url(r'^(?P<project_id>\d+)/things$', views.things),
          url(r'^(?P<project_id>\d+)/other$', views.other),
      ]
    `,
    'django/applications/catmaid/__init__.py': '',
    'django/applications/catmaid/control/__init__.py': '',
    'django/applications/catmaid/control/views.py': py`
      from django.http import JsonResponse
      from catmaid.control.helpers import read_filter

      def things(request, project_id):
          return JsonResponse(read_filter(request))

      def other(request, project_id):
          return JsonResponse({'x': request.GET.get('x')})
    `,
    'django/applications/catmaid/control/helpers.py': py`
      def read_filter(request):
          return {'name': request.GET.get('name')}
    `,
  });
  const base = MemorySource.fromDirectory(fixtureSource('operations'));
  const view = 'django/applications/catmaid/control/skeleton.py';

  it('a function added to a view module that no route uses: the same model, taken whole from the cache', () => {
    const store = new FactStore(undefined);
    const trees: MemorySource[] = [
      base,
      base.with({ [view]: `${base.read(view)!.toString('utf8')}\n\ndef extra_view(request, project_id):\n    return JsonResponse({'n': int(request.GET['n'])})\n` }),
      base,
    ];
    const texts = trees.map((tree) => text(tree, { cache: store }));
    trees.forEach((tree, i) => expect(texts[i]).toBe(text(tree, {})));
    // Nothing the model looked up changed: no name it used, no definition it read.
    expect(store.stats['model']).toEqual({ hits: 2, misses: 1 });
  });

  it('views that moved down their module unchanged are taken from the cache, with their new lines', () => {
    const store = new FactStore(undefined);
    const views = 'django/applications/catmaid/control/views.py';
    const urls = 'django/projects/mysite/urls.py';
    const moved = small.with({
      [views]: small
        .read(views)!
        .toString('utf8')
        .replace('\ndef things(', '\n# A helper added above the views moves them down.\ndef unrelated(request, project_id):\n    return JsonResponse({})\n\n\ndef things('),
    });
    // …and a route to it: the URLconf changed, so the model is built again, view by view.
    const routed = moved.with({
      [urls]: `${moved.read(urls)!.toString('utf8').replace(']', () => "    url(r'^(?P<project_id>\\d+)/unrelated$', views.unrelated),\n]")}`,
    });
    const handlerLines = (tree: SourceTree) => Object.fromEntries(buildRouteModel(tree, {}).model.routes.map((r) => [r.path, r.operations[0]!.handler!.line]));
    expect(text(small, { cache: store })).toBe(text(small, {}));
    expect(store.stats['operations']).toEqual({ hits: 0, misses: 2 });
    // The whole model, its lines moved.
    expect(text(moved, { cache: store })).toBe(text(moved, {}));
    expect(store.stats['model']).toEqual({ hits: 1, misses: 1 });
    expect(text(routed, { cache: store })).toBe(text(routed, {}));
    // Both views of the first tree were taken from the cache; the new route's view was analysed.
    expect(store.stats['operations']).toEqual({ hits: 2, misses: 3 });
    const before = handlerLines(small);
    const after = handlerLines(routed);
    expect(after['/{project_id}/things']).toBe(before['/{project_id}/things']! + 5);
    expect(after['/{project_id}/other']).toBe(before['/{project_id}/other']! + 5);
  });

  it('a module that appears (and goes again) changes what a view name resolves to', () => {
    const store = new FactStore(undefined);
    const urls = 'django/projects/mysite/urls.py';
    const named = small.with({
      [urls]: `${small.read(urls)!.toString('utf8').replace(']', () => "    url(r'^(?P<project_id>\\d+)/extra$', 'catmaid.control.extra.view'),\n]")}`,
    });
    const withModule = named.with({
      'django/applications/catmaid/control/extra.py': py`
        from django.http import JsonResponse

        def view(request, project_id):
            return JsonResponse({'flag': request.POST.get('flag')})
      `,
    });
    const codes = (tree: SourceTree) => buildRouteModel(tree, { cache: store }).model.diagnostics.map((d) => d.code);
    for (const tree of [named, withModule, named, withModule]) expect(text(tree, { cache: store })).toBe(text(tree, {}));
    expect(buildRouteModel(withModule, {}).model.routes.map((r) => r.path)).toContain('/{project_id}/extra');
    expect(codes(named)).toContain('module-not-found');
    expect(codes(withModule)).not.toContain('module-not-found');
    expect(store.stats['model']!.misses).toBe(2);
  });

  it('API test modules are kept one by one: a changed module is read again, and so is every module deriving from a class it changed', () => {
    const example = MemorySource.fromDirectory(fixtureSource('example'));
    const dir = 'django/applications/catmaid/tests/apis/';
    const edit = (file: string, change: (text: string) => string) => example.with({ [dir + file]: change(example.read(dir + file)!.toString('utf8')) });
    const trees = [
      example,
      // One test module changes (what it requests does not).
      edit('test_stacks.py', (t) => `${t}\n# one more line\n`),
      // The base class every test derives from changes the project the tests request.
      edit('common.py', (t) => t.replace('cls.test_project_id = 3', 'cls.test_project_id = 4')),
    ];
    const store = new FactStore(undefined);
    const tested = (tree: SourceTree) => {
      const model = JSON.parse(text(tree, { cache: store })) as { routes: Array<{ operations: Array<{ responses?: unknown }> }> };
      expect(JSON.stringify(model, null, 2)).toBe(text(tree, {}));
      return { ...store.stats['api-test-answers']! };
    };
    const modules = example.listFiles().filter((f) => f.startsWith(dir) && f.endsWith('.py')).length;
    expect(modules).toBeGreaterThanOrEqual(4);
    expect(tested(trees[0]!)).toEqual({ hits: 0, misses: modules });
    // (Counts add up from one build to the next.)
    expect(tested(trees[1]!)).toEqual({ hits: modules - 1, misses: modules + 1 });
    // common.py itself, and the three modules whose classes derive from its class.
    expect(tested(trees[2]!)).toEqual({ hits: modules - 1 + (modules - 4), misses: modules + 1 + 4 });
    const answers = (tree: SourceTree) => readApiTests(tree, (f) => parsePython(f, decodeSource(tree.read(f)!).text!), new DiagnosticBag()).map((a) => a.path);
    expect(answers(trees[2]!).some((p) => p.startsWith('/4/'))).toBe(true);
    expect(answers(trees[0]!).some((p) => p.startsWith('/4/'))).toBe(false);
  });

  it('a changed helper in another module changes the operations of the views that call it', () => {
    const source = small;
    const changed = source.with({
      'django/applications/catmaid/control/helpers.py': py`
        def read_filter(request):
            return {'name': request.GET.get('name'), 'limit': int(request.GET.get('limit', 10))}
      `,
    });
    const store = new FactStore(undefined);
    const params = (tree: SourceTree) =>
      buildRouteModel(tree, { cache: store }).model.routes.map((r) => [r.path, r.operations.flatMap((o) => o.parameters.filter((p) => p.in === 'query').map((p) => p.name))]);
    expect(params(source)).toEqual([
      ['/{project_id}/other', ['x']],
      ['/{project_id}/things', ['name']],
    ]);
    expect(params(changed)).toEqual([
      ['/{project_id}/other', ['x']],
      ['/{project_id}/things', ['limit', 'name']],
    ]);
    // The view that does not call the helper was not analysed again.
    expect(store.stats['operations']).toEqual({ hits: 1, misses: 3 });
  });
});

describe('places in kept results', () => {
  const operation = () => ({
    handler: { file: 'views.py', line: 10 },
    changesData: { line: 12, text: 'save()' },
    evidence: [{ file: 'urls.py', line: 3, kind: 'route' }, { file: 'views.py', line: 11 }],
    note: { line: 99 },
  });
  const shift = (file: string, line: number) => (file === 'views.py' ? line + 100 : line);

  it('every { file, line } moves, and changesData with its handler file; a line without a file does not', () => {
    const moved = mapPlaces(operation(), shift);
    expect(moved).toEqual({
      handler: { file: 'views.py', line: 110 },
      changesData: { line: 112, text: 'save()' },
      evidence: [{ file: 'urls.py', line: 3, kind: 'route' }, { file: 'views.py', line: 111 }],
      note: { line: 99 },
    });
  });

  it('mapPlaces leaves its input as it was; visitPlaces changes it in place, or only visits when the visit answers nothing', () => {
    const original = operation();
    mapPlaces(original, shift);
    expect(original).toEqual(operation());
    const seen: string[] = [];
    visitPlaces(original, (file, line) => void seen.push(`${file}:${line}`));
    expect(original).toEqual(operation());
    expect(seen.sort()).toEqual(['urls.py:3', 'views.py:10', 'views.py:11', 'views.py:12']);
    visitPlaces(original, shift);
    expect(original).toEqual(mapPlaces(operation(), shift));
  });
});

describe('the cache directory', () => {
  const source = fixtureSource('example');
  const routes = (dir: string) => runCli(['routes', '--source', source, '--json', '--cache-dir', dir]);

  /** The packs below a cache directory, oldest first. */
  const packsBelow = (dir: string) => filesBelow(dir).filter((f) => f.endsWith('.pack')).sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);

  /**
   * Every pack below `dir` written again by `edit` (its variants' and results' texts, and the
   * fingerprint its header gives), its offsets made to fit.
   */
  async function rewritePacks(dir: string, edit: (c: PackContents & { fingerprint: string }) => void): Promise<void> {
    const packs = packsBelow(dir);
    expect(packs.length).toBeGreaterThan(0);
    for (const path of packs) {
      const packsDir = dirname(path);
      const index = readPackIndex(packsDir, basename(path))!;
      expect(index).toBeDefined();
      const contents = {
        fingerprint: index.fingerprint,
        variants: index.variants.map((v) => ({ entry: v.entry, text: readText(packsDir, index, v)! })),
        results: index.results.map((r) => ({ id: r.id, text: readText(packsDir, index, r)! })),
      };
      edit(contents);
      rmSync(path);
      await writePack(packsDir, contents.fingerprint, contents);
    }
  }

  it('truncated packs are ignored, and what they held is written again', () => {
    const dir = freshDir();
    const expected = runCli(['routes', '--source', source, '--json', '--no-cache']).stdout;
    expect(routes(dir).stdout).toBe(expected);
    // Cut in the middle of its texts, then within its header.
    for (const keep of [(size: number) => Math.floor(size / 2), () => 10]) {
      const before = packsBelow(dir);
      const last = before[before.length - 1]!;
      writeFileSync(last, readFileSync(last).subarray(0, keep(statSync(last).size)));
      const again = routes(dir);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toBe(expected);
      expect(packsBelow(dir).length).toBe(before.length + 1);
    }
    // …and what was written again is whole: every text of the newest pack is there, and JSON.
    const newest = packsBelow(dir).pop()!;
    const index = readPackIndex(dirname(newest), basename(newest))!;
    expect(index.variants.length).toBeGreaterThan(3);
    for (const v of index.variants) expect(() => JSON.parse(readText(dirname(newest), index, v)!)).not.toThrow();
    expect(routes(dir).stdout).toBe(expected);
  });

  it('a large result cut short in one pack is read from another that holds it whole', async () => {
    // Which pack a store lists first is the file system's order: several directories, so that
    // both orders come up.
    const big = JSON.stringify({ routes: Array.from({ length: 3000 }, (_, i) => `route ${i}`) });
    for (let round = 0; round < 6; round++) {
      const dir = freshDir();
      const first = new FactStore(dir);
      first.add('model', 'one', [], [], [], [], big);
      await first.flush();
      // The result is the last text of its pack: cut its end.
      const [cut] = packsBelow(dir);
      writeFileSync(cut!, readFileSync(cut!).subarray(0, statSync(cut!).size - 10));
      const second = new FactStore(dir);
      second.add('model', 'two', [], [], [], [], big);
      await second.flush();
      expect(packsBelow(dir)).toHaveLength(2);
      expect(new FactStore(dir).find('model', 'one')).toBe(big);
    }
  });

  it('a pack of another generator, a variant of another key or kind, or a result (on its own or in its variant) that does not match its digest, is not trusted', async () => {
    const expected = runCli(['routes', '--source', source, '--json', '--no-cache']).stdout;
    const emptyModel = '{"routes":[],"mounts":[]}';
    const cases: Array<[string, (c: PackContents & { fingerprint: string }) => number]> = [
      ['another generator', (c) => ((c.fingerprint = '0'.repeat(64)), 1)],
      // A variant that names another key or kind than the entry its pack files it under is not used, even with
      // a result that has its digest (here an empty model's).
      ['another key', (c) => relabel(c, (e) => (e.key = `${e.key}x`))],
      ['another kind', (c) => relabel(c, (e) => (e.kind = e.kind === 'model' ? 'urlconf' : 'model'))],
      ['a result of its own changed', (c) => c.results.map((r) => (r.text = emptyModel)).length],
      [
        'a result inside its variant changed',
        (c) =>
          c.variants.filter((v) => {
            const e = JSON.parse(v.text) as { variant: { result?: string } };
            if (e.variant.result === undefined) return false;
            e.variant.result = emptyModel;
            v.text = JSON.stringify(e);
            return true;
          }).length,
      ],
    ];
    /** Every variant with its result inside relabelled by `label`, its result an empty model's. */
    function relabel(c: PackContents, label: (e: { kind: string; key: string }) => void): number {
      let edited = 0;
      for (const v of c.variants) {
        const e = JSON.parse(v.text) as { kind: string; key: string; variant: { result?: string; resultId: string } };
        if (e.variant.result === undefined) continue;
        label(e);
        e.variant.result = emptyModel;
        e.variant.resultId = createHash('sha256').update(emptyModel).digest('hex');
        v.text = JSON.stringify(e);
        edited++;
      }
      return edited;
    }
    // One run fills a directory; each case edits a copy of it.
    const filled = freshDir();
    expect(routes(filled).stdout).toBe(expected);
    for (const [what, edit] of cases) {
      const dir = freshDir();
      cpSync(filled, dir, { recursive: true });
      let edited = 0;
      await rewritePacks(dir, (c) => (edited += edit(c)));
      expect(edited, what).toBeGreaterThan(0);
      expect(routes(dir).stdout, what).toBe(expected);
    }
  });

  it('concurrent runs on one directory each give the right model', async () => {
    const dir = freshDir();
    const expected = runCli(['routes', '--source', source, '--json', '--no-cache']).stdout;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [cliPath, 'routes', '--source', source, '--json', '--cache-dir', dir]);
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
      });
    const outs = await Promise.all([run(), run(), run(), run()]);
    for (const o of outs) expect(o).toBe(expected);
    expect(filesBelow(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await run()).toBe(expected);
  });

  it('--no-cache keeps nothing on disk; the default directory follows XDG_CACHE_HOME', () => {
    const home = freshDir();
    const env = { ...process.env, XDG_CACHE_HOME: home };
    const run = (args: string[]) => spawnCli(args, env);
    expect(run(['routes', '--source', source, '--no-cache']).status).toBe(0);
    expect(existsSync(home)).toBe(false);
    expect(run(['routes', '--source', source]).status).toBe(0);
    expect(filesBelow(join(home, 'catmaid-codegen')).length).toBeGreaterThan(0);
  });

  it('--cache-dir with --no-cache is a usage error', () => {
    const r = runCli(['routes', '--source', source, '--no-cache', '--cache-dir', freshDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['catmaid-codegen: give --cache-dir or --no-cache, not both']);
  });

  it('a cache directory that cannot be written: one warning, and the same model', () => {
    const file = join(scratch, `not-a-directory-${dirs++}`);
    writeFileSync(file, 'x');
    const r = runCli(['routes', '--source', source, '--json', '--cache-dir', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(runCli(['routes', '--source', source, '--json', '--no-cache']).stdout);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^catmaid-codegen: warning: cannot write the cache \(.*\): E[A-Z]+; facts were not kept$/)]);
  });
});

function spawnCli(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
