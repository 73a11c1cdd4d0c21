/**
 * ts-morph (and the TypeScript compiler it carries), loaded with `require`. Imported as an ES
 * module, a CommonJS package is first scanned by Node for the names it exports (cjs-module-lexer),
 * which for ts-morph's 1 MB bundle costs about 70 ms besides loading it; `require` skips the scan.
 * Everything that uses ts-morph at run time takes it from here (types come from 'ts-morph').
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';

export const tsMorph: typeof TsMorph = createRequire(import.meta.url)('ts-morph') as typeof TsMorph;
