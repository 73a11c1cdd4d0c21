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
  /** The commit the ref resolved to. */
  commit?: string;
  /** The CATMAID version the tree declares (`BASE_VERSION`, or the newest CHANGELOG release). */
  catmaidVersion?: string;
  /** The file `catmaidVersion` was read from. */
  catmaidVersionFile?: string;
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

/** One HTTP method of a route (filled by the operations stage; empty until then). */
export interface Operation {
  /** Upper-case HTTP method. */
  method: string;
}
