/**
 * Operations stage: fills `route.operations`, one per HTTP method the SDK calls a route with,
 * with the methods the view accepts and why, documented (Django REST framework) or volatile,
 * parameters merged from the docstring's YAML and from what the code reads (parameters.ts),
 * permissions, response (responses.ts), what changes data, and drift diagnostics where docs and
 * code disagree.
 *
 * Consumes: routes with resolved views, the {@link ModuleIndex}. Produces: `Operation`s on the
 * routes (ids are assigned afterwards by operation-ids.ts) and diagnostics.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import { parseDocstring, type DocstringFacts } from '../parse/docstring.js';
import type { Env } from '../parse/evaluate.js';
import type { FunctionFacts } from '../parse/function-facts.js';
import type { Definition, ModuleFacts } from '../parse/module.js';
import type { SyntaxNode } from '../parse/parser.js';
import { decoratorsOf, docstringOf, moduleEnv, readClassFacts, type ClassFacts, type DecoratorFact } from '../parse/view.js';
import {
  classAccepts,
  declaredMethods,
  externalViewClass,
  functionViewMethods,
  HANDLER_METHODS,
  lastName,
  METHOD_ORDER,
  unrestricted,
  urlconfApiView,
  type KnownParameter,
  type MethodChoice,
} from './methods.js';
import type { ModuleFile, ModuleIndex } from './modules.js';
import { resolveName } from './resolve-name.js';
import { buildParameters, readsUnlisted } from './parameters.js';
import { RequestFlow, type Flow } from './request-flow.js';
import { CodeShapes } from './code-shapes.js';
import { combineCodeAndDocs } from './response-evidence.js';
import { responseOf } from './responses.js';
import { readDocumentedOperation, type DocumentedOperation } from './swagger-yaml.js';
import type { AcceptedMethods, Evidence, HttpMethod, Operation, Permission, Route, SourceLocation } from './types.js';

/** One way of calling a view: a handler function (or none, for views outside the tree). */
export interface Handler {
  method: HttpMethod;
  methodSource: Operation['methodSource'];
  methodEvidence: string;
  methodBasis: Evidence[];
  facts?: FunctionFacts;
  /** What the handler's request reaches: its reads and those of the helpers it hands it to. */
  flow?: Flow;
  decorators: DecoratorFact[];
  docstring?: { text: string; line: number };
  location?: SourceLocation;
  /** Inherited from a Django view that renders a template (`TemplateView.get`). */
  rendersTemplate?: boolean;
  /** What a known view outside the tree reads (REST framework's AuthTokenSerializer). */
  knownParams?: KnownParameter[];
}

/** What one view answers, independent of the route(s) it is mounted at. */
interface ViewAnalysis {
  documented: boolean;
  handlers: Handler[];
  accepts: AcceptedMethods;
  file: string | null;
  /** For an unrestricted function view: its methods again, as if the URLconf recorded it as a write. */
  asWrite?: (recordedAt: SourceLocation) => Handler[];
}

export class OperationBuilder {
  private readonly analyses = new Map<string, ViewAnalysis>();
  private readonly envs = new Map<string, Env>();
  /** Class facts by node id: a base class is read once for all its subclasses. */
  private readonly classFacts = new Map<number, ClassFacts>();
  /** Parsed docstrings by file:line, as one view may be mounted at several routes. */
  private readonly docstrings = new Map<string, { doc: DocstringFacts; documented?: DocumentedOperation }>();
  private readonly flow: RequestFlow;
  private readonly codeShapes: CodeShapes;
  /**
   * Operations whose code may read parameters their list does not name: it reads a request dict as
   * a whole (`request.POST.items()`), hands the request to code that was not followed (a class, a
   * serializer), or its handler is outside the tree.
   */
  readonly openParameters = new WeakSet<Operation>();

  constructor(
    private readonly modules: ModuleIndex,
    private readonly diagnostics: DiagnosticBag,
  ) {
    this.flow = new RequestFlow(modules, (facts) => this.env(facts));
    this.codeShapes = new CodeShapes(this.flow, modules);
  }

  private env(facts: ModuleFacts): Env {
    let env = this.envs.get(facts.module);
    if (!env) {
      env = moduleEnv(facts);
      this.envs.set(facts.module, env);
    }
    return env;
  }

  /** The operations of a route that Django can serve; a view mounted at several routes is analysed once. */
  operationsOf(route: Route): Operation[] {
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
    let accepts = analysis.accepts;
    // A view with no handler of its own (a class without get/post…) still takes the URLconf's methods.
    const template: Handler = analysis.handlers[0] ?? { method: 'GET', methodSource: 'inferred', methodEvidence: '', methodBasis: [], decorators: [] };
    const inferredOnly = analysis.handlers.every((h) => h.methodSource === 'inferred');
    // Methods the URLconf declares: api_view([...])(view) — which REST framework enforces, whatever
    // the body checks — and record_view("label", "POST")(view) where nothing else declares one.
    if (apiWrapper && Array.isArray(apiWrapper.args[0]) && analysis.handlers.every((h) => !h.facts || !h.decorators.some((d) => lastName(d.qname) === 'api_view'))) {
      const declared = urlconfApiView(apiWrapper.args[0], route.source.line, route.source.file);
      const basis = declared.accepts.evidence;
      handlers = declared.methods.map((method) => ({ ...template, method, methodSource: 'declared', methodEvidence: declared.evidence, methodBasis: basis }));
      accepts = declared.accepts;
    } else if (recordedMethod && HANDLER_METHODS.includes(recordedMethod) && inferredOnly) {
      const evidence = `record_request_action(…, '${recordedMethod}') in the URLconf`;
      handlers = [{ ...template, method: recordedMethod, methodSource: 'declared', methodEvidence: evidence, methodBasis: [{ kind: 'urlconf-write', text: evidence, file: route.source.file, line: route.source.line }] }];
    } else if (recorded && analysis.asWrite) {
      // Recorded as a write for every method: clients send it with POST.
      handlers = analysis.asWrite(route.source);
    }
    const documented = analysis.documented || !!apiWrapper;
    const urlconfPermissions = permissionsOf(wrappers.map((w) => ({ qname: w.name, args: w.args, line: route.source.line })));
    return handlers
      .slice()
      .sort((a, b) => METHOD_ORDER.get(a.method)! - METHOD_ORDER.get(b.method)!)
      .map((h) => this.operation(route, h, accepts, documented, urlconfPermissions, !!recorded && (!recordedMethod || recordedMethod === h.method), analysis!.file));
  }

  /** Methods, handlers and documentation status of the route's view. */
  private analyseView(route: Route): ViewAnalysis {
    const view = route.view;
    const inferredGet = (evidence: string, accepts: AcceptedMethods): ViewAnalysis => ({
      documented: false,
      file: view?.file ?? null,
      accepts,
      handlers: [{ method: 'GET', methodSource: 'inferred', methodEvidence: evidence, methodBasis: [], decorators: [] }],
    });
    const unknown = (why: string): AcceptedMethods => ({ methods: 'any', evidence: [{ kind: 'unknown', text: why, file: route.source.file, line: route.source.line }] });
    if (!view) return inferredGet('view not resolved', unknown('view not resolved'));
    if (view.external || view.file === null) {
      const known = externalViewClass(`${view.module}.${view.name}`);
      if (known && known.methods.length) {
        return {
          documented: known.drf,
          file: null,
          accepts: { methods: classAccepts(known.methods), evidence: [{ kind: 'base-class', text: `${view.module}.${view.name}`, file: null, line: null }] },
          handlers: known.methods.map((method) => ({
            method,
            methodSource: 'declared',
            methodEvidence: `${view.name} handles ${method}`,
            methodBasis: [{ kind: 'base-class', text: `${view.module}.${view.name} handles ${method}`, file: null, line: null }],
            decorators: [],
            ...(known.html && method === 'GET' ? { rendersTemplate: true } : {}),
            ...(known.params ? { knownParams: known.params } : {}),
          })),
        };
      }
      const why = view.external ? `${view.module}.${view.name} is outside the source tree` : 'view not found';
      return inferredGet(why, unknown(why));
    }
    const resolved = resolveName(this.modules, `${view.module}.${view.name}`);
    if (resolved.kind !== 'definition') return inferredGet('view not found', unknown('view not found'));
    const facts = this.modules.moduleFacts(resolved.module)!;
    const def = definitionNode(resolved.definition);
    if (resolved.definition.kind === 'class') return this.analyseClass(resolved.module, facts, def!);
    if (resolved.definition.kind === 'function' && def) return this.analyseFunction(resolved.module, facts, def);
    const why = `${view.name} is assigned, not defined with def`;
    return inferredGet(why, unknown(why));
  }

  /** A function view: methods from decorators, `request.method` tests, or what it reads and changes. */
  private analyseFunction(module: ModuleFile, facts: ModuleFacts, def: SyntaxNode): ViewAnalysis {
    const env = this.env(facts);
    const { facts: ff, flow } = this.flow.ofView(def, facts, 0);
    const decorators = decoratorsOf(def, env);
    const docstring = docstringOf(def);
    const documented = decorators.some((d) => lastName(d.qname) === 'api_view');
    const base = { facts: ff, flow, decorators, ...(docstring ? { docstring } : {}), location: { file: module.file, line: ff.line } };
    const toHandlers = (choices: MethodChoice[]): Handler[] =>
      choices.map((m) => ({ ...base, method: m.method, methodSource: m.source, methodEvidence: m.evidence, methodBasis: m.basis }));
    const declared = declaredMethods(decorators, module.file);
    if (declared) {
      const basis = declared.accepts.evidence;
      return { documented, file: module.file, accepts: declared.accepts, handlers: toHandlers(declared.methods.map((method) => ({ method, source: 'declared', evidence: declared.evidence, basis }))) };
    }
    return {
      documented,
      file: module.file,
      accepts: unrestricted(module.file, ff.line),
      handlers: toHandlers(functionViewMethods(ff, flow, module.file)),
      asWrite: (recordedAt) => toHandlers(functionViewMethods(ff, flow, module.file, recordedAt)),
    };
  }

  /**
   * A class view: its handler methods (`get`, `post`, …) through its in-tree bases, and its
   * external bases' methods; documented when any base is a REST framework view.
   */
  private analyseClass(module: ModuleFile, facts: ModuleFacts, def: SyntaxNode): ViewAnalysis {
    const chain = this.classChain(module, facts, def, new Set());
    const documented = chain.external.some((q) => externalViewClass(q)?.drf);
    const handlers: Handler[] = [];
    const evidence: Evidence[] = [];
    const restrictedBy = chain.classes.find((c) => c.facts.httpMethodNames);
    const restrict = restrictedBy?.facts.httpMethodNames;
    const own = chain.classes[0]!.facts;
    for (const method of HANDLER_METHODS) {
      if (restrict && !restrict.includes(method)) continue;
      const owner = chain.classes.find((c) => c.facts.methods.has(method.toLowerCase()));
      if (owner) {
        const { node, decorators } = owner.facts.methods.get(method.toLowerCase())!;
        const { facts: ff, flow } = this.flow.ofView(node, owner.moduleFacts, 1);
        const doc = docstringOf(node) ?? own.docstring;
        const where: Evidence = { kind: 'handler', text: `${owner.facts.name}.${method.toLowerCase()}()`, file: owner.module.file, line: ff.line };
        evidence.push(where);
        handlers.push({
          method,
          methodSource: 'declared',
          methodEvidence: `${owner.facts.name}.${method.toLowerCase()}()`,
          methodBasis: [where],
          facts: ff,
          flow,
          decorators: [...decorators, ...own.decorators],
          ...(doc ? { docstring: doc } : {}),
          location: { file: owner.module.file, line: ff.line },
        });
        continue;
      }
      const external = chain.external.find((q) => externalViewClass(q)?.methods.includes(method));
      if (external) {
        const where: Evidence = { kind: 'base-class', text: `${external} handles ${method}`, file: module.file, line: own.line };
        evidence.push(where);
        const doc = own.docstring;
        handlers.push({
          method,
          methodSource: 'declared',
          methodEvidence: `inherited from ${external}`,
          methodBasis: [where],
          decorators: own.decorators,
          ...(doc ? { docstring: doc } : {}),
          ...(externalViewClass(external)?.html && method === 'GET' ? { rendersTemplate: true } : {}),
          ...(externalViewClass(external)?.params ? { knownParams: externalViewClass(external)!.params! } : {}),
        });
      }
    }
    if (handlers.length === 0) {
      this.diagnostics.add('view-without-methods', `class ${own.name} defines no get/post/put/patch/delete handler`, module.file, own.line);
    }
    if (restrictedBy) evidence.push({ kind: 'http-method-names', text: `http_method_names = ${JSON.stringify(restrict!.map((m) => m.toLowerCase()))}`, file: restrictedBy.module.file, line: restrictedBy.facts.line });
    const methods = handlers.map((h) => h.method);
    return { documented, file: module.file, handlers, accepts: { methods: classAccepts(methods).filter((m) => !restrict || restrict.includes(m)), evidence } };
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
      const resolved = resolveName(this.modules, base);
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

  private operation(route: Route, h: Handler, accepts: AcceptedMethods, documented: boolean, urlconfPermissions: Permission[], writes: boolean, file: string | null): Operation {
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
    const parameters = buildParameters(route, h, documentedOp, documented, file, this.diagnostics);
    const response = responseOf(h, documentedOp);
    const code = h.flow && response?.format === 'json' ? this.codeShapes.answer(h.flow, h.method) : undefined;
    if (response) combineCodeAndDocs(response, code, response.schema && file && h.docstring ? { file, line: h.docstring.line } : undefined, this.diagnostics, where);
    const permissions = dedupePermissions([...permissionsOf(h.decorators.flatMap((d) => (d.inner ? [d, d.inner] : [d]))), ...urlconfPermissions]);
    const change = h.flow?.changes.find((c) => (!c.methods || c.methods.includes(h.method)) && c.file === h.location?.file && !c.via);
    const deprecated = documentedOp?.deprecated || /^deprecated\b|\bis deprecated\b/i.test(doc?.summary ?? '');
    const op: Operation = {
      operationId: '',
      method: h.method,
      methodSource: h.methodSource,
      methodEvidence: h.methodEvidence,
      methodBasis: h.methodBasis,
      accepts,
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
    if (readsUnlisted(h)) this.openParameters.add(op);
    return op;
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
}

/** The node of a function or class definition (the definition node itself). */
function definitionNode(d: Definition): SyntaxNode | undefined {
  return d.kind === 'assignment' ? undefined : d.node;
}

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
