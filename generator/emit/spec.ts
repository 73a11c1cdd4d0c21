/**
 * What the generated runtime needs to call one operation (`OperationSpec` in templates/runtime.ts),
 * built from the route model. Shared by the SDK emitter, which prints it into each function, and
 * by `verify`, which calls operations with the same runtime.
 */
import type { Operation, Parameter, Route } from '../model/types.js';

export interface OperationSpecData {
  method: Operation['method'];
  paths: string[];
  params: Array<{ name: string; key?: string; in: Parameter['in']; style?: 'indexed' | 'repeated' }>;
  response: 'json' | 'text' | 'blob' | 'response';
  writes: boolean;
  tokenPermission?: string;
}

/** Names an object literal already has through `Object.prototype`; a parameter may not use them as keys. */
const OBJECT_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * The keys of the call's parameter object: the wire names, except where two parameters share one
 * (path and query) or a name is a member every object has (`constructor`, `__proto__`).
 */
export function parameterKeys(params: Parameter[]): string[] {
  const seen = new Set<string>();
  return params.map((p) => {
    let key = OBJECT_MEMBERS.has(p.name) ? `${p.name}_` : p.name;
    if (seen.has(key)) key = `${p.name}_${p.in}`;
    for (let n = 2; seen.has(key); n++) key = `${p.name}_${p.in}${n}`;
    seen.add(key);
    return key;
  });
}

/** How the runtime reads a successful answer. */
export function responseKind(route: Route, op: Operation): OperationSpecData['response'] {
  const format = op.response?.format;
  if (format === 'json') return 'json';
  if (format === 'text' || format === 'html') return 'text';
  if (format === 'binary') return 'blob';
  if (format === 'unknown') return 'response';
  // Nothing recognised: views of the tree answer JSON by CATMAID's convention; others are unknown.
  return route.view?.file ? 'json' : 'response';
}

/**
 * `can_annotate_with_token` when CATMAID's `requires_user_role` asks it of token-authenticated
 * calls: the roles required do not include Browse (`contains_read_roles`), e.g. `[Annotate]`.
 */
export function tokenPermission(op: Operation): string | undefined {
  const roles = op.permissions.filter((p) => p.kind === 'project-role' && p.roles?.length);
  return roles.length > 0 && roles.every((p) => !p.roles!.some((r) => r.toLowerCase() === 'browse')) ? 'can_annotate_with_token' : undefined;
}

export function operationSpec(route: Route, op: Operation): OperationSpecData {
  const keys = parameterKeys(op.parameters);
  const permission = tokenPermission(op);
  return {
    method: op.method,
    paths: route.variants ?? [route.path!],
    params: op.parameters.map((p, i) => ({ name: p.name, ...(keys[i] !== p.name ? { key: keys[i]! } : {}), in: p.in, ...(p.style ? { style: p.style } : {}) })),
    response: responseKind(route, op),
    // What the model knows changes data; a POST that only reads may be retried.
    writes: op.writes || !!op.changesData || (op.method !== 'GET' && op.method !== 'POST'),
    ...(permission ? { tokenPermission: permission } : {}),
  };
}

/**
 * The area an operation belongs to, as CATMAID's `/apis/` page groups them and OpenAPI tags them:
 * the view's control module (`skeleton`, `dvid.stack`), another `catmaid.` module, an extension's
 * `ext/<name>`, else `other`.
 */
export function areaOf(route: Route): string {
  if (route.extension !== undefined) return `ext/${route.extension}`;
  const module = route.view?.module ?? '';
  const m = /^catmaid\.control\.(.+)$/.exec(module);
  return m ? m[1]! : module.startsWith('catmaid.') ? module.slice('catmaid.'.length) : 'other';
}
