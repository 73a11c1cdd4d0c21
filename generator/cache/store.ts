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
 * (memo.ts checks that). On disk, below a directory named by the generator's fingerprint, what a
 * store kept since its last flush is one *pack* file (packs.ts), written whole and renamed into
 * place, never changed: its variants' dependencies, diagnostics and results — a small result
 * inside its variant, a large one as a text of its own identified by its SHA-256 (so a result
 * shared by variants is kept once). Writers never overwrite each other, and concurrent runs never
 * see half of a pack. A variant that does not parse, is of another fingerprint, kind or key, or is
 * not shaped as expected is ignored, never trusted, and so is a result whose text does not have its
 * digest; what cannot be written is skipped (noted in {@link FactStore.problems}). Packs are read
 * lazily: their headers when the directory changed, a variant's text when its entry is looked up.
 *
 * Consumes: kinds, keys and variants. Produces: the variants kept for a key, newest first.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { generatorFingerprint } from './fingerprint.js';
import { listPacks, readPackIndex, readText, stampOf, writePack, type PackContents, type PackIndex, type Slice } from './packs.js';

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
const FORMAT = 6;
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
   * The variants on disk of each entry this store has read or written (`pack:offset`): a reload
   * reads only the others (another thread or process may have added some since).
   */
  private readonly placesSeen = new Map<string, Set<string>>();
  /** Entries looked up or added since the last {@link forgetUnused}, and between the two calls before. */
  private used = new Set<string>();
  private usedBefore = new Set<string>();
  /** Where the packs are (below a directory named by the format and the generator's fingerprint). */
  private readonly packsDir: string | undefined;
  /** The packs whose headers were read (or found not to be packs of this generator: undefined). */
  private readonly packs = new Map<string, PackIndex | undefined>();
  /** Where each entry's variants are on disk (by {@link entryDigest}), by the packs read. */
  private readonly onDisk = new Map<string, Array<{ pack: PackIndex } & Slice>>();
  /** Where each large result is on disk (every pack that holds it: one may be cut short). */
  private readonly resultsOnDisk = new Map<string, Array<{ pack: PackIndex } & Slice>>();
  /** When the packs directory last changed, as last listed. */
  private listedStamp: number | undefined;
  /** What was kept since the last flush, for the next pack, and the entry (`kind\0key`) of each variant. */
  private pending: PackContents = { variants: [], results: [] };
  private pendingIds: string[] = [];
  /** Pack writes under way. */
  private readonly writing = new Set<Promise<void>>();
  /** Lookups that found a usable variant, and those that did not, by kind. */
  readonly stats: CacheStats = {};
  /** Why the disk cache could not be written (first few), for a one-line warning. */
  readonly problems: string[] = [];

  /** `dir`: the cache directory, or undefined to keep facts in memory only. */
  constructor(readonly dir: string | undefined) {
    this.packsDir = dir === undefined ? undefined : join(dir, `v${FORMAT}`, generatorFingerprint().slice(0, 24), 'packs');
  }

  /**
   * The variants of an entry, newest first: read from disk the first time, and again with
   * `reload` (another thread or process may have kept one since).
   */
  variants(kind: string, key: string, reload = false): readonly Variant[] {
    const id = `${kind}\0${key}`;
    this.used.add(id);
    if (this.packsDir !== undefined && (reload || !this.loaded.has(id))) {
      this.loaded.add(id);
      let seen = this.placesSeen.get(id);
      if (!seen) this.placesSeen.set(id, (seen = new Set()));
      this.readNewPacks();
      this.merge(id, this.readVariants(kind, key, seen));
    }
    return this.memory.get(id) ?? [];
  }

  /** Reads the headers of the packs added to the directory since it was last listed. */
  private readNewPacks(): void {
    const stamp = stampOf(this.packsDir!);
    if (stamp === undefined || stamp === this.listedStamp) return;
    this.listedStamp = stamp;
    for (const name of listPacks(this.packsDir!)) if (!this.packs.has(name)) this.index(name, readPackIndex(this.packsDir!, name, generatorFingerprint()));
  }

  /** Notes where a pack's variants and results are (nothing for what is not a pack of this generator). */
  private index(name: string, pack: PackIndex | undefined): void {
    this.packs.set(name, pack);
    if (!pack) return;
    for (const v of pack.variants) {
      let at = this.onDisk.get(v.entry);
      if (!at) this.onDisk.set(v.entry, (at = []));
      at.push({ pack, offset: v.offset, length: v.length });
    }
    for (const r of pack.results) {
      let at = this.resultsOnDisk.get(r.id);
      if (!at) this.resultsOnDisk.set(r.id, (at = []));
      at.push({ pack, offset: r.offset, length: r.length });
    }
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
    for (const id of this.placesSeen.keys()) if (!keep(id)) this.placesSeen.delete(id);
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

  /** Keeps a new result first, with what it depended on, in memory and (at the next flush) on disk. */
  add(kind: string, key: string, deps: Variant['deps'], diagnostics: Diagnostic[], anchors: Anchor[], contents: Variant['contents'], result: string): void {
    const id = `${kind}\0${key}`;
    const variant: Variant = { deps, diagnostics, anchors, contents, result, resultId: createHash('sha256').update(result).digest('hex') };
    // Variants others keep meanwhile are in packs of their own: nothing to merge before writing.
    const known = [variant, ...this.variants(kind, key)];
    this.memory.set(id, known.slice(0, MAX_VARIANTS));
    if (this.packsDir !== undefined) {
      // A small result goes in its variant; a large one is a text of its own, written unless it
      // is on disk whole already (another variant's, or another run's) or about to be.
      const inline = result.length <= INLINE_RESULT;
      if (!inline && !this.pending.results.some((r) => r.id === variant.resultId) && this.readResult(variant.resultId) === undefined) this.pending.results.push({ id: variant.resultId, text: result });
      const body = { deps, diagnostics, anchors, contents, resultId: variant.resultId, ...(inline ? { result } : {}) };
      this.pending.variants.push({ entry: entryDigest(kind, key), text: JSON.stringify({ kind, key, variant: body }) });
      this.pendingIds.push(id);
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
    if (variant.result === undefined && this.packsDir !== undefined) variant.result = this.readResult(variant.resultId);
    return variant.result;
  }

  /** A result's text from disk, if a pack holds it whole with its digest. */
  private readResult(resultId: string): string | undefined {
    if (this.packsDir === undefined) return undefined;
    if (!this.resultsOnDisk.has(resultId)) this.readNewPacks();
    for (const at of this.resultsOnDisk.get(resultId) ?? []) {
      const text = readText(this.packsDir, at.pack, at);
      if (text !== undefined && createHash('sha256').update(text).digest('hex') === resultId) return text;
    }
    return undefined;
  }

  /** Counts a lookup. */
  count(kind: string, hit: boolean): void {
    const s = (this.stats[kind] ??= { hits: 0, misses: 0 });
    if (hit) s.hits++;
    else s.misses++;
  }

  /**
   * The variants of an entry in the packs read, newest first; what is not whole and right is left
   * out. Only those not in `seen` are read, and those read are added to it.
   */
  private readVariants(kind: string, key: string, seen: Set<string>): Variant[] {
    const found: Array<{ variant: Variant; time: number; name: string; offset: number }> = [];
    // The newest first, and no more than memory keeps (packs are never changed: older variants
    // stay on disk, unread).
    const newest = (this.onDisk.get(entryDigest(kind, key)) ?? [])
      .filter((at) => !seen.has(placeOf(at.pack.name, at.offset)))
      .sort((a, b) => b.pack.time - a.pack.time || (a.pack.name < b.pack.name ? -1 : a.pack.name > b.pack.name ? 1 : b.offset - a.offset))
      .slice(0, MAX_VARIANTS);
    for (const at of newest) {
      seen.add(placeOf(at.pack.name, at.offset));
      const text = readText(this.packsDir!, at.pack, at);
      if (text === undefined) continue;
      try {
        const file = JSON.parse(text) as { kind?: unknown; key?: unknown; variant?: unknown };
        if (file.kind !== kind || file.key !== key || !isVariant(file.variant)) continue;
        const { deps, diagnostics, anchors, contents, resultId, result } = file.variant;
        found.push({
          time: at.pack.time,
          name: at.pack.name,
          offset: at.offset,
          variant: {
            deps,
            diagnostics,
            anchors,
            contents,
            resultId,
            // A result kept in the variant is used only when it is the text its digest says.
            ...(typeof result === 'string' && createHash('sha256').update(result).digest('hex') === resultId ? { result } : {}),
          },
        });
      } catch {
        // not JSON: ignored
      }
    }
    return found.sort((a, b) => b.time - a.time || (a.name < b.name ? -1 : a.name > b.name ? 1 : b.offset - a.offset)).map((f) => f.variant);
  }

  /**
   * Writes what was kept since the last flush as one pack, and waits until every pack asked to be
   * written is on disk (or failed, see {@link FactStore.problems}).
   */
  async flush(): Promise<void> {
    if (this.packsDir !== undefined && (this.pending.variants.length || this.pending.results.length)) {
      const contents = this.pending;
      const ids = this.pendingIds;
      this.pending = { variants: [], results: [] };
      this.pendingIds = [];
      const done = writePack(this.packsDir, generatorFingerprint(), contents).then(
        (pack) => {
          this.index(pack.name, pack);
          // What this store wrote, it holds: a reload does not read it back.
          pack.variants.forEach((v, i) => this.placesSeen.get(ids[i]!)?.add(placeOf(pack.name, v.offset)));
        },
        (e: unknown) => {
          if (this.problems.length < 3) this.problems.push(`cannot write the cache (${this.dir}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        },
      );
      this.writing.add(done);
      void done.finally(() => this.writing.delete(done));
    }
    while (this.writing.size) await Promise.all([...this.writing]);
  }
}

/** A variant's place on disk, as {@link FactStore} remembers those it has read or written. */
function placeOf(pack: string, offset: number): string {
  return `${pack}:${offset}`;
}

/** How packs name an entry: a digest of its kind and key (the variant itself says both). */
function entryDigest(kind: string, key: string): string {
  return createHash('sha256').update(kind).update('\0').update(key).digest('hex').slice(0, 32);
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
