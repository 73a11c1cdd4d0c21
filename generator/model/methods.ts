/**
 * Which HTTP methods Django lets through to a view (its accepted set: a list, or `any` when nothing
 * restricts it), and which methods the SDK calls it with (one operation each), with the evidence
 * for each. Restrictions: `@require_http_methods`, `@require_POST`/`GET`/`safe`, `@api_view`
 * (also as a URLconf wrapper), a class view's handler methods and `http_method_names`, the known
 * views of Django and REST framework. A function view without one answers every method; the SDK
 * calls it once per `request.method` block it has, and for the rest with POST when it reads a
 * request body or changes data (clients use POST for writes), else GET.
 *
 * Consumes: decorators, {@link FunctionFacts} and the view's {@link Flow}. Produces:
 * {@link AcceptedMethods} and {@link MethodChoice}s.
 */
import type { FunctionFacts } from '../parse/function-facts.js';
import { HTTP_METHODS } from '../parse/origins.js';
import type { DecoratorFact } from '../parse/view.js';
import type { Flow } from './request-flow.js';
import type { AcceptedMethods, Evidence, HttpMethod, Operation, SourceLocation } from './types.js';

export const HANDLER_METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
export const METHOD_ORDER = new Map(HANDLER_METHODS.map((m, i) => [m, i]));
/** Every method in the order accepted sets list them. */
const ALL_METHODS = HTTP_METHODS;

/** A parameter a known view outside the tree reads (its serializer's fields). */
export interface KnownParameter {
  name: string;
  type: 'string' | 'integer' | 'boolean';
  required: boolean;
  /** Where it is read (the serializer). */
  source: string;
}

/** One method the SDK calls a view with, and why. */
export interface MethodChoice {
  method: HttpMethod;
  source: Operation['methodSource'];
  evidence: string;
  basis: Evidence[];
}

/**
 * Base classes outside the tree whose HTTP methods and REST-framework-ness are known. Matched by
 * the last name of a `django.*`, `rest_framework.*` or `formtools.*` qualified name. `html`: the
 * view renders a template.
 */
const EXTERNAL_VIEW_CLASSES: Record<string, { drf: boolean; methods: HttpMethod[]; html?: boolean; params?: KnownParameter[] }> = {
  APIView: { drf: true, methods: [] },
  GenericAPIView: { drf: true, methods: [] },
  ListAPIView: { drf: true, methods: ['GET'] },
  RetrieveAPIView: { drf: true, methods: ['GET'] },
  CreateAPIView: { drf: true, methods: ['POST'] },
  DestroyAPIView: { drf: true, methods: ['DELETE'] },
  UpdateAPIView: { drf: true, methods: ['PUT', 'PATCH'] },
  ListCreateAPIView: { drf: true, methods: ['GET', 'POST'] },
  RetrieveUpdateAPIView: { drf: true, methods: ['GET', 'PUT', 'PATCH'] },
  RetrieveDestroyAPIView: { drf: true, methods: ['GET', 'DELETE'] },
  RetrieveUpdateDestroyAPIView: { drf: true, methods: ['GET', 'PUT', 'PATCH', 'DELETE'] },
  ViewSet: { drf: true, methods: [] },
  GenericViewSet: { drf: true, methods: [] },
  ModelViewSet: { drf: true, methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
  ReadOnlyModelViewSet: { drf: true, methods: ['GET'] },
  // REST framework's AuthTokenSerializer: username and password, as a form or JSON.
  ObtainAuthToken: {
    drf: true,
    methods: ['POST'],
    params: [
      { name: 'username', type: 'string', required: true, source: 'rest_framework.authtoken.serializers.AuthTokenSerializer' },
      { name: 'password', type: 'string', required: true, source: 'rest_framework.authtoken.serializers.AuthTokenSerializer' },
    ],
  },
  View: { drf: false, methods: [] },
  TemplateView: { drf: false, methods: ['GET'], html: true },
  RedirectView: { drf: false, methods: ['GET'], html: true },
  ListView: { drf: false, methods: ['GET'], html: true },
  DetailView: { drf: false, methods: ['GET'], html: true },
  FormView: { drf: false, methods: ['GET', 'POST'], html: true },
  CreateView: { drf: false, methods: ['GET', 'POST'], html: true },
  UpdateView: { drf: false, methods: ['GET', 'POST'], html: true },
  DeleteView: { drf: false, methods: ['GET', 'POST', 'DELETE'], html: true },
  LoginView: { drf: false, methods: ['GET', 'POST'], html: true },
  LogoutView: { drf: false, methods: ['GET', 'POST'], html: true },
  PasswordChangeView: { drf: false, methods: ['GET', 'POST'], html: true },
  PasswordResetView: { drf: false, methods: ['GET', 'POST'], html: true },
  SessionWizardView: { drf: false, methods: ['GET', 'POST'], html: true },
  NamedUrlSessionWizardView: { drf: false, methods: ['GET', 'POST'], html: true },
};

export function externalViewClass(qname: string) {
  if (!/^(django|rest_framework|formtools)\./.test(qname)) return undefined;
  return EXTERNAL_VIEW_CLASSES[qname.slice(qname.lastIndexOf('.') + 1)];
}

export const lastName = (qname: string) => qname.slice(qname.lastIndexOf('.') + 1);

function methodsOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.filter((m): m is string => typeof m === 'string').map((m) => m.toUpperCase()).filter((m) => ALL_METHODS.includes(m));
}

/** A set of methods in canonical order. */
export function sortedMethods(methods: Iterable<string>): string[] {
  const set = new Set(methods);
  return ALL_METHODS.filter((m) => set.has(m));
}

/** What Django's class-based views add: HEAD where GET is handled (`View.setup`), OPTIONS (`View.options`). */
export function classAccepts(methods: string[]): string[] {
  return sortedMethods([...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS']);
}

/**
 * REST framework's `api_view([...])`: the listed methods and OPTIONS, nothing else (its view class
 * sets `http_method_names` to them, so not even HEAD for GET).
 */
function apiViewAccepts(methods: string[]): string[] {
  return sortedMethods([...methods, 'OPTIONS']);
}

/**
 * Methods declared by decorators: `@api_view([...])` (REST framework adds OPTIONS),
 * `@require_http_methods([...])` (exactly those), `@require_POST`, `@require_GET`,
 * `@require_safe` (GET and HEAD).
 */
export function declaredMethods(decorators: DecoratorFact[], file: string | null): { methods: HttpMethod[]; accepts: AcceptedMethods; evidence: string } | undefined {
  for (const d of decorators) {
    const name = lastName(d.qname);
    let listed: string[] | undefined;
    let evidence = '';
    let accepts: string[] = [];
    if ((name === 'api_view' || name === 'require_http_methods') && Array.isArray(d.args[0]) && methodsOf(d.args[0]).length) {
      listed = methodsOf(d.args[0]);
      evidence = `@${name}(${JSON.stringify(d.args[0])})`;
      accepts = name === 'api_view' ? apiViewAccepts(listed) : sortedMethods(listed);
    } else if (name === 'api_view' && d.args.length === 0) {
      listed = ['GET'];
      evidence = '@api_view() (GET by default)';
      accepts = apiViewAccepts(listed);
    } else if (name === 'require_POST' || name === 'require_GET' || name === 'require_safe') {
      listed = name === 'require_POST' ? ['POST'] : ['GET'];
      evidence = name === 'require_safe' ? '@require_safe (GET and HEAD)' : `@${name}`;
      accepts = name === 'require_safe' ? ['GET', 'HEAD'] : listed;
    }
    if (!listed) continue;
    const methods = listed.filter((m): m is HttpMethod => METHOD_ORDER.has(m as HttpMethod));
    return { methods, evidence, accepts: { methods: accepts, evidence: [{ kind: 'decorator', text: evidence, file, line: d.line }] } };
  }
  return undefined;
}

/** The URLconf's `api_view([...])(view)`, which REST framework enforces whatever the body tests. */
export function urlconfApiView(args: unknown, line: number, file: string): { methods: HttpMethod[]; accepts: AcceptedMethods; evidence: string } {
  const listed = methodsOf(args);
  const evidence = `api_view(${JSON.stringify(args)}) in the URLconf`;
  return {
    methods: listed.filter((m): m is HttpMethod => METHOD_ORDER.has(m as HttpMethod)),
    evidence,
    accepts: { methods: apiViewAccepts(listed), evidence: [{ kind: 'urlconf-wrapper', text: evidence, file, line }] },
  };
}

/** A function view without a method restriction: every method reaches it. */
export function unrestricted(file: string | null, line: number | null, text = 'no @require_http_methods, @require_POST/GET/safe or @api_view on the function view'): AcceptedMethods {
  return { methods: 'any', evidence: [{ kind: 'no-restriction', text, file, line }] };
}

/**
 * The methods the SDK calls an unrestricted function view with: one per method a
 * `request.method` block names, and, when other methods still reach code, one for the rest —
 * POST when that code reads a request body or changes data (also in helpers handed the request),
 * or when the URLconf records it as a write; else GET.
 */
export function functionViewMethods(facts: FunctionFacts, flow: Flow, file: string, recordedWrite?: SourceLocation): MethodChoice[] {
  const choices: MethodChoice[] = [];
  for (const test of facts.methodTests) {
    for (const m of test.methods) {
      if (!METHOD_ORDER.has(m as HttpMethod) || choices.some((c) => c.method === m)) continue;
      choices.push({ method: m as HttpMethod, source: 'declared', evidence: `request.method == '${m}'`, basis: [{ kind: 'method-test', text: test.text, file, line: test.line }] });
    }
  }
  if (!facts.otherMethods) return choices;
  const taken = new Set(choices.map((c) => c.method));
  const applies = (methods: string[] | undefined, m: string) => !methods || methods.includes(m);
  const bodyRead = flow.reads.find((r) => (r.dict === 'POST' || r.dict === 'data' || r.dict === 'FILES') && applies(r.methods, 'POST'));
  const bodyWhole = flow.wholeDicts.find((w) => (w.dict === 'POST' || w.dict === 'data') && applies(w.methods, 'POST'));
  const change = flow.changes.find((c) => applies(c.methods, 'POST') && (!c.methods || !taken.has('POST')));
  const rest: Evidence[] = facts.otherEvidence ? [{ kind: 'method-test', text: facts.otherEvidence.text, file, line: facts.otherEvidence.line }] : [];
  if (!taken.has('POST') && (bodyRead || bodyWhole || change || recordedWrite)) {
    const basis: Evidence[] = [...rest];
    if (bodyRead) basis.push({ kind: 'body-read', text: bodyRead.text, file: bodyRead.file, line: bodyRead.line });
    else if (bodyWhole) basis.push({ kind: 'body-read', text: `every key of request.${bodyWhole.dict}`, file: bodyWhole.file, line: bodyWhole.line });
    if (change) basis.push({ kind: 'data-change', text: change.evidence, file: change.file, line: change.line });
    if (recordedWrite) basis.push({ kind: 'urlconf-write', text: 'recorded as a write by record_request_action in the URLconf', file: recordedWrite.file, line: recordedWrite.line });
    const evidence = bodyRead || bodyWhole ? `reads request.${bodyRead?.dict ?? bodyWhole!.dict}` : change ? `changes data: ${change.evidence}` : 'recorded as a write in the URLconf';
    choices.push({ method: 'POST', source: 'inferred', evidence, basis });
  } else {
    const method: HttpMethod | undefined = !taken.has('GET') ? 'GET' : !taken.has('POST') ? 'POST' : undefined;
    if (method) {
      const getRead = flow.reads.find((r) => (r.dict === 'GET' || r.dict === 'query_params' || r.dict === 'REQUEST') && applies(r.methods, method));
      const evidence = getRead ? `reads only request.${getRead.dict}` : method === 'GET' ? 'reads no request parameters' : 'the methods no request.method test names';
      choices.push({ method, source: 'inferred', evidence, basis: [...rest, ...(getRead ? [{ kind: 'read', text: getRead.text, file: getRead.file, line: getRead.line }] : [])] });
    }
  }
  return choices.sort((a, b) => METHOD_ORDER.get(a.method)! - METHOD_ORDER.get(b.method)!);
}
