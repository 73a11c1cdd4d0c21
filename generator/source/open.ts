/**
 * Opens what `--source`/`--ref` name: a checkout directory, or a git repository (work tree or bare)
 * at a ref. Every way this can fail is a {@link UsageError}: one line, non-zero exit.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { DirectorySource, isDirectory } from './directory.js';
import { findGitDir, GitSource, workTreeState, type ResolvedRef } from './git.js';
import type { SourceTree } from './types.js';

/** The project URLconf Django loads first, and the app URLconf it includes. */
export const PROJECT_URLCONF = 'django/projects/mysite/urls.py';
export const APP_URLCONF = 'django/applications/catmaid/urls.py';

export interface SourceOptions {
  /** A CATMAID checkout directory, or a git repository when `ref` is given. */
  source: string | undefined;
  /** Tag, branch or commit to read from the repository at `source`. */
  ref?: string | undefined;
  /** The commit and tags of `ref`, when the caller resolved them already (source/git.ts `resolveRefs`). */
  resolved?: ResolvedRef | undefined;
}

export function openSource({ source, ref, resolved }: SourceOptions): SourceTree {
  if (!source) throw new UsageError('missing --source: give a CATMAID checkout or git repository');
  const tree = openTree({ source, ref, resolved });
  assertCatmaidTree(tree);
  return tree;
}

/** A directory, or a git repository at a ref, as a source tree, whatever it holds (CATMAID or an extension). */
export function openTree({ source, ref, resolved }: SourceOptions): SourceTree {
  if (!source) throw new UsageError('missing source path');
  if (!existsSync(source)) throw new UsageError(`source not found: ${source}`);
  if (!isDirectory(source)) throw new UsageError(`source is not a directory: ${source}`);
  let tree: SourceTree;
  if (ref !== undefined) {
    if (ref.trim() === '' || ref.startsWith('-')) throw new UsageError(`invalid ref: '${ref}'`);
    const repo = findGitDir(source);
    if (!repo) throw new UsageError(`--ref needs a git repository, and ${source} is not one`);
    tree = new GitSource(source, repo.gitDir, ref, repo.prefix, resolved);
  } else {
    // A bare repository has no files on disk to read: read its HEAD.
    const repo = isBareRepository(source) ? findGitDir(source) : undefined;
    if (repo) {
      tree = new GitSource(source, repo.gitDir, 'HEAD');
    } else {
      const directory = new DirectorySource(source);
      // A checkout names its commit, so its output equals that of the same commit read from git.
      const state = workTreeState(source);
      if (state) Object.assign(directory, state);
      tree = directory;
    }
  }
  return tree;
}

function isBareRepository(path: string): boolean {
  return existsSync(`${path}/HEAD`) && existsSync(`${path}/objects`) && !existsSync(`${path}/django`);
}

/** A CATMAID tree has the project URLconf, or at least the catmaid app's URLconf. */
export function assertCatmaidTree(tree: SourceTree): void {
  if (tree.has(PROJECT_URLCONF) || tree.has(APP_URLCONF)) return;
  const where = tree.ref ? `${tree.location} at ${tree.ref}` : tree.location;
  throw new UsageError(`not a CATMAID source tree: ${where} (no ${PROJECT_URLCONF})`);
}
