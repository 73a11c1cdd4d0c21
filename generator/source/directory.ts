/**
 * A CATMAID checkout on disk, read with the file system. Symbolic links are followed only when
 * their target stays inside the tree, so a source tree cannot make the generator read elsewhere.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { blobId, SourceReadError, type SourceTree } from './types.js';

/** Directories that never hold Python the generator reads; skipping them keeps listing fast. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '__pycache__', '.tox', '.venv', 'venv']);

export class DirectorySource implements SourceTree {
  readonly kind = 'directory' as const;
  commit?: string;
  tags?: string[];
  dirty?: boolean;
  private readonly realRoot: string;
  private files: string[] | undefined;
  private fileSet: Set<string> | undefined;
  private lastRead: { path: string; bytes: Buffer } | undefined;

  constructor(readonly location: string) {
    this.realRoot = realpathSync(location);
  }

  listFiles(): readonly string[] {
    if (!this.files) {
      const out: string[] = [];
      this.walk(this.realRoot, out);
      out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.files = out;
      this.fileSet = new Set(out);
    }
    return this.files;
  }

  has(path: string): boolean {
    this.listFiles();
    return this.fileSet!.has(path);
  }

  read(path: string): Buffer | undefined {
    if (!this.has(path)) return undefined;
    // contentId() just read it: the parse that usually follows needs the same bytes.
    if (this.lastRead?.path === path) return this.lastRead.bytes;
    try {
      return readFileSync(join(this.realRoot, path));
    } catch (e) {
      throw new SourceReadError(path, (e as NodeJS.ErrnoException).code ?? String(e));
    }
  }

  /** The blob id of the file's bytes (read once; later reads of it are served from them). */
  contentId(path: string): string | undefined {
    const bytes = this.read(path);
    if (!bytes) return undefined;
    this.lastRead = { path, bytes };
    return blobId(bytes);
  }

  prefetch(): void {}

  /** Lists regular files; a symlink counts only when it resolves to a regular file inside the root. */
  private walk(dir: string, out: string[]): void {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // an unreadable directory is simply not part of the tree
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) this.walk(full, out);
      } else if (entry.isFile()) {
        out.push(this.relativePath(full));
      } else if (entry.isSymbolicLink() && this.isInside(full)) {
        const st = statSync(full, { throwIfNoEntry: false });
        if (st?.isFile()) out.push(this.relativePath(full));
        // Linked directories are not descended: they could loop, and a checkout has none.
      }
    }
  }

  private isInside(link: string): boolean {
    try {
      const target = realpathSync(link);
      return target === this.realRoot || target.startsWith(this.realRoot + sep);
    } catch {
      return false;
    }
  }

  private relativePath(full: string): string {
    return relative(this.realRoot, full).split(sep).join('/');
  }
}

/** True when `path` is a directory (following links); false when it is missing or a file. */
export function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory() || statSync(path).isDirectory();
  } catch {
    return false;
  }
}
