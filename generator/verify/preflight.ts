/**
 * The first requests of `verify`, before any operation is checked: the server's version, then,
 * with a token, a view that authenticates it. Consumes the generated client's runtime and a client
 * of it (runtime.ts), the model and the options; produces the server's version on the report, the
 * answers read (by path, for discovery to reuse), or a {@link UsageError} that ends the run when
 * the server cannot be reached or refuses the token.
 */
import { UsageError } from '../errors.js';
import type { RouteModel } from '../model/types.js';
import type { CallError } from './check.js';
import { getByPath, getOperationAt } from './discover.js';
import type { VerifyOptions, VerifyReport } from './index.js';
import type { LoadedRuntime } from './runtime.js';

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
export function refusesToken(runtime: LoadedRuntime, e: unknown): e is CallError {
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
export async function probe(runtime: LoadedRuntime, client: unknown, model: RouteModel, report: VerifyReport, options: VerifyOptions): Promise<Map<string, unknown>> {
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
