/**
 * Bad input, one case each: a diagnostic with a stable code and a file:line, and the intact routes
 * still come out. The base tree is the `example` fixture, read into memory and broken one way per test.
 */
import { describe, expect, it } from 'vitest';
import { buildRouteModel } from '../generator/model/build.js';
import type { RouteModel } from '../generator/model/types.js';
import { fixtureModel, fixtureSource } from './helpers.js';
import { MemorySource } from './memory-source.js';

const base = MemorySource.fromDirectory(fixtureSource('example'));
const APP_URLS = 'django/applications/catmaid/urls.py';
const SKELETON = 'django/applications/catmaid/control/skeleton.py';
const text = (path: string) => base.read(path)!.toString('utf8');
/** The example's API test module that is broken on purpose; the cases here break other files. */
const BROKEN_TEST = 'django/applications/catmaid/tests/apis/test_stacks.py';
const codes = (m: RouteModel, code: string) => m.diagnostics.filter((d) => d.code === code && d.file !== BROKEN_TEST).map((d) => `${d.level} ${d.file}:${d.line}`);
const paths = (m: RouteModel) => new Set(m.routes.map((r) => r.path));
const intact = fixtureModel('example');

describe('bad input still gives a model', () => {
  it('a view module with a syntax error: the views in its intact parts are still found', () => {
    const broken = text(SKELETON).replace('def cable_length(request, project_id=None, skeleton_id=None):', 'def cable_length(request, project_id=None, skeleton_id=None:\n    )))');
    const m = buildRouteModel(base.with({ [SKELETON]: broken })).model;
    expect(codes(m, 'syntax-error')).toEqual([expect.stringMatching(new RegExp(`^warning ${SKELETON}:\\d+$`))]);
    const swc = m.routes.find((r) => r.path === '/{project_id}/skeleton/{skeleton_id}/swc')!;
    expect(swc.view).toMatchObject({ name: 'skeleton_swc', kind: 'function', file: SKELETON });
    expect(m.routes).toHaveLength(intact.routes.length);
  });

  it('a binary view module: an error, and the routes to it keep their views by name', () => {
    const m = buildRouteModel(base.with({ [SKELETON]: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]) })).model;
    expect(codes(m, 'unreadable-file')).toEqual([`error ${SKELETON}:null`]);
    expect(m.routes).toHaveLength(intact.routes.length);
    expect(m.routes.find((r) => r.path === '/{project_id}/skeletons/')!.view).toMatchObject({ name: 'list_skeletons', kind: 'unknown' });
  });

  it('a view module that is not UTF-8: a warning, and it is still read', () => {
    const latin1 = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\n'), base.read(SKELETON)!]);
    const m = buildRouteModel(base.with({ [SKELETON]: latin1 })).model;
    expect(codes(m, 'unreadable-file')).toEqual([`warning ${SKELETON}:null`]);
    expect(m.routes.find((r) => r.path === '/{project_id}/skeletons/')!.view).toMatchObject({ name: 'list_skeletons', kind: 'function' });
  });

  it('an empty app URLconf: a diagnostic, and the project URLconf’s own routes and mounts remain', () => {
    const m = buildRouteModel(base.with({ [APP_URLS]: '' })).model;
    expect(codes(m, 'urlconf-unevaluated')).toEqual([`error ${APP_URLS}:1`]);
    expect([...paths(m)].sort()).toEqual(['/api-token-auth/', '/apis/', '/static/{path}']);
    expect(m.mounts.map((x) => x.target)).toContain('allauth.urls');
  });

  it('a truncated app URLconf: the routes before the cut come out', () => {
    const full = text(APP_URLS);
    const cut = full.slice(0, full.indexOf("url(r'^(?P<project_id>\\d+)/annotations/add$'") + 30);
    const m = buildRouteModel(base.with({ [APP_URLS]: cut })).model;
    expect(codes(m, 'syntax-error')).toHaveLength(1);
    // The complete url() of the cut statement is kept too, with a warning.
    expect(m.diagnostics.filter((d) => d.code === 'urlconf-unevaluated').map((d) => d.message)).toEqual(['urlpatterns += … could not be parsed; 1 complete URL entry was kept']);
    for (const p of ['/', '/accounts/login', '/projects/', '/{project_id}/annotations/']) expect(paths(m).has(p)).toBe(true);
    expect(paths(m).has('/{project_id}/skeletons/')).toBe(false);
  });

  it('an include() cycle: an error at the include, and everything else', () => {
    const m = buildRouteModel(base.with({ [APP_URLS]: text(APP_URLS) + "\nfrom django.conf.urls import include\nurlpatterns += [url(r'^again/', include('mysite.urls'))]\n" })).model;
    expect(codes(m, 'include-cycle')).toEqual([expect.stringMatching(new RegExp(`^error ${APP_URLS}:\\d+$`))]);
    expect(m.routes).toHaveLength(intact.routes.length);
  });

  it('an include() of a module that does not exist', () => {
    const m = buildRouteModel(base.with({ [APP_URLS]: text(APP_URLS) + "\nfrom django.conf.urls import include\nurlpatterns += [url(r'^nowhere/', include('catmaid.nowhere'))]\n" })).model;
    expect(codes(m, 'include-not-found')).toHaveLength(1);
    expect(m.routes).toHaveLength(intact.routes.length);
  });

  it('a regex Python would reject', () => {
    const m = buildRouteModel(base.with({ [APP_URLS]: text(APP_URLS).replace("r'^projects/$'", () => "r'^projects/(?P<x$'") })).model;
    expect(codes(m, 'invalid-regex')).toHaveLength(1);
    expect(m.routes).toHaveLength(intact.routes.length);
    expect(m.routes.filter((r) => r.problem?.startsWith('invalid regex'))).toHaveLength(1);
  });

  it('a view name that resolves to nothing', () => {
    const m = buildRouteModel(base.with({ [APP_URLS]: text(APP_URLS).replace('skeleton.cable_length)', 'skeleton.no_such_view)') })).model;
    expect(codes(m, 'view-not-found')).toHaveLength(1);
    expect(m.routes.find((r) => r.path === '/{project_id}/skeletons/{skeleton_id}/cable-length')!.view).toMatchObject({ name: 'no_such_view', kind: 'unknown' });
  });

  it('a docstring whose YAML is not YAML: the operation still comes out, documented', () => {
    const broken = text(SKELETON).replace('      - name: created_by\n', '      - name: created_by\n     : [unclosed\n');
    const m = buildRouteModel(base.with({ [SKELETON]: broken })).model;
    expect(codes(m, 'docstring-yaml')).toEqual([expect.stringMatching(new RegExp(`^warning ${SKELETON}:\\d+$`))]);
    const op = m.routes.find((r) => r.path === '/{project_id}/skeletons/')!.operations[0]!;
    expect(op).toMatchObject({ method: 'GET', documented: true, summary: 'List skeletons matching filtering criteria.' });
  });

  it('views of one name in sub-packages get their package in the id, so ids stay unique', () => {
    const other = 'django/applications/catmaid/control/other/skeleton.py';
    const m = buildRouteModel(
      base.with({
        'django/applications/catmaid/control/other/__init__.py': '',
        [other]: 'from django.http import JsonResponse\n\n\ndef cable_length(request, project_id):\n    return JsonResponse({})\n',
        [APP_URLS]: text(APP_URLS).replace('from catmaid.history', 'from catmaid.control.other import skeleton as other_skeleton\nfrom catmaid.history') + "\nurlpatterns += [url(r'^(?P<project_id>\\d+)/other/cable-length$', other_skeleton.cable_length)]\n",
      }),
    ).model;
    const ids = m.routes.flatMap((r) => r.operations.map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => /CableLength$|^cableLength$/i.test(id)).sort()).toEqual(['cableLength', 'otherCableLength']);
  });

  it('a duplicate operation id that qualifying cannot separate: numbered, with a diagnostic', () => {
    const a = 'django/applications/catmaid/control/common.py';
    const b = 'django/applications/catmaid/common.py';
    const view = 'from django.http import JsonResponse\n\n\ndef listing(request):\n    return JsonResponse([], safe=False)\n';
    const urls = text(APP_URLS).replace('from catmaid.history', 'from catmaid.control import common as control_common\nfrom catmaid import common\nfrom catmaid.history') +
      "\nurlpatterns += [url(r'^x/$', control_common.listing), url(r'^x/x/$', common.listing)]\n";
    const m = buildRouteModel(base.with({ [a]: view, [b]: view, [APP_URLS]: urls })).model;
    const ids = m.routes.flatMap((r) => r.operations.map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('commonListing')).sort()).toEqual(['commonListing', 'commonListing2']);
    expect(codes(m, 'operation-id-collision')).toEqual([expect.stringMatching(new RegExp(`^info ${APP_URLS}:\\d+$`))]);
  });

  it('a class view without handlers, wrapped in api_view() in the URLconf (found by fuzzing)', () => {
    const views = 'django/applications/catmaid/control/empty.py';
    const m = buildRouteModel(
      base.with({
        [views]: 'from rest_framework.views import APIView\n\n\nclass Empty(APIView):\n    pass\n',
        [APP_URLS]: text(APP_URLS).replace('from catmaid.history', 'from catmaid.control import empty\nfrom catmaid.history') + "\nurlpatterns += [url(r'^empty/$', api_view(['POST'])(empty.Empty.as_view()))]\n",
      }),
    ).model;
    expect(codes(m, 'view-without-methods')).toHaveLength(1);
    expect(m.routes.find((r) => r.path === '/empty/')!.operations.map((o) => [o.method, o.methodEvidence])).toEqual([['POST', 'api_view(["POST"]) in the URLconf']]);
  });
});
