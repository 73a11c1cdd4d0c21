/**
 * Operation ids: stable across releases, unique across the model, readable.
 *
 * - A function view: its name in camelCase (`list_skeletons` → `listSkeletons`). GET and POST keep
 *   the bare name, except that a view answering both adds `Post` to the POST one; PUT, PATCH and
 *   DELETE always add the method (`forget_annotations` answering DELETE: `forgetAnnotationsDelete`).
 * - A class view: the method in lower case and the class name (`getSkeletonIdDetails`).
 * - A view in a sub-package of `catmaid.control` (the DVID and Janelia render back-ends) is
 *   prefixed with the package (`dvidProjects`).
 * - Two different views with the same id: every operation of both is qualified with the view's
 *   module's last name (`stack.stack_tags` → `stackStackTags`, `stackStackTagsPost`).
 * - Operations that still share an id (one view routed from several paths, or same-named views
 *   in modules of one name): the shortest path keeps the id; the others add `By` and the
 *   parameters only they have, or `At` and the path segments only they have.
 * - Anything still equal gets a numeric suffix in route order (and a diagnostic).
 * - An extension's operations get ids by the same rules among themselves, after CATMAID's own,
 *   each prefixed with the extension's name (`circuitmap` `fetch_synapses` →
 *   `circuitmapFetchSynapses`): CATMAID's ids do not change when an extension is installed.
 *
 * Consumes: routes with operations. Produces: `operationId` on every operation.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import { compareText } from '../util/compare.js';
import type { Operation, Route } from './types.js';

const words = (s: string) => s.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean);
const pascal = (s: string) => words(s).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
const camel = (s: string) => {
  const p = pascal(s);
  return p ? p[0]!.toLowerCase() + p.slice(1) : p;
};

/** The package prefix of a view module: `catmaid.control.dvid.project` → `dvid`. */
function packagePrefix(module: string): string {
  const m = /^catmaid\.control\.(.+)\.[^.]+$/.exec(module);
  return m ? camel(m[1]!) : '';
}

function baseId(route: Route, op: Operation, methods: Set<string>): string {
  const view = route.view;
  if (!view) return camel(`route ${route.path ?? route.order}`);
  let id: string;
  if (view.kind === 'class') {
    id = op.method.toLowerCase() + pascal(view.name);
  } else {
    const name = camel(view.name);
    const suffix = op.method === 'GET' || (op.method === 'POST' && !methods.has('GET')) ? '' : pascal(op.method.toLowerCase());
    id = name + suffix;
  }
  const prefix = packagePrefix(view.module);
  return prefix ? prefix + id[0]!.toUpperCase() + id.slice(1) : id;
}

/** An id qualified with its view's module's last name: `stack` + `tags` → `stackTags`. */
export function withModule(route: Route, id: string): string {
  const module = route.view?.module.split('.').pop() ?? '';
  return camel(module) + id[0]!.toUpperCase() + id.slice(1);
}

const viewKey = (r: Route) => (r.view ? `${r.view.module}.${r.view.name}` : `?${r.order}`);

export function assignOperationIds(routes: Route[], diagnostics: DiagnosticBag): void {
  // CATMAID's own operations first, by themselves: installing an extension never renames them.
  const taken = new Set<string>();
  assignIds(routes.filter((r) => r.extension === undefined), diagnostics, '', taken);
  const extensions = [...new Set(routes.flatMap((r) => (r.extension !== undefined ? [r.extension] : [])))].sort(compareText);
  for (const name of extensions) assignIds(routes.filter((r) => r.extension === name), diagnostics, camel(name), taken);
}

/**
 * Ids for one set of routes (CATMAID's, or one extension's, each of whose ids starts with the
 * extension's name: `circuitmapFetchSynapses`), unique among themselves and against `taken`.
 */
function assignIds(routes: Route[], diagnostics: DiagnosticBag, extensionPrefix: string, taken: Set<string>): void {
  // Methods each view answers, over all its routes (for the GET/POST rule).
  const viewMethods = new Map<string, Set<string>>();
  for (const r of routes) for (const op of r.operations) {
    const set = viewMethods.get(viewKey(r)) ?? new Set<string>();
    set.add(op.method);
    viewMethods.set(viewKey(r), set);
  }
  const prefixed = (id: string) => (extensionPrefix ? extensionPrefix + id[0]!.toUpperCase() + id.slice(1) : id);
  const items = routes.flatMap((route) => route.operations.map((op) => ({ route, op, id: prefixed(baseId(route, op, viewMethods.get(viewKey(route))!)) })));

  // Different views, same id: qualify every operation of each such view with its module's last
  // name, so that all methods of one view keep one naming.
  const qualified = new Set<string>();
  for (const same of group(items, (i) => i.id).values()) {
    if (new Set(same.map((i) => viewKey(i.route))).size < 2) continue;
    for (const i of same) qualified.add(viewKey(i.route));
  }
  for (const i of items) {
    if (qualified.has(viewKey(i.route))) i.id = withModule(i.route, i.id);
  }

  // Still one id for several operations (mostly one view at several paths): the shortest path keeps it.
  for (const same of group(items, (i) => i.id).values()) {
    if (same.length < 2) continue;
    same.sort((a, b) => (a.route.path ?? '').length - (b.route.path ?? '').length || compareText(a.route.path ?? '', b.route.path ?? ''));
    const primary = same[0]!.route;
    const primaryParams = new Set(primary.pathParams.map((p) => p.name));
    const primarySegments = new Set((primary.path ?? '').split('/'));
    for (const i of same.slice(1)) {
      const extraParams = i.route.pathParams.map((p) => p.name).filter((n) => !primaryParams.has(n));
      const extraSegments = (i.route.path ?? '').split('/').filter((s) => s && !s.startsWith('{') && !primarySegments.has(s));
      if (extraParams.length) i.id += 'By' + extraParams.map(pascal).join('And');
      else if (extraSegments.length) i.id += 'At' + extraSegments.map(pascal).join('');
    }
  }

  // Anything left, or an extension's id CATMAID's own operations have: numbered in route order.
  for (const i of items) {
    if (!taken.has(i.id)) continue;
    const old = i.id;
    let n = 2;
    while (taken.has(`${old}${n}`) || items.some((o) => o.id === `${old}${n}`)) n++;
    i.id = `${old}${n}`;
    diagnostics.add('operation-id-collision', `${i.op.method} ${i.route.path}: id ${old} is taken; named ${i.id}`, i.route.source.file, i.route.source.line);
  }
  for (const same of group(items, (i) => i.id).values()) {
    if (same.length < 2) continue;
    same.sort((a, b) => a.route.order - b.route.order);
    same.slice(1).forEach((i, n) => {
      const old = i.id;
      i.id = `${old}${n + 2}`;
      diagnostics.add('operation-id-collision', `${i.op.method} ${i.route.path}: id ${old} is taken by ${same[0]!.op.method} ${same[0]!.route.path}; named ${i.id}`, i.route.source.file, i.route.source.line);
    });
  }
  for (const i of items) {
    i.op.operationId = i.id;
    taken.add(i.id);
  }
}

function group<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
