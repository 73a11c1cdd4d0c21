/**
 * The parse stage's use of node-tree-sitter: nodes are not registered with their tree
 * (parse/parser.ts NODE_REGISTRATION), and everything the generator asks of nodes still works.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { NODE_REGISTRATION, parsePython, query } from '../generator/parse/parser.js';

describe('nodes without registration', () => {
  it('the binding registers nodes through the methods the parse stage turns off', () => {
    // If a new node-tree-sitter registers nodes some other way, this fails: look again at parser.ts.
    const binding = readFileSync(createRequire(import.meta.url).resolve('tree-sitter'), 'utf8');
    for (const method of NODE_REGISTRATION) expect(binding).toContain(`tree.${method}(`);
  });

  it('the same node asked for twice is two objects with one id, and navigation, fields and queries work', () => {
    const { tree, text } = parsePython('views.py', 'def things(request, project_id):\n    name = request.GET.get("name")\n    return JsonResponse({"name": name})\n');
    const first = tree.rootNode.firstNamedChild!;
    const again = tree.rootNode.firstNamedChild!;
    expect(again).not.toBe(first);
    expect(again.id).toBe(first.id);
    expect(first.childForFieldName('name')!.text).toBe('things');
    const body = first.childForFieldName('body')!;
    expect(body.parent!.id).toBe(first.id);
    expect(body.namedChildren.map((n) => n.type)).toEqual(['expression_statement', 'return_statement']);
    const calls = query('view-body').matches(body).flatMap((m) => m.captures.filter((c) => c.name === 'method.name').map((c) => c.node.text));
    expect(calls).toContain('get');
    expect(text.slice(body.startIndex, body.endIndex)).toBe(body.text);
  });
});
