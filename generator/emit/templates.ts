/**
 * The static parts of generated output (runtime, package files, README) are handlebars templates
 * in `templates/`, compiled once with `strict` (a missing field throws), `knownHelpersOnly` and
 * `noEscape` (the output is code, not HTML).
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { packagePath } from '../util/package.js';
import { HELPER_NAMES, registerHelpers } from './helpers.js';

const hb = Handlebars.create();
registerHelpers(hb);
const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** Renders `templates/<name>.hbs` with `data`. */
export function render(name: string, data: object): string {
  let template = compiled.get(name);
  if (!template) {
    const source = readFileSync(packagePath('templates', `${name}.hbs`), 'utf8');
    template = hb.compile(source, {
      strict: true,
      knownHelpersOnly: true,
      knownHelpers: Object.fromEntries(HELPER_NAMES.map((n) => [n, true])),
      noEscape: true,
    });
    compiled.set(name, template);
  }
  return template(data);
}
