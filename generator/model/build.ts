/**
 * Model stage: builds the {@link RouteModel} from a source tree: its routes and mounts from the
 * URLconfs (urlconf-routes.ts), each view's operations (operation-cache.ts, operations.ts), what
 * CATMAID's API tests and `--observed` answers say they answer, operation ids, and provenance.
 * With a cache (generator/cache/), what did not change since another ref or run is not read again.
 *
 * Consumes: a {@link SourceTree}. Produces: a {@link RouteModel} (pure data, deterministic).
 */
import { createHash } from 'node:crypto';
import { DiagnosticBag } from '../diagnostics.js';
import type { FactStore } from '../cache/store.js';
import type { ExtensionSource } from '../source/extensions.js';
import { PROJECT_URLCONF } from '../source/open.js';
import { contentIdOf, type SourceTree } from '../source/types.js';
import { detectCatmaidVersion, VERSION_FILES } from '../source/version.js';
import { compareOptionalText, compareText } from '../util/compare.js';
import { generatorInfo } from '../util/package-info.js';
import { unmatchedAnswers, type RecordedAnswer } from './answers.js';
import { testedAnswers } from './api-test-answers.js';
import { ModelHelper, wantsHelper, type HelperSource } from './helper.js';
import { ModuleIndex } from './modules.js';
import { fillOperations } from './operation-cache.js';
import { assignOperationIds } from './operation-ids.js';
import { applyAnswers } from './response-evidence.js';
import { checkTestParameters } from './test-parameters.js';
import { SCHEMA_VERSION, type Mount, type Route, type RouteModel } from './types.js';
import { expandRoutes } from './urlconf-routes.js';

export interface BuildResult {
  model: RouteModel;
  /** Files read to build the model, sorted (for the benchmark's bare-parse comparison). */
  filesRead: string[];
}

/** What a build takes besides the tree. */
export interface BuildOptions {
  /** Answers a lab's server gave (`verify --record`, read by `generate --observed`): evidence of response types. */
  observed?: RecordedAnswer[];
  /**
   * The extensions installed beside CATMAID, in `--extension` order; their packages must be in
   * the tree (source/extensions.ts `WithExtensions`). Recorded as `source.extensions`.
   */
  extensions?: readonly ExtensionSource[];
  /**
   * Where to keep and find facts read from the tree, keyed by the content they were read from
   * (generator/cache/): what did not change since another ref or an earlier run is not read
   * again. Without it everything is computed; the model is the same either way.
   */
  cache?: FactStore;
  /**
   * Where the tree was opened from, for a helper thread that reads the API tests and analyses
   * views beside the build when it has to read the tree (model/helper.ts); without it, one thread.
   */
  helper?: HelperSource;
}

/** The model's routes and mounts: all of it but its provenance and diagnostics, kept whole by the cache. */
interface ModelBody {
  routes: Route[];
  mounts: Mount[];
}

/** Builds the route model of a CATMAID tree. */
export function buildRouteModel(tree: SourceTree, options: BuildOptions = {}): BuildResult {
  return build(tree, options, false)!;
}

/**
 * The route model of a tree when the cache holds it whole (nothing it read changed since), else
 * undefined: a check that costs listing the tree, for `diff` to skip its worker threads.
 */
export function keptRouteModel(tree: SourceTree, options: BuildOptions & { cache: FactStore }): RouteModel | undefined {
  return build(tree, options, true)?.model;
}

function build(tree: SourceTree, options: BuildOptions, keptOnly: boolean): BuildResult | undefined {
  const diagnostics = new DiagnosticBag();
  const modules = new ModuleIndex(tree, diagnostics, options.cache);
  const installed = (options.extensions ?? []).map((e) => e.name);
  // The whole body, when nothing it looked up changed (a warm cache, the same commit again); keyed
  // also by the project URLconf's content, which changes with nearly every release, and by the
  // answers of `--observed`.
  const key = JSON.stringify({
    installed,
    urlconf: options.cache ? contentIdOf(tree, PROJECT_URLCONF) : '',
    observed: options.observed?.length ? createHash('sha256').update(JSON.stringify(options.observed)).digest('hex') : '',
  });
  const kept = keptOnly ? modules.find<ModelBody>('model', key) : undefined;
  if (keptOnly && !kept) return undefined;
  const { routes, mounts } = kept?.result ?? modules.memo('model', key, () => buildBody(tree, modules, diagnostics, installed, options.observed ?? [], options.helper));

  // Kept by the content of the files it reads: no read of them when they did not change.
  const version = modules.memo('version', VERSION_FILES.map((f) => `${f} ${options.cache ? contentIdOf(tree, f) : ''}`).join('\n'), () => detectCatmaidVersion(tree) ?? null);
  const model: RouteModel = {
    schemaVersion: SCHEMA_VERSION,
    generator: generatorInfo(),
    source: {
      ...(tree.ref !== undefined ? { ref: tree.ref } : {}),
      ...(tree.commit !== undefined ? { commit: tree.commit } : {}),
      ...(releaseTag(tree.tags) !== undefined ? { tag: releaseTag(tree.tags)! } : {}),
      ...(tree.dirty ? { dirty: true } : {}),
      ...(version ? { catmaidVersion: version.version, catmaidVersionFile: version.file } : {}),
      ...(options.extensions?.length ? { extensions: options.extensions.map((e) => ({ ...e })) } : {}),
    },
    routes,
    mounts,
    diagnostics: diagnostics.sorted(),
  };
  return { model, filesRead: [...modules.filesRead].sort() };
}

/** The routes (with their operations, typed by the API tests' and `observed` answers) and mounts of a tree. */
function buildBody(tree: SourceTree, modules: ModuleIndex, diagnostics: DiagnosticBag, installed: string[], observed: readonly RecordedAnswer[], helperSource?: HelperSource): ModelBody {
  const helper = helperSource && wantsHelper(helperSource, tree) ? new ModelHelper(helperSource, modules, diagnostics) : undefined;
  try {
    return buildRoutes(tree, modules, diagnostics, installed, observed, helper);
  } finally {
    helper?.dispose();
  }
}

/** {@link buildBody}'s work, with the helper thread when there is one. */
function buildRoutes(tree: SourceTree, modules: ModuleIndex, diagnostics: DiagnosticBag, installed: string[], observed: readonly RecordedAnswer[], helper: ModelHelper | undefined): ModelBody {
  const { routes, mounts } = expandRoutes(tree, modules, diagnostics, installed);
  const open = fillOperations(routes, modules, diagnostics, helper);
  // What CATMAID's API tests say the operations answer (read by the helper, when there is one).
  const tested = helper ? helper.testedAnswers(() => testedAnswers(tree, modules, diagnostics)) : testedAnswers(tree, modules, diagnostics);
  for (const a of unmatchedAnswers(routes, tested)) {
    // A test that expects a 404 requests a path no route serves on purpose.
    if (a.status !== 404) diagnostics.add('test-url-unmatched', `${a.method} ${a.path} of an API test matches no route`, a.file, a.line);
  }
  checkTestParameters(routes, tested, (op) => open.has(op), diagnostics);
  applyAnswers(routes, [...tested, ...observed], diagnostics);
  assignOperationIds(routes, diagnostics);
  mounts.sort((a, b) => compareOptionalText(a.path, b.path) || compareText(a.target, b.target) || a.source.line - b.source.line);
  return { routes, mounts };
}

/** The tag to name a commit by: a dated release tag (`2021.12.21`, `r2015.1.15`) first, else the first. */
function releaseTag(tags: string[] | undefined): string | undefined {
  if (!tags?.length) return undefined;
  return tags.find((t) => /^r?\d{4}\.\d{1,2}\.\d{1,2}$/.test(t)) ?? tags[0];
}
