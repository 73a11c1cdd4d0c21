/**
 * The Python modules of a CATMAID tree, addressed by dotted name the way CATMAID's `sys.path`
 * sees them (`django/applications`, `django/projects`, `django/lib`), each parsed at most once
 * per run. Also resolves dotted names to the definitions they denote, following re-exports.
 *
 * Consumes: a {@link SourceTree}. Produces: parsed files, {@link ModuleFacts} and
 * {@link UrlconfFacts} on demand, and {@link ResolvedName}s; read problems become diagnostics.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import { readModuleFacts, type Definition, type ModuleFacts } from '../parse/module.js';
import { decodeSource, parsePython, type ParsedFile } from '../parse/parser.js';
import { interpretUrlconf, type UrlconfFacts } from '../parse/urlconf.js';
import { SourceReadError, type SourceTree } from '../source/types.js';

/** Directories CATMAID puts on `sys.path`, in order. */
export const MODULE_ROOTS = ['django/applications', 'django/projects', 'django/lib'];

export interface ModuleFile {
  module: string;
  file: string;
  isPackage: boolean;
}

/** What a dotted name denotes. */
export type ResolvedName =
  /** A module of the tree. */
  | { kind: 'module'; module: ModuleFile }
  /** A top-level definition in a module of the tree. */
  | { kind: 'definition'; module: ModuleFile; definition: Definition }
  /**
   * A name the module should define but does not. `moduleMissing`: the name is a module of a
   * tree package that does not exist (`from catmaid.control import gone`).
   */
  | { kind: 'missing'; module: ModuleFile | null; moduleName: string; name: string; reason: string; moduleMissing?: boolean }
  /** Outside the tree: Django, DRF, third-party apps. */
  | { kind: 'external'; moduleName: string; name: string };

const MAX_REEXPORT_DEPTH = 8;

export class ModuleIndex {
  private readonly byName = new Map<string, ModuleFile & { rank: number }>();
  private readonly topPackages = new Set<string>();
  private readonly parsedFiles = new Map<string, ParsedFile | null>();
  private readonly facts = new Map<string, ModuleFacts | null>();
  private readonly urlconfs = new Map<string, UrlconfFacts | null>();
  /** Every file read, for provenance and the benchmark. */
  readonly filesRead = new Set<string>();

  constructor(
    private readonly tree: SourceTree,
    private readonly diagnostics: DiagnosticBag,
  ) {
    const roots = [...MODULE_ROOTS, ...(tree.moduleRoots ?? [])];
    for (const file of tree.listFiles()) {
      if (!file.endsWith('.py')) continue;
      const root = roots.find((r) => file.startsWith(r + '/'));
      if (!root) continue;
      const rel = file.slice(root.length + 1, -3).split('/');
      const isPackage = rel[rel.length - 1] === '__init__';
      if (isPackage) rel.pop();
      if (rel.length === 0 || !rel.every((p) => /^[A-Za-z_]\w*$/.test(p))) continue;
      const module = rel.join('.');
      const rank = roots.indexOf(root);
      const existing = this.byName.get(module);
      // The first root on sys.path wins; within one root a package wins over a module.
      if (existing && (existing.rank < rank || (existing.rank === rank && existing.isPackage))) continue;
      this.byName.set(module, { module, file, isPackage, rank });
      this.topPackages.add(rel[0]!);
    }
  }

  get(module: string): ModuleFile | undefined {
    return this.byName.get(module);
  }

  /** Module by file path. */
  byFile(file: string): ModuleFile | undefined {
    for (const m of this.byName.values()) if (m.file === file) return m;
    return undefined;
  }

  /** True when the first component of a dotted name is a package of the tree (e.g. `catmaid`). */
  ownsPackageOf(qname: string): boolean {
    return this.topPackages.has(qname.split('.')[0]!);
  }

  /** The longest prefix of `qname` that is a module of the tree, and the attribute path after it. */
  splitModule(qname: string): { module: ModuleFile; rest: string[] } | undefined {
    const parts = qname.split('.');
    for (let k = parts.length; k >= 1; k--) {
      const m = this.byName.get(parts.slice(0, k).join('.'));
      if (m) return { module: m, rest: parts.slice(k) };
    }
    return undefined;
  }

  /**
   * Reads files ahead in one batch where the source can (git): the modules named, and the other
   * modules of their packages, where the helpers and base classes of views usually live.
   */
  prefetchModules(qnames: Iterable<string>): void {
    const files = new Set<string>();
    const packages = new Set<string>();
    for (const q of qnames) {
      const parts = q.split('.');
      for (let k = parts.length; k >= 1; k--) {
        const m = this.byName.get(parts.slice(0, k).join('.'));
        if (!m) continue;
        files.add(m.file);
        packages.add(m.file.slice(0, m.file.lastIndexOf('/') + 1));
        break;
      }
    }
    // …and those of the package above (`catmaid/state.py` beside `catmaid/control/`), where the
    // helpers that views hand their request to often live.
    for (const dir of [...packages]) {
      const up = dir.slice(0, dir.slice(0, -1).lastIndexOf('/') + 1);
      if (up && MODULE_ROOTS.every((r) => up !== `${r}/`)) packages.add(up);
    }
    for (const m of this.byName.values()) {
      if (packages.has(m.file.slice(0, m.file.lastIndexOf('/') + 1))) files.add(m.file);
    }
    this.tree.prefetch([...files].filter((f) => !this.parsedFiles.has(f)).sort());
  }

  /** Parses a file of the tree once; null (with a diagnostic) when it cannot be read as Python. */
  parse(file: string): ParsedFile | null {
    if (this.parsedFiles.has(file)) return this.parsedFiles.get(file)!;
    let parsed: ParsedFile | null = null;
    try {
      const bytes = this.tree.read(file);
      this.filesRead.add(file);
      if (!bytes) {
        this.diagnostics.add('module-not-found', `${file} is missing`, file, null);
      } else {
        const decoded = decodeSource(bytes);
        if (decoded.problem) this.diagnostics.add('unreadable-file', `${file}: ${decoded.problem}`, file, null, decoded.text === undefined ? 'error' : 'warning');
        if (decoded.text !== undefined) {
          parsed = parsePython(file, decoded.text);
          if (parsed.errorLines.length > 0) {
            const lines = parsed.errorLines.slice(0, 5).join(', ') + (parsed.errorLines.length > 5 ? ', …' : '');
            this.diagnostics.add(
              'syntax-error',
              `tree-sitter could not parse ${parsed.errorLines.length} region(s) (lines ${lines}); the intact parts were read`,
              file,
              parsed.errorLines[0]!,
            );
          }
        }
      }
    } catch (e) {
      if (!(e instanceof SourceReadError)) throw e;
      this.diagnostics.add('unreadable-file', e.message, file, null);
    }
    this.parsedFiles.set(file, parsed);
    return parsed;
  }

  /** Module-level definitions and imports of a module, read once. */
  moduleFacts(m: ModuleFile): ModuleFacts | null {
    if (!this.facts.has(m.module)) {
      const parsed = this.parse(m.file);
      const facts = parsed ? readModuleFacts(parsed, m.module, m.isPackage) : null;
      if (facts) {
        for (const [local, qname] of facts.imports) facts.imports.set(local, this.importedName(qname, m));
        facts.stars.splice(0, facts.stars.length, ...facts.stars.map((s) => this.importedName(s, m)));
      }
      this.facts.set(m.module, facts);
    }
    return this.facts.get(m.module)!;
  }

  /** The URLconf facts of a module, interpreted once. */
  urlconf(m: ModuleFile): UrlconfFacts | null {
    if (!this.urlconfs.has(m.module)) {
      const parsed = this.parse(m.file);
      const relocate = (qname: string) => this.importedName(qname, m);
      this.urlconfs.set(m.module, parsed ? interpretUrlconf(parsed, m.module, m.isPackage, this.diagnostics, relocate) : null);
    }
    return this.urlconfs.get(m.module)!;
  }

  /**
   * Python 2's implicit relative imports: in package `p`, `from views import *` means
   * `p.views` when that module exists. Absolute names the tree holds are kept as they are.
   */
  importedName(qname: string, importer: ModuleFile): string {
    const head = qname.split('.')[0]!;
    if (this.topPackages.has(head)) return qname;
    const parts = importer.module.split('.');
    const pkg = importer.isPackage ? parts : parts.slice(0, -1);
    if (pkg.length === 0) return qname;
    const relative = `${pkg.join('.')}.${qname}`;
    const split = this.splitModule(relative);
    return split && split.module.module.split('.').length > pkg.length ? relative : qname;
  }

  /**
   * Resolves a dotted name to what it denotes: a module, a definition (following `from x import y`
   * re-exports and star imports in the module), something missing, or something external.
   */
  resolve(qname: string, depth = 0, visiting: Set<string> = new Set()): ResolvedName {
    // Modules that import from each other (`from a import *` both ways) must not loop, nor fan out.
    if (visiting.has(qname)) {
      const parts = qname.split('.');
      return { kind: 'missing', module: null, moduleName: parts.slice(0, -1).join('.'), name: parts[parts.length - 1]!, reason: `${qname} is imported in a cycle` };
    }
    visiting.add(qname);
    const split = this.splitModule(qname);
    const parts = qname.split('.');
    if (!split) {
      if (this.ownsPackageOf(qname)) {
        return { kind: 'missing', module: null, moduleName: parts.slice(0, -1).join('.'), name: parts[parts.length - 1]!, reason: `no module for ${qname} in the tree`, moduleMissing: true };
      }
      return { kind: 'external', moduleName: parts.slice(0, -1).join('.'), name: parts[parts.length - 1]! };
    }
    const { module, rest } = split;
    if (rest.length === 0) return { kind: 'module', module };
    const name = rest[0]!;
    const missing = (reason: string): ResolvedName => ({ kind: 'missing', module, moduleName: module.module, name: rest.join('.'), reason });
    const facts = this.moduleFacts(module);
    if (!facts) return missing(`${module.file} could not be read`);
    const definition = facts.definitions.get(name);
    if (definition) {
      if (rest.length === 1) return { kind: 'definition', module, definition };
      return missing(`${name} in ${module.module} is a ${definition.kind}, attribute ${rest.slice(1).join('.')} not modelled`);
    }
    if (depth >= MAX_REEXPORT_DEPTH) return missing(`re-exports of ${qname} nested too deeply`);
    const imported = facts.imports.get(name);
    if (imported) {
      const target = [imported, ...rest.slice(1)].join('.');
      if (target !== qname) return this.resolve(target, depth + 1, visiting);
    }
    for (const star of [...facts.stars].reverse()) {
      const viaStar = this.resolve([star, ...rest].join('.'), depth + 1, visiting);
      // Only stars of tree modules are searched: an external star could hold anything.
      if (viaStar.kind === 'definition' || viaStar.kind === 'module') return viaStar;
    }
    if (module.isPackage && rest.length > 1) {
      return {
        kind: 'missing',
        module: null,
        moduleName: `${module.module}.${name}`,
        name: rest.slice(1).join('.'),
        reason: `no module ${module.module}.${name} in the tree, and ${module.module} defines no ${name}`,
        moduleMissing: true,
      };
    }
    return missing(`${module.module} defines no ${name}`);
  }
}
