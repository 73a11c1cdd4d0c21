/**
 * Every test run gets a cache directory of its own (`XDG_CACHE_HOME`, inherited by the CLI the
 * tests spawn), removed afterwards: tests never read what an earlier run or the user kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'catmaid-codegen-test-cache-'));
  process.env['XDG_CACHE_HOME'] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
