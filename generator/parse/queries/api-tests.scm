; What a CATMAID API test module does, in one pass over the whole module, in document order: the
; classes and functions that scope everything else, and the statements the reader replays —
; assignments, loops, `del`, and method calls made as statements (`self.assertEqual(…)`,
; `self.client.post(…)`, `expected.append(…)`). A request made inside an expression is found from
; the assignment or assertion it is part of (`response = self.client.post(…)`,
; `json.loads(self.client.get(url).content)`). generator/parse/api-tests.ts tells them apart with
; the source text and childForFieldName; no pattern has a text predicate (node-tree-sitter applies
; those in JavaScript after every candidate has crossed over from the native side).

(class_definition) @class
(function_definition) @function

; for url in urls: …  (the loop variable, and a request whose URL is it, once per known item)
(for_statement) @for

; url = f'/{self.test_project_id}/…', response = self.client.post(…), expected_result = {…},
; self.test_project_id = 3, expected[0]['k'] = 2, a, b = 1, 2
(assignment) @assign
; expected += [...]
(augmented_assignment) @augment
; del expected[0]['k']
(delete_statement) @delete

; self.client.post(url, data), self.assertEqual(a, b), self.assertStatus(response),
; expected.append(x)
(expression_statement (call function: (attribute) arguments: (argument_list)) @call)
