/**
 * A worker thread that loads the SDK emitter (ts-morph and the TypeScript compiler it carries take
 * a quarter of a second to load) while the main thread reads the CATMAID source, then emits the
 * package from the model it is sent. Pure: files go back to the main thread, which writes them.
 *
 * Consumes: `{ modelJson, options }` messages. Produces: `{ files }` or `{ error }` messages.
 */
import { parentPort } from 'node:worker_threads';
import type { RouteModel } from '../model/types.js';
import { emitSdk, type SdkOptions } from './sdk/index.js';

if (!parentPort) throw new Error('emit/worker.js must run as a worker thread');
const port = parentPort;

// Emit a tiny model once while waiting (its runtime.ts compiled to dist/ too), so that the printer's
// and the TypeScript emitter's code is compiled by V8 when the real one comes.
emitSdk(
  {
    schemaVersion: 1,
    generator: { name: 'warm-up', version: '0' },
    source: {},
    routes: [],
    mounts: [],
    diagnostics: [],
  },
  { packageName: 'warm-up' },
);
port.postMessage({ ready: true });
if (process.env['CATMAID_CODEGEN_TIMING']) process.stderr.write(`${performance.now().toFixed(0).padStart(6)} ms  emitter ready (worker clock)\n`);

port.on('message', (message: { modelJson: string; options: SdkOptions }) => {
  try {
    const model = JSON.parse(message.modelJson) as RouteModel;
    port.postMessage({ files: emitSdk(model, message.options) });
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
});
