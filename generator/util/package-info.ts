/** The generator's own name and version, from its package.json, recorded in every output. */
import { readFileSync } from 'node:fs';
import { packagePath } from './package.js';

let info: { name: string; version: string } | undefined;

export function generatorInfo(): { name: string; version: string } {
  if (!info) {
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { name: string; version: string };
    info = { name: pkg.name, version: pkg.version };
  }
  return { ...info };
}
