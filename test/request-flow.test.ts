/**
 * The `wire-patterns` fixture: each way a CATMAID view reads its request, or answers methods, that
 * a client must know to send the right thing. Names from loops over literal dicts and module-level
 * tuples, keys matched by prefix (also in a helper handed `request.POST`), the request handed on
 * through `*args`/`**kwargs`, by keyword and to helpers of other modules several calls deep (a
 * cycle included), guards that make values required, accepted methods and the SDK's methods,
 * docstrings checked against the code, and pages.
 */
import { describe, expect, it } from 'vitest';
import type { Operation, Parameter } from '../generator/model/types.js';
import { fixtureModel } from './helpers.js';

const model = fixtureModel('wire-patterns');
const route = (path: string) => model.routes.find((r) => r.path === path)!;
const op = (method: string, path: string): Operation => {
  const found = route(path)?.operations.find((o) => o.method === method);
  if (!found) throw new Error(`no ${method} ${path}`);
  return found;
};
const param = (o: Operation, name: string): Parameter => o.parameters.find((p) => p.name === name)!;
/** `name:in:type[<items>][!][=default]` for every non-path parameter. */
const params = (o: Operation) =>
  o.parameters
    .filter((p) => p.in !== 'path')
    .map((p) => `${p.name}:${p.in}:${p.type}${p.items ? `<${p.items.type}>` : ''}${p.required ? '!' : ''}${p.default !== undefined ? `=${JSON.stringify(p.default)}` : ''}`);
const drift = (code: string, operation: string) => model.diagnostics.filter((d) => d.code === code && d.operation === operation).map((d) => d.message);

describe('names from loops over literal collections', () => {
  it("reads every key of `for p in float_values.keys(): request.POST.get(p, float_values[p])`, each with its own default and the loop's conversion", () => {
    expect(params(op('POST', '/{project_id}/node/create'))).toEqual([
      'confidence:form:integer=0',
      'parent_id:form:integer=-1',
      'radius:form:number=0',
      'x:form:number=0',
      'y:form:number=0',
      'z:form:number=0',
    ]);
    expect(param(op('POST', '/{project_id}/node/create'), 'x').evidence).toEqual([
      { kind: 'read', text: 'request.POST.get(p, float_values[p]) (loop over float_values.keys())', file: 'django/applications/catmaid/control/node.py', line: 23 },
    ]);
  });

  it('takes the default from the value of `for name, fallback in defaults.items()`', () => {
    // False stands for "not given": what arrives is text, and 'false' is truthy to the view.
    expect(params(op('POST', '/{project_id}/textlabel/update'))).toEqual(['font_size:form:integer=32', 'scaling:form:string', 'text:form:string="Edit this text…"']);
  });

  it('reads a module-level tuple the loop runs over, required through the subscript', () => {
    expect(params(op('POST', '/{project_id}/node/move'))).toEqual(['node_id:form:integer!', 'x:form:number!', 'y:form:number!', 'z:form:number!']);
  });
});

describe('names matched by prefix', () => {
  it('reads `int(v) for k, v in request.POST.items() if k.startswith(\'sources[\')` as an indexed list of integers, required by the guard that follows', () => {
    const paths = op('POST', '/{project_id}/graph/paths');
    expect(params(paths)).toEqual(['sources:form:array<integer>!', 'targets:form:array<number>!']);
    expect(param(paths, 'sources').style).toBe('indexed');
    expect(param(paths, 'sources').evidence.map((e) => e.kind)).toEqual(['read', 'guard']);
  });

  it("reads a prefix that opens two indexes as a list of lists, also tested as `'cells[0][0]' in request.POST`", () => {
    expect(params(op('POST', '/{project_id}/graph/grid'))).toEqual(['cells:form:array<array>']);
  });

  it('follows a dict handed to a helper that matches keys by prefix, and does not call a documented parameter unread', () => {
    const query = op('POST', '/{project_id}/labels/query');
    expect(params(query)).toEqual(['skip_empty:form:boolean=false', 'with_label:form:string', 'without_label:form:string']);
    expect(param(query, 'with_label')).toMatchObject({ documented: true, inferred: true });
    expect(param(query, 'with_label').evidence[0]).toMatchObject({ kind: 'read', file: 'django/applications/catmaid/control/label.py', line: 15 });
    expect(drift('param-doc-unread', 'POST /{project_id}/labels/query')).toEqual([]);
  });
});

describe('the request handed on', () => {
  it('follows `skeleton_swc(*args, **kwargs)` into the function it forwards to, and answers what that returns', () => {
    const swc = op('GET', '/{project_id}/skeleton/{skeleton_id}/swc');
    expect(params(swc)).toEqual(['linearize_ids:query:boolean=false', 'soma_markers:query:array<string>=[]']);
    expect(swc.response).toMatchObject({ format: 'text', contentType: 'text/plain' });
    expect(param(swc, 'linearize_ids').evidence[0]!.text).toMatch(/ in export_skeleton_response$/);
  });

  it('follows a keyword argument into a helper of another module, two calls deep', () => {
    const summary = op('GET', '/{project_id}/skeleton/{skeleton_id}/summary');
    expect(params(summary)).toEqual(['node_ids:query:array<integer>=[]', 'with_tags:query:boolean=false']);
    expect(param(summary, 'node_ids').evidence[0]).toMatchObject({ file: 'django/applications/catmaid/control/tree.py', text: expect.stringMatching(/ in tree\.node_filters$/) });
  });

  it('stops at a cycle of helpers calling each other, having read each once', () => {
    const cycle = op('GET', '/{project_id}/skeleton/{skeleton_id}/cycle');
    expect(params(cycle)).toEqual(['node_ids:query:array<integer>=[]', 'with_tags:query:boolean=false']);
    expect(param(cycle, 'node_ids').evidence[0]!.text).toMatch(/ in tree\.tree_options → node_filters$/);
  });
});

describe('guards that make a value required', () => {
  it('`if None in (x, y, z): raise`', () => {
    const intersect = op('GET', '/{project_id}/volumes/{volume_id}/intersect');
    expect(params(intersect)).toEqual(['x:query:string!', 'y:query:string!', 'z:query:string!']);
    expect(param(intersect, 'x').evidence[1]).toEqual({ kind: 'guard', text: 'if None in (x, y, z): raise', file: 'django/applications/catmaid/control/volume.py', line: 13 });
  });

  it('a read handed at the top to a function that refuses to go without it, two calls deep', () => {
    const del = op('POST', '/{project_id}/node/delete');
    expect(params(del)).toEqual(['node_id:form:integer=0', 'state:form:string!']);
    expect(param(del, 'state').evidence[1]).toEqual({ kind: 'guard', text: 'if not state: raise in state.validate_state → parse_state', file: 'django/applications/catmaid/state.py', line: 7 });
  });

  it('`if len(sources) < 1: raise`, and int() of a read with nothing to fall back to', () => {
    expect(params(op('POST', '/{project_id}/graph/neighbours'))).toEqual(['sources:form:array<integer>!']);
    expect(params(op('POST', '/{project_id}/graph/neuroml'))).toEqual(['mode:form:integer!']);
    expect(param(op('POST', '/{project_id}/graph/neuroml'), 'mode').evidence).toContainEqual({ kind: 'conversion', text: "int(request.POST.get('mode'))", file: 'django/applications/catmaid/control/graph.py', line: 39 });
  });

  it('`if not all((start, end)): raise` and `if step is None or unit is None: raise`', () => {
    expect(params(op('GET', '/{project_id}/volumes/between'))).toEqual(['end:query:string!', 'start:query:string!', 'step:query:string!', 'unit:query:string!']);
  });
});

describe('methods as Django answers them', () => {
  it('says a function view without a restriction accepts any method, and a decorated one only its own', () => {
    expect(op('POST', '/{project_id}/node/create').accepts).toEqual({
      methods: 'any',
      evidence: [{ kind: 'no-restriction', text: expect.stringContaining('no @require_http_methods'), file: 'django/applications/catmaid/control/node.py', line: 12 }],
    });
    expect(op('POST', '/{project_id}/labels/query').accepts.methods).toEqual(['POST', 'OPTIONS']);
    expect(op('GET', '/about').accepts.methods).toEqual(['GET', 'HEAD', 'OPTIONS']);
  });

  it('calls a view that reads nothing but changes data with POST, saying where', () => {
    const clear = op('POST', '/{project_id}/labels/clear');
    expect(clear).toMatchObject({ methodSource: 'inferred', methodEvidence: 'changes data: Label.objects.filter(…).delete()' });
    expect(clear.methodBasis).toEqual([{ kind: 'data-change', text: 'Label.objects.filter(…).delete()', file: 'django/applications/catmaid/control/label.py', line: 47 }]);
  });

  it('does not take a helper of the tree named for a write for one when its code changes nothing', () => {
    expect(route('/{project_id}/labels/catalogue').operations.map((o) => [o.method, o.changesData])).toEqual([['GET', undefined]]);
  });

  it('gives both sides of `request.POST if request.method == \'POST\' else request.GET` an operation', () => {
    expect(route('/{project_id}/labels/').operations.map((o) => o.method)).toEqual(['GET', 'POST']);
    expect(params(op('GET', '/{project_id}/labels/'))).toEqual(['name:query:string=""']);
    expect(params(op('POST', '/{project_id}/labels/'))).toEqual(['name:form:string=""']);
  });

  it('gives `if request.method == \'POST\': … else: …` both operations (a login view answers GET too)', () => {
    const login = route('/accounts/login').operations;
    expect(login.map((o) => [o.method, o.methodEvidence])).toEqual([
      ['GET', 'reads no request parameters'],
      ['POST', "request.method == 'POST'"],
    ]);
    expect(params(login[1]!)).toEqual(['name:form:number=0', 'pwd:form:number=0']);
  });

  it('calls a view that logs out, or queues a Celery task, with POST', () => {
    expect(op('POST', '/accounts/logout').changesData).toEqual({ evidence: 'logout() (the session)', line: 24 });
    expect(op('POST', '/{project_id}/graph/recompute').changesData).toEqual({ evidence: 'compute_graph.delay() (a queued task)', line: 46 });
  });

  it("keeps only GET for `if request.method != 'GET': return …`", () => {
    expect(route('/{project_id}/labels/only-get').operations.map((o) => o.method)).toEqual(['GET']);
  });
});

describe('docs checked against the code', () => {
  it('types documented defaults by the schema, and reports one that is not of the type', () => {
    // `title` is read from request.data after the GET branch: a POST parameter only.
    expect(params(op('GET', '/{project_id}/volumes/'))).toEqual(['limit:query:integer=0', 'offset:query:integer', 'with_meshes:query:boolean=false']);
    expect(params(op('POST', '/{project_id}/volumes/'))).toEqual(['offset:form:integer', 'title:form:string']);
    expect(drift('param-default-mismatch', 'GET /{project_id}/volumes/')).toEqual(["'offset' is documented with defaultValue true, which is not an integer"]);
  });

  it('reports a documented default the code contradicts, and keeps what the server does', () => {
    expect(drift('param-default-mismatch', 'POST /{project_id}/labels/query')).toEqual(["'skip_empty' is documented to default to true, but the code falls back to false"]);
    expect(param(op('POST', '/{project_id}/labels/query'), 'skip_empty').default).toBe(false);
  });

  it('makes a documented required parameter optional where the code falls back to a default, and says why', () => {
    expect(param(op('POST', '/{project_id}/volumes/add'), 'comment')).toMatchObject({ required: false, default: '' });
    expect(drift('param-required-mismatch', 'POST /{project_id}/volumes/add')).toEqual([
      "'comment' is documented as required, but the code falls back to \"\" without it (request.data.get('comment', '')): not required",
    ]);
  });

  it("puts a documented parameter without paramType where the view reads its body, without a location finding", () => {
    expect(param(op('POST', '/{project_id}/volumes/add'), 'type').in).toBe('form');
    expect(param(op('POST', '/{project_id}/volumes/'), 'offset').in).toBe('form');
    expect(drift('param-location-mismatch', 'POST /{project_id}/volumes/add')).toEqual([]);
  });
});

describe('what cannot be followed', () => {
  it("does not call a documented parameter unread, nor make it optional, where request.data goes into a class", () => {
    expect(params(op('POST', '/{project_id}/volumes/import'))).toEqual(['title:form:string!']);
    expect(drift('param-doc-unread', 'POST /{project_id}/volumes/import')).toEqual([]);
  });

  it("knows what REST framework's ObtainAuthToken reads", () => {
    expect(params(op('POST', '/api-token-auth/'))).toEqual(['password:form:string!', 'username:form:string!']);
    expect(param(op('POST', '/api-token-auth/'), 'username').evidence).toEqual([{ kind: 'serializer', text: 'rest_framework.authtoken.serializers.AuthTokenSerializer', file: null, line: null }]);
  });
});

describe('answers', () => {
  it('types a view that renders a template, and a TemplateView, as HTML', () => {
    expect(op('GET', '/page').response).toMatchObject({ format: 'html' });
    expect(op('GET', '/about').response).toMatchObject({ format: 'html' });
  });

  it('leaves the answer unknown where a content type is set at run time beside an HTML error branch', () => {
    expect(op('GET', '/{project_id}/graph/download/{name}').response).toEqual({ format: 'unknown' });
  });

  it('reads a response set up in a variable, then returned', () => {
    expect(op('POST', '/{project_id}/graph/neuroml').response).toMatchObject({ format: 'text', contentType: 'text/xml' });
  });
});
