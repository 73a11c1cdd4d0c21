/**
 * CATMAID extensions (source/extensions.ts, the INSTALLED_EXTENSIONS loop in model/build.ts): how
 * `--extension` is read, where an extension's routes go, what it never changes of CATMAID's own
 * output, and every way an argument or an extension can be wrong. The whole model, SDK and OpenAPI
 * of the `extensions` fixture case are guarded byte for byte by fixtures.test.ts and sdk.test.ts.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRouteModel } from '../generator/model/build.js';
import { emitPackage } from '../generator/emit/index.js';
import { parseExtensionArg, openExtensions, WithExtensions } from '../generator/source/extensions.js';
import { openSource } from '../generator/source/open.js';
import { git, makeFixtureRepo } from './git-fixture.js';
import { fixtureModel, fixtureSource, fixturesDir, runCli } from './helpers.js';
import { MemorySource } from './memory-source.js';

const source = fixtureSource('extensions');
const labtools = join(fixturesDir, 'extensions', 'extensions', 'labtools-repo');
const oldext = join(fixturesDir, 'extensions', 'extensions', 'oldext');

describe('--extension arguments', () => {
  it('reads PATH, PATH@REF, name=PATH and name=PATH@REF; an @ inside a path is part of it', () => {
    expect(parseExtensionArg('ext/circuitmap')).toEqual({ path: 'ext/circuitmap' });
    expect(parseExtensionArg('ext/circuitmap.git@v1.0')).toEqual({ path: 'ext/circuitmap.git', ref: 'v1.0' });
    expect(parseExtensionArg('cm=ext/circuitmap')).toEqual({ name: 'cm', path: 'ext/circuitmap' });
    expect(parseExtensionArg('cm=ext/circuitmap@main')).toEqual({ name: 'cm', path: 'ext/circuitmap', ref: 'main' });
    expect(parseExtensionArg('/home/a@b/circuitmap')).toEqual({ path: '/home/a@b/circuitmap' });
  });
});

describe('the model with extensions', () => {
  const model = fixtureModel('extensions');
  const paths = (name: string | undefined) => model.routes.filter((r) => r.extension === name).map((r) => r.path);

  it('mounts each extension at /ext/<name>/ through the project URLconf loop, Python 3 and 2 alike', () => {
    expect(paths('labtools')).toEqual(['/ext/labtools/{project_id}/synapses/{synapse_id}/', '/ext/labtools/{project_id}/synapses/fetch', '/ext/labtools/is-installed']);
    expect(paths('oldext')).toEqual(['/ext/oldext/{project_id}/label/{label}/count', '/ext/oldext/{project_id}/stats']);
    expect(model.source.extensions).toEqual([
      { name: 'labtools', version: '1.2.0' },
      { name: 'oldext', version: '0.3' },
    ]);
    // No mount left for the loop: it is expanded.
    expect(model.mounts.map((m) => m.target)).toEqual(['allauth.urls']);
  });

  it("resolves an extension's imports of catmaid.* against the CATMAID tree", () => {
    const fetch = model.routes.find((r) => r.path === '/ext/labtools/{project_id}/synapses/fetch')!.operations[0]!;
    expect(fetch).toMatchObject({ operationId: 'labtoolsFetchSynapses', method: 'POST', documented: true, permissions: [{ kind: 'project-role', roles: ['Annotate'] }] });
    expect(fetch.parameters.map((p) => [p.name, p.in, p.type, p.required, p.style ?? null])).toEqual([
      ['project_id', 'path', 'integer', true, null],
      ['min_score', 'form', 'number', false, null],
      ['skeleton_ids', 'form', 'array', true, 'indexed'],
    ]);
  });

  it("leaves CATMAID's own routes, operation ids and SDK entry points as they are without extensions", () => {
    const plain = buildRouteModel(openSource({ source })).model;
    const core = model.routes.filter((r) => r.extension === undefined);
    expect(core.map((r) => [r.path, r.operations.map((o) => o.operationId)])).toEqual(plain.routes.map((r) => [r.path, r.operations.map((o) => o.operationId)]));
    const files = new Map(emitPackage(model, { packageName: 'lab-client' }).map((f) => [f.path, f.content]));
    expect(files.get('src/index.ts')).toContain('projects,');
    expect(files.get('src/index.ts')).not.toMatch(/labtoolsFetchSynapses|oldextStats/);
    expect(files.get('src/ext/labtools/index.ts')).toContain("from './operations/control-synapses.js'");
    expect(JSON.parse(files.get('package.json')!).exports['./ext/oldext/volatile']).toEqual({ types: './dist/ext/oldext/volatile.d.ts', default: './dist/ext/oldext/volatile.js' });
    expect(JSON.parse(files.get('openapi.json')!).tags.map((t: { name: string }) => t.name)).toContain('ext/labtools');
  });

  it('names an extension as asked (name=PATH): its prefix and ids follow', () => {
    const result = runCli(['routes', '--source', source, '--extension', `tools=${labtools}`, '--json']);
    expect(result.status).toBe(0);
    const m = JSON.parse(result.stdout);
    expect(m.routes.filter((r: { extension?: string }) => r.extension === 'tools').map((r: { path: string }) => r.path)).toContain('/ext/tools/is-installed');
    // The app's package is still `labtools`: its URLconf is found under the name it was given.
    expect(m.diagnostics.filter((d: { code: string }) => d.code === 'include-not-found')).toEqual([]);
  });
});

describe('an extension read from git', () => {
  let root: string;
  let repo: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'catmaid-codegen-ext-'));
    repo = join(root, 'labtools');
    cpSync(labtools, repo, { recursive: true });
    git(root, 'init', '-q', repo);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'v1', '--date', '2021-01-01T00:00:00Z');
    git(repo, 'tag', 'v1');
    // v2 drops an operation and adds one.
    writeFileSync(join(repo, 'labtools', 'urls.py'), "from django.urls import path\n\nfrom labtools.control import synapses\n\nurlpatterns = [\n    path('is-installed', synapses.is_installed),\n    path('version', synapses.is_installed),\n]\n");
    git(repo, 'commit', '-q', '-am', 'v2', '--date', '2021-02-01T00:00:00Z');
    git(repo, 'tag', 'v2');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads PATH@REF from git objects, recording the commit', () => {
    const result = runCli(['routes', '--source', source, '--extension', `${repo}@v1`, '--json']);
    expect(result.status).toBe(0);
    const m = JSON.parse(result.stdout);
    expect(m.source.extensions).toEqual([{ name: 'labtools', ref: 'v1', commit: git(repo, 'rev-parse', 'v1'), version: '1.2.0' }]);
    expect(m.routes.filter((r: { extension?: string }) => r.extension).length).toBe(3);
  });

  it('diffs two refs of an extension and reports its changes in their own section', () => {
    const catmaid = makeFixtureRepo([['2021.12.21', 'extensions']]);
    const args = ['diff', '--source', catmaid.bare, '--from', '2021.12.21', '--to', '2021.12.21', '--from-extension', `${repo}@v1`, '--extension', `${repo}@v2`];
    const result = runCli([...args, '--format', 'json']);
    expect(result.stderr).toBe('');
    const diff = JSON.parse(result.stdout);
    const kinds = diff.findings.map((f: { kind: string; path: string; extension?: string }) => `${f.kind} ${f.path} ${f.extension ?? '-'}`);
    expect(kinds).toContain('operation-added /ext/labtools/version labtools');
    expect(kinds).toContain('operation-removed /ext/labtools/{project_id}/synapses/fetch labtools');
    // CATMAID itself did not change: its sections are empty, the extension's are not.
    expect(diff.findings.filter((f: { extension?: string }) => f.extension === undefined)).toEqual([]);
    const md = runCli(args).stdout;
    expect(md).toMatch(/\n### Extension labtools\n\n#### Additions\n\n- GET `\/ext\/labtools\/version`/);
    catmaid.cleanup();
  });

  it('says in one line when the ref does not exist', () => {
    const result = runCli(['routes', '--source', source, '--extension', `${repo}@v9`]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`catmaid-codegen: ref not found in ${repo}: v9\n`);
  });
});

describe('bad extensions', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'catmaid-codegen-badext-'));
    mkdirSync(join(root, 'notanapp', 'docs'), { recursive: true });
    writeFileSync(join(root, 'notanapp', 'README.md'), 'nothing here\n');
    mkdirSync(join(root, 'nourls', 'nourls'), { recursive: true });
    writeFileSync(join(root, 'nourls', 'nourls', '__init__.py'), '');
    mkdirSync(join(root, 'broken'), { recursive: true });
    writeFileSync(join(root, 'broken', '__init__.py'), '');
    writeFileSync(join(root, 'broken', 'urls.py'), "from django.conf.urls import url\nfrom broken import views\nfrom catmaid.control.gone import helper\n\nurlpatterns = [\n    url(r'^a$', views.a),\n    url(r'^b$', views.missing),\n    url(r'^c$', (\n]\n");
    writeFileSync(join(root, 'broken', 'views.py'), 'from catmaid.control.gone import helper\n\ndef a(request):\n    return helper(request)\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    [['/nonexistent/ext'], 'catmaid-codegen: extension not found: /nonexistent/ext'],
    [[() => join(root, 'notanapp')], `is not a Django app with a URLconf: no package (__init__.py) at its top level`],
    [[() => join(root, 'nourls')], 'is not a Django app with a URLconf: no urls.py in its package'],
    [[() => `catmaid=${oldext}`], `extension 'catmaid' (${oldext}) has the name of a module of CATMAID itself`],
    [[() => oldext, () => `oldext=${labtools}`], "two extensions are named 'oldext': give one another name with name=PATH"],
    [[() => `bad-name=${oldext}`], `not a Python package name`],
  ])('%#: a one-line usage error', (args, message) => {
    const flags = args.flatMap((a) => ['--extension', typeof a === 'function' ? a() : a]);
    const result = runCli(['routes', '--source', source, ...flags]);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n').length).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it("gives diagnostics at the extension's file and line for what it cannot read, and still the core model", () => {
    const result = runCli(['routes', '--source', source, '--extension', join(root, 'broken'), '--json']);
    expect(result.status).toBe(0);
    const m = JSON.parse(result.stdout);
    expect(m.routes.filter((r: { extension?: string }) => !r.extension).length).toBe(2);
    const found = m.diagnostics.filter((d: { file: string }) => d.file?.startsWith('ext/broken/')).map((d: { code: string; file: string; line: number }) => `${d.code} ${d.file}:${d.line}`);
    expect(found).toEqual(expect.arrayContaining(['syntax-error ext/broken/broken/urls.py:8', 'view-not-found ext/broken/broken/urls.py:7']));
  });

  it('reports a CATMAID that does not mount extensions, and gives its own routes', () => {
    const core = new MemorySource({
      'django/projects/mysite/urls.py': "from django.conf.urls import include, url\n\nurlpatterns = [url(r'^', include('catmaid.urls'))]\n",
      'django/applications/catmaid/__init__.py': '',
      'django/applications/catmaid/urls.py': "from django.conf.urls import url\nfrom catmaid import views\n\nurlpatterns = [url(r'^x$', views.x)]\n",
      'django/applications/catmaid/views.py': 'def x(request):\n    pass\n',
    });
    const extensions = openExtensions([{ path: oldext }], core);
    const { model } = buildRouteModel(new WithExtensions(core, extensions), { extensions: extensions.map((e) => e.source) });
    expect(model.routes.map((r) => r.path)).toEqual(['/x']);
    expect(model.diagnostics.map((d) => `${d.level} ${d.code} ${d.file}`)).toEqual(['warning extension-not-mounted django/projects/mysite/urls.py']);
  });
});
