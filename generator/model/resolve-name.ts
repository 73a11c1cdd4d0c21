/**
 * What a dotted name of a CATMAID tree denotes, the way Python's imports find it: a module, a
 * top-level definition of a module (following `from x import y` re-exports and `from x import *`
 * of the tree's modules), something the tree should have and does not, or something outside it
 * (Django, DRF, third-party apps).
 *
 * Consumes: a dotted name and the tree's {@link ModuleIndex}. Produces: a {@link ResolvedName}.
 */
import type { Definition } from '../parse/module.js';
import type { ModuleFile, ModuleIndex } from './modules.js';

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

/** How many re-exports are followed. */
const MAX_REEXPORT_DEPTH = 8;

/**
 * Resolves a dotted name to what it denotes: a module, a definition (following `from x import y`
 * re-exports and star imports in the module), something missing, or something external.
 */
export function resolveName(modules: ModuleIndex, qname: string, depth = 0, visiting: Set<string> = new Set()): ResolvedName {
  // Modules that import from each other (`from a import *` both ways) must not loop, nor fan out.
  if (visiting.has(qname)) {
    const parts = qname.split('.');
    return { kind: 'missing', module: null, moduleName: parts.slice(0, -1).join('.'), name: parts[parts.length - 1]!, reason: `${qname} is imported in a cycle` };
  }
  visiting.add(qname);
  const split = modules.splitModule(qname);
  const parts = qname.split('.');
  if (!split) {
    if (modules.ownsPackageOf(qname)) {
      return { kind: 'missing', module: null, moduleName: parts.slice(0, -1).join('.'), name: parts[parts.length - 1]!, reason: `no module for ${qname} in the tree`, moduleMissing: true };
    }
    return { kind: 'external', moduleName: parts.slice(0, -1).join('.'), name: parts[parts.length - 1]! };
  }
  const { module, rest } = split;
  if (rest.length === 0) return { kind: 'module', module };
  const name = rest[0]!;
  const missing = (reason: string): ResolvedName => ({ kind: 'missing', module, moduleName: module.module, name: rest.join('.'), reason });
  const facts = modules.moduleFacts(module);
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
    if (target !== qname) return resolveName(modules, target, depth + 1, visiting);
  }
  for (const star of [...facts.stars].reverse()) {
    const viaStar = resolveName(modules, [star, ...rest].join('.'), depth + 1, visiting);
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
