/**
 * Unit tests of the API test reader (generator/parse/api-tests.ts, with py-expr.ts) and of the
 * route matching of recorded answers (generator/model/answers.ts): the example fixture's
 * `tests/apis/` modules, read whole and asserted exactly, then small test modules written inline
 * for one construct each. Test modules are written in CATMAID's style; none is CATMAID's.
 */
import { describe, expect, it } from 'vitest';
import { DiagnosticBag } from '../generator/diagnostics.js';
import { knowsBody, matchAnswer, unmatchedAnswers, type RecordedAnswer } from '../generator/model/answers.js';
import { buildRouteModel } from '../generator/model/build.js';
import type { Route } from '../generator/model/types.js';
import { API_TESTS_DIR, LEGACY_API_TESTS, MAX_LITERAL_DEPTH, readApiTests } from '../generator/parse/api-tests.js';
import { decodeSource, parsePython } from '../generator/parse/parser.js';
import { HOLE, parseExpression, Unsupported, type Expr } from '../generator/parse/py-expr.js';
import { openSource } from '../generator/source/open.js';
import { fixtureModel, fixtureSource, py } from './helpers.js';
import { MemorySource } from './memory-source.js';

const FILE = `${API_TESTS_DIR}test_x.py`;


/** A test module's source: `body` is the body of one test method (from line 7) of a class whose `self.test_project_id` is 3. */
function method(body: string): string {
  const indented = body
    .replace(/^\n/, '')
    .split('\n')
    .map((l) => (l.trim() ? '        ' + l : l))
    .join('\n');
  return `import json\n\nclass T(TestCase):\n    def setUp(self):\n        self.test_project_id = 3\n    def test_it(self):\n${indented}\n`;
}

function read(files: Record<string, string>) {
  const tree = new MemorySource(files);
  const diagnostics = new DiagnosticBag();
  const answers = readApiTests(tree, (f) => parsePython(f, decodeSource(tree.read(f)!).text!), diagnostics);
  return { answers, diagnostics: diagnostics.sorted() };
}

/** The answers of one test module, without the fields every answer of it shares. */
function answersOf(source: string): Array<Partial<RecordedAnswer>> {
  return read({ [FILE]: source }).answers.map(({ source: _s, file: _f, ...rest }) => rest);
}

const lineOf = (source: string, marker: string) => source.split('\n').findIndex((l) => l.includes(marker)) + 1;

describe('the example fixture', () => {
  const tree = openSource({ source: fixtureSource('example') });
  const diagnostics = new DiagnosticBag();
  const answers = readApiTests(tree, (f) => parsePython(f, decodeSource(tree.read(f)!).text!), diagnostics);
  const skeletons = `${API_TESTS_DIR}test_skeletons.py`;
  const treenodes = `${API_TESTS_DIR}test_treenodes.py`;
  const stacks = `${API_TESTS_DIR}test_stacks.py`;

  it('records every request with what its answer is compared with', () => {
    expect(answers).toEqual([
      // f-string URL with self.test_project_id (set by the base class in setUpTestData), assertCountEqual
      { source: 'test', method: 'GET', path: '/3/skeletons/', params: ['created_by', 'from'], body: [235, 373], unordered: true, status: 200, file: skeletons, line: 15 },
      // % URL, a part compared, status from assertEqual(response.status_code, 200)
      { source: 'test', method: 'GET', path: '/3/skeletons/235/cable-length', params: [], body: 1024.5, at: ['cable_length'], status: 200, file: skeletons, line: 24 },
      // .format URL held in a variable, expected_result compared whole
      { source: 'test', method: 'GET', path: '/3/skeletons/373/root', params: [], body: { root_id: 377, x: 7620, y: 2890, z: 0 }, status: 200, file: skeletons, line: 33 },
      // a URL built with +, a literal with a part known only at run time; no status asserted
      { source: 'test', method: 'GET', path: '/3/skeleton/235/neuronname', params: [], body: { neuronname: 'branched neuron', neuronid: null }, unknown: ['/neuronid'], file: skeletons, line: 48 },
      // a dict URL argument, a key set after the literal, assertDictEqual
      { source: 'test', method: 'POST', path: '/3/skeleton/split', params: ['treenode_id', 'upstream_annotation_map'], body: { existing_skeleton_id: 2388, new_skeleton_id: 2390 }, status: 200, file: skeletons, line: 58 },
      // only a status
      { source: 'test', method: 'GET', path: '/3/skeletons/99999/summary', params: [], body: null, unknown: [''], status: 403, file: skeletons, line: 70 },
      // a path no route matches
      { source: 'test', method: 'GET', path: '/3/skeletons/235/gone', params: [], body: null, unknown: [''], status: 400, file: skeletons, line: 75 },
      // the intact test of a module with a syntax error
      { source: 'test', method: 'GET', path: '/3/stack/3/info', params: [], body: 'Focussed Ion Beam (FIB)', at: ['title'], status: 200, file: stacks, line: 11 },
      // made for the id in its answer only
      { source: 'test', method: 'POST', path: '/3/treenode/create', params: ['x', 'y', 'z', 'parent_id'], body: null, unknown: [''], status: 200, file: treenodes, line: 12 },
      // an id from an earlier answer: {} in the path; two parts compared
      { source: 'test', method: 'GET', path: '/3/treenodes/{}/info', params: [], body: 235, at: ['skeleton_id'], status: 200, file: treenodes, line: 20 },
      { source: 'test', method: 'GET', path: '/3/treenodes/{}/info', params: [], body: 'branched neuron', at: ['neuron_name'], status: 200, file: treenodes, line: 20 },
      { source: 'test', method: 'POST', path: '/3/nodes/', params: ['left', 'top', 'right'], body: 237, at: [0, 0, 0], status: 200, file: treenodes, line: 29 },
      { source: 'test', method: 'POST', path: '/3/nodes/', params: ['left', 'top', 'right'], body: [], unordered: true, at: [3], status: 200, file: treenodes, line: 29 },
      // one request per URL of a loop over a list
      { source: 'test', method: 'GET', path: '/projects/', params: [], body: null, unknown: [''], file: treenodes, line: 39 },
      { source: 'test', method: 'GET', path: '/3/stacks', params: [], body: null, unknown: [''], file: treenodes, line: 39 },
    ]);
    expect(diagnostics.sorted()).toEqual([]);
  });

  it('matches every answer to a route but the removed one, which the model reports', () => {
    const model = fixtureModel('example');
    expect(unmatchedAnswers(model.routes, answers).map((a) => a.path)).toEqual(['/3/skeletons/235/gone']);
    expect(matchAnswer(model.routes, { path: '/3/treenodes/{}/info' })?.path).toBe('/{project_id}/treenodes/{treenode_id}/info');
    const tests = model.diagnostics.filter((d) => d.file?.includes('/tests/'));
    expect(tests.map((d) => `${d.level} ${d.code} ${d.file}:${d.line}`)).toEqual([
      `warning test-param-unknown ${skeletons}:15`,
      `warning test-url-unmatched ${skeletons}:75`,
      `warning syntax-error ${stacks}:18`,
      `warning test-param-unknown ${treenodes}:29`,
    ]);
  });

  it('tells answers known from requests only made', () => {
    expect(answers.filter(knowsBody)).toHaveLength(10);
  });
});

describe('requests', () => {
  it('reads URLs built with %, format, f-strings, + and variables; query names are params', () => {
    const source = method(`
      skeleton_id = 235
      base = '/%d/skeletons' % self.test_project_id
      self.client.get(base + '/%s/x' % (skeleton_id,))
      self.client.get('/{pid}/y/{}'.format(7, pid=self.test_project_id))
      self.client.get(f'/{int(self.test_project_id):d}/z?a=1&b[0]=2', {'c': 3})
      self.client.post('/%(pid)s/w' % {'pid': self.test_project_id}, data={'d': 4})
      self.client.delete("/" + "v" "/" + str(skeleton_id))
      self.client.put('http://testserver/%d/u' % self.test_project_id, json.dumps({'e': 1}), content_type='application/json')
    `);
    expect(answersOf(source).map((a) => [a.method, a.path, a.params])).toEqual([
      ['GET', '/3/skeletons/235/x', []],
      ['GET', '/3/y/7', []],
      ['GET', '/3/z', ['a', 'b[0]', 'c']],
      ['POST', '/3/w', ['d']],
      ['DELETE', '/v/235', []],
      ['PUT', '/3/u', ['e']],
    ]);
  });

  it('writes {} for a part known only at run time, and leaves out a path not known at all', () => {
    const source = method(`
      node = Treenode.objects.get(pk=7)
      self.client.get('/%d/treenodes/%d/info' % (self.test_project_id, node.id))
      self.client.get(f'/{self.unset}/x')
      self.client.get(reverse('catmaid:stacks'))
    `);
    const { answers, diagnostics } = read({ [FILE]: source });
    expect(answers.map((a) => a.path)).toEqual(['/3/treenodes/{}/info', '/{}/x']);
    expect(diagnostics.map((d) => `${d.level} ${d.code} ${d.line}`)).toEqual([`info test-url-unknown ${lineOf(source, 'reverse(')}`]);
  });

  it('takes self attributes from base classes in other modules, class bodies and setUp', () => {
    const common = py`
      class Base(TestCase):
          project = 3

          @classmethod
          def setUpTestData(cls):
              cls.test_project_id = 5
    `;
    const tests = py`
      from .common import Base

      class Middle(Base):
          def setUp(self):
              self.skeleton_id = 235

      class T(Middle):
          kind = 'neuron'

          def test_it(self):
              self.client.get('/%d/%d/%s/%d' % (self.test_project_id, self.project, self.kind, self.skeleton_id))
              self.skeleton_id = 1
              self.client.get('/%d/x' % self.skeleton_id)

          def test_other(self):
              self.client.get('/%d/y' % self.skeleton_id)
    `;
    const { answers } = read({ [`${API_TESTS_DIR}common.py`]: common, [FILE]: tests });
    expect(answers.map((a) => a.path)).toEqual(['/5/3/neuron/235', '/1/x', '/235/y']);
  });

  it('reads the legacy module, Python 2 style', () => {
    const source = py`
      class ViewPageTests(TestCase):
          def setUp(self):
              self.test_project_id = 3

          def test_labels(self):
              response = self.client.get('/%d/labels/' % (self.test_project_id,))
              self.assertEqual(response.status_code, 200)
              parsed_response = json.loads(response.content)
              print parsed_response
              self.assertItemsEqual([u't', u'u'], parsed_response)
    `;
    const { answers } = read({ [LEGACY_API_TESTS]: source, 'django/applications/catmaid/tests/test_other.py': source });
    expect(answers).toEqual([
      { source: 'test', method: 'GET', path: '/3/labels/', params: [], body: ['t', 'u'], unordered: true, status: 200, file: LEGACY_API_TESTS, line: 6 },
    ]);
  });
});

describe('compared literals', () => {
  it('follows the response through json.loads, .json(), subscripts and .get()', () => {
    const source = method(`
      response = self.client.get('/x')
      self.assertEqual(json.loads(response.content.decode('utf-8'))['a'], 1)
      self.assertEqual(response.json().get('b')[0], 2)
      data = response.json()['c']
      self.assertEqual(3, data['d'])
      self.assertJSONEqual(response.content.decode('utf-8'), '{"e": [1]}')
      self.assertEqual(self.client.get('/y').status_code, 404)
    `);
    expect(answersOf(source)).toEqual([
      { method: 'GET', path: '/x', params: [], body: 1, at: ['a'], line: 7 },
      { method: 'GET', path: '/x', params: [], body: 2, at: ['b', 0], line: 7 },
      { method: 'GET', path: '/x', params: [], body: 3, at: ['c', 'd'], line: 7 },
      { method: 'GET', path: '/x', params: [], body: { e: [1] }, line: 7 },
      { method: 'GET', path: '/y', params: [], body: null, unknown: [''], status: 404, line: 13 },
    ]);
  });

  it('marks unknown parts with JSON pointers and null; a dict with an unknown key is unknown', () => {
    const source = method(`
      response = self.client.get('/x')
      parsed = json.loads(response.content.decode('utf-8'))
      self.assertEqual(parsed, {'a/b': [1, helper(), {'~': node.id}], '__proto__': 2, 'n': None})
      self.assertEqual(parsed['k'], {str(node.id): 1, 'z': 2})
    `);
    expect(answersOf(source)).toEqual([
      { method: 'GET', path: '/x', params: [], body: { 'a/b': [1, null, { '~': null }], ['__proto__']: 2, n: null }, unknown: ['/a~1b/1', '/a~1b/2/~0'], line: 7 },
    ]);
    const body = answersOf(source)[0]!.body as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['a/b', '__proto__', 'n']);
  });

  it('applies changes made to a literal before the comparison; one a loop makes is unknown', () => {
    const source = method(`
      response = self.client.get('/x')
      parsed = json.loads(response.content.decode('utf-8'))
      expected = {'a': [1, 2], 'b': {'c': 1}, 'gone': 0}
      expected['a'].append(3)
      expected['b'].update({'d': 2})
      expected['a'][0] = 0
      del expected['gone']
      expected['a'] += [4]
      self.assertEqual(expected, parsed)
      looped = [1]
      for i in range(3):
          looped.append(i)
      self.assertEqual(looped, parsed['l'])
    `);
    expect(answersOf(source)).toEqual([{ method: 'GET', path: '/x', params: [], body: { a: [0, 2, 3, 4], b: { c: 1, d: 2 } }, line: 7 }]);
  });

  it('compares without order for assertCountEqual, sets and sorted responses; a dict by its keys', () => {
    const source = method(`
      response = self.client.get('/x')
      parsed = json.loads(response.content.decode('utf-8'))
      self.assertEqual(frozenset([3, 1]), frozenset(parsed['s']))
      self.assertEqual(sorted([[2, 'b'], [1, 'a']]), sorted(parsed['t']))
      self.assertCountEqual(parsed['d'], {'k': 1})
      parsed.sort()
      self.assertEqual([1, 2], parsed)
    `);
    expect(answersOf(source)).toEqual([
      { method: 'GET', path: '/x', params: [], body: [3, 1], unordered: true, at: ['s'], line: 7 },
      { method: 'GET', path: '/x', params: [], body: [[1, 'a'], [2, 'b']], unordered: true, at: ['t'], line: 7 },
      { method: 'GET', path: '/x', params: [], body: { k: null }, unknown: ['/k'], at: ['d'], line: 7 },
      { method: 'GET', path: '/x', params: [], body: [1, 2], unordered: true, line: 7 },
    ]);
  });

  it('keeps one answer per distinct literal, and the status asserted anywhere after the request', () => {
    const source = method(`
      response = self.client.post('/x', {'a': 1})
      expected = [1]
      self.assertEqual(expected, json.loads(response.content.decode('utf-8')))
      self.assertListEqual(json.loads(response.content.decode('utf-8')), [1])
      self.assertStatus(response, code=201)
      response = self.client.post('/x')
      self.assertEqual(400, response.status_code)
    `);
    expect(answersOf(source)).toEqual([
      { method: 'POST', path: '/x', params: ['a'], body: [1], status: 201, line: 7 },
      { method: 'POST', path: '/x', params: [], body: null, unknown: [''], status: 400, line: 12 },
    ]);
  });

  it('reads what the text reader does not handle from the tree', () => {
    const source = method(`
      response = self.client.post('/x', {'ids': [i for i in range(3)], 'on': True if x else False})
      parsed = json.loads(response.content.decode('utf-8'))
      self.assertEqual(parsed, {'sum': lambda: 1, 'list': [n for n in ids], 'ok': 1})
    `);
    expect(answersOf(source)).toEqual([
      { method: 'POST', path: '/x', params: ['ids', 'on'], body: { sum: null, list: null, ok: 1 }, unknown: ['/sum', '/list'], line: 7 },
    ]);
  });

  it(`cuts literals nested deeper than ${MAX_LITERAL_DEPTH} levels, and leaves out larger than 10,000 parts`, () => {
    const deep = '['.repeat(40) + '1' + ']'.repeat(40);
    const large = '[' + Array.from({ length: 10_001 }, (_, i) => i).join(', ') + ']';
    const source = method(`
      response = self.client.get('/x')
      parsed = json.loads(response.content.decode('utf-8'))
      self.assertEqual(parsed['deep'], ${deep})
      expected = ${large}
      self.assertEqual(parsed['large'], expected)
    `);
    const { answers, diagnostics } = read({ [FILE]: source });
    expect(answers).toHaveLength(1);
    expect(answers[0]!.at).toEqual(['deep']);
    // Levels 1 to 32 are read; what is on level 33 is cut.
    expect(answers[0]!.unknown).toEqual(['/0'.repeat(MAX_LITERAL_DEPTH)]);
    expect(diagnostics.map((d) => `${d.level} ${d.code} ${d.line}`)).toEqual([
      `warning test-literal-too-large ${lineOf(source, 'deep')}`,
      `warning test-literal-too-large ${lineOf(source, 'expected = ')}`,
    ]);
  });
});

describe('hostile input', () => {
  it('bounds chains, repetitions and literals that hold themselves', () => {
    const chain = Array.from({ length: 20_000 }, () => '1').join(' + ');
    const index = 'x' + '[0]'.repeat(5_000);
    const source = method(`
      response = self.client.get('/x')
      parsed = json.loads(response.content.decode('utf-8'))
      a = [1]
      a.append(a)
      self.assertEqual(sorted([a, a]), parsed['sorted'])
      self.assertEqual(a, parsed['a'])
      self.assertEqual(['x'] * 100000000, parsed['big'])
      self.assertEqual(${chain}, parsed['chain'])
      self.assertEqual(${index}, parsed['index'])
    `);
    const { answers, diagnostics } = read({ [FILE]: source });
    expect(answers.map((a) => a.at)).toEqual([['a']]);
    // [1, [1, [1, …]]] down to the cut
    expect(answers[0]!.unknown).toEqual(['/1'.repeat(MAX_LITERAL_DEPTH) + '/0', '/1'.repeat(MAX_LITERAL_DEPTH) + '/1']);
    expect(new Set(diagnostics.map((d) => d.code))).toEqual(new Set(['test-literal-too-large']));
  });
});

describe('reading from text', () => {
  const parse = (text: string): Expr => parseExpression(text, 0, text.length, { nodes: 0, cut: false, maxNodes: 100, maxDepth: 32 });

  it('folds literals and keeps the rest as expressions', () => {
    expect(parse("{'a': [1, -2.5, (3,)], 'b': None, u'c': b'd' 'e', 0x10: True}  # comment")).toEqual({
      k: 'lit',
      v: new Map<string, unknown>([['a', [1, -2.5, [3]]], ['b', null], ['c', 'de'], ['16', true]]),
    });
    expect(parse("f'/{self.pid}/x/{y!r:>3}/{{z}}'")).toEqual({
      k: 'str',
      parts: ['/', { k: 'attr', obj: { k: 'name', name: 'self' }, name: 'pid' }, '/x/', { k: 'name', name: 'y' }, '/{z}'],
    });
    expect(parse('self.client.post(url,\n    {"a": 1}, \\\n  follow=True)')).toMatchObject({ k: 'call', start: 0, kwargs: [['follow', { k: 'lit', v: true }]] });
    expect(parse('[[[[[[[[[[1]]]]]]]]]]')).toMatchObject({ k: 'lit' });
  });

  it('gives up on what it does not handle', () => {
    for (const text of ['a == b', 'not a', 'lambda: 1', '[x for x in y]', 'a if b else c', 'x[1:]', 'f(*args)', '{**a}', 'a ** 2', "'unterminated"]) {
      expect(() => parse(text), text).toThrow(Unsupported);
    }
  });

  it('leaves a part deeper than the limit opaque', () => {
    const budget = { nodes: 0, cut: false, maxNodes: 100, maxDepth: 2 };
    expect(parseExpression('[1, [2, [3, [4]]], 5]', 0, 21, budget)).toEqual({
      k: 'seq',
      type: 'list',
      // [3, [4]] is on level 3: its items are cut
      items: [
        { k: 'lit', v: 1 },
        { k: 'seq', type: 'list', items: [{ k: 'lit', v: 2 }, { k: 'seq', type: 'list', items: [{ k: 'opaque' }, { k: 'opaque' }] }] },
        { k: 'lit', v: 5 },
      ],
    });
    expect(budget.cut).toBe(true);
    expect(HOLE.hole).toBe(true);
  });
});

describe('matching answers to routes', () => {
  const route = (path: string, order: number, params: Array<[string, string]> = []): Route =>
    ({
      path,
      regex: '^' + path.replace(/^\//, '').replace(/\{(\w+)\}/g, (_, n: string) => `(?P<${n}>${params.find(([p]) => p === n)?.[1] ?? '[^/]+'})`) + '$',
      pathParams: params.map(([name, pattern]) => ({ name, type: 'string', pattern })),
      order,
      operations: [],
    }) as unknown as Route;
  const routes = [
    route('/{project_id}/volumes/entities/', 0, [['project_id', '\\d+']]),
    route('/{project_id}/volumes/{volume_id}/', 1, [['project_id', '\\d+'], ['volume_id', '\\d+']]),
    route('/{project_id}/volumes/{volume_id}/export.{extension}', 2, [['project_id', '\\d+'], ['volume_id', '\\d+'], ['extension', '\\w+']]),
    route('/{project_id}/nodes/{node_id}/', 3, [['project_id', '\\d+'], ['node_id', '\\d+']]),
  ];

  it('lets {} stand for a parameter before a literal segment, never for an empty one', () => {
    expect(matchAnswer(routes, { path: '/3/volumes/{}/' })?.order).toBe(1);
    expect(matchAnswer(routes, { path: '/3/volumes/entities/' })?.order).toBe(0);
    expect(matchAnswer(routes, { path: '/{}/volumes/{}/export.stl' })?.order).toBe(2);
    expect(matchAnswer(routes, { path: '/x/volumes/{}/' })).toBeUndefined();
    expect(matchAnswer(routes, { path: '/3/nodes/{}/{}' })).toBeUndefined();
  });

  it('falls back to a literal segment where no route has a parameter there', () => {
    const literal = [route('/{project_id}/stats/summary', 0, [['project_id', '\\d+']])];
    expect(matchAnswer(literal, { path: '/3/stats/{}' })?.order).toBe(0);
  });

  it('lists the answers no route matches', () => {
    const answers = [
      { source: 'test', method: 'GET', path: '/3/volumes/1/', params: [], body: null, file: null, line: null },
      { source: 'test', method: 'GET', path: '/3/gone', params: [], body: null, file: null, line: null },
    ] as RecordedAnswer[];
    expect(unmatchedAnswers(routes, answers).map((a) => a.path)).toEqual(['/3/gone']);
  });
});

describe('in the model', () => {
  it('reports a request to no route unless the test expects a 404', () => {
    const urls = py`
      from django.conf.urls import url
      from catmaid.control import views
      urlpatterns = [url(r'^(?P<project_id>\d+)/x$', views.x)]
    `;
    const tests = method(`
      response = self.client.get('/3/missing')
      self.assertEqual(response.status_code, 404)
      self.client.get('/3/also-missing')
      self.client.get('/3/x')
    `);
    const tree = new MemorySource({
      'django/applications/catmaid/urls.py': urls,
      'django/applications/catmaid/control/views.py': 'def x(request, project_id):\n    pass\n',
      [FILE]: tests,
    });
    const { model } = buildRouteModel(tree);
    expect(model.diagnostics.filter((d) => d.code === 'test-url-unmatched').map((d) => [d.message, d.line])).toEqual([
      ['GET /3/also-missing of an API test matches no route', lineOf(tests, 'also-missing')],
    ]);
  });
  it('reports a parameter a test sends that the operation does not list, unless the view reads the whole dict', () => {
    const urls = py`
      from django.conf.urls import url
      from catmaid.control import views
      urlpatterns = [
          url(r'^(?P<project_id>\d+)/x$', views.x),
          url(r'^(?P<project_id>\d+)/all$', views.everything),
      ]
    `;
    const views = py`
      from django.http import JsonResponse
      from catmaid.control.common import get_request_list

      def x(request, project_id):
          ids = get_request_list(request.POST, 'skeleton_ids', map_fn=int)
          return JsonResponse({'n': len(ids)})

      def everything(request, project_id):
          return JsonResponse({k: v for k, v in request.GET.items()})
    `;
    const tests = method(`
      self.client.post('/3/x', {'skeleton_ids[0]': 1, 'skeleton_ids[1]': 2, 'with_tags': True})
      self.client.post('/3/x', {'with_tags': False})
      response = self.client.post('/3/x', {'refused': 1})
      self.assertEqual(response.status_code, 403)
      self.client.get('/3/all', {'anything': 1})
      self.client.get('/3/x', {'skeleton_ids': 1})
    `);
    const tree = new MemorySource({
      'django/applications/catmaid/urls.py': urls,
      'django/applications/catmaid/control/views.py': views,
      [FILE]: tests,
    });
    const { model } = buildRouteModel(tree);
    expect(model.diagnostics.filter((d) => d.code === 'test-param-unknown').map((d) => [d.message, d.line, d.operation])).toEqual([
      ["an API test sends 'with_tags', which POST /{project_id}/x does not list: the view ignores it, or reads it where the generator cannot follow", lineOf(tests, 'with_tags'), 'POST /{project_id}/x'],
    ]);
  });
});
