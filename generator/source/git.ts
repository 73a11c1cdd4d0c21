/**
 * A CATMAID tree read straight from the objects of a git repository (work tree or bare) at a ref:
 * `git ls-tree` lists it once, `git cat-file --batch` reads blobs in batches. Nothing is checked
 * out and no copy of the tree is written anywhere.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { SourceReadError, type SourceTree } from './types.js';

const MAX_BUFFER = 1 << 30;

interface Entry {
  oid: string;
  mode: string;
}

/**
 * Blob contents by object id, for every GitSource of this thread (their only copy of what they
 * read): an object id names its bytes, so the releases one thread reads one after the other (a
 * `changelog` worker) read each version of a file from git once. See {@link forgetUnreadBlobs}.
 */
const blobs = new Map<string, Buffer>();
/** Object ids read since the last {@link forgetUnreadBlobs}. */
const blobsRead = new Set<string>();
/** Paths asked for since the last {@link forgetUnreadBlobs}, and those asked for before it. */
let pathsRead = new Set<string>();
let pathsReadBefore = new Set<string>();

/**
 * Drops the blobs not read since the last call: a thread reading releases in order calls it after
 * each one, so that it holds about one release's files.
 */
export function forgetUnreadBlobs(): void {
  for (const oid of blobs.keys()) if (!blobsRead.has(oid)) blobs.delete(oid);
  blobsRead.clear();
  pathsReadBefore = pathsRead;
  pathsRead = new Set();
}

/** Runs git with `args`; returns stdout, or throws UsageError with git's first line of stderr. */
function git(gitDir: string, args: string[], input?: string): Buffer {
  const result = spawnSync('git', ['--git-dir', gitDir, ...args], { input, maxBuffer: MAX_BUFFER });
  if (result.error) {
    throw new UsageError(`cannot run git: ${(result.error as NodeJS.ErrnoException).code ?? result.error.message}`);
  }
  if (result.status !== 0) {
    const line = result.stderr.toString('utf8').trim().split('\n')[0] ?? '';
    throw new UsageError(`git ${args[0]} failed: ${line || `exit ${result.status}`}`);
  }
  return result.stdout;
}

/** A ref resolved: its commit and the tags on that commit, sorted. */
export interface ResolvedRef {
  commit: string;
  tags: string[];
}

/**
 * The commit and tags of each of `refs` of the repository at `source`, in two git calls for all
 * of them (`rev-parse` of each ref's commit; `show-ref --tags --dereference` for the tags, each at
 * the commit it peels to), as {@link GitSource} finds them for one ref: for a `changelog`, which
 * opens every release. Undefined when not all of them resolve (each is then resolved where it is
 * opened, which says what is wrong).
 */
export function resolveRefs(source: string, refs: readonly string[]): ResolvedRef[] | undefined {
  const repo = findGitDir(source);
  if (!repo || refs.length === 0 || refs.some((r) => r.trim() === '' || r.startsWith('-'))) return undefined;
  const commits = spawnSync('git', ['--git-dir', repo.gitDir, 'rev-parse', ...refs.map((r) => `${r}^{commit}`), '--'], { encoding: 'utf8' });
  // One id a line, then the `--` that ends the revisions, echoed.
  const ids = commits.status === 0 ? commits.stdout.split('\n').filter((line) => line !== '' && line !== '--') : [];
  if (ids.length !== refs.length || !ids.every((id) => /^[0-9a-f]{40,64}$/.test(id))) return undefined;
  // `<id> refs/tags/<name>`, and `<id> refs/tags/<name>^{}` with what an annotated tag peels to.
  const shown = spawnSync('git', ['--git-dir', repo.gitDir, 'show-ref', '--tags', '--dereference'], { encoding: 'utf8' });
  // (Exit 1 without output: no tags at all.)
  if (shown.status !== 0 && (shown.status !== 1 || shown.stdout.trim() !== '')) return undefined;
  const peeled = new Map<string, string>();
  for (const line of shown.stdout.split('\n')) {
    const m = /^([0-9a-f]+) refs\/tags\/(.+?)(\^\{\})?$/.exec(line);
    if (m && (m[3] || !peeled.has(m[2]!))) peeled.set(m[2]!, m[1]!);
  }
  const tagsOf = new Map<string, string[]>();
  for (const [name, id] of peeled) tagsOf.set(id, [...(tagsOf.get(id) ?? []), name]);
  return ids.map((commit) => ({ commit, tags: [...(tagsOf.get(commit) ?? [])].sort() }));
}

/** The tags pointing at a commit, sorted. */
export function tagsAt(gitDir: string, commit: string): string[] {
  const out = spawnSync('git', ['--git-dir', gitDir, 'tag', '--points-at', commit], { encoding: 'utf8' });
  if (out.status !== 0) return [];
  return out.stdout.split('\n').filter(Boolean).sort();
}

/**
 * HEAD of the work tree holding `dir`, whether `dir`'s files differ from it, and its tags; for
 * a directory source that is a checkout, so that its output can name the commit.
 */
export function workTreeState(dir: string): { commit: string; dirty: boolean; tags: string[] } | undefined {
  const repo = findGitDir(dir);
  // Only the top of a work tree: a directory inside one (a vendored copy, a test fixture) is not
  // what the repository's commits are commits of.
  if (!repo || repo.prefix !== '') return undefined;
  const head = spawnSync('git', ['-C', dir, 'rev-parse', '--verify', '--quiet', 'HEAD'], { encoding: 'utf8' });
  const commit = head.stdout.trim();
  if (head.status !== 0 || !commit) return undefined;
  const status = spawnSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=normal', '--', '.'], { encoding: 'utf8' });
  return { commit, dirty: status.status !== 0 || status.stdout.trim() !== '', tags: tagsAt(repo.gitDir, commit) };
}

/**
 * The git directory of `path` (a work tree, a directory inside one, or a bare repository), and
 * the path of `path` inside the work tree (`''` at its top), or undefined when it is neither.
 */
export function findGitDir(path: string): { gitDir: string; prefix: string } | undefined {
  // Asked once per path: `changelog` opens the same repository for every release.
  const key = resolve(path);
  const known = gitDirs.get(key);
  if (known) return { ...known };
  const found = askGitDir(path);
  if (found) gitDirs.set(key, { ...found });
  return found;
}

const gitDirs = new Map<string, { gitDir: string; prefix: string }>();

function askGitDir(path: string): { gitDir: string; prefix: string } | undefined {
  const result = spawnSync('git', ['-C', path, 'rev-parse', '--absolute-git-dir', '--show-prefix'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  const [gitDir, prefix] = result.stdout.split('\n');
  // A bare repository prints no prefix line: it has no work tree to be inside of.
  return gitDir ? { gitDir, prefix: prefix?.trim() ?? '' } : undefined;
}

export class GitSource implements SourceTree {
  readonly kind = 'git' as const;
  readonly commit: string;
  readonly tags: string[];
  private readonly entries = new Map<string, Entry>();
  private readonly files: string[];
  /** Whether this tree has read anything yet. */
  private readBefore = false;

  /**
   * @param prefix the subdirectory of the repository to read as the tree's root (`''` for all of
   *   it), for a `--source` that points inside a work tree
   * @param known the commit and tags of `ref`, when the caller resolved them ({@link resolveRefs})
   */
  constructor(
    readonly location: string,
    private readonly gitDir: string,
    readonly ref: string,
    prefix = '',
    known?: ResolvedRef,
  ) {
    if (known) {
      this.commit = known.commit;
      this.tags = [...known.tags];
    } else {
      // The commit and the tags on it in one call (`%D` with only tags decorating).
      const resolved = ref.startsWith('-')
        ? undefined
        : spawnSync('git', ['--git-dir', gitDir, 'log', '-1', '--no-walk', '--format=%H%x00%D', '--decorate-refs=refs/tags/', `${ref}^{commit}`, '--'], { encoding: 'utf8' });
      const [commit, decorations] = resolved?.status === 0 ? resolved.stdout.trim().split('\0') : [];
      if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) {
        throw new UsageError(`ref not found in ${location}: ${ref}`);
      }
      this.commit = commit;
      this.tags = (decorations ?? '')
        .split(', ')
        .filter((d) => d.startsWith('tag: '))
        .map((d) => d.slice('tag: '.length))
        .sort();
    }
    const treeish = prefix ? `${this.commit}:${prefix.replace(/\/$/, '')}` : this.commit;
    const listing = git(gitDir, ['ls-tree', '-r', '-z', '--full-tree', treeish]).toString('utf8');
    for (const record of listing.split('\0')) {
      if (!record) continue;
      const tab = record.indexOf('\t');
      const [mode, type, oid] = record.slice(0, tab).split(' ');
      // Regular files only: symlinks (120000) are never followed, submodules (commit) are not ours.
      if (type !== 'blob' || mode === '120000' || !oid || !mode) continue;
      this.entries.set(record.slice(tab + 1), { oid, mode });
    }
    this.files = [...this.entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  listFiles(): readonly string[] {
    return this.files;
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  read(path: string): Buffer | undefined {
    const entry = this.entries.get(path);
    if (!entry) return undefined;
    if (blobs.has(entry.oid)) {
      pathsRead.add(path);
      blobsRead.add(entry.oid);
    } else {
      this.prefetch([path]);
    }
    const data = blobs.get(entry.oid);
    if (!data) throw new SourceReadError(path, 'object missing from the repository');
    return data;
  }

  /** The blob id `git ls-tree` listed: no read needed. */
  contentId(path: string): string | undefined {
    return this.entries.get(path)?.oid;
  }

  /**
   * Reads the blobs of every listed path this thread does not hold (see {@link blobs}) with one
   * `git cat-file --batch`; the first call also reads the paths the thread's previous release
   * asked for (see {@link forgetUnreadBlobs}).
   */
  prefetch(paths: readonly string[]): void {
    // What this release asked for (not what it read ahead): what the next one will ask first.
    for (const path of paths) if (this.entries.has(path)) pathsRead.add(path);
    if (!this.readBefore) {
      // The first read of a release after another in this thread: with it, the files the other
      // one read, in the same git call (starting git costs more than reading a few files).
      this.readBefore = true;
      paths = [...paths, ...pathsReadBefore];
    }
    const wanted = new Set<string>();
    for (const path of paths) {
      const oid = this.entries.get(path)?.oid;
      if (oid === undefined) continue;
      blobsRead.add(oid);
      if (!blobs.has(oid)) wanted.add(oid);
    }
    if (wanted.size === 0) return;
    const oids = [...wanted];
    const out = git(this.gitDir, ['cat-file', '--batch'], oids.join('\n') + '\n');
    let offset = 0;
    for (const oid of oids) {
      const headerEnd = out.indexOf(0x0a, offset);
      if (headerEnd < 0) break;
      const header = out.toString('utf8', offset, headerEnd).split(' ');
      offset = headerEnd + 1;
      if (header[1] === 'missing') continue;
      const size = Number(header[2]);
      // A copy, so that a blob kept for later releases does not keep the whole batch's output.
      blobs.set(oid, Buffer.from(out.subarray(offset, offset + size)));
      offset += size + 1;
    }
  }
}
