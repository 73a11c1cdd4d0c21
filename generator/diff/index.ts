/**
 * Diff stage: two route models (an older and a newer CATMAID) → the changes of their API surface,
 * documented and volatile alike. Operations are matched by view and method first, then by path,
 * then by operation id, so that a moved route is one change, not a removal and an addition. Each
 * finding is classified `breaking`, `non-breaking` or `info` for a client of the older version.
 *
 * Consumes: two {@link RouteModel}s. Produces: an {@link ApiDiff} (plain data, sorted).
 */
import type { JsonValue, Operation, Parameter, Route, RouteModel } from '../model/types.js';
import { catmaidLabel } from '../emit/provenance.js';
import { compareText } from '../util/compare.js';
import { responseChanges, type ResponseChangeKind } from './responses.js';

export type Severity = 'breaking' | 'non-breaking' | 'info';
export type Section = 'Additions' | 'Modifications' | 'Deprecations' | 'Removals';

export type FindingKind =
  | 'operation-added'
  | 'operation-removed'
  | 'method-changed'
  | 'methods-restricted'
  | 'methods-widened'
  | 'path-changed'
  | 'operation-id-changed'
  | 'view-moved'
  | 'became-volatile'
  | 'became-documented'
  | 'deprecated'
  | 'parameter-added'
  | 'parameter-removed'
  | 'parameter-became-required'
  | 'parameter-became-optional'
  | 'parameter-type-changed'
  | 'parameter-location-changed'
  | 'enum-values-removed'
  | 'enum-values-added'
  | 'path-parameter-type-changed'
  | ResponseChangeKind
  | 'writes-changed';

/** One change of the API surface. */
export interface Finding {
  kind: FindingKind;
  severity: Severity;
  /** Where CATMAID's own changelog would list it. */
  section: Section;
  /** The operation is documented in the older or the newer version. */
  documented: boolean;
  /** Method and `{name}` path of the operation (the newer ones; the older ones for removals). */
  method: string;
  path: string;
  operationId: string;
  /** One sentence. */
  message: string;
  /** The parameter concerned, where there is one. */
  parameter?: string;
  /** The place in the answer a response change is at (a JSON pointer), where there is one. */
  at?: string;
  /** The CATMAID extension the operation belongs to (`/ext/<name>/`); absent for CATMAID's own. */
  extension?: string;
  from?: JsonValue;
  to?: JsonValue;
}

export interface ApiDiff {
  from: string;
  to: string;
  findings: Finding[];
  counts: { total: number; breaking: number; nonBreaking: number; info: number; documented: number };
}

interface Op {
  route: Route;
  op: Operation;
  view: string;
}

const SECTION_ORDER: Section[] = ['Additions', 'Modifications', 'Deprecations', 'Removals'];

function operationsOf(model: RouteModel): Op[] {
  const out: Op[] = [];
  for (const route of model.routes) {
    if (route.path === null) continue;
    for (const op of route.operations) out.push({ route, op, view: route.view ? `${route.view.module}.${route.view.name}` : `?${route.path}` });
  }
  return out;
}

/** Pairs older and newer operations: the same view and method at the same path, then elsewhere, then by id. */
function matchOperations(older: Op[], newer: Op[]) {
  const pairs: Array<[Op, Op]> = [];
  const left = new Set(older);
  const right = new Set(newer);
  const pass = (key: (o: Op) => string) => {
    const byKey = new Map<string, Op[]>();
    for (const n of right) byKey.set(key(n), [...(byKey.get(key(n)) ?? []), n]);
    for (const o of [...left]) {
      const candidates = byKey.get(key(o));
      const n = candidates?.find((c) => right.has(c));
      if (!n) continue;
      pairs.push([o, n]);
      left.delete(o);
      right.delete(n);
    }
  };
  pass((o) => `${o.view} ${o.op.method} ${o.route.path}`);
  pass((o) => `${o.view} ${o.op.method} ${o.op.operationId}`);
  pass((o) => `${o.view} ${o.op.method}`);
  pass((o) => `${o.op.operationId} ${o.op.method}`);
  // The same view at the same path answering another method: a method change.
  pass((o) => `${o.view} ${o.route.path}`);
  return { pairs, removed: [...left], added: [...right] };
}

export function diffModels(older: RouteModel, newer: RouteModel): ApiDiff {
  const { pairs, removed, added } = matchOperations(operationsOf(older), operationsOf(newer));
  const findings: Finding[] = [];
  const at = (o: Op, documented: boolean) => ({ method: o.op.method, path: o.route.path!, operationId: o.op.operationId, documented });

  for (const n of added) {
    findings.push({ kind: 'operation-added', severity: 'non-breaking', section: 'Additions', ...at(n, n.op.documented), message: n.op.summary ?? `Added (${n.op.documented ? 'documented' : 'volatile'}).` });
  }
  for (const o of removed) {
    findings.push({ kind: 'operation-removed', severity: 'breaking', section: 'Removals', ...at(o, o.op.documented), message: 'Removed.' });
  }
  for (const [o, n] of pairs) findings.push(...compareOperations(o, n));
  // What the view accepts is the route's, not one operation's: compared once per pair of routes.
  // A method change of one of its operations already says it.
  const seenRoutes = new Set<string>(pairs.filter(([o, n]) => o.op.method !== n.op.method).map(([o, n]) => `${o.route.order} ${n.route.order}`));
  for (const [o, n] of pairs) {
    const key = `${o.route.order} ${n.route.order}`;
    if (seenRoutes.has(key)) continue;
    seenRoutes.add(key);
    findings.push(...compareAccepted(o, n));
  }

  // Which extension an operation belongs to, by its path in either model.
  const extensionOf = new Map<string, string>();
  for (const r of [...older.routes, ...newer.routes]) if (r.extension !== undefined && r.path !== null) extensionOf.set(r.path, r.extension);
  for (const f of findings) {
    const extension = extensionOf.get(f.path);
    if (extension !== undefined) f.extension = extension;
  }
  findings.sort(
    (a, b) =>
      SECTION_ORDER.indexOf(a.section) - SECTION_ORDER.indexOf(b.section) ||
      compareText(a.path, b.path) ||
      compareText(a.method, b.method) ||
      compareText(a.kind, b.kind) ||
      compareText(a.parameter ?? '', b.parameter ?? '') ||
      compareText(a.at ?? '', b.at ?? '') ||
      compareText(a.message, b.message),
  );
  return {
    from: catmaidLabel(older.source),
    to: catmaidLabel(newer.source),
    findings,
    counts: {
      total: findings.length,
      breaking: findings.filter((f) => f.severity === 'breaking').length,
      nonBreaking: findings.filter((f) => f.severity === 'non-breaking').length,
      info: findings.filter((f) => f.severity === 'info').length,
      documented: findings.filter((f) => f.documented).length,
    },
  };
}

function compareOperations(o: Op, n: Op): Finding[] {
  const out: Finding[] = [];
  const documented = o.op.documented || n.op.documented;
  const add = (kind: FindingKind, severity: Severity, message: string, extra: Partial<Finding> = {}, section: Section = 'Modifications') =>
    out.push({ kind, severity, section, method: n.op.method, path: n.route.path!, operationId: n.op.operationId, documented, message, ...extra });

  if (o.op.method !== n.op.method) add('method-changed', 'breaking', `Method changed from ${o.op.method} to ${n.op.method}.`, { from: o.op.method, to: n.op.method });
  if (o.route.path !== n.route.path) add('path-changed', 'breaking', `Moved from \`${o.route.path}\`.`, { from: o.route.path, to: n.route.path });
  if (o.op.operationId !== n.op.operationId) {
    add('operation-id-changed', 'breaking', `Operation id changed from \`${o.op.operationId}\` (the client function is renamed).`, { from: o.op.operationId, to: n.op.operationId });
  }
  if (o.view !== n.view) add('view-moved', 'info', `Now served by \`${n.view}\` (was \`${o.view}\`).`, { from: o.view, to: n.view });
  if (o.op.documented && !n.op.documented) add('became-volatile', 'breaking', 'No longer documented: now volatile, subject to change without notice.');
  if (!o.op.documented && n.op.documented) add('became-documented', 'non-breaking', 'Now documented (listed on /apis/).');
  if (!o.op.deprecated && n.op.deprecated) add('deprecated', 'info', 'Deprecated.', {}, 'Deprecations');
  if (o.op.writes !== n.op.writes) add('writes-changed', 'info', n.op.writes ? 'Now recorded as a write in the history.' : 'No longer recorded as a write.');

  // Parameters, by name (path parameters among themselves).
  const key = (p: Parameter) => (p.in === 'path' ? `path:${p.name}` : p.name);
  const before = new Map(o.op.parameters.map((p) => [key(p), p]));
  const after = new Map(n.op.parameters.map((p) => [key(p), p]));
  for (const [k, p] of after) {
    const q = before.get(k);
    if (!q) {
      if (p.in === 'path') continue; // a new path part is a path change, reported above
      add('parameter-added', p.required ? 'breaking' : 'non-breaking', `${p.required ? 'Required' : 'Optional'} ${p.in} parameter \`${p.name}\` added.`, { parameter: p.name });
      continue;
    }
    if (p.in === 'path') {
      if (typeText(q) !== typeText(p)) add('path-parameter-type-changed', 'breaking', `Path parameter \`${p.name}\` is now ${typeText(p)} (was ${typeText(q)}).`, { parameter: p.name, from: typeText(q), to: typeText(p) });
      continue;
    }
    if (q.in !== p.in) add('parameter-location-changed', 'breaking', `Parameter \`${p.name}\` moved from the ${q.in} to the ${p.in}.`, { parameter: p.name, from: q.in, to: p.in });
    if (!q.required && p.required) add('parameter-became-required', 'breaking', `Parameter \`${p.name}\` is now required.`, { parameter: p.name });
    if (q.required && !p.required) add('parameter-became-optional', 'non-breaking', `Parameter \`${p.name}\` is now optional.`, { parameter: p.name });
    if (baseTypeText(q) !== baseTypeText(p)) add('parameter-type-changed', 'breaking', `Parameter \`${p.name}\` is now ${baseTypeText(p)} (was ${baseTypeText(q)}).`, { parameter: p.name, from: baseTypeText(q), to: baseTypeText(p) });
    const removedValues = (q.enum ?? []).filter((v) => !(p.enum ?? []).includes(v));
    const addedValues = (p.enum ?? []).filter((v) => !(q.enum ?? []).includes(v));
    if (q.enum && p.enum && removedValues.length) add('enum-values-removed', 'breaking', `Parameter \`${p.name}\` no longer accepts ${removedValues.map((v) => JSON.stringify(v)).join(', ')}.`, { parameter: p.name, from: q.enum, to: p.enum });
    if (q.enum && p.enum && addedValues.length) add('enum-values-added', 'non-breaking', `Parameter \`${p.name}\` also accepts ${addedValues.map((v) => JSON.stringify(v)).join(', ')}.`, { parameter: p.name, from: q.enum, to: p.enum });
  }
  for (const [k, q] of before) {
    if (after.has(k) || q.in === 'path') continue;
    add('parameter-removed', 'breaking', `${q.in[0]!.toUpperCase()}${q.in.slice(1)} parameter \`${q.name}\` removed.`, { parameter: q.name });
  }

  // Responses, where known: format and shape, place by place.
  for (const c of responseChanges(o.op.response, n.op.response)) {
    add(c.kind, c.kind === 'response-typed' ? 'info' : c.breaking ? 'breaking' : 'non-breaking', c.message, { ...(c.at ? { at: c.at } : {}), ...(c.from !== undefined ? { from: c.from } : {}), ...(c.to !== undefined ? { to: c.to } : {}) });
  }
  return out;
}

/**
 * The methods a view accepts: a restriction added (a method Django let through is refused now,
 * 405) is breaking for a client that sends it; a restriction lifted is not. Models written before
 * the accepted set existed have none, and nothing is said.
 */
function compareAccepted(o: Op, n: Op): Finding[] {
  const before = o.op.accepts?.methods;
  const after = n.op.accepts?.methods;
  if (!before || !after) return [];
  const at = { method: n.op.method, path: n.route.path!, operationId: n.op.operationId, documented: o.op.documented || n.op.documented, section: 'Modifications' as const };
  const text = (m: string[] | 'any') => (m === 'any' ? 'any method' : m.join(', '));
  if (before === 'any' && after === 'any') return [];
  if (before !== 'any' && after !== 'any') {
    const lost = before.filter((m) => !after.includes(m));
    const gained = after.filter((m) => !before.includes(m));
    const out: Finding[] = [];
    if (lost.length) out.push({ kind: 'methods-restricted', severity: 'breaking', ...at, message: `No longer accepts ${lost.join(', ')} (accepts ${text(after)}).`, from: before, to: after });
    if (gained.length) out.push({ kind: 'methods-widened', severity: 'non-breaking', ...at, message: `Also accepts ${gained.join(', ')} (accepts ${text(after)}).`, from: before, to: after });
    return out;
  }
  if (before === 'any') return [{ kind: 'methods-restricted', severity: 'breaking', ...at, message: `Accepts only ${text(after)} now (was any method).`, from: 'any', to: after }];
  return [{ kind: 'methods-widened', severity: 'non-breaking', ...at, message: `Accepts any method now (was ${text(before)}).`, from: before, to: 'any' }];
}

function baseTypeText(p: Parameter | { type: string; items?: { type: string } }): string {
  return p.type === 'array' ? `array of ${p.items?.type ?? 'unknown'}` : p.type;
}

function typeText(p: Parameter): string {
  return p.enum ? `one of ${p.enum.map((v) => JSON.stringify(v)).join(', ')}` : baseTypeText(p);
}


/**
 * The operations of two models that are the same operation (matched by view and method, then
 * path, then id, as the diff matches them): `[older, newer]` pairs, for keeping ids across
 * regenerations.
 */
export function pairOperations(older: RouteModel, newer: RouteModel): Array<{ older: Operation; newer: Operation; route: Route }> {
  return matchOperations(operationsOf(older), operationsOf(newer)).pairs.map(([o, n]) => ({ older: o.op, newer: n.op, route: n.route }));
}
