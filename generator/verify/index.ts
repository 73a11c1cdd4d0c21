/**
 * `verify`: a contract check of a route model against a live CATMAID server. Consumes a model and
 * a server address; produces a {@link VerifyReport} with one result per operation. It calls, with
 * the generated client's own runtime, every documented operation that reads and whose required
 * parameters it can fill from the server (see discover.ts), and checks the status, that the body
 * parses as the model says (JSON; text and HTML pages by their Content-Type), and that it matches
 * the docstring's response type; then, with one request per route, that the server lets through
 * the methods the model's `accepts` says (accepts.ts). Before that it checks that the server
 * accepts the token. What the server does not mount (a conditional route answering 404) or has not
 * configured (a view failing on a setting it lacks) is reported as such, not as a failure. Nothing
 * that writes is called unless `allowWrites` is set, and then only in the project `projectId` names.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { operationSpec, parameterKeys } from '../emit/spec.js';
import { UsageError } from '../errors.js';
import type { Operation, Route, RouteModel } from '../model/types.js';
import { compareText } from '../util/compare.js';
import { chooseProbe, describeRoute, resolveRoute, sendProbe, type AcceptsResult, type ProbeMethod } from './accepts.js';
import { discoverValues, getByPath, getOperationAt, valueFor, type ServerValues } from './discover.js';
import { loadRuntime, type LoadedRuntime } from './runtime.js';

export interface VerifyOptions {
  /** Where CATMAID is served, sub-path included. */
  url: string;
  /** API token; sent as `X-Authorization: Token …`, never printed. */
  token?: string;
  /** The project to read from (and the only one written to, with `allowWrites`). */
  projectId?: number;
  /** Also call operations that write, in project `projectId` only; never ones that delete or merge. */
  allowWrites?: boolean;
  /** Also check undocumented (volatile) operations. */
  includeVolatile?: boolean;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /**
   * Probe the methods each route accepts (default true): one request per route with a method the
   * model says it does not accept, expecting 405 and the same `Allow` (see accepts.ts).
   */
  accepts?: boolean;
  /** The `fetch` to use (tests pass a loopback one). */
  fetch?: typeof fetch;
}

/** What happened to one operation. */
export interface OperationResult {
  operationId: string;
  method: Operation['method'];
  path: string;
  documented: boolean;
  /**
   * `pass`; `fail` (a contract failure); `denied` (401/403: the token may not, not the model's
   * fault); `not-mounted` (a route under an `if settings.…:` that this server leaves out answered
   * 404); `not-configured` (the view failed on a setting the server lacks, e.g. `DVID_URL`);
   * `skipped` (not called).
   */
  outcome: 'pass' | 'fail' | 'denied' | 'not-mounted' | 'not-configured' | 'skipped';
  /** The server answered at all (false: connection refused, timeout). */
  reachable?: boolean;
  /** HTTP status of the answer. */
  status?: number;
  /** The body parsed as the model says it is (JSON; text or HTML with such a Content-Type; binary). */
  parsed?: boolean;
  /**
   * The body against the docstring's response type: `match`, `mismatch`, `none` when there is no
   * type, `drift` when the model does not trust it (the code returns another kind; not checked).
   */
  schema?: 'match' | 'mismatch' | 'none' | 'uncheckable' | 'drift';
  /** Wall time of the request in milliseconds. */
  ms?: number;
  /** Why it was skipped, or what failed. */
  reason?: string;
  /**
   * The route's accepted methods against the server: on the one operation of the route whose call
   * the probe reused (or, when the route was not probed, its first operation called, with why).
   */
  accepts?: AcceptsResult;
}

export interface VerifyReport {
  server: { url: string; version?: string };
  /** The CATMAID version the model was read from, if it says. */
  modelVersion?: string;
  /** The values found on the server and used for required parameters. */
  values: Omit<ServerValues, 'notes'>;
  notes: string[];
  results: OperationResult[];
  summary: {
    operations: number;
    checked: number;
    passed: number;
    failed: number;
    denied: number;
    notMounted: number;
    notConfigured: number;
    skipped: number;
    /**
     * The accepted-methods probes (one per route at most): sent, agreeing with the model,
     * disagreeing (each also a failed operation), inconclusive (401/403, no answer); routes with an
     * operation called that were not probed. Absent with `accepts: false`.
     */
    accepts?: { probes: number; agreed: number; disagreed: number; inconclusive: number; notProbed: number };
  };
}

/** Words of a POST operation that say it changes data, where CATMAID does not record it as a write. */
const WRITE_WORDS = new Set([
  'add', 'annotate', 'change', 'clear', 'confirm', 'copy', 'create', 'delete', 'destroy', 'edit', 'import', 'insert',
  'join', 'link', 'lock', 'merge', 'move', 'new', 'prune', 'purge', 'rebuild', 'regenerate', 'remove', 'rename', 'replace',
  'reroot', 'reset', 'revoke', 'save', 'set', 'split', 'store', 'submit', 'tag', 'transfer', 'undo', 'unlink', 'unlock',
  'update', 'upload',
]);
/** Words of operations that change a session or an account (log in or out, activate, tokens): never called. */
const ACCOUNT_WORDS = new Set(['activate', 'login', 'logout', 'password', 'register', 'signup', 'token']);
/** Words of operations never called, not even with `allowWrites`: they destroy what other checks read. */
const DESTRUCTIVE_WORDS = new Set(['clear', 'delete', 'destroy', 'join', 'merge', 'prune', 'purge', 'remove', 'reroot', 'reset', 'revoke', 'split']);

function words(route: Route, op: Operation): string[] {
  const text = `${route.path ?? ''} ${op.operationId}`.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  return text.toLowerCase().split(/[^a-z]+/).filter(Boolean);
}

/** Why an operation may write, or undefined when it only reads. */
export function writeReason(route: Route, op: Operation): string | undefined {
  if (op.writes) return 'writes (record_view)';
  if (op.changesData) return `changes data (${op.changesData.evidence}, line ${op.changesData.line})`;
  if (op.method !== 'GET' && op.method !== 'POST') return `${op.method} writes`;
  const account = words(route, op).find((w) => ACCOUNT_WORDS.has(w));
  if (account) return `changes a session or account ('${account}')`;
  // A GET that writes shows it in its code (changesData) or its name's account words; a POST
  // that does neither may still be a write by its name (`…/annotations/replace`).
  const verb = op.method === 'POST' ? words(route, op).find((w) => WRITE_WORDS.has(w)) : undefined;
  if (verb) return `writes ('${verb}')`;
  return undefined;
}

/**
 * Why a probe may not reach an operation's view with another method: what {@link writeReason}
 * says, or, whatever the method, a name like a write (a GET `…/tracing/setup/rebuild` whose helper
 * creates what is missing). Stricter than what verify calls, since the probe of a view nothing
 * restricts runs it again.
 */
function probeWriteReason(route: Route, op: Operation): string | undefined {
  const reason = writeReason(route, op);
  if (reason) return reason;
  const verb = words(route, op).find((w) => WRITE_WORDS.has(w));
  return verb ? `named like a write ('${verb}')` : undefined;
}

function isDestructive(route: Route, op: Operation): boolean {
  return op.method === 'DELETE' || words(route, op).some((w) => DESTRUCTIVE_WORDS.has(w) || ACCOUNT_WORDS.has(w));
}

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

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const first = (errors ?? []).slice(0, 2).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'does not match'}`);
  return `response does not match the documented type: ${first.join('; ')}`;
}

interface Planned {
  route: Route;
  op: Operation;
  params?: Record<string, unknown>;
  skip?: string;
}

/** Decides what to call and with what, or why not. */
function plan(route: Route, op: Operation, values: ServerValues, options: VerifyOptions): Planned {
  if (!op.documented && !options.includeVolatile) return { route, op, skip: 'undocumented (--include-volatile checks it)' };
  if (route.path === null) return { route, op, skip: 'path depends on settings' };
  const writes = writeReason(route, op);
  if (writes) {
    if (!options.allowWrites) return { route, op, skip: `${writes}; --allow-writes calls it` };
    if (isDestructive(route, op)) return { route, op, skip: `${writes}; destructive, never called` };
    if (!route.projectScoped) return { route, op, skip: `${writes}; outside project ${options.projectId}` };
  }
  const params: Record<string, unknown> = {};
  const missing: string[] = [];
  const keys = parameterKeys(op.parameters);
  op.parameters.forEach((p, i) => {
    const key = keys[i]!;
    const required = p.in === 'path' ? !(route.variants && route.variants.some((v) => !v.includes(`{${p.name}}`))) : p.required;
    const value = p.name === 'project_id' && writes ? options.projectId : valueFor(p, values);
    // Optional id lists are filled too where the server gave an id: many views need them although
    // neither docstring nor code marks them required (`skeleton_ids` of most skeleton queries).
    // Optional single ids are not: they are filters, some exclusive of each other.
    if (value !== undefined && (required || Array.isArray(value))) params[key] = value;
    else if (required) missing.push(p.name);
  });
  if (missing.length) return { route, op, skip: `cannot fill required ${missing.join(', ')}` };
  return { route, op, params };
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
type CallError = Error & { status: number; type?: string; body: unknown };

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

/** An operation's result, whether its answer came from the view, and the URL called. */
interface Checked {
  result: OperationResult;
  reached: boolean;
  url?: string;
}

/**
 * Calls one operation and judges the answer. `reached`: the answer came from the view (it passed,
 * or failed in the view: a status other than 405, not Django's own 404 page, not a route this
 * server leaves out), so that a probe of the route's accepted methods can reuse the call.
 */
async function check(runtime: LoadedRuntime, planned: Planned, options: VerifyOptions, ajv: Ajv): Promise<Checked> {
  const { route, op } = planned;
  const result: OperationResult = { operationId: op.operationId, method: op.method, path: route.path ?? '', documented: op.documented, outcome: 'pass' };
  const baseFetch = options.fetch ?? globalThis.fetch;
  let answered: Response | undefined;
  let url: string | undefined;
  const recordingFetch: typeof fetch = async (input, init) => {
    url = String(input);
    answered = await baseFetch(input, init);
    return answered;
  };
  const client = runtime.createClient({ baseUrl: options.url, ...(options.token !== undefined ? { token: options.token } : {}), fetch: recordingFetch });
  // Pages and text are read as text (responseKind), then judged by their Content-Type below.
  const spec = operationSpec(route, op);
  const started = performance.now();
  let reached = false;
  try {
    const data = await runtime.call<unknown>(client, spec, planned.params, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    if (data instanceof Response) await data.body?.cancel();
    result.ms = Math.round(performance.now() - started);
    result.reachable = true;
    result.status = answered?.status;
    reached = true;
    const wrongType = contentTypeProblem(op, answered?.headers.get('Content-Type'));
    result.parsed = wrongType === undefined;
    const validate = spec.response === 'json' && !op.response?.contradicted ? compileSchema(ajv, op) : undefined;
    if (wrongType !== undefined) {
      result.schema = 'none';
      result.outcome = 'fail';
      result.reason = wrongType;
    } else if (op.response?.contradicted) {
      result.schema = 'drift';
      result.reason = `documented type not used: ${op.response.contradicted}`;
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
  return { result, reached, ...(url !== undefined ? { url } : {}) };
}

/** Runs `task` over `items` with at most `limit` in flight; results in input order. */
async function pool<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** REST framework's `detail` when its TokenAuthentication refuses a token (`Invalid token.`, `Invalid token header. …`). */
const REFUSED_TOKEN_DETAIL = /^(Invalid token\b|User inactive or deleted\b)/;

/**
 * GET routes that authenticate the token, the first the model has is asked: REST framework views,
 * which check a token on every request (the project list answers anonymous users too; the
 * datastore list needs a user). CATMAID's `/version` is a plain Django view that ignores the token.
 */
const TOKEN_CHECKS = ['/projects/', '/client/datastores/'];

/**
 * Whether an error says the server refused the token: a 401, or REST framework's detail for a
 * token it does not accept, which comes with 403 where session authentication is listed first.
 */
function refusesToken(runtime: LoadedRuntime, e: unknown): e is CallError {
  if (!(e instanceof runtime.CatmaidError)) return false;
  const body = e.body as { error?: unknown; detail?: unknown } | null;
  const detail = typeof body === 'object' && body !== null && body.error === undefined && typeof body.detail === 'string' ? body.detail : undefined;
  return e.status === 401 || (detail !== undefined && REFUSED_TOKEN_DETAIL.test(detail));
}

/**
 * The first requests: the server's version (`/version`, else the project list), then, with a
 * token, a view that authenticates it. Ends the run with a {@link UsageError} (exit 1) when the
 * server cannot be reached or refuses the token; other errors are left to discovery, which notes
 * them. Returns the answers read, by path, for discovery to reuse.
 */
async function probe(runtime: LoadedRuntime, client: unknown, model: RouteModel, report: VerifyReport, options: VerifyOptions): Promise<Map<string, unknown>> {
  const answers = new Map<string, unknown>();
  const tried = new Set<string>();
  const get = async (path: string): Promise<unknown> => {
    tried.add(path);
    try {
      const data = await getByPath(runtime, client, model, path, {}, AbortSignal.timeout(options.timeoutMs ?? 30_000));
      answers.set(path, data);
      return data;
    } catch (e) {
      if (options.token !== undefined && refusesToken(runtime, e)) throw new UsageError(`${report.server.url} refuses the token: ${e.message}`, 1);
      if (!(e instanceof runtime.CatmaidError)) {
        const error = e as Error & { cause?: unknown };
        const why = error.name === 'TimeoutError' ? `no answer within ${options.timeoutMs ?? 30_000} ms` : error.cause instanceof Error ? error.cause.message : error.message;
        throw new UsageError(`cannot reach ${report.server.url}: ${why}`, 1);
      }
      return undefined;
    }
  };
  // A first request that every CATMAID answers: its version where the model has the route, else the project list.
  const first = ['/version', '/projects/'].find((path) => getOperationAt(model, path));
  if (first) {
    const v = await get(first);
    const version = first === '/version' ? (v as { SERVER_VERSION?: unknown } | null)?.SERVER_VERSION : undefined;
    if (typeof version === 'string') report.server.version = version;
  }
  // `/version` answers 200 whatever the token: ask a view that authenticates it. Without a token there is nothing to check.
  const check = options.token === undefined ? undefined : TOKEN_CHECKS.find((path) => getOperationAt(model, path));
  if (check !== undefined && !tried.has(check)) await get(check);
  return answers;
}

/**
 * One probe of the accepted methods per route that has an operation verify called and whose
 * answer came from the view (see accepts.ts), with the parameters of that call, at most
 * `concurrency` at once. The verdict goes on the result of the operation reused; a disagreement
 * fails it. Returns the counts.
 */
async function probeAccepts(
  runtime: LoadedRuntime,
  model: RouteModel,
  planned: Planned[],
  checked: Checked[],
  options: VerifyOptions,
): Promise<NonNullable<VerifyReport['summary']['accepts']>> {
  const base = new URL(options.url).pathname.replace(/\/*$/, '/');
  /** The route Django serves a URL called with, when the model says it is another one (an earlier regex matches too). */
  const servedElsewhere = (route: Route, url: string | undefined): Route | undefined => {
    if (url === undefined) return undefined;
    const pathname = new URL(url).pathname;
    if (!pathname.startsWith(base)) return undefined;
    let path: string;
    try {
      path = decodeURIComponent(pathname.slice(base.length));
    } catch {
      return undefined;
    }
    const served = resolveRoute(model, path);
    return served !== undefined && served !== route ? served : undefined;
  };
  const byRoute = new Map<Route, number[]>();
  planned.forEach((p, i) => {
    if (checked[i]!.result.outcome === 'skipped') return;
    byRoute.set(p.route, [...(byRoute.get(p.route) ?? []), i]);
  });
  const probes: Array<{ route: Route; index: number; method: ProbeMethod }> = [];
  let notProbed = 0;
  for (const [route, indices] of byRoute) {
    const reached = indices.filter((i) => checked[i]!.reached);
    const choice = chooseProbe(route, reached.map((i) => planned[i]!.op), probeWriteReason);
    const index = choice !== undefined && !('reason' in choice) ? reached.find((i) => planned[i]!.op === choice.op)! : undefined;
    // Django serves the URL with the first route whose regex matches: where that is another route
    // (`.+` after `\d+` for the same path), the probe would check that route's view, not this one.
    const elsewhere = index !== undefined ? servedElsewhere(route, checked[index]!.url) : undefined;
    if (index === undefined || elsewhere !== undefined) {
      notProbed++;
      const first = checked[index ?? indices[0]!]!.result;
      const expected = planned[index ?? indices[0]!]!.op.accepts?.methods;
      const reason =
        elsewhere !== undefined
          ? `not probed: Django serves the URL called with an earlier route, ${describeRoute(elsewhere)}`
          : choice !== undefined && 'reason' in choice
            ? choice.reason
            : 'not probed: no call of this route reached the view';
      if (expected !== undefined) first.accepts = { expected, reason };
      continue;
    }
    probes.push({ route, index, method: (choice as { method: ProbeMethod }).method });
  }
  const answers = await pool(probes, options.concurrency ?? 4, (p) => sendProbe(runtime, options, p.route, planned[p.index]!.op, p.method, planned[p.index]!.params));
  const counts = { probes: probes.length, agreed: 0, disagreed: 0, inconclusive: 0, notProbed };
  probes.forEach((p, i) => {
    const answer = answers[i]!;
    const result = checked[p.index]!.result;
    result.accepts = answer;
    if (answer.agrees === true) counts.agreed++;
    else if (answer.agrees === undefined) counts.inconclusive++;
    else {
      counts.disagreed++;
      const why = `accepted methods: ${answer.reason}`;
      result.reason = result.reason ? `${result.reason}; ${why}` : why;
      result.outcome = 'fail';
    }
  });
  return counts;
}

/** Checks the model's operations against the server at `options.url`. */
export async function verifyModel(model: RouteModel, options: VerifyOptions): Promise<VerifyReport> {
  if (options.allowWrites && options.projectId === undefined) throw new UsageError('--allow-writes needs --project-id: the one project that may be written to');
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new UsageError(`--url '${options.url}' is not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UsageError(`--url must be http or https, not ${base.protocol}`);
  const runtime = await loadRuntime();
  const timeout = () => AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const client = runtime.createClient({ baseUrl: options.url, ...(options.token !== undefined ? { token: options.token } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) });

  const report: VerifyReport = {
    server: { url: base.origin + base.pathname.replace(/\/+$/, '') },
    ...(model.source.catmaidVersion ? { modelVersion: model.source.catmaidVersion } : {}),
    values: {},
    notes: [],
    results: [],
    summary: { operations: 0, checked: 0, passed: 0, failed: 0, denied: 0, notMounted: 0, notConfigured: 0, skipped: 0 },
  };
  const answers = await probe(runtime, client, model, report, options);
  if (report.server.version && report.modelVersion && !report.server.version.startsWith(report.modelVersion)) {
    report.notes.push(`the server runs CATMAID ${report.server.version}, the model was read from ${report.modelVersion}`);
  }

  const { notes, ...values } = await discoverValues(runtime, client, model, { ...(options.projectId !== undefined ? { projectId: options.projectId } : {}), signal: timeout, answers });
  report.values = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  report.notes.push(...notes);

  const planned = model.routes.flatMap((route) => route.operations.map((op) => plan(route, op, { notes, ...values }, options)));
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const checked = await pool(planned, options.concurrency ?? 4, (p) =>
    p.skip !== undefined
      ? Promise.resolve<Checked>({ result: { operationId: p.op.operationId, method: p.op.method, path: p.route.path ?? p.route.regex ?? '', documented: p.op.documented, outcome: 'skipped', reason: p.skip }, reached: false })
      : check(runtime, p, options, ajv),
  );
  const results = checked.map((c) => c.result);
  const accepts = options.accepts !== false ? await probeAccepts(runtime, model, planned, checked, options) : undefined;
  report.results = results.sort((a, b) => compareText(a.path, b.path) || compareText(a.method, b.method) || compareText(a.operationId, b.operationId));
  const count = (o: OperationResult['outcome']) => results.filter((r) => r.outcome === o).length;
  report.summary = {
    operations: results.length,
    checked: results.length - count('skipped'),
    passed: count('pass'),
    failed: count('fail'),
    denied: count('denied'),
    notMounted: count('not-mounted'),
    notConfigured: count('not-configured'),
    skipped: count('skipped'),
    ...(accepts ? { accepts } : {}),
  };
  return report;
}
