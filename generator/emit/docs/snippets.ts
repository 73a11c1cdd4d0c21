/**
 * What the reference site shows to copy for one operation: the SDK call, and `curl` with the
 * `X-Authorization: Token` header, lists written the way CATMAID reads them (`k[0]=…`), and the
 * wire form of a parameter's example value.
 *
 * Consumes: a route and one of its operations. Produces: plain text (escaped by the templates).
 */
import type { Operation, Parameter, Route } from '../../model/types.js';
import { toIdentifier } from '../sdk/names.js';

/** A value to show for a parameter: its default, else one of its type. */
export function sampleValue(p: Parameter): string | number | boolean | Array<number | string> {
  if (p.default !== undefined && p.default !== null && typeof p.default !== 'object') return p.default as string | number | boolean;
  if (p.enum?.length) return p.enum[0]!;
  switch (p.type) {
    case 'integer':
      return 1;
    case 'number':
      return 1.5;
    case 'boolean':
      return true;
    case 'array':
      return p.items?.type === 'string' ? ['a', 'b'] : [1, 2];
    default:
      return 'text';
  }
}

/**
 * How a parameter's sample travels: `skeleton_ids[0]=1&skeleton_ids[1]=2` for CATMAID's indexed
 * lists, `k=1&k=2` for repeated ones, `k=true` for booleans (the runtime's encoding).
 */
export function wireExample(p: Parameter): string {
  const value = sampleValue(p);
  if (Array.isArray(value)) {
    return value.map((v, i) => `${p.style === 'repeated' ? p.name : `${p.name}[${i}]`}=${encodeURIComponent(String(v))}`).join('&');
  }
  return `${p.name}=${encodeURIComponent(String(value))}`;
}

/** Where the SDK exports the operation from: the package, its `/volatile` entry, or an extension's. */
export function sdkEntry(route: Route, op: Operation, packageName: string): string {
  const base = route.extension !== undefined ? `${packageName}/ext/${route.extension}` : packageName;
  return op.documented ? base : `${base}/volatile`;
}

/** The SDK call, with the required parameters (the client's project fills `project_id`). */
export function sdkSnippet(route: Route, op: Operation, packageName: string): string {
  const fn = toIdentifier(op.operationId);
  const required = op.parameters.filter((p) => p.required && !(p.in === 'path' && p.name === 'project_id' && route.projectScoped));
  const args = required.length ? `, { ${required.map((p) => `${/^[A-Za-z_$][\w$]*$/.test(p.name) ? p.name : JSON.stringify(p.name)}: ${JSON.stringify(sampleValue(p))}`).join(', ')} }` : '';
  const imports =
    sdkEntry(route, op, packageName) === packageName
      ? `import { createClient, ${fn} } from '${packageName}';`
      : `import { createClient } from '${packageName}';\nimport { ${fn} } from '${sdkEntry(route, op, packageName)}';`;
  return `${imports}\n\nconst client = createClient({ baseUrl: 'https://catmaid.example.org', token: process.env.CATMAID_TOKEN${route.projectScoped ? ', projectId: 1' : ''} });\nconst answer = await ${fn}(client${args});`;
}

/** `curl` for the operation: the token header (basic auth as an option), required parameters. */
export function curlSnippet(route: Route, op: Operation): string {
  const path = (route.path ?? '').replace(/\{([^}]+)\}/g, (_, name: string) => {
    const p = op.parameters.find((x) => x.in === 'path' && x.name === name);
    return p ? String(sampleValue(p)) : '1';
  });
  const sent = op.parameters.filter((p) => p.in !== 'path' && p.required);
  const lines = [`curl -H 'X-Authorization: Token $CATMAID_TOKEN' \\`, `  # behind HTTP basic auth too: --user "$USER:$PASSWORD" \\`];
  if (op.method === 'GET') {
    lines.push(`  -G '${'https://catmaid.example.org'}${path}'${sent.length ? ' \\' : ''}`);
  } else {
    lines.push(`  -X ${op.method} '${'https://catmaid.example.org'}${path}'${sent.length ? ' \\' : ''}`);
  }
  sent.forEach((p, i) => {
    const encoded = wireExample(p).split('&').map((part) => `--data-urlencode '${decodeURIComponent(part).replace(/'/g, "'\\''")}'`).join(' ');
    lines.push(`  ${encoded}${i < sent.length - 1 ? ' \\' : ''}`);
  });
  return lines.join('\n');
}
