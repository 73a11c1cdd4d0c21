/**
 * The requests a CATMAID API test makes with Django's test client and the assertions it makes on
 * their answers, for parse/api-test-reader.ts: which request a response, its content or its parsed
 * JSON (or a part of it) comes from, and the literal each is compared with.
 *
 * Consumes: expressions of a replayed statement and the variables of its frame. Produces: the
 * frame's module's {@link TestRequest}s, with what their answers are compared with.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { JsonValue } from '../model/types.js';
import { COMPARISONS, HTTP_METHODS, UNORDERED, type Frame, type ModuleState, type Resp, type Statement, type TestRequest } from './api-test-model.js';
import { isClient, kwarg, lineAt, lookupResp, queryParamNames, setStatus } from './api-test-statements.js';
import { parseJson } from './api-test-values.js';
import { HOLE, type Expr, type Lit } from './py-expr.js';

/** What the request and assertion readers need of the reader that replays the statements. */
export interface ReaderContext {
  readonly diagnostics: DiagnosticBag;
  /** An expression's value as far as it is known. */
  lit(e: Expr, frame: Frame, s?: Statement): Lit;
  /** A path's text: unknown parts are `{}`. */
  text(e: Expr, frame: Frame): string | undefined;
  /** The JSON of a compared literal, with the pointers of its unknown parts. */
  toBody(value: Lit, module: ModuleState, at: number): { body: JsonValue; unknown: string[] } | undefined;
  tooLarge(module: ModuleState, at: number, why: string): void;
}

/** The request(s) a client call makes: one, or one per known item of a loop over URLs. */
export function requestsOf(ctx: ReaderContext, call: Extract<Expr, { k: 'call' }>, frame: Frame): TestRequest[] {
  const module = frame.module;
  const known = module.requestsByCall.get(call.start);
  if (known) return known;
  const requests: TestRequest[] = [];
  module.requestsByCall.set(call.start, requests);
  const method = HTTP_METHODS[(call.fn as { name: string }).name]!;
  const line = lineAt(module, call.start);
  const urlExpr = call.args[0] ?? kwarg(call, 'path');
  if (!urlExpr) return requests;
  const dataExpr = call.args[1] ?? kwarg(call, 'data');
  const data = dataExpr ? paramsOf(ctx, dataExpr, frame) : [];

  const loop = urlExpr.k === 'name' ? frame.loops.find((l) => l.items && l.names[0] === urlExpr.name) : undefined;
  const urls = loop ? loop.items!.map((item) => (typeof item === 'string' ? item : undefined)) : [ctx.text(urlExpr, frame)];
  for (const url of urls) {
    const path = url?.replace(/^https?:\/\/[^/]*/, '');
    if (path === undefined || !path.startsWith('/')) {
      ctx.diagnostics.add('test-url-unknown', `${method} request whose path is not known statically`, module.file, line);
      continue;
    }
    const q = path.indexOf('?');
    const queryNames = q < 0 ? [] : queryParamNames(path.slice(q + 1));
    requests.push({ method, path: q < 0 ? path : path.slice(0, q), params: [...new Set([...queryNames, ...data])], line, compared: [] });
  }
  module.requests.push(...requests);
  return requests;
}

/**
 * The names a request's data sends: a dict's keys, a query string's names, or those of every
 * dict a call combines (`with_dict(a, b)`, `json.dumps(d)`, `urlencode(d)`).
 */
export function paramsOf(ctx: ReaderContext, e: Expr, frame: Frame): string[] {
  const data = ctx.lit(e, frame);
  if (data instanceof Map) return [...data.keys()];
  if (typeof data === 'string') {
    const json = parseJson(data);
    if (json instanceof Map) return [...json.keys()];
    return data.includes('=') ? queryParamNames(data) : [];
  }
  if (e.k === 'call') {
    const names = e.args.flatMap((a) => {
      const v = ctx.lit(a, frame);
      return v instanceof Map ? [...v.keys()] : [];
    });
    return [...new Set(names)];
  }
  return [];
}

export function assertion(ctx: ReaderContext, call: Extract<Expr, { k: 'call' }>, method: string, frame: Frame, s: Statement): void {
  if (method === 'assertStatus') {
    const resp = call.args[0] ? respOf(ctx, call.args[0], frame, s) : undefined;
    const codeExpr = call.args[1] ?? kwarg(call, 'code');
    const code = codeExpr ? ctx.lit(codeExpr, frame, s) : 200;
    if (resp?.kind === 'response' && typeof code === 'number') setStatus(resp.requests, code);
    return;
  }
  if (!COMPARISONS.has(method)) return;
  const a = call.args[0] ?? kwarg(call, 'first');
  const b = call.args[1] ?? kwarg(call, 'second');
  if (!a || !b) return;

  // self.assertEqual(response.status_code, 200)
  const statusA = statusOf(ctx, a, frame, s);
  const statusB = statusOf(ctx, b, frame, s);
  if (statusA || statusB) {
    const code = ctx.lit(statusA ? b : a, frame, s);
    if (!(statusA && statusB) && typeof code === 'number') setStatus((statusA ?? statusB)!, code);
    return;
  }

  const respA = respOf(ctx, a, frame, s);
  const respB = respOf(ctx, b, frame, s);
  if (!respA === !respB) return; // two responses, or none
  const resp = (respA ?? respB)!;
  if (resp.kind === 'response') return;
  let expected = ctx.lit(respA ? b : a, frame, s);
  if (typeof expected === 'string' && (resp.kind === 'content' || method === 'assertJSONEqual')) {
    expected = parseJson(expected) ?? HOLE; // the body as text, or assertJSONEqual's JSON text
  } else if (resp.kind === 'content' && method !== 'assertJSONEqual') {
    return; // bytes or text compared with something that is not text
  }
  if (expected === HOLE) return;
  let unordered = !!resp.unordered || UNORDERED.has(method);
  if (unordered && expected instanceof Map) {
    // Iterating a dict gives its keys: only they are compared.
    expected = new Map([...expected.keys()].map((k) => [k, HOLE]));
  }
  unordered &&= Array.isArray(expected);
  const json = ctx.toBody(expected, frame.module, s.start);
  if (!json) return;
  for (const r of resp.requests) r.compared.push({ ...json, at: resp.at, unordered });
}

/** The requests whose `response.status_code` an expression is. */
export function statusOf(ctx: ReaderContext, e: Expr, frame: Frame, s: Statement): TestRequest[] | undefined {
  if (e.k !== 'attr' || e.name !== 'status_code') return undefined;
  const resp = respOf(ctx, e.obj, frame, s);
  return resp?.kind === 'response' ? resp.requests : undefined;
}

/** What an expression is of a response: the response itself, its content, its parsed JSON or a part of it. */
export function respOf(ctx: ReaderContext, e: Expr, frame: Frame, s: Statement): Resp | undefined {
  switch (e.k) {
    case 'name':
      return lookupResp(frame, e.name);
    case 'attr': {
      if (e.name !== 'content') return undefined;
      const base = respOf(ctx, e.obj, frame, s);
      return base?.kind === 'response' ? { ...base, kind: 'content' } : undefined;
    }
    case 'index': {
      const base = respOf(ctx, e.obj, frame, s);
      if (base?.kind !== 'parsed') return undefined;
      const key = ctx.lit(e.index, frame, s);
      return typeof key === 'string' || (typeof key === 'number' && Number.isInteger(key) && key >= 0) ? { ...base, at: [...base.at, key] } : undefined;
    }
    case 'call': {
      const first = e.args[0];
      if (e.fn.k === 'name') {
        const inner = first ? respOf(ctx, first, frame, s) : undefined;
        if (inner?.kind === 'parsed' && ['frozenset', 'set', 'sorted'].includes(e.fn.name)) return { ...inner, unordered: true };
        if (inner?.kind === 'parsed' && ['list', 'tuple'].includes(e.fn.name)) return inner;
        if (inner?.kind === 'content' && e.fn.name === 'str') return inner;
        return undefined;
      }
      if (e.fn.k !== 'attr') return undefined;
      const name = e.fn.name;
      const object = e.fn.obj;
      if (name in HTTP_METHODS && isClient(object)) return { requests: requestsOf(ctx, e, frame), kind: 'response', at: [] };
      if (name === 'loads' && object.k === 'name' && object.name === 'json') {
        const inner = first ? respOf(ctx, first, frame, s) : undefined;
        return inner?.kind === 'content' ? { ...inner, kind: 'parsed', at: [] } : undefined;
      }
      const base = respOf(ctx, object, frame, s);
      if (name === 'json' && base?.kind === 'response') return { ...base, kind: 'parsed', at: [] };
      if (name === 'decode' && base?.kind === 'content') return base;
      if (name === 'get' && base?.kind === 'parsed' && first) {
        const key = ctx.lit(first, frame, s);
        return typeof key === 'string' ? { ...base, at: [...base.at, key] } : undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
