/**
 * Memoised computations with recorded dependencies: the way the model stage reuses what it
 * computed for another ref, or in an earlier run, when what it read has not changed.
 *
 * While a computation runs, every lookup it makes of the source is *noted* as a dependency: a
 * lookup (`f:<file>`: the content of a file; `d:<file>#<name>`: the text of one top-level
 * definition; `F:<file>`: the names a module defines and imports; `m:<module>`: which file a dotted
 * module name is, …) and its answer (a digest, the file, …). What it reports as diagnostics is
 * noted too, and each definition it used is an *anchor*: its name and the lines it spanned. The
 * result is kept with all three (store.ts). Asked again — for the next ref, or in the next run — a
 * kept variant is used when every one of its lookups answers the same in the tree at hand
 * (`probe`); the lines of its result inside an anchor move with the definition when lines were
 * added or removed above it (its text, being the same, keeps its own lines); its diagnostics are
 * reported again and its lookups and anchors are noted for any computation around it, so nesting
 * works. A result line in a file read only by definitions but outside all of them makes the
 * whole file a lookup (`f:`), so that such a line is never moved wrongly. Anything else is
 * computed afresh.
 *
 * A computation must be a function of what it notes and of its key: it may keep no state of its
 * own between calls, and results must be plain JSON data.
 *
 * Consumes: computations, their keys, a {@link FactStore} and the tree's lookups. Produces: the
 * computations' results, and the lookups and diagnostics of computations around them.
 */
import type { Diagnostic, DiagnosticBag } from '../diagnostics.js';
import { mapPlaces, visitPlaces } from './places.js';
import type { Anchor, FactStore, Variant } from './store.js';

interface Recording {
  deps: Map<string, string>;
  diagnostics: Diagnostic[];
  /** Definitions used, by `file#name`. */
  anchors: Map<string, Anchor>;
  /** Lookups noted inside it are not noted for the computations around it (see {@link Recorder.isolated}). */
  barrier?: boolean;
}

/** A result with the lookups it made and the diagnostics it reported, to be noted again at each use. */
export interface Recorded<T> {
  result: T;
  deps: Array<[string, string]>;
  diagnostics: Diagnostic[];
  anchors: Anchor[];
}

/** What the tree at hand answers: a lookup, and where a definition is now. */
export interface TreeLookups {
  probe(lookup: string): string;
  /** First and last line of a module's top-level definition now, if it has it. */
  span(file: string, name: string): [number, number] | undefined;
}

export class Recorder {
  private readonly open: Recording[] = [];

  /** Diagnostics reported to `bag` while a computation runs are noted for it. */
  constructor(
    readonly store: FactStore,
    private readonly tree: TreeLookups,
    private readonly bag: DiagnosticBag,
    /** Told of every lookup noted, also of those a kept result brings along. */
    private readonly onNote?: (lookup: string) => void,
  ) {
    bag.listener = (d) => {
      for (const r of this.open) r.diagnostics.push(d);
    };
  }

  /** Notes a lookup and its answer for every computation running (up to an isolated one). */
  note(lookup: string, answer: string): void {
    this.eachOpen((r) => r.deps.set(lookup, answer));
    this.onNote?.(lookup);
  }

  /** Notes that a definition was used (its text, `d:`, and its place, an anchor). */
  noteDefinition(file: string, name: string, hash: string, first: number, last: number): void {
    this.note(`d:${file}#${name}`, hash);
    this.eachOpen((r) => r.anchors.set(`${file}#${name}`, [file, name, first, last]));
  }

  /** Calls `f` for every computation running, innermost first, up to an isolated one. */
  private eachOpen(f: (r: Recording) => void): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      f(this.open[i]!);
      if (this.open[i]!.barrier) break;
    }
  }

  /**
   * Runs `compute()` noting nothing it looks up for the computations around it: for what depends
   * on its key alone (a file's facts, keyed by the file's content).
   */
  isolated<T>(compute: () => T): T {
    const recording: Recording = { deps: new Map(), diagnostics: [], anchors: new Map(), barrier: true };
    this.open.push(recording);
    try {
      return compute();
    } finally {
      this.open.splice(this.open.indexOf(recording), 1);
    }
  }

  /** Runs `compute()` and gives its result with the lookups and diagnostics it made (noted around it too). */
  capture<T>(compute: () => T): Recorded<T> {
    const recording: Recording = { deps: new Map(), diagnostics: [], anchors: new Map() };
    this.open.push(recording);
    let result: T;
    try {
      result = compute();
    } finally {
      this.open.splice(this.open.indexOf(recording), 1);
    }
    const deps = [...recording.deps].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const anchors = [...recording.anchors.values()];
    // The lookups of this computation are lookups of every computation around it: noted there
    // already, as they were made (note() notes them for every open one).
    return { result, deps, diagnostics: recording.diagnostics, anchors };
  }

  /** Notes again what a captured or kept computation looked up, used and reported. */
  replay(r: Pick<Recorded<unknown>, 'deps' | 'diagnostics' | 'anchors'>): void {
    for (const [lookup, answer] of r.deps) this.note(lookup, answer);
    for (const [file, name, first, last] of r.anchors) this.eachOpen((o) => o.anchors.set(`${file}#${name}`, [file, name, first, last]));
    for (const d of r.diagnostics) this.bag.add(d.code, d.message, d.file, d.line, d.level, d.operation);
  }

  /**
   * The result of `compute()`, reused when a kept variant for `kind`/`key` still holds. `key` must
   * say everything the computation depends on that it does not note (its arguments).
   */
  memo<T>(kind: string, key: string, compute: () => T): T {
    const kept = this.find<T>(kind, key);
    return kept ? kept.result : this.compute(kind, key, compute);
  }

  /**
   * A kept result for `kind`/`key` that still holds (its lookups and diagnostics noted again, its
   * lines where they are now), or undefined (counted as a miss: {@link compute} follows).
   */
  find<T>(kind: string, key: string): { result: T } | undefined {
    // What this thread holds first; then, once, what another thread or process may have kept since.
    for (const reload of this.store.dir !== undefined ? [false, true] : [false]) {
      for (const v of this.store.variants(kind, key, reload)) {
        const same = this.holds(v);
        if (!same) continue;
        const text = this.store.resultOf(v);
        if (text === undefined) continue;
        this.store.count(kind, true);
        const result = JSON.parse(text) as T;
        const moved = this.moved(v.anchors, same);
        if (!moved) this.replay(v);
        else {
          this.replay({ deps: v.deps, diagnostics: mapPlaces(v.diagnostics, moved.line), anchors: moved.anchors });
          visitPlaces(result, moved.line);
        }
        return { result };
      }
    }
    this.store.count(kind, false);
    return undefined;
  }

  /** Computes and keeps a result for `kind`/`key` (after {@link find} found none). */
  compute<T>(kind: string, key: string, compute: () => T): T {
    const { result, deps, diagnostics, anchors } = this.capture(compute);
    // A result line in a file read by definitions only, outside all of them, cannot be moved with
    // them: the variant then holds only for the same file.
    const exact = new Map(deps);
    if (anchors.length) {
      const spansOf = new Map<string, Array<[number, number]>>();
      for (const [file, , first, last] of anchors) spansOf.set(file, [...(spansOf.get(file) ?? []), [first, last]]);
      const visit = (file: string, line: number) => {
        const spans = spansOf.get(file);
        if (spans && !exact.has(`f:${file}`) && !spans.some(([first, last]) => line >= first && line <= last)) exact.set(`f:${file}`, this.tree.probe(`f:${file}`));
      };
      visitPlaces(result, visit);
      visitPlaces(diagnostics, visit);
    }
    const kept = [...exact].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // The content of every file read in parts: while it is the same, its parts need no checking.
    const contents = [...new Set(kept.flatMap(([lookup]) => (PARTS.test(lookup) ? [fileOf(lookup)] : [])))].sort().map((file): [string, string] => [file, this.tree.probe(`f:${file}`)]);
    // Kept as text now: what the caller changes later is not what was kept.
    this.store.add(kind, key, kept, diagnostics, anchors, contents, JSON.stringify(result));
    return result;
  }

  /**
   * How a kept variant's lines move in the tree at hand: undefined when no definition it used
   * moved; else the line map and the anchors where they are now.
   */
  private moved(anchors: readonly Anchor[], same: Set<string>): { line: (file: string, line: number) => number; anchors: Anchor[] } | undefined {
    const shifts: Array<{ file: string; first: number; last: number; by: number }> = [];
    const now: Anchor[] = [];
    for (const [file, name, first, last] of anchors) {
      const span: [number, number] | undefined = same.has(file) ? [first, last] : this.tree.span(file, name);
      const by = span ? span[0] - first : 0;
      if (by !== 0) shifts.push({ file, first, last, by });
      now.push([file, name, first + by, last + by]);
    }
    if (!shifts.length) return undefined;
    const line = (file: string, l: number) => {
      const s = shifts.find((x) => x.file === file && l >= x.first && l <= x.last);
      return s ? l + s.by : l;
    };
    return { line, anchors: now };
  }

  /**
   * Whether every lookup of a variant answers the same; if so, the files read in parts that are
   * the same as then (their parts are not checked one by one).
   */
  private holds(v: Variant): Set<string> | undefined {
    const same = new Set<string>();
    for (const [file, content] of v.contents) if (this.tree.probe(`f:${file}`) === content) same.add(file);
    for (const [lookup, answer] of v.deps) {
      if (PARTS.test(lookup) && same.has(fileOf(lookup))) continue;
      if (this.tree.probe(lookup) !== answer) return undefined;
    }
    return same;
  }
}

/**
 * Lookups of parts of a file: a definition's text (`d:`), the module's shape (`F:`), a name
 * (`n:`), its star imports (`S:`). Each answers the same while the file's content does; what
 * else they depend on (which modules exist) is a lookup of its own.
 */
const PARTS = /^[dFnS]:/;

/** The file of a lookup of a part of it. */
function fileOf(lookup: string): string {
  const rest = lookup.slice(2);
  const hash = rest.indexOf('#');
  return hash < 0 ? rest : rest.slice(0, hash);
}
