/**
 * Response types from evidence: what CATMAID's API tests compare answers with and what a lab's
 * server answered ({@link RecordedAnswer}s), merged with what the code returns and what the
 * docstring documents, by rank: observed, then tested, then code, then docstring.
 *
 * Consumes: routes with operations, recorded answers. Produces: `response.schema` with its
 * `evidence` and `examples` on the operations, and diagnostics.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { RecordedAnswer } from './answers.js';
import type { Route } from './types.js';

/** Adds the recorded answers to the operations they belong to (not merged yet). */
export function applyAnswers(_routes: Route[], _answers: RecordedAnswer[], _diagnostics: DiagnosticBag): void {}
