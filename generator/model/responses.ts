/**
 * What an operation answers: the format from what the handler returns (`JsonResponse`, DRF
 * `Response`, `HttpResponse(…, content_type=…)`, `render(…)` and template views, files), also
 * through a helper whose call it returns, and the JSON schema its docstring documents (merged
 * with the code's and other evidence by response-evidence.ts).
 *
 * Consumes: a {@link Handler} and the docstring's {@link DocumentedOperation}. Produces:
 * {@link ResponseInfo}.
 */
import type { Handler } from './operations.js';
import type { DocumentedOperation } from './swagger-yaml.js';
import type { ResponseInfo } from './types.js';

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

