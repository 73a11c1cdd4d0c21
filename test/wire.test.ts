/**
 * The generated client (the committed `generated/` package) on the wire.
 *
 * The contract group runs against a real CATMAID when CATMAID_TEST_URL and CATMAID_TEST_TOKEN are
 * set (CATMAID_TEST_PROJECT_ID picks the project; CATMAID_TEST_READONLY_TOKEN, a token without
 * can_annotate_with_token, enables the refused-write case; CATMAID_TEST_ALLOW_WRITES=1 lets one
 * treenode be created), and otherwise against a loopback HTTP server that answers like CATMAID
 * 2021.12.21 does: the same assertions prove both. The other groups check bytes on the wire and
 * run on the loopback server only: the token header, project in the path, lists as `k[0]`, `k[1]`
 * (CATMAID's get_request_list), booleans as `true`/`false`, form bodies, retries, cancellation,
 * extra parameters beside the modelled ones, and `request()` for endpoints the SDK does not model.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatmaidError, createClient, deleteProjectDetail, getCatmaidVersion, listAnnotationsPost, listSkeletons, projects, request, rootForSkeleton, stacks, type CatmaidClient, type ParamValue } from '../generated/src/index.js';
import { call, type OperationSpec } from '../generated/src/runtime.js';
import { annotateEntities, cableLength, createTreenode, skeletonSwc, summaries, treenodeInfo } from '../generated/src/volatile.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
let seen: Seen[] = [];
let failuresLeft = 0;

/** The loopback CATMAID's data: project 7, skeletons 3 (nodes 30 → 31) and 4 (node 40). */
const nodes = new Map<number, { skeleton: number; parent: number | null; x: number; y: number; z: number }>();
function resetNodes() {
  nodes.clear();
  nodes.set(30, { skeleton: 3, parent: null, x: 10, y: 20, z: 30 });
  nodes.set(31, { skeleton: 3, parent: 30, x: 13, y: 24, z: 30 });
  nodes.set(40, { skeleton: 4, parent: null, x: 0, y: 0, z: 0 });
}
resetNodes();

/** CATMAID's error JSON, with the traceback in `detail` as CATMAID 2021.12.21 sends it. */
const catmaidError = (type: string, message: string) => ({
  error: message,
  detail: `Traceback (most recent call last):\n  File "/catmaid/django/applications/catmaid/control/treenode.py", line 1, in view\n    raise ${type}(msg)\n${type}: ${message}\n`,
  type,
  meta: null,
});

/** Django's QueryDict, as CATMAID's views read it. */
function queryDict(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(text)) out.set(k, [...(out.get(k) ?? []), v]);
  return out;
}

/** CATMAID's get_request_list: `k[0]`, `k[1]`, … in order (nested `k[0][0]` as lists of lists). */
function getRequestList(params: Map<string, string[]>, name: string): unknown[] | undefined {
  const items: Array<[number, unknown]> = [];
  const nested = new Map<number, Array<[number, string]>>();
  for (const [key, values] of params) {
    const m = new RegExp(`^${name.replace(/[[\]]/g, '\\$&')}\\[(\\d+)\\](?:\\[(\\d+)\\])?$`).exec(key);
    if (!m) continue;
    if (m[2] === undefined) items.push([Number(m[1]), values[0]]);
    else nested.set(Number(m[1]), [...(nested.get(Number(m[1])) ?? []), [Number(m[2]), values[0]!]]);
  }
  for (const [i, inner] of nested) items.push([i, inner.sort((a, b) => a[0] - b[0]).map(([, v]) => v)]);
  if (items.length === 0) return undefined;
  return items.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const url = new URL(req.url!, 'http://x');
      if (!url.pathname.startsWith('/catmaid/')) return json(res, 404, { error: 'wrong base path' });
      const path = url.pathname.slice('/catmaid'.length);
      const token = req.headers['x-authorization'];
      if (token !== 'Token secret-token' && token !== 'Token readonly-token') return json(res, 401, { detail: 'Invalid token.' });
      const form = queryDict(body);
      const query = queryDict(url.search.slice(1));
      if (path === '/version' && req.method === 'GET') return json(res, 200, { SERVER_VERSION: '2021.12.21' });
      if (path === '/7/skeletons/' && req.method === 'GET') {
        const createdBy = query.get('created_by')?.[0];
        return json(res, 200, createdBy === undefined ? [3, 4] : createdBy === '3' ? [3] : []);
      }
      const skeletonPath = /^\/7\/(skeletons?)\/(\d+)\/(root|swc|cable-length)$/.exec(path);
      if (skeletonPath && req.method === 'GET') {
        const skeleton = Number(skeletonPath[2]);
        const own = [...nodes].filter(([, n]) => n.skeleton === skeleton);
        if (own.length === 0) return json(res, 400, catmaidError('ValueError', `Skeleton #${skeleton} doesn't exist`));
        const root = own.find(([, n]) => n.parent === null)!;
        if (skeletonPath[1] === 'skeletons' && skeletonPath[3] === 'root') return json(res, 200, { root_id: root[0], x: root[1].x, y: root[1].y, z: root[1].z });
        if (skeletonPath[1] === 'skeletons' && skeletonPath[3] === 'cable-length') return json(res, 200, { cable_length: own.length * 5, skeleton_id: skeleton });
        if (skeletonPath[1] === 'skeleton' && skeletonPath[3] === 'swc') {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          return res.end(own.map(([id, n]) => `${id} 0 ${n.x} ${n.y} ${n.z} 0 ${n.parent ?? -1}\n`).join(''));
        }
      }
      const nodeInfo = /^\/7\/treenodes\/(\d+)\/info$/.exec(path);
      if (nodeInfo && req.method === 'GET') {
        const node = nodes.get(Number(nodeInfo[1]));
        if (!node) return json(res, 400, catmaidError('ValueError', `No skeleton and neuron for treenode ${nodeInfo[1]}`));
        return json(res, 200, { skeleton_id: node.skeleton, skeleton_name: `skeleton ${node.skeleton}`, neuron_id: node.skeleton + 100, neuron_name: 'neuron' });
      }
      // Writes with a token need can_annotate_with_token; CATMAID's answer does not say so.
      if (req.method === 'POST' && /^\/7\/(annotations\/add|treenode\/create)$/.test(path) && token === 'Token readonly-token') {
        return json(res, 403, catmaidError('PermissionError', "User 'readonly' with ID 3 does not have the required permissions in project 7"));
      }
      if (path === '/7/annotations/add' && req.method === 'POST') {
        return json(res, 200, { entity_ids: getRequestList(form, 'entity_ids')?.map(Number), annotations: getRequestList(form, 'annotations') });
      }
      if (path === '/7/annotations/' && req.method === 'POST') {
        return json(res, 200, { annotations: getRequestList(form, 'annotations') ?? [] });
      }
      if (path === '/projects/' && req.method === 'GET') {
        if (failuresLeft-- > 0) return json(res, 503, { error: 'busy' });
        return json(res, 200, [{ id: 7, title: query.get('has_tracing_data')?.[0] ?? 'none', stacks: [{ id: 2, title: 'EM', comment: null }], stackgroups: [] }]);
      }
      if (path === '/7/treenode/create') {
        if (form.get('x') === undefined) return json(res, 400, { ...catmaidError('KeyError', "'x'"), meta: { info: 1 } });
        if (failuresLeft-- > 0) return json(res, 503, { error: 'busy' });
        const id = Math.max(...nodes.keys()) + 1;
        nodes.set(id, { skeleton: id, parent: null, x: Number(form.get('x')![0]), y: Number(form.get('y')![0]), z: Number(form.get('z')![0]) });
        return json(res, 200, { treenode_id: id, skeleton_id: id, edition_time: '2026-11-27T00:00:00Z', parent_edition_time: null });
      }
      // Endpoints the example SDK does not model, for extra parameters and request().
      if (path === '/7/skeletons/node-count' && req.method === 'POST') {
        const ids = getRequestList(form, 'skeleton_ids') as string[] | undefined;
        if (!ids) return json(res, 400, catmaidError('ValueError', 'Need skeleton_ids'));
        return json(res, 200, Object.fromEntries(ids.map((id) => [id, [...nodes.values()].filter((n) => n.skeleton === Number(id)).length])));
      }
      if (path === '/7/landmarks/import' && req.method === 'POST') {
        if (!String(req.headers['content-type']).startsWith('application/json')) return json(res, 415, { detail: 'Unsupported media type' });
        return json(res, 200, { data: JSON.parse(body) as unknown });
      }
      if (path === '/7/' && req.method === 'DELETE') return json(res, 200, { success: 'Deleted project 7' });
      if (path === '/7/stacks') return json(res, 200, [{ id: 2, pid: 7, title: 'EM', comment: null }]);
      if (path === '/8/stacks') return json(res, 200, { error: 'Project 8 does not exist', type: 'DoesNotExist', detail: 'Traceback…' });
      // Django's page for a path no pattern matches (DEBUG off, as in production).
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/catmaid/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  failuresLeft = 0;
  resetNodes();
});

const client = (extra: Partial<Parameters<typeof createClient>[0]> = {}): CatmaidClient =>
  createClient({ baseUrl: base, token: 'secret-token', projectId: 7, ...extra });

/** Where the contract group runs: a real CATMAID named by the environment, or the loopback one. */
const live = process.env['CATMAID_TEST_URL'] && process.env['CATMAID_TEST_TOKEN']
  ? {
      url: process.env['CATMAID_TEST_URL'],
      token: process.env['CATMAID_TEST_TOKEN'],
      projectId: process.env['CATMAID_TEST_PROJECT_ID'] ? Number(process.env['CATMAID_TEST_PROJECT_ID']) : undefined,
      readonlyToken: process.env['CATMAID_TEST_READONLY_TOKEN'],
      writes: process.env['CATMAID_TEST_ALLOW_WRITES'] === '1',
    }
  : undefined;

describe(live ? `contract, against the CATMAID at ${live.url}` : 'contract, against the loopback CATMAID', () => {
  const target = () =>
    live
      ? { url: live.url, token: live.token, projectId: live.projectId, readonlyToken: live.readonlyToken, writes: live.writes }
      : { url: base, token: 'secret-token', projectId: 7 as number | undefined, readonlyToken: 'readonly-token' as string | undefined, writes: true };
  let projectId: number;
  let skeletonId: number;
  let api: CatmaidClient;

  beforeAll(async () => {
    const t = target();
    const listed = await projects(createClient({ baseUrl: t.url, token: t.token }));
    projectId = t.projectId ?? (listed as Array<{ id: number }>).map((p) => p.id).filter((id) => id > 0)[0]!;
    api = createClient({ baseUrl: t.url, token: t.token, projectId });
    skeletonId = (await listSkeletons(api))[0]!;
  });

  it('reads the server version', async () => {
    expect(await getCatmaidVersion(api)).toEqual({ SERVER_VERSION: expect.stringMatching(/^\d{4}\.\d{2}\.\d{2}/) });
  });

  it('lists projects, each with an integer id and a title, the tested one among them', async () => {
    const listed = (await projects(api)) as unknown as Array<{ id: unknown; title: unknown }>;
    expect(Array.isArray(listed)).toBe(true);
    for (const p of listed) expect(p).toMatchObject({ id: expect.any(Number), title: expect.any(String) });
    expect(listed.map((p) => p.id)).toContain(projectId);
    expect(await stacks(api)).toEqual(expect.any(Array));
  });

  it('lists skeletons as integers, and finds the root node of one, which belongs to it', async () => {
    const skeletons = await listSkeletons(api);
    expect(skeletons.length).toBeGreaterThan(0);
    expect(skeletons.every((id) => Number.isInteger(id))).toBe(true);
    const root = await rootForSkeleton(api, { skeleton_id: skeletonId });
    expect(root).toEqual({ root_id: expect.any(Number), x: expect.any(Number), y: expect.any(Number), z: expect.any(Number) });
    expect(await treenodeInfo(api, { treenode_id: root.root_id })).toMatchObject({ skeleton_id: skeletonId });
  });

  it('exports the skeleton as SWC text whose one parentless row is the root node', async () => {
    const root = await rootForSkeleton(api, { skeleton_id: skeletonId });
    const rows = (await skeletonSwc(api, { skeleton_id: skeletonId })).trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    expect(rows.every((r) => r.length === 7 && r.every((v) => !Number.isNaN(v)))).toBe(true);
    expect(rows.filter((r) => r[6] === -1).map((r) => r[0])).toEqual([root.root_id]);
  });

  it('measures cable length', async () => {
    expect(await cableLength(api, { skeleton_id: skeletonId })).toEqual({ cable_length: expect.any(Number), skeleton_id: skeletonId });
  });

  it('sends a documented POST with a form list, and reads the object CATMAID answers', async () => {
    expect(await listAnnotationsPost(api, { annotations: [] })).toEqual({ annotations: expect.any(Array) });
  });

  it("turns CATMAID's error JSON into a CatmaidError: type and message, the traceback kept apart", async () => {
    const error = (await treenodeInfo(api, { treenode_id: 987654321 }).catch((e: unknown) => e)) as CatmaidError;
    expect(error).toBeInstanceOf(CatmaidError);
    expect(error).toMatchObject({ status: 400, type: 'ValueError', message: 'No skeleton and neuron for treenode 987654321' });
    expect(error.detail).toMatch(/^Traceback \(most recent call last\)/);
  });

  it("turns REST framework's 401 into a CatmaidError without the token in it", async () => {
    const wrong = createClient({ baseUrl: target().url, token: 'not-a-token-4711', projectId });
    const error = (await listSkeletons(wrong).catch((e: unknown) => e)) as CatmaidError;
    expect(error).toMatchObject({ name: 'CatmaidError', status: 401, message: 'Invalid token.' });
    expect(`${error.message} ${error.url} ${JSON.stringify(error)} ${String(error.stack)}`).not.toContain('not-a-token-4711');
  });

  it("turns Django's HTML 404 for a path part its regex refuses into a short message", async () => {
    const error = (await skeletonSwc(api, { skeleton_id: 'abc' as never }).catch((e: unknown) => e)) as CatmaidError;
    expect(error).toMatchObject({ status: 404 });
    expect(error.message).toMatch(/^GET \/(.+\/)?\d+\/skeleton\/abc\/swc failed with 404: Not Found$/);
  });

  it('names can_annotate_with_token when a write with a token that lacks it is refused', async (context) => {
    const t = target();
    if (!t.readonlyToken) return context.skip();
    const readonly = createClient({ baseUrl: t.url, token: t.readonlyToken, projectId });
    const error = (await annotateEntities(readonly, { entity_ids: [1], annotations: ['never-written'] }).catch((e: unknown) => e)) as CatmaidError;
    expect(error).toMatchObject({ status: 403, type: 'PermissionError', permission: 'can_annotate_with_token' });
    expect(error.message).toMatch(/does not have the required permissions in project \d+ \(writes with an API token also need the can_annotate_with_token permission in the project\)$/);
  });

  it('creates a treenode, which then belongs to a new skeleton', async (context) => {
    if (!target().writes) return context.skip();
    const root = await rootForSkeleton(api, { skeleton_id: skeletonId });
    const created = (await createTreenode(api, { x: root.x + 7, y: root.y + 7, z: root.z })) as { treenode_id: number; skeleton_id: number };
    expect(created).toMatchObject({ treenode_id: expect.any(Number), skeleton_id: expect.any(Number) });
    expect(await treenodeInfo(api, { treenode_id: created.treenode_id })).toMatchObject({ skeleton_id: created.skeleton_id });
  });
});

describe('requests as CATMAID reads them', () => {
  it('puts the default project in the path, GET parameters in the query, and the token in X-Authorization', async () => {
    await expect(listSkeletons(client(), { created_by: 3 })).resolves.toEqual([3]);
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/catmaid/7/skeletons/?created_by=3', body: '' });
    expect(seen[0]!.headers['x-authorization']).toBe('Token secret-token');
  });

  it('sends lists as k[0], k[1] in a urlencoded form body, and leaves out what was not given', async () => {
    const result = await annotateEntities(client(), { entity_ids: [11, 12], annotations: ['neuron', 'a&b=c'] });
    expect(result).toEqual({ entity_ids: [11, 12], annotations: ['neuron', 'a&b=c'] });
    expect(seen[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(seen[0]!.body).toBe('annotations%5B0%5D=neuron&annotations%5B1%5D=a%26b%3Dc&entity_ids%5B0%5D=11&entity_ids%5B1%5D=12');
  });

  it('sends booleans as true/false', async () => {
    await projects(client(), { has_tracing_data: true });
    expect(seen[0]!.url).toBe('/catmaid/projects/?has_tracing_data=true');
    await projects(client(), { has_tracing_data: false });
    expect(seen[1]!.url).toBe('/catmaid/projects/?has_tracing_data=false');
  });

  it('takes an explicit project over the default, encodes path parameters, and keeps the trailing slash', async () => {
    await expect(skeletonSwc(client(), { project_id: 7, skeleton_id: 3 })).resolves.toBe('30 0 10 20 30 0 -1\n31 0 13 24 30 0 30\n');
    expect(seen[0]!.url).toBe('/catmaid/7/skeleton/3/swc');
    await expect(summaries(client({ projectId: undefined }), { project_id: 9, skeleton_ids: [1, 2] })).rejects.toBeInstanceOf(CatmaidError);
    expect(seen[1]!.url).toBe('/catmaid/9/skeletons/1%2C2/summary');
  });

  it('refuses a project-scoped call without a project', async () => {
    await expect(listSkeletons(client({ projectId: undefined }))).rejects.toThrow('project_id is required');
    expect(seen).toHaveLength(0);
  });

  it('sends HTTP basic auth beside the token, and extra headers', async () => {
    await listSkeletons(client({ basicAuth: { username: 'ann', password: 'pä:ss' }, headers: { 'X-Extra': '1' } }), {}, { headers: { 'X-Call': '2' } });
    expect(seen[0]!.headers['authorization']).toBe(`Basic ${Buffer.from('ann:pä:ss').toString('base64')}`);
    expect(seen[0]!.headers['x-extra']).toBe('1');
    expect(seen[0]!.headers['x-call']).toBe('2');
  });

  it('works with a base URL with or without its trailing slash', async () => {
    await listSkeletons(createClient({ baseUrl: base.replace(/\/$/, ''), token: 'secret-token', projectId: 7 }));
    expect(seen[0]!.url).toBe('/catmaid/7/skeletons/');
  });

  it('encodes a POST form of a documented operation the same way', async () => {
    await expect(listAnnotationsPost(client(), { annotations: [5, 6] })).resolves.toEqual({ annotations: ['5', '6'] });
    expect(seen[0]!.body).toBe('annotations%5B0%5D=5&annotations%5B1%5D=6');
  });
});

describe('errors', () => {
  it("throws CATMAID's 400 error with its message, type and traceback kept apart", async () => {
    const error = await createTreenode(client(), { y: 1, z: 2 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatmaidError);
    expect(error).toMatchObject({ status: 400, type: 'KeyError', message: "'x'", meta: { info: 1 } });
    expect((error as CatmaidError).detail).toMatch(/^Traceback/);
    expect((error as CatmaidError).message).not.toMatch(/Traceback/);
  });

  it('throws for the error objects older releases answer with status 200', async () => {
    await expect(stacks(client(), { project_id: 8 })).rejects.toMatchObject({ name: 'CatmaidError', status: 200, type: 'DoesNotExist', message: 'Project 8 does not exist' });
  });

  it("throws REST framework's {detail}, and never puts the token in a message", async () => {
    const error = (await listSkeletons(createClient({ baseUrl: base, token: 'wrong-token', projectId: 7 })).catch((e: unknown) => e)) as CatmaidError;
    expect(error).toMatchObject({ status: 401, message: 'Invalid token.' });
    expect(JSON.stringify(error) + error.message + String(error.stack)).not.toMatch(/wrong-token/);
  });

  it("throws Django's HTML 404 page as a short message", async () => {
    const error = (await summaries(client(), { skeleton_ids: [1] }).catch((e: unknown) => e)) as CatmaidError;
    expect(error.status).toBe(404);
    expect(error.message).toBe('GET /catmaid/7/skeletons/1/summary failed with 404: Not Found');
  });
});

describe('retries and cancellation', () => {
  it('retries a read when asked, with backoff', async () => {
    failuresLeft = 2;
    await expect(projects(client({ retry: { retries: 2, minDelayMs: 1 } }))).resolves.toMatchObject([{ id: 7, title: 'none' }]);
    expect(seen.map((s) => s.url)).toEqual(['/catmaid/projects/', '/catmaid/projects/', '/catmaid/projects/']);
  });

  it('does not retry reads unless asked', async () => {
    failuresLeft = 1;
    await expect(projects(client())).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it('never retries a write', async () => {
    failuresLeft = 1;
    await expect(createTreenode(client({ retry: { retries: 5, minDelayMs: 1 } }), { x: 1, y: 2, z: 3 }, { retry: { retries: 5, minDelayMs: 1 } })).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it('passes an AbortSignal to fetch', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(listSkeletons(client(), {}, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('uses a custom fetch', async () => {
    const calls: string[] = [];
    const custom: typeof fetch = async (input, init) => {
      calls.push(`${init?.method} ${String(input)}`);
      return new Response('[4]', { status: 200, headers: { 'Content-Type': 'application/json' } });
    };
    await expect(listSkeletons(client({ fetch: custom }))).resolves.toEqual([4]);
    expect(calls).toEqual([`GET ${base}7/skeletons/`]);
  });
});

describe('path parameters cannot change the path', () => {
  it('encodes /, ?, # and refuses dot segments and empty values', async () => {
    await expect(skeletonSwc(client(), { skeleton_id: 'a/../b?c#d' as never })).rejects.toBeInstanceOf(CatmaidError);
    expect(seen[0]!.url).toBe('/catmaid/7/skeleton/a%2F..%2Fb%3Fc%23d/swc');
    for (const bad of ['..', '.', '']) {
      await expect(skeletonSwc(client(), { skeleton_id: bad as never })).rejects.toThrow(/skeleton_id may not be/);
    }
    expect(seen).toHaveLength(1);
  });

  it('never shows the token in the client as JSON', () => {
    expect(JSON.stringify(client())).not.toContain('secret-token');
  });
});

describe('extra parameters, encoded and placed like modelled ones', () => {
  const sentQuery = (i = 0) => queryDict(new URL(seen[i]!.url, 'http://x').search.slice(1));

  it('puts extraParams of a GET in the query string: lists as get_request_list reads them, nested too, booleans, dates', async () => {
    await listSkeletons(client(), { created_by: 3 }, { extraParams: { node_ids: [5, 6], pairs: [[1, 2], [3]], with_names: false, since: new Date(Date.UTC(2021, 11, 21)), left_out: null, also_out: undefined } });
    expect(seen[0]!.url).toBe(
      '/catmaid/7/skeletons/?created_by=3&node_ids%5B0%5D=5&node_ids%5B1%5D=6&pairs%5B0%5D%5B0%5D=1&pairs%5B0%5D%5B1%5D=2&pairs%5B1%5D%5B0%5D=3&with_names=false&since=2021-12-21T00%3A00%3A00.000Z',
    );
    const query = sentQuery();
    expect(getRequestList(query, 'node_ids')).toEqual(['5', '6']);
    expect(getRequestList(query, 'pairs')).toEqual([['1', '2'], ['3']]);
    expect(query.get('with_names')).toEqual(['false']);
    expect(seen[0]!.body).toBe('');
  });

  it('puts extraParams of a POST in its urlencoded form, beside the modelled parameters', async () => {
    const result = await annotateEntities(client(), { entity_ids: [11] }, { extraParams: { annotations: ['a', 'b'], meta_annotations: [['m']], replace: true } });
    expect(result).toEqual({ entity_ids: [11], annotations: ['a', 'b'] });
    expect(seen[0]!.url).toBe('/catmaid/7/annotations/add');
    expect(seen[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(seen[0]!.body).toBe('entity_ids%5B0%5D=11&annotations%5B0%5D=a&annotations%5B1%5D=b&meta_annotations%5B0%5D%5B0%5D=m&replace=true');
  });

  it('sends a form with a Blob as multipart/form-data', async () => {
    await annotateEntities(client(), { entity_ids: [11], annotations: ['a'] }, { extraParams: { file: new Blob(['1 0 0 0 0 0 -1\n'], { type: 'text/plain' }), note: 'swc' } });
    expect(seen[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const body = seen[0]!.body;
    expect(body).toContain('name="annotations[0]"\r\n\r\na\r\n');
    expect(body).toContain('name="entity_ids[0]"\r\n\r\n11\r\n');
    expect(body).toMatch(/name="file"; filename="blob"\r\nContent-Type: text\/plain\r\n\r\n1 0 0 0 0 0 -1\n\r\n/);
    expect(body).toContain('name="note"\r\n\r\nswc\r\n');
  });

  it('places parameters explicitly with extraQuery and extraBody', async () => {
    await createTreenode(client(), { x: 1, y: 2, z: 3 }, { extraQuery: { trace: true }, extraBody: { confidence: 5 } });
    expect(seen[0]!.url).toBe('/catmaid/7/treenode/create?trace=true');
    expect(seen[0]!.body).toBe('x=1&y=2&z=3&confidence=5');
    await annotateEntities(client(), { annotations: ['a'] }, { extraQuery: { entity_ids: [12] } });
    expect(seen[1]!.url).toBe('/catmaid/7/annotations/add?entity_ids%5B0%5D=12');
  });

  it("repeats a name given as [name, value] pairs (an array, a Map, URLSearchParams), as Django's getlist reads it", async () => {
    await listSkeletons(client(), {}, { extraParams: [['skeleton_ids[]', 1], ['skeleton_ids[]', 2]] });
    expect(sentQuery().get('skeleton_ids[]')).toEqual(['1', '2']);
    await listSkeletons(client(), {}, { extraQuery: new Map<string, ParamValue>([['a', 1], ['b', [true]]]) });
    expect(seen[1]!.url).toBe('/catmaid/7/skeletons/?a=1&b%5B0%5D=true');
    await listSkeletons(client(), {}, { extraQuery: new URLSearchParams('k=1&k=2') });
    expect(seen[2]!.url).toBe('/catmaid/7/skeletons/?k=1&k=2');
  });

  it('sends the extra parameters of a DELETE without form parameters in the query string', async () => {
    await expect(deleteProjectDetail(client(), {}, { extraParams: { force: true } })).resolves.toEqual({ success: 'Deleted project 7' });
    expect(seen[0]).toMatchObject({ method: 'DELETE', url: '/catmaid/7/?force=true', body: '' });
  });

  it('refuses a name also set by the modelled parameters, or by two options, before sending anything', async () => {
    await expect(listSkeletons(client(), { created_by: 3 }, { extraParams: { created_by: 4 } })).rejects.toThrow(
      new TypeError("extraParams: created_by is also given by the operation's own parameters; send each parameter once"),
    );
    await expect(annotateEntities(client(), { entity_ids: [1], annotations: ['a'] }, { extraBody: { 'entity_ids[1]': 2 } })).rejects.toThrow(/extraBody: entity_ids\[1\] is also given/);
    await expect(listSkeletons(client(), {}, { extraParams: { k: [1] }, extraQuery: { 'k[0]': 2 } })).rejects.toThrow('extraQuery: k[0] is also given in extraParams; send each parameter once');
    await expect(projects(client(), {}, { extraBody: { a: 1 } })).rejects.toThrow('extraBody: a GET request has no body; use extraQuery');
    await expect(listSkeletons(client(), {}, { extraQuery: { file: new Blob(['x']) } })).rejects.toThrow('file: a Blob can only be sent in a form body');
    expect(seen).toHaveLength(0);
    // A modelled parameter left out may be sent in another place.
    await listSkeletons(client(), { created_by: undefined }, { extraBody: undefined, extraQuery: { created_by: 3 } });
    expect(seen[0]!.url).toBe('/catmaid/7/skeletons/?created_by=3');
  });

  it('merges extra parameters into the JSON object of an operation with a JSON body', async () => {
    // postLandmarkImport as the `operations` fixture emits it (the example has no JSON-body operation).
    const spec: OperationSpec = { method: 'POST', paths: ['/{project_id}/landmarks/import'], params: [{ name: 'project_id', in: 'path' }, { name: 'landmarks', in: 'body', style: 'indexed' }], response: 'json', writes: true, tokenPermission: 'can_annotate_with_token' };
    const landmarks = [{ name: 'a', x: 1 }];
    const when = new Date(Date.UTC(2021, 0, 1));
    await expect(call(client(), spec, { landmarks }, { extraParams: { reset: true, group_ids: [[1, 2]], when, skipped: null }, extraQuery: { dry: true } })).resolves.toEqual({
      data: { landmarks, reset: true, group_ids: [[1, 2]], when: '2021-01-01T00:00:00.000Z' },
    });
    expect(seen[0]!.url).toBe('/catmaid/7/landmarks/import?dry=true');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    await expect(call(client(), spec, { landmarks }, { extraParams: { landmarks: [] } })).rejects.toThrow(/extraParams: landmarks is also given by the operation's own parameters/);
    await expect(call(client(), spec, { landmarks }, { extraParams: [['k', 1], ['k', 2]] })).rejects.toThrow('k is given twice for the JSON body');
    await expect(call(client(), spec, { landmarks }, { extraBody: { file: [new Blob(['x'])] } })).rejects.toThrow('file: a Blob cannot be sent in a JSON body');
    expect(seen).toHaveLength(1);
  });

  it('never puts the token into the URL or an error of a call with extra parameters', async () => {
    const error = (await createTreenode(client(), { y: 1, z: 2 } as never, { extraParams: { a: 1 }, extraQuery: { b: 2 } }).catch((e: unknown) => e)) as CatmaidError;
    expect(error).toMatchObject({ status: 400, type: 'KeyError' });
    const text = `${seen.map((s) => s.url + s.body).join(' ')} ${error.message} ${error.url} ${JSON.stringify(error)} ${String(error.stack)}`;
    expect(text).not.toContain('secret-token');
  });
});

describe('request(): endpoints the SDK does not model', () => {
  it('GETs a path relative to baseUrl, with or without its leading slash, parameters in the query string', async () => {
    await expect(request(client(), 'GET', '/7/skeletons/', { created_by: 3 })).resolves.toEqual([3]);
    await expect(request<number[]>(client(), 'GET', '7/skeletons/', { created_by: 5, ids: [1, 2] })).resolves.toEqual([]);
    expect(seen.map((s) => `${s.method} ${s.url} ${s.body}`)).toEqual(['GET /catmaid/7/skeletons/?created_by=3 ', 'GET /catmaid/7/skeletons/?created_by=5&ids%5B0%5D=1&ids%5B1%5D=2 ']);
    expect(seen[0]!.headers['x-authorization']).toBe('Token secret-token');
  });

  it('fills {name} placeholders from the parameters and {project_id} from the client, encoded as path parameters are', async () => {
    await expect(request(client(), 'GET', '/{project_id}/skeleton/{skeleton_id}/swc', { skeleton_id: 3 }, { response: 'text' })).resolves.toBe('30 0 10 20 30 0 -1\n31 0 13 24 30 0 30\n');
    await expect(request(client(), 'GET', '{project_id}/skeletons/{skeleton_id}/root', { project_id: 7, skeleton_id: 'a/../b?c#d' })).rejects.toBeInstanceOf(CatmaidError);
    expect(seen.map((s) => s.url)).toEqual(['/catmaid/7/skeleton/3/swc', '/catmaid/7/skeletons/a%2F..%2Fb%3Fc%23d/root']);
    await expect(request(client(), 'GET', '/{project_id}/skeletons/{skeleton_id}/root', { skeleton_id: '..' })).rejects.toThrow('skeleton_id may not be ".."');
    await expect(request(client({ projectId: undefined }), 'GET', '/{project_id}/skeletons/')).rejects.toThrow('project_id is required');
    expect(seen).toHaveLength(2);
  });

  it('POSTs parameters as the urlencoded form CATMAID reads, and never retries it', async () => {
    const c = client({ retry: { retries: 3, minDelayMs: 1 } });
    await expect(request(c, 'POST', '/{project_id}/skeletons/node-count', { skeleton_ids: [3, 4] })).resolves.toEqual({ 3: 2, 4: 1 });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/catmaid/7/skeletons/node-count', body: 'skeleton_ids%5B0%5D=3&skeleton_ids%5B1%5D=4' });
    expect(seen[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    failuresLeft = 1;
    await expect(request(c, 'POST', '/7/treenode/create', { x: 1, y: 2, z: 3 })).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(2);
  });

  it('retries a GET when the client asks for it', async () => {
    failuresLeft = 2;
    await expect(request(client({ retry: { retries: 2, minDelayMs: 1 } }), 'GET', '/projects/')).resolves.toMatchObject([{ id: 7 }]);
    expect(seen).toHaveLength(3);
  });

  it('sends a JSON body with the parameters merged into it, and places parameters explicitly', async () => {
    await expect(request(client(), 'POST', '/{project_id}/landmarks/import', { reset: false }, { json: { landmarks: [{ name: 'a' }] }, extraQuery: { dry: 1 } })).resolves.toEqual({
      data: { landmarks: [{ name: 'a' }], reset: false },
    });
    expect(seen[0]!.url).toBe('/catmaid/7/landmarks/import?dry=1');
    await expect(request(client(), 'POST', '/7/landmarks/import', {}, { json: [1, 2] })).resolves.toEqual({ data: [1, 2] });
    await expect(request(client(), 'POST', '/7/landmarks/import', { landmarks: [] }, { json: { landmarks: [] } })).rejects.toThrow('params: landmarks is also given in options.json');
    await expect(request(client(), 'POST', '/7/landmarks/import', { a: 1 }, { json: [1] })).rejects.toThrow('options.json is not a plain object');
    await expect(request(client(), 'GET', '/7/landmarks/import', {}, { json: {} })).rejects.toThrow(TypeError);
    await expect(request(client(), 'GET', '/7/skeletons/', { a: 1 }, { extraQuery: { a: 2 } })).rejects.toThrow('extraQuery: a is also given in params');
    expect(seen).toHaveLength(2);
  });

  it('sends DELETE parameters in the query string, and reads the answer as text, a Blob or the Response', async () => {
    await expect(request(client(), 'DELETE', '/{project_id}/', { force: true })).resolves.toEqual({ success: 'Deleted project 7' });
    expect(seen[0]).toMatchObject({ method: 'DELETE', url: '/catmaid/7/?force=true', body: '' });
    const text: string = await request(client(), 'GET', '/version', undefined, { response: 'text' });
    expect(JSON.parse(text)).toEqual({ SERVER_VERSION: '2021.12.21' });
    const blob: Blob = await request(client(), 'GET', '/version', undefined, { response: 'blob' });
    expect(await blob.text()).toBe(text);
    const response: Response = await request(client(), 'GET', '/version', undefined, { response: 'response' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ SERVER_VERSION: '2021.12.21' });
  });

  it("throws CatmaidError as operations do: CATMAID's error JSON, REST framework's detail, Django's HTML 404", async () => {
    const error = (await request(client(), 'POST', '/7/skeletons/node-count').catch((e: unknown) => e)) as CatmaidError;
    expect(error).toBeInstanceOf(CatmaidError);
    expect(error).toMatchObject({ status: 400, type: 'ValueError', message: 'Need skeleton_ids', method: 'POST' });
    expect(error.detail).toMatch(/^Traceback/);
    await expect(request(client(), 'GET', '/8/stacks')).rejects.toMatchObject({ status: 200, type: 'DoesNotExist' });
    await expect(request(client(), 'GET', '/7/not-there/')).rejects.toThrow('GET /catmaid/7/not-there/ failed with 404: Not Found');
    const denied = (await request(createClient({ baseUrl: base, token: 'wrong-token' }), 'GET', '/7/skeletons/', { q: 1 }).catch((e: unknown) => e)) as CatmaidError;
    expect(denied).toMatchObject({ status: 401, message: 'Invalid token.' });
    expect(`${denied.message} ${denied.url} ${JSON.stringify(denied)} ${String(denied.stack)} ${seen.map((s) => s.url + s.body).join(' ')}`).not.toMatch(/wrong-token|secret-token/);
  });

  it('refuses a path that could leave baseUrl, and methods CATMAID does not answer, before sending anything', async () => {
    const bad = [
      'http://evil.example/', 'HTTPS://evil.example/x', '//evil.example/x', '///evil.example/x', 'javascript:alert(1)', 'mailto:a@b',
      '..', '/../x', '7/../../x', './x', '7/%2e%2e/x', '%2E./x', 'a/.', '\\\\evil.example\\x', '/\\evil.example', '/x#y',
      '/7/\tskeletons', '/7/sk\neletons', ' /7/', '/7/\u0000',
    ];
    for (const path of bad) {
      const error = await request(client(), 'GET', path).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(TypeError);
      expect(String(error), path).toMatch(/^TypeError: request\(\): the path /);
    }
    for (const method of ['TRACE', 'CONNECT', 'HEAD', '']) {
      await expect(request(client(), method as never, '/7/skeletons/')).rejects.toThrow('request(): method must be one of GET, POST, PUT, PATCH, DELETE');
    }
    await expect(request(client(), 'get' as never, '/7/skeletons/')).resolves.toEqual([3, 4]);
    expect(seen).toHaveLength(1);
  });

  it('keeps a query string given in the path, and never puts the token in a URL', async () => {
    await request(client(), 'GET', '/7/skeletons/?created_by=3&k=1&k=2', { more: true });
    expect(seen[0]!.url).toBe('/catmaid/7/skeletons/?created_by=3&k=1&k=2&more=true');
    expect(seen[0]!.url).not.toContain('secret-token');
  });
});
