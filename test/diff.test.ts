/**
 * `catmaid-codegen diff` and `changelog` on a fixture repository whose tagged releases are the
 * api-v1 and api-v2 fixtures (api-v2 changes the API in every way a diff reports).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseSequence } from '../generator/diff/changelog.js';
import { formatDiffJson } from '../generator/diff/format.js';
import { diffModels, type Finding } from '../generator/diff/index.js';
import { buildRouteModel } from '../generator/model/build.js';
import { nearTrees } from '../generator/model/parallel.js';
import { openSource } from '../generator/source/open.js';
import { DIFF_TEST_RELEASES, git, makeFixtureRepo, type FixtureRepo } from './git-fixture.js';
import { fixtureModel, fixturesDir, runCli } from './helpers.js';

let repo: FixtureRepo;
beforeAll(() => {
  repo = makeFixtureRepo(DIFF_TEST_RELEASES);
});
afterAll(() => repo?.cleanup());

describe('diff of two route models', () => {
  const diff = diffModels(fixtureModel('api-v1'), fixtureModel('api-v2'));
  const find = (kind: Finding['kind']) => diff.findings.filter((f) => f.kind === kind).map((f) => `${f.method} ${f.path} ${f.severity} ${f.documented ? 'documented' : 'volatile'} ${f.section}${f.parameter ? ` ${f.parameter}` : ''}`);

  it.each<[Finding['kind'], string[]]>([
    ['operation-added', ['GET /{project_id}/neurons/summary non-breaking volatile Additions']],
    ['operation-removed', ['GET /{project_id}/neurons/old-listing breaking volatile Removals']],
    ['method-changed', ['PUT /{project_id}/neurons/{neuron_id}/rename breaking documented Modifications']],
    ['methods-restricted', ['GET /{project_id}/stack/{stack_id}/info breaking documented Modifications']],
    ['methods-widened', ['GET /{project_id}/skeletons/{skeleton_id}/info non-breaking documented Modifications', 'POST /{project_id}/stack/{stack_id}/notes non-breaking volatile Modifications']],
    ['path-changed', ['POST /{project_id}/skeletons/merge breaking volatile Modifications']],
    ['operation-id-changed', ['PUT /{project_id}/neurons/{neuron_id}/rename breaking documented Modifications']],
    ['view-moved', ['GET /{project_id}/volumes/ info volatile Modifications']],
    ['became-volatile', ['GET /{project_id}/skeletons/{skeleton_id}/info breaking documented Modifications']],
    ['became-documented', ['GET /{project_id}/stack/{stack_id}/info non-breaking documented Modifications']],
    ['deprecated', ['GET /{project_id}/skeletons/ info documented Deprecations']],
    ['parameter-added', ['GET /{project_id}/skeletons/ non-breaking documented Modifications with_names']],
    ['parameter-removed', ['GET /{project_id}/skeletons/{skeleton_id}/info breaking documented Modifications with_nodes']],
    ['parameter-became-required', ['GET /{project_id}/skeletons/ breaking documented Modifications nodecount_gt', 'POST /{project_id}/skeletons/merge breaking volatile Modifications to_id']],
    ['parameter-became-optional', ['POST /{project_id}/skeletons/merge non-breaking volatile Modifications from_id']],
    ['parameter-type-changed', ['GET /{project_id}/skeletons/ breaking documented Modifications created_by']],
    ['parameter-location-changed', ['POST /{project_id}/skeletons/merge breaking volatile Modifications to_id']],
    ['enum-values-removed', ['GET /{project_id}/skeletons/ breaking documented Modifications order']],
    ['enum-values-added', ['GET /{project_id}/skeletons/ non-breaking documented Modifications order']],
    ['path-parameter-type-changed', ['GET /{project_id}/skeletons/{skeleton_id}/info breaking documented Modifications skeleton_id']],
    ['response-format-changed', ['GET /{project_id}/skeleton/{skeleton_id}/swc breaking volatile Modifications']],
    ['response-key-removed', ['GET /{project_id}/skeletons/ breaking documented Modifications']],
    ['response-key-added', ['GET /{project_id}/stack/{stack_id}/summary non-breaking volatile Modifications']],
    ['response-kind-changed', ['GET /{project_id}/stack/{stack_id}/summary breaking volatile Modifications']],
    ['response-nullable', ['GET /{project_id}/stack/{stack_id}/summary breaking volatile Modifications']],
    ['response-not-nullable', ['GET /{project_id}/stack/{stack_id}/summary non-breaking volatile Modifications']],
    ['response-typed', ['GET /{project_id}/stack/{stack_id}/levels info volatile Modifications']],
    ['writes-changed', ['POST /{project_id}/skeletons/merge info volatile Modifications']],
  ])('reports %s', (kind, expected) => {
    expect(find(kind)).toEqual(expected);
  });

  it('reports nothing between equal versions', () => {
    expect(diffModels(fixtureModel('api-v2'), fixtureModel('api-v2')).findings).toEqual([]);
  });

  it('counts what it found', () => {
    expect(diff.counts).toEqual({ total: 30, breaking: 17, nonBreaking: 9, info: 4, documented: 15 });
  });
});

describe('catmaid-codegen diff', () => {
  const args = (...extra: string[]) => ['diff', '--source', repo.bare, '--from', '2020.10.1', '--to', '2021.2.1', ...extra];

  it('writes markdown in the changelog sections, and JSON', async () => {
    const md = runCli(args());
    expect(md.status).toBe(0);
    await expect(md.stdout).toMatchFileSnapshot(join(fixturesDir, 'api-v2', 'expected', 'diff.md'));
    const json = runCli(args('--format', 'json'));
    expect(json.status).toBe(0);
    await expect(json.stdout).toMatchFileSnapshot(join(fixturesDir, 'api-v2', 'expected', 'diff.json'));
    expect(JSON.parse(json.stdout).counts.total).toBe(30);
  });

  it('compares two routes.json files', () => {
    const dir = join(repo.dir, '..');
    writeFileSync(join(dir, 'v1.json'), JSON.stringify(fixtureModel('api-v1')));
    writeFileSync(join(dir, 'v2.json'), JSON.stringify(fixtureModel('api-v2')));
    const result = runCli(['diff', join(dir, 'v1.json'), join(dir, 'v2.json'), '--format', 'json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).counts.total).toBe(30);
  });

  it('says where in the answer a response change is, with the evidence of both sides', () => {
    const diff = diffModels(fixtureModel('api-v1'), fixtureModel('api-v2'));
    const kinds = diff.findings.filter((f) => f.path === '/{project_id}/stack/{stack_id}/summary').map((f) => `${f.kind} ${f.at}`);
    expect(kinds).toEqual(['response-key-added /mirrors', 'response-kind-changed /dimension', 'response-not-nullable /comment', 'response-nullable /title']);
    expect(diff.findings.find((f) => f.kind === 'response-kind-changed')!.message).toBe('The value at `/dimension` is an object now (was an array). (evidence: code → code)');
  });

  it('says nothing of accepted methods when the older model predates them', () => {
    const older = structuredClone(fixtureModel('api-v1'));
    for (const route of older.routes) for (const op of route.operations) delete (op as { accepts?: unknown }).accepts;
    const kinds = diffModels(older, fixtureModel('api-v2')).findings.map((f) => f.kind);
    expect(kinds).not.toContain('methods-restricted');
    expect(kinds).not.toContain('methods-widened');
    expect(kinds).toContain('parameter-added');
  });

  it.each([
    ['breaking', 1],
    ['documented-breaking', 1],
    ['any', 1],
  ])('--fail-on %s exits %d on these changes', (level, status) => {
    expect(runCli(args('--fail-on', level)).status).toBe(status);
  });

  it('--fail-on any exits 0 when nothing changed', () => {
    const result = runCli(['diff', '--source', repo.bare, '--from', '2021.2.1', '--to', '2021.3.1', '--fail-on', 'any']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('0 changes, 0 breaking');
  });

  it.each([
    [['diff', '--source', 'REPO', '--from', 'no-such', '--to', '2021.2.1'], /^catmaid-codegen: ref not found in .*: no-such$/],
    [['diff', '--source', 'PLAIN', '--from', 'HEAD'], /^catmaid-codegen: --ref needs a git repository, and .* is not one$/],
    [['diff', '--source', 'REPO'], /^catmaid-codegen: missing --from/],
    [['diff', 'MISSING.json', 'MISSING.json'], /^catmaid-codegen: cannot read route model .*MISSING\.json: ENOENT$/],
    [['diff', 'NOTMODEL', 'NOTMODEL'], /^catmaid-codegen: .* is not a catmaid-codegen route model/],
    [['diff', '--source', 'REPO', '--from', '2020.10.1', '--fail-on', 'sometimes'], /argument 'sometimes' is invalid/],
  ])('wrong usage %j is one line', (argv, message) => {
    const resolved = argv.map((a) => (a === 'REPO' ? repo.bare : a === 'PLAIN' ? tmpdir() : a === 'NOTMODEL' ? join(fixturesDir, '..', '..', 'package.json') : a));
    const result = runCli(resolved);
    expect(result.status).not.toBe(0);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(message);
  });
});

describe('catmaid-codegen diff of two nearby versions (built one after the other in one thread)', () => {
  it('finds what two separate builds find', () => {
    // A commit on 2021.2.1 that changes one of its eleven Python files: near enough (nearTrees).
    const clone = `${repo.dir}-near`;
    git(repo.dir, 'clone', '-q', repo.dir, clone);
    try {
      git(clone, 'checkout', '-q', '2021.2.1');
      const file = join(clone, 'django/applications/catmaid/control/skeleton.py');
      const text = readFileSync(file, 'utf8');
      const read = "order = request.GET.get('order', 'id')";
      expect(text).toContain(read);
      writeFileSync(file, text.replace(read, `${read}\n    limit = int(request.GET.get('limit', 100))`));
      git(clone, 'commit', '-qam', 'a read more');
      const trees = ['2021.2.1', 'HEAD'].map((ref) => openSource({ source: clone, ref }));
      expect(nearTrees(trees[0]!, trees[1]!)).toBe(true);
      expect(nearTrees(openSource({ source: clone, ref: '2020.10.1' }), trees[1]!)).toBe(false);
      const expected = diffModels(buildRouteModel(trees[0]!).model, buildRouteModel(trees[1]!).model);
      expect(expected.findings.map((f) => `${f.kind} ${f.path}`)).toContain('parameter-added /{project_id}/skeletons/');
      for (const cache of [['--no-cache'], ['--cache-dir', join(clone, '.cache')], ['--cache-dir', join(clone, '.cache')]]) {
        const result = runCli(['diff', '--source', clone, '--from', '2021.2.1', '--to', 'HEAD', '--format', 'json', ...cache]);
        expect(result.status).toBe(0);
        expect(result.stdout).toBe(formatDiffJson(expected));
      }
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });
});

describe('catmaid-codegen changelog', () => {
  it('orders release tags by the date they name, limited to a range', () => {
    const tags = ['2021.2.1', 'stable', 'r2015.1.15', '2020.10.1', '2020.9.30', 'feature-x', '2015.12.21'];
    expect(releaseSequence(tags)).toEqual(['r2015.1.15', '2015.12.21', '2020.9.30', '2020.10.1', '2021.2.1']);
    expect(releaseSequence(tags, '2020.9.30')).toEqual(['2020.9.30', '2020.10.1', '2021.2.1']);
    expect(releaseSequence(tags, '2015.12.21', '2020.10.1')).toEqual(['2015.12.21', '2020.9.30', '2020.10.1']);
    expect(releaseSequence(tags, '2020.10.1', 'HEAD')).toEqual(['2020.10.1', '2021.2.1', 'HEAD']);
    expect(() => releaseSequence(tags, '2019.1.1')).toThrow('no release tag 2019.1.1');
  });

  it('writes the diff of each consecutive pair, newest first', () => {
    const result = runCli(['changelog', '--source', repo.bare]);
    expect(result.status).toBe(0);
    const headings = result.stdout.split('\n').filter((l) => l.startsWith('#'));
    expect(headings.filter((h) => /^#{1,2} /.test(h))).toEqual([
      '# CATMAID API changelog, 2020.9.30 to 2021.3.1',
      `## 2021.3.1 (commit ${repo.tags['2021.3.1']!.slice(0, 12)})`,
      `## 2021.2.1 (commit ${repo.tags['2021.2.1']!.slice(0, 12)})`,
      `## 2020.10.1 (commit ${repo.tags['2020.10.1']!.slice(0, 12)})`,
    ]);
    expect(result.stdout).toContain(`Compared with 2020.10.1 (commit ${repo.tags['2020.10.1']!.slice(0, 12)}): 30 changes, 17 breaking`);
  });

  it('takes a range, and JSON', () => {
    const result = runCli(['changelog', '--source', repo.bare, '--from', '2020.10.1', '--to', '2021.2.1', '--format', 'json']);
    expect(result.status).toBe(0);
    const log = JSON.parse(result.stdout);
    expect(log.refs).toEqual(['2020.10.1', '2021.2.1']);
    expect(log.diffs).toHaveLength(1);
  });

  it('needs two refs', () => {
    const result = runCli(['changelog', '--source', repo.bare, '--from', '2021.3.1']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('catmaid-codegen: fewer than two refs in the range from 2021.3.1\n');
  });
});
