/**
 * A worker thread that builds route models for refs of a source it is told about, one message
 * each, so that `diff` and `changelog` read several CATMAID versions on all cores. Each model goes
 * back as JSON text; a usage error (an unknown ref) goes back as its one-line message. What it
 * reads is kept for its next refs (and in `cacheDir`, when given) by generator/cache/.
 *
 * Consumes: `{ id, source, ref, resolved, extensions, cacheDir }` messages (`extensions`: `--extension`
 * arguments). Produces: `{ id, modelJson, stats, problems }` (stats: the cache's lookups for
 * this ref) or `{ id, usageError }`.
 */
import { parentPort } from 'node:worker_threads';
import { factStore, type CacheStats } from '../cache/store.js';
import { UsageError } from '../errors.js';
import { installExtensions } from '../source/extensions.js';
import { openSource } from '../source/open.js';
import { releaseTrees } from '../parse/parser.js';
import { forgetUnreadBlobs } from '../source/git.js';
import { buildRouteModel } from './build.js';
import type { ResolvedRef } from '../source/git.js';

/** One ref to build (`resolved`: its commit and tags, when the main thread resolved them). */
interface Job {
  id: number;
  source: string;
  ref?: string;
  resolved?: ResolvedRef;
  extensions?: string[];
  cacheDir?: string;
}

if (!parentPort) throw new Error('model/worker.js must run as a worker thread');
const port = parentPort;

port.on('message', async (m: Job) => {
  try {
    const answer = build(m);
    // What this ref kept is on disk before another worker (or the next run) may look for it.
    const cache = factStore(m.cacheDir);
    await cache.flush();
    cache.forgetUnused();
    forgetUnreadBlobs();
    // The trees of this ref are no longer held (build() returned): their memory goes back before
    // the next ref, so that a worker can read every release.
    await releaseTrees();
    port.postMessage(answer);
  } catch (e) {
    if (e instanceof UsageError) port.postMessage({ id: m.id, usageError: e.message });
    else port.postMessage({ id: m.id, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
});

/** The model of one ref as JSON, with this ref's cache lookups and the cache's problems. */
function build(m: Job) {
  const cache = factStore(m.cacheDir);
  const before = JSON.parse(JSON.stringify(cache.stats)) as CacheStats;
  const { tree, extensions } = installExtensions(openSource({ source: m.source, ref: m.ref, resolved: m.resolved }), m.extensions ?? []);
  const { model } = buildRouteModel(tree, { ...(extensions.length ? { extensions } : {}), cache });
  const stats: CacheStats = {};
  for (const [kind, s] of Object.entries(cache.stats)) stats[kind] = { hits: s.hits - (before[kind]?.hits ?? 0), misses: s.misses - (before[kind]?.misses ?? 0) };
  return { id: m.id, modelJson: JSON.stringify(model), stats, problems: cache.problems };
}
