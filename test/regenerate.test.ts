/**
 * Regenerating into an SDK repository (`generate` into an `--out` that holds an earlier
 * generation): the operation ids users call are kept (model/keep-ids.ts), `API-CHANGES.md` says
 * what changed, and `--commit` makes one commit of exactly the generated files.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepOperationIds } from '../generator/model/keep-ids.js';
import type { RouteModel } from '../generator/model/types.js';
import { git, makeFixtureRepo, type FixtureRepo } from './git-fixture.js';
import { fixtureModel, runCli } from './helpers.js';

const copy = (m: RouteModel): RouteModel => structuredClone(m);
const ids = (m: RouteModel) => m.routes.flatMap((r) => r.operations.map((o) => o.operationId));

describe('keeping operation ids', () => {
  it('gives each operation the id it had, and a new one that would take a kept id its module-qualified id', () => {
    const earlier = copy(fixtureModel('example'));
    const skeletons = earlier.routes.find((r) => r.path === '/{project_id}/skeletons/')!.operations[0]!;
    skeletons.operationId = 'getSkeletons'; // what users called it before a rename in the generator
    // …and the name now belongs to nothing: a new view with that name would collide.
    const model = copy(fixtureModel('example'));
    const newcomer = model.routes.find((r) => r.path === '/{project_id}/annotations/')!.operations[0]!;
    newcomer.operationId = 'getSkeletons';
    keepOperationIds(model, earlier);
    expect(model.routes.find((r) => r.path === '/{project_id}/skeletons/')!.operations[0]!.operationId).toBe('getSkeletons');
    expect(newcomer.operationId).toBe('listAnnotations'); // paired with its own earlier self
    expect(new Set(ids(model)).size).toBe(ids(model).length);
  });

  it('names an operation without an earlier counterpart by its module when its id is kept by another', () => {
    const earlier = copy(fixtureModel('example'));
    earlier.routes = earlier.routes.filter((r) => r.path !== '/{project_id}/stacks');
    const taken = earlier.routes.find((r) => r.path === '/{project_id}/skeletons/')!.operations[0]!;
    taken.operationId = 'stacks';
    const model = copy(fixtureModel('example'));
    keepOperationIds(model, earlier);
    const stacks = model.routes.find((r) => r.path === '/{project_id}/stacks')!.operations[0]!;
    expect(stacks.operationId).toBe('stackStacks');
    expect(model.diagnostics.filter((d) => d.code === 'operation-id-kept').map((d) => d.message)).toEqual([
      'GET /{project_id}/stacks: id stacks is kept by the operation that had it in the earlier generation; named stackStacks',
    ]);
  });
});

describe('generate into an SDK repository', () => {
  let repo: FixtureRepo;
  let sdk: string;
  beforeAll(() => {
    repo = makeFixtureRepo([
      ['2021.12.20', 'era-2021-path'],
      ['2021.12.21', 'example'],
    ]);
    sdk = mkdtempSync(join(tmpdir(), 'catmaid-sdk-repo-'));
    git(sdk, 'init', '-q');
    writeFileSync(join(sdk, 'NOTES.md'), 'our own file\n');
    git(sdk, 'add', 'NOTES.md');
    git(sdk, 'commit', '-q', '-m', 'start');
  });
  afterAll(() => {
    repo.cleanup();
    rmSync(sdk, { recursive: true, force: true });
  });

  it('refuses --commit outside a git work tree before any work, in one line', () => {
    const plain = mkdtempSync(join(tmpdir(), 'catmaid-sdk-plain-'));
    try {
      const result = runCli(['generate', '--source', repo.bare, '--ref', '2021.12.21', '--out', join(plain, 'client'), '--commit']);
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(`catmaid-codegen: --commit: ${join(plain, 'client')} is not in a git work tree\n`);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });

  it('commits the first generation, then a regeneration with API-CHANGES.md, touching nothing else', () => {
    writeFileSync(join(sdk, 'NOTES.md'), 'our own file, edited\n');
    const first = runCli(['generate', '--source', repo.bare, '--ref', '2021.12.20', '--out', sdk, '--force', '--commit']);
    expect(first.status).toBe(0);
    expect(git(sdk, 'log', '-1', '--format=%s')).toBe('Generate the client for CATMAID 2021.12.20');
    const second = runCli(['generate', '--source', repo.bare, '--ref', '2021.12.21', '--out', sdk, '--commit']);
    expect(second.status).toBe(0);
    const message = git(sdk, 'log', '-1', '--format=%B');
    expect(message).toMatch(/^Regenerate for CATMAID 2021\.12\.21 \(from 2021\.12\.20/);
    expect(message).toMatch(/\d+ API changes: \d+ breaking/);
    expect(readFileSync(join(sdk, 'API-CHANGES.md'), 'utf8')).toMatch(/^# API changes: CATMAID 2021\.12\.20 .* → 2021\.12\.21/);
    expect(git(sdk, 'show', '--name-only', '--format=', 'HEAD').split('\n')).toContain('API-CHANGES.md');
    // The lab's own edit is left alone, uncommitted.
    expect(git(sdk, 'status', '--porcelain')).toBe('M NOTES.md');
    expect(JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8')).version).toBe('2021.12.21');
  });
});
