/**
 * A worker thread that builds route models for refs of a source it is told about, one message
 * each, so that `diff` and `changelog` read several CATMAID versions on all cores. Each model goes
 * back as JSON text; a usage error (an unknown ref) goes back as its one-line message.
 *
 * Consumes: `{ id, source, ref, extensions }` messages (`extensions`: `--extension` arguments). Produces: `{ id, modelJson }` or `{ id, usageError }`.
 */
import { parentPort } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { installExtensions } from '../source/extensions.js';
import { openSource } from '../source/open.js';
import { buildRouteModel } from './build.js';

if (!parentPort) throw new Error('model/worker.js must run as a worker thread');
const port = parentPort;

port.on('message', (m: { id: number; source: string; ref?: string; extensions?: string[] }) => {
  try {
    const { tree, extensions } = installExtensions(openSource({ source: m.source, ref: m.ref }), m.extensions ?? []);
    const { model } = buildRouteModel(tree, extensions.length ? { extensions } : {});
    port.postMessage({ id: m.id, modelJson: JSON.stringify(model) });
  } catch (e) {
    if (e instanceof UsageError) port.postMessage({ id: m.id, usageError: e.message });
    else port.postMessage({ id: m.id, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
});
