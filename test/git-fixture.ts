/**
 * Builds a throw-away git repository whose commits are the fixture trees, one tagged release each,
 * the way CATMAID's history is a sequence of dated release tags. Used by every test of `--ref`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureSource } from './helpers.js';

export interface FixtureRepo {
  /** Work tree of the repository. */
  dir: string;
  /** A bare clone of it. */
  bare: string;
  /** Tag name → commit id. */
  tags: Record<string, string>;
  cleanup(): void;
}

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.org',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.org',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, env, encoding: 'utf8' }).trim();
}

/** Commits each `[tag, fixture]` in order, tagging each commit; dates are fixed, so ids are stable. */
export function makeFixtureRepo(releases: Array<[tag: string, fixture: string]>): FixtureRepo {
  const root = mkdtempSync(join(tmpdir(), 'catmaid-codegen-repo-'));
  const dir = join(root, 'work');
  git(root, 'init', '-q', dir);
  const tags: Record<string, string> = {};
  releases.forEach(([tag, fixture], i) => {
    git(dir, 'rm', '-rq', '--ignore-unmatch', '.');
    rmSync(join(dir, 'django'), { recursive: true, force: true });
    cpSync(fixtureSource(fixture), dir, { recursive: true });
    git(dir, 'add', '-A');
    const date = `2020-01-0${i + 1}T12:00:00Z`;
    execFileSync('git', ['-c', 'commit.gpgsign=false', 'commit', '--allow-empty', '-qm', `release ${tag}`], { cwd: dir, env: { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } });
    git(dir, 'tag', '-a', tag, '-m', `CATMAID ${tag}`);
    tags[tag] = git(dir, 'rev-parse', 'HEAD');
  });
  const bare = join(root, 'bare.git');
  git(root, 'clone', '-q', '--bare', dir, bare);
  return { dir, bare, tags, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * The releases of the diff tests' repository: tags made out of date order on purpose (the
 * changelog orders releases by the date they name), and one release that changes nothing.
 */
export const DIFF_TEST_RELEASES: Array<[tag: string, fixture: string]> = [
  ['2020.10.1', 'api-v1'],
  ['2020.9.30', 'era-2018-url-modules'],
  ['2021.2.1', 'api-v2'],
  ['2021.3.1', 'api-v2'],
];
