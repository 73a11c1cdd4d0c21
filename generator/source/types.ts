/**
 * Source stage: the read-only view of a CATMAID source tree that every later stage reads.
 *
 * Consumes: a checkout directory or a git repository (work tree or bare) at a ref.
 * Produces: a {@link SourceTree}: the sorted list of files and their text, plus provenance
 * (the ref, the commit it resolves to). Nothing from the tree is executed or imported.
 */
import { createHash } from 'node:crypto';

/** Where a source tree came from, recorded in the route model as `source`. */
export interface SourceProvenance {
  /** How the tree is read: a directory on disk, or objects of a git repository. */
  kind: 'directory' | 'git';
  /** The ref the user asked for (`--ref`), as given; absent for a directory. */
  ref?: string;
  /**
   * The full commit id: the one the ref resolved to, or, for a directory that is a git work tree,
   * its HEAD. Absent for a plain directory.
   */
  commit?: string;
  /** Tags that point at `commit`, sorted. */
  tags?: string[];
  /** A work tree directory whose files differ from `commit`. */
  dirty?: boolean;
}

/** A read-only, listable set of files addressed by POSIX paths relative to the tree's root. */
export interface SourceTree extends SourceProvenance {
  /** The path the user gave, used only in messages (never written into generated output). */
  readonly location: string;
  /** Every regular file of the tree (symlinks that leave the tree excluded), sorted, '/'-separated. */
  listFiles(): readonly string[];
  /** True when `path` is a regular file of the tree. */
  has(path: string): boolean;
  /**
   * The file's bytes, or `undefined` when it does not exist. Throws {@link SourceReadError}
   * when it exists but cannot be read.
   */
  read(path: string): Buffer | undefined;
  /**
   * A digest of the file's bytes, the same for the same bytes in any tree (git's blob id), or
   * `undefined` when it does not exist. What facts read from one file are cached by
   * (generator/cache/). Optional: {@link contentIdOf} computes it from the bytes when absent.
   */
  contentId?(path: string): string | undefined;
  /** Reads many files at once where the backend can batch (git); a hint, never required. */
  prefetch(paths: readonly string[]): void;
  /**
   * Directories on the module path besides CATMAID's own (`django/applications`, …), after them:
   * where a tree with extensions mounts their packages (source/extensions.ts).
   */
  readonly moduleRoots?: readonly string[];
}

/** A file that is listed in the tree but could not be read. */
export class SourceReadError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`cannot read ${path}: ${reason}`);
  }
}

/**
 * Git's blob id of some bytes (`git hash-object`: SHA-1 of `blob <size>\0<bytes>`), so that a file
 * of a work tree and the same file committed have the same content id.
 */
export function blobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * The content id of a file of any tree: the tree's own ({@link SourceTree.contentId}), else the
 * blob id of its bytes; `-` when it does not exist, `!` when it cannot be read.
 */
export function contentIdOf(tree: SourceTree, path: string): string {
  try {
    if (tree.contentId) return tree.contentId(path) ?? '-';
    const bytes = tree.read(path);
    return bytes ? blobId(bytes) : '-';
  } catch (e) {
    if (e instanceof SourceReadError) return '!';
    throw e;
  }
}
