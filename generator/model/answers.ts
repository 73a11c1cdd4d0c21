/**
 * Answers a CATMAID gave, or is tested to give, for a request: evidence of what an operation
 * returns that is better than reading the view's code. Two sources: CATMAID's own API tests
 * (`django/applications/catmaid/tests/apis/*.py`, read statically by parse/api-tests.ts:
 * `source: 'test'`) and the answers a lab's own server gave to `verify --record`
 * (`source: 'observed'`, read by `generate --observed`).
 *
 * Consumes: recorded answers and the routes. Produces: the route and method each answer belongs
 * to ({@link matchAnswer}), by Django's resolution order.
 */
import type { HttpMethod, JsonValue, Operation, Route } from './types.js';

/** One request and the answer it got (or, in a test, the literal the answer is compared with). */
export interface RecordedAnswer {
  source: 'test' | 'observed';
  method: HttpMethod;
  /**
   * The path requested, without the query and without the deployment's sub-path, leading `/`:
   * `/3/neurons/233/rename`. A part a test builds from something not known statically is `{}`.
   */
  path: string;
  /** Names of the parameters the request sent (query and body), as the wire spells them. */
  params: string[];
  /**
   * The JSON answer: a test's expected literal, or an observed body. `null` at each pointer of
   * {@link unknown}, where it stands for a value that is there but not known (not for JSON null).
   */
  body: JsonValue;
  /**
   * JSON pointers (RFC 6901) into `body` of the values a test's literal has but that could not be
   * evaluated statically (`{'id': skeleton.id, 'name': 'x'}` → `['/id']`; a variable, a call, a
   * comprehension): `body` has `null` there, so the keys an object has and the length of an array
   * stay what the test asserts. `['']` (the root): nothing of the answer is known — a test that
   * made the request but compared no literal with its answer; its method, path, params and status
   * are still evidence ({@link knowsBody}). Absent when every value is known.
   */
  unknown?: string[];
  /**
   * The test compares without regard to order (`assertCountEqual`, `frozenset(parsed_response)`):
   * the items of `body`, an array, may come in any order (nested arrays are still ordered).
   */
  unordered?: true;
  /** The part of the answer `body` is: `parsed_response['k'][0]` → `['k', 0]`; absent for the whole. */
  at?: Array<string | number>;
  /** The HTTP status the answer had, where known. */
  status?: number;
  /** Where it comes from: the test's file and line of the request, or the recording's file. */
  file: string | null;
  line: number | null;
}

/**
 * The route Django serves an answer's path with: the first route in resolution order whose
 * regex matches it. A part unknown to a test (`{}`, mostly an id the test got at run time)
 * stands for a parameter of the route's path template; only where no route has one there does
 * it match a literal segment. Undefined when no route matches.
 */
export function matchAnswer(routes: readonly Route[], answer: Pick<RecordedAnswer, 'path'>): Route | undefined {
  // Many answers share a path, and the model builder asks for each answer more than once.
  let byPath = matched.get(routes);
  if (!byPath) matched.set(routes, (byPath = new Map()));
  if (byPath.has(answer.path)) return byPath.get(answer.path);
  const route = firstMatch(routes, answer.path);
  byPath.set(answer.path, route);
  return route;
}

/** The routes each path matched, per route list (a model's routes are not changed once matched against). */
const matched = new WeakMap<readonly Route[], Map<string, Route | undefined>>();

function firstMatch(routes: readonly Route[], requested: string): Route | undefined {
  const path = requested.replace(/^\//, '');
  const first = (loose: boolean) => {
    let best: Route | undefined;
    for (const route of routes) {
      if (route.regex === null || route.path === null || route.shadowedBy !== undefined) continue;
      if (best && best.order < route.order) continue;
      if (matches(route, path, loose)) best = route;
    }
    return best;
  };
  return first(false) ?? (path.includes('{}') ? first(true) : undefined);
}

/** False for an answer that says nothing about the body (`unknown` is `['']`): a request a test only made. */
export function knowsBody(answer: Pick<RecordedAnswer, 'unknown'>): boolean {
  return !answer.unknown?.includes('');
}

/**
 * The answers whose path no route matches ({@link matchAnswer}): a test of a route the model
 * lacks (one defined under a setting, with a path known only at run time) or of one that is gone.
 * The model builder reports the tests' ones as `test-url-unmatched`.
 */
export function unmatchedAnswers(routes: readonly Route[], answers: readonly RecordedAnswer[]): RecordedAnswer[] {
  return answers.filter((a) => matchAnswer(routes, a) === undefined);
}

const compiled = new Map<string, RegExp | null>();

function matches(route: Route, path: string, loose: boolean): boolean {
  if (!path.includes('{}')) return regexOf(route.regex!)?.test(path) ?? false;
  // A part the test does not know: compare with the route's templates segment by segment.
  const parts = path.split('/');
  return templatesOf(route).some((template) => template.length === parts.length && template.every((t, i) => segmentMatches(route, t, parts[i]!, loose)));
}

/** The segments of each of a route's path templates, split once per route. */
function templatesOf(route: Route): string[][] {
  let templates = segments.get(route);
  if (!templates) segments.set(route, (templates = (route.variants ?? [route.path!]).map((variant) => variant.replace(/^\//, '').split('/'))));
  return templates;
}

const segments = new WeakMap<Route, string[][]>();

/**
 * One segment of a path with unknown parts against one of a template: `{}` matches a segment
 * with a parameter (`{skeleton_id}`, `export.{extension}`), or, `loose`, any non-empty one; a
 * known segment matches the template's literal text or its parameters' patterns.
 */
function segmentMatches(route: Route, template: string, part: string, loose: boolean): boolean {
  const hasParam = /\{[^}]+\}/.test(template);
  if (part.includes('{}')) {
    if (template === '' || (!loose && !hasParam)) return false;
    return regexOf('^' + part.split('{}').map(escapeRegex).join('.+') + '$')!.test(template);
  }
  if (!hasParam) return template === part;
  const source = template
    .split(/(\{[^}]+\})/)
    .map((piece) => {
      const name = /^\{([^}]+)\}$/.exec(piece)?.[1];
      if (name === undefined) return escapeRegex(piece);
      const pattern = route.pathParams.find((p) => p.name === name)?.pattern;
      return `(?:${pattern ?? '[^/]+'})`;
    })
    .join('');
  return regexOf(`^${source}$`)?.test(part) ?? false;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A Python regex as a JavaScript one, where it translates (named groups, `\d`, anchors). */
function regexOf(source: string): RegExp | null {
  let re = compiled.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(source.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'));
    } catch {
      re = null;
    }
    compiled.set(source, re);
  }
  return re;
}

/**
 * The operation that serves a recorded request: the matched route's operation of the request's
 * method, else the one whose view accepts that method too (a test's POST to a view the model
 * calls with GET).
 */
export function answeringOperation(routes: readonly Route[], answer: Pick<RecordedAnswer, 'path' | 'method'>): { route: Route; op: Operation } | undefined {
  const route = matchAnswer(routes, answer);
  const op = route?.operations.find((o) => o.method === answer.method) ?? route?.operations.find((o) => o.accepts?.methods === 'any' || o.accepts?.methods.includes(answer.method));
  return route && op ? { route, op } : undefined;
}
