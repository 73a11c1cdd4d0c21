/**
 * Runs the SDK emitter in a worker thread started before the model is built, so that loading the
 * emitter overlaps with reading the source (two cores, one each). The result is the same as
 * calling `emitSdk` directly; this only changes when the work happens.
 */
import { Worker } from 'node:worker_threads';
import type { RouteModel } from '../model/types.js';
import type { EmittedFile } from './files.js';
import type { SdkOptions } from './sdk/index.js';

export interface EmitterHandle {
  /** Emits the package for `model` in the worker, then ends the worker. */
  emit(model: RouteModel, options: SdkOptions): Promise<EmittedFile[]>;
  /** Ends the worker without emitting (on errors). */
  dispose(): void;
}

/** Starts the emitter worker now; call `emit` once the model is ready. */
export function startEmitter(): EmitterHandle {
  const worker = new Worker(new URL('./worker.js', import.meta.url));
  worker.unref();
  return {
    emit(model, options) {
      return new Promise((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (m: { ready?: true; files?: EmittedFile[]; error?: string }) => {
          if (m.ready) return;
          void worker.terminate();
          if (m.error !== undefined) reject(new Error(`SDK emitter failed: ${m.error}`));
          else resolve(m.files!);
        });
        worker.postMessage({ modelJson: JSON.stringify(model), options });
      });
    },
    dispose() {
      void worker.terminate();
    },
  };
}
