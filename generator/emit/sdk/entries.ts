/**
 * The package's entry points (`index`, `volatile`, and the same two per extension): modules that
 * only re-export the operation modules' functions and types, and, from the main one, the runtime's
 * client. Written as text in each flavour: the source; the JavaScript, where the type-only exports
 * are gone, as TypeScript's emit leaves them; the declarations, which are the source.
 *
 * Consumes: the operations of one entry point, with their names. Produces: its three texts.
 */
import { compareText } from '../../util/compare.js';
import type { EmitOperation, Flavours } from './operation.js';

/** What the main entry point re-exports of the runtime: values, then types. */
const RUNTIME_VALUES = ['CatmaidClient', 'CatmaidError', 'createClient', 'raw', 'request'];
const RUNTIME_TYPES = ['CallOptions', 'ClientConfig', 'ExtraParams', 'HttpMethod', 'ParamValue', 'RawAnswer', 'RequestOptions', 'RetryOptions'];

/**
 * An entry point re-exporting `chosen` (operations of CATMAID, `extension` undefined, or of an
 * extension, whose modules are under `ext/<name>/`), and the runtime when `withRuntime`. `what`:
 * its doc comment.
 */
export function entryPoint(header: string, what: string, extension: string | undefined, chosen: readonly EmitOperation[], withRuntime: boolean): Flavours<string> {
  const head = [`// ${header}`, `/**`, ` * ${what}`, ` */`];
  const source = [...head];
  const script = [...head];
  if (withRuntime) {
    const values = `export { ${RUNTIME_VALUES.join(', ')} } from './runtime.js';`;
    source.push(values, `export type { ${RUNTIME_TYPES.join(', ')} } from './runtime.js';`);
    script.push(values);
  }
  const base = extension === undefined ? '' : `ext/${extension}/`;
  for (const group of [...new Set(chosen.map((o) => o.group))].sort(compareText)) {
    const ofGroup = chosen.filter((o) => o.group === group);
    const from = `} from './${group.slice(base.length)}.js';`;
    const names = ofGroup.flatMap((o) => [o.fn, `type ${o.paramsType}`, `type ${o.responseType}`, ...[...o.models.values()].map((m) => `type ${m}`)]);
    source.push(`export {\n${names.map((n) => `  ${n},`).join('\n')}\n${from}`);
    script.push(`export {\n${ofGroup.map((o) => `  ${o.fn},`).join('\n')}\n${from}`);
  }
  if (chosen.length === 0) source.push('export {};');
  const sourceText = source.join('\n') + '\n';
  // TypeScript's emit of a module that exports nothing is `export {};` alone (the doc comment goes
  // with the statement it replaces), and leaves out the `export {};` of one that re-exports the runtime.
  if (chosen.length === 0 && !withRuntime) return { source: sourceText, script: `// ${header}\nexport {};\n`, declarations: sourceText };
  return { source: sourceText, script: script.join('\n') + '\n', declarations: sourceText };
}
