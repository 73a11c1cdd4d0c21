/**
 * The accepted-methods probe of `verify`: Django answers a method a view does not accept with 405
 * and an `Allow` header before the view runs (`require_http_methods`, a class view's
 * `http_method_not_allowed`, REST framework's `APIView`). So one request per route with a method
 * outside the model's `accepts.methods` checks that set against the server: 405, and an `Allow`
 * with the same methods. Where the model says `any` (nothing restricts the methods), a GET view
 * that only reads is sent PATCH with its query and must not answer 405: the view ran.
 *
 * Nothing is sent that verify would not send anyway: a probe reuses the parameters of an operation
 * verify called and whose answer came from the view, and a probe that the model says reaches the
 * view (`any`) goes only to routes where no operation writes.
 */
import { operationSpec, type OperationSpecData } from '../emit/spec.js';
import type { Operation, Route, RouteModel } from '../model/types.js';
import type { LoadedRuntime } from './runtime.js';

/** Methods a probe is sent with, in the order tried: the first the route does not accept. */
export const PROBE_METHODS = ['PATCH', 'PUT', 'DELETE', 'POST'] as const;
export type ProbeMethod = (typeof PROBE_METHODS)[number];

/** Methods in the order the model lists them; others after, alphabetically. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The accepted-methods check of one route, reported on the operation whose call it reused. */
export interface AcceptsResult {
  /** The model's `accepts.methods`. */
  expected: string[] | 'any';
  /** The method sent; absent when the route was not probed (`reason` says why). */
  probe?: ProbeMethod;
  /** HTTP status of the answer. */
  status?: number;
  /** The methods of the answer's `Allow` header, upper case, in the model's order. */
  allow?: string[];
  /** The server agrees with the model; absent when the answer says nothing either way (401/403, a gateway error, no answer). */
  agrees?: boolean;
  /** Wall time of the probe in milliseconds. */
  ms?: number;
  /** Why it disagrees, is inconclusive, or was not probed. */
  reason?: string;
}

/** The methods of an `Allow` header: upper case, without duplicates, in the model's order. */
export function parseAllow(header: string | null | undefined): string[] | undefined {
  if (header === null || header === undefined) return undefined;
  return sortMethods(header.split(',').map((m) => m.trim().toUpperCase()).filter(Boolean));
}

function sortMethods(methods: Iterable<string>): string[] {
  const rank = (m: string) => (METHOD_ORDER.indexOf(m) + METHOD_ORDER.length + 1) % (METHOD_ORDER.length + 1);
  return [...new Set(methods)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The first of PATCH, PUT, DELETE, POST a route does not accept; undefined when it accepts all. */
export function probeMethod(accepted: string[]): ProbeMethod | undefined {
  const upper = new Set(accepted.map((m) => m.toUpperCase()));
  return PROBE_METHODS.find((m) => !upper.has(m));
}

/** What the server's answer says about the model's set: agreement, or the difference. */
export function judgeProbe(expected: string[] | 'any', probe: ProbeMethod, status: number, allowHeader: string | null | undefined): Pick<AcceptsResult, 'allow' | 'agrees' | 'reason'> {
  const allow = parseAllow(allowHeader);
  const out: Pick<AcceptsResult, 'allow' | 'agrees' | 'reason'> = allow ? { allow } : {};
  const shown = allow ? allow.join(', ') : 'no Allow header';
  // A refusal (CSRF, authentication, a permission decorator outside the method check) or a proxy's
  // answer says nothing about the methods.
  if (status === 401 || status === 403) return { ...out, reason: `${probe} was refused with ${status} before the method was judged` };
  if (isGatewayStatus(status)) return { ...out, reason: `${probe} answered ${status} (a gateway, not the view)` };
  if (expected === 'any') {
    if (status === 405) return { ...out, agrees: false, reason: `${probe} answered 405 (${shown}): something restricts the methods the model says are unrestricted` };
    return { ...out, agrees: true };
  }
  const model = sortMethods(expected.map((m) => m.toUpperCase()));
  if (status === 405) {
    if (!allow) return { ...out, reason: `${probe} answered 405 without an Allow header` };
    const onlyServer = allow.filter((m) => !model.includes(m));
    const onlyModel = model.filter((m) => !allow.includes(m));
    if (onlyServer.length === 0 && onlyModel.length === 0) return { ...out, agrees: true };
    const diff = [onlyServer.length ? `server also allows ${onlyServer.join(', ')}` : '', onlyModel.length ? `server does not allow ${onlyModel.join(', ')}` : ''].filter(Boolean).join('; ');
    return { ...out, agrees: false, reason: `Allow: ${shown}; the model says ${model.join(', ')} (${diff})` };
  }
  return { ...out, agrees: false, reason: `${probe} reached the view (${status}) although the model says only ${model.join(', ')}` };
}

/** Answers of a proxy in front of Django rather than of Django itself. */
function isGatewayStatus(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/** A route's Python regex as a JavaScript one (named groups, `\A`, `\Z`); undefined when it does not compile. */
function jsRegex(regex: string): RegExp | undefined {
  const source = regex.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\Z/g, '$').replace(/\\A/g, '^');
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

const compiled = new WeakMap<Route, RegExp | null>();

/**
 * The route Django serves a path with (relative to the server's root, no leading `/`, decoded),
 * by the model: the first in resolution order whose regex matches, as Django's `re.search`.
 * Undefined when a route before it cannot be evaluated (its regex depends on settings).
 */
export function resolveRoute(model: RouteModel, path: string): Route | undefined {
  const ordered = [...model.routes].sort((a, b) => a.order - b.order);
  for (const route of ordered) {
    if (route.regex === null) {
      if (route.dynamic || route.problem) return undefined;
      continue;
    }
    let re = compiled.get(route);
    if (re === undefined) {
      re = jsRegex(route.regex) ?? null;
      compiled.set(route, re);
    }
    if (re === null) return undefined;
    if (re.test(path)) return route;
  }
  return undefined;
}

/** How a route is named in a reason: its path, its place in Django's order, its view. */
export function describeRoute(route: Route): string {
  return `${route.path ?? route.regex ?? '?'} (order ${route.order}${route.view ? `, ${route.view.module}.${route.view.name}` : ''})`;
}

/**
 * The operation of a route a probe reuses, among those verify called and whose answer came from
 * the view (`reached`), or why the route is not probed. For a restricted set: a GET one first,
 * then one that only reads. For `any`: only a GET operation, and only where no operation of the
 * route may write (`writeReason`): the probe then reaches the view, and only a GET view reads the
 * same parameters (the query string) whatever the method — Django fills `request.POST` for POST
 * alone.
 */
export function chooseProbe(
  route: Route,
  reached: Operation[],
  writeReason: (route: Route, op: Operation) => string | undefined,
): { op: Operation; method: ProbeMethod } | { reason: string } | undefined {
  if (reached.length === 0) return undefined;
  const accepts = reached[0]!.accepts;
  if (!accepts) return { reason: 'the model has no accepted methods for this route' };
  if (accepts.methods === 'any') {
    const writes = route.operations.map((o) => writeReason(route, o)).find((w) => w !== undefined);
    if (writes) return { reason: `accepts any method; not probed, as it may write: ${writes}` };
    const get = reached.find((o) => o.method === 'GET');
    if (!get) return { reason: 'accepts any method; not probed: only a GET view reads its parameters whatever the method' };
    return { op: get, method: 'PATCH' };
  }
  const method = probeMethod(accepts.methods);
  if (!method) return { reason: `accepts ${accepts.methods.join(', ')}: no method is left to probe with` };
  const op = reached.find((o) => o.method === 'GET') ?? reached.find((o) => !writeReason(route, o)) ?? reached[0]!;
  return { op, method };
}

/**
 * The spec of a probe: the operation's path and parameters, sent with `method`, every parameter
 * in the query string and no body, read as a raw response and never retried.
 */
export function probeSpec(route: Route, op: Operation, method: ProbeMethod): OperationSpecData {
  const spec = operationSpec(route, op);
  return {
    ...spec,
    method,
    params: spec.params.map((p) => (p.in === 'form' || p.in === 'body' ? { ...p, in: 'query' as const } : p)),
    response: 'response',
    writes: true,
  };
}

/** Sends one probe and judges it; network errors and timeouts are inconclusive. */
export async function sendProbe(
  runtime: LoadedRuntime,
  options: { url: string; token?: string; fetch?: typeof fetch; timeoutMs?: number },
  route: Route,
  op: Operation,
  method: ProbeMethod,
  params: Record<string, unknown> | undefined,
): Promise<AcceptsResult> {
  const expected = op.accepts.methods;
  const baseFetch = options.fetch ?? globalThis.fetch;
  let answered: Response | undefined;
  const recordingFetch: typeof fetch = async (input, init) => {
    answered = await baseFetch(input, init);
    return answered;
  };
  const client = runtime.createClient({ baseUrl: options.url, ...(options.token !== undefined ? { token: options.token } : {}), fetch: recordingFetch });
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    const data = await runtime.call<unknown>(client, probeSpec(route, op, method), params, { signal: AbortSignal.timeout(timeoutMs) });
    if (data instanceof Response) await data.body?.cancel();
  } catch (e) {
    if (!(e instanceof runtime.CatmaidError) || answered === undefined) {
      const error = e as Error & { cause?: unknown };
      const why = error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}`;
      return { expected, probe: method, ms: Math.round(performance.now() - started), reason: `${method} got no answer: ${why}` };
    }
  }
  const ms = Math.round(performance.now() - started);
  const status = answered!.status;
  return { expected, probe: method, status, ...judgeProbe(expected, method, status, answered!.headers.get('Allow')), ms };
}
