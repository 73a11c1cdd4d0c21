/**
 * Fills the operations of the routes view by view, each view's routes one computation that the
 * cache (generator/cache/) keeps: a view whose routes, code and helpers did not change between two
 * refs (or two runs) is not analysed again.
 *
 * A view's routes are the key, without what does not change what they answer: their resolution
 * order, their line in the URLconf, as a release that adds a route above them moves them down, and
 * the line of the view's definition (a kept result moves with a definition that moved unchanged:
 * cache/memo.ts). The URLconf line is in the answer (the evidence of path parameters, of a
 * URLconf's `api_view`), so a kept result holds it as a mark (`line: -1` for the view's first
 * route, `-2` for the second, …) that is replaced by the route's line of the ref at hand; the
 * diagnostics about the view are kept the same way. Everything else a view's analysis reads it
 * looks up through the {@link ModuleIndex}, which notes it.
 *
 * Consumes: sorted routes with resolved views, the {@link ModuleIndex}. Produces: `route.operations`
 * for the routes Django can serve, which operations may read parameters their list does not name,
 * and the diagnostics of the analysis.
 */
import { mapPlaces, visitPlaces } from '../cache/places.js';
import { DiagnosticBag, type Diagnostic } from '../diagnostics.js';
import type { ModelHelper, ViewWork } from './helper.js';
import type { ModuleIndex } from './modules.js';
import { OperationBuilder } from './operations.js';
import type { Operation, Route } from './types.js';

/** What one view's routes answer, as kept. */
interface ViewOperations {
  /** Per route of the view, in order: its operations, and which of them read unlisted parameters. */
  routes: Array<{ operations: Operation[]; open: boolean[] }>;
  diagnostics: Diagnostic[];
}

/**
 * Fills `route.operations` of every route Django can serve (a path, not shadowed); returns the
 * operations whose code may read parameters their list does not name.
 */
export function fillOperations(routes: readonly Route[], modules: ModuleIndex, diagnostics: DiagnosticBag, helper?: ModelHelper): WeakSet<Operation> {
  const open = new WeakSet<Operation>();
  const views = new Map<string, Route[]>();
  for (const route of routes) {
    if (route.path === null || route.shadowedBy !== undefined) continue;
    const key = route.view ? `${route.view.module}.${route.view.name}` : `?${route.order}`;
    const list = views.get(key) ?? [];
    list.push(route);
    views.set(key, list);
  }
  const fill = (group: Route[], kept: ViewOperations) => {
    group.forEach((route, i) => {
      const r = kept.routes[i]!;
      route.operations = restoreLines(r.operations, group);
      route.operations.forEach((op, k) => r.open[k] && open.add(op));
    });
    for (const d of restoreLines(kept.diagnostics, group)) diagnostics.add(d.code, d.message, d.file, d.line, d.level, d.operation);
  };
  // What the cache keeps first; then the views it does not, their modules read in one batch.
  const missed: ViewWork[] = [];
  for (const group of views.values()) {
    const key = JSON.stringify(
      group.map((r) => ({ ...r, operations: undefined, order: undefined, shadowedBy: undefined, source: { file: r.source.file }, view: r.view && { ...r.view, line: undefined } })),
    );
    const kept = modules.find<ViewOperations>('operations', key);
    if (kept) fill(group, kept.result);
    else missed.push({ group, key });
  }
  prefetchViews(missed, modules);
  const analyse = ({ group, key }: ViewWork) => fill(group, modules.keep('operations', key, () => analyseView(group, modules)));
  if (!helper || missed.length < helper.shareAt) {
    missed.forEach(analyse);
    return open;
  }
  // Shared with the helper thread, a view module at a time (the larger first), so that each
  // parses and reads a module once.
  const byModule = new Map<string, ViewWork[]>();
  for (const work of missed) {
    const module = work.group[0]!.view?.module ?? '';
    const bundle = byModule.get(module);
    if (bundle) bundle.push(work);
    else byModule.set(module, [work]);
  }
  const bundles = [...byModule.values()].sort((a, b) => b.length - a.length);
  const done = new Set<number>();
  const next = helper.share(bundles);
  for (let b = helper.helperOnly ? undefined : next(); b !== undefined; b = next()) {
    done.add(b);
    bundles[b]!.forEach(analyse);
  }
  const fin = helper.finish();
  for (const { index, views } of fin.bundles) {
    done.add(index);
    views.forEach((r, i) => fill(bundles[index]![i]!.group, helper.use<ViewOperations>(r)));
  }
  // What the helper took but could not finish.
  bundles.forEach((bundle, b) => done.has(b) || bundle.forEach(analyse));
  return open;
}

/**
 * Reads the modules of views to analyse, and those of their packages, in one batch
 * (ModuleIndex.prefetchModules): the build before it analyses, the helper thread before it takes
 * its share.
 */
export function prefetchViews(work: readonly ViewWork[], modules: ModuleIndex): void {
  modules.prefetchModules(work.flatMap(({ group }) => group.flatMap((r) => (r.view ? [`${r.view.module}.${r.view.name}`] : []))), true);
}

/** The operations of one view's routes, with the routes' lines marked. */
export function analyseView(group: Route[], modules: ModuleIndex): ViewOperations {
  const bag = new DiagnosticBag();
  const builder = new OperationBuilder(modules, bag);
  const routes = group.map((route) => {
    const operations = builder.operationsOf(route);
    return { operations: markLines(operations, group), open: operations.map((op) => builder.openParameters.has(op)) };
  });
  return { routes, diagnostics: markLines(bag.sorted(), group) };
}

/** A copy with every `{ file, line }` at a route's own place given that route's mark. */
function markLines<T>(value: T, group: readonly Route[]): T {
  return mapPlaces(value, (file, line) => {
    const i = group.findIndex((r) => r.source.file === file && r.source.line === line);
    return i < 0 ? line : -(i + 1);
  });
}

/**
 * Every mark replaced by its route's line, in place: `value` is the caller's own (parsed from the
 * cache's text, or the copy {@link markLines} made).
 */
function restoreLines<T>(value: T, group: readonly Route[]): T {
  visitPlaces(value, (_, line) => (line < 0 ? group[-line - 1]!.source.line : line));
  return value;
}
