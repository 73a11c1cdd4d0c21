/**
 * The helper thread of one build (generator/model/helper.ts): a model built with it is the same
 * bytes as one built on one thread — on every fixture with the helper analysing every view, and on
 * every release of the diff tests' repository with the views shared, each without a cache and
 * from an empty cache directory — and a helper that cannot do its share (it cannot open the tree,
 * or its code never starts) leaves the build whole.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRouteModel, type BuildOptions } from '../generator/model/build.js';
import { installExtensions } from '../generator/source/extensions.js';
import { openSource } from '../generator/source/open.js';
import { factStore } from '../generator/cache/store.js';
import { DIFF_TEST_RELEASES, makeFixtureRepo, type FixtureRepo } from './git-fixture.js';
import { fixtureCases, fixturesDir, fixtureSource, repoRoot } from './helpers.js';

// The compiled modules: the helper thread runs dist/model/helper-worker.js.
type Build = typeof import('../generator/model/build.js');
type Open = typeof import('../generator/source/open.js');
type Extensions = typeof import('../generator/source/extensions.js');
type Store = typeof import('../generator/cache/store.js');
type Helper = typeof import('../generator/model/helper.js');
const dist = async () => ({
  ...((await import(join(repoRoot, 'dist', 'model', 'helper.js'))) as Helper),
  ...((await import(join(repoRoot, 'dist', 'model', 'build.js'))) as Build),
  ...((await import(join(repoRoot, 'dist', 'source', 'open.js'))) as Open),
  ...((await import(join(repoRoot, 'dist', 'source', 'extensions.js'))) as Extensions),
  ...((await import(join(repoRoot, 'dist', 'cache', 'store.js'))) as Store),
});

const scratch = mkdtempSync(join(tmpdir(), 'catmaid-codegen-helper-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `--extension` arguments of a fixture case (its `extensions/` folder), as the fixtures test installs them. */
function extensionArgs(name: string): string[] {
  const dir = join(fixturesDir, name, 'extensions');
  return existsSync(dir) ? readdirSync(dir).sort().map((d) => join(dir, d)) : [];
}

/** A model on one thread (the TypeScript sources, as every other test builds). */
function alone(source: string, ref: string | undefined, extensions: string[]): string {
  const { tree, extensions: installed } = installExtensions(openSource({ source, ...(ref ? { ref } : {}) }), extensions);
  const options: BuildOptions = installed.length ? { extensions: installed } : {};
  return JSON.stringify(buildRouteModel(tree, options).model);
}

/**
 * A model with a helper thread that takes a share of every build's views (`shareAt: 1`), or all
 * of them (`helperOnly`).
 */
async function helped(source: string, ref: string | undefined, extensions: string[], cacheDir?: string, helperSource = source, helperOnly = false, workerFile?: URL): Promise<string> {
  const d = await dist();
  const { tree, extensions: installed } = d.installExtensions(d.openSource({ source, ...(ref ? { ref } : {}) }), extensions);
  const model = d.buildRouteModel(tree, {
    ...(installed.length ? { extensions: installed } : {}),
    ...(cacheDir !== undefined ? { cache: d.factStore(cacheDir) } : {}),
    helper: { source: helperSource, ...(ref ? { ref } : {}), extensions, shareAt: 1, minPythonFiles: 0, helperOnly, ...(cacheDir !== undefined ? { cacheDir } : {}), ...(workerFile ? { workerFile } : {}) },
  }).model;
  await d.factStore(cacheDir).flush();
  return JSON.stringify(model);
}

describe('a build with a helper thread', () => {
  it('gives every fixture the same model when the helper analyses every view, without a cache and from an empty cache directory', async () => {
    const { helperStats } = await dist();
    for (const name of fixtureCases()) {
      const expected = alone(fixtureSource(name), undefined, extensionArgs(name));
      for (const cacheDir of [undefined, join(scratch, `only-${name}`)]) {
        const before = helperStats.views;
        expect(await helped(fixtureSource(name), undefined, extensionArgs(name), cacheDir, fixtureSource(name), true), name).toBe(expected);
        // Every fixture has views, and the helper analysed them.
        expect(helperStats.views - before, name).toBeGreaterThan(0);
      }
    }
  });

  describe('on the releases of the diff tests', () => {
    let repo: FixtureRepo;
    beforeAll(() => {
      repo = makeFixtureRepo(DIFF_TEST_RELEASES);
    });
    afterAll(() => repo?.cleanup());

    // The build and the helper share the views here (which takes which varies from run to run).
    it('gives each release the same model, without a cache and one after another in one cache directory', async () => {
      const dir = join(scratch, 'releases');
      for (const ref of Object.keys(repo.tags)) {
        const expected = alone(repo.bare, ref, []);
        expect(await helped(repo.bare, ref, []), ref).toBe(expected);
        expect(await helped(repo.bare, ref, [], dir), ref).toBe(expected);
      }
    });
  });

  it('a helper that cannot open the tree leaves the whole build to the build thread', async () => {
    const name = 'operations';
    const expected = alone(fixtureSource(name), undefined, []);
    const { helperStats } = await dist();
    const before = helperStats.views;
    expect(await helped(fixtureSource(name), undefined, [], undefined, join(scratch, 'no-such-source'), true)).toBe(expected);
    expect(helperStats.views).toBe(before);
  });

  it('a helper whose code never starts leaves the whole build to the build thread after a while', async () => {
    const name = 'operations';
    const expected = alone(fixtureSource(name), undefined, []);
    const never = join(scratch, 'never-starts.mjs');
    writeFileSync(never, 'await new Promise(() => {});\n');
    const t0 = performance.now();
    expect(await helped(fixtureSource(name), undefined, [], undefined, fixtureSource(name), true, pathToFileURL(never))).toBe(expected);
    // It waited for the helper to start (2 s), not for it to finish (10 minutes).
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
});
