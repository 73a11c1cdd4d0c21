/**
 * The generated client's runtime (templates/runtime.ts.hbs), loaded into this process so that
 * `verify` calls the server exactly as a generated SDK would: the JavaScript a generated package
 * ships (compiled when the generator was built, emit/sdk/precompiled.ts; else the template's types
 * stripped by TypeScript's `transpileModule`), imported from a `data:` URL.
 */
import type { OperationSpecData } from '../emit/spec.js';
import { compiledKey, precompiled, runtimeBody } from '../emit/sdk/precompiled.js';

/** What `verify` uses of the runtime; the shapes are those of templates/runtime.ts.hbs. */
export interface LoadedRuntime {
  createClient(config: {
    baseUrl: string;
    token?: string;
    projectId?: number;
    fetch?: typeof fetch;
    headers?: Record<string, string>;
  }): unknown;
  call<T>(client: unknown, spec: OperationSpecData, params: object | undefined, options?: { signal?: AbortSignal }): Promise<T>;
  CatmaidError: new (...args: never[]) => Error & { status: number; type?: string; detail?: string; permission?: string; body: unknown };
}

let loaded: Promise<LoadedRuntime> | undefined;

/** The runtime module, compiled once per process. */
export function loadRuntime(): Promise<LoadedRuntime> {
  loaded ??= (async () => {
    const body = runtimeBody();
    const outputText = precompiled(compiledKey('src/runtime.ts', body))?.js ?? (await transpiled(body));
    const url = `data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`;
    return (await import(url)) as LoadedRuntime;
  })();
  return loaded;
}

/** The runtime's JavaScript by TypeScript, when the build did not compile this text (ts-morph loaded only then). */
async function transpiled(source: string): Promise<string> {
  const { ts } = (await import('../emit/ts-morph.js')).tsMorph;
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    reportDiagnostics: false,
  }).outputText;
}
