/**
 * The Python modules of a CATMAID tree, addressed by dotted name the way CATMAID's `sys.path`
 * sees them (`django/applications`, `django/projects`, `django/lib`), each parsed at most once
 * per run (what a dotted name denotes is resolve-name.ts's).
 *
 * With a {@link FactStore} (the cache), every lookup of the tree is noted for the computation
 * running (cache/memo.ts): a file's content (`f:<file>`, its blob id), which file a module name is
 * (`m:<module>`), whether a top-level package is the tree's (`p:<name>`), which module a file is
 * (`b:<file>`); {@link ModuleIndex.probe} answers the same lookups for checking a kept result.
 * Module facts and URLconf facts are then kept by the file's content, and a file's tree is parsed
 * only when something needs its nodes.
 *
 * Consumes: a {@link SourceTree}. Produces: parsed files, {@link ModuleFacts} and
 * {@link UrlconfFacts} on demand; read problems become diagnostics.
 */
import { Recorder, type Recorded } from '../cache/memo.js';
import { describeName, notingFacts, rawStars } from './noted-facts.js';
import type { FactStore } from '../cache/store.js';
import type { DiagnosticBag } from '../diagnostics.js';
import { fromPlainFacts, readModuleFacts, toPlainFacts, type Definition, type ModuleFacts, type PlainModuleFacts } from '../parse/module.js';
import { decodeSource, parsePython, type ParsedFile } from '../parse/parser.js';
import { interpretUrlconf, type UrlconfFacts } from '../parse/urlconf.js';
import { contentIdOf, SourceReadError, type SourceTree } from '../source/types.js';

/** Directories CATMAID puts on `sys.path`, in order. */
export const MODULE_ROOTS = ['django/applications', 'django/projects', 'django/lib'];

export interface ModuleFile {
  module: string;
  file: string;
  isPackage: boolean;
}

/** What reading a file found wrong, reported as a diagnostic of the file by whoever reads it. */
interface FileProblem {
  code: 'module-not-found' | 'unreadable-file' | 'syntax-error';
  message: string;
  line: number | null;
  level?: 'error' | 'warning';
}

/** A module's facts as the cache keeps them, with what reading its file found wrong. */
interface KeptFacts {
  plain: PlainModuleFacts | null;
  problems: FileProblem[];
}

export class ModuleIndex {
  private readonly byName = new Map<string, ModuleFile & { rank: number }>();
  private readonly topPackages = new Set<string>();
  private readonly parsedFiles = new Map<string, { parsed: ParsedFile | null; problems: FileProblem[] }>();
  private readonly facts = new Map<string, Recorded<ModuleFacts | null>>();
  private readonly urlconfs = new Map<string, Recorded<UrlconfFacts | null>>();
  private readonly contentIds = new Map<string, string>();
  private readonly plainFacts = new Map<string, KeptFacts>();
  /** Every file read (or whose kept facts were used), for provenance and the benchmark. */
  readonly filesRead = new Set<string>();
  /** Notes lookups and keeps results, when there is a cache; see cache/memo.ts. */
  readonly recorder: Recorder | undefined;

  constructor(
    private readonly tree: SourceTree,
    private readonly diagnostics: DiagnosticBag,
    cache?: FactStore,
  ) {
    this.recorder = cache
      ? new Recorder(cache, { probe: (lookup) => this.probe(lookup), span: (file, name) => this.span(file, name) }, diagnostics, (lookup) => {
          // A file whose content, shape or definitions a computation used was read for the model.
          const m = /^[fFd]:([^#]*)/.exec(lookup);
          if (m) this.filesRead.add(m[1]!);
        })
      : undefined;
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
    const m = this.byName.get(module);
    this.recorder?.note(`m:${module}`, m ? `${m.file}|${m.isPackage ? 1 : 0}` : '-');
    return m;
  }

  /** Module by file path. */
  byFile(file: string): ModuleFile | undefined {
    const m = this.findByFile(file);
    this.recorder?.note(`b:${file}`, m?.module ?? '-');
    return m;
  }

  private findByFile(file: string): ModuleFile | undefined {
    for (const m of this.byName.values()) if (m.file === file) return m;
    return undefined;
  }

  /** True when the first component of a dotted name is a package of the tree (e.g. `catmaid`). */
  ownsPackageOf(qname: string): boolean {
    const head = qname.split('.')[0]!;
    const owns = this.topPackages.has(head);
    this.recorder?.note(`p:${head}`, owns ? '1' : '0');
    return owns;
  }

  /** The content id of a file of the tree (git's blob id), noted as a lookup. */
  contentId(file: string): string {
    const id = this.idOf(file);
    this.filesRead.add(file);
    this.recorder?.note(`f:${file}`, id);
    return id;
  }

  /** The content id of a file, not noted. */
  private idOf(file: string): string {
    let id = this.contentIds.get(file);
    if (id === undefined) {
      id = contentIdOf(this.tree, file);
      this.contentIds.set(file, id);
    }
    return id;
  }

  /** What a lookup noted by this index answers in this tree (for checking a kept result). */
  probe(lookup: string): string {
    const what = lookup.slice(2);
    switch (lookup.slice(0, 2)) {
      case 'f:':
        return this.idOf(what);
      case 'F:':
        return this.plainOf(what).plain?.shape ?? '-';
      case 'n:':
      case 'S:': {
        const hash = lookup.startsWith('n:') ? what.lastIndexOf('#') : what.length;
        const m = this.findByFile(what.slice(0, hash));
        // Checking reports nothing and notes nothing for what is being computed.
        const facts = m && this.recorder ? this.recorder.isolated(() => this.keptFacts(m)) : null;
        if (!facts) return '-';
        return lookup.startsWith('n:') ? describeName(facts, what.slice(hash + 1)) : JSON.stringify(rawStars(facts));
      }
      case 'd:': {
        const hash = what.lastIndexOf('#');
        return this.plainOf(what.slice(0, hash)).plain?.definitions.find((d) => d.name === what.slice(hash + 1))?.hash ?? '-';
      }
      case 'm:': {
        const m = this.byName.get(what);
        return m ? `${m.file}|${m.isPackage ? 1 : 0}` : '-';
      }
      case 'p:':
        return this.topPackages.has(what) ? '1' : '0';
      case 'b:':
        return this.findByFile(what)?.module ?? '-';
      case 'l:':
        return this.tree.listFiles().filter((f) => f.startsWith(what)).join('\n');
      default:
        return '\0'; // a lookup this version does not know never holds
    }
  }

  /** Where a module's top-level definition is now: its first and last line. */
  private span(file: string, name: string): [number, number] | undefined {
    const d = this.plainOf(file).plain?.definitions.find((x) => x.name === name);
    return d ? [d.first, d.last] : undefined;
  }

  /**
   * The plain facts of the module a file is (kept by the file's content), without noting any
   * lookup: for the facts themselves, and to check and move kept results.
   */
  private plainOf(file: string): KeptFacts {
    let kept = this.plainFacts.get(file);
    if (!kept) {
      const m = this.findByFile(file);
      kept =
        m && this.recorder
          ? this.recorder.isolated(() =>
              this.memo<KeptFacts>('module-facts', this.factsKey(m), () => {
                const { parsed, problems } = this.read(m.file);
                return { plain: parsed ? toPlainFacts(readModuleFacts(parsed, m.module, m.isPackage)) : null, problems };
              }),
            )
          : { plain: null, problems: [] };
      this.plainFacts.set(file, kept);
    }
    return kept;
  }

  /** The files of the tree below a directory, noted as a lookup (`l:<dir>`). */
  filesBelow(dir: string): string[] {
    const files = this.tree.listFiles().filter((f) => f.startsWith(dir));
    this.recorder?.note(`l:${dir}`, files.join('\n'));
    return files;
  }

  /**
   * A computation kept by the cache under `kind`/`key` (see cache/memo.ts); computed every time
   * when there is no cache.
   */
  memo<T>(kind: string, key: string, compute: () => T): T {
    return this.recorder ? this.recorder.memo(kind, key, compute) : compute();
  }

  /** A kept result of `kind`/`key` that still holds (see cache/memo.ts); undefined without a cache. */
  find<T>(kind: string, key: string): { result: T } | undefined {
    return this.recorder?.find<T>(kind, key);
  }

  /** Computes and keeps a result of `kind`/`key` after {@link find} found none. */
  keep<T>(kind: string, key: string, compute: () => T): T {
    return this.recorder ? this.recorder.compute(kind, key, compute) : compute();
  }

  /** A value computed once per index, whose lookups and diagnostics are noted again at every use. */
  private once<T>(map: Map<string, Recorded<T>>, key: string, compute: () => T): T {
    let entry = map.get(key);
    if (entry) {
      this.recorder?.replay(entry);
      return entry.result;
    }
    entry = this.recorder ? this.recorder.capture(compute) : { result: compute(), deps: [], diagnostics: [], anchors: [] };
    map.set(key, entry);
    return entry.result;
  }

  /** The longest prefix of `qname` that is a module of the tree, and the attribute path after it. */
  splitModule(qname: string): { module: ModuleFile; rest: string[] } | undefined {
    const parts = qname.split('.');
    for (let k = parts.length; k >= 1; k--) {
      const m = this.get(parts.slice(0, k).join('.'));
      if (m) return { module: m, rest: parts.slice(k) };
    }
    return undefined;
  }

  /**
   * Reads files ahead in one batch where the source can (git): the modules named, and the other
   * modules of their packages, where the helpers and base classes of views usually live. With a
   * cache, files whose module facts it keeps are left out unless `trees` (their nodes are needed).
   */
  prefetchModules(qnames: Iterable<string>, trees = false): void {
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
    // With a cache, a module whose facts are kept needs no read for them (`trees`: for its nodes).
    const needed = [...files].filter((f) => !this.parsedFiles.has(f) && (trees || !this.factsKept(f)));
    this.tree.prefetch(needed.sort());
  }

  /** The key of a module's facts in the cache: the module, and its file with its content. */
  private factsKey(m: ModuleFile): string {
    return `${m.file}\0${this.idOf(m.file)}\0${m.module}\0${m.isPackage ? 1 : 0}`;
  }

  /** True when the cache keeps the facts of the module a file is (for its content). */
  private factsKept(file: string): boolean {
    const m = this.findByFile(file);
    return !!m && !!this.recorder && this.recorder.store.variants('module-facts', this.factsKey(m)).length > 0;
  }

  /**
   * Parses a file of the tree once; null when it cannot be read as Python. What went wrong is
   * reported (a diagnostic) at every call, so that every computation that reads it records it.
   */
  parse(file: string): ParsedFile | null {
    if (this.recorder) this.contentId(file);
    else this.filesRead.add(file);
    const { parsed, problems } = this.read(file);
    this.report(file, problems);
    return parsed;
  }

  /** Reports what reading a file found wrong. */
  private report(file: string, problems: readonly FileProblem[]): void {
    for (const p of problems) this.diagnostics.add(p.code, p.message, file, p.line, p.level);
  }

  /** A file parsed once, and what went wrong: nothing noted, nothing reported. */
  private read(file: string): { parsed: ParsedFile | null; problems: FileProblem[] } {
    let entry = this.parsedFiles.get(file);
    if (!entry) {
      const problems: FileProblem[] = [];
      const parsed = this.readAndParse(file, (code, message, line, level) => problems.push({ code, message, line, ...(level ? { level } : {}) }));
      entry = { parsed, problems };
      this.parsedFiles.set(file, entry);
    }
    return entry;
  }

  private readAndParse(file: string, report: (code: FileProblem['code'], message: string, line: number | null, level?: 'error' | 'warning') => void): ParsedFile | null {
    try {
      const bytes = this.tree.read(file);
      if (!bytes) {
        report('module-not-found', `${file} is missing`, null);
        return null;
      }
      const decoded = decodeSource(bytes);
      if (decoded.problem) report('unreadable-file', `${file}: ${decoded.problem}`, null, decoded.text === undefined ? 'error' : 'warning');
      if (decoded.text === undefined) return null;
      const parsed = parsePython(file, decoded.text);
      if (parsed.errorLines.length > 0) {
        const lines = parsed.errorLines.slice(0, 5).join(', ') + (parsed.errorLines.length > 5 ? ', …' : '');
        report('syntax-error', `tree-sitter could not parse ${parsed.errorLines.length} region(s) (lines ${lines}); the intact parts were read`, parsed.errorLines[0]!);
      }
      return parsed;
    } catch (e) {
      if (!(e instanceof SourceReadError)) throw e;
      report('unreadable-file', e.message, null);
      return null;
    }
  }

  /**
   * Module-level definitions and imports of a module, read once; with a cache, kept by the file's
   * content and read without a parse when kept.
   */
  moduleFacts(m: ModuleFile): ModuleFacts | null {
    if (!this.recorder) {
      return this.once(this.facts, m.module, () => {
        const parsed = this.parse(m.file);
        const facts = parsed ? readModuleFacts(parsed, m.module, m.isPackage) : null;
        if (facts) this.relocateImports(facts, m);
        return facts;
      });
    }
    // What uses these facts depends on the module's shape (names, imports) and, for each
    // definition whose node or line it reads, on that definition's text: not on the whole file.
    this.filesRead.add(m.file);
    this.report(m.file, this.plainOf(m.file).problems);
    return this.keptFacts(m);
  }

  /** Module facts from the cache, their uses noted (see {@link notingFacts}); nothing reported. */
  private keptFacts(m: ModuleFile): ModuleFacts | null {
    const recorder = this.recorder!;
    return this.once(this.facts, m.module, () => {
      const { plain } = this.plainOf(m.file);
      if (!plain) return null;
      const facts = fromPlainFacts(
        plain,
        m.module,
        m.file,
        m.isPackage,
        () => this.read(m.file).parsed,
        (d) => recorder.noteDefinition(m.file, d.name, d.hash, d.first, d.last),
      );
      this.relocateImports(facts, m);
      return notingFacts(facts, recorder, plain.shape);
    });
  }

  /** Imports and star imports as the tree's modules resolve them (Python 2's relative imports). */
  private relocateImports(facts: ModuleFacts, m: ModuleFile): void {
    for (const [local, qname] of facts.imports) facts.imports.set(local, this.importedName(qname, m));
    facts.stars.splice(0, facts.stars.length, ...facts.stars.map((s) => this.importedName(s, m)));
  }

  /** The URLconf facts of a module, interpreted once; with a cache, kept by the file's content. */
  urlconf(m: ModuleFile): UrlconfFacts | null {
    return this.once(this.urlconfs, m.module, () => {
      return this.memo('urlconf', `${m.file}\0${this.contentId(m.file)}\0${m.module}\0${m.isPackage ? 1 : 0}`, () => {
        const parsed = this.parse(m.file);
        const relocate = (qname: string) => this.importedName(qname, m);
        return parsed ? interpretUrlconf(parsed, m.module, m.isPackage, this.diagnostics, relocate) : null;
      });
    });
  }

  /**
   * Python 2's implicit relative imports: in package `p`, `from views import *` means
   * `p.views` when that module exists. Absolute names the tree holds are kept as they are.
   */
  importedName(qname: string, importer: ModuleFile): string {
    if (this.ownsPackageOf(qname)) return qname;
    const parts = importer.module.split('.');
    const pkg = importer.isPackage ? parts : parts.slice(0, -1);
    if (pkg.length === 0) return qname;
    const relative = `${pkg.join('.')}.${qname}`;
    const split = this.splitModule(relative);
    return split && split.module.module.split('.').length > pkg.length ? relative : qname;
  }
}
