/**
 * A worker thread that loads the SDK emitter (ts-morph and the TypeScript compiler it carries take
 * a quarter of a second to load) while the main thread reads the CATMAID source, then emits the
 * package from the model it is sent. Pure: files go back to the main thread, which writes them.
 *
 * Consumes: `{ modelJson, options, cacheDir }` messages (`cacheDir`: where compiled files are kept,
 * see sdk/compiled.ts). Produces: `{ files }` or `{ error }` messages.
 */
import { parentPort } from 'node:worker_threads';
import type { RouteModel } from '../model/types.js';
import { emitSdk, type SdkOptions } from './sdk/index.js';
import { factStore } from '../cache/store.js';
import { WARM_UP_MODEL } from './warm-up.js';

if (!parentPort) throw new Error('emit/worker.js must run as a worker thread');
const port = parentPort;

// Emit a small made-up model once while waiting (its runtime.ts compiled to dist/ too, which the
// real one then takes as it is), so that the printer's and the TypeScript emitter's code is
// compiled by V8 when the real one comes.
emitSdk(WARM_UP_MODEL, { packageName: 'warm-up' });
port.postMessage({ ready: true });
if (process.env['CATMAID_CODEGEN_TIMING']) process.stderr.write(`${performance.now().toFixed(0).padStart(6)} ms  emitter ready (worker clock)\n`);

port.on('message', async (message: { modelJson: string; options: SdkOptions; cacheDir?: string }) => {
  try {
    const model = JSON.parse(message.modelJson) as RouteModel;
    const cache = message.cacheDir !== undefined ? factStore(message.cacheDir) : undefined;
    const files = emitSdk(model, message.options, cache);
    // On disk before this thread is ended (the main thread ends it on this message).
    await cache?.flush();
    port.postMessage({ files });
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
});
