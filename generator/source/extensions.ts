/**
 * CATMAID extensions: Django apps a lab lists in `settings.INSTALLED_EXTENSIONS`, which CATMAID's
 * project URLconf mounts at `^ext/<name>/` by including `<name>.urls`. `--extension PATH` names
 * one: a directory holding the app package (the package itself, or a repository whose top level
 * holds it), `PATH@REF` a git repository read at a ref (work tree or bare, no checkout), and
 * `name=PATH…` overrides the app's name (else its package name).
 *
 * Each extension's files are shown to the rest of the generator inside the CATMAID tree, under
 * {@link EXTENSIONS_ROOT}`/<name>/` (a directory on `sys.path`, so `<name>.urls` and `<name>.views`
 * are modules like CATMAID's), by {@link WithExtensions}.
 *
 * Consumes: `--extension` arguments and the CATMAID tree. Produces: {@link OpenedExtension}s (a
 * source tree each, with provenance and version) and the combined {@link SourceTree}. Every way an
 * argument can be wrong is a one-line {@link UsageError}.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { openTree } from './open.js';
import { blobId, SourceReadError, type SourceTree } from './types.js';

/** Where extension packages appear in the combined tree: `ext/<name>/<package files>`. */
export const EXTENSIONS_ROOT = 'ext';

/** What one `--extension` argument asks for. */
export interface ExtensionSpec {
  /** The app's name as given (`name=PATH`), else undefined: its package name. */
  name?: string;
  path: string;
  /** `PATH@REF`: a git ref. */
  ref?: string;
}

/** Provenance of one extension, as the route model records it (`source.extensions[]`). */
export interface ExtensionSource {
  /** The app's name: its `INSTALLED_EXTENSIONS` entry and the `/ext/<name>/` prefix. */
  name: string;
  /** The ref asked for (`PATH@REF`). */
  ref?: string;
  /** The commit read, or the HEAD of a directory that is a git work tree. */
  commit?: string;
  /** A work tree whose files differ from `commit`. */
  dirty?: boolean;
  /** The version the app declares (`__version__` in its package, `version=` in setup.py/setup.cfg/pyproject.toml). */
  version?: string;
}

/** An extension opened: its tree, where its package is in it, and its provenance. */
export interface OpenedExtension {
  source: ExtensionSource;
  tree: SourceTree;
  /** The package directory inside `tree`, with a trailing `/` (`''`: the tree is the package). */
  packageDir: string;
}

/** Parses `name=PATH@REF`, `PATH@REF`, `name=PATH`, `PATH`. */
export function parseExtensionArg(arg: string): ExtensionSpec {
  const named = /^([^=/\\]+)=(.+)$/.exec(arg);
  if (named && !/^[A-Za-z_]\w*$/.test(named[1]!)) throw new UsageError(`extension name '${named[1]}' is not a Python package name (in --extension ${arg})`);
  const rest = named ? named[2]! : arg;
  // `@` followed by something that is not a path separator: a ref (paths may hold `@` elsewhere).
  const at = rest.lastIndexOf('@');
  const withRef = at > 0 && !/[\\/]/.test(rest.slice(at + 1)) && rest.slice(at + 1) !== '';
  const path = withRef ? rest.slice(0, at) : rest;
  if (!path) throw new UsageError(`invalid --extension '${arg}': give PATH, PATH@REF or name=PATH`);
  return { ...(named ? { name: named[1]! } : {}), path, ...(withRef ? { ref: rest.slice(at + 1) } : {}) };
}

/** Modules of CATMAID's own tree an extension's name may not take. */
const CORE_PACKAGES = ['catmaid', 'mysite', 'performancetests', 'pgcompat', 'cropping', 'custom_rest_swagger_googledocs'];

/**
 * Opens the extensions asked for. A path that is not a directory, a ref that does not resolve, a
 * tree without a Django app package holding `urls.py`, a name that is not a Python identifier or
 * collides with a core module or another extension: a {@link UsageError}.
 */
export function openExtensions(specs: readonly ExtensionSpec[], core: SourceTree): OpenedExtension[] {
  const out: OpenedExtension[] = [];
  const coreTop = new Set(core.listFiles().flatMap((f) => (/^django\/(?:applications|projects|lib)\/([A-Za-z_]\w*)\//.exec(f)?.slice(1, 2) ?? [])));
  for (const spec of specs) {
    const label = spec.ref ? `${spec.path}@${spec.ref}` : spec.path;
    if (!existsSync(spec.path)) throw new UsageError(`extension not found: ${spec.path}`);
    const tree = openTree({ source: spec.path, ref: spec.ref });
    const packageDir = findAppPackage(tree, label);
    const packageName = packageDir ? basename(packageDir.slice(0, -1)) : appNameOf(spec.path);
    const name = spec.name ?? packageName;
    if (!/^[A-Za-z_]\w*$/.test(name)) throw new UsageError(`extension name '${name}' is not a Python package name (give one with name=${label})`);
    if (coreTop.has(name) || CORE_PACKAGES.includes(name)) throw new UsageError(`extension '${name}' (${label}) has the name of a module of CATMAID itself`);
    if (out.some((e) => e.source.name === name)) throw new UsageError(`two extensions are named '${name}': give one another name with name=PATH`);
    const version = declaredVersion(tree, packageDir);
    out.push({
      source: {
        name,
        ...(spec.ref !== undefined ? { ref: spec.ref } : {}),
        ...(tree.commit !== undefined ? { commit: tree.commit } : {}),
        ...(tree.dirty ? { dirty: true } : {}),
        ...(version ? { version } : {}),
      },
      tree,
      packageDir,
    });
  }
  return out;
}

/** A directory's name as an app name: `CATMAID-synapsesuggestor.git` → `CATMAID_synapsesuggestor`. */
function appNameOf(path: string): string {
  return basename(resolve(path)).replace(/\.git$/, '');
}

/**
 * The Django app package of an extension's tree: the tree itself when it holds `__init__.py` and
 * `urls.py` at the top, else the one top-level directory that does.
 */
function findAppPackage(tree: SourceTree, label: string): string {
  if (tree.has('__init__.py') && tree.has('urls.py')) return '';
  const candidates = [...new Set(tree.listFiles().flatMap((f) => (/^([A-Za-z_]\w*)\/__init__\.py$/.exec(f)?.slice(1, 2) ?? [])))].filter((d) => tree.has(`${d}/urls.py`));
  if (candidates.length === 1) return `${candidates[0]}/`;
  if (candidates.length > 1) throw new UsageError(`${label} holds several Django apps (${candidates.join(', ')}): give the app's directory`);
  const packages = tree.listFiles().filter((f) => /^[A-Za-z_]\w*\/__init__\.py$/.test(f) || f === '__init__.py');
  throw new UsageError(`${label} is not a Django app with a URLconf: no ${packages.length ? 'urls.py in its package' : 'package (__init__.py) at its top level'}`);
}

const VERSION_FILES: Array<{ file: (pkg: string) => string; pattern: RegExp }> = [
  { file: (pkg) => `${pkg}__init__.py`, pattern: /^__version__\s*=\s*['"]([^'"]+)['"]/m },
  { file: (pkg) => `${pkg}version.py`, pattern: /^__version__\s*=\s*['"]([^'"]+)['"]/m },
  { file: () => 'setup.py', pattern: /\bversion\s*=\s*['"]([^'"]+)['"]/ },
  { file: () => 'setup.cfg', pattern: /^version\s*=\s*(\S+)/m },
  { file: () => 'pyproject.toml', pattern: /^version\s*=\s*['"]([^'"]+)['"]/m },
];

/** The version an app declares, where one of the usual files states it as a literal. */
function declaredVersion(tree: SourceTree, packageDir: string): string | undefined {
  for (const { file, pattern } of VERSION_FILES) {
    let text: string | undefined;
    try {
      text = tree.read(file(packageDir))?.toString('utf8');
    } catch (e) {
      if (!(e instanceof SourceReadError)) throw e;
    }
    const m = text ? pattern.exec(text) : null;
    if (m && /^[\w.+-]{1,64}$/.test(m[1]!)) return m[1];
  }
  return undefined;
}

/**
 * CATMAID's tree with extensions inside: each extension's package at
 * `ext/<name>/<name>/…` (named as installed, whatever its directory is called), and
 * `ext/<name>` on the module path. Provenance is CATMAID's.
 */
export class WithExtensions implements SourceTree {
  readonly kind: SourceTree['kind'];
  readonly ref: SourceTree['ref'];
  readonly commit: SourceTree['commit'];
  readonly tags: SourceTree['tags'];
  readonly dirty: SourceTree['dirty'];
  readonly location: string;
  readonly moduleRoots: readonly string[];
  private readonly files: string[];
  private readonly mounted = new Map<string, { tree: SourceTree; path: string }>();

  constructor(
    private readonly core: SourceTree,
    readonly extensions: readonly OpenedExtension[],
  ) {
    this.kind = core.kind;
    this.ref = core.ref;
    this.commit = core.commit;
    this.tags = core.tags;
    this.dirty = core.dirty;
    this.location = core.location;
    this.moduleRoots = [...(core.moduleRoots ?? []), ...extensions.map((e) => `${EXTENSIONS_ROOT}/${e.source.name}`)];
    const own: string[] = [];
    for (const e of extensions) {
      for (const f of e.tree.listFiles()) {
        if (!f.startsWith(e.packageDir)) continue;
        const path = `${EXTENSIONS_ROOT}/${e.source.name}/${e.source.name}/${f.slice(e.packageDir.length)}`;
        this.mounted.set(path, { tree: e.tree, path: f });
        own.push(path);
      }
    }
    this.files = [...core.listFiles().filter((f) => !f.startsWith(`${EXTENSIONS_ROOT}/`)), ...own].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  listFiles(): readonly string[] {
    return this.files;
  }

  has(path: string): boolean {
    return this.mounted.has(path) || (!path.startsWith(`${EXTENSIONS_ROOT}/`) && this.core.has(path));
  }

  read(path: string): Buffer | undefined {
    const m = this.mounted.get(path);
    if (m) return m.tree.read(m.path);
    return path.startsWith(`${EXTENSIONS_ROOT}/`) ? undefined : this.core.read(path);
  }

  contentId(path: string): string | undefined {
    const m = this.mounted.get(path);
    const [tree, inner] = m ? [m.tree, m.path] : path.startsWith(`${EXTENSIONS_ROOT}/`) ? [undefined, path] : [this.core, path];
    if (!tree) return undefined;
    if (tree.contentId) return tree.contentId(inner);
    const bytes = tree.read(inner);
    return bytes ? blobId(bytes) : undefined;
  }

  prefetch(paths: readonly string[]): void {
    this.core.prefetch(paths.filter((p) => !this.mounted.has(p)));
    for (const e of this.extensions) {
      const own = paths.flatMap((p) => {
        const m = this.mounted.get(p);
        return m && m.tree === e.tree ? [m.path] : [];
      });
      if (own.length) e.tree.prefetch(own);
    }
  }
}

/**
 * CATMAID with the extensions `args` name (`--extension` values) installed: the combined tree and
 * their provenance for `BuildOptions.extensions`; CATMAID's own tree alone when there are none.
 */
export function installExtensions(core: SourceTree, args: readonly string[]): { tree: SourceTree; extensions: ExtensionSource[] } {
  const opened = openExtensions(args.map(parseExtensionArg), core);
  return opened.length ? { tree: new WithExtensions(core, opened), extensions: opened.map((e) => e.source) } : { tree: core, extensions: [] };
}
