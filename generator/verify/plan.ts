/**
 * What `verify` may call, and why not: the rules that tell an operation that writes (CATMAID's own
 * record, the data changes the parser found, the method, words of its path and operation id), those
 * that tell one never called (destructive, or changing a session or an account), and the plan of
 * one operation. Consumes a route and its operation, the values found on the server (discover.ts)
 * and the options; produces a {@link Planned} call: its parameters, or why it is skipped.
 */
import { parameterKeys } from '../emit/spec.js';
import type { Operation, Route } from '../model/types.js';
import { valueFor, type ServerValues } from './discover.js';
import type { VerifyOptions } from './index.js';

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
export function probeWriteReason(route: Route, op: Operation): string | undefined {
  const reason = writeReason(route, op);
  if (reason) return reason;
  const verb = words(route, op).find((w) => WRITE_WORDS.has(w));
  return verb ? `named like a write ('${verb}')` : undefined;
}

/** Whether an operation is never called, not even with `allowWrites`: a DELETE, or named like a destructive or account change. */
function isDestructive(route: Route, op: Operation): boolean {
  return op.method === 'DELETE' || words(route, op).some((w) => DESTRUCTIVE_WORDS.has(w) || ACCOUNT_WORDS.has(w));
}

/** An operation as verify will treat it: the parameters to call it with, or why it is skipped. */
export interface Planned {
  route: Route;
  op: Operation;
  params?: Record<string, unknown>;
  skip?: string;
}

/** Decides what to call and with what, or why not. */
export function plan(route: Route, op: Operation, values: ServerValues, options: VerifyOptions): Planned {
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
