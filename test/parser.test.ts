/**
 * The parse stage's use of node-tree-sitter: nodes are not registered with their tree
 * (parse/binding.ts NODE_REGISTRATION), and everything the generator asks of nodes still works.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { adaptedGetters, NODE_REGISTRATION } from '../generator/parse/binding.js';
import { parsePython, query } from '../generator/parse/parser.js';

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

  it('a node answers its type, start and id from its own object as the binding answers them', () => {
    const text = [
      '# -*- coding: utf-8 -*-',
      '@requires_user_role(UserRole.Annotate)',
      'def rename(request, project_id=None):',
      '    """Renames a node: « nom » 😀."""',
      "    name = request.POST.get('name', u'sans nom é')",
      '    if not name or name in (None, "") and -1 < 2 ** 3:',
      "        raise ValueError('😀 name')",
      '    return JsonResponse({"name": name, "ids": [i for i in range(3) if i != 2]})',
      'def broken(:',
      '    return [1, 2',
    ].join('\n');
    const { tree } = parsePython('views.py', text);
    expect(adaptedGetters).toEqual(['startIndex', 'startPosition', 'id', 'type']);
    // The tree cursor answers from the native side: every node, named, anonymous and ERROR.
    const cursor = tree.walk();
    let seen = 0;
    const types = new Set<string>();
    for (;;) {
      const node = cursor.currentNode;
      expect(node.type).toBe(cursor.nodeType);
      expect(node.startIndex).toBe(cursor.startIndex);
      expect(node.startPosition).toEqual(cursor.startPosition);
      expect(text.slice(node.startIndex, node.endIndex)).toBe(node.text);
      // Once asked, a symbol's type is a constant of its class (ERROR nodes ask the binding).
      if (node.type !== 'ERROR') expect(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(node), 'type')?.value).toBe(node.type);
      types.add(node.type);
      seen++;
      if (cursor.gotoFirstChild() || cursor.gotoNextSibling()) continue;
      let up = false;
      while (cursor.gotoParent()) if ((up = cursor.gotoNextSibling())) break;
      if (!up) break;
    }
    expect(seen).toBeGreaterThan(150);
    for (const t of ['ERROR', '(', 'not', '!=', '**', 'identifier', 'string_content']) expect(types).toContain(t);
  });
});
