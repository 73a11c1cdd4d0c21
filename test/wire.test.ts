/**
 * The generated client on the wire.
 *
 * The contract group proves an SDK against CATMAID. Where it runs: a real CATMAID when
 * CATMAID_TEST_URL and CATMAID_TEST_TOKEN are set, otherwise a loopback HTTP server that answers
 * like CATMAID 2021.12.21 does; the same assertions prove both.
 *   CATMAID_TEST_PROJECT_ID       the project to use (default: the first listed);
 *   CATMAID_TEST_READONLY_TOKEN   a token without can_annotate_with_token: enables the refused-write case;
 *   CATMAID_TEST_ALLOW_WRITES=1   enables the cases that write (the loopback server always allows them):
 *                                 treenodes, a connector and a neuron name are created, read back
 *                                 through other operations, deleted through the SDK and checked gone;
 *                                 whatever a case created is deleted at its end even when it fails.
 * Which SDK: the committed fixture client (`generated/`), or, when CATMAID_TEST_SOURCE names a
 * CATMAID git repository or checkout, the SDK generated from it at the start of the group (with
 * the built CLI, dist/cli.js, into a temporary directory, transpiled and imported from there):
 *   CATMAID_TEST_REF              the tag, branch or commit to generate from; by default the release
 *                                 tag the server names in /version if the repository has it, else its
 *                                 newest dated release tag (YYYY.MM.DD), else the checkout as it is.
 * Cases call operations by the ids CATMAID 2021.12.21's SDK gives them (the fixture's own where it
 * names a route otherwise); a case whose operations the fixture SDK lacks (the round trips) is
 * skipped, saying so.
 *
 * The other groups check bytes on the wire with the fixture client and run on the loopback server
 * only: the token header, project in the path, lists as `k[0]`, `k[1]` (CATMAID's
 * get_request_list), booleans as `true`/`false`, form bodies, retries, cancellation, extra
 * parameters beside the modelled ones, and `request()` for endpoints the SDK does not model.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RouteModel } from '../generator/model/types.js';
import * as fixtureMain from '../generated/src/index.js';
import { CatmaidError, createClient, deleteProjectDetail, listAnnotationsPost, listSkeletons, projects, raw, request, stacks, type CatmaidClient, type ClientConfig, type ParamValue } from '../generated/src/index.js';
import { call, type OperationSpec } from '../generated/src/runtime.js';
import * as fixtureVolatile from '../generated/src/volatile.js';
import { annotateEntities, createTreenode, skeletonSwc, summaries } from '../generated/src/volatile.js';
import { repoRoot } from './helpers.js';
import { defaultRef, generateSdk, loadGeneratedSdk, resolveOperation, sdkFromModules, type Operation, type ResolvedOperation, type SdkUnderTest } from './sdk-under-test.js';

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

/**
 * The loopback CATMAID's data: project 7, skeletons 3 (nodes 30 → 31) and 4 (node 40), their
 * neurons 103 and 104, the relations of connector links, and the connectors tests create.
 */
interface LoopbackNode {
  skeleton: number;
  parent: number | null;
  x: number;
  y: number;
  z: number;
  radius: number;
  confidence: number;
}
interface LoopbackConnector {
  x: number;
  y: number;
  z: number;
  confidence: number;
  links: Array<{ id: number; treenode: number; relation: number; confidence: number }>;
}
const nodes = new Map<number, LoopbackNode>();
const connectors = new Map<number, LoopbackConnector>();
/** Neuron names by skeleton; a skeleton's neuron is skeleton + 100. */
const neuronNames = new Map<number, string>();
const relations = new Map([[20, 'presynaptic_to'], [21, 'postsynaptic_to']]);
let nextLinkId = 1;
function resetNodes() {
  nodes.clear();
  connectors.clear();
  neuronNames.clear();
  nodes.set(30, { skeleton: 3, parent: null, x: 10, y: 20, z: 30, radius: 0, confidence: 5 });
  nodes.set(31, { skeleton: 3, parent: 30, x: 13, y: 24, z: 30, radius: 0, confidence: 5 });
  nodes.set(40, { skeleton: 4, parent: null, x: 0, y: 0, z: 0, radius: 0, confidence: 5 });
  neuronNames.set(3, 'neuron');
  neuronNames.set(4, 'neuron');
}
resetNodes();
/** Treenodes and connectors share CATMAID's location ids. */
const nextLocationId = () => Math.max(...nodes.keys(), ...connectors.keys()) + 1;
const editionTime = '2026-11-27T00:00:00Z';

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

/** A number from a form, as CATMAID's `float(request.POST.get(name, default))` reads it. */
function number(form: Map<string, string[]>, name: string, fallback: number): number {
  const value = form.get(name)?.[0];
  return value === undefined ? fallback : Number(value);
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
      // A browser logged in to CATMAID: its session cookie (the CSRF header is checked by the test).
      const session = /\bsessionid\w*=/.test(String(req.headers['cookie'] ?? ''));
      if (!session && token !== 'Token secret-token' && token !== 'Token readonly-token') return json(res, 401, { detail: 'Invalid token.' });
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
          return res.end(own.map(([id, n]) => `${id} 0 ${n.x} ${n.y} ${n.z} ${n.radius} ${n.parent ?? -1}\n`).join(''));
        }
      }
      const nodeInfo = /^\/7\/treenodes\/(\d+)\/info$/.exec(path);
      if (nodeInfo && req.method === 'GET') {
        const node = nodes.get(Number(nodeInfo[1]));
        if (!node) return json(res, 400, catmaidError('ValueError', `No skeleton and neuron for treenode ${nodeInfo[1]}`));
        return json(res, 200, { skeleton_id: node.skeleton, skeleton_name: `skeleton ${node.skeleton}`, neuron_id: node.skeleton + 100, neuron_name: neuronNames.get(node.skeleton) });
      }
      // Writes with a token need can_annotate_with_token; CATMAID's answer does not say so.
      if (req.method === 'POST' && /^\/7\/(annotations\/add|treenode\/(create|delete|\d+\/radius)|connector\/(create|delete)|neurons\/\d+\/rename)$/.test(path) && token === 'Token readonly-token') {
        return json(res, 403, catmaidError('PermissionError', "User 'readonly' with ID 3 does not have the required permissions in project 7"));
      }
      if (path === '/7/annotations/add' && req.method === 'POST') {
        return json(res, 200, { entity_ids: getRequestList(form, 'entity_ids')?.map(Number), annotations: getRequestList(form, 'annotations') });
      }
      if (path === '/7/annotations/' && req.method === 'POST') {
        if (failuresLeft-- > 0) return json(res, 503, { error: 'busy' });
        return json(res, 200, { annotations: getRequestList(form, 'annotations') ?? [] });
      }
      if (path === '/projects/' && req.method === 'GET') {
        if (failuresLeft-- > 0) return json(res, 503, { error: 'busy' });
        return json(res, 200, [{ id: 7, title: query.get('has_tracing_data')?.[0] ?? 'none', stacks: [{ id: 2, title: 'EM', comment: null }], stackgroups: [] }]);
      }
      if (path === '/7/treenode/create') {
        if (form.get('x') === undefined) return json(res, 400, { ...catmaidError('KeyError', "'x'"), meta: { info: 1 } });
        if (failuresLeft-- > 0) return json(res, 503, { error: 'busy' });
        const parentId = Math.trunc(number(form, 'parent_id', -1));
        const parent = nodes.get(parentId);
        if (parentId !== -1 && !form.get('state')?.[0]) return json(res, 400, catmaidError('ValueError', 'No state provided'));
        if (parentId !== -1 && !parent) return json(res, 500, catmaidError('ObjectDoesNotExist', `Object #${parentId} not found in table treenode`));
        const id = nextLocationId();
        const skeleton = parent?.skeleton ?? id;
        // CATMAID stores int(radius) for a new treenode (_create_treenode); update_radius keeps fractions.
        nodes.set(id, { skeleton, parent: parent ? parentId : null, x: number(form, 'x', 0), y: number(form, 'y', 0), z: number(form, 'z', 0), radius: Math.trunc(number(form, 'radius', 0)), confidence: Math.trunc(number(form, 'confidence', 0)) });
        if (!parent) neuronNames.set(skeleton, form.get('neuron_name')?.[0] ?? `neuron ${skeleton + 100}`);
        return json(res, 200, { treenode_id: id, skeleton_id: skeleton, edition_time: editionTime, parent_edition_time: parent ? editionTime : null, created_links: [] });
      }
      const compact = /^\/7\/treenodes\/(\d+)\/compact-detail$/.exec(path);
      if (compact && req.method === 'GET') {
        const id = Number(compact[1]);
        const n = nodes.get(id);
        if (!n) return json(res, 400, catmaidError('ValueError', `Could not find treenode with ID ${id}`));
        return json(res, 200, [id, n.parent, n.x, n.y, n.z, n.confidence, n.radius, n.skeleton, 1796169600.5, 1]);
      }
      const radius = /^\/7\/treenode\/(\d+)\/radius$/.exec(path);
      if (radius && req.method === 'POST') {
        const id = Number(radius[1]);
        const n = nodes.get(id);
        if (!n) return json(res, 500, catmaidError('ObjectDoesNotExist', `Object #${id} not found in table treenode`));
        if (!form.get('state')?.[0]) return json(res, 400, catmaidError('ValueError', 'No state provided'));
        const old = n.radius;
        n.radius = number(form, 'radius', -1);
        return json(res, 200, { success: true, updated_nodes: { [id]: { old, new: n.radius, edition_time: editionTime, skeleton_id: n.skeleton } }, new_radius: n.radius });
      }
      if (path === '/7/treenode/delete' && req.method === 'POST') {
        const id = Math.trunc(number(form, 'treenode_id', -1));
        const n = nodes.get(id);
        if (!n) return json(res, 500, catmaidError('ObjectDoesNotExist', `Object #${id} not found in table treenode`));
        if (!form.get('state')?.[0]) return json(res, 400, catmaidError('ValueError', 'No state provided'));
        const children = [...nodes].filter(([, c]) => c.parent === id);
        if (n.parent === null && children.length > 0) return json(res, 400, catmaidError('CATMAIDException', "Could not delete root node: You can't delete the root node when it has children."));
        for (const [, c] of children) c.parent = n.parent;
        for (const c of connectors.values()) c.links = c.links.filter((l) => l.treenode !== id);
        nodes.delete(id);
        const deletedNeuron = ![...nodes.values()].some((o) => o.skeleton === n.skeleton);
        if (deletedNeuron) neuronNames.delete(n.skeleton);
        return json(res, 200, { x: n.x, y: n.y, z: n.z, parent_id: n.parent, children: [], links: [], radius: n.radius, confidence: n.confidence, skeleton_id: n.skeleton, deleted_neuron: deletedNeuron, success: 'Removed treenode successfully.' });
      }
      if (path === '/7/connectors/types/' && req.method === 'GET') {
        return json(res, 200, [...relations].map(([id, relation]) => ({ name: relation === 'presynaptic_to' ? 'Presynaptic' : 'Postsynaptic', type: 'Synaptic', type_id: 'synaptic-connector', relation, relation_id: id })));
      }
      if (path === '/7/connector/create' && req.method === 'POST') {
        const confidence = Math.trunc(number(form, 'confidence', 5));
        if (confidence < 1 || confidence > 5) return json(res, 400, catmaidError('ValueError', 'Confidence not in range 1-5 inclusive.'));
        const links = (getRequestList(form, 'links') ?? []) as unknown[];
        if (links.some((l) => !Array.isArray(l) || l.length !== 3)) return json(res, 400, catmaidError('ValueError', 'Invalid link information provided'));
        const parsed = (links as string[][]).map(([treenode, relation, c]) => ({ id: nextLinkId++, treenode: Number(treenode), relation: Number(relation), confidence: Number(c) }));
        if (parsed.some((l) => !nodes.has(l.treenode) || !relations.has(l.relation))) return json(res, 500, catmaidError('IntegrityError', 'insert or update on table "treenode_connector" violates foreign key constraint'));
        const id = nextLocationId();
        connectors.set(id, { x: number(form, 'x', 0), y: number(form, 'y', 0), z: number(form, 'z', 0), confidence, links: parsed });
        return json(res, 200, { connector_id: id, connector_edition_time: editionTime, created_links: parsed.map((l) => [l.id, editionTime, l.treenode, l.relation]) });
      }
      const connectorDetail = /^\/7\/connectors\/(\d+)\/$/.exec(path);
      if (connectorDetail && req.method === 'GET') {
        const id = Number(connectorDetail[1]);
        const c = connectors.get(id);
        // Its SQL joins the links: a connector without any is not found.
        if (!c || c.links.length === 0) return json(res, 404, { detail: 'Not found.' });
        const partners = c.links.map((l) => ({ link_id: l.id, partner_id: l.treenode, confidence: l.confidence, skeleton_id: nodes.get(l.treenode)!.skeleton, relation_id: l.relation, relation_name: relations.get(l.relation) }));
        return json(res, 200, { connector_id: id, x: c.x, y: c.y, z: c.z, confidence: c.confidence, partners });
      }
      if (path === '/7/connector/delete' && req.method === 'POST') {
        const id = Math.trunc(number(form, 'connector_id', 0));
        const c = connectors.get(id);
        if (!c) return json(res, 500, catmaidError('ObjectDoesNotExist', `Object #${id} not found in table connector`));
        if (!form.get('state')?.[0]) return json(res, 400, catmaidError('ValueError', 'No state provided'));
        connectors.delete(id);
        const partners = c.links.map((l) => ({ id: l.treenode, edition_time: editionTime, rel: relations.get(l.relation), rel_id: l.relation, confidence: l.confidence, link_id: l.id }));
        return json(res, 200, { message: 'Removed connector and class_instances', connector_id: id, confidence: c.confidence, x: c.x, y: c.y, z: c.z, partners });
      }
      const rename = /^\/7\/neurons\/(\d+)\/rename$/.exec(path);
      if (rename && req.method === 'POST') {
        const neuron = Number(rename[1]);
        const old = neuronNames.get(neuron - 100);
        if (old === undefined) return json(res, 500, catmaidError('ObjectDoesNotExist', `Could not find neuron #${neuron}`));
        const name = form.get('name')?.[0];
        if (!name) return json(res, 400, catmaidError('ValueError', 'No name specified'));
        if (name.includes('|')) return json(res, 400, catmaidError('ValueError', 'New name should not contain pipe character'));
        neuronNames.set(neuron - 100, name);
        return json(res, 200, { success: true, renamed_neuron: neuron, old_name: old });
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

/** The CATMAID source whose SDK the contract group generates and runs (else the fixture's `generated/`). */
const realSource = process.env['CATMAID_TEST_SOURCE'] || undefined;

/**
 * The operations the contract calls, by the ids CATMAID 2021.12.21's SDK gives them, with the
 * route each calls. An SDK that names a route otherwise (the fixture's `listAnnotationsPost`) is
 * called by its own id; a case whose operations an SDK lacks is skipped, saying which.
 */
const contractOperations = {
  getCatmaidVersion: ['GET', '/version'],
  projects: ['GET', '/projects/'],
  stacks: ['GET', '/{project_id}/stacks'],
  listSkeletons: ['GET', '/{project_id}/skeletons/'],
  rootForSkeleton: ['GET', '/{project_id}/skeletons/{skeleton_id}/root'],
  treenodeInfo: ['GET', '/{project_id}/treenodes/{treenode_id}/info'],
  skeletonSwc: ['GET', '/{project_id}/skeleton/{skeleton_id}/swc'],
  cableLength: ['GET', '/{project_id}/skeletons/{skeleton_id}/cable-length'],
  annotationListAnnotationsPost: ['POST', '/{project_id}/annotations/'],
  annotateEntities: ['POST', '/{project_id}/annotations/add'],
  createTreenode: ['POST', '/{project_id}/treenode/create'],
  compactDetail: ['GET', '/{project_id}/treenodes/{treenode_id}/compact-detail'],
  updateRadius: ['POST', '/{project_id}/treenode/{treenode_id}/radius'],
  deleteTreenode: ['POST', '/{project_id}/treenode/delete'],
  connectorTypes: ['GET', '/{project_id}/connectors/types/'],
  createConnector: ['POST', '/{project_id}/connector/create'],
  connectorDetail: ['GET', '/{project_id}/connectors/{connector_id}/'],
  deleteConnector: ['POST', '/{project_id}/connector/delete'],
  renameNeuron: ['POST', '/{project_id}/neurons/{neuron_id}/rename'],
} as const satisfies Record<string, readonly [string, string]>;
type ContractOperation = keyof typeof contractOperations;

/** The fixture SDK: the committed client of the example tree. */
const fixtureSdk = (): SdkUnderTest =>
  sdkFromModules('the fixture SDK (generated/)', false, JSON.parse(readFileSync(join(repoRoot, 'generated', 'routes.json'), 'utf8')) as RouteModel, fixtureMain, fixtureVolatile);

/** CATMAID's state that skips its checks of the client's view of the neighbourhood (state.py). */
const NOCHECK = JSON.stringify({ nocheck: true });

describe(`contract of ${realSource ? `the SDK generated from ${realSource}` : 'the fixture SDK'}, against ${live ? `the CATMAID at ${live.url}` : 'the loopback CATMAID'}`, () => {
  const target = () =>
    live
      ? { url: live.url, token: live.token, projectId: live.projectId, readonlyToken: live.readonlyToken, writes: live.writes }
      : { url: base, token: 'secret-token', projectId: 7 as number | undefined, readonlyToken: 'readonly-token' as string | undefined, writes: true };
  let sdk: SdkUnderTest;
  let tmp: string | undefined;
  const resolved = new Map<ContractOperation, ResolvedOperation>();
  let projectId: number;
  let skeletonId: number;
  let api: CatmaidClient;
  /** What went over the wire from `api`: method, URL and form body of each request. */
  let sent: Array<{ method: string; url: string; body: string }> = [];

  /** The SDK's function for a contract operation. */
  const op = (name: ContractOperation): Operation => {
    const found = resolved.get(name);
    if (!found) throw new Error(`${sdk.label} has no ${contractOperations[name].join(' ')} (${name})`);
    return found.fn;
  };
  const sdkClient = (config: ClientConfig): CatmaidClient => (sdk.exports['createClient'] as typeof createClient)(config);
  const sdkError = () => sdk.exports['CatmaidError'] as typeof CatmaidError;
  const sdkRequest = (method: 'POST', path: string, params: Record<string, ParamValue>) => (sdk.exports['request'] as typeof request)(api, method, path, params);
  /** Skips a case whose operations the SDK under test lacks, naming them. */
  const needs = (context: { skip: (note?: string) => never }, ...names: ContractOperation[]) => {
    const lacking = names.filter((n) => !resolved.has(n));
    if (lacking.length === 0) return;
    const what = lacking.map((n) => `${contractOperations[n].join(' ')} (${n})`).join(', ');
    context.skip(`${sdk.label} has no ${what}${sdk.real ? '' : '; set CATMAID_TEST_SOURCE to run it with the SDK of a CATMAID release'}`);
  };
  /** The form the n-th request to a path ending so carried, as a plain object. */
  const formSent = (pathEnd: string, n = 0): Record<string, string> => {
    const request = sent.filter((s) => new URL(s.url).pathname.endsWith(pathEnd))[n];
    if (!request) throw new Error(`no request ${n} to …${pathEnd} was sent`);
    return Object.fromEntries(new URLSearchParams(request.body));
  };

  /**
   * Runs a case that creates objects on the server: `track` registers how to delete each (through
   * `request()`, independent of the operations under test), `deleted` marks one the case removed
   * itself. Whatever the case's outcome, what is left is deleted, newest first; a deletion that
   * fails fails the case.
   */
  const withCleanup = async (body: (track: (what: string, remove: () => Promise<unknown>) => () => void) => Promise<void>) => {
    const left: Array<{ what: string; remove: () => Promise<unknown>; done: boolean }> = [];
    let failure: unknown;
    try {
      await body((what, remove) => {
        const entry = { what, remove, done: false };
        left.push(entry);
        return () => void (entry.done = true);
      });
    } catch (e) {
      failure = e;
    }
    const undeleted: string[] = [];
    for (const entry of left.reverse().filter((e) => !e.done)) {
      await entry.remove().catch((e: unknown) => undeleted.push(`${entry.what}: ${e instanceof Error ? e.message : String(e)}`));
    }
    if (failure) throw failure;
    if (undeleted.length) throw new Error(`could not delete what the case created: ${undeleted.join('; ')}`);
  };
  const removeTreenode = (id: number) => () => sdkRequest('POST', '/{project_id}/treenode/delete', { treenode_id: id, state: NOCHECK });
  const removeConnector = (id: number) => () => sdkRequest('POST', '/{project_id}/connector/delete', { connector_id: id, state: NOCHECK });

  beforeAll(async () => {
    const t = target();
    if (realSource) {
      // The release the server runs, when the repository has its tag (see defaultRef).
      const version = await fetch(new URL('version', t.url.endsWith('/') ? t.url : `${t.url}/`))
        .then((r) => r.json() as Promise<{ SERVER_VERSION?: string }>)
        .then((v) => v.SERVER_VERSION, () => undefined);
      const ref = process.env['CATMAID_TEST_REF'] || defaultRef(realSource, version);
      tmp = mkdtempSync(join(tmpdir(), 'catmaid-contract-'));
      generateSdk(realSource, ref, tmp);
      sdk = await loadGeneratedSdk(tmp, `the SDK of ${realSource}${ref ? ` at ${ref}` : ''}`);
      console.info(`contract: ${sdk.label}, against ${t.url}`);
    } else {
      sdk = fixtureSdk();
    }
    for (const [name, [method, path]] of Object.entries(contractOperations) as Array<[ContractOperation, readonly [string, string]]>) {
      const found = resolveOperation(sdk, name, method, path);
      if (found) resolved.set(name, found);
    }
    const recording: typeof fetch = async (input, init) => {
      sent.push({ method: init?.method ?? 'GET', url: String(input), body: typeof init?.body === 'string' ? init.body : '' });
      return fetch(input, init);
    };
    const listed = (await op('projects')(sdkClient({ baseUrl: t.url, token: t.token }))) as Array<{ id: number }>;
    projectId = t.projectId ?? listed.map((p) => p.id).filter((id) => id > 0)[0]!;
    api = sdkClient({ baseUrl: t.url, token: t.token, projectId, fetch: recording });
    skeletonId = ((await op('listSkeletons')(api)) as number[])[0]!;
  }, 180_000);
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(() => {
    sent = [];
  });

  it("calls each operation by the id the SDK gives it: CATMAID 2021.12.21's, or the fixture's own", () => {
    const ids = Object.fromEntries(Object.keys(contractOperations).map((n) => [n, resolved.get(n as ContractOperation)?.id ?? null]));
    const same = Object.fromEntries(Object.keys(contractOperations).map((n) => [n, n]));
    if (sdk.real) {
      expect(ids, sdk.label).toEqual(same);
    } else {
      const lacking = ['compactDetail', 'updateRadius', 'deleteTreenode', 'connectorTypes', 'createConnector', 'connectorDetail', 'deleteConnector', 'renameNeuron'];
      expect(ids).toEqual({ ...same, annotationListAnnotationsPost: 'listAnnotationsPost', ...Object.fromEntries(lacking.map((n) => [n, null])) });
    }
  });

  it('reads the server version', async () => {
    expect(await op('getCatmaidVersion')(api)).toEqual({ SERVER_VERSION: expect.stringMatching(/^\d{4}\.\d{2}\.\d{2}/) });
  });

  it('lists projects, each with an integer id and a title, the tested one among them', async () => {
    const listed = (await op('projects')(api)) as Array<{ id: unknown; title: unknown }>;
    expect(Array.isArray(listed)).toBe(true);
    for (const p of listed) expect(p).toMatchObject({ id: expect.any(Number), title: expect.any(String) });
    expect(listed.map((p) => p.id)).toContain(projectId);
    expect(await op('stacks')(api)).toEqual(expect.any(Array));
  });

  it('lists skeletons as integers, and finds the root node of one, which belongs to it', async () => {
    const skeletons = (await op('listSkeletons')(api)) as number[];
    expect(skeletons.length).toBeGreaterThan(0);
    expect(skeletons.every((id) => Number.isInteger(id))).toBe(true);
    const root = (await op('rootForSkeleton')(api, { skeleton_id: skeletonId })) as { root_id: number };
    expect(root).toEqual({ root_id: expect.any(Number), x: expect.any(Number), y: expect.any(Number), z: expect.any(Number) });
    expect(await op('treenodeInfo')(api, { treenode_id: root.root_id })).toMatchObject({ skeleton_id: skeletonId });
  });

  it('exports the skeleton as SWC text whose one parentless row is the root node', async () => {
    const root = (await op('rootForSkeleton')(api, { skeleton_id: skeletonId })) as { root_id: number };
    const swc = (await op('skeletonSwc')(api, { skeleton_id: skeletonId })) as string;
    const rows = swc.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    expect(rows.every((r) => r.length === 7 && r.every((v) => !Number.isNaN(v)))).toBe(true);
    expect(rows.filter((r) => r[6] === -1).map((r) => r[0])).toEqual([root.root_id]);
  });

  it('measures cable length', async () => {
    expect(await op('cableLength')(api, { skeleton_id: skeletonId })).toEqual({ cable_length: expect.any(Number), skeleton_id: skeletonId });
  });

  it('sends a documented POST with a form list, and reads the object CATMAID answers', async () => {
    expect(await op('annotationListAnnotationsPost')(api, { annotations: [] })).toEqual({ annotations: expect.any(Array) });
  });

  it("turns CATMAID's error JSON into a CatmaidError: type and message, the traceback kept apart", async () => {
    const error = (await op('treenodeInfo')(api, { treenode_id: 987654321 }).catch((e: unknown) => e)) as CatmaidError;
    expect(error).toBeInstanceOf(sdkError());
    expect(error).toMatchObject({ status: 400, type: 'ValueError', message: 'No skeleton and neuron for treenode 987654321' });
    expect(error.detail).toMatch(/^Traceback \(most recent call last\)/);
  });

  it("turns REST framework's 401 into a CatmaidError without the token in it", async () => {
    const wrong = sdkClient({ baseUrl: target().url, token: 'not-a-token-4711', projectId });
    const error = (await op('listSkeletons')(wrong).catch((e: unknown) => e)) as CatmaidError;
    expect(error).toBeInstanceOf(sdkError());
    expect(error).toMatchObject({ name: 'CatmaidError', status: 401, message: 'Invalid token.' });
    expect(`${error.message} ${error.url} ${JSON.stringify(error)} ${String(error.stack)}`).not.toContain('not-a-token-4711');
  });

  it("turns Django's HTML 404 for a path part its regex refuses into a short message", async () => {
    const error = (await op('skeletonSwc')(api, { skeleton_id: 'abc' }).catch((e: unknown) => e)) as CatmaidError;
    expect(error).toMatchObject({ status: 404 });
    expect(error.message).toMatch(/^GET \/(.+\/)?\d+\/skeleton\/abc\/swc failed with 404: Not Found$/);
  });

  it('names can_annotate_with_token when a write with a token that lacks it is refused', async (context) => {
    const t = target();
    if (!t.readonlyToken) return context.skip('CATMAID_TEST_READONLY_TOKEN is not set');
    const readonly = sdkClient({ baseUrl: t.url, token: t.readonlyToken, projectId });
    const error = (await op('annotateEntities')(readonly, { entity_ids: [1], annotations: ['never-written'] }).catch((e: unknown) => e)) as CatmaidError;
    expect(error).toMatchObject({ status: 403, type: 'PermissionError', permission: 'can_annotate_with_token' });
    expect(error.message).toMatch(/does not have the required permissions in project \d+ \(writes with an API token also need the can_annotate_with_token permission in the project\)$/);
  });

  it('creates a treenode where it was asked to, read back from its skeleton as SWC, and removes it again', async (context) => {
    if (!target().writes) return context.skip('CATMAID_TEST_ALLOW_WRITES=1 is not set');
    await withCleanup(async (track) => {
      const created = (await op('createTreenode')(api, { x: 1234.5, y: 2345.25, z: 40.75, radius: 7.25 })) as { treenode_id: number; skeleton_id: number };
      track(`treenode ${created.treenode_id}`, removeTreenode(created.treenode_id));
      expect(created).toMatchObject({ treenode_id: expect.any(Number), skeleton_id: expect.any(Number) });
      expect(formSent('/treenode/create')).toEqual({ x: '1234.5', y: '2345.25', z: '40.75', radius: '7.25' });
      expect(await op('treenodeInfo')(api, { treenode_id: created.treenode_id })).toMatchObject({ skeleton_id: created.skeleton_id });
      const swc = (await op('skeletonSwc')(api, { skeleton_id: created.skeleton_id })) as string;
      // id, type, x, y, z, radius, parent: CATMAID keeps int(radius) of a new treenode (7.25 → 7).
      expect(swc.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number))).toEqual([[created.treenode_id, 0, 1234.5, 2345.25, 40.75, 7, -1]]);
    });
  });

  it('round-trips a treenode and its child: every value sent comes back from compact-detail, then both are deleted and gone', async (context) => {
    if (!target().writes) return context.skip('CATMAID_TEST_ALLOW_WRITES=1 is not set');
    needs(context, 'createTreenode', 'compactDetail', 'treenodeInfo', 'updateRadius', 'deleteTreenode');
    const neuronName = `catmaid-codegen contract ${Date.now()} ü & a=b ?`;
    await withCleanup(async (track) => {
      const root = (await op('createTreenode')(api, { x: 1234.5, y: 2345.25, z: 40.75, radius: 7.25, confidence: 3, neuron_name: neuronName })) as { treenode_id: number; skeleton_id: number };
      const rootDeleted = track(`treenode ${root.treenode_id}`, removeTreenode(root.treenode_id));
      const child = (await op('createTreenode')(api, { x: 1240.125, y: 2350.75, z: 41.5, radius: 4, confidence: 1, parent_id: root.treenode_id, state: NOCHECK })) as { treenode_id: number; skeleton_id: number };
      const childDeleted = track(`treenode ${child.treenode_id}`, removeTreenode(child.treenode_id));
      // On the wire, as sent; then the server's copy: [id, parent, x, y, z, confidence, radius, skeleton, edition time, user].
      expect(formSent('/treenode/create', 0)).toEqual({ x: '1234.5', y: '2345.25', z: '40.75', radius: '7.25', confidence: '3', neuron_name: neuronName });
      expect(formSent('/treenode/create', 1)).toEqual({ x: '1240.125', y: '2350.75', z: '41.5', radius: '4', confidence: '1', parent_id: String(root.treenode_id), state: NOCHECK });
      expect(child.skeleton_id).toBe(root.skeleton_id);
      const childDetail = (await op('compactDetail')(api, { treenode_id: child.treenode_id })) as unknown[];
      expect(childDetail.slice(0, 8)).toEqual([child.treenode_id, root.treenode_id, 1240.125, 2350.75, 41.5, 1, 4, root.skeleton_id]);
      // CATMAID keeps int(radius) of a new treenode (treenode.py, _create_treenode): 7.25 arrives, 7 is stored.
      const rootDetail = (await op('compactDetail')(api, { treenode_id: root.treenode_id })) as unknown[];
      expect(rootDetail.slice(0, 8)).toEqual([root.treenode_id, null, 1234.5, 2345.25, 40.75, 3, 7, root.skeleton_id]);
      expect(await op('treenodeInfo')(api, { treenode_id: root.treenode_id })).toMatchObject({ skeleton_id: root.skeleton_id, neuron_name: neuronName });
      // Setting the radius afterwards keeps its fraction.
      expect(await op('updateRadius')(api, { treenode_id: root.treenode_id, radius: 7.25, state: NOCHECK })).toMatchObject({ success: true, new_radius: 7.25 });
      expect(((await op('compactDetail')(api, { treenode_id: root.treenode_id })) as unknown[])[6]).toBe(7.25);

      expect(await op('deleteTreenode')(api, { treenode_id: child.treenode_id, state: NOCHECK })).toMatchObject({
        x: 1240.125, y: 2350.75, z: 41.5, radius: 4, confidence: 1, parent_id: root.treenode_id, skeleton_id: root.skeleton_id, deleted_neuron: false,
      });
      childDeleted();
      expect(await op('deleteTreenode')(api, { treenode_id: root.treenode_id, state: NOCHECK })).toMatchObject({
        x: 1234.5, y: 2345.25, z: 40.75, radius: 7.25, confidence: 3, parent_id: null, skeleton_id: root.skeleton_id, deleted_neuron: true,
      });
      rootDeleted();
      for (const id of [child.treenode_id, root.treenode_id]) {
        await expect(op('compactDetail')(api, { treenode_id: id })).rejects.toMatchObject({ status: 400, type: 'ValueError', message: `Could not find treenode with ID ${id}` });
      }
      await expect(op('treenodeInfo')(api, { treenode_id: root.treenode_id })).rejects.toMatchObject({ message: `No skeleton and neuron for treenode ${root.treenode_id}` });
    });
  });

  it('round-trips a connector linked to a treenode: location, confidence and link come back from its detail, then it is deleted and gone', async (context) => {
    if (!target().writes) return context.skip('CATMAID_TEST_ALLOW_WRITES=1 is not set');
    needs(context, 'connectorTypes', 'createTreenode', 'createConnector', 'connectorDetail', 'deleteConnector', 'deleteTreenode');
    await withCleanup(async (track) => {
      const types = (await op('connectorTypes')(api)) as Array<{ relation: string; relation_id: number }>;
      const presynaptic = types.find((t) => t.relation === 'presynaptic_to')!.relation_id;
      const node = (await op('createTreenode')(api, { x: 2000.5, y: 3000.25, z: 40.75, radius: 4, confidence: 5 })) as { treenode_id: number; skeleton_id: number };
      const nodeDeleted = track(`treenode ${node.treenode_id}`, removeTreenode(node.treenode_id));
      // links: [treenode, relation, confidence] triples, which get_request_list reads as links[i][j].
      const created = (await op('createConnector')(api, { x: 2010.5, y: 3010.75, z: 41.25, confidence: 3, links: [[node.treenode_id, presynaptic, 2]] })) as { connector_id: number };
      const connectorDeleted = track(`connector ${created.connector_id}`, removeConnector(created.connector_id));
      expect(formSent('/connector/create')).toEqual({
        x: '2010.5', y: '3010.75', z: '41.25', confidence: '3', 'links[0][0]': String(node.treenode_id), 'links[0][1]': String(presynaptic), 'links[0][2]': '2',
      });
      expect(created).toMatchObject({ connector_id: expect.any(Number), created_links: [[expect.any(Number), expect.any(String), node.treenode_id, presynaptic]] });
      expect(await op('connectorDetail')(api, { connector_id: created.connector_id })).toEqual({
        connector_id: created.connector_id, x: 2010.5, y: 3010.75, z: 41.25, confidence: 3,
        partners: [{ link_id: expect.any(Number), partner_id: node.treenode_id, confidence: 2, skeleton_id: node.skeleton_id, relation_id: presynaptic, relation_name: 'presynaptic_to' }],
      });
      expect(await op('deleteConnector')(api, { connector_id: created.connector_id, state: NOCHECK })).toMatchObject({
        connector_id: created.connector_id, x: 2010.5, y: 3010.75, z: 41.25, confidence: 3, partners: [{ id: node.treenode_id, rel_id: presynaptic, confidence: 2 }],
      });
      connectorDeleted();
      await expect(op('connectorDetail')(api, { connector_id: created.connector_id })).rejects.toMatchObject({ status: 404, message: 'Not found.' });
      await op('deleteTreenode')(api, { treenode_id: node.treenode_id, state: NOCHECK });
      nodeDeleted();
    });
  });

  it('renames the neuron of a new treenode, read back from the node, then removes both', async (context) => {
    if (!target().writes) return context.skip('CATMAID_TEST_ALLOW_WRITES=1 is not set');
    needs(context, 'createTreenode', 'treenodeInfo', 'renameNeuron', 'deleteTreenode');
    const before = `catmaid-codegen contract ${Date.now()}`;
    const after = `${before}, renamed: ü & a=b ? #`;
    await withCleanup(async (track) => {
      const node = (await op('createTreenode')(api, { x: 1500.5, y: 1600.5, z: 40.75, neuron_name: before })) as { treenode_id: number };
      const nodeDeleted = track(`treenode ${node.treenode_id}`, removeTreenode(node.treenode_id));
      const info = (await op('treenodeInfo')(api, { treenode_id: node.treenode_id })) as { neuron_id: number; neuron_name: string };
      expect(info.neuron_name).toBe(before);
      expect(await op('renameNeuron')(api, { neuron_id: info.neuron_id, name: after })).toEqual({ success: true, renamed_neuron: info.neuron_id, old_name: before });
      expect(formSent('/rename')).toEqual({ name: after });
      expect(await op('treenodeInfo')(api, { treenode_id: node.treenode_id })).toMatchObject({ neuron_id: info.neuron_id, neuron_name: after });
      expect(await op('deleteTreenode')(api, { treenode_id: node.treenode_id, state: NOCHECK })).toMatchObject({ deleted_neuron: true });
      nodeDeleted();
    });
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

  it('retries a POST the model knows only reads, when asked', async () => {
    failuresLeft = 2;
    await expect(listAnnotationsPost(client({ retry: { retries: 2, minDelayMs: 1 } }), { annotations: [1] })).resolves.toEqual({ annotations: ['1'] });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(Array(3).fill('POST /catmaid/7/annotations/'));
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

describe("session authentication inside CATMAID's pages", () => {
  it("sends credentials, and Django's X-CSRFToken from CATMAID's csrftoken_<hash> cookie on requests that change state", async () => {
    const sent: RequestInit[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      sent.push(init ?? {});
      return fetch(input, init);
    };
    const cookies = () => 'sessionid_abc=s; csrftoken_4f2a=token%2Bvalue; other=1';
    // (Node's fetch sends no browser cookies: the session cookie goes as a header here.)
    const c = createClient({ baseUrl: base, projectId: 7, fetch: recordingFetch, session: { cookies }, headers: { Cookie: 'sessionid_abc=s' } });
    await listSkeletons(c, {});
    await listAnnotationsPost(c, { annotations: [1] });
    expect(sent.map((i) => i.credentials)).toEqual(['include', 'include']);
    expect(seen.map((r) => [r.method, r.headers['x-csrftoken'] ?? null, r.headers['x-authorization'] ?? null])).toEqual([
      ['GET', null, null],
      ['POST', 'token+value', null],
    ]);
    // A cookie name of its own (CSRF_COOKIE_NAME), and none without session authentication.
    seen = [];
    await listAnnotationsPost(createClient({ baseUrl: base, projectId: 7, headers: { Cookie: 'sessionid=s' }, session: { csrfCookie: 'lab_csrf', cookies: () => 'csrftoken_x=no; lab_csrf=yes' } }), {});
    await listAnnotationsPost(client({ fetch: recordingFetch }), {});
    expect(seen.map((r) => r.headers['x-csrftoken'] ?? null)).toEqual(['yes', null]);
    expect(sent[sent.length - 1]!.credentials).toBeUndefined();
  });
});

describe('answers the way users need them', () => {
  it('gives status, headers and body with raw()', async () => {
    const answer = await raw(stacks, client(), {});
    expect(answer).toMatchObject({ status: 200, statusText: 'OK', body: [{ id: 2, pid: 7, title: 'EM', comment: null }] });
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.url).toMatch(/\/catmaid\/7\/stacks$/);
  });

  it("gives a JSON operation's answer in another format as it came (a parameter chose msgpack, csv)", async () => {
    const bytes = new Uint8Array([0x92, 0x01, 0x02]);
    const binary: typeof fetch = async () => new Response(bytes, { status: 200, headers: { 'Content-Type': 'application/octet-stream' } });
    const blob = (await stacks(client({ fetch: binary }), {})) as unknown as Blob;
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
    const csv: typeof fetch = async () => new Response('a,b\n1,2\n', { status: 200, headers: { 'Content-Type': 'text/csv' } });
    expect(await stacks(client({ fetch: csv }), {})).toBe('a,b\n1,2\n');
    // An HTML page where JSON was expected is still an error (a login page, a proxy's).
    const html: typeof fetch = async () => new Response('<html>login</html>', { status: 200, headers: { 'Content-Type': 'text/html' } });
    await expect(stacks(client({ fetch: html }), {})).rejects.toThrow(/expected JSON/);
  });
});
