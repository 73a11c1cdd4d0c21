/**
 * The `verify` report as text: a summary, the values found on the server, then one row per
 * operation that was called (skipped ones are counted, and listed with `all`), or as JSON.
 * Outcomes other than a failure (`denied`, `not-mounted`, `not-configured`) are shown as they are.
 */
import type { AcceptsResult } from './accepts.js';
import type { OperationResult, VerifyReport } from './index.js';

/**
 * The accepted-methods probe in a cell: the method sent, the status, and `ok`, `DIFFERS` or `?`
 * (inconclusive); `-` where the route was not probed through this operation.
 */
function acceptsCell(a: AcceptsResult | undefined): string {
  if (a?.probe === undefined) return '-';
  return `${a.probe} ${a.status ?? '-'} ${a.agrees === true ? 'ok' : a.agrees === false ? 'DIFFERS' : '?'}`;
}

/** One table row: outcome, method, path, status, parsed, type check, accepted methods, time, note. */
function row(r: OperationResult): string[] {
  const note = [r.reason, r.accepts?.agrees === undefined && r.accepts?.probe ? `accepted methods: ${r.accepts.reason}` : undefined].filter(Boolean).join('; ');
  return [
    r.outcome === 'fail' ? 'FAIL' : r.outcome,
    r.method,
    r.path,
    r.status === undefined ? '-' : String(r.status),
    r.parsed === undefined ? '-' : r.parsed ? 'yes' : 'no',
    r.schema ?? '-',
    acceptsCell(r.accepts),
    r.ms === undefined ? '-' : `${r.ms} ms`,
    note.replace(/\s+/g, ' ').trim(),
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
  const table = [['result', 'method', 'path', 'status', 'parsed', 'type', 'accepts', 'time', 'note'], ...shown.map(row)];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((cells) => cells[i]!.length)));
  for (const cells of table) lines.push(cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
  lines.push('');
  lines.push(
    `${s.operations} operations: ${s.checked} checked, ${s.passed} passed, ${s.failed} failed, ${s.denied} denied, ` +
      `${s.notMounted} not mounted, ${s.notConfigured} not configured; ${s.skipped} skipped${options.all ? '' : ' (--all lists them)'}`,
  );
  const a = s.accepts;
  lines.push(
    a
      ? `accepted methods: ${a.probes} routes probed, ${a.agreed} agree, ${a.disagreed} disagree, ${a.inconclusive} inconclusive; ${a.notProbed} routes called, not probed`
      : 'accepted methods: not probed (--no-accepts)',
  );
  return lines.join('\n') + '\n';
}

/** The report as indented JSON. */
export function formatVerifyJson(report: VerifyReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
