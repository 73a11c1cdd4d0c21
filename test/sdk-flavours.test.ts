/**
 * The JavaScript and declarations the SDK emitter prints beside each module it builds from
 * structures (generator/emit/sdk/operation.ts, entries.ts) are what TypeScript's own emit makes of
 * that module's source: for every fixture, the hostile one included, each `dist/` file and the
 * compiler's `transpileModule` / `transpileDeclaration` of its `src/` file are printed again by
 * TypeScript's printer (so that only layout may differ, never a token or a comment) and compared.
 */
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { emitPackage, type EmittedFile } from '../generator/emit/index.js';
import { COMPILER_OPTIONS } from '../generator/emit/sdk/compiled.js';
import { fixtureCases, fixtureModel } from './helpers.js';

/** The options the package's own sources are compiled with (the runtime, and `tsc` in the package). */
const OPTIONS: ts.CompilerOptions = COMPILER_OPTIONS;

const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: false });

/** A module's text as TypeScript's printer lays it out. */
function layout(name: string, text: string): string {
  return printer.printFile(ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true, name.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS));
}

/** The modules of a package the emitter prints in three flavours (all but the compiled runtime). */
function printedModules(files: readonly EmittedFile[]): string[] {
  return files.filter((f) => f.path.startsWith('src/') && f.path !== 'src/runtime.ts').map((f) => f.path.slice(4, -3));
}

describe('JavaScript and declarations printed from the structures', () => {
  const cases = fixtureCases().flatMap((name) => {
    const files = emitPackage(fixtureModel(name), { packageName: 'catmaid-client' });
    return printedModules(files).map((module) => [name, module, files] as const);
  });

  it('covers every fixture, and modules of operations and entry points', () => {
    expect(new Set(cases.map(([name]) => name))).toEqual(new Set(fixtureCases()));
    expect(cases.some(([, module]) => module.startsWith('operations/'))).toBe(true);
    expect(cases.some(([, module]) => module === 'index')).toBe(true);
  });

  it.each(cases.map(([name, module, files]) => [name, module, files]))('%s: %s', (_name, module, files) => {
    const text = (path: string) => files.find((f) => f.path === path)!.content;
    const source = text(`src/${module}.ts`);
    // The header line is the generator's, on every file; what follows is compiled.
    const header = source.slice(0, source.indexOf('\n') + 1);
    const body = source.slice(header.length);
    const js = ts.transpileModule(body, { compilerOptions: OPTIONS, fileName: `${module}.ts` });
    const dts = ts.transpileDeclaration(body, { compilerOptions: OPTIONS, fileName: `${module}.ts` });
    expect(dts.diagnostics ?? []).toEqual([]);
    expect(layout(`${module}.js`, text(`dist/${module}.js`))).toBe(layout(`${module}.js`, header + js.outputText));
    expect(layout(`${module}.d.ts`, text(`dist/${module}.d.ts`))).toBe(layout(`${module}.d.ts`, header + dts.outputText));
    // The generator's header stays on the first line of each, as on the source.
    expect(text(`dist/${module}.js`).split('\n')[0]).toBe(source.split('\n')[0]);
    expect(text(`dist/${module}.d.ts`).split('\n')[0]).toBe(source.split('\n')[0]);
  });
});
