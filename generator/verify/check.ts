/**
 * One operation called and its answer judged. Consumes the generated client's runtime
 * (runtime.ts), a {@link Planned} call (plan.ts) and the options; produces the operation's
 * {@link OperationResult}: the status, whether the body parses as the model says (JSON; text and
 * HTML pages by their Content-Type), whether it matches the docstring's response type (compiled
 * with Ajv), and, for an error, whether it is a refusal (401/403), a route this server does not
 * mount or a view it has not configured rather than a failure.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Ajv2020 as Ajv } from 'ajv/dist/2020.js';
import { operationSpec } from '../emit/spec.js';
import type { Operation, Route } from '../model/types.js';
import type { OperationResult, VerifyOptions } from './index.js';
import type { Planned } from './plan.js';
import { sentParams, type AnswerToRecord } from './record.js';
import type { LoadedRuntime } from './runtime.js';

/** A validator for the docstring's response type; models are reachable as `#/models/<name>`. */
function compileSchema(ajv: Ajv, op: Operation): ValidateFunction | string | undefined {
  const schema = op.response?.schema;
  if (!schema) return undefined;
  try {
    return ajv.compile({ models: op.response?.models ?? {}, allOf: [schema] });
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
}

/** The first two of Ajv's errors, as a result's reason. */
function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const first = (errors ?? []).slice(0, 2).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'does not match'}`);
  return `response does not match the documented type: ${first.join('; ')}`;
}

/**
 * Why a text or HTML answer is not what the model says, by its Content-Type: pages must be
 * `text/html`; text the type the code sets (any `text/…` when the model names none). Undefined
 * when it is, or when the model promises another format.
 */
function contentTypeProblem(op: Operation, contentType: string | null | undefined): string | undefined {
  const format = op.response?.format;
  if (format !== 'html' && format !== 'text') return undefined;
  const essence = (value: string) => value.split(';')[0]!.trim().toLowerCase();
  const got = essence(contentType ?? '');
  const wanted = format === 'html' ? 'text/html' : op.response?.contentType ? essence(op.response.contentType) : undefined;
  if (wanted ? got === wanted : got.startsWith('text/')) return undefined;
  return `expected ${wanted ?? 'text'}, got ${got || 'no Content-Type'}`;
}

/** The error a failed call throws, as `check` reads it. */
export type CallError = Error & { status: number; type?: string; body: unknown };

/**
 * Whether a 404 says that this server does not mount the route: the URLconf defines it under an
 * `if settings.…:` and the answer carries no JSON (Django's own "Not Found" or "Page not found"
 * page, or nothing). A view that is mounted answers its 404 with CATMAID's error JSON
 * (`{error, type: 'Http404'}`) or REST framework's `{detail}`; those stay failures.
 */
function isNotMounted(route: Route, error: CallError): boolean {
  return route.conditional !== undefined && error.status === 404 && (typeof error.body === 'string' || error.body === undefined || error.body === null);
}

/**
 * Whether a view failed because the server lacks configuration it reads: a setting it does not
 * define (`AttributeError: 'Settings' object has no attribute 'DVID_URL'`, the DVID and Janelia
 * render back-ends) or Django's `ImproperlyConfigured`. The route is mounted and the call was
 * right; the server is not set up for it.
 */
function isNotConfigured(error: CallError): boolean {
  return (error.type === 'AttributeError' && /^'Settings' object has no attribute '\w+'/.test(error.message)) || error.type === 'ImproperlyConfigured';
}

/** An operation's result, whether its answer came from the view, the URL called, and the answer to record. */
export interface Checked {
  result: OperationResult;
  reached: boolean;
  url?: string;
  /** With `record`: the answer, where it was JSON with a 2xx status. */
  answer?: AnswerToRecord;
}

/**
 * Lets go of a response's body without waiting: the body of a clone is one branch of a tee, whose
 * cancel settles only once the other branch is cancelled or read to its end too.
 */
function discard(response: Response | undefined): void {
  response?.body?.cancel().catch(() => {});
}

/** The media type of a Content-Type, lower case, without parameters. */
const essence = (value: string | null | undefined) => (value ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * The answer to record from a copy of a successful response: where it is JSON, by its
 * Content-Type (`application/json`, `…+json`) or because the model reads it as JSON, and not empty.
 */
async function answerToRecord(copy: Response, readAs: string, url: string, sent: RequestInit | undefined): Promise<AnswerToRecord | undefined> {
  const type = essence(copy.headers.get('Content-Type'));
  if (!copy.ok || (type !== 'application/json' && !type.endsWith('+json') && readAs !== 'json')) {
    discard(copy);
    return undefined;
  }
  try {
    const text = await copy.text();
    if (text.trim() === '') return undefined;
    return { url, status: copy.status, params: sentParams(url, sent), body: JSON.parse(text), bytes: Buffer.byteLength(text) };
  } catch {
    return undefined;
  }
}

/**
 * Calls one operation and judges the answer. `reached`: the answer came from the view (it passed,
 * or failed in the view: a status other than 405, not Django's own 404 page, not a route this
 * server leaves out), so that a probe of the route's accepted methods can reuse the call.
 */
export async function check(runtime: LoadedRuntime, planned: Planned, options: VerifyOptions, ajv: Ajv, record = false): Promise<Checked> {
  const { route, op } = planned;
  const result: OperationResult = { operationId: op.operationId, method: op.method, path: route.path ?? '', documented: op.documented, outcome: 'pass' };
  const baseFetch = options.fetch ?? globalThis.fetch;
  let answered: Response | undefined;
  let url: string | undefined;
  let sent: RequestInit | undefined;
  // With `record`, a copy of the answer, read once the call has judged it.
  let copy: Response | undefined;
  const recordingFetch: typeof fetch = async (input, init) => {
    url = String(input);
    sent = init;
    answered = await baseFetch(input, init);
    discard(copy);
    copy = record ? answered.clone() : undefined;
    return answered;
  };
  const client = runtime.createClient({ baseUrl: options.url, ...(options.token !== undefined ? { token: options.token } : {}), fetch: recordingFetch });
  // Pages and text are read as text (responseKind), then judged by their Content-Type below.
  const spec = operationSpec(route, op);
  const started = performance.now();
  let reached = false;
  let answer: AnswerToRecord | undefined;
  try {
    const data = await runtime.call<unknown>(client, spec, planned.params, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    result.ms = Math.round(performance.now() - started);
    // The copy is read (or let go) first: a body not read (`response`) is cancelled after it.
    if (copy !== undefined && url !== undefined) answer = await answerToRecord(copy, spec.response, url, sent);
    if (data instanceof Response) await data.body?.cancel();
    result.reachable = true;
    result.status = answered?.status;
    reached = true;
    const wrongType = contentTypeProblem(op, answered?.headers.get('Content-Type'));
    result.parsed = wrongType === undefined;
    const validate = spec.response === 'json' ? compileSchema(ajv, op) : undefined;
    if (wrongType !== undefined) {
      result.schema = 'none';
      result.outcome = 'fail';
      result.reason = wrongType;
    } else if (validate === undefined) result.schema = 'none';
    else if (typeof validate === 'string') {
      result.schema = 'uncheckable';
      result.reason = `documented type not checkable: ${validate}`;
    } else if (validate(data)) result.schema = 'match';
    else {
      result.schema = 'mismatch';
      result.outcome = 'fail';
      result.reason = describeErrors(validate.errors);
    }
  } catch (e) {
    discard(copy);
    result.ms = Math.round(performance.now() - started);
    const error = e as Error & { status?: number; type?: string };
    if (e instanceof runtime.CatmaidError) {
      result.reachable = true;
      result.status = e.status;
      result.parsed = !/^expected JSON/.test(e.message);
      result.reason = `${e.type ? `${e.type}: ` : ''}${e.message}`;
      // 405: the method itself was refused; 502–504: a proxy answered; a 404 without JSON: Django's own page, no view matched.
      reached = ![405, 502, 503, 504].includes(e.status) && !(e.status === 404 && (typeof e.body === 'string' || e.body === undefined || e.body === null));
      if (e.status === 401 || e.status === 403) result.outcome = 'denied';
      else if (isNotMounted(route, e)) {
        result.outcome = 'not-mounted';
        result.reason = `not mounted here (${route.conditional}): ${result.reason}`;
        reached = false;
      } else if (isNotConfigured(e)) result.outcome = 'not-configured';
      else result.outcome = 'fail';
    } else {
      result.reachable = answered !== undefined;
      result.outcome = 'fail';
      result.reason = error.name === 'TimeoutError' ? `no answer within ${options.timeoutMs ?? 30_000} ms` : `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}`;
    }
  }
  return { result, reached, ...(url !== undefined ? { url } : {}), ...(answer !== undefined ? { answer } : {}) };
}
