/**
 * Finds the CATMAID version a tree declares, where it declares one: `BASE_VERSION` in
 * `django/projects/mysite/utils.py` (2018 on), else the newest dated heading of `CHANGELOG.md`
 * (2015.9 on). Older trees reveal none.
 */
import type { SourceTree } from './types.js';

export interface CatmaidVersion {
  /** A release name such as `2021.12.21`. */
  version: string;
  /** The file it was read from. */
  file: string;
}

const UTILS = 'django/projects/mysite/utils.py';
const CHANGELOG = 'CHANGELOG.md';
/** The files the version is read from (the cache keeps it by their content). */
export const VERSION_FILES: readonly string[] = [UTILS, CHANGELOG];

export function detectCatmaidVersion(tree: SourceTree): CatmaidVersion | undefined {
  const utils = tree.read(UTILS)?.toString('utf8');
  const base = utils?.match(/^BASE_VERSION\s*=\s*['"]([^'"]+)['"]/m);
  if (base?.[1]) return { version: base[1], file: UTILS };
  const changelog = tree.read(CHANGELOG)?.toString('utf8');
  const heading = changelog?.match(/^##\s+(\d{4}\.\d{1,2}\.\d{1,2})\s*$/m);
  if (heading?.[1]) return { version: heading[1], file: CHANGELOG };
  return undefined;
}
