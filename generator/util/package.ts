/** Locates files shipped with the package (queries, templates, schemas) from source or from dist. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory holding catmaid-codegen's package.json. */
export function packageRoot(): string {
  if (!root) {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, 'package.json'))) {
      const up = dirname(dir);
      if (up === dir) throw new Error('catmaid-codegen: package.json not found above ' + import.meta.url);
      dir = up;
    }
    root = dir;
  }
  return root;
}

export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
