/**
 * The generated client's runtime (templates/runtime.ts.hbs), loaded into this process so that
 * `verify` calls the server exactly as a generated SDK would: the template is rendered, its types
 * stripped by TypeScript's `transpileModule`, and the JavaScript imported from a `data:` URL.
 */
import type { OperationSpecData } from '../emit/spec.js';
import { render } from '../emit/templates.js';

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
    const { ts } = (await import('../emit/ts-morph.js')).tsMorph;
    const source = render('runtime.ts', { header: '// catmaid-codegen verify' });
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      reportDiagnostics: false,
    });
    const url = `data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`;
    return (await import(url)) as LoadedRuntime;
  })();
  return loaded;
}
