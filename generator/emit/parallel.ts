/**
 * Runs the SDK emitter in a worker thread started before the model is built, so that loading the
 * emitter overlaps with reading the source (two cores, one each). The result is the same as
 * calling `emitSdk` directly; this only changes when the work happens.
 *
 * With a cache (generator/cache/), the package emitted for a model is kept by a digest of the
 * model and the options (and, as every cached fact, of the generator's code and templates): the
 * same model again — `generate --check` in CI, a second run — takes it from there, and the worker
 * is ended unused.
 *
 * Consumes: a route model and {@link SdkOptions}. Produces: the package's {@link EmittedFile}s.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { FactStore } from '../cache/store.js';
import type { RouteModel } from '../model/types.js';
import type { EmittedFile } from './files.js';
import type { SdkOptions } from './sdk/index.js';

export interface EmitterHandle {
  /** Emits the package for `model` in the worker (or takes it from the cache), then ends the worker. */
  emit(model: RouteModel, options: SdkOptions): Promise<EmittedFile[]>;
  /** Ends the worker without emitting (on errors). */
  dispose(): void;
}

/** Starts the emitter worker now; call `emit` once the model is ready. */
export function startEmitter(cache?: FactStore): EmitterHandle {
  const worker = new Worker(new URL('./worker.js', import.meta.url));
  worker.unref();
  return {
    emit(model, options) {
      const modelJson = JSON.stringify(model);
      const key = cache ? createHash('sha256').update(JSON.stringify(options)).update('\0').update(modelJson).digest('hex') : '';
      const kept = cache?.find('sdk', key);
      if (kept !== undefined) {
        void worker.terminate();
        return Promise.resolve(JSON.parse(kept) as EmittedFile[]);
      }
      return new Promise((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (m: { ready?: true; files?: EmittedFile[]; error?: string }) => {
          if (m.ready) return;
          void worker.terminate();
          if (m.error !== undefined) return reject(new Error(`SDK emitter failed: ${m.error}`));
          cache?.add('sdk', key, [], [], [], [], JSON.stringify(m.files));
          resolve(m.files!);
        });
        worker.postMessage({ modelJson, options, ...(cache?.dir !== undefined ? { cacheDir: cache.dir } : {}) });
      });
    },
    dispose() {
      void worker.terminate();
    },
  };
}
