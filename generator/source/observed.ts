/**
 * Recordings of a lab's own CATMAID: the answers `verify --record DIR` stored, one file per
 * operation, read back by `generate --observed DIR` (and `routes --observed DIR`) as evidence of
 * what operations return.
 *
 * Consumes: a directory of `*.json` recordings ({@link ObservedRecording}). Produces:
 * {@link RecordedAnswer}s (`source: 'observed'`) for `BuildOptions.observed`, and one warning per
 * file that is not a recording (the rest are still read).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { RecordedAnswer } from '../model/answers.js';
import { compareText } from '../util/compare.js';

type HttpMethod = RecordedAnswer['method'];
type JsonValue = RecordedAnswer['body'];

/**
 * One recording file. It holds no token, no request or response headers and no host: the path is
 * the one requested without the query and without the base URL's sub-path.
 */
export interface ObservedRecording {
  method: HttpMethod;
  /** The path requested, values filled in, leading `/`: `/3/skeletons/7/root`. */
  path: string;
  /** The model's path template of the operation called: `/{project_id}/skeletons/{skeleton_id}/root`. */
  pathTemplate: string;
  operationId: string;
  /** The 2xx status of the answer. */
  status: number;
  /** Names of the parameters sent (query string and body), as the wire spells them (`skeleton_ids[0]`). */
  params: string[];
  /** The server's CATMAID version (`/version`), or null where it did not say. */
  catmaidVersion: string | null;
  /**
   * Where the body was cut to the bounds: the bounds used, and each array, object or string cut,
   * by its place in the body and its size in the answer. Absent when nothing was cut.
   */
  cut?: { limits: CutLimits; at: CutPlace[] };
  /** How many strings of the body had the server's host or the token replaced. Absent when none. */
  redacted?: number;
  /** The parsed JSON answer, bounded (`cut`). */
  body: JsonValue;
}

/** How much of each array, object and string a recording keeps. */
export interface CutLimits {
  /** First items of an array. */
  items: number;
  /** First keys of an object, in sorted order. */
  keys: number;
  /** First characters of a string. */
  chars: number;
}

/** One array, object or string cut: its place in the body and how many items, keys or characters it had. */
export type CutPlace = { at: Array<string | number> } & ({ items: number } | { keys: number } | { chars: number });

const METHODS: ReadonlySet<string> = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** What is wrong with a parsed file as a recording, or undefined when it is one. */
export function recordingProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a recording (not a JSON object)';
  const r = value as Record<string, unknown>;
  const missing = ['method', 'path', 'pathTemplate', 'operationId', 'status', 'params', 'body'].filter((k) => !(k in r));
  if (missing.length) return `not a recording (no ${missing.join(', ')})`;
  if (typeof r['method'] !== 'string' || !METHODS.has(r['method'])) return `not a recording (method ${JSON.stringify(r['method'])})`;
  if (typeof r['path'] !== 'string' || !r['path'].startsWith('/') || /[?#]/.test(r['path'])) return 'not a recording (path is not a path without query)';
  if (typeof r['pathTemplate'] !== 'string' || typeof r['operationId'] !== 'string') return 'not a recording (pathTemplate and operationId must be text)';
  if (typeof r['status'] !== 'number' || !Number.isInteger(r['status']) || r['status'] < 200 || r['status'] > 299) return `not a recording (status ${JSON.stringify(r['status'])} is not 2xx)`;
  if (!Array.isArray(r['params']) || !r['params'].every((p) => typeof p === 'string')) return 'not a recording (params must be a list of names)';
  if ('catmaidVersion' in r && r['catmaidVersion'] !== null && typeof r['catmaidVersion'] !== 'string') return 'not a recording (catmaidVersion must be text or null)';
  return undefined;
}

/** A file of the directory that was not read, and why. */
export interface ObservedWarning {
  /** The file's name, relative to the directory. */
  file: string;
  message: string;
}

/**
 * Every `*.json` file directly in `dir` (dot files aside), in name order, as recorded answers;
 * files that are not JSON or not recordings become warnings. A `dir` that does not exist or is not
 * a directory is a {@link UsageError}.
 */
export function readObserved(dir: string): { answers: RecordedAnswer[]; warnings: ObservedWarning[] } {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--observed ${dir} is not a directory`);
    names = readdirSync(dir);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `--observed ${dir} does not exist` : `cannot read --observed ${dir}: ${code ?? String(e)}`);
  }
  const answers: RecordedAnswer[] = [];
  const warnings: ObservedWarning[] = [];
  for (const file of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort(compareText)) {
    let value: unknown;
    try {
      const path = join(dir, file);
      if (!statSync(path).isFile()) continue;
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      const reason = e instanceof SyntaxError ? 'not JSON' : `unreadable (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
      warnings.push({ file, message: `${reason}; skipped` });
      continue;
    }
    const problem = recordingProblem(value);
    if (problem) {
      warnings.push({ file, message: `${problem}; skipped` });
      continue;
    }
    const r = value as ObservedRecording;
    answers.push({ source: 'observed', method: r.method, path: r.path, params: [...r.params], body: r.body, status: r.status, file, line: null });
  }
  return { answers, warnings };
}

/** The warnings as lines like the source's diagnostics: `DIR/file: warning observed-recording: message`. */
export function formatObservedWarnings(dir: string, warnings: readonly ObservedWarning[]): string {
  return warnings.map((w) => `${join(dir, w.file)}: warning observed-recording: ${w.message}\n`).join('');
}

/** The build options (`BuildOptions`) of `--observed <dir>`: its recordings as `observed`, and the files skipped. */
export function observedBuildOptions(dir: string): { options: { observed: RecordedAnswer[] }; warnings: ObservedWarning[] } {
  const { answers, warnings } = readObserved(dir);
  return { options: { observed: answers }, warnings };
}
