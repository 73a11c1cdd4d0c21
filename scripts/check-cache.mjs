#!/usr/bin/env node
/**
 * Checks the cache of facts (generator/cache/) on a real CATMAID repository: every release tag and
 * HEAD is built without any cache, one ref at a time, and then by the changelog's path (worker
 * threads, runs of consecutive refs) with the cache in memory only, from an empty cache directory
 * and from the full one; and one ref at a time with a helper thread (model/helper.ts, the path of
 * `routes` and `generate`) taking a share of every ref's views, without a cache and into an empty
 * cache directory. Every model must be the same bytes every way. Prints one line per way (time,
 * refs that differ, hits by kind) and exits 1 when any ref differs.
 *
 * Usage:  node scripts/check-cache.mjs CATMAID.git   (build first: npx tsc -p .)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = process.argv[2];
if (!repo || process.argv.length > 3) {
  process.stderr.write('usage: node scripts/check-cache.mjs CATMAID.git\n');
  process.exit(2);
}
const dist = (p) => import(join(ROOT, 'dist', p));
const { openSource } = await dist('source/open.js');
const { buildRouteModel } = await dist('model/build.js');
const { releaseSequence, repositoryTags } = await dist('diff/changelog.js');
const { buildModels, workerCacheStats } = await dist('model/parallel.js');
const { factStore } = await dist('cache/store.js');
const { helperStats } = await dist('model/helper.js');

const refs = releaseSequence(repositoryTags(repo), undefined, 'HEAD');
let t0 = performance.now();
const expected = refs.map((ref) => JSON.stringify(buildRouteModel(openSource({ source: repo, ref })).model));
process.stdout.write(`${refs.length} refs, no cache, one at a time: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

const dir = mkdtempSync(join(tmpdir(), 'catmaid-codegen-check-cache-'));
let differing = 0;
try {
  for (const [label, cacheDir] of [['memory only', undefined], ['empty cache directory', dir], ['full cache directory', dir]]) {
    for (const k of Object.keys(workerCacheStats)) delete workerCacheStats[k];
    t0 = performance.now();
    const models = await buildModels(repo, refs, [], undefined, cacheDir);
    const seconds = (performance.now() - t0) / 1000;
    const bad = refs.filter((_, i) => JSON.stringify(models[i]) !== expected[i]);
    differing += bad.length;
    const hits = Object.entries(workerCacheStats)
      .map(([kind, s]) => `${kind} ${s.hits}/${s.hits + s.misses}`)
      .join(', ');
    process.stdout.write(`${label}: ${seconds.toFixed(1)} s, ${bad.length ? `DIFFERENT: ${bad.join(' ')}` : 'all the same bytes'}; hits: ${hits}\n`);
  }
  for (const [label, cacheDir] of [['one at a time with a helper thread, no cache', undefined], ['one at a time with a helper thread, an empty cache directory', join(dir, 'helped')]]) {
    t0 = performance.now();
    const before = helperStats.views;
    const models = [];
    for (const ref of refs) {
      const cache = cacheDir === undefined ? {} : { cache: factStore(cacheDir) };
      const helper = { source: repo, ref, extensions: [], shareAt: 1, ...(cacheDir === undefined ? {} : { cacheDir }) };
      models.push(JSON.stringify(buildRouteModel(openSource({ source: repo, ref }), { ...cache, helper }).model));
      await factStore(cacheDir).flush();
    }
    const seconds = (performance.now() - t0) / 1000;
    const bad = refs.filter((_, i) => models[i] !== expected[i]);
    differing += bad.length;
    process.stdout.write(`${label}: ${seconds.toFixed(1)} s, ${bad.length ? `DIFFERENT: ${bad.join(' ')}` : 'all the same bytes'}; views the helper analysed: ${helperStats.views - before}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(differing ? 1 : 0);
