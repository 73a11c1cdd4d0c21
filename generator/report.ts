/** Human-readable renderings of the route model for the terminal (the CLI's default output). */
import { DRIFT_CODES, type Diagnostic } from './diagnostics.js';
import { compareText } from './util/compare.js';
import type { RouteModel } from './model/types.js';

/** One line per route: path, view, flags; then mounts. */
export function formatRouteTable(model: RouteModel): string {
  const rows = model.routes.map((r) => {
    const view = r.view ? [r.view.module, r.view.name].filter(Boolean).join('.') : '(unresolved)';
    const flags = [
      r.prefixMatch ? 'prefix' : '',
      r.conditional ? `if ${r.conditional}` : '',
      r.dynamic ? 'dynamic' : '',
      r.shadowedBy !== undefined ? 'shadowed' : '',
    ].filter(Boolean);
    return [r.path ?? `(${r.problem ?? r.dynamic ?? 'no path'})`, view, flags.join(', ')];
  });
  const width = Math.min(90, Math.max(4, ...rows.map((r) => r[0]!.length)));
  const lines = rows.map(([path, view, flags]) => `${path!.padEnd(width)}  ${view}${flags ? `  [${flags}]` : ''}`.trimEnd());
  const mounts = model.mounts.map((m) => `${(m.path ?? '(dynamic)').padEnd(width)}  → ${m.target}  [mount: ${m.reason}]`);
  const src = model.source;
  const header = `# ${model.routes.length} routes, ${model.mounts.length} mounts` +
    (src.ref ? ` — ${src.ref}` : '') + (src.commit ? ` (${src.commit.slice(0, 12)})` : '') +
    (src.catmaidVersion ? `, CATMAID ${src.catmaidVersion}` : '');
  return [header, ...lines, ...mounts].join('\n') + '\n';
}

/** Diagnostics as `file:line: level code: message`, one per line, with a count at the end. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  if (diagnostics.length === 0) return '';
  const lines = diagnostics.map((d) => `${d.file ?? '<source>'}${d.line ? `:${d.line}` : ''}: ${d.level} ${d.code}: ${d.operation ? `${d.operation}: ` : ''}${d.message}`);
  const counts = (['error', 'warning', 'info'] as const).map((l) => `${diagnostics.filter((d) => d.level === l).length} ${l}s`);
  return lines.join('\n') + `\n${counts.join(', ')}\n`;
}

/**
 * Drift findings (docstring vs code) grouped by file, then by operation, with counts: the output
 * of `catmaid-codegen lint`.
 */
export function formatDriftReport(diagnostics: readonly Diagnostic[]): { text: string; findings: number } {
  const drift = diagnostics.filter((d) => DRIFT_CODES.has(d.code));
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of drift) {
    const key = d.file ?? '<source>';
    byFile.set(key, [...(byFile.get(key) ?? []), d]);
  }
  const out: string[] = [];
  const operations = new Set<string>();
  for (const file of [...byFile.keys()].sort(compareText)) {
    const items = byFile.get(file)!;
    const byOperation = new Map<string, Diagnostic[]>();
    for (const d of items) byOperation.set(d.operation ?? '(module)', [...(byOperation.get(d.operation ?? '(module)') ?? []), d]);
    out.push(`${file}  (${items.length} finding${items.length === 1 ? '' : 's'}, ${byOperation.size} operation${byOperation.size === 1 ? '' : 's'})`);
    for (const op of [...byOperation.keys()].sort(compareText)) {
      operations.add(`${file} ${op}`);
      out.push(`  ${op}`);
      for (const d of byOperation.get(op)!) {
        out.push(`    ${String(d.line ?? '').padStart(5)}  ${d.code.padEnd(24)} ${d.message}`);
      }
    }
  }
  const counts = [...DRIFT_CODES].map((c) => `${c} ${drift.filter((d) => d.code === c).length}`).join(', ');
  out.push(`${drift.length} finding${drift.length === 1 ? '' : 's'} in ${operations.size} operation${operations.size === 1 ? '' : 's'} across ${byFile.size} file${byFile.size === 1 ? '' : 's'}: ${counts}`);
  return { text: out.join('\n') + '\n', findings: drift.length };
}
