/**
 * Tree-shaking: a bundle that imports one operation of the generated package holds that
 * operation and the runtime, not the others. Measured with esbuild on the committed `generated/`.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

async function bundle(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    treeShaking: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('tree-shaking the generated package', () => {
  const entry = (names: string, from = 'index') => `import { ${names} } from './generated/src/${from}.js';\nexport { ${names} };`;

  it('keeps one imported operation and drops every other', async () => {
    const one = await bundle(entry('listSkeletons'));
    expect(one).toContain('"/{project_id}/skeletons/"');
    for (const other of ['"/{project_id}/stacks"', '"/projects/"', '"/{project_id}/annotations/"', '"/{project_id}/treenode/create"']) {
      expect(one).not.toContain(other);
    }
    const all = await bundle(`export * from './generated/src/index.js';\nexport * from './generated/src/volatile.js';`);
    // One operation costs a small part of the whole client.
    expect(one.length).toBeLessThan(all.length / 2);
  });

  it('keeps a volatile operation out of a bundle that only uses the main entry', async () => {
    const main = await bundle(entry('createClient, projects'));
    expect(main).not.toContain('"/{project_id}/treenode/create"');
    const volatile = await bundle(entry('createTreenode', 'volatile'));
    expect(volatile).toContain('"/{project_id}/treenode/create"');
  });
});
