/**
 * What an operation answers: the format from what the handler returns (`JsonResponse`, DRF
 * `Response`, `HttpResponse(…, content_type=…)`, `render(…)` and template views, files), also
 * through a helper whose call it returns, and the JSON schema its docstring documents, checked
 * against the literals the view returns (`response-doc-mismatch`).
 *
 * Consumes: a {@link Handler} and the docstring's {@link DocumentedOperation}. Produces:
 * {@link ResponseInfo} and drift diagnostics.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { Handler } from './operations.js';
import type { DocumentedOperation } from './swagger-yaml.js';
import type { JsonSchema, ResponseInfo } from './types.js';

const JSON_CONSTRUCTORS = new Set(['JsonResponse', 'Response']);
const BINARY_CONSTRUCTORS = new Set(['FileResponse', 'StreamingHttpResponse']);
/** Django's template shortcuts and responses that are pages or redirects. */
const HTML_CONSTRUCTORS = new Set(['render', 'render_to_response', 'TemplateResponse', 'HttpResponseRedirect', 'HttpResponsePermanentRedirect', 'redirect']);

/** Response format from what the handler returns, and the schema the docstring documents. */
export function responseOf(h: Handler, docs: DocumentedOperation | undefined): ResponseInfo | undefined {
  const returns = h.flow?.returns ?? [];
  const formats = returns.map((r): { format: ResponseInfo['format']; contentType?: string } => {
    if (JSON_CONSTRUCTORS.has(r.constructor)) return { format: 'json' };
    if (BINARY_CONSTRUCTORS.has(r.constructor)) return { format: 'binary', ...(r.contentType && r.contentType !== '?' ? { contentType: r.contentType } : {}) };
    if (HTML_CONSTRUCTORS.has(r.constructor)) return { format: 'html' };
    if (r.constructor === 'HttpResponse') {
      const ct = r.contentType;
      if (ct === '?') return { format: 'unknown' }; // set at run time
      if (/json/.test(ct ?? '') || (!ct && /(^|\.)dumps$/.test(r.firstArgument ?? ''))) return { format: 'json', ...(ct ? { contentType: ct } : {}) };
      if (!ct) return { format: 'html' }; // Django's default content type
      if (/^text\/html/.test(ct)) return { format: 'html', contentType: ct };
      if (/^text\//.test(ct)) return { format: 'text', contentType: ct };
      return { format: 'binary', contentType: ct };
    }
    return { format: 'unknown' };
  });
  // A content type set at run time (`response['Content-Type'] = …`) beside Django's default HTML of
  // an error branch: what the view answers is not known, not HTML.
  const runTimeType = returns.some((r) => r.contentType === '?');
  const known = formats.filter((f) => f.format !== 'unknown' && !(runTimeType && f.format === 'html'));
  // A class view whose handler is a template view's (Django's TemplateView.get) renders a page.
  if (formats.length === 0 && h.rendersTemplate && !docs?.response) return { format: 'html', contentType: 'text/html; charset=utf-8' };
  if (formats.length === 0 && !docs?.response) return undefined;
  // A documented schema without a recognised return is JSON (CATMAID documents JSON responses).
  const format = known.find((f) => f.format === 'json') ?? known[0] ?? { format: docs?.response ? ('json' as const) : ('unknown' as const) };
  return {
    format: format.format,
    ...(format.contentType ? { contentType: format.contentType } : {}),
    ...(docs?.response ? { schema: docs.response.schema } : {}),
    ...(docs?.response?.models ? { models: docs.response.models } : {}),
  };
}

/** The documented response schema, through a top-level `$ref` into its models. */
function resolveTopSchema(response: ResponseInfo): JsonSchema | undefined {
  let schema = response.schema;
  for (let depth = 0; schema && typeof schema['$ref'] === 'string' && depth < 8; depth++) {
    schema = response.models?.[schema['$ref'].replace(/^#\/models\//, '')];
  }
  return schema;
}

/**
 * Drift between a documented response type and the literals a view returns
 * (`return JsonResponse({'annotations': …})` documented as an array; a returned dict without a
 * key the docstring marks required). Dicts with an `error` key are CATMAID's error answers.
 * Adjusts `response`: documented keys a return leaves out become optional, and `contradicted`
 * says why the documented type is not trusted when every returned literal contradicts it.
 */
export function reconcileWithReturns(h: Handler, response: ResponseInfo, diagnostics: DiagnosticBag, where: string): void {
  const documented = resolveTopSchema(response);
  const kind = documented?.['type'];
  if (kind !== 'object' && kind !== 'array') return;
  let shaped = 0;
  let contradicting = 0;
  const notAlwaysThere = new Set<string>();
  const listed = documented!['required'];
  const required: string[] = Array.isArray(listed) ? listed.filter((r): r is string => typeof r === 'string') : [];
  for (const r of h.flow?.returns ?? []) {
    if (!r.shape || !JSON_CONSTRUCTORS.has(r.constructor) || r.shape.keys?.includes('error')) continue;
    shaped++;
    if (r.shape.kind !== kind) {
      contradicting++;
      diagnostics.add('response-doc-mismatch', `the docstring documents ${kind === 'array' ? 'an array' : 'an object'}, but the view returns ${r.shape.kind === 'array' ? 'an array' : 'an object'} here`, r.file, r.line, undefined, where);
      continue;
    }
    const missing = r.shape.keys ? required.filter((k) => !r.shape!.keys!.includes(k)) : [];
    missing.forEach((k) => notAlwaysThere.add(k));
    if (missing.length) {
      diagnostics.add('response-doc-mismatch', `the view returns {${r.shape.keys!.join(', ')}} here, without the documented required ${missing.map((k) => `'${k}'`).join(', ')}`, r.file, r.line, undefined, where);
    }
  }
  // A documented key some return leaves out is optional in what clients are promised.
  if (notAlwaysThere.size && response.schema === documented) {
    const still = required.filter((k) => !notAlwaysThere.has(k));
    const rest: JsonSchema = { ...documented! };
    delete rest['required'];
    response.schema = still.length ? { ...rest, required: still } : rest;
  }
  if (shaped === 0 || contradicting < shaped) return;
  const other = kind === 'array' ? 'an object' : 'an array';
  response.contradicted = `the docstring documents ${kind === 'array' ? 'an array' : 'an object'}, but every literal the view returns is ${other}`;
}
