/**
 * Where facts keyed by content are kept: in memory for the whole process (so every ref a
 * `changelog` or `diff` reads in one worker shares them), and, unless turned off, on disk under a
 * cache directory (`--cache-dir`, default {@link defaultCacheDir}), so that the next run starts
 * warm.
 *
 * An entry is addressed by a kind (`module-facts`, `urlconf`, `operations`, `api-tests`) and a key
 * (for a file's facts: its content id, git's blob id); it holds *variants*, each the result of one
 * computation with the dependencies it read (`deps`: what each lookup answered) and the
 * diagnostics it reported. A variant is used only when every dependency answers the same today
 * (memo.ts checks that). On disk, below a directory named by the generator's fingerprint, an entry
 * is a directory named by a digest of kind and key, with one JSON file per variant (so that
 * writers adding variants at once never overwrite each other) holding its dependencies,
 * diagnostics and result: a small one inside, a large one in a file of its own named by the
 * SHA-256 of its text (so a result shared by variants is kept once); either is used only when its
 * text has its digest. Every file is written to a temporary file and renamed into place, so
 * concurrent runs never see half of one. A variant file that does not parse, is of another
 * fingerprint, kind or key, or is not shaped as expected is ignored, never trusted, and so is a
 * result whose text does not have its digest; what cannot be written is skipped (noted in
 * {@link FactStore.problems}).
 *
 * Consumes: kinds, keys and variants. Produces: the variants kept for a key, newest first.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { generatorFingerprint } from './fingerprint.js';

/** A top-level definition a computation used: `[file, name, first line, last line]` (memo.ts). */
export type Anchor = [file: string, name: string, first: number, last: number];

/** One result of a computation and what it depended on. */
export interface Variant {
  /** `[lookup, answer]` pairs: what the computation read and what it was then (memo.ts). */
  deps: Array<[string, string]>;
  /** The definitions it used, where they were: its lines inside them move with them. */
  anchors: Anchor[];
  /** `[file, content id]` of the files it read in parts (definitions, names): while the same, those parts are. */
  contents: Array<[string, string]>;
  /** Diagnostics the computation reported, replayed when the variant is used. */
  diagnostics: Diagnostic[];
  /** The result, as JSON text (a copy is parsed for each use); read when first needed for a variant from disk. */
  result?: string;
  /** SHA-256 of `result`: the name of its file on disk. */
  resultId: string;
}

/** Counts of lookups by kind, for `--cache-stats` and the benchmark. */
export interface CacheStats {
  [kind: string]: { hits: number; misses: number };
}

/** Variants kept per key; older ones are dropped first. */
const MAX_VARIANTS = 64;
/** The on-disk format; part of the directory name, so a new format never reads an old one. */
const FORMAT = 5;
/** Results up to this many characters are kept inside their entry, larger ones in a file of their own. */
const INLINE_RESULT = 32 * 1024;

/** What makes two variants one: the same result with the same dependencies and anchors (computed once a variant). */
function identity(v: Variant): string {
  let id = identities.get(v);
  if (id === undefined) identities.set(v, (id = `${v.resultId}\0${JSON.stringify([v.deps, v.anchors])}`));
  return id;
}

const identities = new WeakMap<Variant, string>();

/**
 * The default cache directory: `$XDG_CACHE_HOME/catmaid-codegen`, else
 * `~/.cache/catmaid-codegen` (`%LOCALAPPDATA%\catmaid-codegen\cache` on Windows).
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'catmaid-codegen');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'catmaid-codegen', 'cache');
  return join(homedir(), '.cache', 'catmaid-codegen');
}

export class FactStore {
  private readonly memory = new Map<string, Variant[]>();
  /** Entries read from disk or found absent there, so each is read at most once. */
  private readonly loaded = new Set<string>();
  /**
   * The variant files of each entry this store has read or written: a reload reads only the
   * others (another thread or process may have added some since), not every file again.
   */
  private readonly filesSeen = new Map<string, Set<string>>();
  /** Entries looked up or added since the last {@link forgetUnused}, and between the two calls before. */
  private used = new Set<string>();
  private usedBefore = new Set<string>();
  private readonly root: string | undefined;
  /** Lookups that found a usable variant, and those that did not, by kind. */
  readonly stats: CacheStats = {};
  /** Directories this store made (or is making), so each is made once. */
  private readonly made = new Map<string, Promise<void>>();
  /** Writes under way, by path. */
  private readonly writing = new Map<string, Promise<void>>();
  /** Why the disk cache could not be written (first few), for a one-line warning. */
  readonly problems: string[] = [];

  /** `dir`: the cache directory, or undefined to keep facts in memory only. */
  constructor(readonly dir: string | undefined) {
    this.root = dir === undefined ? undefined : join(dir, `v${FORMAT}`, generatorFingerprint().slice(0, 24));
  }

  /**
   * The variants of an entry, newest first: read from disk the first time, and again with
   * `reload` (another thread or process may have kept one since).
   */
  variants(kind: string, key: string, reload = false): readonly Variant[] {
    const id = `${kind}\0${key}`;
    this.used.add(id);
    if (this.root !== undefined && (reload || !this.loaded.has(id))) {
      this.loaded.add(id);
      let seen = this.filesSeen.get(id);
      if (!seen) this.filesSeen.set(id, (seen = new Set()));
      this.merge(id, this.onDisk(kind, key, seen).map((v) => v.variant));
    }
    return this.memory.get(id) ?? [];
  }

  /**
   * Drops from memory the entries looked up neither since the last call nor before it (they stay
   * on disk). A thread that reads refs one after the other (a `changelog` worker) calls it after
   * each ref: what two releases in a row did not look up is what changed in them, which the next
   * release does not look up either, so memory holds about two releases' facts instead of all of
   * them. (Keeping one release's measured 5% slower on CATMAID's changelog, for the same memory.)
   */
  forgetUnused(): void {
    const keep = (id: string) => this.used.has(id) || this.usedBefore.has(id);
    for (const id of this.memory.keys()) if (!keep(id)) this.memory.delete(id);
    for (const id of this.loaded) if (!keep(id)) this.loaded.delete(id);
    for (const id of this.filesSeen.keys()) if (!keep(id)) this.filesSeen.delete(id);
    this.usedBefore = this.used;
    this.used = new Set();
  }

  /** Adds variants read from disk that memory does not hold, after those it holds. */
  private merge(id: string, fromDisk: Variant[]): void {
    if (!fromDisk.length) return;
    const held = this.memory.get(id) ?? [];
    // The same result with the same dependencies and anchors is the same variant.
    const known = new Set(held.map(identity));
    this.memory.set(id, [...held, ...fromDisk.filter((d) => !known.has(identity(d)))].slice(0, MAX_VARIANTS));
  }

  /** Keeps a new result first, with what it depended on, in memory and on disk. */
  add(kind: string, key: string, deps: Variant['deps'], diagnostics: Diagnostic[], anchors: Anchor[], contents: Variant['contents'], result: string): void {
    const id = `${kind}\0${key}`;
    const variant: Variant = { deps, diagnostics, anchors, contents, result, resultId: createHash('sha256').update(result).digest('hex') };
    // Variants others keep meanwhile are files of their own: nothing to merge before writing.
    const known = [variant, ...this.variants(kind, key)];
    this.memory.set(id, known.slice(0, MAX_VARIANTS));
    if (this.root !== undefined) {
      // One file per variant, so that threads and processes adding variants of one entry at once
      // never write over each other. A small result goes in it; a large one in a file of its own,
      // written unless already there whole (another variant's, or another run's).
      const inline = result.length <= INLINE_RESULT;
      if (!inline && this.readResult(variant.resultId) === undefined) this.writeFile(this.resultPath(variant.resultId), result);
      const body = { deps, diagnostics, anchors, contents, resultId: variant.resultId, ...(inline ? { result } : {}) };
      const name = createHash('sha256').update(JSON.stringify([deps, anchors, contents, variant.resultId])).digest('hex').slice(0, 32);
      this.writeFile(join(this.pathOf(kind, key), `${name}.json`), JSON.stringify({ fingerprint: generatorFingerprint(), kind, key, time: Date.now(), variant: body }));
      this.filesSeen.get(id)?.add(`${name}.json`);
      // The oldest beyond MAX_VARIANTS go (the directory is read only when there may be too many).
      if (known.length > MAX_VARIANTS) for (const old of this.onDisk(kind, key).slice(MAX_VARIANTS)) this.removeFile(old.path);
    }
  }

  /**
   * What a computation that depends on its key alone (a digest of all it reads) gave, if kept;
   * counted as a lookup of `kind`.
   */
  find(kind: string, key: string): string | undefined {
    for (const v of this.variants(kind, key)) {
      if (v.deps.length) continue;
      const text = this.resultOf(v);
      if (text !== undefined) {
        this.count(kind, true);
        return text;
      }
    }
    this.count(kind, false);
    return undefined;
  }

  /**
   * The result text of a variant: read from disk the first time for one that was kept there;
   * undefined when its file is gone or does not hold what its digest says.
   */
  resultOf(variant: Variant): string | undefined {
    if (variant.result === undefined && this.root !== undefined) variant.result = this.readResult(variant.resultId);
    return variant.result;
  }

  /** A result's text from disk, if its file is there and holds text of its digest. */
  private readResult(resultId: string): string | undefined {
    try {
      const text = readFileSync(this.resultPath(resultId), 'utf8');
      return createHash('sha256').update(text).digest('hex') === resultId ? text : undefined;
    } catch {
      return undefined; // gone or unreadable: not used
    }
  }

  /** Counts a lookup. */
  count(kind: string, hit: boolean): void {
    const s = (this.stats[kind] ??= { hits: 0, misses: 0 });
    if (hit) s.hits++;
    else s.misses++;
  }

  /** The directory of an entry's variants. */
  private pathOf(kind: string, key: string): string {
    const digest = createHash('sha256').update(kind).update('\0').update(key).digest('hex');
    return join(this.root!, kind, digest.slice(0, 2), digest);
  }

  private resultPath(resultId: string): string {
    return join(this.root!, 'results', resultId.slice(0, 2), `${resultId}.json`);
  }

  /**
   * The variants of an entry on disk, newest first, with their files; what is not whole and right
   * is left out. With `seen`, only files not in it are read, and those read are added to it.
   */
  private onDisk(kind: string, key: string, seen?: Set<string>): Array<{ variant: Variant; path: string; time: number }> {
    const dir = this.pathOf(kind, key);
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.json') && !seen?.has(n));
    } catch {
      return [];
    }
    for (const name of names) seen?.add(name);
    const found: Array<{ variant: Variant; path: string; time: number }> = [];
    for (const name of names) {
      const path = join(dir, name);
      try {
        const file = JSON.parse(readFileSync(path, 'utf8')) as { fingerprint?: unknown; kind?: unknown; key?: unknown; time?: unknown; variant?: unknown };
        if (file.fingerprint !== generatorFingerprint() || file.kind !== kind || file.key !== key || typeof file.time !== 'number' || !isVariant(file.variant)) continue;
        const { deps, diagnostics, anchors, contents, resultId, result } = file.variant;
        found.push({
          path,
          time: file.time,
          variant: {
            deps,
            diagnostics,
            anchors,
            contents,
            resultId,
            // A result kept in the variant's file is used only when it is the text its digest says.
            ...(typeof result === 'string' && createHash('sha256').update(result).digest('hex') === resultId ? { result } : {}),
          },
        });
      } catch {
        // truncated or not JSON: ignored
      }
    }
    return found.sort((a, b) => b.time - a.time || (a.path < b.path ? -1 : 1));
  }

  /** Removes a file in the background (a variant pushed out; gone already is fine). */
  private removeFile(path: string): void {
    const previous = this.writing.get(path) ?? Promise.resolve();
    const done = previous.then(() => rm(path, { force: true }).catch(() => undefined));
    this.writing.set(path, done);
    void done.then(() => {
      if (this.writing.get(path) === done) this.writing.delete(path);
    });
  }

  /**
   * Writes a file whole or not at all (a temporary file renamed into place), in the background:
   * the work goes on while the file system writes ({@link FactStore.flush} waits for it). Writes of
   * one path happen in the order asked.
   */
  private writeFile(path: string, text: string): void {
    const previous = this.writing.get(path) ?? Promise.resolve();
    const done = previous.then(async () => {
      const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        const dir = join(path, '..');
        let made = this.made.get(dir);
        if (!made) {
          made = mkdir(dir, { recursive: true }).then(() => undefined);
          this.made.set(dir, made);
        }
        await made;
        await writeFile(temporary, text);
        await rename(temporary, path);
      } catch (e) {
        await rm(temporary, { force: true }).catch(() => undefined);
        if (this.problems.length < 3) this.problems.push(`cannot write the cache (${this.dir}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    });
    this.writing.set(path, done);
    void done.then(() => {
      if (this.writing.get(path) === done) this.writing.delete(path);
    });
  }

  /** Waits until everything asked to be written is on disk (or failed, see {@link FactStore.problems}). */
  async flush(): Promise<void> {
    while (this.writing.size) await Promise.all([...this.writing.values()]);
  }
}

function isVariant(v: unknown): v is Variant {
  if (typeof v !== 'object' || v === null) return false;
  const { deps, diagnostics, anchors, contents, resultId } = v as Partial<Variant>;
  return (
    Array.isArray(contents) &&
    contents.every((c) => Array.isArray(c) && c.length === 2 && typeof c[0] === 'string' && typeof c[1] === 'string') &&
    Array.isArray(anchors) &&
    anchors.every((a) => Array.isArray(a) && a.length === 4 && typeof a[0] === 'string' && typeof a[1] === 'string' && Number.isInteger(a[2]) && Number.isInteger(a[3])) &&
    typeof resultId === 'string' &&
    /^[0-9a-f]{64}$/.test(resultId) &&
    Array.isArray(diagnostics) &&
    diagnostics.every((d) => typeof d === 'object' && d !== null && typeof d.code === 'string' && typeof d.message === 'string') &&
    Array.isArray(deps) &&
    deps.every((d) => Array.isArray(d) && d.length === 2 && typeof d[0] === 'string' && typeof d[1] === 'string')
  );
}

const stores = new Map<string, FactStore>();

/** Lookups of the stores of this thread, by kind. */
export function cacheStats(): CacheStats {
  return mergeStats(...[...stores.values()].map((s) => s.stats));
}

/** Sums of lookup counts by kind. */
export function mergeStats(...all: CacheStats[]): CacheStats {
  const sum: CacheStats = {};
  for (const stats of all) {
    for (const [kind, s] of Object.entries(stats)) {
      const t = (sum[kind] ??= { hits: 0, misses: 0 });
      t.hits += s.hits;
      t.misses += s.misses;
    }
  }
  return sum;
}

/** Waits for every store of this thread to finish writing. */
export async function flushCaches(): Promise<void> {
  await Promise.all([...stores.values()].map((s) => s.flush()));
}

/** Why the stores of this thread, and `more` (from worker threads), could not write: each once. */
export function cacheProblems(more: Iterable<string> = []): string[] {
  return [...new Set([...[...stores.values()].flatMap((s) => s.problems), ...more])];
}

/** The process's store for a cache directory (undefined: memory only), created once. */
export function factStore(dir: string | undefined): FactStore {
  const id = dir ?? '';
  let store = stores.get(id);
  if (!store) {
    store = new FactStore(dir);
    stores.set(id, store);
  }
  return store;
}
