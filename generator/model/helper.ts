/**
 * A second core for one ref: a helper thread (model/helper-worker.ts) that opens the same tree as
 * the build, reads CATMAID's API tests while the build expands the URLconfs, and then analyses
 * views beside it. The build stays synchronous: it hands the helper its share of work by message,
 * both take bundles of views (one view module each) from one shared counter, so neither waits for
 * the other whatever their speeds, and the build blocks on a shared flag until the helper is done
 * (`Atomics.wait`), then takes its results with `receiveMessageOnPort`.
 *
 * Everything the helper computes is a function of the tree (what the cache relies on too), so the
 * model is the same bytes with or without it. With a cache, the helper's computations are recorded
 * (cache/memo.ts) and their lookups, anchors and diagnostics noted again in the build's recorder,
 * so the model kept around them depends on them as if the build had computed them itself.
 *
 * Consumes: where the tree is (source, ref, `--extension` arguments, cache directory) and bundles
 * of views. Produces: the helper's recorded API test answers and view operations, its diagnostics
 * and the files it read.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Recorded } from '../cache/memo.js';
import type { Diagnostic, DiagnosticBag } from '../diagnostics.js';
import type { RecordedAnswer } from './answers.js';
import type { ModuleIndex } from './modules.js';
import type { SourceTree } from '../source/types.js';
import type { Route } from './types.js';
import { tuneForWorkers } from './worker-tier.js';

/** How the helper opens the build's tree. */
export interface HelperSource {
  /** `--source`. */
  source: string;
  /** `--ref`. */
  ref?: string;
  /** `--extension` arguments, in order. */
  extensions: string[];
  /** The cache directory; undefined: nothing recorded (as the build without a cache). */
  cacheDir?: string;
  /**
   * Views are shared with the helper when the build has at least this many to analyse (default
   * {@link SHARE_AT}); fewer, and it only reads the API tests. The tests set 1.
   */
  shareAt?: number;
  /**
   * A tree with fewer Python files than this is read on one thread (default
   * {@link HELPER_AT_PYTHON_FILES}). The tests set 0.
   */
  minPythonFiles?: number;
  /** The build takes no bundle of views itself and leaves them all to the helper (for the tests). */
  helperOnly?: boolean;
  /** The helper thread's code, if not the generator's own (the tests give one that never starts). */
  workerFile?: URL;
}

/** Views the helper threads of this process analysed, for the tests and scripts/check-cache.mjs. */
export const helperStats = { views: 0 };

/**
 * Python files from which a tree is worth a helper thread: starting one costs about 0.15 s of CPU
 * (loading the generator's modules, compiling the queries, opening the tree), which a small tree
 * does not win back. CATMAID has 183 (r2015.1.15) to 376 (2022); the test fixtures 6 to 22.
 */
export const HELPER_AT_PYTHON_FILES = 100;

/** Views to analyse from which the helper takes a share (fewer are not worth sending it the work). */
export const SHARE_AT = 24;

/** One view's routes to analyse, with the key of its kept operations (operation-cache.ts). */
export interface ViewWork {
  key: string;
  group: Route[];
}

/** What the helper sends back once. */
export interface HelperResults {
  /** The API tests' answers, as the build would have read them; absent when reading them failed. */
  apiTests?: Recorded<RecordedAnswer[]>;
  /** Per bundle it took: the index of the bundle and the recorded result of each of its views, in order. */
  bundles: Array<{ index: number; views: Array<Recorded<unknown>> }>;
  /** Everything it reported. */
  diagnostics: Diagnostic[];
  /** The files it read. */
  filesRead: string[];
  /** Why it stopped early, if it did (the build does the rest itself). */
  error?: string;
}

/** Slots of the shared counters. */
export const NEXT = 0;
export const DONE = 1;
/** Set by the helper thread when its code has loaded and runs. */
export const STARTED = 2;
/** How long the build waits for a helper that says nothing before it does the helper's share itself. */
const PATIENCE_MS = 10 * 60_000;
/**
 * How long the build waits for a helper thread that has not started (its code did not load: a
 * missing or broken file) before it does the helper's share itself. Starting takes about 0.15 s.
 */
const START_PATIENCE_MS = 2_000;
/** How often the build looks whether a helper that has not started yet has. */
const LOOK_MS = 20;

/** The helper thread's code (compiled: dist/model/helper-worker.js). */
const HELPER_WORKER = new URL('./helper-worker.js', import.meta.url);

/**
 * Whether a helper thread can be started: its code is there (the TypeScript sources the tests
 * import have none).
 */
export function helperAvailable(): boolean {
  return existsSync(fileURLToPath(HELPER_WORKER));
}

/** Whether a build of `tree` starts a helper thread: it can, and the tree is large enough. */
export function wantsHelper(source: HelperSource, tree: SourceTree): boolean {
  const min = source.minPythonFiles ?? HELPER_AT_PYTHON_FILES;
  if (min > 0 && tree.listFiles().filter((f) => f.endsWith('.py')).length < min) return false;
  return helperAvailable();
}

/** The helper of one build; start it when the build has to read the tree (the cache did not keep the model). */
export class ModelHelper {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly counters = new Int32Array(new SharedArrayBuffer(12));
  private readonly started = performance.now();
  private shared = false;
  private results: HelperResults | undefined;
  /** See {@link HelperSource.shareAt}. */
  readonly shareAt: number;
  /** See {@link HelperSource.helperOnly}. */
  readonly helperOnly: boolean;

  /** `modules`, `diagnostics`: the build's, where what the helper did is noted and reported. */
  constructor(
    source: HelperSource,
    private readonly modules: ModuleIndex,
    private readonly diagnostics: DiagnosticBag,
  ) {
    this.shareAt = source.shareAt ?? SHARE_AT;
    this.helperOnly = source.helperOnly ?? false;
    // Two threads building side by side: V8 optimizes only what is really hot (worker-tier.ts).
    tuneForWorkers();
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(source.workerFile ?? HELPER_WORKER, {
      workerData: { source, port: port2, counters: this.counters.buffer },
      transferList: [port2],
    });
    // Never keeps the process alive: the build ends it (finish, dispose).
    this.worker.unref();
    // A helper that fails (its code does not load) is found out by finish(), which then leaves
    // its share to the build: nothing to do here but not let the failure end the process.
    this.worker.on('error', () => {});
  }

  /**
   * Hands the helper bundles of views to take its share of; returns the next bundle for the build
   * to analyse each time it is called, undefined when none is left. Called once.
   */
  share(bundles: readonly ViewWork[][]): () => number | undefined {
    this.shared = true;
    this.port.postMessage(bundles);
    return () => {
      const next = Atomics.add(this.counters, NEXT, 1);
      return next < bundles.length ? next : undefined;
    };
  }

  /**
   * Waits for the helper's results (once) and ends it; what it reported and read is the build's
   * from then on.
   */
  finish(): HelperResults {
    if (this.results) return this.results;
    if (!this.shared) this.share([]);
    let results: HelperResults | undefined;
    if (this.answered()) results = (receiveMessageOnPort(this.port)?.message as HelperResults | undefined) ?? undefined;
    this.dispose();
    this.results = results ?? { bundles: [], diagnostics: [], filesRead: [], error: 'the helper thread did not answer' };
    for (const d of this.results.diagnostics) this.diagnostics.add(d.code, d.message, d.file, d.line, d.level, d.operation);
    for (const f of this.results.filesRead) this.modules.filesRead.add(f);
    for (const b of this.results.bundles) helperStats.views += b.views.length;
    return this.results;
  }

  /**
   * Waits until the helper is done: true then; false when it has not started within
   * {@link START_PATIENCE_MS} of its creation or not finished within {@link PATIENCE_MS}.
   */
  private answered(): boolean {
    while (Atomics.load(this.counters, STARTED) === 0) {
      if (Atomics.load(this.counters, DONE) !== 0) return true;
      if (performance.now() - this.started > START_PATIENCE_MS) return false;
      Atomics.wait(this.counters, STARTED, 0, LOOK_MS);
    }
    return Atomics.wait(this.counters, DONE, 0, PATIENCE_MS) !== 'timed-out';
  }

  /**
   * The result of a computation the helper recorded, its lookups, anchors and diagnostics noted
   * in the build's recorder (for the computations around it, as if the build had made it).
   */
  use<T>(recorded: Recorded<unknown>): T {
    this.modules.recorder?.replay(recorded);
    return recorded.result as T;
  }

  /** The answers of CATMAID's API tests, read by the helper (or by `fallback` when it could not). */
  testedAnswers(fallback: () => RecordedAnswer[]): RecordedAnswer[] {
    const { apiTests } = this.finish();
    return apiTests ? this.use(apiTests) : fallback();
  }

  /** Ends the helper without waiting. */
  dispose(): void {
    void this.worker.terminate();
    this.port.close();
  }
}
