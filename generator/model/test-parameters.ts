/**
 * The parameters CATMAID's own API tests send, checked against the operations' parameter lists: a
 * name a test sends (`self.client.post(url, {'skeleton_ids[0]': 1, 'with_tags': True})`) that the
 * operation does not list is a `test-param-unknown` finding, at the test's request. Not checked
 * where the code may read names the list cannot show (a request dict read as a whole, request
 * values handed to code that was not followed, a handler outside the tree), nor for a request whose
 * method is not the operation's (its list is of another method's reads).
 *
 * Consumes: the routes with their operations and the recorded answers of the tests. Produces:
 * diagnostics, one per operation and name, at the first test that sends it.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import { answeringOperation, type RecordedAnswer } from './answers.js';
import type { Operation, Route } from './types.js';

/**
 * A parameter's name as the model lists it: the part before `[` of CATMAID's indexed list and
 * dict keys (`skeleton_ids[0]`, `pairs[0][1]`, `ids[]`).
 */
export function listedName(wireName: string): string {
  const i = wireName.indexOf('[');
  return i > 0 ? wireName.slice(0, i) : wireName;
}

/** Reports the names tests send that the operation they reach does not list. */
export function checkTestParameters(routes: readonly Route[], answers: readonly RecordedAnswer[], readsUnlisted: (op: Operation) => boolean, diagnostics: DiagnosticBag): void {
  const reported = new Set<string>();
  for (const answer of answers) {
    if (answer.source !== 'test' || answer.params.length === 0) continue;
    // A request the test expects to be refused says nothing about what the view reads.
    if (answer.status !== undefined && (answer.status < 200 || answer.status > 299)) continue;
    const served = answeringOperation(routes, answer);
    // The list describes the operation's own method: a test's POST to a view modelled with GET is
    // read from another dict.
    if (!served || served.op.method !== answer.method || readsUnlisted(served.op)) continue;
    const { route, op } = served;
    const listed = new Set(op.parameters.map((p) => p.name));
    const where = `${op.method} ${route.path}`;
    for (const name of [...new Set(answer.params.map(listedName))].sort()) {
      if (listed.has(name) || reported.has(`${where}\n${name}`)) continue;
      reported.add(`${where}\n${name}`);
      diagnostics.add('test-param-unknown', `an API test sends '${name}', which ${where} does not list: the view ignores it, or reads it where the generator cannot follow`, answer.file, answer.line, undefined, where);
    }
  }
}
