/**
 * Builds the route models of several refs at once, on worker threads (as many as there are cores,
 * at most one per ref). The models are the same as `buildRouteModel` gives one at a time.
 *
 * Each worker takes a run of consecutive refs, in order, so that what one release shares with the
 * next (most files) is read once per worker and kept in its memory (generator/cache/); with a
 * cache directory the workers also share what they keep through it. A worker reads all the refs
 * of its run: between refs it gives back the memory of the trees it parsed and of the facts and
 * files the last ref did not use (model/worker.ts). V8 optimizes only what is really hot while
 * workers build side by side (model/worker-tier.ts).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CacheStats } from '../cache/store.js';
import { UsageError } from '../errors.js';
import { resolveRefs } from '../source/git.js';
import { contentIdOf, type SourceTree } from '../source/types.js';
import type { RouteModel } from './types.js';
import { tuneForWorkers } from './worker-tier.js';

/**
 * The share of Python files (by blob id) two trees may differ in to be built one after the other in
 * one thread, the second reusing what the first read ({@link nearTrees}).
 */
export const NEAR_CHANGED_SHARE = 0.1;

/**
 * Whether two trees are close enough to build one after the other in the calling thread, the
 * second reusing what the first read (the cache in memory), rather than side by side on two worker
 * threads: at most {@link NEAR_CHANGED_SHARE} of their Python files are new, gone or changed.
 * Measured on CATMAID (`routes` model, one thread, then the other): 2021.12.21 → HEAD, 8 of 328
 * changed, 1.12 s then 0.21 s, against 1.6 s for a `diff` on two workers; 2020.02.15 →
 * 2021.12.21, 103 changed, 1.04 s then 0.67 s, slower than two workers.
 */
export function nearTrees(a: SourceTree, b: SourceTree): boolean {
  const files = [...new Set([...a.listFiles(), ...b.listFiles()].filter((f) => f.endsWith('.py')))];
  const changed = files.filter((f) => !a.has(f) || !b.has(f) || contentIdOf(a, f) !== contentIdOf(b, f)).length;
  return files.length > 0 && changed <= NEAR_CHANGED_SHARE * files.length;
}

/** The young generation of a worker's heap (see {@link eachModel}). */
const YOUNG_GENERATION_MB = 8;

/** Lookups of the workers' caches by kind, summed over the last {@link buildModels}, for `CATMAID_CODEGEN_CACHE_STATS`. */
export const workerCacheStats: CacheStats = {};
/** Why workers could not write the cache directory (see FactStore.problems). */
export const workerCacheProblems = new Set<string>();

/**
 * The model of each ref of `source`, in the order asked; `extensions[i]` (`--extension`
 * arguments) are installed beside the `i`-th. `cacheDir`: where facts are kept between runs
 * (undefined: in each worker's memory only).
 */
export async function buildModels(
  source: string,
  refs: Array<string | undefined>,
  extensions: string[][] = [],
  onProgress?: (done: number, total: number) => void,
  cacheDir?: string,
): Promise<RouteModel[]> {
  const results: RouteModel[] = new Array(refs.length);
  await eachModel(source, refs, extensions, (i, model) => (results[i] = model), onProgress, cacheDir);
  return results;
}

/**
 * Like {@link buildModels}, but hands each model to `onModel` as it comes (in no particular order)
 * and keeps none, so that a caller can drop what it no longer needs.
 */
export async function eachModel(
  source: string,
  refs: Array<string | undefined>,
  extensions: string[][],
  onModel: (index: number, model: RouteModel) => void,
  onProgress?: (done: number, total: number) => void,
  cacheDir?: string,
): Promise<void> {
  const size = Math.max(1, Math.min(availableParallelism(), refs.length));
  if (size > 1) tuneForWorkers();
  // Consecutive refs per worker: the refs are cut into one segment per two workers, and in each
  // one worker goes forward from its start while the other goes backward from its end, until they
  // meet — so that neither waits for the other however unequal the releases are (old ones are
  // smaller), and each reads refs next to the one before.
  const segments = Math.ceil(size / 2);
  const bounds = Array.from({ length: segments + 1 }, (_, k) => Math.round((k * refs.length) / segments));
  const segment = bounds.slice(0, -1).map((start, k) => ({ low: start, high: bounds[k + 1]! - 1 }));
  /** The next ref of worker slot k, or undefined when its segment is done. */
  const nextRef = (k: number): number | undefined => {
    const seg = segment[k >> 1]!;
    if (seg.low > seg.high) return undefined;
    return k % 2 === 0 ? seg.low++ : seg.high--;
  };
  // Every ref's commit and tags in two git calls here, rather than one in a worker per ref.
  const resolved = size > 1 && refs.every((r) => r !== undefined) ? resolveRefs(source, refs as string[]) : undefined;
  const workers: Worker[] = [];
  let done = 0;
  const slot = (k: number): Promise<void> => {
    // A small young generation: a worker's garbage is mostly short-lived nodes of the binding, and
    // V8's default (tens of MB per thread) raised a changelog's peak memory by about 50 MB for
    // about 2% of its time.
    const worker = new Worker(new URL('./worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    workers.push(worker);
    return new Promise<void>((resolve, reject) => {
      const take = () => {
        const id = nextRef(k);
        if (id === undefined) return resolve();
        worker.postMessage({ id, source, ref: refs[id], resolved: resolved?.[id], extensions: extensions[id] ?? [], cacheDir });
      };
      worker.on('error', reject);
      worker.on('message', (m: { id: number; modelJson?: string; usageError?: string; error?: string; stats?: CacheStats; problems?: string[] }) => {
        if (m.usageError !== undefined) return reject(new UsageError(m.usageError));
        if (m.error !== undefined) return reject(new Error(`model worker failed: ${m.error}`));
        onModel(m.id, JSON.parse(m.modelJson!) as RouteModel);
        for (const p of m.problems ?? []) workerCacheProblems.add(p);
        for (const [kind, s] of Object.entries(m.stats ?? {})) {
          const sum = (workerCacheStats[kind] ??= { hits: 0, misses: 0 });
          sum.hits += s.hits;
          sum.misses += s.misses;
        }
        onProgress?.(++done, refs.length);
        take();
      });
      take();
    });
  };
  try {
    await Promise.all(Array.from({ length: size }, (_, k) => slot(k)));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
