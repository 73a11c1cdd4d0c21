/**
 * A small made-up model the emitter thread emits while the real one is being built, so that the
 * code that prints operations (ts-morph's printer, the emitter's own functions) is compiled by V8
 * when the real model comes: one project-scoped route with two operations, a path parameter, query
 * and form parameters, a typed answer and a docstring model.
 *
 * Consumes: nothing. Produces: a {@link RouteModel}.
 */
import { SCHEMA_VERSION, type Operation, type Parameter, type Route, type RouteModel } from '../model/types.js';

const FILE = 'warm-up/control/thing.py';

const parameter = (name: string, where: Parameter['in'], type: Parameter['type'], required: boolean): Parameter => ({
  name,
  in: where,
  type,
  required,
  documented: where !== 'form',
  inferred: true,
  description: `The ${name}.`,
  evidence: [{ kind: 'read', text: `request.GET.get('${name}')`, file: FILE, line: 3 }],
});

const operation = (method: 'GET' | 'POST', operationId: string, parameters: Parameter[]): Operation => ({
  operationId,
  method,
  methodSource: 'inferred',
  methodEvidence: `reads only request.${method}`,
  methodBasis: [],
  accepts: { methods: 'any', evidence: [] },
  documented: method === 'GET',
  volatile: method !== 'GET',
  summary: 'Returns a thing.',
  description: 'Returns a thing.\nAnd says more about it.',
  parameters,
  permissions: [{ kind: 'project-role', roles: ['browse'], decorator: 'catmaid.control.authentication.requires_user_role' }],
  response: {
    format: 'json',
    schema: { type: 'object', properties: { id: { type: 'integer' }, names: { type: 'array', items: { type: 'string' } }, part: { $ref: '#/models/Part' } }, required: ['id'] },
    models: { Part: { type: 'object', properties: { x: { type: 'number' } } } },
    examples: [{ id: 1, names: ['a'] }],
  },
  writes: method === 'POST',
});

const route: Route = {
  path: '/{project_id}/things/{thing_id}/info',
  regex: '^(?P<project_id>\\d+)/things/(?P<thing_id>\\d+)/info$',
  pathParams: [
    { name: 'project_id', type: 'integer', pattern: '\\d+' },
    { name: 'thing_id', type: 'integer', pattern: '\\d+' },
  ],
  projectScoped: true,
  prefixMatch: false,
  patternType: 'regex',
  view: { module: 'catmaid.control.thing', name: 'thing_info', kind: 'function', file: FILE, line: 1 },
  wrappers: [],
  order: 0,
  source: { file: 'warm-up/urls.py', line: 1 },
  operations: [
    operation('GET', 'thingInfo', [parameter('project_id', 'path', 'integer', true), parameter('thing_id', 'path', 'integer', true), parameter('with_names', 'query', 'boolean', false)]),
    operation('POST', 'thingInfoPost', [parameter('project_id', 'path', 'integer', true), parameter('thing_id', 'path', 'integer', true), parameter('names', 'form', 'array', false)]),
  ],
};

/** The made-up model. */
export const WARM_UP_MODEL: RouteModel = {
  schemaVersion: SCHEMA_VERSION,
  generator: { name: 'warm-up', version: '0' },
  source: {},
  routes: [route],
  mounts: [],
  diagnostics: [],
};
