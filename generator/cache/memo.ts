/**
 * Memoised computations with recorded dependencies: the way the model stage reuses what it
 * computed for another ref, or in an earlier run, when what it read has not changed.
 *
 * While a computation runs, every lookup it makes of the source is *noted* as a dependency: a
 * lookup (`f:<file>`: the content of a file, `m:<module>`: which file a dotted module name is, …)
 * and its answer (git's blob id, the file, …). What it reports as diagnostics is noted too. The
 * result is kept with both (store.ts). Asked again — for the next ref, or in the next run — a kept
 * variant is used when every one of its lookups answers the same in the tree at hand (`probe`);
 * its diagnostics are reported again and its lookups are noted for any computation around it, so
 * nesting works. Anything else is computed afresh.
 *
 * A computation must be a function of what it notes and of its key: it may keep no state of its
 * own between calls, and results must be plain JSON data.
 *
 * Consumes: computations, their keys, a {@link FactStore} and the tree's lookups. Produces: the
 * computations' results, and the lookups and diagnostics of computations around them.
 */
import type { Diagnostic, DiagnosticBag } from '../diagnostics.js';
import type { FactStore, Variant } from './store.js';

interface Recording {
  deps: Map<string, string>;
  diagnostics: Diagnostic[];
}

/** A result with the lookups it made and the diagnostics it reported, to be noted again at each use. */
export interface Recorded<T> {
  result: T;
  deps: Array<[string, string]>;
  diagnostics: Diagnostic[];
}

export class Recorder {
  private readonly open: Recording[] = [];

  /**
   * `probe(lookup)` answers a lookup in the tree at hand, as the lookup's code would note it.
   * Diagnostics reported to `bag` while a computation runs are noted for it.
   */
  constructor(
    readonly store: FactStore,
    private readonly probe: (lookup: string) => string,
    private readonly bag: DiagnosticBag,
    /** Told of every lookup noted, also of those a kept result brings along. */
    private readonly onNote?: (lookup: string) => void,
  ) {
    bag.listener = (d) => {
      for (const r of this.open) r.diagnostics.push(d);
    };
  }

  /** True while some computation is being recorded. */
  get recording(): boolean {
    return this.open.length > 0;
  }

  /** Notes a lookup and its answer for every computation running. */
  note(lookup: string, answer: string): void {
    for (const r of this.open) r.deps.set(lookup, answer);
    this.onNote?.(lookup);
  }

  /** Runs `compute()` and gives its result with the lookups and diagnostics it made (noted around it too). */
  capture<T>(compute: () => T): Recorded<T> {
    const recording: Recording = { deps: new Map(), diagnostics: [] };
    this.open.push(recording);
    let result: T;
    try {
      result = compute();
    } finally {
      this.open.splice(this.open.indexOf(recording), 1);
    }
    const deps = [...recording.deps].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // The lookups of this computation are lookups of every computation around it.
    for (const [lookup, answer] of deps) this.note(lookup, answer);
    return { result, deps, diagnostics: recording.diagnostics };
  }

  /** Notes again what a captured or kept computation looked up and reported. */
  replay(r: Pick<Recorded<unknown>, 'deps' | 'diagnostics'>): void {
    for (const [lookup, answer] of r.deps) this.note(lookup, answer);
    for (const d of r.diagnostics) this.bag.add(d.code, d.message, d.file, d.line, d.level, d.operation);
  }

  /**
   * The result of `compute()`, reused when a kept variant for `kind`/`key` still holds. `key` must
   * say everything the computation depends on that it does not note (its arguments).
   */
  memo<T>(kind: string, key: string, compute: () => T): T {
    // What this thread holds first; then, once, what another thread or process may have kept since.
    for (const reload of this.store.dir !== undefined ? [false, true] : [false]) {
      for (const v of this.store.variants(kind, key, reload)) {
        if (!this.holds(v)) continue;
        const text = this.store.resultOf(v);
        if (text === undefined) continue;
        this.store.count(kind, true);
        this.replay(v);
        return JSON.parse(text) as T;
      }
    }
    this.store.count(kind, false);
    const { result, deps, diagnostics } = this.capture(compute);
    // Kept as text now: what the caller changes later is not what was kept.
    this.store.add(kind, key, deps, diagnostics, JSON.stringify(result));
    return result;
  }

  private holds(v: Variant): boolean {
    for (const [lookup, answer] of v.deps) if (this.probe(lookup) !== answer) return false;
    return true;
  }
}
