/**
 * The OpenAPI 3.1 document `generate` writes: valid against the OpenAPI schema (checked with
 * @seriousme/openapi-schema-validator), readable by a maintained consumer (openapi-typescript),
 * and carrying CATMAID's stability, drift and list-encoding extensions.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { emitOpenApi } from '../generator/emit/openapi/index.js';
import { fixtureCases, fixtureModel } from './helpers.js';

type Doc = { paths: Record<string, Record<string, Record<string, unknown>>>; components: Record<string, Record<string, unknown>>; [k: string]: unknown };
const docOf = (name: string) => JSON.parse(emitOpenApi(fixtureModel(name)).content) as Doc;

describe('openapi.json', () => {
  it.each(fixtureCases())('of %s validates against the OpenAPI 3.1 schema', async (name) => {
    const result = await new Validator().validate(docOf(name));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is read by openapi-typescript without error', async () => {
    const ast = await openapiTS(docOf('example') as never);
    const types = astToString(ast);
    expect(types).toContain('"/{project_id}/skeletons/": {');
    expect(types).toContain('listSkeletons: {');
  });

  it('marks stability the way oasdiff reads it, and volatile operations as such', () => {
    const doc = docOf('example');
    expect(doc.paths['/{project_id}/skeletons/']!['get']).toMatchObject({ operationId: 'listSkeletons', 'x-stability-level': 'stable' });
    expect(doc.paths['/{project_id}/skeletons/']!['get']!['x-catmaid-volatile']).toBeUndefined();
    expect(doc.paths['/{project_id}/treenode/create']!['post']).toMatchObject({ 'x-stability-level': 'draft', 'x-catmaid-volatile': true, 'x-catmaid-writes': true });
  });

  it('describes the token scheme, form bodies with the list encoding, and typed path parameters', () => {
    const doc = docOf('example');
    expect(doc.components['securitySchemes']!['catmaidToken']).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Authorization' });
    const add = doc.paths['/{project_id}/annotations/add']!['post']!;
    expect(add['requestBody']).toMatchObject({
      content: {
        'application/x-www-form-urlencoded': {
          schema: { type: 'object', properties: { entity_ids: { type: 'array', items: { type: 'integer' }, 'x-catmaid-list-encoding': 'indexed' } } },
          encoding: { entity_ids: { style: 'form', explode: true, 'x-catmaid-list-encoding': 'indexed' } },
        },
      },
    });
    expect(add['parameters']).toEqual([{ name: 'project_id', in: 'path', required: true, schema: { type: 'integer' } }]);
    expect(doc['x-catmaid-list-encoding']).toMatchObject({ indexed: expect.stringContaining('k[0]=1&k[1]=2') });
  });

  it('carries drift findings, documented responses and their models', () => {
    const doc = docOf('operations');
    const list = doc.paths['/{project_id}/skeletons/']!['get']!;
    expect(list['x-catmaid-drift']).toEqual([
      "param-undocumented: the code reads 'nodecount_gt' from request.GET (in _skeleton_filters), the docstring does not document it",
      "param-doc-unread: 'from_date' is documented, but the code never reads it",
      "param-undocumented: the code reads 'from' from request.GET, the docstring does not document it",
    ]);
    expect(list['responses']).toMatchObject({ '200': { content: { 'application/json': { schema: { type: 'array', items: { type: 'integer' } } } } } });
    // The docstring's model, inlined where the code's shape is combined with it; hostile names stay data.
    const hostile = docOf('hostile');
    const withModel = hostile.paths['/{project_id}/delete']!['delete']!;
    expect(JSON.stringify(withModel['responses'])).toContain('"*/ weird key"');
  });

  it('shares an object shape that stands in several answers as one component, named where it first stands', () => {
    const model = structuredClone(fixtureModel('example'));
    const shape = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } }, required: ['id', 'name'] };
    const op = (id: string) => model.routes.flatMap((r) => r.operations).find((o) => o.operationId === id)!;
    op('projects').response = { format: 'json', schema: { type: 'array', items: shape } };
    op('stacks').response = { format: 'json', schema: { type: 'object', properties: { first: shape, count: { type: 'integer' } } } };
    const doc = JSON.parse(emitOpenApi(model).content);
    const names = Object.keys(doc.components.schemas).filter((n: string) => n !== 'CatmaidError');
    expect(names).toEqual(['ProjectsItem']);
    expect(doc.components.schemas.ProjectsItem).toEqual(shape);
    expect(doc.paths['/projects/'].get.responses['200'].content['application/json'].schema).toEqual({ type: 'array', items: { $ref: '#/components/schemas/ProjectsItem' } });
    expect(doc.paths['/{project_id}/stacks'].get.responses['200'].content['application/json'].schema.properties.first).toEqual({ $ref: '#/components/schemas/ProjectsItem' });
  });

  it('sends parameters documented as paramType: body as a JSON body', () => {
    const post = docOf('operations').paths['/{project_id}/landmarks/import']!['post']!;
    expect(post['requestBody']).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { landmarks: { type: 'array', items: { type: 'object' }, description: 'The landmarks, as JSON' } },
            required: ['landmarks'],
          },
        },
      },
    });
  });
});

describe('openapi.json as other generators read it', () => {
  const operationsOf = (doc: { paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown>; operationId?: string; parameters?: Array<{ schema?: { type?: string; items?: object } }> }>> }) =>
    Object.values(doc.paths).flatMap((item) => Object.entries(item).filter(([k]) => ['get', 'post', 'put', 'patch', 'delete'].includes(k)).map(([, o]) => o));

  it('gives every operation a summary, explicit status codes, and list items a type', () => {
    for (const name of fixtureCases()) {
      const doc = JSON.parse(emitOpenApi(fixtureModel(name)).content);
      for (const op of operationsOf(doc)) {
        expect(op.summary, `${name} ${op.operationId}`).toBeTruthy();
        expect(Object.keys(op.responses ?? {}).filter((c) => /X/.test(c))).toEqual([]);
        for (const p of op.parameters ?? []) if (p.schema?.type === 'array') expect(Object.keys(p.schema.items ?? {}).length).toBeGreaterThan(0);
      }
    }
  });

  it("keeps the route Django matches first when two routes share a path, naming the other in x-catmaid-also-routed", async () => {
    const { buildRouteModel } = await import('../generator/model/build.js');
    const { MemorySource } = await import('./memory-source.js');
    const { py } = await import('./helpers.js');
    const tree = new MemorySource({
      'django/applications/catmaid/urls.py': py`
        from django.conf.urls import url
        from catmaid.control import views
        urlpatterns = [
            url(r'^(?P<project_id>\d+)/sections/$', views.sections),
            url(r'^z/$', views.other),
            url(r'^(?P<project_id>.+)/sections/$', views.fallback),
        ]
      `,
      'django/applications/catmaid/control/views.py': 'from django.http import JsonResponse\n\ndef sections(request, project_id):\n    return JsonResponse([], safe=False)\n\ndef fallback(request, project_id):\n    return JsonResponse({})\n\ndef other(request):\n    return JsonResponse({})\n',
    });
    const doc = JSON.parse(emitOpenApi(buildRouteModel(tree).model).content);
    const get = doc.paths['/{project_id}/sections/'].get;
    expect(get.operationId).toBe('sections');
    expect(get['x-catmaid-also-routed']).toEqual([{ operationId: 'fallback', regex: '^(?P<project_id>.+)/sections/$' }]);
  });
});
