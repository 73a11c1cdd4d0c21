/**
 * What CATMAID's API tests say the operations answer (parse/api-tests.ts), read through the
 * {@link ModuleIndex} so that the cache (generator/cache/) keeps the reading: whole, for the same
 * test modules, and module by module.
 *
 * Consumes: the tree and its module index. Produces: the tests' recorded answers, by file and line.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import { API_TESTS_DIR, LEGACY_API_TESTS, readApiTests } from '../parse/api-tests.js';
import type { SourceTree } from '../source/types.js';
import type { RecordedAnswer } from './answers.js';
import type { ModuleIndex } from './modules.js';

/** The answers CATMAID's API tests record, kept by the test modules' contents (looked up here). */
export function testedAnswers(tree: SourceTree, modules: ModuleIndex, diagnostics: DiagnosticBag): RecordedAnswer[] {
  const testFiles = [...modules.filesBelow(API_TESTS_DIR), LEGACY_API_TESTS].map((f) => `${f} ${modules.contentId(f)}`);
  return modules.memo('api-tests', testFiles.join('\n'), () =>
    readApiTests(tree, (file) => modules.parse(file), diagnostics, (kind, key, compute) => modules.memo(kind, key, compute), (file) => modules.contentId(file)),
  );
}
