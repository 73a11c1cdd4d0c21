/**
 * A thread that reads one release after another (a `changelog` worker) keeps what the next release
 * may use and gives back the rest: the trees it parsed (parse/parser.ts `releaseTrees`), the facts
 * the last two releases did not look up (cache/store.ts `forgetUnused`) and the file versions it did
 * not read (source/git.ts `forgetUnreadBlobs`). What it keeps must never be taken for another
 * release's: each release reads its own bytes.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FactStore } from '../generator/cache/store.js';
import { parsePython, releaseTrees } from '../generator/parse/parser.js';
import { forgetUnreadBlobs, GitSource } from '../generator/source/git.js';
import { DIFF_TEST_RELEASES, makeFixtureRepo, type FixtureRepo } from './git-fixture.js';

describe('between releases', () => {
  it('the trees no longer held are collected, and their finalizers have run, when releaseTrees resolves', async () => {
    const finalized: number[] = [];
    const registry = new FinalizationRegistry<number>((i) => finalized.push(i));
    const kept = parsePython('kept.py', 'def kept():\n    return 1\n');
    (() => {
      for (let i = 0; i < 5; i++) registry.register(parsePython(`dropped${i}.py`, `def f${i}(request):\n    return ${i}\n`).tree, i);
    })();
    await releaseTrees();
    // FinalizationRegistry callbacks run as tasks of their own after the collection.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(finalized.sort()).toEqual([0, 1, 2, 3, 4]);
    // A tree still held is whole.
    expect(kept.tree.rootNode.firstNamedChild?.childForFieldName('name')?.text).toBe('kept');
  });

  it('facts looked up by neither of the last two releases are dropped from memory; the others stay', () => {
    const store = new FactStore(undefined);
    store.add('module-facts', 'used', [], [], [], [], '"a"');
    store.add('module-facts', 'unused', [], [], [], [], '"b"');
    // The next release looks up one of them; both are still held (the last release added both).
    store.forgetUnused();
    expect(store.find('module-facts', 'used')).toBe('"a"');
    store.forgetUnused();
    // Two releases did not look up `unused`: gone; `used` was looked up by the one before.
    store.forgetUnused();
    expect(store.find('module-facts', 'unused')).toBeUndefined();
    expect(store.find('module-facts', 'used')).toBe('"a"');
    store.forgetUnused();
    store.forgetUnused();
    store.forgetUnused();
    expect(store.find('module-facts', 'used')).toBeUndefined();
  });

  describe('file versions read from git', () => {
    let repo: FixtureRepo;
    beforeAll(() => {
      repo = makeFixtureRepo(DIFF_TEST_RELEASES);
    });
    afterAll(() => repo?.cleanup());

    it('each release reads its own bytes, whatever the thread read before (and forgot)', () => {
      // Releases out of order and back again, as the two workers of a changelog meet: a path whose
      // content changes, one that stays, one that comes and goes; forgotten after every other.
      for (const [i, tag] of ['2020.10.1', '2021.2.1', '2020.9.30', '2021.3.1', '2020.10.1', '2021.2.1'].entries()) {
        const tree = new GitSource(repo.bare, repo.bare, tag);
        const files = tree.listFiles().filter((f) => f.endsWith('.py'));
        expect(files.length).toBeGreaterThan(3);
        for (const f of files) expect(tree.read(f)?.toString('utf8'), `${tag}:${f}`).toBe(execFileSync('git', ['--git-dir', repo.bare, 'cat-file', 'blob', `${tag}:${f}`], { encoding: 'utf8' }));
        if (i % 2) forgetUnreadBlobs();
      }
    });
  });
});
