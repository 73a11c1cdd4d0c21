/**
 * Templated TypeScript of the package (the runtime) compiled, so that it installs as it is (a
 * `file:`, git or workspace dependency needs no build step and no devDependencies): for each
 * `src/**.ts`, `dist/**.js` (ES2022 modules) and `dist/**.d.ts`. Each file compiles on its own
 * text — the package is written to satisfy `isolatedDeclarations`, so declarations need no type
 * checker — all in one program without checking, and the result is the same bytes for the same
 * sources. (The modules the emitter builds from structures are printed in all three flavours
 * instead, see operation.ts.)
 *
 * A file's compiled text is kept by a digest of its path and its text after the header line (the
 * header names the CATMAID release; the rest of a template is the same for every model): by the
 * generator's build, which compiles the runtime once (precompiled.ts); for the rest of the
 * process; and by the cache (generator/cache/) when given one. Only a text none of them holds is
 * compiled here. The header is put back on both outputs.
 *
 * Consumes: the package's TypeScript sources. Produces: {@link EmittedFile}s under `dist/`.
 */
import type { ts as TsMorphTs } from 'ts-morph';
import { tsMorph } from '../ts-morph.js';
import type { FactStore } from '../../cache/store.js';
import type { EmittedFile } from '../files.js';
import { compiledKey, precompiled, splitHeader, type Compiled } from './precompiled.js';

const { ts } = tsMorph;

/** How the package's TypeScript compiles (the tests compare the printed `dist/` files with this too). */
export const COMPILER_OPTIONS = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ES2022,
  declaration: true,
  isolatedDeclarations: true,
  isolatedModules: true,
  removeComments: false,
  newLine: ts.NewLineKind.LineFeed,
  noCheck: true,
  noLib: true,
  noResolve: true,
  types: [],
};

/** `dist/` for the package's `src/`: JavaScript and declarations per source file. */
export function compiledFiles(files: readonly EmittedFile[], cache?: FactStore): EmittedFile[] {
  const sources = files
    .filter((f) => f.path.startsWith('src/') && f.path.endsWith('.ts'))
    .map((f) => {
      // Every file keeps the generator's header line, which declaration emit drops.
      const { header, body } = splitHeader(f.content);
      const key = compiledKey(f.path, body);
      const known = compiledHere.get(key) ?? precompiled(key);
      const stored = known ? undefined : cache?.find('compiled', key);
      return { path: f.path, header, body, key, kept: known ?? (stored === undefined ? undefined : (JSON.parse(stored) as Compiled)) };
    });
  const fresh = compileTypeScript(sources.filter((s) => s.kept === undefined));
  const out: EmittedFile[] = [];
  for (const s of sources) {
    const base = `dist/${s.path.slice('src/'.length, -'.ts'.length)}`;
    const { js, dts } = s.kept ?? fresh.get(s.path)!;
    if (cache && !s.kept) cache.add('compiled', s.key, [], [], [], [], JSON.stringify({ js, dts }));
    compiledHere.set(s.key, { js, dts });
    out.push({ path: `${base}.js`, content: s.header + js });
    out.push({ path: `${base}.d.ts`, content: s.header + dts });
  }
  return out;
}

/** What this process compiled or found in a cache, by the digest of path and text. */
const compiledHere = new Map<string, Compiled>();

/**
 * JavaScript and declarations of source files (paths under `src/`, text without the header line),
 * by path. One program for all of them, without type checking, library or module resolution: each
 * file's output depends on its text alone (isolated modules and declarations), as a
 * `transpileModule` and `transpileDeclaration` of each would give, at a fraction of the cost.
 */
export function compileTypeScript(sources: ReadonlyArray<{ path: string; body: string }>): Map<string, Compiled> {
  const compiled = new Map<string, Compiled>();
  if (sources.length === 0) return compiled;
  const texts = new Map(sources.map((s) => [s.path, s.body]));
  const written = new Map<string, string>();
  const host: TsMorphTs.CompilerHost = {
    getSourceFile: (name, target) => (texts.has(name) ? ts.createSourceFile(name, texts.get(name)!, target) : undefined),
    writeFile: (name, text) => written.set(name, text),
    getDefaultLibFileName: () => 'lib.d.ts',
    useCaseSensitiveFileNames: () => true,
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => '',
    getNewLine: () => '\n',
    fileExists: (name) => texts.has(name),
    readFile: (name) => texts.get(name),
  };
  const program = ts.createProgram([...texts.keys()], { ...COMPILER_OPTIONS, rootDir: 'src', outDir: 'dist' }, host);
  const { diagnostics } = program.emit();
  // A source the generator wrote must declare every export's type; a gap is a generator bug.
  const gap = diagnostics[0];
  if (gap) throw new Error(`${gap.file?.fileName ?? 'generated SDK'}: no isolated declarations: ${ts.flattenDiagnosticMessageText(gap.messageText, ' ')}`);
  for (const { path } of sources) {
    const base = `dist/${path.slice('src/'.length, -'.ts'.length)}`;
    compiled.set(path, { js: written.get(`${base}.js`)!, dts: written.get(`${base}.d.ts`)! });
  }
  return compiled;
}
