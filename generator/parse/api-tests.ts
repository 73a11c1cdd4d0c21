/**
 * CATMAID's own API tests (`django/applications/catmaid/tests/apis/*.py`) as evidence of what
 * operations answer: each `self.client.get/post(url, data)` whose parsed response is compared
 * with a literal becomes a {@link RecordedAnswer} (`source: 'test'`).
 *
 * Consumes: the source tree's test modules, parsed with tree-sitter. Produces: recorded answers
 * and diagnostics for what cannot be read.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { RecordedAnswer } from '../model/answers.js';
import type { SourceTree } from '../source/types.js';
import type { ParsedFile } from './parser.js';

/** Where CATMAID keeps its API tests. */
export const API_TESTS_DIR = 'django/applications/catmaid/tests/apis/';

/** The recorded answers of every API test module of the tree (none yet: to be read). */
export function readApiTests(_tree: SourceTree, _parse: (file: string) => ParsedFile | null, _diagnostics: DiagnosticBag): RecordedAnswer[] {
  return [];
}
