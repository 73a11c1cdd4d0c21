/**
 * CATMAID's docstring convention (django-rest-swagger 0.3 style): a summary line, more
 * description, then a line `---` and YAML with `parameters`, `type` (the response), `models`.
 *
 * Consumes: a docstring's text and the line it starts on. Produces: {@link DocstringFacts};
 * a YAML error becomes `yamlError` with the file line it is on, and the rest still comes out.
 */
import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';

export interface DocstringFacts {
  /** First sentence (or line) of the text before `---`. */
  summary?: string;
  /** All text before `---`, cleaned like Python's `inspect.cleandoc`. */
  description?: string;
  /** The YAML after `---`, when it parsed. */
  yaml?: Record<string, unknown>;
  /** Why the YAML did not parse, and the file line of the problem. */
  yamlError?: { message: string; line: number };
}

/** Python's `inspect.cleandoc`: strip the first line, dedent the rest, drop blank edges. */
export function cleandoc(text: string): string[] {
  const lines = text.replace(/\t/g, '        ').split(/\r?\n/);
  let margin = Infinity;
  for (const l of lines.slice(1)) {
    const content = l.trimStart();
    if (content) margin = Math.min(margin, l.length - content.length);
  }
  const out = [lines[0]!.trimStart(), ...lines.slice(1).map((l) => (margin === Infinity ? l : l.slice(margin)))];
  while (out.length && !out[0]!.trim()) out.shift();
  while (out.length && !out[out.length - 1]!.trim()) out.pop();
  return out;
}

/** Splits and parses a docstring; `line` is the file line its opening quotes are on. */
export function parseDocstring(text: string, line: number): DocstringFacts {
  const raw = text.split(/\r?\n/);
  const separator = raw.findIndex((l) => l.trim() === '---');
  const prose = cleandoc(separator < 0 ? text : raw.slice(0, separator).join('\n'));
  const facts: DocstringFacts = {};
  const description = prose.join('\n').trim();
  if (description) {
    facts.description = description;
    const firstParagraph = description.split(/\n\s*\n/)[0]!.replace(/\s*\n\s*/g, ' ');
    const sentence = firstParagraph.match(/^.*?[.!?](?=\s|$)/)?.[0] ?? firstParagraph;
    facts.summary = sentence.trim();
  }
  if (separator >= 0) {
    const yamlLines = raw.slice(separator + 1);
    // Dedent by the smallest indentation of the YAML lines, as the YAML is indented like the code.
    let margin = Infinity;
    for (const l of yamlLines) if (l.trim()) margin = Math.min(margin, l.length - l.trimStart().length);
    const source = yamlLines.map((l) => (margin === Infinity ? l : l.slice(margin))).join('\n');
    try {
      // CORE_SCHEMA: no timestamps (a `defaultValue: 2019-01-01` stays text); `json`: a repeated key
      // overrides the earlier one instead of failing the whole docstring.
      const value = load(source, { schema: CORE_SCHEMA, json: true });
      if (value && typeof value === 'object' && !Array.isArray(value)) facts.yaml = value as Record<string, unknown>;
      else if (value != null) facts.yamlError = { message: 'YAML after --- is not a mapping', line: line + separator + 1 };
    } catch (e) {
      if (!(e instanceof YAMLException)) throw e;
      facts.yamlError = { message: e.reason, line: line + separator + 1 + (e.mark?.line ?? 0) };
    }
  }
  return facts;
}
