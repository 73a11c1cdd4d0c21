/**
 * Every handlebars helper the templates may use, registered in one place. Templates are compiled
 * with `knownHelpersOnly`, so a helper missing here is a compile error, not a silent blank.
 */
import type HandlebarsNamespace from 'handlebars';

/** Names of the helpers, for the compiler's `knownHelpers`. */
export const HELPER_NAMES = ['json'] as const;

export function registerHelpers(hb: typeof HandlebarsNamespace): void {
  /** A value as a JSON literal (strings quoted and escaped), for JSON templates. */
  hb.registerHelper('json', (value: unknown) => JSON.stringify(value === undefined ? null : value));
}
