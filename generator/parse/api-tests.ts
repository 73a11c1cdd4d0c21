/**
 * CATMAID's own API tests (`django/applications/catmaid/tests/apis/*.py`; before 2016.08 they were
 * all in `tests/test_common_apis.py`, which keeps a few later) as evidence of what operations
 * answer: each request made with Django's test client (`self.client.get/post/put/patch/delete(url,
 * data)`) becomes {@link RecordedAnswer}s (`source: 'test'`), one per literal its parsed response
 * is compared with (`self.assertEqual(expected_result, parsed_response)`, or a part of it:
 * `parsed_response['skeleton_ids']` → `at: ['skeleton_ids']`), or else one that only says the
 * request was made (`body: null`, `unknown: ['']`).
 *
 * How it reads: each module on its own, beside the modules of its base classes. One pass of
 * `queries/api-tests.scm` per module gives the classes and functions and,
 * in source order, the statements the reader replays, each function with its own variables:
 * assignments (literals, URLs built with f-strings, `%`, `.format()`, `+`), loops, `del`, changes of
 * a literal in place (`expected.append(x)`, `expected[0]['k'] = 2`) and the method calls that make
 * requests or assert. The expressions inside a statement are read from its text
 * (generator/parse/py-expr.ts), or from the tree where that reader does not handle them.
 * `self.x` is what the class, or a base class in any module read, sets in its body or in
 * `setUpClass`, `setUpTestData`, `__init__`, `setUp` (`cls.test_project_id = 3`). Branches are
 * replayed one after the other (the last assignment wins); a literal a loop changes is unknown
 * after it. Nothing is executed.
 *
 * Unknown parts: a value that cannot be evaluated (a variable the test got from the database or
 * the response, a call, a comprehension) is `null` in `body` and its JSON pointer is listed in
 * `unknown`; in a path it is `{}`. A dict with a key that cannot be evaluated is unknown as a whole
 * (its other keys would not say which keys the answer has). A literal nested deeper than
 * {@link MAX_LITERAL_DEPTH} levels is cut there; one of more than {@link MAX_LITERAL_NODES} parts is
 * unknown as a whole (`test-literal-too-large`).
 *
 * Consumes: the source tree's test modules, parsed with tree-sitter. Produces: recorded answers,
 * sorted by file and line, and diagnostics for what cannot be read.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { RecordedAnswer } from '../model/answers.js';
import type { SourceTree } from '../source/types.js';
import { TestReader } from './api-test-reader.js';
import { testClasses } from './api-test-scopes.js';
import type { ParsedFile } from './parser.js';

/** Where CATMAID keeps its API tests. */
export const API_TESTS_DIR = 'django/applications/catmaid/tests/apis/';
/** The module that held every API test before `tests/apis/` (2015 – 2016.05), and some after. */
export const LEGACY_API_TESTS = 'django/applications/catmaid/tests/test_common_apis.py';

export { MAX_LITERAL_DEPTH, MAX_LITERAL_NODES } from './api-test-model.js';

/** The API test modules of a tree, sorted: every `*.py` under {@link API_TESTS_DIR}, and {@link LEGACY_API_TESTS}. */
export function apiTestFiles(tree: SourceTree): string[] {
  return tree
    .listFiles()
    .filter((f) => f.endsWith('.py') && (f.startsWith(API_TESTS_DIR) || f === LEGACY_API_TESTS))
    .sort();
}

/**
 * Keeps a computation's result (the model stage's cache, see cache/memo.ts): `compute` must depend
 * only on `key` and on what it reads through the `parse` given with it. Without a cache, it runs.
 */
export type Keep = <T>(kind: string, key: string, compute: () => T) => T;

/**
 * The recorded answers of every API test module of the tree, by file and line. Each module is
 * read on its own, with the modules of the classes it derives from, so that `keep` can keep each
 * by its content (`contentId`: of a file of the tree) and what it derives from: a release that
 * changes a few test modules reads those again, not all.
 */
export function readApiTests(
  tree: SourceTree,
  parse: (file: string) => ParsedFile | null,
  diagnostics: DiagnosticBag,
  keep: Keep = (_kind, _key, compute) => compute(),
  contentId: (file: string) => string = () => '',
): RecordedAnswer[] {
  const files = apiTestFiles(tree);
  if (files.length === 0) return [];
  tree.prefetch(files);
  // Which modules define each class name, and which names classes derive from: what decides
  // where a module's base classes are, so part of the key of each module's answers.
  const classes = files.map((file) => keep('api-test-classes', `${file}\0${contentId(file)}`, () => {
    const parsed = parse(file); // reports unreadable files and syntax errors itself
    return parsed ? testClasses(parsed) : [];
  }));
  const defining = new Map<string, string[]>();
  classes.forEach((list, i) => {
    for (const { name } of list) {
      const at = defining.get(name) ?? [];
      if (at[at.length - 1] !== files[i]) at.push(files[i]!);
      defining.set(name, at);
    }
  });
  const baseNames = [...new Set(classes.flatMap((list) => list.flatMap((c) => c.bases)))].sort();
  const bases = JSON.stringify(baseNames.map((name) => [name, defining.get(name) ?? []]));
  return files.flatMap((file) =>
    keep('api-test-answers', `${file}\0${contentId(file)}\0${bases}`, () =>
      new TestReader(diagnostics, { filesDefining: (name) => defining.get(name) ?? [], load: parse }).answersOf(file),
    ),
  );
}
