/**
 * `verify --record`: the answers verify got, as recording files for `generate --observed`
 * (format: {@link ObservedRecording}). Pure: this makes each file's name and content; the CLI
 * writes them.
 *
 * A recording holds the method, the path requested (values filled in; no query string, no host,
 * no sub-path of the base URL), the model's path template and operation id, the status, the names
 * of the parameters sent, the server's CATMAID version and the body. Never the token, no headers,
 * no base URL: strings of the body that contain the token or the server's host (and a port after
 * it) have them replaced.
 * Bodies are bounded ({@link LIMITS}) so that shapes stay right and files stay small. Files are
 * deterministic: no timestamps, object keys sorted, the same answers give the same bytes.
 */
import { createHash } from 'node:crypto';
import type { Operation, Route, RouteModel } from '../model/types.js';
import type { JsonValue } from '../model/types.js';
import type { CutLimits, CutPlace, ObservedRecording } from '../source/observed.js';
import { compareText } from '../util/compare.js';

/**
 * The bounds, tried in order until the body's JSON is at most {@link MAX_BODY_BYTES}: arrays cut to
 * their first 20 items, objects with more than 100 keys to their first 100 (sorted), strings to
 * 1,000 characters; then tighter.
 */
export const LIMITS: readonly CutLimits[] = [
  { items: 20, keys: 100, chars: 1000 },
  { items: 5, keys: 50, chars: 200 },
  { items: 1, keys: 20, chars: 100 },
];
/** The size a bounded body aims at (its JSON, unindented); the last bounds apply whatever the size. */
export const MAX_BODY_BYTES = 256 * 1024;

/** What `check` kept of an answer to record. */
export interface AnswerToRecord {
  /** The URL called. */
  url: string;
  status: number;
  /** Names of the parameters sent, as on the wire. */
  params: string[];
  body: JsonValue;
  /** Size of the answer's text in bytes. */
  bytes: number;
}

/** One recording, ready for the CLI to write. */
export interface Recording {
  /** File name inside the recording directory. */
  name: string;
  content: string;
  operationId: string;
  /** Size of the answer's text as the server sent it, in bytes. */
  answerBytes: number;
  /** The body was cut to the bounds. */
  cut: boolean;
  /** Strings in which the host or the token was replaced. */
  redacted: number;
}

/** What stands in for the server's host in a body. */
export const HOST_PLACEHOLDER = 'redacted.invalid';
/** What stands in for the token in a body. */
export const TOKEN_PLACEHOLDER = '[redacted token]';

/**
 * A file-name part for a path template, the same on every file system: `/` becomes `__`;
 * letters, digits, `.`, `-`, `{`, `}` stay; `_` stays where it cannot be read as part of a
 * separator (not at either end of a segment, not beside another `_`); every other character,
 * `~` included, is `~` and its UTF-8 bytes in hex. Different templates give different names.
 */
export function templateName(template: string): string {
  return template
    .split('/')
    .map((segment) =>
      [...segment]
        .map((c, i, all) => {
          if (/^[A-Za-z0-9.{}-]$/.test(c)) return c;
          if (c === '_' && i > 0 && i < all.length - 1 && all[i - 1] !== '_' && all[i + 1] !== '_') return c;
          return [...Buffer.from(c, 'utf8')].map((b) => `~${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
        })
        .join(''),
    )
    .join('__');
}

/** Longest file name before a name is shortened with a hash (file systems allow 255 bytes). */
const MAX_NAME = 200;

/**
 * The recording file name of every operation of the model with a path, by operation id:
 * `GET__{project_id}__skeletons__.json`. Where two operations would share a name, also where they
 * differ only in case (file systems that ignore case), both add `~` and their operation id.
 */
export function recordingNames(model: RouteModel): Map<string, string> {
  const ops: Array<{ op: Operation; base: string }> = [];
  for (const route of model.routes) {
    if (route.path === null) continue;
    for (const op of route.operations) ops.push({ op, base: `${op.method}${templateName(route.path)}` });
  }
  const count = (names: string[]) => names.reduce((m, n) => m.set(n.toLowerCase(), (m.get(n.toLowerCase()) ?? 0) + 1), new Map<string, number>());
  const bases = count(ops.map((o) => o.base));
  let names = ops.map((o) => (bases.get(o.base.toLowerCase())! > 1 ? `${o.base}~${o.op.operationId}` : o.base));
  // Operation ids are unique; ids differing only in case are numbered, in id order.
  const again = count(names);
  const seen = new Map<string, number>();
  const order = ops.map((_, i) => i).sort((a, b) => compareText(ops[a]!.op.operationId, ops[b]!.op.operationId));
  const numbered = [...names];
  for (const i of order) {
    const key = names[i]!.toLowerCase();
    if (again.get(key)! < 2) continue;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > 1) numbered[i] = `${names[i]}~${n}`;
  }
  names = numbered.map(shorten);
  return new Map(ops.map((o, i) => [o.op.operationId, `${names[i]}.json`]));
}

function shorten(name: string): string {
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${name.slice(0, MAX_NAME - 13)}~${hash}`;
}

/**
 * The path of a URL called, relative to the base URL's path, with a leading `/` and decoded as
 * Django decodes it; no query, no host, no sub-path.
 */
export function requestedPath(url: string, baseUrl: string): string {
  const base = new URL(baseUrl).pathname.replace(/\/*$/, '/');
  const pathname = new URL(url).pathname;
  const rest = pathname.startsWith(base) ? pathname.slice(base.length) : pathname.replace(/^\//, '');
  try {
    return `/${decodeURIComponent(rest)}`;
  } catch {
    return `/${rest}`;
  }
}

/** Replaces the server's host and the token in a string; counts the strings changed. */
function redactor(baseUrl: string, token: string | undefined): (text: string) => string {
  const { hostname } = new URL(baseUrl);
  const escaped = hostname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A dotted host (a name, an IPv4 address) wherever it stands alone; a one-label host
  // (`localhost`, `catmaid`) only where it is a URL's host, as a word like it may be data. A port
  // after it goes too.
  const host = hostname
    ? hostname.includes('.') || hostname.includes(':')
      ? new RegExp(`(^|[^A-Za-z0-9.-])${escaped}(?::\\d+)?(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`, 'gi')
      : new RegExp(`(//|@)${escaped}(?::\\d+)?(?![A-Za-z0-9.-])`, 'gi')
    : undefined;
  return (text) => {
    let out = token ? text.split(token).join(TOKEN_PLACEHOLDER) : text;
    if (host) out = out.replace(host, `$1${HOST_PLACEHOLDER}`);
    return out;
  };
}

/**
 * A body within `limits`: arrays cut to their first items, objects to their first keys (sorted;
 * every object's keys are sorted), strings to their first characters, each redacted. Returns the
 * places cut and how many strings were redacted.
 */
export function boundBody(body: JsonValue, limits: CutLimits, redact: (text: string) => string = (t) => t): { body: JsonValue; cut: CutPlace[]; redacted: number } {
  const cut: CutPlace[] = [];
  let redacted = 0;
  const text = (s: string): string => {
    const r = redact(s);
    if (r !== s) redacted++;
    return r;
  };
  const walk = (value: JsonValue, at: Array<string | number>): JsonValue => {
    if (typeof value === 'string') {
      const chars = [...value];
      if (chars.length <= limits.chars) return text(value);
      cut.push({ at, chars: chars.length });
      return text(chars.slice(0, limits.chars).join(''));
    }
    if (Array.isArray(value)) {
      if (value.length > limits.items) cut.push({ at, items: value.length });
      return value.slice(0, limits.items).map((v, i) => walk(v, [...at, i]));
    }
    if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value).sort(compareText);
      if (keys.length > limits.keys) cut.push({ at, keys: keys.length });
      const out: { [key: string]: JsonValue } = {};
      for (const k of keys.slice(0, limits.keys)) out[text(k)] = walk(value[k]!, [...at, k]);
      return out;
    }
    return value;
  };
  const bounded = walk(body, []);
  // Places name the answer's keys; a redacted key is named as it is stored.
  return { body: bounded, cut: cut.map((c) => ({ ...c, at: c.at.map((p) => (typeof p === 'string' ? redact(p) : p)) })), redacted };
}

/** The recording of one operation's answer. */
export function makeRecording(
  route: Route,
  op: Operation,
  name: string,
  answer: AnswerToRecord,
  context: { baseUrl: string; token?: string; catmaidVersion?: string },
): Recording {
  const redact = redactor(context.baseUrl, context.token);
  let bounded = boundBody(answer.body, LIMITS[0]!, redact);
  let limits = LIMITS[0]!;
  for (const next of LIMITS.slice(1)) {
    if (Buffer.byteLength(JSON.stringify(bounded.body)) <= MAX_BODY_BYTES) break;
    bounded = boundBody(answer.body, next, redact);
    limits = next;
  }
  const redacted = bounded.redacted;
  const path = redact(requestedPath(answer.url, context.baseUrl));
  const recording: ObservedRecording = {
    method: op.method,
    path,
    pathTemplate: route.path!,
    operationId: op.operationId,
    status: answer.status,
    params: answer.params.map(redact),
    catmaidVersion: context.catmaidVersion ?? null,
    ...(bounded.cut.length ? { cut: { limits, at: bounded.cut } } : {}),
    ...(redacted > 0 ? { redacted } : {}),
    body: bounded.body,
  };
  return {
    name,
    content: JSON.stringify(recording, null, 2) + '\n',
    operationId: op.operationId,
    answerBytes: answer.bytes,
    cut: bounded.cut.length > 0,
    redacted,
  };
}

/**
 * The names of the parameters a request sent, as on the wire, each once, in the order sent: the
 * query string's, then the body's (a form, or a JSON object's keys).
 */
export function sentParams(url: string, init: RequestInit | undefined): string[] {
  const names = [...new URL(url).searchParams.keys()];
  const body = init?.body;
  if (typeof body === 'string') {
    const type = new Headers(init?.headers).get('Content-Type') ?? '';
    if (/json/i.test(type)) {
      try {
        const parsed = JSON.parse(body) as unknown;
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) names.push(...Object.keys(parsed));
      } catch {
        // not JSON after all: no names
      }
    } else names.push(...new URLSearchParams(body).keys());
  } else if (body instanceof URLSearchParams || body instanceof FormData) names.push(...body.keys());
  return [...new Set(names)];
}
