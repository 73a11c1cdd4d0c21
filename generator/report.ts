/** Human-readable renderings of the route model for the terminal (the CLI's default output). */
import type { Diagnostic } from './diagnostics.js';
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
  const lines = diagnostics.map((d) => `${d.file ?? '<source>'}${d.line ? `:${d.line}` : ''}: ${d.level} ${d.code}: ${d.message}`);
  const counts = (['error', 'warning', 'info'] as const).map((l) => `${diagnostics.filter((d) => d.level === l).length} ${l}s`);
  return lines.join('\n') + `\n${counts.join(', ')}\n`;
}
