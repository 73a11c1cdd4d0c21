/**
 * Explicit comparators for every sort at a model boundary, so output never depends on file-system,
 * Map or engine order. Natural order ("skeleton2" < "skeleton10"), with a code-unit tie-break that
 * makes it total.
 */
let collator: Intl.Collator | undefined;

/** Natural, total order on strings. */
export function compareText(a: string, b: string): number {
  // Created on first use: ICU's set-up is a few milliseconds of every process's start otherwise.
  collator ??= new Intl.Collator('en', { numeric: true });
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Total order on optional strings; absent sorts first. */
export function compareOptionalText(a: string | null | undefined, b: string | null | undefined): number {
  if (a == null || b == null) return a == null ? (b == null ? 0 : -1) : 1;
  return compareText(a, b);
}
