/**
 * Python import statements as bindings of local names to qualified names, the way the URLconf
 * evaluator and the view-module reader both need them. Nothing is imported: `from a.b import c`
 * only records that `c` means `a.b.c`.
 */
import type { Env } from './evaluate.js';
import type { SyntaxNode } from './parser.js';

/** One name an import statement binds, or a star import. */
export type ImportBinding = { local: string; qname: string } | { star: string };

/**
 * Resolves the module of a `from` import, relative ones included (`from . import x`,
 * `from ..y import z`), against the importing module. `isPackage` is true for `__init__.py`.
 */
export function resolveFromModule(node: SyntaxNode, module: string, isPackage: boolean): string | undefined {
  const moduleNode = node.childForFieldName('module_name');
  if (!moduleNode) return undefined;
  if (moduleNode.type !== 'relative_import') return moduleNode.text.replace(/\s+/g, '');
  const prefix = moduleNode.namedChildren.find((c) => c.type === 'import_prefix')?.text.length ?? 0;
  const rest = moduleNode.namedChildren.find((c) => c.type === 'dotted_name')?.text.replace(/\s+/g, '');
  const parts = module.split('.');
  // The package of a module is the module minus its last part; of a package, the package itself.
  const base = isPackage ? parts : parts.slice(0, -1);
  // Python: "attempted relative import beyond top-level package".
  if (prefix - 1 >= base.length) return undefined;
  const up = base.slice(0, base.length - (prefix - 1));
  return [...up, ...(rest ? [rest] : [])].join('.');
}

/** The bindings of an `import` or `from … import` statement. */
export function importBindings(node: SyntaxNode, module: string, isPackage: boolean): ImportBinding[] {
  const out: ImportBinding[] = [];
  if (node.type === 'import_statement') {
    for (const name of node.childrenForFieldName('name')) {
      if (name.type === 'aliased_import') {
        const target = name.childForFieldName('name')?.text.replace(/\s+/g, '');
        const alias = name.childForFieldName('alias')?.text;
        if (target && alias) out.push({ local: alias, qname: target });
      } else {
        const dotted = name.text.replace(/\s+/g, '');
        const head = dotted.split('.')[0]!;
        out.push({ local: head, qname: head });
      }
    }
    return out;
  }
  if (node.type !== 'import_from_statement') return out;
  const from = resolveFromModule(node, module, isPackage);
  if (!from) return out;
  if (node.namedChildren.some((c) => c.type === 'wildcard_import')) return [{ star: from }];
  for (const name of node.childrenForFieldName('name')) {
    if (name.type === 'aliased_import') {
      const target = name.childForFieldName('name')?.text.replace(/\s+/g, '');
      const alias = name.childForFieldName('alias')?.text;
      if (target && alias) out.push({ local: alias, qname: `${from}.${target}` });
    } else {
      const target = name.text.replace(/\s+/g, '');
      out.push({ local: target, qname: `${from}.${target}` });
    }
  }
  return out;
}

/** Applies an import statement to an evaluation environment. */
export function bindImport(
  node: SyntaxNode,
  module: string,
  isPackage: boolean,
  env: Env,
  relocate: (qname: string) => string = (q) => q,
): void {
  for (const b of importBindings(node, module, isPackage)) {
    if ('star' in b) env.starModules.push(relocate(b.star));
    else env.set(b.local, { kind: 'ref', qname: relocate(b.qname) });
  }
}
