/**
 * The helper thread of one build (model/helper.ts): opens the build's tree, reads CATMAID's API
 * tests, then takes bundles of views from the counter it shares with the build until none is left,
 * and sends back what it computed, recorded (cache/memo.ts) when there is a cache.
 *
 * Consumes: `workerData` `{ source, port, counters }`, then one message on `port`: the bundles.
 * Produces: one {@link HelperResults} message on `port`, then the DONE counter set and notified.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import type { Recorded } from '../cache/memo.js';
import { factStore } from '../cache/store.js';
import { DiagnosticBag } from '../diagnostics.js';
import { installExtensions } from '../source/extensions.js';
import { openSource } from '../source/open.js';
import { testedAnswers } from './api-test-answers.js';
import { DONE, NEXT, STARTED, type HelperResults, type HelperSource, type ViewWork } from './helper.js';
import { ModuleIndex } from './modules.js';
import { analyseView, prefetchViews } from './operation-cache.js';

const { source, port, counters: buffer } = workerData as { source: HelperSource; port: MessagePort; counters: SharedArrayBuffer };
const counters = new Int32Array(buffer);
// This thread's code has loaded: the build now waits for its answer (helper.ts).
Atomics.store(counters, STARTED, 1);
Atomics.notify(counters, STARTED);
const results: HelperResults = { bundles: [], diagnostics: [], filesRead: [] };
const diagnostics = new DiagnosticBag();

/** Done: the results go back, then the build is woken. */
function answer(): void {
  results.diagnostics = diagnostics.sorted();
  port.postMessage(results);
  Atomics.store(counters, DONE, 1);
  Atomics.notify(counters, DONE);
  port.close();
}

let modules: ModuleIndex | undefined;
/** `compute()`, recorded when there is a cache. */
const recorded = <T>(compute: () => T): Recorded<T> => modules!.recorder?.capture(compute) ?? { result: compute(), deps: [], diagnostics: [], anchors: [] };

try {
  const { tree } = installExtensions(openSource({ source: source.source, ref: source.ref }), source.extensions);
  modules = new ModuleIndex(tree, diagnostics, source.cacheDir === undefined ? undefined : factStore(source.cacheDir));
  results.apiTests = recorded(() => testedAnswers(tree, modules!, diagnostics));
} catch (e) {
  results.error = e instanceof Error ? e.message : String(e);
}

port.once('message', (bundles: ViewWork[][]) => {
  try {
    if (!results.error) {
      // The modules of every view it may take, in one git call rather than one per file.
      prefetchViews(bundles.flat(), modules!);
      for (let b = Atomics.add(counters, NEXT, 1); b < bundles.length; b = Atomics.add(counters, NEXT, 1)) {
        results.bundles.push({ index: b, views: bundles[b]!.map(({ key, group }) => recorded(() => modules!.keep('operations', key, () => analyseView(group, modules!)))) });
      }
    }
  } catch (e) {
    results.error = e instanceof Error ? e.message : String(e);
  }
  results.filesRead = [...(modules?.filesRead ?? [])];
  // What it kept is on disk before the build may end the process.
  if (source.cacheDir === undefined) answer();
  else void factStore(source.cacheDir).flush().finally(answer);
});
