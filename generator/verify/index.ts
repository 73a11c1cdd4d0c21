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
 *
 * With recording (`verify --record`), every answer that is JSON with a 2xx status is also returned
 * as a recording file's name and content (record.ts), for the CLI to write.
 *
 * This module runs the check and holds its public types: what may be called is decided in plan.ts,
 * one answer is judged in check.ts, and the first requests (version, token) are preflight.ts.
 */
// JSON Schema 2020-12: response types use `prefixItems` for tuples, which draft-07 would ignore.
import { Ajv2020 as Ajv } from 'ajv/dist/2020.js';
import { UsageError } from '../errors.js';
import type { Operation, Route, RouteModel } from '../model/types.js';
import { compareText } from '../util/compare.js';
import { chooseProbe, describeRoute, resolveRoute, sendProbe, type AcceptsResult, type ProbeMethod } from './accepts.js';
import { check, type Checked } from './check.js';
import { discoverValues, type ServerValues } from './discover.js';
import { plan, probeWriteReason, type Planned } from './plan.js';
import { probe } from './preflight.js';
import { makeRecording, recordingNames, type Recording } from './record.js';
import { loadRuntime, type LoadedRuntime } from './runtime.js';

export { writeReason } from './plan.js';
export type { Recording } from './record.js';

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
  /** Told after each operation is checked or skipped: how many of how many (the CLI shows progress). */
  onProgress?: (done: number, total: number) => void;
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
  return (await run(model, options, false)).report;
}

/**
 * Checks as {@link verifyModel} does, and returns the recording of every operation called that
 * answered JSON with a 2xx status (`verify --record`; see record.ts), in file-name order, for the
 * caller to write.
 */
export async function verifyAndRecord(model: RouteModel, options: VerifyOptions): Promise<{ report: VerifyReport; recordings: Recording[] }> {
  return run(model, options, true);
}

async function run(model: RouteModel, options: VerifyOptions, record: boolean): Promise<{ report: VerifyReport; recordings: Recording[] }> {
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
  // With `record`, each answer is bounded into its recording as soon as it arrives.
  const recordings: Recording[] = [];
  const names = record ? recordingNames(model) : undefined;
  const context = { baseUrl: options.url, ...(options.token !== undefined ? { token: options.token } : {}), ...(report.server.version ? { catmaidVersion: report.server.version } : {}) };
  let done = 0;
  const checked = await pool(planned, options.concurrency ?? 4, async (p) => {
    try {
      return await checkOne(p);
    } finally {
      options.onProgress?.(++done, planned.length);
    }
  });
  async function checkOne(p: (typeof planned)[number]): Promise<Checked> {
    if (p.skip !== undefined) {
      return { result: { operationId: p.op.operationId, method: p.op.method, path: p.route.path ?? p.route.regex ?? '', documented: p.op.documented, outcome: 'skipped', reason: p.skip }, reached: false } satisfies Checked;
    }
    const { answer, ...c } = await check(runtime, p, options, ajv, record);
    const name = names?.get(p.op.operationId);
    if (answer !== undefined && name !== undefined) recordings.push(makeRecording(p.route, p.op, name, answer, context));
    return c;
  }
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
  recordings.sort((a, b) => compareText(a.name, b.name));
  return { report, recordings };
}
