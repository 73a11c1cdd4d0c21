/**
 * Diagnostics are data: every stage appends to one {@link DiagnosticBag}; the model carries the
 * sorted list and the CLI prints it at the end. Codes are stable, so tests and users can match on
 * them.
 */
import { compareOptionalText, compareText } from './util/compare.js';

/** How bad a diagnostic is. `error`: part of the source could not be modelled. */
export type DiagnosticLevel = 'error' | 'warning' | 'info';

/** One finding about the source, tied to a file and line of it where there is one. */
export interface Diagnostic {
  /** Severity. */
  level: DiagnosticLevel;
  /** Stable identifier of the kind of finding, e.g. `view-not-found`. */
  code: DiagnosticCode;
  /** One line for a human. */
  message: string;
  /** Path relative to the source root, or null when the finding is about the whole tree. */
  file: string | null;
  /** 1-based line, or null. */
  line: number | null;
  /** The operation the finding is about (`GET /{project_id}/skeletons/`), for drift findings. */
  operation?: string;
}

/** Every diagnostic code the generator emits, with its default level. */
/** Codes of the findings where a docstring, the code and CATMAID's API tests disagree (`catmaid-codegen lint`). */
export const DRIFT_CODES: ReadonlySet<DiagnosticCode> = new Set([
  'param-doc-unread',
  'param-undocumented',
  'param-location-mismatch',
  'param-default-mismatch',
  'param-required-mismatch',
  'response-doc-mismatch',
  'test-param-unknown',
  'docstring-yaml',
]);

export const DIAGNOSTIC_CODES = {
  /** tree-sitter reported syntax errors; the intact parts were still read. */
  'syntax-error': 'warning',
  /** A file is not valid UTF-8 or looks binary; it was skipped. */
  'unreadable-file': 'error',
  /** A URLconf element could not be evaluated statically (no route could be formed). */
  'urlconf-unevaluated': 'error',
  /** A route's regex depends on settings or runtime values; the route is kept without a path. */
  'dynamic-regex': 'warning',
  /** `urlpatterns` is extended by a comprehension or loop over settings. */
  'dynamic-urlpatterns': 'info',
  /** An `include()` names a module that is not in the tree and is not a known external app. */
  'include-not-found': 'error',
  /** `include()` leads back to a URLconf that is already being expanded. */
  'include-cycle': 'error',
  /** A regex Python would reject, or one that cannot be turned into a path template. */
  'invalid-regex': 'error',
  /** A regex construct kept in the path template as written (not a plain parameter). */
  'regex-not-templatable': 'warning',
  /** A view expression names something that is not defined in the tree. */
  'view-not-found': 'error',
  /** A view expression could not be understood at all. */
  'view-unresolved': 'error',
  /** Two routes have the same regex; Django serves only the first. */
  'route-shadowed': 'info',
  /** A URLconf module names a view module that does not exist in the tree. */
  'module-not-found': 'error',
  /** A class view defines no handler method (get, post, …), so it answers nothing. */
  'view-without-methods': 'warning',
  /** A docstring's YAML after `---` does not parse, or says something not understood. */
  'docstring-yaml': 'warning',
  /** Drift: a parameter the docstring documents that the code never reads. */
  'param-doc-unread': 'warning',
  /** Drift: a parameter the code reads that the docstring of a documented view omits. */
  'param-undocumented': 'warning',
  /** Drift: documented in one place (form, query, path), read from another. */
  'param-location-mismatch': 'warning',
  /** Drift: a documented default the code contradicts (it falls back to another value), or one that is not of the parameter's type. */
  'param-default-mismatch': 'warning',
  /** Drift: documented as required while the code falls back to a default (the model makes it optional), or the reverse. */
  'param-required-mismatch': 'warning',
  /** Drift: a literal the view returns is not the JSON kind its docstring documents, or lacks a key it calls required. */
  'response-doc-mismatch': 'warning',
  /** Two operations would get the same id; one was renamed. */
  'operation-id-collision': 'info',
  /**
   * A literal a CATMAID API test compares an answer with is nested deeper than 32 levels or has
   * more than 10,000 parts: the deeper parts, or all of it, count as unknown.
   */
  'test-literal-too-large': 'warning',
  /** A request of a CATMAID API test whose path cannot be evaluated statically (a helper's parameter, `reverse()`); left out. */
  'test-url-unknown': 'info',
  /**
   * A request of a CATMAID API test whose path no route of the model matches: a route the model
   * lacks (its path depends on settings) or one the test requests to see it fail. Not reported
   * when the test expects a 404.
   */
  'test-url-unmatched': 'warning',
  /**
   * A CATMAID API test sends a parameter the operation it requests does not list (the view ignores
   * it, or reads it in a way the generator does not follow). Not reported where the code reads a
   * request dict as a whole or hands the request on to code that is not followed.
   */
  'test-param-unknown': 'warning',
  /**
   * Extensions were given (`--extension`), but this CATMAID's project URLconf has no loop over
   * `settings.INSTALLED_EXTENSIONS` (releases before extensions were supported): none is served.
   */
  'extension-not-mounted': 'warning',
  /**
   * Regenerating into an earlier generation: a new operation would take an id an operation of the
   * earlier generation keeps, so it is named with its module.
   */
  'operation-id-kept': 'info',
} as const satisfies Record<string, DiagnosticLevel>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Collects diagnostics from every stage; duplicates (same code, place and message) are kept once. */
export class DiagnosticBag {
  private readonly items = new Map<string, Diagnostic>();
  /** Told of every diagnostic added (also repeated ones): how cache/memo.ts records them. */
  listener?: (d: Diagnostic) => void;

  add(code: DiagnosticCode, message: string, file: string | null, line: number | null, level?: DiagnosticLevel, operation?: string): void {
    const d: Diagnostic = { level: level ?? DIAGNOSTIC_CODES[code], code, message, file, line, ...(operation ? { operation } : {}) };
    const key = `${d.file}\u0000${d.line}\u0000${d.code}\u0000${d.message}\u0000${operation ?? ''}`;
    if (!this.items.has(key)) this.items.set(key, d);
    this.listener?.(d);
  }

  /** All diagnostics, sorted by file, line, code and message. */
  sorted(): Diagnostic[] {
    return [...this.items.values()].sort(compareDiagnostics);
  }
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareOptionalText(a.file, b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    compareText(a.code, b.code) ||
    compareText(a.message, b.message) ||
    compareOptionalText(a.operation, b.operation)
  );
}
