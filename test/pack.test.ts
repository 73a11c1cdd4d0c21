/**
 * catmaid-codegen as users outside this repository get it: `npm pack` gives a tarball that
 * installs into a fresh project (its dependencies from the registry, or npm's cache) and runs
 * `generate` on the example, writing exactly the committed `generated/` package.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const dir = mkdtempSync(join(tmpdir(), 'catmaid-codegen-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root`, relative, sorted. */
function listTree(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listTree(root, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();
}

describe('the packed tool', () => {
  it('installs from its tarball and generates the example as committed', () => {
    const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    const packed = execFileSync(npm, ['pack', '--silent', '--pack-destination', dir], { cwd: repoRoot, env, encoding: 'utf8' }).trim().split('\n').pop()!;
    const project = join(dir, 'project');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'lab-project', private: true }));
    execFileSync(npm, ['install', '--prefer-offline', '--no-save', join(dir, packed)], { cwd: project, env, stdio: 'pipe' });
    execFileSync(join(project, 'node_modules', '.bin', 'catmaid-codegen'), ['generate', '--source', join(repoRoot, 'test', 'fixtures', 'example', 'source'), '--out', join(project, 'client')], { cwd: project, stdio: 'pipe' });
    const committed = join(repoRoot, 'generated');
    const written = join(project, 'client');
    // API-CHANGES.md is written by a regeneration (from the earlier one), not by a first generation.
    const generatedFiles = listTree(committed).filter((f) => f !== 'API-CHANGES.md');
    expect(listTree(written)).toEqual(generatedFiles);
    for (const f of generatedFiles) expect(readFileSync(join(written, f), 'utf8'), f).toBe(readFileSync(join(committed, f), 'utf8'));
  }, 180_000);
});
