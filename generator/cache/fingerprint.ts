/**
 * The generator's fingerprint: what every cached fact is keyed by besides the content it was read
 * from, so that a fact read by another version of the generator (another release, or the same
 * version with its code changed) is never used.
 *
 * Consumes: the generator's own code (the directory of compiled or source modules this file sits
 * in), its tree-sitter queries and templates, its package.json and the installed tree-sitter's and
 * grammar's versions.
 * Produces: a hex digest, computed once per process.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packagePath } from '../util/package.js';

let fingerprint: string | undefined;

/** A digest of every module of the generator, its queries and its dependencies' versions. */
export function generatorFingerprint(): string {
  if (fingerprint === undefined) {
    const hash = createHash('sha256');
    // dist/ when compiled, generator/ when run from source (the tests).
    const codeRoot = dirname(dirname(fileURLToPath(import.meta.url)));
    // …and the data it reads at run time: queries, and the templates of what it emits.
    const data = [packagePath('generator', 'parse', 'queries'), packagePath('templates')];
    for (const [root, file] of [codeRoot, ...data].flatMap((root) => codeFiles(root).map((f) => [root, f] as [string, string]))) {
      hash.update(file.slice(root.length)).update('\0').update(readFileSync(file)).update('\0');
    }
    for (const name of ['package.json', 'node_modules/tree-sitter-python/package.json', 'node_modules/tree-sitter/package.json']) {
      try {
        hash.update(name).update('\0').update(readFileSync(packagePath(name))).update('\0');
      } catch {
        hash.update(name).update('\0-\0'); // a dependency installed elsewhere (hoisted): its name alone
      }
    }
    fingerprint = hash.digest('hex');
  }
  return fingerprint;
}

/** The generator's code and data files below `root` (modules, queries, schemas), sorted. */
function codeFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts|scm|json|hbs|css|html)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}
