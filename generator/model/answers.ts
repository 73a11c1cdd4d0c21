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
import type { HttpMethod, JsonValue, Route } from './types.js';

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
  /** The JSON answer: a test's expected literal, or an observed body. */
  body: JsonValue;
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
 * regex matches it. A part unknown to a test (`{}`) matches any path segment. Undefined when no
 * route matches.
 */
export function matchAnswer(routes: readonly Route[], answer: Pick<RecordedAnswer, 'path'>): Route | undefined {
  const path = answer.path.replace(/^\//, '');
  let best: Route | undefined;
  for (const route of routes) {
    if (route.regex === null || route.path === null || route.shadowedBy !== undefined) continue;
    if (best && best.order < route.order) continue;
    if (matches(route, path)) best = route;
  }
  return best;
}

const compiled = new Map<string, RegExp | null>();

function matches(route: Route, path: string): boolean {
  if (!path.includes('{}')) return regexOf(route.regex!)?.test(path) ?? false;
  // A part the test does not know: compare with the route's template segment by segment.
  const template = route.path!.replace(/^\//, '').split('/');
  const parts = path.split('/');
  if (template.length !== parts.length) return false;
  return template.every((t, i) => parts[i] === '{}' || t === parts[i] || /^\{[^}]+\}$/.test(t));
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
