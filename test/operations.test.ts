/**
 * Operations of the hand-written `operations` fixture: methods and how they were found,
 * documented vs volatile, parameters from the docstring and from the code, drift, permissions,
 * responses, operation ids. Each case names the Django/CATMAID construct it checks.
 */
import { describe, expect, it } from 'vitest';
import { operationSpec } from '../generator/emit/spec.js';
import type { Operation, Parameter } from '../generator/model/types.js';
import { fixtureModel, fixtureSource, runCli } from './helpers.js';

const model = fixtureModel('operations');
const op = (method: string, path: string): Operation => {
  const route = model.routes.find((r) => r.path === path);
  const found = route?.operations.find((o) => o.method === method);
  if (!found) throw new Error(`no ${method} ${path}`);
  return found;
};
const params = (o: Operation) =>
  o.parameters
    .filter((p) => p.in !== 'path')
    .map((p) => `${p.name}:${p.in}:${p.type}${p.items ? `<${p.items.type}>` : ''}${p.required ? '!' : ''}${p.documented ? ' D' : ''}${p.inferred ? ' I' : ''}`);
const drift = (code: string, operation: string) => model.diagnostics.filter((d) => d.code === code && d.operation === operation).map((d) => d.message);

describe('methods, and how they were found', () => {
  it.each([
    ['GET', '/{project_id}/annotations/', 'declared', '@api_view(["GET","POST"])'],
    ['POST', '/{project_id}/annotations/', 'declared', '@api_view(["GET","POST"])'],
    ['POST', '/{project_id}/annotations/{annotation_id}/remove', 'declared', '@require_POST'],
    ['GET', '/{project_id}/annotations/forget', 'declared', '@require_http_methods(["GET","DELETE"])'],
    ['DELETE', '/{project_id}/annotations/forget', 'declared', '@require_http_methods(["GET","DELETE"])'],
    ['GET', '/{project_id}/annotations/stats', 'declared', '@require_GET'],
    ['GET', '/{project_id}/annotations/safe', 'declared', '@require_safe (GET and HEAD)'],
    ['POST', '/{project_id}/annotations/add', 'inferred', 'reads request.POST'],
    ['POST', '/{project_id}/annotations/import', 'inferred', 'reads request.FILES'],
    ['GET', '/dvid/{project_id}/stack/{stack_id}/tags', 'inferred', 'reads no request parameters'],
    ['GET', '/{project_id}/stack/{stack_id}/tags', 'declared', "request.method == 'GET'"],
    ['POST', '/{project_id}/stack/{stack_id}/tags', 'declared', "request.method == 'POST'"],
    ['PUT', '/{project_id}/stack/{stack_id}/mirrors', 'declared', "request.method == 'PUT'"],
    ['PATCH', '/{project_id}/stack/{stack_id}/mirrors', 'declared', "request.method == 'PATCH'"],
    ['POST', '/{project_id}/skeletons/import', 'declared', "record_request_action(…, 'POST') in the URLconf"],
    ['POST', '/{project_id}/skeletons/by-bbox', 'declared', 'api_view(["POST"]) in the URLconf'],
    ['GET', '/{project_id}/landmarks/', 'declared', 'LandmarkList.get()'],
    ['PUT', '/{project_id}/landmarks/', 'declared', 'LandmarkList.put()'],
    ['DELETE', '/{project_id}/landmarks/{landmark_id}/', 'declared', 'LandmarkDetail.delete()'],
    ['GET', '/{project_id}/landmarks/{landmark_id}/', 'declared', 'LandmarkList.get()'],
    ['GET', '/{project_id}/trees/', 'declared', 'inherited from rest_framework.generics.ListCreateAPIView'],
    ['POST', '/{project_id}/trees/', 'declared', 'inherited from rest_framework.generics.ListCreateAPIView'],
    ['GET', '/{project_id}/stats', 'declared', 'inherited from django.views.generic.TemplateView'],
  ])('%s %s is %s by %s', (method, path, source, evidence) => {
    expect(op(method, path)).toMatchObject({ methodSource: source, methodEvidence: evidence });
  });

  it("lets a URLconf api_view([...]) wrapper decide the methods over the body's request.method branches", () => {
    const route = model.routes.find((r) => r.path === '/{project_id}/stack/{stack_id}/tags/rest')!;
    expect(route.operations.map((o) => [o.method, o.methodEvidence, o.documented])).toEqual([['POST', 'api_view(["POST"]) in the URLconf', true]]);
  });

  it('gives each route exactly the methods found, and nothing else', () => {
    const methods = (path: string) => model.routes.find((r) => r.path === path)!.operations.map((o) => o.method);
    expect(methods('/{project_id}/annotations/forget')).toEqual(['GET', 'DELETE']);
    // `if request.method in ('PUT', 'PATCH'):` followed by more code: every other method reaches
    // that code too, and GET is how the SDK calls it.
    expect(methods('/{project_id}/stack/{stack_id}/mirrors')).toEqual(['GET', 'PUT', 'PATCH']);
    expect(methods('/{project_id}/landmarks/{landmark_id}/')).toEqual(['GET', 'PUT', 'DELETE']);
  });
});

describe('documented (Django REST framework) vs volatile', () => {
  it('documents @api_view functions, URLconf api_view() wrappers and DRF classes through an in-tree base', () => {
    for (const [m, p] of [
      ['GET', '/{project_id}/annotations/'],
      ['POST', '/{project_id}/skeletons/by-bbox'],
      ['GET', '/{project_id}/landmarks/'],
      ['DELETE', '/{project_id}/landmarks/{landmark_id}/'],
      ['POST', '/{project_id}/trees/'],
    ] as const) {
      expect(op(m, p)).toMatchObject({ documented: true, volatile: false });
    }
  });

  it('marks plain functions and Django (non-REST) classes volatile', () => {
    for (const [m, p] of [
      ['POST', '/{project_id}/annotations/add'],
      ['POST', '/{project_id}/annotations/{annotation_id}/remove'],
      ['GET', '/{project_id}/stats'],
    ] as const) {
      expect(op(m, p)).toMatchObject({ documented: false, volatile: true });
    }
  });

  it('counts every operation exactly once as one or the other', () => {
    const ops = model.routes.flatMap((r) => r.operations);
    expect(ops.every((o) => o.documented !== o.volatile)).toBe(true);
    expect(ops.filter((o) => o.documented)).toHaveLength(21);
    expect(ops.filter((o) => o.volatile)).toHaveLength(20);
  });
});

describe('parameters from the code', () => {
  it('reads .get() with defaults, int() wrappers, .getlist() and membership tests', () => {
    expect(params(op('GET', '/{project_id}/annotations/stats'))).toEqual(['by_user:query:string I', 'limit:query:integer I', 'name:query:array<string> I']);
    expect(op('GET', '/{project_id}/annotations/stats').parameters.find((p) => p.name === 'limit')?.default).toBe(10);
  });

  it("types CATMAID's get_request_list by map_fn, nested lists included, and get_request_bool as boolean", () => {
    expect(params(op('POST', '/{project_id}/annotations/add'))).toEqual([
      'annotation_meta:form:string I',
      'annotations:form:array<string> I',
      'entity_ids:form:array<integer> I',
    ]);
    expect(params(op('POST', '/{project_id}/skeletons/by-bbox'))).toEqual(['minx:form:number! D I', 'rows:form:array<array> I']);
  });

  it('makes a subscript read required, and files from request.FILES', () => {
    expect(params(op('POST', '/{project_id}/annotations/import'))).toEqual(['file:form:file! I']);
    expect(params(op('POST', '/{project_id}/stack/{stack_id}/tags'))).toEqual(['clear:form:string! I', 'tags:form:string I']);
  });

  it('puts a request.POST-or-GET alias in the query for GET and the form for POST', () => {
    expect(params(op('GET', '/{project_id}/annotations/'))).toEqual(['annotations:query:array<integer> D I', 'with_counts:query:boolean D I']);
    expect(params(op('POST', '/{project_id}/annotations/'))).toEqual(['annotations:form:array<integer> D I', 'with_counts:form:boolean D I']);
  });

  it('attributes reads inside a request.method branch to that method only', () => {
    expect(params(op('GET', '/{project_id}/annotations/forget'))).toEqual([]);
    expect(params(op('DELETE', '/{project_id}/annotations/forget'))).toEqual(['force:query:boolean I']);
    expect(params(op('GET', '/{project_id}/stack/{stack_id}/tags'))).toEqual([]);
  });

  it('follows the request into a helper of the same module, one call deep', () => {
    expect(params(op('GET', '/{project_id}/skeletons/'))).toEqual([
      'created_by:query:integer D I',
      'from:query:string I',
      'from_date:query:string D',
      'nodecount_gt:query:integer I',
      'skeleton_ids:query:array<integer> D I',
    ]);
    // Documented as required, but the helper falls back to [] without it: optional, with a finding.
    expect(params(op('POST', '/{project_id}/skeletons/compact-detail'))).toContain('skeleton_ids:form:array<integer> D I');
    expect(drift('param-required-mismatch', 'POST /{project_id}/skeletons/compact-detail')).toEqual([
      "'skeleton_ids' is documented as required, but the code falls back to [] without it (get_request_list(params, 'skeleton_ids', [], map_fn=int)): not required",
    ]);
  });

  it("reads DRF's request.data as a body and request.query_params as the query", () => {
    expect(params(op('GET', '/{project_id}/landmarks/'))).toEqual(['with_locations:query:boolean D I']);
    expect(params(op('PUT', '/{project_id}/landmarks/'))).toEqual(['name:form:string! D I']);
  });

  it('keeps path parameters first, typed from the regex', () => {
    const p = op('DELETE', '/{project_id}/landmarks/{landmark_id}/').parameters;
    expect(p.slice(0, 2)).toEqual<Parameter[]>([
      { name: 'project_id', in: 'path', type: 'integer', required: true, documented: false, inferred: true, evidence: [{ kind: 'path', text: '(?P<project_id>\\d+)', file: 'django/applications/catmaid/urls.py', line: expect.any(Number) }] },
      { name: 'landmark_id', in: 'path', type: 'integer', required: true, documented: false, inferred: true, evidence: [{ kind: 'path', text: '(?P<landmark_id>\\d+)', file: 'django/applications/catmaid/urls.py', line: expect.any(Number) }] },
    ]);
  });
});

describe('docstrings and drift', () => {
  it('takes the summary and description from the text before ---', () => {
    expect(op('GET', '/{project_id}/annotations/')).toMatchObject({
      summary: 'List annotations matching filtering criteria.',
      description: 'List annotations matching filtering criteria.\n\nWithout filters, every annotation in use is returned.',
    });
  });

  it('reports a documented parameter the code never reads, and one it reads that the docs omit', () => {
    expect(drift('param-doc-unread', 'GET /{project_id}/skeletons/')).toEqual(["'from_date' is documented, but the code never reads it"]);
    expect(drift('param-undocumented', 'GET /{project_id}/skeletons/')).toEqual([
      "the code reads 'nodecount_gt' from request.GET (in _skeleton_filters), the docstring does not document it",
      "the code reads 'from' from request.GET, the docstring does not document it",
    ]);
  });

  it('reports a parameter documented in the query but read from the form', () => {
    expect(drift('param-location-mismatch', 'POST /{project_id}/skeletons/compact-detail')).toEqual([
      "'with_tags' is documented as query, but the code reads it from request.POST (form)",
    ]);
  });

  it('does not report undocumented parameters of volatile views without docs', () => {
    expect(model.diagnostics.filter((d) => d.operation === 'POST /{project_id}/annotations/add')).toEqual([]);
  });

  it('reports YAML that does not parse at its line, and still gives the operation', () => {
    const d = model.diagnostics.find((x) => x.code === 'docstring-yaml' && x.operation === 'GET /{project_id}/skeletons/broken-docs');
    expect(d).toMatchObject({ level: 'warning', file: 'django/applications/catmaid/control/skeleton.py', line: 81 });
    expect(op('GET', '/{project_id}/skeletons/broken-docs')).toMatchObject({ summary: 'Docs that do not parse.', documented: true });
  });

  it('turns the documented response type into a JSON schema, combined with what the code returns', () => {
    expect(op('GET', '/{project_id}/skeletons/').response).toEqual({
      format: 'json',
      schema: { type: 'array', items: { type: 'integer' } },
      evidence: [
        { source: 'code', file: 'django/applications/catmaid/control/skeleton.py', line: 50 },
        { source: 'docstring', file: 'django/applications/catmaid/control/skeleton.py', line: 25 },
      ],
    });
    expect(op('GET', '/{project_id}/annotations/').response?.schema).toEqual({
      type: 'object',
      properties: { annotations: { type: 'array', items: { type: 'object' } } },
      required: ['annotations'],
    });
  });

  it('tells file and JSON responses apart', () => {
    expect(op('POST', '/{project_id}/skeletons/by-bbox').response?.format).toBe('binary');
    expect(op('GET', '/{project_id}/annotations/safe').response?.format).toBe('json');
  });
});

describe('permissions', () => {
  it('reads requires_user_role with one role or a list, for any project, login_required, and method_decorator', () => {
    expect(op('GET', '/{project_id}/annotations/').permissions).toEqual([
      { kind: 'project-role', roles: ['Annotate', 'Browse'], decorator: 'catmaid.control.authentication.requires_user_role' },
    ]);
    expect(op('DELETE', '/{project_id}/annotations/forget').permissions).toEqual([
      { kind: 'any-project-role', roles: ['Admin'], decorator: 'catmaid.control.authentication.requires_user_role_for_any_project' },
    ]);
    expect(op('POST', '/{project_id}/annotations/import').permissions.map((p) => p.kind)).toEqual(['project-role', 'login']);
    expect(op('PUT', '/{project_id}/landmarks/').permissions).toEqual([
      { kind: 'project-role', roles: ['Annotate'], decorator: 'catmaid.control.authentication.requires_user_role' },
    ]);
  });
});

describe('writes', () => {
  it('is set where record_request_action wraps the view, for its method only', () => {
    expect(op('POST', '/{project_id}/annotations/add').writes).toBe(true);
    expect(op('POST', '/{project_id}/skeletons/import').writes).toBe(true);
    expect(op('POST', '/{project_id}/annotations/{annotation_id}/remove').writes).toBe(false);
  });
});

describe('operation ids', () => {
  const ids = model.routes.flatMap((r) => r.operations.map((o) => `${o.method} ${r.path} ${o.operationId}`));

  it('are unique', () => {
    const only = model.routes.flatMap((r) => r.operations.map((o) => o.operationId));
    expect(new Set(only).size).toBe(only.length);
  });

  it('follow the documented rule', () => {
    expect(ids).toEqual(
      expect.arrayContaining([
        'GET /{project_id}/skeletons/ listSkeletons',
        'GET /{project_id}/annotations/ listAnnotations',
        'POST /{project_id}/annotations/ listAnnotationsPost',
        'POST /{project_id}/annotations/add annotateEntities',
        'DELETE /{project_id}/annotations/forget forgetAnnotationsDelete',
        'GET /{project_id}/landmarks/ getLandmarkList',
        'PUT /{project_id}/landmarks/ putLandmarkList',
        'DELETE /{project_id}/landmarks/{landmark_id}/ deleteLandmarkDetail',
        'POST /{project_id}/skeletons/compact-detail compactDetail',
        'POST /{project_id}/skeletons/{skeleton_id}/compact-detail compactDetailBySkeletonId',
        'GET /dvid/{project_id}/stack/{stack_id}/tags dvidStackTags',
        'GET /{project_id}/common/stack-tags commonStackTags',
        'GET /{project_id}/stack/{stack_id}/tags stackStackTags',
        'POST /{project_id}/stack/{stack_id}/tags stackStackTagsPost',
      ]),
    );
  });
});

describe('documented responses against what the code returns', () => {
  const response = (method: string, path: string) => op(method, path).response!;

  it('types what the code returns where the docstring contradicts it, with a finding at the docstring', () => {
    expect(response('GET', '/{project_id}/reviewers/').schema).toEqual({ type: 'object', properties: { reviewers: { type: 'array', items: { type: 'integer' } } }, required: ['reviewers'] });
    const found = model.diagnostics.filter((d) => d.code === 'response-doc-mismatch').map((d) => `${d.line} ${d.operation}: ${d.message}`);
    expect(found).toEqual([
      '11 GET /{project_id}/reviewers/: the docstring documents an array of integer, but the code returns an object',
      '50 POST /{project_id}/skeletons/reviewed-near: the docstring documents a required key at /reached_limit, but the code returns a key some answers leave out',
    ]);
  });

  it('makes a documented key optional when a return leaves it out, and ignores error answers', () => {
    const r = response('POST', '/{project_id}/skeletons/reviewed-near');
    expect(r.schema).toMatchObject({ required: ['skeletons'], properties: { reached_limit: { type: 'boolean' } } });
  });

  it("reads a placeholder key ('{skeleton_id}') as keys that are data; the code's value type refines the documented union", () => {
    const r = response('POST', '/{project_id}/skeletons/review-status');
    expect(r.schema).toEqual({
      type: 'object',
      additionalProperties: { type: 'object', required: ['reviewed', 'total'], properties: { reviewed: { type: 'integer' }, total: { type: 'integer' } } },
    });
    expect(r.evidence!.map((e) => e.source)).toEqual(['code', 'docstring']);
  });
});

describe('parameters a view refuses to go without', () => {
  it("marks a read required when `if not x: raise` follows at the top of the body, not a boolean's, not one in a loop, not `is not None`", () => {
    const near = op('POST', '/{project_id}/skeletons/reviewed-near');
    expect(near.parameters.map((p) => `${p.name}${p.required ? '!' : ''}`)).toEqual(['project_id!', 'distance', 'extra_ids', 'reviewer_id', 'strict', 'treenode_id!']);
  });
});

describe('code that changes data', () => {
  it('finds model writes, SQL that changes tables and files opened for writing, per method branch', () => {
    expect(op('POST', '/{project_id}/user/reviewer-whitelist').changesData).toEqual({ evidence: 'ReviewerWhitelist.objects.filter(…).delete()', line: 96 });
    // A view without a method restriction that changes data is called with POST.
    expect(op('POST', '/{project_id}/reviews/cache').changesData).toEqual({ evidence: 'SQL DELETE', line: 103 });
  });

  it("does not take a Python set's add, dict.update, builtin set() or image.save(buffer, 'PNG') for a write", () => {
    expect(op('GET', '/{project_id}/user/reviewer-whitelist').changesData).toBeUndefined();
    expect(op('POST', '/{project_id}/skeletons/reviewed-near').changesData).toBeUndefined();
  });

  it('makes the SDK treat such an operation as a write (never retried)', () => {
    const route = model.routes.find((r) => r.path === '/{project_id}/reviews/cache')!;
    expect(operationSpec(route, route.operations[0]!).writes).toBe(true);
  });
});

describe('catmaid-codegen lint', () => {
  it('prints the drift findings per operation, grouped by file, with counts', () => {
    const result = runCli(['lint', '--source', fixtureSource('operations')]);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('django/applications/catmaid/control/review.py  (8 findings, 3 operations)');
    expect(lines).toContain('django/applications/catmaid/control/skeleton.py  (17 findings, 7 operations)');
    expect(lines).toContain('  GET /{project_id}/skeletons/');
    expect(lines).toContain("      115  param-undocumented       the code reads 'minx' from request.POST, the docstring does not document it");
    expect(lines[lines.length - 1]).toBe(
      '27 findings in 11 operations across 3 files: param-doc-unread 1, param-undocumented 19, param-location-mismatch 2, param-default-mismatch 0, param-required-mismatch 2, response-doc-mismatch 2, test-param-unknown 0, docstring-yaml 1',
    );
  });

  it('exits 1 with --strict when there are findings, 0 when there are none', () => {
    expect(runCli(['lint', '--source', fixtureSource('operations'), '--strict']).status).toBe(1);
    const clean = runCli(['lint', '--source', fixtureSource('era-2021-path'), '--strict']);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toBe(
      '0 findings in 0 operations across 0 files: param-doc-unread 0, param-undocumented 0, param-location-mismatch 0, param-default-mismatch 0, param-required-mismatch 0, response-doc-mismatch 0, test-param-unknown 0, docstring-yaml 0\n',
    );
  });
});

describe('reads with names the code computes', () => {
  it('expands a loop over a literal list of names, also through a local list', () => {
    expect(params(op('GET', '/{project_id}/skeletons/in-box'))).toEqual(['color:query:string I', 'label:query:string I', 'maxx:query:number I', 'minx:query:number I']);
  });

  it('adds up a dictionary alias assigned in request.method branches', () => {
    expect(params(op('POST', '/{project_id}/skeletons/in-box'))).toEqual(['color:form:string I', 'label:form:string I', 'maxx:form:number I', 'minx:form:number I']);
  });

  it('infers POST from a body whose keys cannot be named, and leaves a run-time content type unknown', () => {
    const exported = op('POST', '/{project_id}/skeletons/export.{extension}');
    expect(exported).toMatchObject({ methodSource: 'inferred', methodEvidence: 'reads request.POST' });
    expect(params(exported)).toEqual([]);
    expect(exported.response?.format).toBe('unknown');
  });
});
