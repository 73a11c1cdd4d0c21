/**
 * Model stage, URLconfs to routes: starts at the project URLconf, follows `include()` into the
 * URLconfs of the tree (joining prefixes, keeping conditions and namespaces; CATMAID's loop over
 * `settings.INSTALLED_EXTENSIONS` once per installed extension), turns every regex into a typed
 * path template, and resolves every view to its definition. External includes become mounts.
 * Routes are sorted here and only here.
 *
 * Consumes: the {@link ModuleIndex} of a tree. Produces: sorted {@link Route}s (operations still
 * empty), {@link Mount}s and diagnostics.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { UrlEntry, ViewExpr } from '../parse/urlconf.js';
import { APP_URLCONF, PROJECT_URLCONF } from '../source/open.js';
import { SourceReadError, type SourceTree } from '../source/types.js';
import { UsageError } from '../errors.js';
import { compareOptionalText, compareText } from '../util/compare.js';
import type { ModuleFile, ModuleIndex } from './modules.js';
import { resolveName } from './resolve-name.js';
import { analyseRegex, joinRegexParts, RegexSyntaxError, routeToRegex } from './regex.js';
import type { Mount, Route, ViewRef } from './types.js';

/** Where an entry sits: the prefixes, conditions and namespace of every enclosing include. */
interface Scope {
  /** Regexes of the enclosing includes; null once one of them could not be evaluated. */
  prefixes: string[] | null;
  conditions: string[];
  loops: string[];
  namespace?: string;
  /** URLconf modules being expanded, outermost first, to detect include cycles. */
  stack: string[];
  /** Why the prefix is unknown. */
  dynamic?: string;
  /** The extension whose URLconf this is (below `^ext/<name>/`). */
  extension?: string;
  /** The extensions installed (`--extension`), for CATMAID's loop over `settings.INSTALLED_EXTENSIONS`. */
  installed?: readonly string[];
  /** The extensions mounted so far (shared by the whole expansion). */
  mountedExtensions?: Set<string>;
}

interface PendingRoute {
  entry: UrlEntry;
  scope: Scope;
}

/** The routes (sorted, shadowed ones marked) and mounts of a tree, from its project URLconf. */
export function expandRoutes(tree: SourceTree, modules: ModuleIndex, diagnostics: DiagnosticBag, installed: string[]): { routes: Route[]; mounts: Mount[] } {
  tree.prefetch([PROJECT_URLCONF, APP_URLCONF]);
  const pending: PendingRoute[] = [];
  const mounts: Mount[] = [];
  const root = modules.byFile(PROJECT_URLCONF) ?? modules.byFile(APP_URLCONF);
  if (root) {
    assertReadable(tree, root.file);
    if (root.file !== PROJECT_URLCONF) {
      diagnostics.add('module-not-found', `no ${PROJECT_URLCONF}; starting at ${root.file}`, root.file, null, 'warning');
    }
    const mountedExtensions = new Set<string>();
    expandUrlconf(root, { prefixes: [], conditions: [], loops: [], stack: [], ...(installed.length ? { installed, mountedExtensions } : {}) }, modules, diagnostics, pending, mounts);
    for (const name of installed) {
      if (!mountedExtensions.has(name)) {
        diagnostics.add('extension-not-mounted', `this CATMAID's URLconf has no loop over settings.INSTALLED_EXTENSIONS: extension '${name}' is not served`, root.file, null);
      }
    }
  }

  modules.prefetchModules(pending.map((p) => p.entry.view?.qname).filter((q): q is string => !!q));
  const routes = pending.map((p, order) => toRoute(p, order, modules, diagnostics));
  markShadowed(routes, diagnostics);
  routes.sort(compareRoutes);
  return { routes, mounts };
}

/** The URLconf everything starts from must be readable; without it there is no model to speak of. */
function assertReadable(tree: SourceTree, file: string): void {
  try {
    tree.read(file);
  } catch (e) {
    if (e instanceof SourceReadError) throw new UsageError(e.message);
    throw e;
  }
}

/** Expands the `urlpatterns` of one URLconf module into pending routes and mounts. */
function expandUrlconf(
  module: ModuleFile,
  scope: Scope,
  modules: ModuleIndex,
  diagnostics: DiagnosticBag,
  pending: PendingRoute[],
  mounts: Mount[],
): void {
  const facts = modules.urlconf(module);
  if (!facts) return;
  const inner: Scope = { ...scope, stack: [...scope.stack, module.module], ...(scope.namespace === undefined && facts.appName ? { namespace: facts.appName } : {}) };
  expandEntries(facts.entries, inner, modules, diagnostics, pending, mounts);
}

function expandEntries(
  entries: UrlEntry[],
  scope: Scope,
  modules: ModuleIndex,
  diagnostics: DiagnosticBag,
  pending: PendingRoute[],
  mounts: Mount[],
): void {
  for (const entry of entries) {
    const here: Scope = { ...scope, conditions: [...scope.conditions, ...entry.conditions], loops: [...scope.loops, ...entry.loops] };
    if (entry.kind === 'pattern') {
      pending.push({ entry, scope: here });
      continue;
    }
    // An include: its own pattern is a prefix of everything below it.
    const prefix = entryRegex(entry, false, diagnostics);
    const prefixes = here.prefixes && prefix !== null && !entry.symbolic ? [...here.prefixes, prefix] : null;
    const dynamic = here.dynamic ?? (prefixes ? undefined : entry.symbolic ? `prefix built from ${entry.loops.join(', ')}` : entry.patternProblem?.reason ?? 'prefix not evaluable');
    const child: Scope = { ...here, prefixes, ...(dynamic ? { dynamic } : {}), ...(entry.namespace ? { namespace: entry.namespace } : {}) };
    const target = entry.target!;
    const mount = (targetName: string, reason: string): void => {
      const regex = here.prefixes && prefix !== null ? joinRegexParts([...here.prefixes, prefix]) : null;
      mounts.push({
        path: regex !== null ? mountPath(regex) : entry.symbolic && prefix ? mountPath(prefix) : null,
        regex: entry.symbolic ? null : regex,
        target: targetName,
        ...(entry.namespace ? { namespace: entry.namespace } : {}),
        ...(here.conditions.length ? { conditional: here.conditions.join(' and ') } : {}),
        ...(here.loops.length ? { loops: here.loops } : {}),
        reason,
        source: { file: entry.file, line: entry.line },
      });
    };
    switch (target.kind) {
      case 'patterns':
        expandEntries(target.entries, child, modules, diagnostics, pending, mounts);
        break;
      case 'unknown':
        diagnostics.add(target.dynamic ? 'dynamic-urlpatterns' : 'urlconf-unevaluated', `include() of ${target.reason} cannot be followed`, entry.file, entry.line);
        mount('?', `include target not evaluable: ${target.reason}`);
        break;
      case 'module':
      case 'ref': {
        const name = target.kind === 'module' ? target.module : target.qname;
        if (target.kind === 'module' && target.symbolic) {
          const loop = extensionLoop(here.loops);
          if (loop && here.installed?.length) {
            // CATMAID's `for extension in settings.INSTALLED_EXTENSIONS`: each installed one.
            mountExtensions(entry, name, prefix, loop, here, modules, diagnostics, pending, mounts);
            break;
          }
          diagnostics.add('dynamic-urlpatterns', `include('${name}') is computed by ${here.loops.join(', ') || 'a loop'}; listed as a mount`, entry.file, entry.line);
          mount(name, `computed at run time (${here.loops.join(', ')})`);
          break;
        }
        const m = modules.get(name);
        if (m) {
          if (child.stack.includes(m.module)) {
            diagnostics.add('include-cycle', `include('${name}') leads back to ${child.stack.join(' → ')}`, entry.file, entry.line);
          } else {
            expandUrlconf(m, child, modules, diagnostics, pending, mounts);
          }
        } else if (target.kind === 'module' && modules.ownsPackageOf(name)) {
          diagnostics.add('include-not-found', `include('${name}'): no such module in the tree`, entry.file, entry.line);
          mount(name, 'module not found in the tree');
        } else {
          mount(name, 'outside the source tree');
        }
        break;
      }
    }
  }
}

/** `for <variable> in settings.INSTALLED_EXTENSIONS` among an entry's loops. */
function extensionLoop(loops: readonly string[]): { variable: string; loop: string } | undefined {
  for (const loop of loops) {
    const m = /^for ([A-Za-z_]\w*) in settings\.INSTALLED_EXTENSIONS$/.exec(loop);
    if (m) return { variable: m[1]!, loop };
  }
  return undefined;
}

/**
 * CATMAID's extension include, `url(r'^ext/{}/'.format(extension), include('{}.urls'.format(extension)))
 * for extension in settings.INSTALLED_EXTENSIONS`, for each installed extension: the loop variable
 * is its name in the prefix and the module, and its URLconf is expanded like CATMAID's own.
 */
function mountExtensions(
  entry: UrlEntry,
  symbolicModule: string,
  symbolicPrefix: string | null,
  loop: { variable: string; loop: string },
  here: Scope,
  modules: ModuleIndex,
  diagnostics: DiagnosticBag,
  pending: PendingRoute[],
  mounts: Mount[],
): void {
  const placeholder = `{${loop.variable}}`;
  for (const name of here.installed ?? []) {
    const bind = (text: string) => text.split(placeholder).join(name);
    const moduleName = bind(symbolicModule);
    const prefix = symbolicPrefix === null ? null : bind(symbolicPrefix);
    const loops = here.loops.filter((l) => l !== loop.loop);
    const unbound = /\{[A-Za-z_]\w*\}/.test(moduleName) || (prefix !== null && /\{[A-Za-z_]\w*\}/.test(prefix));
    const prefixes = here.prefixes && prefix !== null && !unbound ? [...here.prefixes, prefix] : null;
    const child: Scope = {
      ...here,
      loops,
      prefixes,
      extension: name,
      ...(prefixes ? {} : { dynamic: here.dynamic ?? `prefix built from ${loops.join(', ') || 'a run-time value'}` }),
      ...(entry.namespace ? { namespace: entry.namespace } : {}),
    };
    here.mountedExtensions?.add(name);
    const m = modules.get(moduleName);
    if (!m) {
      diagnostics.add('include-not-found', `extension '${name}' has no URLconf ${moduleName}`, entry.file, entry.line);
      continue;
    }
    if (child.stack.includes(m.module)) {
      diagnostics.add('include-cycle', `include('${moduleName}') leads back to ${child.stack.join(' → ')}`, entry.file, entry.line);
      continue;
    }
    expandUrlconf(m, child, modules, diagnostics, pending, mounts);
  }
}

/** An include prefix as a path template: `^admin/` → `/admin/`. */
function mountPath(regex: string): string {
  try {
    return analyseRegex(regex).path;
  } catch {
    return '/' + regex.replace(/^\^/, '');
  }
}

/** The regex of an entry: as written for `url()`, compiled for `path()`; null when not evaluable. */
function entryRegex(entry: UrlEntry, isEndpoint: boolean, diagnostics: DiagnosticBag): string | null {
  if (entry.pattern === null) return null;
  if (entry.patternType === 'regex') return entry.pattern;
  const { regex, problems } = routeToRegex(entry.pattern, isEndpoint);
  for (const p of problems) diagnostics.add('invalid-regex', p, entry.file, entry.line);
  return regex;
}

function toRoute(p: PendingRoute, order: number, modules: ModuleIndex, diagnostics: DiagnosticBag): Route {
  const { entry, scope } = p;
  const own = entryRegex(entry, true, diagnostics);
  let regex: string | null = null;
  let dynamic = scope.dynamic;
  let problem: string | undefined;
  if (own === null) {
    const why = entry.patternProblem;
    if (why?.dynamic) {
      dynamic ??= `regex depends on ${why.reason}`;
      diagnostics.add('dynamic-regex', `regex depends on ${why.reason}; route kept without a path`, entry.file, entry.line);
    } else {
      problem = `regex not evaluable: ${why?.reason ?? 'unknown'}`;
      diagnostics.add('urlconf-unevaluated', `regex cannot be evaluated: ${why?.reason ?? 'unknown'}`, entry.file, entry.line);
    }
  } else if (entry.symbolic) {
    dynamic ??= `generated by ${scope.loops.join(', ')}`;
  } else if (scope.prefixes) {
    regex = joinRegexParts([...scope.prefixes, own]);
  }

  let path: string | null = null;
  let variants: string[] | undefined;
  let pathParams: Route['pathParams'] = [];
  let prefixMatch = false;
  if (regex !== null) {
    try {
      const analysis = analyseRegex(regex);
      path = analysis.path;
      variants = analysis.variants;
      pathParams = analysis.params;
      prefixMatch = analysis.prefixMatch;
      for (const piece of analysis.untemplatable) {
        diagnostics.add('regex-not-templatable', `${piece} in ${regex} is kept in the path template as written`, entry.file, entry.line);
      }
    } catch (e) {
      if (!(e instanceof RegexSyntaxError)) throw e;
      diagnostics.add('invalid-regex', `${regex}: ${e.message} (Python's re would reject it)`, entry.file, entry.line);
      problem = `invalid regex ${regex}: ${e.message}`;
      regex = null;
    }
  }
  const view = entry.view ? resolveViewReference(entry.view, entry, modules, diagnostics) : null;
  const route: Route = {
    path,
    ...(variants ? { variants } : {}),
    regex,
    pathParams,
    projectScoped: pathParams.some((x) => x.name === 'project_id'),
    prefixMatch,
    patternType: entry.patternType,
    ...(scope.conditions.length ? { conditional: scope.conditions.join(' and ') } : {}),
    ...(scope.loops.length ? { loops: scope.loops } : {}),
    ...(dynamic !== undefined ? { dynamic } : {}),
    ...(problem !== undefined ? { problem } : {}),
    ...(scope.extension !== undefined ? { extension: scope.extension } : {}),
    ...(entry.name !== undefined ? { urlName: entry.name } : {}),
    ...(scope.namespace !== undefined ? { namespace: scope.namespace } : {}),
    ...(Object.keys(entry.kwargs).length ? { defaults: entry.kwargs } : {}),
    view,
    wrappers: (entry.view?.wrappers ?? []).map((w) => ({ name: w.qname, args: w.args })),
    order,
    source: { file: entry.file, line: entry.line },
    operations: [],
  };
  return route;
}

/**
 * Resolves the view a URLconf names (a dotted reference, a `'module.view'` string, a class's
 * `as_view()`, or a view factory's result) to where it is defined.
 */
export function resolveViewReference(view: ViewExpr, entry: UrlEntry, modules: ModuleIndex, diagnostics: DiagnosticBag): ViewRef | null {
  if (view.qname === null) {
    diagnostics.add('view-unresolved', `view expression not understood: ${view.problem ?? 'unknown'}`, entry.file, entry.line);
    return null;
  }
  let qname = view.qname;
  if (view.starCandidates) {
    const hit = [...view.starCandidates].reverse().find((m) => {
      const r = resolveName(modules, `${m}.${qname}`);
      return r.kind === 'definition';
    });
    if (hit) qname = `${hit}.${qname}`;
  }
  const extras: Partial<ViewRef> = {
    ...(view.asView ? { initkwargs: view.asView } : {}),
    ...(view.factoryCall ? { factoryCall: true } : {}),
  };
  if (view.unbound || (view.starCandidates && qname === view.qname)) {
    // Python would look the name up in the URLconf module itself, and fail.
    diagnostics.add('view-not-found', `name '${qname}' is not defined in ${entry.file}`, entry.file, entry.line);
    const urlconf = modules.byFile(entry.file);
    return { module: urlconf?.module ?? '', name: qname, kind: 'unknown', file: null, line: null, ...extras };
  }
  const resolved = resolveName(modules, qname);
  switch (resolved.kind) {
    case 'definition': {
      const d = resolved.definition;
      return {
        module: resolved.module.module,
        name: d.name,
        kind: d.kind === 'assignment' ? 'unknown' : d.kind,
        file: resolved.module.file,
        line: d.line,
        ...extras,
      };
    }
    case 'external':
      return {
        module: resolved.moduleName,
        name: resolved.name,
        kind: view.asView || /^[A-Z]/.test(resolved.name) ? 'class' : 'function',
        file: null,
        line: null,
        external: true,
        ...extras,
      };
    case 'missing':
      diagnostics.add(resolved.moduleMissing ? 'module-not-found' : 'view-not-found', `view ${qname}: ${resolved.reason}`, entry.file, entry.line);
      return { module: resolved.moduleName, name: resolved.name, kind: 'unknown', file: resolved.module?.file ?? null, line: null, ...extras };
    case 'module': {
      diagnostics.add('view-not-found', `view ${qname} is a module, not a view`, entry.file, entry.line);
      const parts = qname.split('.');
      return { module: parts.slice(0, -1).join('.'), name: parts[parts.length - 1]!, kind: 'unknown', file: resolved.module.file, line: null, ...extras };
    }
  }
}

/** Marks routes whose regex an earlier, unconditional route (or one under the same condition) already has. */
function markShadowed(routes: Route[], diagnostics: DiagnosticBag): void {
  const first = new Map<string, Route>();
  for (const r of routes) {
    if (r.regex === null) continue;
    const earlier = first.get(r.regex);
    if (!earlier) {
      first.set(r.regex, r);
      continue;
    }
    if (earlier.conditional === undefined || earlier.conditional === r.conditional) {
      r.shadowedBy = earlier.order;
      const by = earlier.view ? `${earlier.view.module}.${earlier.view.name}` : 'an unresolved view';
      diagnostics.add('route-shadowed', `${r.path ?? r.regex} is served by ${by} (${earlier.source.file}:${earlier.source.line}) first`, r.source.file, r.source.line);
    }
  }
}

const viewKey = (r: Route) => (r.view ? `${r.view.module}.${r.view.name}` : '');

/** Routes by path (dynamic ones last), then regex, then view, then resolution order. */
export function compareRoutes(a: Route, b: Route): number {
  if ((a.path === null) !== (b.path === null)) return a.path === null ? 1 : -1;
  return (
    compareOptionalText(a.path, b.path) ||
    compareOptionalText(a.regex, b.regex) ||
    compareText(viewKey(a), viewKey(b)) ||
    a.order - b.order
  );
}
