/** A CATMAID source tree held in memory, for tests that mutate trees many times (bad input, fuzzing). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { SourceTree } from '../generator/source/types.js';

export class MemorySource implements SourceTree {
  readonly kind = 'directory' as const;
  readonly location = '<memory>';
  private readonly files: Map<string, Buffer>;

  constructor(files: Record<string, string | Buffer> | Map<string, Buffer>) {
    this.files = files instanceof Map ? new Map(files) : new Map(Object.entries(files).map(([k, v]) => [k, Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8')]));
  }

  listFiles(): readonly string[] {
    return [...this.files.keys()].sort();
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  read(path: string): Buffer | undefined {
    return this.files.get(path);
  }

  prefetch(): void {}

  /** A copy with some files replaced (a Buffer or text) or removed (null). */
  with(changes: Record<string, string | Buffer | null>): MemorySource {
    const next = new Map(this.files);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8'));
    }
    return new MemorySource(next);
  }

  /** Every file of a directory on disk. */
  static fromDirectory(root: string): MemorySource {
    const files = new Map<string, Buffer>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else files.set(relative(root, p).split(sep).join('/'), readFileSync(p));
      }
    };
    walk(root);
    return new MemorySource(files);
  }
}
