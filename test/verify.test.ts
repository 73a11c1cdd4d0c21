/**
 * `verify` against an in-memory CATMAID (a `fetch` that answers like one) on the example source:
 * what it calls and never calls, how it fills parameters from the server, and how it judges the
 * answers (status, parsing, documented type).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../generator/errors.js';
import { verifyAndRecord, verifyModel, writeReason, type Recording, type VerifyOptions, type VerifyReport } from '../generator/verify/index.js';
import type { ObservedRecording } from '../generator/source/observed.js';
import { boundBody, makeRecording, MAX_BODY_BYTES, recordingNames, requestedPath, sentParams, templateName } from '../generator/verify/record.js';
import { judgeProbe, parseAllow, probeMethod, probeSpec, resolveRoute } from '../generator/verify/accepts.js';
import type { RouteModel } from '../generator/model/types.js';
import { formatVerifyTable } from '../generator/verify/format.js';
import { cliPath, fixtureModel, fixtureSource, runCli } from './helpers.js';

/** Temporary directories of this file's tests, removed after them. */
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

const BASE = 'http://catmaid.test/catmaid/';
const TOKEN = 'tok-123-secret';

interface FakeRequest {
  method: string;
  path: string;
  query: string;
  body: string;
}

/** An answer of the fake server; handed the request's init (its signal, for answers that never come). */
type Answer = (init?: RequestInit) => Response | Promise<Response>;

/**
 * The `Allow` header of the fake's views that restrict their methods, as Django and REST framework
 * send it (their order and spelling, not the model's): any other method answers 405 with it. The
 * fake's other views accept every method, and answer PATCH as they answer GET.
 */
const ALLOW: Record<string, string> = {
  '/': 'GET, HEAD, OPTIONS',
  '/3/': 'GET, HEAD, DELETE, OPTIONS',
  '/3/annotations/': 'OPTIONS, GET, POST',
  '/3/nodes/': 'OPTIONS, POST',
  '/3/skeletons/': 'OPTIONS, GET',
  '/3/skeletons/7/root': 'OPTIONS, GET',
  '/3/stacks': 'OPTIONS, get',
  '/permissions': 'OPTIONS, GET',
  '/projects/': 'OPTIONS, GET',
  '/tests': 'GET, HEAD, OPTIONS',
  '/version': 'OPTIONS, GET',
};

/**
 * A CATMAID with project 3 (stack 4, skeleton 7 rooted at node 70, neuron 8, annotation 9).
 * `overrides` replace answers by `METHOD /path`; `refused` is the answer to a wrong token.
 */
function fakeCatmaid(overrides: Record<string, Answer> = {}) {
  const requests: FakeRequest[] = [];
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const routes: Record<string, Answer> = {
    'GET /version': () => json({ SERVER_VERSION: '2021.12.21-12-gabcdef' }),
    'GET /projects/': () => json([{ id: 5, title: 'other', stacks: [] }, { id: 3, title: 'fly', stacks: [{ id: 4 }] }]),
    'GET /3/skeletons/': () => json([12, 7]),
    'GET /3/skeletons/7/root': () => json({ root_id: 70, x: 1.5, y: 2, z: 3 }),
    'GET /3/skeleton/7/neuronname': () => json({ neuronname: 'n', neuronid: 8 }),
    'GET /3/annotations/': () => json({ annotations: [{ id: 9, name: 'a', users: [] }] }),
    'GET /3/': () => json({ id: 3, title: 'fly' }),
    'GET /3/stacks': () => json([{ id: 4 }]),
    'POST /3/annotations/': () => json({ annotations: [] }),
    // The documented response type says a list of objects with id and title.
    'GET /permissions': () => json([{ not: 'an object' }]),
    'GET /apis/': () => new Response('<html><title>APIs</title></html>', { status: 200, headers: { 'Content-Type': 'text/html' } }),
    'GET /3/skeletons/7/cable-length': () => json({ error: 'You lack permissions', type: 'PermissionError', detail: '' }, 403),
    ...overrides,
  };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const path = url.pathname.slice('/catmaid'.length);
    const method = init?.method ?? 'GET';
    // As CATMAID: /version is a plain Django view that answers whatever the token; the others
    // (REST framework views, and CATMAID's own token check) refuse a wrong one.
    if (`${method} ${path}` !== 'GET /version' && new Headers(init?.headers).get('X-Authorization') !== `Token ${TOKEN}`) {
      return (routes['refused'] ?? (() => json({ detail: 'Invalid token.' }, 401)))();
    }
    requests.push({ method, path, query: url.search, body: typeof init?.body === 'string' ? init.body : '' });
    const answer = routes[`${method} ${path}`];
    if (answer) return answer(init);
    const allow = ALLOW[path];
    if (allow !== undefined && !allow.toUpperCase().split(/, */).includes(method)) {
      return new Response(JSON.stringify({ detail: `Method "${method}" not allowed.` }), { status: 405, headers: { 'Content-Type': 'application/json', Allow: allow } });
    }
    if (allow === undefined && method === 'PATCH' && routes[`GET ${path}`]) return routes[`GET ${path}`]!(init);
    return new Response('<!doctype html><title>Page not found at ' + url.pathname + '</title>', { status: 404, headers: { 'Content-Type': 'text/html' } });
  };
  return { fetch, requests };
}

async function run(options: Partial<VerifyOptions> = {}, overrides: Record<string, Answer> = {}): Promise<{ report: VerifyReport; requests: FakeRequest[] }> {
  const server = fakeCatmaid(overrides);
  const report = await verifyModel(fixtureModel('example'), { url: BASE, token: TOKEN, fetch: server.fetch, concurrency: 1, ...options });
  return { report, requests: server.requests };
}

const result = (report: VerifyReport, operationId: string) => report.results.find((r) => r.operationId === operationId)!;

/** Bytes of the files of a directory. */
const totalBytes = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

describe('verify', () => {
  it('fills required parameters from what the server lists', async () => {
    const { report, requests } = await run();
    expect(report.values).toEqual({ project: 3, stack: 4, skeleton: 7, treenode: 70, neuron: 8, annotation: 9, location: { x: 1.5, y: 2, z: 3 } });
    expect(report.server.version).toBe('2021.12.21-12-gabcdef');
    expect(requests.some((r) => r.path === '/3/stacks')).toBe(true);
  });

  it('is read-only by default: nothing recorded as a write, nothing named like one, no DELETE', async () => {
    const { report, requests } = await run({ includeVolatile: true });
    const called = requests.map((r) => `${r.method} ${r.path}`);
    for (const forbidden of ['POST /3/annotations/add', 'POST /3/treenode/create', 'POST /3/treenodes/70/confidence', 'POST /3/skeleton/split', 'POST /3/annotations/9/remove', 'DELETE /3/', 'GET /3/skeletons/7/id']) {
      expect(called).not.toContain(forbidden);
    }
    // Besides GET: the one POST that reads, and the probes of accepted methods, PATCH only.
    expect(called.filter((c) => !c.startsWith('GET ') && !c.startsWith('PATCH '))).toEqual(['POST /3/annotations/']);
    for (const forbidden of ['PATCH /3/annotations/add', 'PATCH /3/treenode/create', 'PATCH /3/treenodes/70/confidence', 'PATCH /3/skeleton/split', 'PATCH /3/skeletons/7/id', 'PATCH /accounts/logout']) {
      expect(called).not.toContain(forbidden);
    }
    expect(result(report, 'loginUser')).toMatchObject({ outcome: 'skipped', reason: 'changes data (login() (the session), line 30); --allow-writes calls it' });
    expect(result(report, 'nodeListTuples')).toMatchObject({ outcome: 'skipped', reason: 'cannot fill required left, top, z1' });
    expect(result(report, 'createTreenode')).toMatchObject({ outcome: 'skipped', reason: 'writes (record_view); --allow-writes calls it' });
    expect(result(report, 'deleteProjectDetail')).toMatchObject({ outcome: 'skipped', reason: 'DELETE writes; --allow-writes calls it' });
  });

  it('checks documented operations only, unless asked for volatile ones', async () => {
    const { report } = await run();
    expect(report.results.filter((r) => !r.documented).every((r) => r.outcome === 'skipped')).toBe(true);
    expect(result(report, 'treenodeInfo')).toMatchObject({ outcome: 'skipped', reason: 'undocumented (--include-volatile checks it)' });
  });

  it('passes an answer that parses and matches the documented type', async () => {
    const { report } = await run();
    expect(result(report, 'projects')).toMatchObject({ outcome: 'pass', status: 200, parsed: true, schema: 'match', reachable: true });
    expect(result(report, 'stacks')).toMatchObject({ outcome: 'pass', schema: 'match' });
    // Undocumented type, but the code's: `JsonResponse({'annotations': annotations})`.
    expect(result(report, 'listAnnotations')).toMatchObject({ outcome: 'pass', schema: 'match' });
  });

  it('fails an answer that does not match the documented type, and says where', async () => {
    const { report } = await run();
    expect(result(report, 'userProjectPermissions')).toMatchObject({ outcome: 'fail', schema: 'mismatch', reason: 'response does not match the documented type: (body) must be object' });
  });

  it("fails on CATMAID's error JSON with its type and message, never the traceback", async () => {
    const { report } = await run({}, { 'POST /3/annotations/': () => new Response(JSON.stringify({ error: "'annotations'", type: 'KeyError', detail: 'Traceback (most recent call last): …' }), { status: 400 }) });
    const r = result(report, 'listAnnotationsPost');
    expect(r).toMatchObject({ outcome: 'fail', status: 400, reason: "KeyError: 'annotations'" });
    expect(r.reason).not.toMatch(/Traceback/);
  });

  it('fails an answer that is not the JSON the model promises', async () => {
    const { report } = await run({}, { 'GET /3/stacks': () => new Response('<html>login</html>', { status: 200 }) });
    expect(result(report, 'stacks')).toMatchObject({ outcome: 'fail', status: 200, parsed: false });
    expect(result(report, 'stacks').reason).toMatch(/^expected JSON from GET \/catmaid\/3\/stacks/);
  });

  it('tells its progress after each operation, checked or skipped (the CLI shows it on a terminal)', async () => {
    const seen: Array<[number, number]> = [];
    const { report } = await run({ includeVolatile: true, onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.length).toBe(report.summary.operations);
    expect(seen.map(([d]) => d)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.every(([, t]) => t === report.summary.operations)).toBe(true);
  });

  it('reports 401 and 403 as denied, not as contract failures', async () => {
    const { report } = await run({ includeVolatile: true });
    expect(result(report, 'cableLength')).toMatchObject({ outcome: 'denied', status: 403, reason: 'PermissionError: You lack permissions' });
    const anonymous = await verifyModel(fixtureModel('example'), { url: BASE, fetch: fakeCatmaid().fetch });
    expect(anonymous.summary.failed).toBe(0);
    expect(anonymous.notes).toContain('project: no project is visible to this token; give --project-id');
  });

  it('stops at once, in one line, when the server refuses the token, although /version answers whatever the token', async () => {
    const server = fakeCatmaid();
    await expect(verifyModel(fixtureModel('example'), { url: BASE, token: 'wrong', fetch: server.fetch })).rejects.toThrow(
      new UsageError('http://catmaid.test/catmaid refuses the token: Invalid token.', 1),
    );
    // Only the version was read; nothing was called after the project list refused the token.
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /version']);
  });

  it("takes REST framework's other refusals of a token as refused too (403 'Invalid token.', a malformed header)", async () => {
    for (const refused of [
      () => new Response(JSON.stringify({ detail: 'Invalid token.' }), { status: 403 }),
      () => new Response(JSON.stringify({ detail: 'Invalid token header. Token string should not contain spaces.' }), { status: 401 }),
    ]) {
      await expect(verifyModel(fixtureModel('example'), { url: BASE, token: 'wrong token', fetch: fakeCatmaid({ refused }).fetch })).rejects.toThrow(/ refuses the token: Invalid token/);
    }
  });

  it('checks the token with the project list once, and reads the list from that answer', async () => {
    const { report, requests } = await run();
    // Once for the token and the values, once as the operation checked (and once probed with PATCH).
    expect(requests.filter((r) => r.path === '/projects/' && r.method === 'GET')).toHaveLength(2);
    expect(report.values.project).toBe(3);
    // A project list that fails otherwise does not end the run: discovery notes it.
    const { report: broken } = await run({}, { 'GET /projects/': () => new Response(JSON.stringify({ error: 'boom', type: 'ValueError' }), { status: 500 }) });
    expect(broken.notes).toContain('project: no project is visible to this token; give --project-id');
  });

  it('has no token to check without one', async () => {
    const server = fakeCatmaid();
    const report = await verifyModel(fixtureModel('example'), { url: BASE, fetch: server.fetch });
    expect(report.server.version).toBe('2021.12.21-12-gabcdef');
    expect(report.summary.denied).toBeGreaterThan(0);
  });

  it('reports a conditional route that answers Django\'s 404 as not mounted, not as a failure', async () => {
    const { report } = await run({ includeVolatile: true });
    // `/tests` is defined under `if settings.FRONT_END_TESTS_ENABLED:`; the fake does not serve it.
    expect(result(report, 'getCatmaidViewAtTests')).toMatchObject({
      outcome: 'not-mounted',
      status: 404,
      reason: 'not mounted here (settings.FRONT_END_TESTS_ENABLED): GET /catmaid/tests failed with 404: Page not found at /catmaid/tests',
    });
    expect(report.summary.notMounted).toBe(1);
    expect(formatVerifyTable(report)).toMatch(/^not-mounted +GET +\/tests +404 /m);
    // An empty 404 is Django's too.
    const { report: empty } = await run({ includeVolatile: true }, { 'GET /tests': () => new Response('', { status: 404 }) });
    expect(result(empty, 'getCatmaidViewAtTests').outcome).toBe('not-mounted');
  });

  it("keeps a mounted view's 404 (CATMAID's error JSON, REST framework's detail) and an unconditional route's 404 as failures", async () => {
    const { report } = await run(
      { includeVolatile: true },
      {
        'GET /tests': () => new Response(JSON.stringify({ error: 'No such test', type: 'Http404', detail: '' }), { status: 404 }),
        'GET /3/': () => new Response(JSON.stringify({ detail: 'Not found.' }), { status: 404 }),
        'GET /3/stacks': () => new Response('<!doctype html><title>Not Found</title>', { status: 404, headers: { 'Content-Type': 'text/html' } }),
      },
    );
    expect(result(report, 'getCatmaidViewAtTests')).toMatchObject({ outcome: 'fail', status: 404, reason: 'Http404: No such test' });
    expect(result(report, 'stacks')).toMatchObject({ outcome: 'fail', status: 404 });
    expect(report.results.filter((r) => r.path === '/{project_id}/' && r.method === 'GET')[0]).toMatchObject({ outcome: 'fail', reason: 'Not found.' });
    expect(report.summary.notMounted).toBe(0);
  });

  it('reports a view that fails on a setting the server lacks as not configured, not as a failure', async () => {
    const error = (message: string, type: string) => () => new Response(JSON.stringify({ error: message, type, detail: 'Traceback …' }), { status: 500 });
    const { report } = await run({}, {
      'GET /3/stacks': error("'Settings' object has no attribute 'DVID_URL'", 'AttributeError'),
      'GET /3/': error('Output path is not configured', 'ImproperlyConfigured'),
      'GET /3/skeletons/7/root': error("'NoneType' object has no attribute 'id'", 'AttributeError'),
    });
    expect(result(report, 'stacks')).toMatchObject({ outcome: 'not-configured', status: 500, reason: "AttributeError: 'Settings' object has no attribute 'DVID_URL'" });
    expect(report.results.find((r) => r.path === '/{project_id}/' && r.method === 'GET')).toMatchObject({ outcome: 'not-configured' });
    expect(report.results.find((r) => r.path === '/{project_id}/skeletons/{skeleton_id}/root')).toMatchObject({ outcome: 'fail' });
    expect(report.summary).toMatchObject({ notConfigured: 2 });
    expect(formatVerifyTable(report)).toMatch(/, 2 not configured; /);
  });

  it('reads a page the model says is HTML as text, and passes it when the server answers text/html', async () => {
    const model = structuredClone(fixtureModel('example'));
    const index = model.routes.find((r) => r.path === '/')!.operations[0]!;
    index.response = { format: 'html' };
    const page = (type: string) => () => new Response('<!DOCTYPE html><title>CATMAID</title>', { status: 200, headers: { 'Content-Type': type } });
    const check = async (overrides: Record<string, () => Response>) => {
      const server = fakeCatmaid(overrides);
      return verifyModel(model, { url: BASE, token: TOKEN, fetch: server.fetch, includeVolatile: true, concurrency: 1 });
    };
    expect(result(await check({ 'GET /': page('text/html; charset=utf-8') }), 'getCatmaidView')).toMatchObject({ outcome: 'pass', status: 200, parsed: true, schema: 'none' });
    expect(result(await check({ 'GET /': page('application/json') }), 'getCatmaidView')).toMatchObject({ outcome: 'fail', parsed: false, reason: 'expected text/html, got application/json' });
    expect(result(await check({ 'GET /': () => new Response('<p>', { status: 200, headers: { 'Content-Type': '' } }) }), 'getCatmaidView')).toMatchObject({ outcome: 'fail', reason: 'expected text/html, got no Content-Type' });
    // Text is checked against the content type the code sets (SWC: text/plain).
    const swc = (type: string) => ({ 'GET /3/skeleton/7/swc': () => new Response('1 0 1 2 3 0 -1\n', { status: 200, headers: { 'Content-Type': type } }) });
    expect(result(await check(swc('text/plain')), 'skeletonSwc')).toMatchObject({ outcome: 'pass', parsed: true });
    expect(result(await check(swc('text/html; charset=utf-8')), 'skeletonSwc')).toMatchObject({ outcome: 'fail', reason: 'expected text/plain, got text/html' });
    // Where the model promises JSON, a page is a failure.
    index.response = { format: 'json' };
    expect(result(await check({ 'GET /': page('text/html') }), 'getCatmaidView')).toMatchObject({ outcome: 'fail', parsed: false });
    // The example's index is a TemplateView: the model itself says HTML.
    expect(fixtureModel('example').routes.find((r) => r.path === '/')!.operations[0]!.response).toMatchObject({ format: 'html' });
  });

  it('skips what it cannot fill, naming the parameter', async () => {
    const { report } = await run({}, { 'GET /3/skeletons/': () => new Response('[]', { status: 200 }) });
    expect(report.values.skeleton).toBeUndefined();
    expect(report.notes).toContain('skeleton: none found in project 3');
    const { report: volatile } = await run({ includeVolatile: true }, { 'GET /3/skeletons/': () => new Response('[]', { status: 200 }) });
    expect(result(volatile, 'skeletonSwc')).toMatchObject({ outcome: 'skipped', reason: 'cannot fill required skeleton_id' });
  });

  it('uses --project-id over the first listed project', async () => {
    const { report, requests } = await run({ projectId: 5 });
    expect(report.values.project).toBe(5);
    expect(requests.some((r) => r.path === '/5/skeletons/')).toBe(true);
    expect(requests.some((r) => r.path.startsWith('/3/'))).toBe(false);
  });

  it('writes only with --allow-writes, only in the named project, and never deletes, merges or splits', async () => {
    await expect(run({ allowWrites: true })).rejects.toThrow(UsageError);
    const { requests } = await run({ allowWrites: true, projectId: 3, includeVolatile: true });
    const called = requests.map((r) => `${r.method} ${r.path}`);
    expect(called).toContain('POST /3/treenode/create');
    expect(called).toContain('POST /3/treenodes/70/confidence');
    expect(requests.find((r) => r.path === '/3/treenode/create')!.body).toBe('x=1.5&y=2&z=3');
    for (const never of ['POST /3/skeleton/split', 'POST /3/annotations/9/remove', 'DELETE /3/']) expect(called).not.toContain(never);
  });

  it('never shows the token', async () => {
    const { report } = await run({ includeVolatile: true });
    expect(JSON.stringify(report) + formatVerifyTable(report, { all: true })).not.toContain(TOKEN);
  });

  it('counts every operation once, and sorts the results', async () => {
    const { report } = await run({ includeVolatile: true });
    const ops = fixtureModel('example').routes.reduce((n, r) => n + r.operations.length, 0);
    expect(report.summary.operations).toBe(ops);
    expect(report.summary.checked + report.summary.skipped).toBe(ops);
    const { passed, failed, denied, notMounted, notConfigured, checked } = report.summary;
    expect(passed + failed + denied + notMounted + notConfigured).toBe(checked);
    const again = await run({ includeVolatile: true });
    expect(again.report.results.map((r) => r.operationId)).toEqual(report.results.map((r) => r.operationId));
  });

  it('refuses a URL that is not http(s), and says when the server cannot be reached', async () => {
    await expect(verifyModel(fixtureModel('example'), { url: 'ftp://x/' })).rejects.toThrow('--url must be http or https, not ftp:');
    const refused: typeof fetch = async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    };
    await expect(verifyModel(fixtureModel('example'), { url: 'http://127.0.0.1:9/', fetch: refused })).rejects.toThrow('cannot reach http://127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9');
  });
});

describe('verify: accepted methods', () => {
  const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
  const withModel = async (model: RouteModel, options: Partial<VerifyOptions> = {}, overrides: Record<string, Answer> = {}) => {
    const server = fakeCatmaid(overrides);
    const report = await verifyModel(model, { url: BASE, token: TOKEN, fetch: server.fetch, concurrency: 1, ...options });
    return { report, requests: server.requests };
  };

  it("agrees where the server answers an unaccepted method with 405 and the model's Allow, in any order and case", async () => {
    const { report, requests } = await run({ includeVolatile: true });
    expect(result(report, 'projects').accepts).toEqual({ expected: ['GET', 'OPTIONS'], probe: 'PATCH', status: 405, allow: ['GET', 'OPTIONS'], agrees: true, ms: expect.any(Number) });
    // The fake says `OPTIONS, get`.
    expect(result(report, 'stacks').accepts).toMatchObject({ probe: 'PATCH', status: 405, allow: ['GET', 'OPTIONS'], agrees: true });
    expect(result(report, 'getProjectDetail').accepts).toMatchObject({ expected: ['GET', 'HEAD', 'DELETE', 'OPTIONS'], allow: ['GET', 'HEAD', 'DELETE', 'OPTIONS'], agrees: true });
    // A GET view nothing restricts: PATCH with the same query runs it.
    expect(result(report, 'neuronname').accepts).toEqual({ expected: 'any', probe: 'PATCH', status: 200, agrees: true, ms: expect.any(Number) });
    expect(result(report, 'neuronname').outcome).toBe('pass');
    // A route whose call did not reach a view (the fake serves no SWC: Django's own 404) is not probed.
    expect(result(report, 'skeletonSwc').accepts).toEqual({ expected: 'any', reason: 'not probed: no call of this route reached the view' });
    const notProbed = report.results.filter((r) => r.accepts && r.accepts.probe === undefined).length;
    // One probe per route: the GET operation's call is reused, the POST one carries nothing.
    expect(requests.filter((r) => r.method === 'PATCH' && r.path === '/3/annotations/')).toHaveLength(1);
    expect(result(report, 'listAnnotations').accepts).toMatchObject({ probe: 'PATCH', agrees: true });
    expect(result(report, 'listAnnotationsPost').accepts).toBeUndefined();
    // Each probe has the query of the call it reuses and no body.
    const patches = requests.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBe(report.summary.accepts!.probes);
    for (const patch of patches) {
      expect(patch.body).toBe('');
      expect(requests.some((r) => r.method === 'GET' && r.path === patch.path && r.query === patch.query)).toBe(true);
    }
    expect(new Set(patches.map((r) => r.path)).size).toBe(patches.length);
    // A refusal says nothing about the methods (the fake's cable length is forbidden).
    expect(result(report, 'cableLength')).toMatchObject({ outcome: 'denied', accepts: { expected: 'any', probe: 'PATCH', status: 403, reason: 'PATCH was refused with 403 before the method was judged' } });
    expect(report.summary.accepts).toEqual({ probes: patches.length, agreed: patches.length - 1, disagreed: 0, inconclusive: 1, notProbed });
    expect(notProbed).toBeGreaterThan(0);
    expect(formatVerifyTable(report)).toMatch(new RegExp(`^accepted methods: ${patches.length} routes probed, ${patches.length - 1} agree, 0 disagree, 1 inconclusive; ${notProbed} routes called, not probed$`, 'm'));
    expect(formatVerifyTable(report)).toMatch(/^denied +GET +\/\{project_id\}\/skeletons\/\{skeleton_id\}\/cable-length +403 +yes +- +PATCH 403 \? +\d+ ms +PermissionError: You lack permissions; accepted methods: PATCH was refused with 403 before the method was judged$/m);
  });

  it('fails the operation when a view the model restricts runs the probe', async () => {
    const { report } = await run({}, { 'PATCH /projects/': () => json([{ id: 3, title: 'fly' }]) });
    expect(result(report, 'projects')).toMatchObject({
      outcome: 'fail',
      status: 200,
      schema: 'match',
      reason: 'accepted methods: PATCH reached the view (200) although the model says only GET, OPTIONS',
      accepts: { expected: ['GET', 'OPTIONS'], probe: 'PATCH', status: 200, agrees: false },
    });
    expect(report.summary.accepts).toMatchObject({ disagreed: 1 });
    expect(report.summary.failed).toBe(2);
    expect(formatVerifyTable(report)).toMatch(/^FAIL +GET +\/projects\/ +200 +yes +match +PATCH 200 DIFFERS +\d+ ms +accepted methods: PATCH reached the view \(200\) although the model says only GET, OPTIONS$/m);
    // A view's own error is the view running too.
    const { report: error } = await run({}, { 'PATCH /3/stacks': () => json({ error: 'Unsupported HTTP method: PATCH', type: 'ValueError' }, 400) });
    expect(result(error, 'stacks')).toMatchObject({ outcome: 'fail', reason: 'accepted methods: PATCH reached the view (400) although the model says only GET, OPTIONS' });
  });

  it('fails the operation when the Allow header names other methods than the model, and says which', async () => {
    const { report } = await run({}, {
      'PATCH /3/stacks': () => json({ detail: 'Method "PATCH" not allowed.' }, 405, { Allow: 'GET, HEAD, OPTIONS' }),
      'PATCH /projects/': () => json({ detail: 'Method "PATCH" not allowed.' }, 405, { Allow: 'POST, OPTIONS' }),
    });
    expect(result(report, 'stacks')).toMatchObject({
      outcome: 'fail',
      reason: 'accepted methods: Allow: GET, HEAD, OPTIONS; the model says GET, OPTIONS (server also allows HEAD)',
      accepts: { status: 405, allow: ['GET', 'HEAD', 'OPTIONS'], agrees: false },
    });
    expect(result(report, 'projects').reason).toBe('accepted methods: Allow: POST, OPTIONS; the model says GET, OPTIONS (server also allows POST; server does not allow GET)');
    expect(report.summary.accepts).toMatchObject({ disagreed: 2 });
    // 405 without an Allow header cannot be compared.
    const { report: bare } = await run({}, { 'PATCH /3/stacks': () => new Response('', { status: 405 }) });
    expect(result(bare, 'stacks')).toMatchObject({ outcome: 'pass', accepts: { status: 405, reason: 'PATCH answered 405 without an Allow header' } });
    expect(result(bare, 'stacks').accepts?.agrees).toBeUndefined();
    expect(bare.summary.accepts).toMatchObject({ inconclusive: 1, disagreed: 0 });
  });

  it('fails a view the model says nothing restricts when it answers 405', async () => {
    const { report } = await run({ includeVolatile: true }, { 'PATCH /3/skeleton/7/neuronname': () => new Response('', { status: 405, headers: { Allow: 'GET' } }) });
    expect(result(report, 'neuronname')).toMatchObject({
      outcome: 'fail',
      reason: 'accepted methods: PATCH answered 405 (GET): something restricts the methods the model says are unrestricted',
      accepts: { expected: 'any', allow: ['GET'], agrees: false },
    });
  });

  it("checks a tuple answer position by position (JSON Schema 2020-12's prefixItems)", async () => {
    const model = structuredClone(fixtureModel('example'));
    const nodes = model.routes.find((r) => r.path === '/{project_id}/nodes/')!.operations[0]!;
    for (const [p, name] of nodes.parameters.filter((q) => q.in === 'form').map((q, i) => [q, ['x', 'y', 'z'][i]!] as const)) p.name = name;
    const { report } = await withModel(model, {}, { 'POST /3/nodes/': () => json([[], [], {}, false, []]) });
    expect(result(report, 'nodeListTuples')).toMatchObject({ outcome: 'fail', schema: 'mismatch', reason: expect.stringContaining('/3 must be array') });
  });

  it('probes a POST view with its form parameters in the query string and no body', async () => {
    const model = structuredClone(fixtureModel('example'));
    const nodes = model.routes.find((r) => r.path === '/{project_id}/nodes/')!.operations[0]!;
    // Parameters the server's values fill (the location), instead of the view's left, top, z1.
    for (const [p, name] of nodes.parameters.filter((q) => q.in === 'form').map((q, i) => [q, ['x', 'y', 'z'][i]!] as const)) p.name = name;
    const { report, requests } = await withModel(model, {}, { 'POST /3/nodes/': () => json([[], [], {}, [], []]) });
    expect(result(report, 'nodeListTuples')).toMatchObject({ outcome: 'pass', accepts: { expected: ['POST', 'OPTIONS'], probe: 'PATCH', status: 405, allow: ['POST', 'OPTIONS'], agrees: true } });
    expect(requests.filter((r) => r.path === '/3/nodes/').map((r) => [r.method, r.query, r.body])).toEqual([
      ['POST', '', 'x=1.5&y=2&z=3'],
      ['PATCH', '?x=1.5&y=2&z=3', ''],
    ]);
  });

  it('never probes a view nothing restricts where it writes, nor a POST one, nor with --no-accepts', async () => {
    const { report, requests } = await run({ allowWrites: true, projectId: 3, includeVolatile: true }, { 'POST /3/treenode/create': () => json({ treenode_id: 71 }) });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /3/treenode/create');
    expect(requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).not.toContain('/3/treenode/create');
    expect(result(report, 'createTreenode').accepts).toEqual({ expected: 'any', reason: 'accepts any method; not probed, as it may write: writes (record_view)' });

    // Nor a GET view named like a write, which verify calls (its code shows no write), but a probe would run again.
    const renamed = structuredClone(fixtureModel('example'));
    renamed.routes.find((r) => r.path === '/{project_id}/skeleton/{skeleton_id}/neuronname')!.operations[0]!.operationId = 'rebuildNeuronname';
    const { report: rebuild, requests: rebuildRequests } = await withModel(renamed, { includeVolatile: true });
    expect(result(rebuild, 'rebuildNeuronname')).toMatchObject({ outcome: 'pass', accepts: { expected: 'any', reason: "accepts any method; not probed, as it may write: named like a write ('rebuild')" } });
    expect(rebuildRequests.some((r) => r.method === 'PATCH' && r.path === '/3/skeleton/7/neuronname')).toBe(false);

    // A POST view reads request.POST, which Django fills for POST only: another method would not run the same code.
    const model = structuredClone(fixtureModel('example'));
    const annotations = model.routes.find((r) => r.path === '/{project_id}/annotations/')!;
    annotations.operations = annotations.operations.filter((o) => o.method === 'POST');
    annotations.operations[0]!.accepts = { methods: 'any', evidence: [] };
    const { report: post, requests: postRequests } = await withModel(model);
    expect(result(post, 'listAnnotationsPost')).toMatchObject({ outcome: 'pass', accepts: { expected: 'any', reason: 'accepts any method; not probed: only a GET view reads its parameters whatever the method' } });
    expect(postRequests.some((r) => r.method === 'PATCH' && r.path === '/3/annotations/')).toBe(false);
    expect(post.summary.accepts).toMatchObject({ notProbed: 1 });

    const { report: off, requests: offRequests } = await run({ includeVolatile: true, accepts: false });
    expect(offRequests.some((r) => r.method === 'PATCH')).toBe(false);
    expect(off.summary.accepts).toBeUndefined();
    expect(off.results.some((r) => r.accepts !== undefined)).toBe(false);
    expect(formatVerifyTable(off)).toMatch(/^accepted methods: not probed \(--no-accepts\)$/m);
  });

  it('does not probe a route whose URL Django serves with an earlier route', async () => {
    const model = structuredClone(fixtureModel('example'));
    const stacks = model.routes.find((r) => r.path === '/{project_id}/stacks')!;
    // As CATMAID's back-end URLconfs: the same path with `.+` after the `\d+` one, a view nothing restricts.
    const later = structuredClone(stacks);
    later.regex = '^(?P<project_id>.+)/stacks$';
    later.order = Math.max(...model.routes.map((r) => r.order)) + 1;
    later.view = { ...later.view!, module: 'catmaid.control.noop', name: 'stacks' };
    later.operations[0]!.operationId = 'noopStacks';
    later.operations[0]!.accepts = { methods: 'any', evidence: [] };
    model.routes.push(later);
    expect(resolveRoute(model, '3/stacks')).toBe(stacks);
    expect(resolveRoute(model, 'x/stacks')).toBe(later);
    const { report, requests } = await withModel(model);
    expect(result(report, 'noopStacks').accepts).toEqual({ expected: 'any', reason: `not probed: Django serves the URL called with an earlier route, /{project_id}/stacks (order ${stacks.order}, catmaid.control.stack.stacks)` });
    expect(result(report, 'stacks').accepts).toMatchObject({ probe: 'PATCH', agrees: true });
    expect(requests.filter((r) => r.method === 'PATCH' && r.path === '/3/stacks')).toHaveLength(1);
  });

  it('bounds the probes by the timeout and the concurrency', async () => {
    const never: Answer = (init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    const { report } = await run({ timeoutMs: 300 }, { 'PATCH /projects/': never });
    expect(result(report, 'projects')).toMatchObject({ outcome: 'pass', accepts: { probe: 'PATCH', reason: 'PATCH got no answer: no answer within 300 ms' } });
    expect(report.summary.accepts).toMatchObject({ inconclusive: 1, disagreed: 0 });

    const server = fakeCatmaid();
    let inFlight = 0;
    let most = 0;
    // Probes in flight at once (they run after the operations' calls, in a pool of their own).
    const counting: typeof fetch = async (input, init) => {
      if (init?.method !== 'PATCH') return server.fetch(input, init);
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      try {
        return await server.fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const concurrent = await verifyModel(fixtureModel('example'), { url: BASE, token: TOKEN, fetch: counting, includeVolatile: true, concurrency: 2 });
    expect(concurrent.summary.accepts!.probes).toBeGreaterThan(2);
    expect(most).toBe(2);
  });
});

describe('accepted methods: the pieces', () => {
  it('picks the first of PATCH, PUT, DELETE, POST the route does not accept', () => {
    expect(probeMethod(['GET', 'OPTIONS'])).toBe('PATCH');
    expect(probeMethod(['get', 'patch'])).toBe('PUT');
    expect(probeMethod(['PATCH', 'PUT', 'DELETE'])).toBe('POST');
    expect(probeMethod(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])).toBeUndefined();
  });

  it('reads an Allow header without regard to order, case, spaces or repeats', () => {
    expect(parseAllow('OPTIONS, get ,GET,,head')).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(parseAllow(null)).toBeUndefined();
    expect(judgeProbe(['OPTIONS', 'GET'], 'PATCH', 405, 'get, options')).toEqual({ allow: ['GET', 'OPTIONS'], agrees: true });
    expect(judgeProbe('any', 'PATCH', 500, null)).toEqual({ agrees: true });
    expect(judgeProbe('any', 'PATCH', 502, null)).toEqual({ reason: 'PATCH answered 502 (a gateway, not the view)' });
  });

  it('sends every parameter of the reused call in the query string, reads the raw answer, never retries', () => {
    const model = fixtureModel('example');
    const route = model.routes.find((r) => r.path === '/{project_id}/annotations/')!;
    const spec = probeSpec(route, route.operations.find((o) => o.method === 'POST')!, 'PATCH');
    expect(spec).toMatchObject({ method: 'PATCH', response: 'response', writes: true });
    expect(spec.params.map((p) => `${p.name}:${p.in}`)).toEqual(['project_id:path', 'annotations:query', 'with_annotations:query']);
  });
});

describe('verify --record: what is recorded', () => {
  const record = async (options: Partial<VerifyOptions> = {}, overrides: Record<string, Answer> = {}, model: RouteModel = fixtureModel('example')) => {
    const server = fakeCatmaid(overrides);
    return verifyAndRecord(model, { url: BASE, token: TOKEN, fetch: server.fetch, concurrency: 1, includeVolatile: true, ...options });
  };
  const stored = (recordings: Recording[], name: string): ObservedRecording => {
    const found = recordings.find((r) => r.name === name);
    if (!found) throw new Error(`no recording ${name} among ${recordings.map((r) => r.name).join(', ')}`);
    return JSON.parse(found.content) as ObservedRecording;
  };
  const withoutTimes = (report: VerifyReport) => JSON.parse(JSON.stringify(report, (k, v) => (k === 'ms' ? undefined : v)));

  it('records every operation called that answered JSON with a 2xx status, one file each, and nothing else', async () => {
    const { report, recordings } = await record();
    expect(recordings.map((r) => r.name)).toEqual([
      'GET__{project_id}__.json',
      'GET__{project_id}__annotations__.json',
      'GET__{project_id}__skeleton__{skeleton_id}__neuronname.json',
      'GET__{project_id}__skeletons__.json',
      'GET__{project_id}__skeletons__{skeleton_id}__root.json',
      'GET__{project_id}__stacks.json',
      // 200 with a body that does not match the documented type: evidence all the same.
      'GET__permissions.json',
      'GET__projects__.json',
      'GET__version.json',
      'POST__{project_id}__annotations__.json',
    ]);
    // Not the HTML page (/apis/), the 403 (cable-length), the 404s, nor what was skipped.
    expect(result(report, 'getSwaggerView')).toMatchObject({ outcome: 'pass', status: 200 });
    expect(result(report, 'cableLength')).toMatchObject({ outcome: 'denied' });
    // Recording changes nothing of the report.
    const plain = await verifyModel(fixtureModel('example'), { url: BASE, token: TOKEN, fetch: fakeCatmaid().fetch, concurrency: 1, includeVolatile: true });
    expect(withoutTimes(report)).toEqual(withoutTimes(plain));
  });

  it('stores method, path called, template, operation id, status, parameter names, the server version and the body; no host, query, header or token', async () => {
    const { recordings } = await record();
    const content = recordings.find((r) => r.name === 'GET__{project_id}__skeletons__.json')!.content;
    expect(content).toBe(
      JSON.stringify(
        { method: 'GET', path: '/3/skeletons/', pathTemplate: '/{project_id}/skeletons/', operationId: 'listSkeletons', status: 200, params: [], catmaidVersion: '2021.12.21-12-gabcdef', body: [12, 7] },
        null,
        2,
      ) + '\n',
    );
    // Object keys sorted: the same answer gives the same bytes whatever order the server wrote.
    expect(stored(recordings, 'GET__projects__.json').body).toEqual([{ id: 5, stacks: [], title: 'other' }, { id: 3, stacks: [{ id: 4 }], title: 'fly' }]);
    const all = recordings.map((r) => r.content).join('\n');
    for (const never of [TOKEN, 'catmaid.test', '/catmaid/', 'X-Authorization', 'Content-Type', 'recordedAt']) expect(all).not.toContain(never);
  });

  it('names the parameters sent, query and body, as the wire spells them', async () => {
    const { recordings } = await record({ allowWrites: true, projectId: 3 }, { 'POST /3/treenode/create': () => new Response(JSON.stringify({ treenode_id: 71, skeleton_id: 7 }), { status: 200 }) });
    expect(stored(recordings, 'POST__{project_id}__treenode__create.json')).toMatchObject({ method: 'POST', path: '/3/treenode/create', params: ['x', 'y', 'z'], body: { skeleton_id: 7, treenode_id: 71 } });
    expect(sentParams('http://h/c/3/x?skeleton_ids%5B0%5D=7&with_tags=true&skeleton_ids%5B1%5D=8', undefined)).toEqual(['skeleton_ids[0]', 'with_tags', 'skeleton_ids[1]']);
    expect(sentParams('http://h/c/3/x?a=1', { body: 'b=2&a=3', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).toEqual(['a', 'b']);
    expect(sentParams('http://h/c/3/x', { body: '{"json":1,"body":[2]}', headers: { 'Content-Type': 'application/json' } })).toEqual(['json', 'body']);
    const form = new FormData();
    form.append('file', new Blob(['x']));
    expect(sentParams('http://h/c/3/x', { body: form })).toEqual(['file']);
  });

  it('records JSON by its Content-Type where the model does not say JSON, and neither text nor an empty answer', async () => {
    const model = structuredClone(fixtureModel('example'));
    const op = (path: string) => model.routes.find((r) => r.path === path)!.operations[0]!;
    op('/{project_id}/stacks').response = { format: 'unknown' };
    op('/{project_id}/skeletons/{skeleton_id}/root').response = { format: 'text' };
    const { recordings } = await record({}, {
      'GET /3/': () => new Response('', { status: 200, headers: { 'Content-Type': 'application/json' } }),
      'GET /3/skeletons/7/root': () => new Response('{"root_id": 70}', { status: 200, headers: { 'Content-Type': 'text/plain' } }),
      'GET /3/stacks': () => new Response('[{"id": 4}]', { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' } }),
    }, model);
    expect(stored(recordings, 'GET__{project_id}__stacks.json').body).toEqual([{ id: 4 }]);
    expect(recordings.map((r) => r.name)).not.toContain('GET__{project_id}__.json');
    expect(recordings.map((r) => r.name)).not.toContain('GET__{project_id}__skeletons__{skeleton_id}__root.json');
  });

  it('cuts large bodies to their first items, keys and characters, and says where', async () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ id: i + 9, name: `annotation ${i}`.padEnd(1500, '.'), users: [] }));
    const wide = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i]));
    const { recordings } = await record({}, { 'GET /3/annotations/': () => new Response(JSON.stringify({ annotations: many, wide }), { status: 200 }) });
    const annotations = stored(recordings, 'GET__{project_id}__annotations__.json');
    const body = annotations.body as { annotations: Array<{ id: number; name: string }>; wide: Record<string, number> };
    expect(body.annotations).toHaveLength(20);
    expect(body.annotations[0]).toEqual({ id: 9, name: 'annotation 0'.padEnd(1000, '.'), users: [] });
    expect(Object.keys(body.wide)).toHaveLength(100);
    expect(annotations.cut!.limits).toEqual({ items: 20, keys: 100, chars: 1000 });
    expect(annotations.cut!.at).toEqual([
      { at: ['annotations'], items: 500 },
      ...Array.from({ length: 20 }, (_, i) => ({ at: ['annotations', i, 'name'], chars: 1500 })),
      { at: ['wide'], keys: 150 },
    ]);
    expect(recordings.find((r) => r.name === 'GET__{project_id}__annotations__.json')).toMatchObject({ cut: true });
    expect(recordings.filter((r) => r.cut)).toHaveLength(1);
    expect(stored(recordings, 'GET__{project_id}__skeletons__.json').cut).toBeUndefined();
  });

  it('replaces the host and the token wherever the body has them', async () => {
    const { recordings } = await record({}, {
      'GET /3/stacks': () => new Response(JSON.stringify([{ id: 4, image_base: 'http://catmaid.test/tiles/', mirror: 'https://CATMAID.TEST:8443/x', note: `made with ${TOKEN}`, other: 'http://notcatmaid.test/', module: 'catmaid.testing' }]), { status: 200 }),
    });
    const stacks = stored(recordings, 'GET__{project_id}__stacks.json');
    expect(stacks.body).toEqual([{ id: 4, image_base: 'http://redacted.invalid/tiles/', mirror: 'https://redacted.invalid/x', note: 'made with [redacted token]', other: 'http://notcatmaid.test/', module: 'catmaid.testing' }]);
    expect(stacks.redacted).toBe(3);
  });
});

describe('verify --record: the pieces', () => {
  it('names files by method and path template, the same on every file system, without collisions', () => {
    expect(templateName('/{project_id}/skeletons/')).toBe('__{project_id}__skeletons__');
    expect(templateName('/')).toBe('__');
    // `_` where it could be read as part of `__` is written out: different templates, different names.
    const templates = ['/a_/b', '/a/_b', '/a__b', '/a/b', '/a//b', '/a_b', '/_', '/__', '/~5F', '/a?b', '/a:b', '/(?P<x>\\d+)', '/ä'];
    const names = templates.map(templateName);
    expect(new Set(names).size).toBe(templates.length);
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9._{}~-]*$/);
    expect(templateName('/a?b')).toBe('__a~3Fb');
    expect(templateName('/ä')).toBe('__~C3~A4');

    const model = structuredClone(fixtureModel('example'));
    const stacks = model.routes.find((r) => r.path === '/{project_id}/stacks')!;
    // The same template twice (a `.+` route after a `\d+` one), and one differing only in case.
    const twin = structuredClone(stacks);
    twin.operations[0]!.operationId = 'noopStacks';
    const upper = structuredClone(stacks);
    upper.path = '/{project_id}/Stacks';
    upper.operations[0]!.operationId = 'upperStacks';
    model.routes.push(twin, upper);
    const byId = recordingNames(model);
    expect(byId.get('stacks')).toBe('GET__{project_id}__stacks~stacks.json');
    expect(byId.get('noopStacks')).toBe('GET__{project_id}__stacks~noopStacks.json');
    expect(byId.get('upperStacks')).toBe('GET__{project_id}__Stacks~upperStacks.json');
    expect(byId.get('listSkeletons')).toBe('GET__{project_id}__skeletons__.json');
    const lower = [...byId.values()].map((n) => n.toLowerCase());
    expect(new Set(lower).size).toBe(lower.length);
  });

  it('takes the path without the base URL\'s sub-path and query, decoded', () => {
    expect(requestedPath('http://h:8/catmaid/3/skeletons/?a=1', 'http://h:8/catmaid/')).toBe('/3/skeletons/');
    expect(requestedPath('http://h:8/catmaid/3/annotations/a%20b', 'http://h:8/catmaid')).toBe('/3/annotations/a b');
    expect(requestedPath('http://h/version', 'http://h')).toBe('/version');
  });

  it('bounds a body that is still large with tighter limits', () => {
    const huge = Array.from({ length: 40 }, () => Object.fromEntries(Array.from({ length: 90 }, (_, k) => [`k${k}`, 'x'.repeat(900)])));
    const model = fixtureModel('example');
    const route = model.routes.find((r) => r.path === '/{project_id}/stacks')!;
    const recording = makeRecording(route, route.operations[0]!, 'x.json', { url: 'http://h/3/stacks', status: 200, params: [], body: huge, bytes: 0 }, { baseUrl: 'http://h/' });
    const stored = JSON.parse(recording.content) as ObservedRecording;
    expect(stored.cut!.limits).toEqual({ items: 5, keys: 50, chars: 200 });
    expect(stored.body).toHaveLength(5);
    expect(Buffer.byteLength(JSON.stringify(stored.body))).toBeLessThan(MAX_BODY_BYTES);
    expect(boundBody([1, [2, 3, 4], 'abcdef'], { items: 2, keys: 1, chars: 3 })).toEqual({ body: [1, [2, 3]], cut: [{ at: [], items: 3 }, { at: [1], items: 3 }], redacted: 0 });
    expect(boundBody({ b: 1, a: 'ab' }, { items: 2, keys: 1, chars: 1 })).toEqual({ body: { a: 'a' }, cut: [{ at: [], keys: 2 }, { at: ['a'], chars: 2 }], redacted: 0 });
  });

  it('replaces a one-label host only where it is a URL\'s host', () => {
    const model = fixtureModel('example');
    const route = model.routes.find((r) => r.path === '/{project_id}/stacks')!;
    const body = { a: 'http://catmaid/tiles', b: 'catmaid.control.stack', c: 'user@catmaid:22', d: 'https://catmaidx/' };
    const recording = makeRecording(route, route.operations[0]!, 'x.json', { url: 'http://catmaid/3/stacks', status: 200, params: [], body, bytes: 0 }, { baseUrl: 'http://catmaid/' });
    expect((JSON.parse(recording.content) as ObservedRecording).body).toEqual({ a: 'http://redacted.invalid/tiles', b: 'catmaid.control.stack', c: 'user@redacted.invalid', d: 'https://catmaidx/' });
  });
});

describe('writeReason', () => {
  it('counts code that changes data as a write, also where the URLconf does not record it', () => {
    const model = fixtureModel('operations');
    const route = model.routes.find((r) => r.path === '/{project_id}/user/reviewer-whitelist')!;
    const post = route.operations.find((o) => o.method === 'POST')!;
    expect(post.writes).toBe(false);
    expect(writeReason(route, post)).toBe('changes data (ReviewerWhitelist.objects.filter(…).delete(), line 96)');
    expect(writeReason(route, route.operations.find((o) => o.method === 'GET')!)).toBeUndefined();
  });

  it('names why an operation writes', () => {
    const model = fixtureModel('example');
    const reasons = Object.fromEntries(model.routes.flatMap((r) => r.operations.map((o) => [o.operationId, writeReason(r, o) ?? null])));
    expect(reasons).toMatchObject({
      projects: null,
      listAnnotationsPost: null,
      nodeListTuples: null,
      annotateEntities: 'writes (record_view)',
      deleteProjectDetail: 'DELETE writes',
      loginUser: 'changes data (login() (the session), line 30)',
      postObtainAuthToken: "changes a session or account ('token')",
      getSkeletonIdDetails: 'writes (record_view)',
      skeletonSwc: null,
    });
  });
});

describe('catmaid-codegen verify', () => {
  /** The in-memory CATMAID served over HTTP (a loopback server), for the CLI in a child process. */
  async function serve<T>(use: (url: string) => Promise<T>, overrides: Record<string, () => Response> = {}): Promise<T> {
    const fake = fakeCatmaid(overrides);
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', async () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
        const answer = await fake.fetch(`http://${req.headers.host}${req.url}`, { method: req.method!, headers, ...(body ? { body } : {}) });
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      return await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}/catmaid/`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
  const cli = async (args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
      return { status: 0, stdout, stderr };
    } catch (e) {
      const error = e as { code: number; stdout: string; stderr: string };
      return { status: error.code, stdout: error.stdout, stderr: error.stderr };
    }
  };

  it('prints a table, exits 1 on a contract failure, and never prints the token', async () => {
    const dir = scratchDir('catmaid-codegen-verify-');
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const result = await serve((url) => cli(['verify', '--url', url, '--token-file', join(dir, 'token'), '--source', fixtureSource('example')]));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^CATMAID 2021\.12\.21-12-gabcdef at http:\/\/127\.0\.0\.1:\d+\/catmaid; model from 2021\.12\.21\n/);
    expect(result.stdout).toMatch(/^result +method +path +status +parsed +type +accepts +time +note$/m);
    expect(result.stdout).toMatch(/^pass +GET +\/projects\/ +200 +yes +match +PATCH 405 ok +\d+ ms$/m);
    expect(result.stdout).toMatch(/^FAIL +GET +\/permissions +200 +yes +mismatch +PATCH 405 ok .*must be object$/m);
    expect(result.stdout).toMatch(/^\d+ operations: \d+ checked, \d+ passed, 1 failed, 0 denied, 0 not mounted, 0 not configured; \d+ skipped \(--all lists them\)$/m);
    expect(result.stdout).toMatch(/^accepted methods: (\d+) routes probed, \1 agree, 0 disagree, 0 inconclusive; 0 routes called, not probed$/m);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('--no-accepts sends no probe, and says so', async () => {
    const result = await serve((url) => cli(['verify', '--url', url, '--token', TOKEN, '--source', fixtureSource('example'), '--no-accepts']));
    expect(result.stdout).toMatch(/^pass +GET +\/projects\/ +200 +yes +match +- +\d+ ms$/m);
    expect(result.stdout).toMatch(/^accepted methods: not probed \(--no-accepts\)$/m);
  });

  it('writes the report as JSON', async () => {
    const result = await serve((url) => cli(['verify', '--url', url, '--token', TOKEN, '--source', fixtureSource('example'), '--format', 'json']));
    const report = JSON.parse(result.stdout) as VerifyReport;
    expect(report.summary.failed).toBe(1);
    expect(report.values.skeleton).toBe(7);
  });

  it('ends in one line on stderr, exit 1, when the server refuses the token that /version does not check', async () => {
    const dir = scratchDir('catmaid-codegen-verify-');
    writeFileSync(join(dir, 'token'), 'not-the-token\n');
    const { url, result } = await serve(async (url) => ({ url, result: await cli(['verify', '--url', url, '--token-file', join(dir, 'token'), '--source', fixtureSource('example')]) }));
    expect(result.stderr).toBe(`catmaid-codegen: ${url.replace(/\/$/, '')} refuses the token: Invalid token.\n`);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(1);
  });

  it('exits 0 when what is not mounted or not configured is all there is', async () => {
    const dir = scratchDir('catmaid-codegen-verify-');
    const model = structuredClone(fixtureModel('example'));
    model.routes = model.routes.filter((r) => ['/version', '/projects/', '/tests', '/{project_id}/stacks'].includes(r.path ?? ''));
    for (const op of model.routes.find((r) => r.path === '/tests')!.operations) op.documented = true;
    writeFileSync(join(dir, 'routes.json'), JSON.stringify(model));
    const dvid = () => new Response(JSON.stringify({ error: "'Settings' object has no attribute 'DVID_URL'", type: 'AttributeError', detail: '' }), { status: 500 });
    const result = await serve((url) => cli(['verify', '--url', url, '--token', TOKEN, '--model', join(dir, 'routes.json')]), { 'GET /3/stacks': dvid });
    expect(result.stdout).toMatch(/^not-mounted +GET +\/tests +404 +yes +- +- +\d+ ms +not mounted here \(settings\.FRONT_END_TESTS_ENABLED\): /m);
    expect(result.stdout).toMatch(/^not-configured +GET +\/\{project_id\}\/stacks +500 +yes +- +PATCH 405 ok +\d+ ms +AttributeError: 'Settings' object has no attribute 'DVID_URL'$/m);
    expect(result.stdout).toMatch(/^4 operations: 4 checked, 2 passed, 0 failed, 0 denied, 1 not mounted, 1 not configured; 0 skipped/m);
    expect(result.status).toBe(0);
  });

  it('--record writes one file per JSON answer, the same bytes on every run, and never the token or the host', async () => {
    const dir = scratchDir('catmaid-codegen-record-');
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const args = (url: string, out: string) => ['verify', '--url', url, '--token-file', join(dir, 'token'), '--source', fixtureSource('example'), '--include-volatile', '--format', 'json', '--record', out];
    const [first, second] = [join(dir, 'first'), join(dir, 'nested', 'second')];
    const { url, runs } = await serve(async (url) => ({ url, runs: [await cli(args(url, first)), await cli(args(url, second))] }));
    for (const [run, out] of [[runs[0]!, first], [runs[1]!, second]] as const) {
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(`recorded 10 answers in ${out} (${totalBytes(out)} bytes; largest answer 81 bytes; 0 bodies cut to the bounds)\n`);
      // The report on stdout has no bodies.
      expect(run.stdout).not.toContain('"body"');
    }
    const files = readdirSync(first).sort();
    expect(files).toHaveLength(10);
    expect(files).toContain('GET__{project_id}__skeletons__.json');
    expect(files.filter((f) => f.startsWith('.'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(first, 'GET__{project_id}__skeletons__.json'), 'utf8'))).toEqual({
      method: 'GET', path: '/3/skeletons/', pathTemplate: '/{project_id}/skeletons/', operationId: 'listSkeletons', status: 200, params: [], catmaidVersion: '2021.12.21-12-gabcdef', body: [12, 7],
    });
    // Deterministic: a second run writes the same bytes.
    expect(readdirSync(second).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(second, f), 'utf8')).toBe(readFileSync(join(first, f), 'utf8'));
    // Nowhere in the directories: the token, the host, the sub-path of the base URL, a header.
    const { host, hostname } = new URL(url);
    for (const out of [first, second]) {
      for (const f of readdirSync(out)) {
        const text = readFileSync(join(out, f), 'utf8');
        for (const never of [TOKEN, host, hostname, '/catmaid/', 'Authorization', 'Content-Type']) expect(text).not.toContain(never);
      }
    }
  });

  it('--record refuses a file as its directory, in one line, before any request', async () => {
    const dir = scratchDir('catmaid-codegen-record-');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    let requests = 0;
    const result = await serve(async (url) => cli(['verify', '--url', url, '--token', TOKEN, '--source', fixtureSource('example'), '--record', file]), { 'GET /version': () => (requests++, new Response('{}')) });
    expect(result).toMatchObject({ status: 2, stdout: '', stderr: `catmaid-codegen: --record ${file} is not a directory\n` });
    expect(requests).toBe(0);
    const below = runCli(['verify', '--url', 'http://127.0.0.1:1/', '--source', fixtureSource('example'), '--record', join(file, 'sub')]);
    expect(below).toMatchObject({ status: 2, stderr: `catmaid-codegen: cannot create --record ${join(file, 'sub')}: ${file} is not a directory\n` });
  });

  it.each([
    [['--allow-writes'], 'catmaid-codegen: --allow-writes needs --project-id: the one project that may be written to\n', 2],
    [['--project-id', 'x'], "catmaid-codegen: --project-id must be a positive integer, not 'x'\n", 2],
    [['--token-file', '/nonexistent/token'], 'catmaid-codegen: cannot read token file /nonexistent/token: ENOENT\n', 2],
    [['--model', 'm.json', '--source', 'S'], 'catmaid-codegen: give --model or --source, not both\n', 2],
  ])('wrong usage %j is one line', (args, stderr, status) => {
    const result = runCli(['verify', '--url', 'http://127.0.0.1:1/', '--source', fixtureSource('example'), ...args]);
    expect(result.stderr).toBe(stderr);
    expect(result.status).toBe(status);
  });

  it('says in one line when the server cannot be reached', async () => {
    // A port nothing listens on any more.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = runCli(['verify', '--url', `http://127.0.0.1:${port}/`, '--source', fixtureSource('example')]);
    expect(result.stderr).toBe(`catmaid-codegen: cannot reach http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    expect(result.status).toBe(1);
  });
});
