/**
 * The changelog of a CATMAID repository: its release tags (the dated ones, `2021.12.21`,
 * `r2015.1.15`) in date order, limited to a range, each ref read once (on all cores), and the diff
 * of every consecutive pair.
 *
 * Consumes: the repository and a range. Produces: the refs and their {@link ApiDiff}s, oldest first.
 */
import { spawnSync } from 'node:child_process';
import { UsageError } from '../errors.js';
import { eachModel } from '../model/parallel.js';
import type { RouteModel } from '../model/types.js';
import { findGitDir } from '../source/git.js';
import { diffModels, type ApiDiff } from './index.js';

const RELEASE_TAG = /^r?(\d{4})\.(\d{1,2})\.(\d{1,2})$/;

/** The date a release tag names, as a sortable number, or undefined for other tags. */
export function releaseDate(tag: string): number | undefined {
  const m = RELEASE_TAG.exec(tag);
  return m ? Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]) : undefined;
}

/**
 * The refs of a changelog: release tags in date order from `from` to `to` (both included). A `to`
 * that is not a release tag (HEAD, a branch) comes after every release; a `from` that is not one
 * comes first.
 */
export function releaseSequence(tags: string[], from?: string, to?: string): string[] {
  const releases = tags.filter((t) => releaseDate(t) !== undefined).sort((a, b) => releaseDate(a)! - releaseDate(b)! || (a < b ? -1 : 1));
  const start = from === undefined ? 0 : releases.indexOf(from);
  const end = to === undefined ? releases.length - 1 : releases.indexOf(to);
  if (from !== undefined && start < 0 && releaseDate(from) !== undefined) throw new UsageError(`no release tag ${from}`);
  if (to !== undefined && end < 0 && releaseDate(to) !== undefined) throw new UsageError(`no release tag ${to}`);
  const inner = releases.slice(Math.max(0, start), end < 0 ? releases.length : end + 1);
  return [...(from !== undefined && start < 0 ? [from] : []), ...inner, ...(to !== undefined && end < 0 ? [to] : [])];
}

/** Every tag of the repository at `source`. */
export function repositoryTags(source: string): string[] {
  const repo = findGitDir(source);
  if (!repo) throw new UsageError(`changelog needs a git repository, and ${source} is not one`);
  const out = spawnSync('git', ['--git-dir', repo.gitDir, 'tag', '--list'], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.split('\n').filter(Boolean) : [];
}

export interface Changelog {
  refs: string[];
  /** `diffs[i]` goes from `refs[i]` to `refs[i + 1]`. */
  diffs: ApiDiff[];
}

export async function computeChangelog(source: string, from?: string, to?: string, extensions: string[] = [], onProgress?: (done: number, total: number) => void, cacheDir?: string): Promise<Changelog> {
  const refs = releaseSequence(repositoryTags(source), from, to);
  if (refs.length < 2) throw new UsageError(`fewer than two refs in the range${from ? ` from ${from}` : ''}${to ? ` to ${to}` : ''}`);
  // The same extensions beside every release (`--extension`).
  // Each diff as soon as both its models are there; a model is dropped once both its diffs are made.
  const models = new Map<number, RouteModel>();
  const diffs: ApiDiff[] = new Array(refs.length - 1);
  const needed = (i: number) => (i > 0 && diffs[i - 1] === undefined) || (i < refs.length - 1 && diffs[i] === undefined);
  await eachModel(
    source,
    refs,
    refs.map(() => extensions),
    (i, model) => {
      models.set(i, model);
      for (const k of [i - 1, i]) {
        const older = models.get(k);
        const newer = models.get(k + 1);
        if (older && newer && diffs[k] === undefined) diffs[k] = diffModels(older, newer);
      }
      for (const k of [i - 1, i, i + 1]) if (models.has(k) && !needed(k)) models.delete(k);
    },
    onProgress,
    cacheDir,
  );
  return { refs, diffs };
}
