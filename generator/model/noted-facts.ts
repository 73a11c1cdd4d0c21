/**
 * Module facts whose uses are noted for the cache (generator/cache/memo.ts): which names a
 * computation looked up in a module, its star imports, or its whole shape, rather than the file.
 *
 * Consumes: {@link ModuleFacts} and the {@link Recorder}. Produces: module facts that note each use,
 * and the answers those lookups are checked against.
 */
import type { Recorder } from '../cache/memo.js';
import type { ModuleFacts } from '../parse/module.js';

/**
 * Module facts whose every use is noted: a name looked up (`definitions.get(name)`,
 * `imports.has(name)`) is a lookup `n:<file>#<name>` answered by what the name is there (see
 * {@link describeName}); the star imports, `S:<file>`; going through all names, the module's shape
 * `F:<file>`. So a module that gains an unrelated function keeps what used other names of it.
 */
export function notingFacts(facts: ModuleFacts, recorder: Recorder, shape: string): ModuleFacts {
  const noteName = (name: string) => recorder.note(`n:${facts.file}#${name}`, describeName(facts, name));
  const noteShape = () => recorder.note(`F:${facts.file}`, shape);
  const stars = facts.stars;
  const noted: ModuleFacts = {
    ...facts,
    definitions: new NotingMap(facts.definitions, noteName, noteShape),
    imports: new NotingMap(facts.imports, noteName, noteShape),
    get stars(): string[] {
      recorder.note(`S:${facts.file}`, JSON.stringify(stars));
      return stars;
    },
  };
  raw.set(noted, facts);
  return noted;
}

/** The facts under noting ones (see {@link notingFacts}), read without noting. */
const raw = new WeakMap<ModuleFacts, ModuleFacts>();

/** What a name is in a module: `d:<kind>` (defined), `i:<qualified name>` (imported) or `-`. */
export function describeName(facts: ModuleFacts, name: string): string {
  const plain = raw.get(facts) ?? facts;
  const d = plain.definitions.get(name);
  if (d) return `d:${d.kind}`;
  const i = plain.imports.get(name);
  return i !== undefined ? `i:${i}` : '-';
}

export function rawStars(facts: ModuleFacts): string[] {
  return (raw.get(facts) ?? facts).stars;
}

/** A map that notes each key asked for, and a whole pass over it. */
class NotingMap<V> extends Map<string, V> {
  constructor(
    entries: Map<string, V>,
    private readonly onKey: (key: string) => void,
    private readonly onAll: () => void,
  ) {
    super();
    for (const [k, v] of entries) super.set(k, v);
  }
  override get(key: string): V | undefined {
    this.onKey(key);
    return super.get(key);
  }
  override has(key: string): boolean {
    this.onKey(key);
    return super.has(key);
  }
  override get size(): number {
    this.onAll();
    return super.size;
  }
  override keys(): MapIterator<string> {
    this.onAll();
    return super.keys();
  }
  override values(): MapIterator<V> {
    this.onAll();
    return super.values();
  }
  override entries(): MapIterator<[string, V]> {
    this.onAll();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[string, V]> {
    this.onAll();
    return super[Symbol.iterator]();
  }
  override forEach(callback: (value: V, key: string, map: Map<string, V>) => void, thisArg?: unknown): void {
    this.onAll();
    super.forEach(callback, thisArg);
  }
}
