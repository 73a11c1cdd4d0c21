/**
 * Operations stage: fills `route.operations`, one per HTTP method a route answers, with how the
 * method was found, documented (Django REST framework) or volatile, parameters merged from the
 * docstring's YAML and from what the code reads, permissions, response, and drift diagnostics
 * where docs and code disagree.
 *
 * Consumes: routes with resolved views, the {@link ModuleIndex}. Produces: `Operation`s on the
 * routes (ids are assigned afterwards by operation-ids.ts) and diagnostics.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import { parseDocstring, type DocstringFacts } from '../parse/docstring.js';
import type { Env } from '../parse/evaluate.js';
import type { Definition, ModuleFacts } from '../parse/module.js';
import type { SyntaxNode } from '../parse/parser.js';
import {
  moduleEnv,
  readClassFacts,
  readFunctionFacts,
  type ClassFacts,
  type DecoratorFact,
  type FunctionFacts,
  type RequestDict,
  type RequestRead,
} from '../parse/view.js';
import { compareText } from '../util/compare.js';
import type { ModuleFile, ModuleIndex } from './modules.js';
import { readDocumentedOperation, type DocumentedOperation, type DocumentedParameter } from './swagger-yaml.js';
import type { HttpMethod, JsonSchema, Operation, Parameter, Permission, ResponseInfo, Route, SourceLocation, ValueSchema } from './types.js';

const HANDLER_METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const METHOD_ORDER = new Map(HANDLER_METHODS.map((m, i) => [m, i]));

/**
 * Base classes outside the tree whose HTTP methods and REST-framework-ness are known. Matched by
 * the last name of a `django.*`, `rest_framework.*` or `formtools.*` qualified name.
 */
const EXTERNAL_VIEW_CLASSES: Record<string, { drf: boolean; methods: HttpMethod[] }> = {
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
  ObtainAuthToken: { drf: true, methods: ['POST'] },
  View: { drf: false, methods: [] },
  TemplateView: { drf: false, methods: ['GET'] },
  RedirectView: { drf: false, methods: ['GET'] },
  ListView: { drf: false, methods: ['GET'] },
  DetailView: { drf: false, methods: ['GET'] },
  FormView: { drf: false, methods: ['GET', 'POST'] },
  CreateView: { drf: false, methods: ['GET', 'POST'] },
  UpdateView: { drf: false, methods: ['GET', 'POST'] },
  DeleteView: { drf: false, methods: ['GET', 'POST', 'DELETE'] },
  LoginView: { drf: false, methods: ['GET', 'POST'] },
  LogoutView: { drf: false, methods: ['GET', 'POST'] },
  PasswordChangeView: { drf: false, methods: ['GET', 'POST'] },
  PasswordResetView: { drf: false, methods: ['GET', 'POST'] },
  SessionWizardView: { drf: false, methods: ['GET', 'POST'] },
  NamedUrlSessionWizardView: { drf: false, methods: ['GET', 'POST'] },
};

function externalViewClass(qname: string) {
  if (!/^(django|rest_framework|formtools)\./.test(qname)) return undefined;
  return EXTERNAL_VIEW_CLASSES[qname.slice(qname.lastIndexOf('.') + 1)];
}

const lastName = (qname: string) => qname.slice(qname.lastIndexOf('.') + 1);

/** One way of calling a view: a handler function (or none, for views outside the tree). */
interface Handler {
  method: HttpMethod;
  methodSource: Operation['methodSource'];
  methodEvidence: string;
  facts?: FunctionFacts;
  /** Reads of helpers the handler hands the request to (one call deep). */
  helperReads: RequestRead[];
  decorators: DecoratorFact[];
  docstring?: { text: string; line: number };
  location?: SourceLocation;
}

/** What one view answers, independent of the route(s) it is mounted at. */
interface ViewAnalysis {
  documented: boolean;
  handlers: Handler[];
  file: string | null;
}

export class OperationBuilder {
  private readonly analyses = new Map<string, ViewAnalysis>();
  private readonly envs = new Map<string, Env>();
  /** Class facts by node id: a base class is read once for all its subclasses. */
  private readonly classFacts = new Map<number, ClassFacts>();
  /** Reads of a helper by node id and how the request was handed to it. */
  private readonly helperFacts = new Map<string, RequestRead[]>();
  /** Parsed docstrings by file:line, as one view may be mounted at several routes. */
  private readonly docstrings = new Map<string, { doc: DocstringFacts; documented?: DocumentedOperation }>();

  constructor(
    private readonly modules: ModuleIndex,
    private readonly diagnostics: DiagnosticBag,
  ) {}

  /** Fills the operations of every route that Django can serve (a path, not shadowed). */
  fill(routes: Route[]): void {
    for (const route of routes) {
      if (route.path === null || route.shadowedBy !== undefined) continue;
      route.operations = this.operationsOf(route);
    }
  }

  private env(facts: ModuleFacts): Env {
    let env = this.envs.get(facts.module);
    if (!env) {
      env = moduleEnv(facts);
      this.envs.set(facts.module, env);
    }
    return env;
  }

  private operationsOf(route: Route): Operation[] {
    const view = route.view;
    const key = view ? `${view.module}.${view.name}` : `?${route.order}`;
    let analysis = this.analyses.get(key);
    if (!analysis) {
      analysis = this.analyseView(route);
      this.analyses.set(key, analysis);
    }
    const wrappers = route.wrappers;
    const apiWrapper = wrappers.find((w) => lastName(w.name) === 'api_view');
    const recorded = wrappers.find((w) => lastName(w.name) === 'record_request_action');
    const recordedMethod = typeof recorded?.args[1] === 'string' ? (recorded.args[1].toUpperCase() as HttpMethod) : undefined;
    let handlers = analysis.handlers;
    // A view with no handler of its own (a class without get/post…) still takes the URLconf's methods.
    const template: Handler = analysis.handlers[0] ?? { method: 'GET', methodSource: 'inferred', methodEvidence: '', helperReads: [], decorators: [] };
    // Methods the URLconf declares: api_view([...])(view) — which REST framework enforces, whatever
    // the body checks — and record_view("label", "POST")(view) where nothing else declares one.
    if (apiWrapper && Array.isArray(apiWrapper.args[0]) && analysis.handlers.every((h) => !h.facts?.decorators.some((d) => lastName(d.qname) === 'api_view'))) {
      const declared = methodsOf(apiWrapper.args[0]);
      handlers = declared.map((method) => ({ ...template, method, methodSource: 'declared', methodEvidence: `api_view(${JSON.stringify(apiWrapper.args[0])}) in the URLconf` }));
    } else if (recordedMethod && HANDLER_METHODS.includes(recordedMethod) && analysis.handlers.every((h) => h.methodSource === 'inferred')) {
      handlers = [{ ...template, method: recordedMethod, methodSource: 'declared', methodEvidence: `record_request_action(…, '${recordedMethod}') in the URLconf` }];
    }
    const documented = analysis.documented || !!apiWrapper;
    const urlconfPermissions = permissionsOf(wrappers.map((w) => ({ qname: w.name, args: w.args, line: route.source.line })));
    return handlers
      .slice()
      .sort((a, b) => METHOD_ORDER.get(a.method)! - METHOD_ORDER.get(b.method)!)
      .map((h) => this.operation(route, h, documented, urlconfPermissions, !!recorded && (!recordedMethod || recordedMethod === h.method), analysis!.file));
  }

  /** Methods, handlers and documentation status of the route's view. */
  private analyseView(route: Route): ViewAnalysis {
    const view = route.view;
    const inferredGet = (evidence: string): ViewAnalysis => ({
      documented: false,
      file: view?.file ?? null,
      handlers: [{ method: 'GET', methodSource: 'inferred', methodEvidence: evidence, helperReads: [], decorators: [] }],
    });
    if (!view) return inferredGet('view not resolved');
    if (view.external || view.file === null) {
      const known = externalViewClass(`${view.module}.${view.name}`);
      if (known && known.methods.length) {
        return {
          documented: known.drf,
          file: null,
          handlers: known.methods.map((method) => ({ method, methodSource: 'declared', methodEvidence: `${view.name} handles ${method}`, helperReads: [], decorators: [] })),
        };
      }
      return inferredGet(view.external ? `${view.module}.${view.name} is outside the source tree` : 'view not found');
    }
    const resolved = this.modules.resolve(`${view.module}.${view.name}`);
    if (resolved.kind !== 'definition') return inferredGet('view not found');
    const facts = this.modules.moduleFacts(resolved.module)!;
    const def = definitionNode(resolved.definition);
    if (resolved.definition.kind === 'class') return this.analyseClass(resolved.module, facts, def!);
    if (resolved.definition.kind === 'function' && def) return this.analyseFunction(resolved.module, facts, def);
    return inferredGet(`${view.name} is assigned, not defined with def`);
  }

  /** A function view: methods from decorators, `request.method` branches, or what it reads. */
  private analyseFunction(module: ModuleFile, facts: ModuleFacts, def: SyntaxNode): ViewAnalysis {
    const env = this.env(facts);
    const requestName = firstParameter(def);
    const ff = readFunctionFacts(def, env, new Set(requestName ? [requestName] : []));
    const helperReads = this.helperReads(ff, facts);
    const decorators = ff.decorators;
    const documented = decorators.some((d) => lastName(d.qname) === 'api_view');
    const base = { facts: ff, helperReads, decorators, ...(ff.docstring ? { docstring: ff.docstring } : {}), location: { file: module.file, line: ff.line } };
    const declared = declaredMethods(decorators);
    let methods: Array<{ method: HttpMethod; source: Operation['methodSource']; evidence: string }>;
    if (declared) {
      methods = declared.methods.map((method) => ({ method, source: 'declared' as const, evidence: declared.evidence }));
    } else if (ff.methodBranches.length) {
      const branched = ff.methodBranches.filter((m): m is HttpMethod => METHOD_ORDER.has(m as HttpMethod));
      methods = branched.map((method) => ({ method, source: 'declared' as const, evidence: `request.method == '${method}'` }));
      const outsideGet = [...ff.reads, ...helperReads].some((r) => !r.methods && (r.dict === 'GET' || r.dict === 'query_params'));
      if (outsideGet && !branched.includes('GET')) methods.push({ method: 'GET', source: 'inferred', evidence: 'reads request.GET outside the method branches' });
    } else {
      const all = [...ff.reads, ...helperReads];
      const bodyRead = all.find((r) => r.dict === 'POST' || r.dict === 'data' || r.dict === 'FILES');
      const bodyAll = ff.readsAllOf.find((d) => d === 'POST' || d === 'data');
      if (bodyRead || bodyAll) {
        methods = [{ method: 'POST', source: 'inferred', evidence: `reads request.${bodyRead?.dict ?? bodyAll}` }];
      } else {
        const getRead = all.find((r) => r.dict === 'GET' || r.dict === 'query_params' || r.dict === 'REQUEST');
        methods = [{ method: 'GET', source: 'inferred', evidence: getRead ? `reads only request.${getRead.dict}` : 'reads no request parameters' }];
      }
    }
    return { documented, file: module.file, handlers: methods.map((m) => ({ ...base, method: m.method, methodSource: m.source, methodEvidence: m.evidence })) };
  }

  /**
   * A class view: its handler methods (`get`, `post`, …) through its in-tree bases, and its
   * external bases' methods; documented when any base is a REST framework view.
   */
  private analyseClass(module: ModuleFile, facts: ModuleFacts, def: SyntaxNode): ViewAnalysis {
    const chain = this.classChain(module, facts, def, new Set());
    const documented = chain.external.some((q) => externalViewClass(q)?.drf);
    const handlers: Handler[] = [];
    const restrict = chain.classes.find((c) => c.facts.httpMethodNames)?.facts.httpMethodNames;
    for (const method of HANDLER_METHODS) {
      if (restrict && !restrict.includes(method)) continue;
      const owner = chain.classes.find((c) => c.facts.methods.has(method.toLowerCase()));
      if (owner) {
        const { node, decorators } = owner.facts.methods.get(method.toLowerCase())!;
        const requestName = firstParameter(node, 1);
        const ff = readFunctionFacts(node, owner.env, new Set(requestName ? [requestName] : []));
        const doc = ff.docstring ?? chain.classes[0]!.facts.docstring;
        handlers.push({
          method,
          methodSource: 'declared',
          methodEvidence: `${owner.facts.name}.${method.toLowerCase()}()`,
          facts: ff,
          helperReads: this.helperReads(ff, owner.moduleFacts),
          decorators: [...decorators, ...chain.classes[0]!.facts.decorators],
          ...(doc ? { docstring: doc } : {}),
          location: { file: owner.module.file, line: ff.line },
        });
        continue;
      }
      const external = chain.external.find((q) => externalViewClass(q)?.methods.includes(method));
      if (external) {
        const doc = chain.classes[0]!.facts.docstring;
        handlers.push({ method, methodSource: 'declared', methodEvidence: `inherited from ${external}`, helperReads: [], decorators: chain.classes[0]!.facts.decorators, ...(doc ? { docstring: doc } : {}) });
      }
    }
    if (handlers.length === 0) {
      this.diagnostics.add('view-without-methods', `class ${chain.classes[0]!.facts.name} defines no get/post/put/patch/delete handler`, module.file, chain.classes[0]!.facts.line);
    }
    return { documented, file: module.file, handlers };
  }

  /** The in-tree classes of a class's hierarchy (itself first, depth-first) and its external bases. */
  private classChain(module: ModuleFile, facts: ModuleFacts, def: SyntaxNode, seen: Set<string>) {
    const classes: Array<{ facts: ClassFacts; module: ModuleFile; moduleFacts: ModuleFacts; env: Env }> = [];
    const external: string[] = [];
    const env = this.env(facts);
    let cf = this.classFacts.get(def.id);
    if (!cf) {
      cf = readClassFacts(def, env);
      this.classFacts.set(def.id, cf);
    }
    seen.add(`${module.module}.${cf.name}`);
    classes.push({ facts: cf, module, moduleFacts: facts, env });
    for (const base of cf.bases) {
      const resolved = this.modules.resolve(base);
      if (resolved.kind === 'definition' && resolved.definition.kind === 'class') {
        const key = `${resolved.module.module}.${resolved.definition.name}`;
        if (seen.has(key)) continue;
        const baseFacts = this.modules.moduleFacts(resolved.module)!;
        const sub = this.classChain(resolved.module, baseFacts, definitionNode(resolved.definition)!, seen);
        classes.push(...sub.classes);
        external.push(...sub.external);
      } else {
        external.push(resolved.kind === 'external' ? `${resolved.moduleName}.${resolved.name}` : base);
      }
    }
    return { classes, external };
  }

  /** Reads of module-level functions the handler hands `request` or a request dictionary to. */
  private helperReads(ff: FunctionFacts, facts: ModuleFacts): RequestRead[] {
    const reads: RequestRead[] = [];
    for (const call of ff.helperCalls) {
      const def = facts.definitions.get(call.callee);
      if (def?.kind !== 'function') continue;
      const node = definitionNode(def)!;
      const params = (node.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p.type === 'identifier' ? p.text : p.childForFieldName('name')?.text ?? p.namedChildren[0]?.text ?? ''));
      const requestNames = new Set<string>();
      const aliases = new Map<string, Array<{ dict: RequestDict }>>();
      call.args.forEach((a, i) => {
        const name = params[i];
        if (!name) return;
        if (a.kind === 'request') requestNames.add(name);
        else if (a.kind === 'dict') aliases.set(name, a.dicts.map((dict) => ({ dict })));
      });
      const key = `${node.id}:${[...requestNames].join(',')}:${[...aliases].map(([k, v]) => `${k}=${v.map((x) => x.dict).join('|')}`).join(',')}`;
      let helperReads = this.helperFacts.get(key);
      if (!helperReads) {
        helperReads = readFunctionFacts(node, this.env(facts), requestNames, aliases).reads;
        this.helperFacts.set(key, helperReads);
      }
      reads.push(...helperReads.map((r) => ({ ...r, via: call.callee })));
    }
    return reads;
  }

  private operation(route: Route, h: Handler, documented: boolean, urlconfPermissions: Permission[], writes: boolean, file: string | null): Operation {
    const parsed = h.docstring ? this.docstring(h.docstring, file) : undefined;
    const doc = parsed?.doc;
    const where = `${h.method} ${route.path}`;
    if (doc?.yamlError && file) {
      this.diagnostics.add('docstring-yaml', `the YAML after --- does not parse: ${doc.yamlError.message}`, file, doc.yamlError.line, undefined, where);
    }
    const documentedOp = parsed?.documented;
    if (documentedOp && file) {
      for (const p of documentedOp.problems) this.diagnostics.add('docstring-yaml', p, file, h.docstring!.line, 'info', where);
    }
    const parameters = this.parameters(route, h, documentedOp, documented, file);
    const response = responseOf(h, documentedOp);
    if (response?.schema && file) this.reconcileWithReturns(h, response, file, where);
    const permissions = dedupePermissions([...permissionsOf(h.decorators.flatMap((d) => (d.inner ? [d, d.inner] : [d]))), ...urlconfPermissions]);
    const change = h.facts?.changes.find((c) => !c.methods || c.methods.includes(h.method));
    const deprecated = documentedOp?.deprecated || /^deprecated\b|\bis deprecated\b/i.test(doc?.summary ?? '');
    return {
      operationId: '',
      method: h.method,
      methodSource: h.methodSource,
      methodEvidence: h.methodEvidence,
      documented,
      volatile: !documented,
      ...(doc?.summary ? { summary: doc.summary } : {}),
      ...(doc?.description && doc.description !== doc.summary ? { description: doc.description } : {}),
      parameters,
      permissions,
      ...(response ? { response } : {}),
      ...(deprecated ? { deprecated: true } : {}),
      writes,
      ...(change ? { changesData: { evidence: change.evidence, line: change.line } } : {}),
      ...(h.location ? { handler: h.location } : {}),
    };
  }

  /**
   * Drift between a documented response type and the literals a view returns
   * (`return JsonResponse({'annotations': …})` documented as an array; a returned dict without a
   * key the docstring marks required). Dicts with an `error` key are CATMAID's error answers.
   * Adjusts `response`: documented keys a return leaves out become optional, and `contradicted`
   * says why the documented type is not trusted when every returned literal contradicts it.
   */
  private reconcileWithReturns(h: Handler, response: ResponseInfo, file: string, where: string): void {
    const documented = resolveTopSchema(response);
    const kind = documented?.['type'];
    if (kind !== 'object' && kind !== 'array') return;
    let shaped = 0;
    let contradicting = 0;
    const notAlwaysThere = new Set<string>();
    const listed = documented!['required'];
    const required: string[] = Array.isArray(listed) ? listed.filter((r): r is string => typeof r === 'string') : [];
    for (const r of h.facts?.returns ?? []) {
      if (!r.shape || !JSON_CONSTRUCTORS.has(r.constructor) || r.shape.keys?.includes('error')) continue;
      shaped++;
      if (r.shape.kind !== kind) {
        contradicting++;
        this.diagnostics.add('response-doc-mismatch', `the docstring documents ${kind === 'array' ? 'an array' : 'an object'}, but the view returns ${r.shape.kind === 'array' ? 'an array' : 'an object'} here`, file, r.line, undefined, where);
        continue;
      }
      const missing = r.shape.keys ? required.filter((k) => !r.shape!.keys!.includes(k)) : [];
      missing.forEach((k) => notAlwaysThere.add(k));
      if (missing.length) {
        this.diagnostics.add('response-doc-mismatch', `the view returns {${r.shape.keys!.join(', ')}} here, without the documented required ${missing.map((k) => `'${k}'`).join(', ')}`, file, r.line, undefined, where);
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

  private docstring(d: { text: string; line: number }, file: string | null) {
    const key = `${file}:${d.line}`;
    let parsed = this.docstrings.get(key);
    if (!parsed) {
      const doc = parseDocstring(d.text, d.line);
      parsed = { doc, ...(doc.yaml ? { documented: readDocumentedOperation(doc.yaml) } : {}) };
      this.docstrings.set(key, parsed);
    }
    return parsed;
  }

  /** Path parameters, then the documented and the inferred ones merged by name, with drift findings. */
  private parameters(route: Route, h: Handler, docs: DocumentedOperation | undefined, documented: boolean, file: string | null): Parameter[] {
    const where = `${h.method} ${route.path}`;
    const hasBody = h.method !== 'GET';
    const docParams = new Map<string, DocumentedParameter>();
    for (const p of docs?.parameters ?? []) if (!docParams.has(p.name)) docParams.set(p.name, p);

    const out: Parameter[] = [];
    const pathNames = new Set(route.pathParams.map((p) => p.name));
    const annotations = new Map((h.facts?.signature ?? []).map((s) => [s.name, s.annotation]));
    for (const p of route.pathParams) {
      const doc = docParams.get(p.name);
      let schema: ValueSchema = p.type === 'array' ? { type: 'array', items: { type: p.items ?? 'string' } } : { type: p.type, ...(p.enum ? { enum: p.enum } : {}) };
      // The view's own annotation (`skeleton_id: int`) refines a path part the regex leaves a string.
      const annotated = ANNOTATION_TYPES[annotations.get(p.name) ?? ''];
      if (schema.type === 'string' && !schema.enum && annotated) schema = { type: annotated };
      out.push({ name: p.name, in: 'path', ...schema, required: !p.optional, documented: !!doc, inferred: true, ...(doc?.description ? { description: doc.description } : {}) });
    }

    // What the code reads, one entry per name and location.
    const inferred = new Map<string, { location: Parameter['in']; reads: RequestRead[] }>();
    for (const r of [...(h.facts?.reads ?? []), ...h.helperReads]) {
      if (r.methods && !r.methods.includes(h.method)) continue;
      const location = locationOf(r.dict, h.method);
      if (!location || pathNames.has(r.name)) continue;
      const key = `${location}:${r.name}`;
      const entry = inferred.get(key) ?? { location, reads: [] };
      entry.reads.push(r);
      inferred.set(key, entry);
    }
    const readNames = new Map<string, Parameter['in']>();
    for (const { location, reads } of inferred.values()) readNames.set(reads[0]!.name, location);
    const readsEverything = (h.facts?.readsAllOf ?? []).some((d) => locationOf(d, h.method));

    for (const entry of inferred.values()) {
      const { reads } = entry;
      let location = entry.location;
      const name = reads[0]!.name;
      const doc = docParams.get(name);
      const code = mergeReads(reads);
      const docLocation = doc ? documentedLocation(doc, hasBody) : undefined;
      // REST framework's request.data takes JSON and form bodies alike: a documented form or body is right.
      const bodyAgrees = (docLocation === 'form' || docLocation === 'body') && (location === 'form' || location === 'body');
      if (bodyAgrees) location = docLocation!;
      if (doc && docLocation !== location && file && !bodyAgrees) {
        this.diagnostics.add('param-location-mismatch', `'${name}' is documented as ${doc.in}, but the code reads it from ${dictText(reads)} (${location})`, file, reads[0]!.line, undefined, where);
      }
      if (!doc && file && (documented || (docs?.parameters.length ?? 0) > 0)) {
        this.diagnostics.add('param-undocumented', `the code reads '${name}' from ${dictText(reads)}, the docstring does not document it`, file, reads[0]!.line, undefined, where);
      }
      // The docs' type, unless they only say "string" where the code converts to something more precise.
      const docsVague = doc && doc.type === 'string' && !doc.enum && !doc.format && code.type !== undefined && code.type !== 'string';
      const schema: ValueSchema = doc && !docsVague ? pickSchema(doc) : code.type ? { type: code.type, ...(code.items ? { items: { type: code.items } } : {}) } : { type: 'string' };
      const style = schema.type === 'array' ? (reads.some((r) => r.how === 'getlist') ? 'repeated' : 'indexed') : undefined;
      out.push({
        name,
        in: location,
        ...schema,
        ...(style ? { style } : {}),
        required: (doc?.required ?? false) || code.required,
        ...((doc?.default ?? code.default) !== undefined ? { default: (doc?.default ?? code.default)! } : {}),
        documented: !!doc,
        inferred: true,
        ...(doc?.description ? { description: doc.description } : {}),
      });
    }

    // Documented but never read by the code.
    for (const doc of docParams.values()) {
      if (pathNames.has(doc.name) || readNames.has(doc.name)) continue;
      const location = doc.in === 'path' ? 'query' : documentedLocation(doc, hasBody);
      // Code outside the tree (an inherited handler) cannot be checked.
      if (file && h.facts && !readsEverything) {
        this.diagnostics.add(
          'param-doc-unread',
          doc.in === 'path'
            ? `'${doc.name}' is documented as a path parameter, but the path has no such part and the code does not read it`
            : `'${doc.name}' is documented, but the code never reads it`,
          file,
          h.docstring?.line ?? null,
          undefined,
          where,
        );
      }
      out.push({
        name: doc.name,
        in: location,
        ...pickSchema(doc),
        ...(doc.type === 'array' ? { style: 'indexed' as const } : {}),
        required: doc.in === 'path' ? false : doc.required,
        ...(doc.default !== undefined ? { default: doc.default } : {}),
        documented: true,
        inferred: false,
        ...(doc.description ? { description: doc.description } : {}),
      });
    }

    const pathOrder = new Map(route.pathParams.map((p, i) => [p.name, i]));
    return out.sort((a, b) => {
      if ((a.in === 'path') !== (b.in === 'path')) return a.in === 'path' ? -1 : 1;
      if (a.in === 'path') return pathOrder.get(a.name)! - pathOrder.get(b.name)!;
      return compareText(a.name, b.name) || compareText(a.in, b.in);
    });
  }
}

/** The node of a function or class definition (the definition node itself). */
function definitionNode(d: Definition): SyntaxNode | undefined {
  return d.kind === 'assignment' ? undefined : d.node;
}

/** Name of the n-th parameter of a function (0: the request of a view; 1: after `self`). */
function firstParameter(def: SyntaxNode, index = 0): string | undefined {
  const p = (def.childForFieldName('parameters')?.namedChildren ?? []).filter((c) => c.type !== 'comment')[index];
  if (!p) return undefined;
  const name = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier');
  return name?.type === 'identifier' ? name.text : undefined;
}

function methodsOf(list: unknown): HttpMethod[] {
  if (!Array.isArray(list)) return [];
  return list.filter((m): m is string => typeof m === 'string').map((m) => m.toUpperCase()).filter((m): m is HttpMethod => METHOD_ORDER.has(m as HttpMethod));
}

/** Methods declared by decorators: `@api_view([...])`, `@require_http_methods([...])`, `@require_POST`, … */
function declaredMethods(decorators: DecoratorFact[]): { methods: HttpMethod[]; evidence: string } | undefined {
  for (const d of decorators) {
    const name = lastName(d.qname);
    if ((name === 'api_view' || name === 'require_http_methods') && Array.isArray(d.args[0])) {
      const methods = methodsOf(d.args[0]);
      if (methods.length) return { methods, evidence: `@${name}(${JSON.stringify(d.args[0])})` };
    }
    if (name === 'api_view' && d.args.length === 0) return { methods: ['GET'], evidence: '@api_view() (GET by default)' };
    if (name === 'require_POST') return { methods: ['POST'], evidence: '@require_POST' };
    if (name === 'require_GET') return { methods: ['GET'], evidence: '@require_GET' };
    if (name === 'require_safe') return { methods: ['GET'], evidence: '@require_safe (GET and HEAD)' };
  }
  return undefined;
}

/** Where a read of a request dictionary travels, for an operation of `method`; undefined when it cannot. */
function locationOf(dict: RequestDict, method: HttpMethod): Parameter['in'] | undefined {
  switch (dict) {
    case 'GET':
    case 'query_params':
      return 'query';
    case 'POST':
    case 'FILES':
      return method === 'GET' ? undefined : 'form';
    case 'data':
      // REST framework's request.data: JSON or form. Form is what CATMAID's own client sends;
      // only a docstring saying `paramType: body` makes it a JSON body.
      return method === 'GET' ? undefined : 'form';
    case 'REQUEST':
      return method === 'GET' ? 'query' : 'form';
  }
}

/** A documented location as the wire sees it: GET requests carry form/body parameters in the query. */
function documentedLocation(doc: DocumentedParameter, hasBody: boolean): Parameter['in'] {
  if (!hasBody && (doc.in === 'form' || doc.in === 'body')) return 'query';
  return doc.in;
}

function dictText(reads: RequestRead[]): string {
  return [...new Set(reads.map((r) => `request.${r.dict}${r.via ? ` (in ${r.via})` : ''}`))].join(', ');
}

function pickSchema(doc: DocumentedParameter): ValueSchema {
  return { type: doc.type, ...(doc.items ? { items: doc.items } : {}), ...(doc.enum ? { enum: doc.enum } : {}), ...(doc.format ? { format: doc.format } : {}) };
}

/** Several reads of one parameter: required only if the code never treats it as optional. */
function mergeReads(reads: RequestRead[]): { required: boolean; type?: ValueSchema['type']; items?: ValueSchema['type']; default?: Parameter['default'] } {
  const required = reads.some((r) => r.required) && !reads.some((r) => !r.required);
  const typed = reads.find((r) => r.type && r.type !== 'string') ?? reads.find((r) => r.type);
  const withDefault = reads.find((r) => r.default !== undefined);
  return {
    required,
    ...(typed?.type ? { type: reads.some((r) => r.dict === 'FILES') ? 'file' : typed.type } : reads.some((r) => r.dict === 'FILES') ? { type: 'file' as const } : {}),
    ...(typed?.items ? { items: typed.items } : {}),
    ...(withDefault ? { default: withDefault.default! } : {}),
  };
}

/** Python annotations of view parameters that give a path part a JSON type. */
const ANNOTATION_TYPES: Record<string, ValueSchema['type']> = { int: 'integer', float: 'number', bool: 'boolean', str: 'string' };

const PERMISSION_KINDS: Record<string, Permission['kind']> = {
  requires_user_role: 'project-role',
  requires_user_role_for_any_project: 'any-project-role',
  login_required: 'login',
  user_passes_test: 'other',
  permission_required: 'other',
  staff_member_required: 'other',
};

/** Permission checks among decorators (`method_decorator(inner)` is looked through by the caller). */
function permissionsOf(decorators: Array<Pick<DecoratorFact, 'qname' | 'args'>>): Permission[] {
  const out: Permission[] = [];
  for (const d of decorators) {
    const kind = PERMISSION_KINDS[lastName(d.qname)];
    if (!kind) continue;
    const roles = (Array.isArray(d.args[0]) ? d.args[0] : d.args[0] !== undefined ? [d.args[0]] : [])
      .filter((r): r is string => typeof r === 'string')
      .map((r) => r.replace(/^UserRole\./, ''));
    out.push({ kind, ...(roles.length && kind !== 'login' ? { roles } : {}), decorator: d.qname });
  }
  return out;
}

function dedupePermissions(list: Permission[]): Permission[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const JSON_CONSTRUCTORS = new Set(['JsonResponse', 'Response']);
const BINARY_CONSTRUCTORS = new Set(['FileResponse', 'StreamingHttpResponse']);
const HTML_CONSTRUCTORS = new Set(['render', 'render_to_response', 'TemplateResponse', 'HttpResponseRedirect', 'redirect']);

/** The documented response schema, through a top-level `$ref` into its models. */
function resolveTopSchema(response: ResponseInfo): JsonSchema | undefined {
  let schema = response.schema;
  for (let depth = 0; schema && typeof schema['$ref'] === 'string' && depth < 8; depth++) {
    schema = response.models?.[schema['$ref'].replace(/^#\/models\//, '')];
  }
  return schema;
}

/** Response format from what the handler returns, and the schema the docstring documents. */
function responseOf(h: Handler, docs: DocumentedOperation | undefined): ResponseInfo | undefined {
  const returns = h.facts?.returns ?? [];
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
  const known = formats.filter((f) => f.format !== 'unknown');
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
