/**
 * Every error shape CATMAID really sends becomes a `CatmaidError` with the most useful message.
 * The responses are recorded by hand in the shapes a CATMAID 2021.12.21 server (Django 3.2)
 * answers with, and served to the generated client through a custom `fetch`.
 */
import { describe, expect, it } from 'vitest';
import { CatmaidError, createClient, listSkeletons, projects } from '../generated/src/index.js';
import { createTreenode } from '../generated/src/volatile.js';

const traceback = (exception: string, message: string) =>
  `Traceback (most recent call last):\n  File "/home/catmaid/django/applications/catmaid/middleware.py", line 82, in process_exception\n    raise exception\n${exception}: ${message}\n`;

/** A client whose fetch answers every request with one recorded response. */
function answering(status: number, body: string, contentType = 'application/json') {
  const fetch: typeof globalThis.fetch = async () => new Response(body, { status, headers: { 'Content-Type': contentType } });
  return createClient({ baseUrl: 'https://example.org/catmaid/', token: 'tok-123', projectId: 1, fetch });
}

async function errorOf(promise: Promise<unknown>): Promise<CatmaidError> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CatmaidError);
  return e as CatmaidError;
}

const catmaidError = (type: string, message: string, meta: unknown = null) => JSON.stringify({ error: message, detail: traceback(type, message), type, meta });

describe('CATMAID error shapes', () => {
  it.each([
    [400, 'ValueError', 'Please specify node creator or node reviewer'],
    [403, 'PermissionError', "User 'ann' with ID 3 does not have the required permissions in project 1"],
    [404, 'Http404', 'No Project matches the given query.'],
    [500, 'DoesNotExist', 'ClassInstance matching query does not exist.'],
    [500, 'KeyError', "'treenode_id'"],
  ])('%i %s: status, type and message; the traceback only in detail', async (status, type, message) => {
    const e = await errorOf(listSkeletons(answering(status, catmaidError(type, message))));
    expect(e).toMatchObject({ status, type, message, name: 'CatmaidError' });
    expect(e.detail).toMatch(/^Traceback \(most recent call last\):/);
    expect(e.message).not.toContain('Traceback');
    expect(e.meta).toBeNull();
  });

  it("REST framework's {detail} with 404 and 401, without an error key", async () => {
    expect(await errorOf(projects(answering(404, '{"detail": "Not found."}')))).toMatchObject({ status: 404, message: 'Not found.', type: undefined });
    expect(await errorOf(projects(answering(401, '{"detail": "Invalid token."}')))).toMatchObject({ status: 401, message: 'Invalid token.' });
  });

  it("Django's HTML 404 page when a path part does not match its regex", async () => {
    const page = '<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta http-equiv="content-type" content="text/html; charset=utf-8">\n  <title>Page not found at /1/skeletons/abc/info</title>\n</head>\n<body><h1>Not found</h1><p>The requested resource was not found on this server.</p></body></html>';
    const e = await errorOf(listSkeletons(answering(404, page, 'text/html; charset=utf-8')));
    expect(e.message).toBe('GET /catmaid/1/skeletons/ failed with 404: Page not found at /1/skeletons/abc/info');
    expect(e.body).toBe(page);
  });

  it('older releases: status 200 with an error key', async () => {
    const e = await errorOf(listSkeletons(answering(200, JSON.stringify({ error: 'Skeleton #9 does not exist', detail: traceback('Exception', 'Skeleton #9 does not exist') }))));
    expect(e).toMatchObject({ status: 200, message: 'Skeleton #9 does not exist', type: undefined });
  });

  // As CATMAID 2021.12.21 answers a token write by a user with Annotate but without
  // can_annotate_with_token: the message and the traceback do not name the permission.
  const denied = "User 'ann' with ID 3 does not have the required permissions in project 1";
  const deniedBody = JSON.stringify({
    error: denied,
    type: 'PermissionError',
    detail: traceback('catmaid.control.authentication.PermissionError', denied).replace('raise exception', 'raise PermissionError(msg)'),
    meta: null,
  });

  it('a write with an API token that CATMAID refuses names can_annotate_with_token, which CATMAID does not', async () => {
    const e = await errorOf(createTreenode(answering(403, deniedBody), { x: 1, y: 2, z: 3 }));
    expect(e).toMatchObject({ status: 403, type: 'PermissionError', permission: 'can_annotate_with_token' });
    expect(e.message).toBe(`${denied} (writes with an API token also need the can_annotate_with_token permission in the project)`);
  });

  it('the same 403 for a read, or for a write without a token, keeps its message as it is', async () => {
    expect(await errorOf(listSkeletons(answering(403, deniedBody)))).toMatchObject({ message: denied, permission: undefined });
    const fetch: typeof globalThis.fetch = async () => new Response(deniedBody, { status: 403 });
    const session = createClient({ baseUrl: 'https://example.org/catmaid/', projectId: 1, fetch });
    expect(await errorOf(createTreenode(session, { x: 1, y: 2, z: 3 }))).toMatchObject({ message: denied, permission: undefined });
  });

  it('a permission the server names is the one reported', async () => {
    const body = JSON.stringify({ error: 'Token lacks can_import_with_token', type: 'PermissionError', detail: '', meta: null });
    expect(await errorOf(createTreenode(answering(403, body), { x: 1, y: 2, z: 3 }))).toMatchObject({ message: 'Token lacks can_import_with_token', permission: 'can_import_with_token' });
    const inMeta = JSON.stringify({ error: 'Permission denied', type: 'PermissionError', detail: '', meta: { missing: 'can_fork' } });
    const e = await errorOf(listSkeletons(answering(403, inMeta)));
    expect(e).toMatchObject({ permission: 'can_fork', message: 'Permission denied (missing permission: can_fork)' });
  });

  it('a success body that is not JSON where JSON is expected', async () => {
    const e = await errorOf(listSkeletons(answering(200, '<html>maintenance</html>', 'text/html')));
    expect(e.message).toBe('expected JSON from GET /catmaid/1/skeletons/, got: maintenance');
  });

  it('never puts the token in the message', async () => {
    const e = await errorOf(listSkeletons(answering(401, '{"detail": "Invalid token."}')));
    expect(`${e.message} ${e.url} ${JSON.stringify(e)}`).not.toContain('tok-123');
  });
});
