/**
 * What the CLI loads at start: every command starts with the same module graph, so the heavy
 * emitter (ts-morph carries the TypeScript compiler, a quarter of a second to load) must only be
 * loaded by the emitter's worker thread, never statically by the CLI. ts-morph is loaded in one
 * place, dist/emit/ts-morph.js (with `require`, which static imports do not show).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

/** Static imports of a built module (`import … from '…'`), resolved to files or package names. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import\s+(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1]!).map((spec) => (spec.startsWith('.') ? resolve(dirname(file), spec) : spec));
}

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    if (f.startsWith('/')) stack.push(...staticImports(f));
  }
  return seen;
}

describe('CLI start-up', () => {
  it('does not load ts-morph or handlebars outside the emitter worker', () => {
    const graph = reachable(join(repoRoot, 'dist', 'cli.js'));
    const loader = join(repoRoot, 'dist', 'emit', 'ts-morph.js');
    expect(graph.has(join(repoRoot, 'dist', 'emit', 'parallel.js'))).toBe(true);
    expect([...graph].filter((m) => m === 'ts-morph' || m === 'handlebars' || m === loader)).toEqual([]);
    expect(reachable(join(repoRoot, 'dist', 'emit', 'worker.js')).has(loader)).toBe(true);
    expect(readFileSync(loader, 'utf8')).toMatch(/\(['"]ts-morph['"]\)/);
  });
});
