/**
 * The generated client (the committed `generated/` package) on the wire, against a loopback HTTP
 * server that reads requests the way CATMAID does: the token header, project in the path, lists as
 * `k[0]`, `k[1]` (CATMAID's get_request_list), booleans as `true`/`false`, form bodies; and that
 * answers with success, CATMAID's error JSON (400, and 200 as older releases do), REST framework's
 * `{detail}`, and Django's HTML 404 page.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatmaidError, createClient, listAnnotationsPost, listSkeletons, projects, stacks, type CatmaidClient } from '../generated/src/index.js';
import { annotateEntities, createTreenode, skeletonSwc, summaries } from '../generated/src/volatile.js';

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
      if (req.headers['x-authorization'] !== 'Token secret-token') return json(res, 401, { detail: 'Invalid token.' });
      const form = queryDict(body);
      const query = queryDict(url.search.slice(1));
      if (path === '/7/skeletons/' && req.method === 'GET') return json(res, 200, [1, 2, Number(query.get('created_by')?.[0] ?? 0)]);
      if (path === '/7/annotations/add' && req.method === 'POST') {
        return json(res, 200, { entity_ids: getRequestList(form, 'entity_ids')?.map(Number), annotations: getRequestList(form, 'annotations') });
      }
      if (path === '/7/annotations/' && req.method === 'POST') {
        return json(res, 200, { annotations: getRequestList(form, 'annotations') ?? [] });
      }
      if (path === '/projects/' && req.method === 'GET') {
        if (failuresLeft-- > 0) return json(res, 503, { error: 'busy' });
        return json(res, 200, [{ id: 1, title: query.get('has_tracing_data')?.[0] ?? 'none' }]);
      }
      if (path === '/7/treenode/create') {
        if (form.get('x') === undefined) return json(res, 400, { error: "'x'", type: 'KeyError', detail: 'Traceback (most recent call last):\n  File "treenode.py"…', meta: { info: 1 } });
        if (failuresLeft-- > 0) return json(res, 503, { error: 'busy' });
        return json(res, 200, { treenode_id: 5, skeleton_id: 6 });
      }
      if (path === '/7/stacks') return json(res, 200, { error: 'Project 7 does not exist', type: 'DoesNotExist', detail: 'Traceback…' });
      if (path === '/7/skeleton/3/swc') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return res.end('1 0 0 0 0 1 -1\n');
      }
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><html><head><title>Page not found at /catmaid' + path + '</title></head><body><h1>Not Found</h1></body></html>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/catmaid/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  failuresLeft = 0;
});

const client = (extra: Partial<Parameters<typeof createClient>[0]> = {}): CatmaidClient =>
  createClient({ baseUrl: base, token: 'secret-token', projectId: 7, ...extra });

describe('requests as CATMAID reads them', () => {
  it('puts the default project in the path, GET parameters in the query, and the token in X-Authorization', async () => {
    await expect(listSkeletons(client(), { created_by: 3 })).resolves.toEqual([1, 2, 3]);
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
    await expect(skeletonSwc(client(), { project_id: 7, skeleton_id: 3 })).resolves.toBe('1 0 0 0 0 1 -1\n');
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
    await expect(stacks(client())).rejects.toMatchObject({ name: 'CatmaidError', status: 200, type: 'DoesNotExist', message: 'Project 7 does not exist' });
  });

  it("throws REST framework's {detail}, and never puts the token in a message", async () => {
    const error = (await listSkeletons(createClient({ baseUrl: base, token: 'wrong-token', projectId: 7 })).catch((e: unknown) => e)) as CatmaidError;
    expect(error).toMatchObject({ status: 401, message: 'Invalid token.' });
    expect(JSON.stringify(error) + error.message + String(error.stack)).not.toMatch(/wrong-token/);
  });

  it("throws Django's HTML 404 page as a short message", async () => {
    const error = (await summaries(client(), { skeleton_ids: [1] }).catch((e: unknown) => e)) as CatmaidError;
    expect(error.status).toBe(404);
    expect(error.message).toBe('GET /catmaid/7/skeletons/1/summary failed with 404: Page not found at /catmaid/7/skeletons/1/summary');
  });
});

describe('retries and cancellation', () => {
  it('retries a read when asked, with backoff', async () => {
    failuresLeft = 2;
    await expect(projects(client({ retry: { retries: 2, minDelayMs: 1 } }))).resolves.toEqual([{ id: 1, title: 'none' }]);
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
