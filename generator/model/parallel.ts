/**
 * Builds the route models of several refs at once, on worker threads (as many as there are cores,
 * at most one per ref). The models are the same as `buildRouteModel` gives one at a time.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import type { RouteModel } from './types.js';

/**
 * The model of each ref of `source`, in the order asked; `extensions[i]` (`--extension`
 * arguments) are installed beside the `i`-th.
 */
export async function buildModels(source: string, refs: Array<string | undefined>, extensions: string[][] = [], onProgress?: (done: number, total: number) => void): Promise<RouteModel[]> {
  const size = Math.max(1, Math.min(availableParallelism(), refs.length));
  const workers = Array.from({ length: size }, () => new Worker(new URL('./worker.js', import.meta.url)));
  const results: RouteModel[] = new Array(refs.length);
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const take = () => {
              if (next >= refs.length) return resolve();
              const id = next++;
              worker.postMessage({ id, source, ref: refs[id], extensions: extensions[id] ?? [] });
            };
            worker.on('error', reject);
            worker.on('message', (m: { id: number; modelJson?: string; usageError?: string; error?: string }) => {
              if (m.usageError !== undefined) return reject(new UsageError(m.usageError));
              if (m.error !== undefined) return reject(new Error(`model worker failed: ${m.error}`));
              results[m.id] = JSON.parse(m.modelJson!) as RouteModel;
              onProgress?.(results.filter((r) => r !== undefined).length, refs.length);
              take();
            });
            take();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
