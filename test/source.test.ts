/**
 * Reading CATMAID source from a directory and from git objects at a ref (work tree or bare
 * repository), with provenance, and the one-line errors for sources that cannot be read.
 */
import { cpSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../generator/errors.js';
import { buildRouteModel } from '../generator/model/build.js';
import type { RouteModel } from '../generator/model/types.js';
import { DirectorySource } from '../generator/source/directory.js';
import { SourceReadError } from '../generator/source/types.js';
import { resolveRefs } from '../generator/source/git.js';
import { openSource } from '../generator/source/open.js';
import { makeFixtureRepo, git, type FixtureRepo } from './git-fixture.js';
import { fixtureModel, fixtureSource } from './helpers.js';

let repo: FixtureRepo;

beforeAll(() => {
  repo = makeFixtureRepo([
    ['2015.1.1', 'era-2015-patterns'],
    ['2018.1.1', 'era-2018-url-modules'],
    ['2021.1.1', 'era-2021-path'],
  ]);
});
afterAll(() => repo?.cleanup());

const withoutSource = (m: RouteModel) => ({ ...m, source: {} });

describe('git source', () => {
  it.each([
    ['2015.1.1', 'era-2015-patterns'],
    ['2018.1.1', 'era-2018-url-modules'],
    ['2021.1.1', 'era-2021-path'],
  ])('reads tag %s from git objects exactly as the directory %s', (tag, fixture) => {
    const tree = openSource({ source: repo.dir, ref: tag });
    const { model } = buildRouteModel(tree);
    expect(model.source).toEqual({ ref: tag, commit: repo.tags[tag], tag });
    expect(withoutSource(model)).toEqual(withoutSource(fixtureModel(fixture)));
  });

  it('reads a bare repository, by tag, branch and commit id', () => {
    const byTag = buildRouteModel(openSource({ source: repo.bare, ref: '2018.1.1' })).model;
    const byCommit = buildRouteModel(openSource({ source: repo.bare, ref: repo.tags['2018.1.1']! })).model;
    const byBranch = buildRouteModel(openSource({ source: repo.bare, ref: 'main' })).model;
    expect(byCommit.source.commit).toBe(repo.tags['2018.1.1']);
    expect(withoutSource(byTag)).toEqual(withoutSource(byCommit));
    expect(byBranch.source).toEqual({ ref: 'main', commit: repo.tags['2021.1.1'], tag: '2021.1.1' });
    expect(withoutSource(byBranch)).toEqual(withoutSource(fixtureModel('era-2021-path')));
  });

  it('names the commit and tag of a checkout directory, and says when it has changes', () => {
    const clone = `${repo.dir}-checkout`;
    git(repo.dir, 'clone', '-q', repo.dir, clone);
    try {
      git(clone, 'checkout', '-q', '2018.1.1');
      const clean = buildRouteModel(openSource({ source: clone })).model;
      expect(clean.source).toEqual({ commit: repo.tags['2018.1.1'], tag: '2018.1.1' });
      const fromGit = buildRouteModel(openSource({ source: repo.bare, ref: '2018.1.1' })).model;
      expect({ ...clean, source: {} }).toEqual({ ...fromGit, source: {} });
      writeFileSync(join(clone, 'django/applications/catmaid/control/extra.py'), 'x = 1\n');
      expect(buildRouteModel(openSource({ source: clone })).model.source).toEqual({ commit: repo.tags['2018.1.1'], tag: '2018.1.1', dirty: true });
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('reads HEAD of a bare repository when no ref is given', () => {
    const tree = openSource({ source: repo.bare });
    expect(tree.kind).toBe('git');
    expect(tree.commit).toBe(repo.tags['2021.1.1']);
  });

  it('does not check anything out or write into the repository', () => {
    const before = git(repo.dir, 'status', '--porcelain', '--ignored');
    buildRouteModel(openSource({ source: repo.dir, ref: '2015.1.1' }));
    expect(git(repo.dir, 'status', '--porcelain', '--ignored')).toBe(before);
    expect(git(repo.dir, 'rev-parse', 'HEAD')).toBe(repo.tags['2021.1.1']);
  });

  it('gives one clear error for a missing ref', () => {
    expect(() => openSource({ source: repo.dir, ref: 'no-such-tag' })).toThrowError(new UsageError(`ref not found in ${repo.dir}: no-such-tag`));
    expect(() => openSource({ source: repo.dir, ref: '--upload-pack=x' })).toThrowError(UsageError);
  });

  it('refuses a ref whose tree is not CATMAID', () => {
    const empty = git(repo.dir, 'commit-tree', '-m', 'empty', '4b825dc642cb6eb9a060e54bf8d69288fbee4904');
    expect(empty).toMatch(/^[0-9a-f]{40}$/);
    expect(() => openSource({ source: repo.dir, ref: empty })).toThrowError(/not a CATMAID source tree: .* at [0-9a-f]{40} \(no django\/projects\/mysite\/urls\.py\)/);
  });

  it('refuses --ref on a directory that is not a git repository', () => {
    const plain = mkdtempSync(join(tmpdir(), 'catmaid-codegen-plain-'));
    try {
      cpSync(fixtureSource('era-2021-path'), plain, { recursive: true });
      expect(() => openSource({ source: plain, ref: 'HEAD' })).toThrowError(`--ref needs a git repository, and ${plain} is not one`);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });

  it('reads the subdirectory of a repository that --source points into', () => {
    const tree = openSource({ source: join(repo.dir, 'django', '..'), ref: '2018.1.1' });
    expect(tree.has('django/projects/mysite/urls.py')).toBe(true);
    const outer = mkdtempSync(join(tmpdir(), 'catmaid-codegen-outer-'));
    try {
      git(outer, 'init', '-q');
      cpSync(fixtureSource('era-2018-url-modules'), join(outer, 'vendor', 'catmaid'), { recursive: true });
      git(outer, 'add', '-A');
      git(outer, 'commit', '-qm', 'vendored');
      const vendored = openSource({ source: join(outer, 'vendor', 'catmaid'), ref: 'HEAD' });
      expect(withoutSource(buildRouteModel(vendored).model)).toEqual(withoutSource(fixtureModel('era-2018-url-modules')));
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });
});

describe('refs resolved in one go (changelog, diff)', () => {
  it('gives each ref the commit and tags opening it alone gives: annotated, lightweight and nested tags, branches, ids', () => {
    const clone = `${repo.dir}-tags`;
    git(repo.dir, 'clone', '-q', '--bare', repo.dir, clone);
    try {
      git(clone, 'tag', 'light', '2018.1.1');
      git(clone, 'tag', '-a', 'nested', '-m', 'a tag of a tag', '2015.1.1');
      git(clone, 'tag', '-a', 'tree-tag', '-m', 'a tag of a tree', '2021.1.1^{tree}');
      const refs = ['2015.1.1', '2018.1.1', 'light', 'nested', 'main', repo.tags['2021.1.1']!, `${repo.tags['2018.1.1']!.slice(0, 12)}`, 'main~1'];
      const resolved = resolveRefs(clone, refs);
      expect(resolved).toBeDefined();
      const alone = refs.map((ref) => {
        const tree = openSource({ source: clone, ref });
        return { commit: tree.commit, tags: tree.tags };
      });
      expect(resolved).toEqual(alone);
      expect(resolved![1]).toEqual({ commit: repo.tags['2018.1.1'], tags: ['2018.1.1', 'light'] });
      expect(resolved![0]!.tags).toEqual(['2015.1.1', 'nested']);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('gives up when a ref does not resolve, or the source is no repository, so that opening it says why', () => {
    expect(resolveRefs(repo.bare, ['2018.1.1', 'no-such-release'])).toBeUndefined();
    expect(resolveRefs(repo.bare, ['--all'])).toBeUndefined();
    const plain = mkdtempSync(join(tmpdir(), 'catmaid-codegen-no-repo-'));
    try {
      expect(resolveRefs(plain, ['HEAD'])).toBeUndefined();
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    expect(() => openSource({ source: repo.bare, ref: 'no-such-release' })).toThrow(UsageError);
  });
});

describe('directory source', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'catmaid-codegen-dir-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects a path that does not exist, a file, and a tree that is not CATMAID', () => {
    expect(() => openSource({ source: join(dir, 'nope') })).toThrowError(`source not found: ${join(dir, 'nope')}`);
    writeFileSync(join(dir, 'file.txt'), 'x');
    expect(() => openSource({ source: join(dir, 'file.txt') })).toThrowError(/source is not a directory/);
    expect(() => openSource({ source: dir })).toThrowError(`not a CATMAID source tree: ${dir} (no django/projects/mysite/urls.py)`);
    expect(() => openSource({ source: undefined })).toThrowError(/missing --source/);
  });

  it('does not follow symlinks that leave the tree', () => {
    const outside = join(dir, 'outside');
    const tree = join(dir, 'tree');
    mkdirSync(outside, { recursive: true });
    mkdirSync(join(tree, 'django/projects/mysite'), { recursive: true });
    writeFileSync(join(outside, 'secret.py'), 'x = 1\n');
    writeFileSync(join(tree, 'django/projects/mysite/inside.py'), 'y = 2\n');
    symlinkSync(join(outside, 'secret.py'), join(tree, 'django/projects/mysite/urls.py'));
    symlinkSync(join(tree, 'django/projects/mysite/inside.py'), join(tree, 'django/projects/mysite/alias.py'));
    symlinkSync(outside, join(tree, 'django/outside-dir'));
    const source = new DirectorySource(tree);
    expect(source.listFiles()).toEqual(['django/projects/mysite/alias.py', 'django/projects/mysite/inside.py']);
    expect(source.read('django/projects/mysite/urls.py')).toBeUndefined();
    expect(() => openSource({ source: tree })).toThrowError(/not a CATMAID source tree/);
  });
});

describe('unreadable files', () => {
  /** A directory source whose reads of some files fail, as with EACCES or a corrupt object. */
  function failingSource(fixture: string, failing: string[]) {
    const tree = new DirectorySource(fixtureSource(fixture));
    const read = tree.read.bind(tree);
    tree.read = (path: string) => {
      if (failing.includes(path)) throw new SourceReadError(path, 'EACCES');
      return read(path);
    };
    return tree;
  }

  it('a view module that cannot be read is a diagnostic; the routes still come out', () => {
    const file = 'django/applications/catmaid/control/skeleton.py';
    const { model } = buildRouteModel(failingSource('era-2021-path', [file]));
    expect(model.diagnostics.filter((d) => d.code === 'unreadable-file')).toEqual([
      { level: 'error', code: 'unreadable-file', message: `cannot read ${file}: EACCES`, file, line: null },
    ]);
    expect(model.routes).toHaveLength(fixtureModel('era-2021-path').routes.length);
  });

  it('an unreadable project URLconf is one clear error', () => {
    const file = 'django/projects/mysite/urls.py';
    expect(() => buildRouteModel(failingSource('era-2021-path', [file]))).toThrowError(new UsageError(`cannot read ${file}: EACCES`));
  });
});
