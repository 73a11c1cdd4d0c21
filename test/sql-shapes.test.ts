/**
 * Answers CATMAID builds in SQL (parse/sql-shapes.ts) and how the response evidence is combined
 * where a docstring names placeholders for keys that are data, or requires keys the code sets on
 * some paths only (model/response-evidence.ts).
 */
import { describe, expect, it } from 'vitest';
import { buildRouteModel } from '../generator/model/build.js';
import { combine, type Conflict } from '../generator/model/response-evidence.js';
import type { JsonSchema } from '../generator/model/types.js';
import { columnName, columnShapes, countSelectList, INTERPOLATED, SQL_JSON, withoutMark } from '../generator/parse/sql-shapes.js';
import { py } from './helpers.js';
import { MemorySource } from './memory-source.js';


const plain = (shapes: JsonSchema[] | undefined) => shapes?.map(withoutMark);

describe('the select list', () => {
  it('counts the columns of the main SELECT, after a WITH, not those of subqueries or string literals', () => {
    expect(countSelectList("WITH x AS (SELECT a, b FROM t) SELECT x.a, 'a, b', f(c, d) AS e FROM x")).toBe(3);
    expect(countSelectList('SELECT DISTINCT ON (a, b) a, b, c FROM t ORDER BY a')).toBe(3);
    expect(countSelectList('UPDATE t SET a = 1')).toBeUndefined();
  });

  it('does not know how many columns there are where Python fills in part of the list', () => {
    expect(countSelectList(`SELECT a.id ${INTERPOLATED} FROM a`)).toBeUndefined();
    expect(countSelectList(`SELECT a.id FROM a WHERE ${INTERPOLATED}`)).toBe(1);
  });

  it('names columns by alias or column name', () => {
    expect(['ci.id', 'name', 'count(*) AS n', 'lower(name)'].map(columnName)).toEqual(['id', 'name', 'n', undefined]);
  });
});

describe('JSON built in SQL', () => {
  it('reads json_agg of json_build_object with ORDER BY, in COALESCE with an empty-list fallback, cast to text', () => {
    const [column] = columnShapes(`
      SELECT COALESCE(json_agg(json_build_object('id', id, 'name', name) ORDER BY name), '[]'::json)::text
      FROM class_instance WHERE project_id = %(project_id)s`)!;
    // Python gets the text; the JSON in it is the list of objects
    expect(withoutMark(column!)).toEqual({ type: 'string' });
    expect(column![SQL_JSON]).toEqual({
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, name: {} }, required: ['id', 'name'] },
    });
  });

  it('reads json_object_agg as a record, json_build_array as a tuple, count as an integer, columns as open', () => {
    expect(plain(columnShapes("SELECT json_object_agg(skeleton_id, json_build_array(1, 'a')), count(*), x FROM t"))).toEqual([
      { type: 'object', additionalProperties: { type: 'array', prefixItems: [{ type: 'integer' }, { type: 'string' }], minItems: 2, maxItems: 2 } },
      { type: 'integer' },
      {},
    ]);
  });

  it('reads row_to_json of a subquery as an object of its columns, of a table as an object of unknown keys', () => {
    const sql = `
      SELECT row_to_json(wrapped)::text
      FROM (
        SELECT COALESCE(array_to_json(array_agg(row_to_json(annotation))), '[]'::json) AS annotations
        FROM (SELECT ci.id, ci.name FROM class_instance ci) annotation
      ) wrapped`;
    expect(columnShapes(sql)![0]![SQL_JSON]).toEqual({
      type: 'object',
      properties: {
        annotations: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: {} }, required: ['id', 'name'] } },
      },
      required: ['annotations'],
    });
    expect(plain(columnShapes('SELECT row_to_json(stack_mirror) FROM stack_mirror'))).toEqual([{ type: 'object' }]);
  });

  it('leaves an aggregate of something unknown an array, not an always-empty one', () => {
    expect(plain(columnShapes("SELECT COALESCE(json_agg(x), '[]'::json) FROM t"))).toEqual([{ type: 'array' }]);
  });
});

describe('in the model', () => {
  const urls = py`
    from django.conf.urls import url
    from catmaid.control import label
    urlpatterns = [
        url(r'^(?P<project_id>\d+)/labels/detail$', label.labels_detail),
        url(r'^(?P<project_id>\d+)/labels/rows$', label.label_rows),
    ]
  `;
  const views = py`
    from django.db import connection
    from django.http import HttpResponse, JsonResponse
    from rest_framework.decorators import api_view

    @api_view(['GET'])
    def labels_detail(request, project_id=None):
        """List all labels.
        ---
        type:
        - type: array
          items:
            type: string
          required: true
        """
        cursor = connection.cursor()
        cursor.execute("""
            SELECT COALESCE(json_agg(json_build_object('id', id, 'name', name) ORDER BY name), '[]'::json)::text
            FROM class_instance
            WHERE project_id = %(project_id)s
        """, {'project_id': project_id})
        return HttpResponse(cursor.fetchone()[0], content_type='application/json')

    def label_rows(request, project_id=None):
        cursor = connection.cursor()
        cursor.execute("SELECT id, name, count(*) FROM class_instance GROUP BY id, name")
        return JsonResponse([{'id': row[0], 'name': row[1], 'n': row[2]} for row in cursor.fetchall()], safe=False)
  `;
  const { model } = buildRouteModel(
    new MemorySource({
      'django/applications/catmaid/urls.py': urls,
      'django/applications/catmaid/control/label.py': views,
    }),
  );
  const response = (path: string) => model.routes.find((r) => r.path === path)!.operations[0]!.response!;

  it("types the JSON an HttpResponse sends as the query built it, over the docstring it contradicts", () => {
    expect(response('/{project_id}/labels/detail').schema).toMatchObject({
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, name: {} }, required: ['id', 'name'] },
    });
    expect(response('/{project_id}/labels/detail').evidence?.map((e) => e.source)).toEqual(['code', 'docstring']);
    expect(model.diagnostics.filter((d) => d.code === 'response-doc-mismatch').map((d) => [d.message, d.line])).toEqual([
      ['the docstring documents a string at /0, but the code returns an object', 7],
    ]);
  });

  it('types the columns of rows a comprehension reads by position', () => {
    expect(response('/{project_id}/labels/rows').schema).toEqual({
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, name: {}, n: { type: 'integer' } }, required: ['id', 'name', 'n'] },
    });
  });
});

describe('combining evidence', () => {
  it("keeps a record over a docstring's placeholder key, whose value still describes the record's values", () => {
    const conflicts: Conflict[] = [];
    const code: JsonSchema = { type: 'object', additionalProperties: { type: 'object', properties: { n: { type: 'number' } } } };
    const doc: JsonSchema = {
      type: 'object',
      required: ['user_id'],
      properties: { user_id: { type: 'object', properties: { n: { type: 'integer', description: 'nodes' } }, required: ['n'] } },
    };
    expect(combine(code, doc, conflicts)).toEqual({
      type: 'object',
      additionalProperties: { type: 'object', properties: { n: { type: 'number', description: 'nodes' } } },
    });
    expect(conflicts).toEqual([
      { at: '', kept: 'an object keyed by data', dropped: "the key 'user_id'" },
      { at: '/*/n', kept: 'a key some answers leave out', dropped: 'a required key' },
    ]);
  });

  it('makes a key optional where the better evidence sets it on some paths only, and keeps the lower one where it knows only a part', () => {
    const doc: JsonSchema = { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' } }, required: ['a', 'b'] };
    expect(combine({ type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' } }, required: ['b'] }, doc, [])['required']).toEqual(['b']);
    // a test that compares only answer['a']
    expect(combine({ type: 'object', properties: { a: { type: 'number' } }, additionalProperties: {} }, doc, [], '', false)['required']).toEqual(['a', 'b']);
    // a test's whole answer without 'b'
    expect(combine({ type: 'object', properties: { a: { type: 'number' } }, required: ['a'] }, doc, [], '', false)['required']).toEqual(['a']);
  });
});
