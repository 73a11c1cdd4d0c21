#!/usr/bin/env node
/**
 * The last step of `npm run build` (after `tsc`): compiles the SDK's runtime template once, as
 * `generate` would, and keeps its JavaScript and declarations in dist/emit/sdk/runtime.compiled.json
 * by the digest of the template's text (generator/emit/sdk/precompiled.ts), with the reference
 * site's CommonJS of it (emit/docs/browser-runtime.ts), so that neither `generate`, `verify` nor
 * `docs` runs the TypeScript compiler on it. Writes only that file.
 *
 * Usage:  node scripts/precompile-runtime.mjs   (after `tsc -p tsconfig.json`)
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(pathToFileURL(join(ROOT, 'dist', p)).href);
const { compileTypeScript } = await dist('emit/sdk/compiled.js');
const { compiledKey, runtimeBody, PRECOMPILED_FILE } = await dist('emit/sdk/precompiled.js');
const { BROWSER_RUNTIME_PATH, HEADER_PLACEHOLDER, transpileForBrowser } = await dist('emit/docs/browser-runtime.js');

const path = 'src/runtime.ts';
const body = runtimeBody();
const { js, dts } = compileTypeScript([{ path, body }]).get(path);
// The reference site's browser script: the CommonJS of the template, its header line a placeholder.
const browser = await transpileForBrowser(`${HEADER_PLACEHOLDER}\n${body}`);
writeFileSync(
  PRECOMPILED_FILE,
  JSON.stringify([
    { key: compiledKey(path, body), js, dts },
    { key: compiledKey(BROWSER_RUNTIME_PATH, body), js: browser, dts: '' },
  ]) + '\n',
);
