/**
 * The API reference site of a release: CATMAID's `/apis/` page for the whole surface. Static
 * files that work from any host and from `file://`, nothing loaded from the network:
 *
 * - `index.html`: every operation grouped by area (the view's control module, as the OpenAPI tag),
 *   with method, path, summary, documented/volatile and write badges, and a filter that answers
 *   as you type (the list is in the page, so it needs no request);
 * - `operations/<operationId>.html`: what it does, its parameters (where and how they travel, the
 *   wire form of lists, drift notes), the answer's type as a tree with its evidence and an example,
 *   permissions, a warning where it writes, the source location (linked with `sourceUrl`),
 *   copyable SDK and `curl` snippets, a "Try it" form, and what changed since `changes.from`;
 * - `changes.html`: the API changes since an older release, each linked to its operation;
 * - `assets/site.css`, `assets/site.js` (filter, try-it), `assets/runtime.js`: the SDK's own
 *   runtime (templates/runtime.ts.hbs), so that try-it encodes requests exactly as the SDK does.
 *
 * Consumes: a route model, the runtime as browser JavaScript, and optionally a diff. Produces:
 * {@link EmittedFile}s, the same bytes for the same input.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { ApiDiff, Finding } from '../../diff/index.js';
import type { Operation, Parameter, Route, RouteModel } from '../../model/types.js';
import { compareText } from '../../util/compare.js';
import type { EmittedFile } from '../files.js';
import { catmaidLabel, headerLine } from '../provenance.js';
import { areaOf, operationSpec, tokenPermission } from '../spec.js';
import { asset, kindText, messageHtml, renderPage, schemaTree } from './html.js';
import { curlSnippet, sdkEntry, sdkSnippet, wireExample } from './snippets.js';

export interface DocsOptions {
  /** The npm name of the SDK the snippets import. */
  packageName: string;
  /** `https://github.com/catmaid/CATMAID/blob/{commit}/{file}#L{line}`: source locations become links. */
  sourceUrl?: string;
  /**
   * The changes from older releases to this one, oldest first: one diff (`docs --since REF`) or
   * the diff of every consecutive pair of releases (`docs --changelog`).
   */
  changes?: ApiDiff[];
  /** The SDK runtime as a classic browser script that defines `window.CatmaidRuntime`. */
  runtimeScript: string;
}

interface OperationView {
  route: Route;
  op: Operation;
  page: string;
  group: string;
}

/** The site's files, sorted by path. */
export function emitDocs(model: RouteModel, options: DocsOptions): EmittedFile[] {
  const views = operationViews(model);
  const drift = new Map<string, Diagnostic[]>();
  for (const d of model.diagnostics) if (d.operation) drift.set(d.operation, [...(drift.get(d.operation) ?? []), d]);
  // What changed for each operation, by release (by method and path: ids may differ between releases).
  const changesOf = new Map<string, Array<{ to: string; findings: Finding[] }>>();
  for (const diff of options.changes ?? []) {
    const byOperation = new Map<string, Finding[]>();
    for (const f of diff.findings) {
      if (f.section === 'Removals') continue;
      const key = `${f.method} ${f.path}`;
      byOperation.set(key, [...(byOperation.get(key) ?? []), f]);
    }
    for (const [key, findings] of byOperation) changesOf.set(key, [...(changesOf.get(key) ?? []), { to: diff.to, findings }]);
  }
  const release = catmaidLabel(model.source);
  const header = headerLine(model);
  const common = { release, header, hasChanges: !!options.changes };
  const files: EmittedFile[] = [];

  const groups = [...new Set(views.map((v) => v.group))].sort(compareText).map((group) => ({
    group,
    operations: views.filter((v) => v.group === group).map((v) => indexRow(v)),
  }));
  const search = views.map((v) => ({
    id: v.op.operationId,
    text: [v.op.operationId, v.op.method, v.route.path ?? '', v.op.summary ?? '', ...v.op.parameters.map((p) => p.name)].join(' ').toLowerCase(),
  }));
  files.push({
    path: 'index.html',
    content: renderPage('index', { ...common, root: '', title: `CATMAID API — ${release}`, groups, count: views.length, documented: views.filter((v) => v.op.documented).length, search }),
  });

  for (const v of views) {
    const where = `${v.op.method} ${v.route.path}`;
    const history = [...(changesOf.get(where) ?? [])].reverse();
    files.push({
      path: `operations/${v.page}`,
      content: renderPage('operation', {
        ...common,
        root: '../',
        title: `${where} — CATMAID API ${release}`,
        ...operationView(v, model, options),
        drift: (drift.get(where) ?? []).map((d) => ({ code: d.code, message: d.message, at: location(d.file, d.line, model, options.sourceUrl) })),
        history: history.map((h) => ({
          to: h.to,
          added: h.findings.some((f) => f.kind === 'operation-added'),
          changes: h.findings.filter((f) => f.kind !== 'operation-added').map((f) => ({ severity: f.severity, message: messageHtml(f.message) })),
        })),
        changesFrom: options.changes?.length ? options.changes[0]!.from : null,
      }),
    });
  }

  if (options.changes?.length) {
    const pages = new Map(views.map((v) => [`${v.op.method} ${v.route.path}`, v.page]));
    // Newest release first, as CATMAID's own API changelog.
    const releases = [...options.changes].reverse().map((diff) => ({
      from: diff.from,
      to: diff.to,
      sections: (['Additions', 'Modifications', 'Deprecations', 'Removals'] as const).map((section) => ({
        section,
        items: diff.findings
          .filter((f) => f.section === section)
          .map((f) => {
            // Linked where this release still has the operation at that method and path.
            const page = section !== 'Removals' ? pages.get(`${f.method} ${f.path}`) : undefined;
            return { method: f.method, path: f.path, message: messageHtml(f.message), severity: f.severity, breaking: f.severity === 'breaking', documented: f.documented, href: page ? `operations/${page}` : null };
          }),
      })),
    }));
    const first = options.changes[0]!.from;
    const last = options.changes[options.changes.length - 1]!.to;
    files.push({ path: 'changes.html', content: renderPage('changes', { ...common, root: '', title: `API changes ${first} → ${last}`, from: first, to: last, releases }) });
  }

  files.push({ path: 'assets/site.css', content: asset('site.css') });
  files.push({ path: 'assets/site.js', content: asset('site.js') });
  files.push({ path: 'assets/runtime.js', content: options.runtimeScript });
  return files.sort((a, b) => compareText(a.path, b.path));
}

/** The operations the site lists (those with a path), with their pages and areas. */
function operationViews(model: RouteModel): OperationView[] {
  const out: OperationView[] = [];
  const pages = new Set<string>();
  for (const route of model.routes) {
    if (route.path === null) continue;
    for (const op of route.operations) {
      // Operation ids are unique; the file name keeps only safe characters, numbered if that collides.
      let page = `${op.operationId.replace(/[^A-Za-z0-9_-]/g, '_')}.html`;
      for (let n = 2; pages.has(page.toLowerCase()); n++) page = `${op.operationId.replace(/[^A-Za-z0-9_-]/g, '_')}-${n}.html`;
      pages.add(page.toLowerCase());
      out.push({ route, op, page, group: areaOf(route) });
    }
  }
  return out;
}


function indexRow(v: OperationView) {
  return {
    id: v.op.operationId,
    href: `operations/${v.page}`,
    method: v.op.method,
    path: v.route.path,
    summary: v.op.summary ?? '',
    documented: v.op.documented,
    writes: writes(v.op),
  };
}

function writes(op: Operation): boolean {
  return op.writes || !!op.changesData;
}

/** A file and line as text, and as a link where `sourceUrl` says how. */
function location(file: string | null, line: number | null, model: RouteModel, sourceUrl: string | undefined): { text: string; href: string | null } | null {
  if (!file) return null;
  const text = `${file}${line ? `:${line}` : ''}`;
  // An extension's files are not in CATMAID's repository: no link.
  if (!sourceUrl || !model.source.commit || file.startsWith('ext/')) return { text, href: null };
  return { text, href: sourceUrl.replace(/\{commit\}/g, model.source.commit).replace(/\{file\}/g, file).replace(/\{line\}/g, String(line ?? 1)) };
}

function operationView(v: OperationView, model: RouteModel, options: DocsOptions) {
  const { route, op } = v;
  const response = op.response;
  const spec = operationSpec(route, op);
  return {
    id: op.operationId,
    method: op.method,
    path: route.path,
    group: v.group,
    summary: op.summary ?? '',
    description: op.description && op.description !== op.summary ? op.description : '',
    documented: op.documented,
    deprecated: !!op.deprecated,
    extension: route.extension ?? null,
    view: route.view ? `${route.view.module}.${route.view.name}` : null,
    handler: op.handler ? location(op.handler.file, op.handler.line, model, options.sourceUrl) : null,
    urlconf: location(route.source.file, route.source.line, model, options.sourceUrl),
    accepts: op.accepts ? (op.accepts.methods === 'any' ? 'any method' : op.accepts.methods.join(', ')) : '',
    methodEvidence: op.methodEvidence,
    parameters: op.parameters.map((p) => parameterView(p)),
    hasParameters: op.parameters.length > 0,
    permissions: op.permissions.map((p) => ({ kind: p.kind, roles: p.roles?.join(' or ') ?? '', decorator: p.decorator })),
    tokenPermission: tokenPermission(op) ?? null,
    writes: writes(op),
    writesRecorded: op.writes,
    changesData: op.changesData ? { evidence: op.changesData.evidence, at: location(op.handler?.file ?? null, op.changesData.line, model, options.sourceUrl) } : null,
    response: response
      ? {
          format: response.format,
          contentType: response.contentType ?? '',
          kind: kindText(response.schema),
          tree: schemaTree(response.schema),
          evidence: (response.evidence ?? []).map((e) => ({ source: e.source, at: location(e.file, e.line, model, options.sourceUrl) })),
          examples: (response.examples ?? []).map((e) => JSON.stringify(e, null, 2)),
        }
      : null,
    sdk: sdkSnippet(route, op, options.packageName),
    sdkEntry: sdkEntry(route, op, options.packageName),
    curl: curlSnippet(route, op),
    spec,
  };
}

function parameterView(p: Parameter) {
  const type = p.type === 'array' ? `array of ${p.items?.type ?? 'unknown'}` : p.type;
  return {
    name: p.name,
    in: ({ path: 'path', query: 'query string', form: 'form body', body: 'JSON body', header: 'header' } as const)[p.in],
    location: p.in,
    type,
    isArray: p.type === 'array',
    isBoolean: p.type === 'boolean',
    isFile: p.type === 'file',
    enum: p.enum?.map(String) ?? [],
    required: p.required,
    default: p.default !== undefined ? JSON.stringify(p.default) : '',
    encoding: p.type === 'array' ? (p.style === 'repeated' ? 'repeated keys' : 'indexed keys (CATMAID’s get_request_list)') : '',
    wire: p.in === 'path' ? '' : wireExample(p),
    description: p.description ?? '',
    documented: p.documented,
    inferred: p.inferred,
  };
}
