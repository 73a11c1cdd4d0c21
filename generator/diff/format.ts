/**
 * Diffs as text: markdown in the sections CATMAID's API changelog uses (Additions, Modifications,
 * Deprecations, Removals), each item starting with the method and the `{name}` path; JSON for
 * machines; and the changelog of many releases, newest first.
 *
 * Consumes: {@link ApiDiff}s. Produces: strings.
 */
import type { ApiDiff, Finding, Section } from './index.js';

const SECTIONS: Section[] = ['Additions', 'Modifications', 'Deprecations', 'Removals'];

/** `## <to>` and the four sections; one item per operation, one line per finding. */
export function formatDiffMarkdown(diff: ApiDiff, heading = `## ${diff.to}`): string {
  const c = diff.counts;
  const lines = [
    heading,
    '',
    `Compared with ${diff.from}: ${c.total} change${c.total === 1 ? '' : 's'}, ${c.breaking} breaking, ${c.nonBreaking} non-breaking, ${c.info} informational; ${c.documented} touch documented API.`,
  ];
  sections(lines, diff.findings.filter((f) => f.extension === undefined), '###');
  // Each extension's changes in a section of their own.
  for (const extension of [...new Set(diff.findings.flatMap((f) => (f.extension !== undefined ? [f.extension] : [])))].sort()) {
    lines.push('', `### Extension ${extension}`);
    sections(lines, diff.findings.filter((f) => f.extension === extension), '####');
  }
  return lines.join('\n') + '\n';
}

/** The four sections of CATMAID's changelog over `findings`, at heading level `level`. */
function sections(lines: string[], findings: Finding[], level: string): void {
  for (const section of SECTIONS) {
    lines.push('', `${level} ${section}`, '');
    const items = groupByOperation(findings.filter((f) => f.section === section));
    if (items.length === 0) {
      lines.push('None.');
      continue;
    }
    for (const group of items) {
      const f = group[0]!;
      const severity = worst(group);
      lines.push(`- ${f.method} \`${f.path}\` (\`${f.operationId}\`, ${f.documented ? 'documented' : 'volatile'}, ${severity === 'breaking' ? '**breaking**' : severity}):`);
      for (const g of group) lines.push(`  ${group.length > 1 ? '- ' : ''}${escapeLine(g.message)}${group.length > 1 && g.severity !== severity ? ` (${g.severity})` : ''}`);
      lines.push('');
    }
    if (lines[lines.length - 1] === '') lines.pop();
  }
}

export function formatDiffJson(diff: ApiDiff): string {
  return JSON.stringify(diff, null, 2) + '\n';
}

/** The changelog of consecutive releases, newest first. */
export function formatChangelog(diffs: ApiDiff[], title: string): string {
  const parts = [`# ${title}`, '', 'Computed from the source by catmaid-codegen, for documented and volatile (undocumented) operations alike. Newest first.', ''];
  for (const d of [...diffs].reverse()) parts.push(formatDiffMarkdown(d));
  return parts.join('\n');
}

function groupByOperation(findings: Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.method} ${f.path} ${f.operationId}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()];
}

function worst(group: Finding[]): Finding['severity'] {
  return group.some((f) => f.severity === 'breaking') ? 'breaking' : group.some((f) => f.severity === 'non-breaking') ? 'non-breaking' : 'info';
}

/** A docstring summary on one markdown line. */
function escapeLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
