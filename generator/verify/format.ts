/**
 * The `verify` report as text: a summary, the values found on the server, then one row per
 * operation that was called (skipped ones are counted, and listed with `all`), or as JSON.
 * Outcomes other than a failure (`denied`, `not-mounted`, `not-configured`) are shown as they are.
 */
import type { OperationResult, VerifyReport } from './index.js';

/** One table row: outcome, method, path, status, parsed, type check, time, note. */
function row(r: OperationResult): string[] {
  return [
    r.outcome === 'fail' ? 'FAIL' : r.outcome,
    r.method,
    r.path,
    r.status === undefined ? '-' : String(r.status),
    r.parsed === undefined ? '-' : r.parsed ? 'yes' : 'no',
    r.schema ?? '-',
    r.ms === undefined ? '-' : `${r.ms} ms`,
    (r.reason ?? '').replace(/\s+/g, ' ').trim(),
  ];
}

/** The report as a table with a summary line; `all` also lists the skipped operations. */
export function formatVerifyTable(report: VerifyReport, options: { all?: boolean } = {}): string {
  const s = report.summary;
  const lines = [
    `CATMAID ${report.server.version ?? '(version unknown)'} at ${report.server.url}${report.modelVersion ? `; model from ${report.modelVersion}` : ''}`,
    `values: ${Object.entries(report.values).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ') || '(none)'}`,
    ...report.notes.map((n) => `note: ${n}`),
    '',
  ];
  const shown = report.results.filter((r) => options.all || r.outcome !== 'skipped');
  const table = [['result', 'method', 'path', 'status', 'parsed', 'type', 'time', 'note'], ...shown.map(row)];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((cells) => cells[i]!.length)));
  for (const cells of table) lines.push(cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
  lines.push('');
  lines.push(
    `${s.operations} operations: ${s.checked} checked, ${s.passed} passed, ${s.failed} failed, ${s.denied} denied, ` +
      `${s.notMounted} not mounted, ${s.notConfigured} not configured; ${s.skipped} skipped${options.all ? '' : ' (--all lists them)'}`,
  );
  return lines.join('\n') + '\n';
}

/** The report as indented JSON. */
export function formatVerifyJson(report: VerifyReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
