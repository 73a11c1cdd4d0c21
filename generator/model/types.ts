/**
 * The route model: the contract every later stage reads (SDK, OpenAPI, diff). One module holds
 * every type; `generator/model/route-model.schema.json` is its JSON Schema, and
 * {@link SCHEMA_VERSION} changes whenever the shape does.
 */
import type { Diagnostic } from '../diagnostics.js';

/** Version of the route model's shape; bumped on every incompatible change. */
export const SCHEMA_VERSION = 1;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface RouteModel {
  /** Shape version of this document ({@link SCHEMA_VERSION}). */
  schemaVersion: number;
  /** The tool that wrote the model. */
  generator: { name: string; version: string };
  /** Provenance of the CATMAID source the model was read from. */
  source: ModelSource;
  /** Every URL pattern Django would serve, sorted by path, then regex, then view. */
  routes: Route[];
  /** URLconfs included but not expanded: admin, allauth, extensions, Swagger. */
  mounts: Mount[];
  /** Everything that could not be modelled exactly, sorted by file and line. */
  diagnostics: Diagnostic[];
}

export interface ModelSource {
  /** The ref the model was read at (`--ref`), when read from git. */
  ref?: string;
  /** The commit the ref resolved to, or the HEAD of a checkout directory. */
  commit?: string;
  /** A release tag pointing at the commit (a dated one when there are several). */
  tag?: string;
  /** A checkout directory whose files differ from `commit`. */
  dirty?: boolean;
  /** The CATMAID version the tree declares (`BASE_VERSION`, or the newest CHANGELOG release). */
  catmaidVersion?: string;
  /** The file `catmaidVersion` was read from. */
  catmaidVersionFile?: string;
  /** The CATMAID extensions read beside it (`--extension`), in the order given. */
  extensions?: ModelExtension[];
}

/** One extension's provenance (see source/extensions.ts). */
export interface ModelExtension {
  /** The app's name: its `settings.INSTALLED_EXTENSIONS` entry, and the `/ext/<name>/` prefix. */
  name: string;
  /** The git ref asked for (`--extension PATH@REF`). */
  ref?: string;
  /** The commit read, or the HEAD of a directory that is a git work tree. */
  commit?: string;
  /** A work tree whose files differ from `commit`. */
  dirty?: boolean;
  /** The version the app declares. */
  version?: string;
}

/** One URL pattern: a regex (with the prefixes of every enclosing include) mapped to a view. */
export interface Route {
  /** Path template, `{name}` for each parameter, leading `/`; null when the regex depends on settings. */
  path: string | null;
  /** Every path template Django would match, when optional groups make more than one. */
  variants?: string[];
  /** The full regex as Django compiles it (include prefixes joined); null when not evaluable. */
  regex: string | null;
  /** Parameters captured from the path, in the order they appear. */
  pathParams: PathParam[];
  /** True when the path captures `project_id`. */
  projectScoped: boolean;
  /** True when the regex has no end anchor, so Django also serves longer paths. */
  prefixMatch: boolean;
  /** `path()` route syntax or `url()`/`re_path()` regex syntax, as written. */
  patternType: 'regex' | 'route';
  /** The `if` condition(s) the route is defined under, e.g. `settings.FRONT_END_TESTS_ENABLED`. */
  conditional?: string;
  /** The loop(s) that generate the route (`for x in settings.Y`); its path holds placeholders. */
  loops?: string[];
  /** Why `path`/`regex` are null or symbolic because they depend on run time (settings, loops). */
  dynamic?: string;
  /** Why `path`/`regex` are null because the source is wrong (a regex Python rejects, …). */
  problem?: string;
  /**
   * The CATMAID extension (`settings.INSTALLED_EXTENSIONS` entry) whose URLconf defines the route,
   * mounted at `/ext/<name>/`; absent for CATMAID's own routes.
   */
  extension?: string;
  /** The URL pattern's `name=`. */
  urlName?: string;
  /** The instance namespace of the enclosing include (`app_name` or `namespace=`). */
  namespace?: string;
  /** Default keyword arguments the URLconf passes to the view. */
  defaults?: Record<string, JsonValue>;
  /** The view the route maps to, or null when the URLconf's view expression could not be read. */
  view: ViewRef | null;
  /** Wrappers applied in the URLconf, outermost first (`record_request_action('label')`). */
  wrappers: WrapperRef[];
  /** Position in Django's resolution order (0-based): the first matching route wins. */
  order: number;
  /** `order` of an earlier route with the same regex, which Django serves instead of this one. */
  shadowedBy?: number;
  /** Where the pattern is declared. */
  source: SourceLocation;
  /** One operation per HTTP method the route answers (filled by the operations stage). */
  operations: Operation[];
}

export interface PathParam {
  /** Group name; `_0`, `_1`, … for unnamed groups, passed positionally by Django. */
  name: string;
  /** JSON type of the value. */
  type: 'integer' | 'number' | 'string' | 'array';
  /** Element type when `type` is `array` (comma-separated lists such as `intlist`). */
  items?: 'integer' | 'string';
  /** Allowed values, for alternations of literals such as `(info|error|debug)`. */
  enum?: string[];
  /** The group's regex. */
  pattern: string;
  /** Only present in some of the route's variants (inside an optional group). */
  optional?: boolean;
  /** An unnamed group, passed to the view as a positional argument. */
  positional?: boolean;
}

/** A view resolved to where it is defined. */
export interface ViewRef {
  /** Dotted module the view is defined in (after following re-exports). */
  module: string;
  /** Function or class name. */
  name: string;
  /** What the definition is; `unknown` when it was not found or is an assignment. */
  kind: 'function' | 'class' | 'unknown';
  /** File of the definition, relative to the source root; null outside the tree or not found. */
  file: string | null;
  /** 1-based line of the `def`/`class`; null when not found. */
  line: number | null;
  /** Defined outside the source tree (Django, Django REST framework, third-party apps). */
  external?: boolean;
  /** `Class.as_view(**initkwargs)`: the keyword arguments given. */
  initkwargs?: Record<string, JsonValue>;
  /** The view is the value returned by calling this function in the URLconf. */
  factoryCall?: boolean;
}

/** A wrapper applied to the view in the URLconf. */
export interface WrapperRef {
  /** Qualified name of the wrapper (`catmaid.history.record_request_action`). */
  name: string;
  /** Literal arguments of the decorator factory call. */
  args: JsonValue[];
}

/** An included URLconf that is not expanded (outside the tree, or computed at run time). */
export interface Mount {
  /** Path template of the prefix, e.g. `/admin/`; null when not evaluable. */
  path: string | null;
  /** Full prefix regex. */
  regex: string | null;
  /** What is included: a module name (`allauth.urls`) or object (`django.contrib.admin.site.urls`). */
  target: string;
  /** `namespace=` of the include. */
  namespace?: string;
  /** `if` condition(s) the include is under. */
  conditional?: string;
  /** Loops that generate it (e.g. one mount per `settings.INSTALLED_EXTENSIONS`). */
  loops?: string[];
  /** Why it is not expanded, or why its prefix is unknown. */
  reason: string;
  source: SourceLocation;
}

export interface SourceLocation {
  /** Path relative to the source root. */
  file: string;
  /** 1-based line. */
  line: number;
}

/** An HTTP method an operation is called with. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Where a fact of the model comes from, so that users and diffs can see why. */
export interface Evidence {
  /**
   * What kind of construct it is: `decorator`, `handler` (a class view's method), `base-class`,
   * `urlconf-wrapper`, `method-test` (`request.method == 'X'`), `no-restriction`, `body-read`,
   * `data-change`, `urlconf-write`, `read` (a request read), `docstring`, `guard`, `subscript`,
   * `conversion` (`int()` of a read with nothing to fall back to), `serializer` (a known view's
   * serializer outside the tree), `path`, `unknown`.
   */
  kind: string;
  /** The construct as written (abridged), or what was concluded from it. */
  text: string;
  /** File relative to the source root; null outside the tree. */
  file: string | null;
  /** 1-based line; null when not known. */
  line: number | null;
}

/** The methods Django lets through to a view: what a client may send at all. */
export interface AcceptedMethods {
  /**
   * The methods, in the order GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS; `any` when nothing
   * restricts them (a function view without `@require_http_methods`/`@api_view`), so Django hands
   * every method to the view.
   */
  methods: string[] | 'any';
  /** What restricts them (decorators, handler methods, a URLconf wrapper), or why nothing does. */
  evidence: Evidence[];
}

/** One HTTP method of a route: what a client needs to call it. */
export interface Operation {
  /** Stable, unique, readable id derived from the view (see README, "Operation ids"). */
  operationId: string;
  method: HttpMethod;
  /** `declared` by the code (`@api_view`, `@require_POST`, a handler method, `record_view(…, 'POST')`, a `request.method` branch), or `inferred` from what the body reads. */
  methodSource: 'declared' | 'inferred';
  /** What declared or implied the method, e.g. `@api_view(['GET', 'POST'])` or `reads request.POST`. */
  methodEvidence: string;
  /** Why the SDK calls the view with this method, with where each reason is in the code. */
  methodBasis: Evidence[];
  /** The methods the view accepts (the same for every operation of the route). */
  accepts: AcceptedMethods;
  /** A Django REST framework view, listed on CATMAID's `/apis/` page. */
  documented: boolean;
  /** Not documented: subject to change without notice. Always `!documented`. */
  volatile: boolean;
  /** First sentence of the docstring. */
  summary?: string;
  /** Docstring text before `---`. */
  description?: string;
  /** Path, query, form and body parameters, path ones first, then by name. */
  parameters: Parameter[];
  /** What the caller must be allowed to do (from decorators in the view module and the URLconf). */
  permissions: Permission[];
  /** What the view answers, where known. */
  response?: ResponseInfo;
  /** Marked deprecated in its docstring. */
  deprecated?: boolean;
  /** The view is wrapped in `record_request_action` for this method: it writes (recorded in CATMAID's history). */
  writes: boolean;
  /**
   * Where the handler's own code changes data for this method, whether or not the URLconf records
   * it (`FavoriteProject.objects.get_or_create()`, `project.save()`, an SQL INSERT, a file opened
   * for writing, a helper named `update_…`): the first such place. Absent when none was seen.
   */
  changesData?: { evidence: string; line: number };
  /** The function or method that handles it. */
  handler?: SourceLocation;
}

/** The type of a value as a JSON Schema subset. */
export interface ValueSchema {
  type: 'integer' | 'number' | 'string' | 'boolean' | 'array' | 'object' | 'file';
  /** Element schema of an array. */
  items?: ValueSchema;
  enum?: Array<string | number>;
  /** Documented format (`date`, `date-time`, `double`, …). */
  format?: string;
}

export interface Parameter extends ValueSchema {
  name: string;
  /**
   * Where it travels: the path, the query string, a form body (`application/x-www-form-urlencoded`,
   * also for REST framework's `request.data`), or a JSON body (documented `paramType: body`).
   */
  in: 'path' | 'query' | 'form' | 'body' | 'header';
  /**
   * How a list is spelled on the wire: `indexed` as `k[0]=1&k[1]=2` (CATMAID's `get_request_list`,
   * nested `k[0][1]`), `repeated` as `k=1&k=2` (Django's `getlist`).
   */
  style?: 'indexed' | 'repeated';
  required: boolean;
  /** Literal default (documented `defaultValue`, or the code's fallback). */
  default?: JsonValue;
  /** Listed in the docstring's YAML. */
  documented: boolean;
  /** Read by the code (or captured by the URL, for path parameters). */
  inferred: boolean;
  description?: string;
  /**
   * Where the parameter was found: each read of it (`read`, in the file and function that reads
   * it, through helpers handed the request), the docstring (`docstring`), what makes it required
   * (`subscript`, `guard`), the URL (`path`).
   */
  evidence: Evidence[];
}

/** A permission check the view applies. */
export interface Permission {
  /** `project-role`: `requires_user_role`; `any-project-role`: `requires_user_role_for_any_project`; `login`: `login_required`. */
  kind: 'project-role' | 'any-project-role' | 'login' | 'other';
  /** Roles, one of which suffices (`Browse`, `Annotate`, `can_browse`, …). */
  roles?: string[];
  /** Qualified name of the decorator. */
  decorator: string;
}

/** What an operation answers. */
export interface ResponseInfo {
  /** `json` (JsonResponse, DRF Response), `text`, `binary` (files, images), `html` (pages, redirects). */
  format: 'json' | 'text' | 'binary' | 'html' | 'unknown';
  /** A content type the code sets explicitly. */
  contentType?: string;
  /**
   * JSON Schema of the body (draft 2020-12: `prefixItems` for tuples, `anyOf`, `type: 'null'`),
   * from the evidence in `evidence`, best first: what a server answered, what CATMAID's tests
   * expect, what the code returns, what the docstring documents. `{}` inside it: not known.
   */
  schema?: JsonSchema;
  /** Named schemas of the docstring's `models`, where `schema` is the docstring's own and refers to them (`#/models/<name>`). */
  models?: Record<string, JsonSchema>;
  /** Where `schema` comes from, best evidence first. */
  evidence?: ResponseEvidence[];
  /** Real answers: what CATMAID's tests expect, what a server answered (at most two). */
  examples?: JsonValue[];
}

/** One piece of evidence of a response type. */
export interface ResponseEvidence {
  /** `observed` (a server's answer, `verify --record`), `test` (CATMAID's API tests), `code` (what the view returns), `docstring`. */
  source: 'observed' | 'test' | 'code' | 'docstring';
  /** File of the test, the return, the docstring, or the recording; null when not known. */
  file: string | null;
  line: number | null;
}

/** A JSON Schema (draft 2020-12 subset) as plain data. */
export type JsonSchema = { [key: string]: JsonValue };
