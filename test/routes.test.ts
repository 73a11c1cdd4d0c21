/**
 * What the route model says about each Django/CATMAID construct, asserted on the hand-written
 * fixture trees (one per era of CATMAID's URLconf style, plus bad input).
 */
import { describe, expect, it } from 'vitest';
import { fixtureModel, routeAt, routesAt } from './helpers.js';

const qualified = (r: { view: { module: string; name: string } | null }) => (r.view ? `${r.view.module}.${r.view.name}` : null);

describe('2015 era: patterns() with string views', () => {
  const model = fixtureModel('era-2015-patterns');

  it('resolves string views against the patterns() prefix to their definitions', () => {
    const login = routeAt(model, '/accounts/login');
    expect(login.view).toEqual({
      module: 'catmaid.control.authentication',
      name: 'login_user',
      kind: 'function',
      file: 'django/applications/catmaid/control/authentication.py',
      line: 6,
    });
    expect(login.regex).toBe('^accounts/login$');
  });

  it('reads Python 2 view modules (print statements, except E, e:)', () => {
    expect(routeAt(model, '/{project_id}/skeleton/split').view?.line).toBe(13);
    expect(routeAt(model, '/accounts/{project_id}/all-usernames').view?.kind).toBe('function');
  });

  it('follows implicit relative star imports of Python 2 packages', () => {
    expect(qualified(routeAt(model, '/neuronbrowser/{project_id}/view/{neuron_id}'))).toBe('neuronbrowser.views.views.view');
  });

  it('joins the include prefix and drops the inner ^', () => {
    expect(routeAt(model, '/neuronbrowser/{project_id}').regex).toBe('^neuronbrowser/(?P<project_id>\\d+)$');
  });

  it('builds regexes from module constants with % and .format()', () => {
    const crop = routeAt(model, '/{project_id}/stack/{stack_ids}/crop/{x_min},{x_max}/{zoom_level}/{single_channel}/');
    expect(crop.pathParams.map((p) => [p.name, p.type, p.items ?? p.enum ?? null])).toEqual([
      ['project_id', 'integer', null],
      ['stack_ids', 'array', 'integer'],
      ['x_min', 'number', null],
      ['x_max', 'number', null],
      ['zoom_level', 'integer', null],
      ['single_channel', 'string', null],
    ]);
    const exported = routeAt(model, '/classification/{workspace_pid}/export/excludetags/{exclusion_tags}/');
    expect(exported.pathParams[1]).toMatchObject({ name: 'exclusion_tags', type: 'array', items: 'string' });
    expect(exported.urlName).toBe('export_classification');
    expect(routeAt(model, '/{project_id}/ontology/list').regex).toBe('^(?P<project_id>[-+]?[0-9]+)/ontology/list$');
  });

  it('types alternations of literals as enums', () => {
    expect(routeAt(model, '/log/{level}').pathParams).toEqual([{ name: 'level', type: 'string', enum: ['info', 'error', 'debug'], pattern: '(info|error|debug)' }]);
  });

  it('lists the paths Django matches for optional groups', () => {
    const index = routesAt(model, '/neuronbrowser/{project_id}/index')[0]!;
    expect(index.variants).toEqual([
      '/neuronbrowser/{project_id}/index',
      '/neuronbrowser/{project_id}/index/page/{page}',
      '/neuronbrowser/{project_id}/index/find/{search}',
      '/neuronbrowser/{project_id}/index/find/{search}/page/{page}',
    ]);
    expect(index.pathParams.filter((p) => p.optional).map((p) => p.name)).toEqual(['search', 'page']);
  });

  it('marks patterns without $ as prefix-matching', () => {
    expect(routeAt(model, '/{project_id}/skeletongroup/all_shared_connectors').prefixMatch).toBe(true);
    expect(routeAt(model, '/{project_id}/skeleton/split').prefixMatch).toBe(false);
  });

  it('keeps Django views and default kwargs, and as_view() of external classes', () => {
    const pw = routeAt(model, '/user/password_change/');
    expect(pw.view).toMatchObject({ module: 'django.contrib.auth.views', name: 'password_change', external: true, file: null });
    expect(pw.defaults).toEqual({ post_change_redirect: '/' });
    expect(routeAt(model, '/{project_id}/stats').view).toMatchObject({ name: 'TemplateView', kind: 'class', initkwargs: { template_name: 'catmaid/projectstatistics.html' } });
  });

  it('keeps DEBUG-only routes, marked conditional; a settings-built regex stays without a path', () => {
    expect(routeAt(model, '/static/{path}').conditional).toBe('settings.DEBUG');
    const media = model.routes.filter((r) => r.path === null);
    expect(media).toHaveLength(1);
    expect(media[0]).toMatchObject({ conditional: 'settings.DEBUG', regex: null });
    expect(media[0]!.dynamic).toMatch(/settings\.MEDIA_URL/);
    expect(model.diagnostics.filter((d) => d.code === 'dynamic-regex').map((d) => d.line)).toEqual([32]);
  });

  it('lists the admin site as a mount, not expanded', () => {
    expect(model.mounts).toEqual([
      expect.objectContaining({ path: '/admin/', regex: '^admin/', target: 'django.contrib.admin.site.urls' }),
    ]);
  });

  it('is project-scoped exactly where the path captures project_id', () => {
    for (const r of model.routes) expect(r.projectScoped).toBe(r.pathParams.some((p) => p.name === 'project_id'));
    expect(model.routes.filter((r) => r.projectScoped)).toHaveLength(13);
  });
});

describe('2018 era: url() with module references', () => {
  const model = fixtureModel('era-2018-url-modules');

  it('resolves aliased module imports', () => {
    expect(qualified(routeAt(model, '/{project_id}/annotations/add'))).toBe('catmaid.control.neuron_annotations.annotate_entities');
    expect(qualified(routeAt(model, '/dvid/projects/'))).toBe('catmaid.control.dvid.project.projects');
  });

  it('records wrappers with their arguments, outermost first', () => {
    expect(routeAt(model, '/{project_id}/treenodes/{treenode_id}/suppressed-virtual/').wrappers).toEqual([
      { name: 'catmaid.history.record_request_action', args: ['treenodes.suppress_virtual_node', 'POST'] },
    ]);
    expect(routeAt(model, '/{project_id}/nodes/').wrappers).toEqual([{ name: 'rest_framework.decorators.api_view', args: [['POST']] }]);
    expect(routeAt(model, '/').wrappers).toEqual([{ name: 'django.views.decorators.csrf.ensure_csrf_cookie', args: [] }]);
  });

  it('resolves as_view() to the class with its initkwargs', () => {
    expect(routeAt(model, '/tests').view).toMatchObject({ module: 'catmaid.views', name: 'CatmaidView', kind: 'class', initkwargs: { template_name: 'catmaid/tests.html' } });
    expect(routeAt(model, '/apis/').view).toMatchObject({ module: 'custom_swagger_schema', kind: 'class', file: 'django/lib/custom_swagger_schema.py' });
  });

  it('follows a name a view module imports from another module', () => {
    expect(routeAt(model, '/{project_id}/skeleton/{skeleton_id}/statistics').view).toMatchObject({
      module: 'catmaid.control.skeleton_statistics',
      file: 'django/applications/catmaid/control/skeleton_statistics.py',
    });
  });

  it('keeps the front-end test route, conditional on its setting, with its url name and namespace', () => {
    expect(routeAt(model, '/tests')).toMatchObject({ conditional: 'settings.FRONT_END_TESTS_ENABLED', urlName: 'frontend_tests', namespace: 'catmaid' });
  });

  it('evaluates the static helper defined under the settings condition', () => {
    expect(routeAt(model, '/static/{path}')).toMatchObject({ regex: '^static/(?P<path>.*)$', conditional: 'settings.DEBUG or settings.SERVE_STATIC', defaults: { document_root: null } });
  });

  it('lists the extension loop as a dynamic mount', () => {
    expect(model.mounts.find((m) => m.target === '{extension}.urls')).toMatchObject({
      path: '/ext/{extension}/',
      regex: null,
      loops: ['for extension in settings.INSTALLED_EXTENSIONS'],
    });
  });

  it('marks the second route with an already served regex as shadowed', () => {
    const [first, second] = routesAt(model, '/{project_id}/interpolatable-sections/').sort((a, b) => a.order - b.order);
    expect(first!.shadowedBy).toBeUndefined();
    expect(second!.shadowedBy).toBe(first!.order);
    expect(model.diagnostics.filter((d) => d.code === 'route-shadowed')).toHaveLength(1);
  });

  it('keeps a literal dot escaped in the regex and plain in the template', () => {
    expect(routeAt(model, '/{project_id}/volumes/{volume_id}/export.{extension}')).toMatchObject({ prefixMatch: true, regex: '^(?P<project_id>\\d+)/volumes/(?P<volume_id>\\d+)/export\\.(?P<extension>\\w+)' });
  });
});

describe('2021 era: path(), re_path(), f-strings and wrappers', () => {
  const model = fixtureModel('era-2021-path');

  it('compiles path() routes with converters like Django 3.2', () => {
    expect(routeAt(model, '/activate/{uidb64}/{token}/')).toMatchObject({ regex: '^activate/(?P<uidb64>[^/]+)/(?P<token>[^/]+)/\\Z', patternType: 'route', urlName: 'activate' });
    expect(routeAt(model, '/accounts/{user_id}/{action}').pathParams.map((p) => [p.name, p.type, p.pattern])).toEqual([
      ['user_id', 'integer', '[0-9]+'],
      ['action', 'string', '[-a-zA-Z0-9_]+'],
    ]);
    expect(routeAt(model, '/files/{file_path}').pathParams[0]).toMatchObject({ type: 'string', pattern: '.+' });
  });

  it('evaluates rf-strings, f-strings and + concatenation of constants', () => {
    expect(routeAt(model, '/{project_id}/links/{alias}').regex).toBe('^(?P<project_id>[-+]?[0-9]+)/links/(?P<alias>[0-9A-Za-z_\\-]+)$');
    expect(routeAt(model, '/{project_id}/pointsets/{pointset_id}/').regex).toBe('^(?P<project_id>[-+]?[0-9]+)/pointsets/(?P<pointset_id>\\d+)/$');
    expect(routeAt(model, '/{project_id}/points/at/{x}').variants).toEqual(['/{project_id}/points/at/{x}', '/{project_id}/points/at/{x}/']);
  });

  it('resolves views in submodules, in the URLconf itself, and view factories', () => {
    expect(qualified(routeAt(model, '/{project_id}/skeleton/{skeleton_id}/nrrd'))).toBe('catmaid.control.nat.r.export_nrrd');
    expect(routeAt(model, '/ping').view).toMatchObject({ module: 'catmaid.urls', name: 'ping', file: 'django/applications/catmaid/urls.py', line: 22 });
    expect(routeAt(model, '/apis/').view).toMatchObject({ module: 'rest_framework_swagger.views', name: 'get_swagger_view', factoryCall: true, external: true });
  });

  it('expands an inline include() under its prefix and namespace', () => {
    expect(routeAt(model, '/{project_id}/skeleton-groups/{group_id}/')).toMatchObject({
      regex: '^(?P<project_id>[0-9]+)/skeleton\\-groups/(?P<group_id>[0-9]+)/\\Z',
      namespace: 'groups',
    });
  });

  it('keeps routes added with urlpatterns.append()', () => {
    expect(qualified(routeAt(model, '/{project_id}/skeletons/summary'))).toBe('catmaid.control.skeleton.summary');
  });

  it('lists allauth and admin as mounts', () => {
    expect(model.mounts.map((m) => [m.path, m.target])).toEqual([
      ['/accounts/', 'allauth.urls'],
      ['/admin/', 'django.contrib.admin.site.urls'],
    ]);
    expect(model.diagnostics).toEqual([]);
  });
});

describe('bad input: each problem is a diagnostic and the rest still comes out', () => {
  const model = fixtureModel('bad-input');
  const codes = (code: string) => model.diagnostics.filter((d) => d.code === code).map((d) => `${d.file?.split('/').pop()}:${d.line}`);

  it('keeps the routes around a syntax error in urls.py', () => {
    expect(codes('syntax-error')).toEqual(['urls.py:26']);
    expect(qualified(routeAt(model, '/{project_id}/node/get'))).toBe('catmaid.control.node.node_get');
    expect(qualified(routeAt(model, '/{project_id}/node/{node_id}/info'))).toBe('catmaid.control.node.node_info');
    expect(qualified(routeAt(model, '/{project_id}/skeletons/'))).toBe('catmaid.control.skeleton.list_skeletons');
  });

  it('reports regexes Python rejects and keeps the routes without a path', () => {
    expect(codes('invalid-regex')).toEqual(['urls.py:12', 'urls.py:13']);
    const invalid = model.routes.filter((r) => r.problem?.startsWith('invalid regex'));
    expect(invalid).toHaveLength(2);
    expect(invalid.every((r) => r.path === null && r.regex === null && r.view?.name === 'node_list')).toBe(true);
  });

  it('reports missing view modules, undefined views and unbound names', () => {
    expect(codes('module-not-found')).toEqual(['urls.py:18']);
    expect(codes('view-not-found')).toEqual(['urls.py:19', 'urls.py:20']);
    expect(routeAt(model, '/{project_id}/gone').view).toMatchObject({ kind: 'unknown', file: null });
  });

  it('reports an include of a missing module and an include cycle', () => {
    expect(codes('include-not-found')).toEqual(['urls.py:6']);
    expect(codes('include-cycle')).toEqual(['loop_urls.py:4']);
    expect(model.mounts.map((m) => m.target)).toEqual(['catmaid.missing_urls']);
  });

  it('reports what cannot be evaluated statically, and a file that is not UTF-8', () => {
    expect(codes('urlconf-unevaluated')).toEqual(['urls.py:26', 'urls.py:34']);
    expect(codes('unreadable-file')).toEqual(['skeleton.py:null']);
  });
});
